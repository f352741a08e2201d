package runs

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/testutil/fixtures"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/tasks"
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fakeExe != "" {
		os.RemoveAll(filepath.Dir(fakeExe))
	}
	os.Exit(code)
}

// replay runs a real dbt recording through the runner and the task manager, as the app does,
// and pins the times the goldens show (the run's own are the test machine's).
func replay(t *testing.T, recording string, args ...string) *harness {
	t.Helper()
	dir := fixtures.Path(t, "real-dbt/"+recording)
	exe := buildFakeDBT(t)
	h := newHarness(t)
	h.m.newRunner = func() *ops.Runner {
		r := h.m.liveRunner()
		r.Executable = exe
		r.Env = []string{"FAKEDBT_RECORDING=" + dir}
		return r
	}
	if len(args) == 0 {
		args = []string{"build"}
	}
	h.Send(common.RunDBTMsg{Args: args})
	r := h.m.cur
	if r == nil || r.running {
		t.Fatalf("run did not end: %+v", r)
	}
	r.started, r.duration = fixedNow, 12300*time.Millisecond
	return h
}

// TestGoldenFailedRun: a real build with a runtime error and skipped children.
func TestGoldenFailedRun(t *testing.T) {
	h := replay(t, "jaffle-build-error-skip")
	v := view(h, 120, 40)
	for _, want := range []string{"✗ failed (exit 1)", "46/46", "PASS=21 WARN=0 ERROR=4 SKIP=21 TOTAL=46", `column "no_such_column" does not exist`} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
	h.Goldens(t)
}

// TestGoldenCancelledRun: Ctrl-C of a real build. dbt's empty "Encountered an error:" is not
// shown as a message; the run is cancelled, the interrupted node too, and the bar is not full.
func TestGoldenCancelledRun(t *testing.T) {
	h := replay(t, "jaffle-cancel")
	v := view(h, 120, 40)
	if !strings.Contains(v, "⊘ cancelled") || strings.Contains(v, "Encountered an error") || strings.Contains(v, "100%") || strings.Contains(v, "dbt stopped") {
		t.Errorf("cancelled run:\n%s", v)
	}
	if n := h.m.cur.nodes["model.jaffle_shop.stg_orders"]; n == nil || n.Status != "cancelled" {
		t.Errorf("stg_orders %+v", n)
	}
	h.Goldens(t)
}

// TestGoldenStoppedRuns: dbt stopped before any node ran: its whole message, no bar.
func TestGoldenStoppedRuns(t *testing.T) {
	for _, rec := range []string{"jaffle-compile-error", "jaffle-fatal-project-yaml", "jaffle-cancel-sigterm"} {
		t.Run(rec, func(t *testing.T) {
			h := replay(t, rec)
			v := view(h, 120, 40)
			if !strings.Contains(v, "✗ dbt stopped") || !strings.Contains(v, "dbt's message:") || strings.Contains(v, "0/0") || strings.Contains(v, "exit -1") {
				t.Errorf("view:\n%s", v)
			}
			h.Goldens(t)
		})
	}
	h := replay(t, "jaffle-compile-error")
	if v := view(h, 120, 40); !strings.Contains(v, "unexpected '}', expected ')'") || !strings.Contains(v, "select * from {{ ref('stg_customers' }}") {
		t.Errorf("dbt's message is not shown whole:\n%s", v)
	}
}

// TestGoldenNoNodes: a run that succeeded without nodes says so instead of a green 0/0 100%.
func TestGoldenNoNodes(t *testing.T) {
	h := replay(t, "jaffle-parse", "parse")
	v := view(h, 80, 24)
	if !strings.Contains(v, "dbt reported no nodes") || strings.Contains(v, "100%") || strings.Contains(v, "0/0") {
		t.Errorf("view:\n%s", v)
	}
	h.Goldens(t)
}

// TestGoldenNotStarted: a run refused before dbt started shows why, not "exit -1".
func TestGoldenNotStarted(t *testing.T) {
	h := newHarness(t)
	h.Send(common.RunDBTMsg{Args: []string{"build", "--target", "prod"}})
	h.m.cur.started, h.m.cur.duration = fixedNow, 0
	v := view(h, 80, 24)
	var te *ops.TargetError
	if !errors.As(h.m.cur.err, &te) || !strings.Contains(v, "✗ not started") || !strings.Contains(v, `refusing to run dbt against target "prod"`) || strings.Contains(v, "exit -1") {
		t.Errorf("view:\n%s", v)
	}
	h.Goldens(t)
}

// TestGoldenFusionRunning: dbt Fusion announces no total; the bar says so instead of 100%.
func TestGoldenFusionRunning(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build"})
	h.events(batch{
		ops.Started{Executable: "dbtf", Args: []string{"build"}, At: fixedNow, Engine: ops.EngineFusion},
		node("seed.shop.countries", "seed", "reused", 0, "reused"),
		ops.Progress{Done: 1, Elapsed: time.Second},
		node("model.shop.stg_orders", "model", "success", 1.25, "SUCCESS 1200"),
		ops.Progress{Done: 2, Elapsed: 2 * time.Second},
		node("model.shop.fct_orders", "model", "running", 0, ""),
		ops.Progress{Done: 2, Node: "model.shop.fct_orders", Status: "running", Elapsed: 2 * time.Second},
	})
	v := view(h, 80, 24)
	if !strings.Contains(v, "2 done · dbt Fusion does not announce a total") || strings.Contains(v, "100%") || strings.Contains(v, "2/2") {
		t.Errorf("view:\n%s", v)
	}
	h.Goldens(t)
}

// TestElapsedTicks: while dbt prints nothing, the time keeps moving, once a second.
func TestElapsedTicks(t *testing.T) {
	h := newHarness(t)
	exe := buildFakeDBT(t)
	stream, _ := filepath.Abs("../../../ops/testdata/streams/build-skip.jsonl")
	h.m.newRunner = func() *ops.Runner {
		r := h.m.liveRunner()
		r.Executable = exe
		r.Env = []string{"FAKEDBT_STREAM=" + stream}
		return r
	}
	// A run in progress as the screen holds it: started, no line for a while.
	cmd := h.m.Start([]string{"build"})
	if len(h.ticks) != 1 {
		t.Fatalf("%d ticks asked for at the start", len(h.ticks))
	}
	r := h.m.cur
	r.started = fixedNow
	h.m.now = func() time.Time { return fixedNow.Add(42 * time.Second) }
	if v := view(h, 80, 24); !strings.Contains(v, "42.0s") {
		t.Errorf("elapsed does not follow the clock:\n%s", v)
	}
	h.m.Update(h.ticks[0]) // (straight to the screen: the run is still in flight)
	if len(h.ticks) != 2 {
		t.Errorf("the tick is not re-armed while the run runs (%d)", len(h.ticks))
	}
	h.Run(cmd) // let it finish
	if r.running {
		t.Fatal("still running")
	}
	n := len(h.ticks)
	h.Send(h.ticks[len(h.ticks)-1])
	if len(h.ticks) != n {
		t.Error("ticking goes on after the run ended")
	}
	// A stale tick (an earlier run's) does nothing.
	h.Send(tickMsg{seq: -1})
	if len(h.ticks) != n {
		t.Error("a stale tick was re-armed")
	}
}

// TestFullText: an error longer than the panel says how much more there is, enter shows it
// whole and wrapped, and nothing of it is lost.
func TestFullText(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build"})
	var long []string
	for i := range 40 {
		long = append(long, "line "+strings.Repeat("x", i)+" of a long dbt error that goes on past the edge of an eighty column terminal window")
	}
	msg := strings.Join(long, "\n")
	h.events(batch{node("model.shop.stg_users", "model", "error", 0.5, msg), ops.Progress{Done: 1, Total: 1}})
	h.Run(h.m.Update(tasks.DoneMsg{ID: taskID, Owner: ID, Result: &ops.Result{ExitCode: 1, Duration: time.Second, Total: 1,
		Nodes: []ops.NodeResult{node("model.shop.stg_users", "model", "error", 0.5, msg)}, Summary: ops.Summary{Error: 1, Total: 1}}}))
	v := view(h, 80, 24)
	if !strings.Contains(v, "more lines · enter reads it whole") {
		t.Errorf("no hint that the error goes on:\n%s", v)
	}
	h.Key("enter")
	if h.m.mode != modeText {
		t.Fatal("enter did not open the full text")
	}
	h.Goldens(t)
	var seen strings.Builder
	for range 60 {
		seen.WriteString(view(h, 80, 24))
		h.Key("j")
	}
	flat := strings.Join(strings.Fields(seen.String()), " ")
	for _, l := range long {
		if !strings.Contains(flat, strings.Join(strings.Fields(l), " ")) {
			t.Fatalf("%q never shown whole", l)
		}
	}
	h.Key("esc")
	if h.m.mode != modeDetail {
		t.Error("esc did not go back")
	}
}

// TestLogWraps: the raw log wraps a long line instead of cutting it.
func TestLogWraps(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build"})
	long := "select " + strings.Repeat("a_rather_long_column_name, ", 12) + "END_OF_THE_LINE from dev.orders"
	h.events(batch{ops.Line{Text: "first"}, ops.Line{Text: long}, ops.Line{Text: "last"}})
	h.Key("l")
	v := view(h, 80, 24)
	if !strings.Contains(v, "END_OF_THE_LINE from dev.orders") {
		t.Errorf("the end of a long line is not shown:\n%s", v)
	}
	h.Goldens(t)
}
