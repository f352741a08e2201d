package runs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

var fixedNow = time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)

type harness struct {
	*uitest.Driver
	m  *Model
	ws *workspace.Workspace
	// ticks counts the redraw ticks the screen asked for (never delivered on their own).
	ticks []tea.Msg
}

// newHarness drives the runs screen of a dbt project (its history loaded) at 120×40.
func newHarness(t testing.TB) *harness {
	t.Helper()
	ws := &workspace.Workspace{Root: t.TempDir(), StateDir: t.TempDir(), Config: config.Default()}
	ws.ProjectDir = ws.Root
	// A dbt project whose dev target is the user's own DuckDB file: the runner's write guard
	// lets dbt start only then.
	writeProject(t, ws.ProjectDir, "sandbox.duckdb")
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background()),
		Clock: func() time.Time { return fixedNow }}
	m := New(c)
	m.now = func() time.Time { return fixedNow }
	// Goldens show local times; pin the zone.
	m.loc = time.UTC
	h := &harness{m: m, ws: ws}
	m.after = func(_ time.Duration, msg tea.Msg) tea.Cmd {
		h.ticks = append(h.ticks, msg)
		return nil
	}
	h.Driver = uitest.Screen(t, m, c, 120, 40)
	return h
}

// view draws the screen at w×h without settling anything (a run may be in flight).
func view(h *harness, w, ht int) string {
	h.m.SetSize(w, ht)
	return ansi.Strip(h.m.View())
}

func (h *harness) lastStatus() string {
	s := h.Statuses()
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func node(id, typ, status string, secs float64, msg string) ops.NodeResult {
	parts := strings.Split(id, ".")
	n := ops.NodeResult{UniqueID: id, Name: parts[2], ResourceType: typ, Path: "staging/" + parts[2] + ".sql", Status: status, Rows: -1,
		Elapsed: time.Duration(secs * float64(time.Second))}
	switch {
	case ops.Failed(status):
		n.Message = msg
	default:
		n.AdapterMessage, n.Message = msg, msg
	}
	return n
}

const taskID = 41

// midRun is a build of 6 nodes, 3 finished (one failed), one running.
func midRun() batch {
	stgUsers := node("model.shop.stg_users", "model", "error", 0.5, "Database Error in model stg_users (models/staging/stg_users.sql)\n  000904 (42000): SQL compilation error: error line 3 at position 4\n  invalid identifier 'EMAIL_ADRESS'\n  compiled code at target/run/shop/models/staging/stg_users.sql")
	return batch{
		ops.Started{Executable: "dbt", Args: []string{"build"}, At: fixedNow},
		ops.Line{Text: "Running with dbt=1.9.4"},
		ops.Progress{Total: 6},
		node("model.shop.stg_orders", "model", "success", 1.25, "SUCCESS 1200"),
		ops.Progress{Done: 1, Total: 6, Elapsed: 2 * time.Second},
		stgUsers,
		ops.Progress{Done: 2, Total: 6, Elapsed: 3 * time.Second},
		node("seed.shop.countries", "seed", "success", 0.3, "INSERT 250"),
		ops.Progress{Done: 3, Total: 6, Elapsed: 4 * time.Second},
		node("model.shop.fct_orders", "model", "running", 0, ""),
		ops.Progress{Done: 3, Total: 6, Node: "model.shop.fct_orders", Status: "running", Elapsed: 6 * time.Second},
		ops.Line{Text: "4 of 6 START sql table model analytics.fct_orders ........ [RUN]"},
	}
}

func finish() batch {
	return batch{
		node("model.shop.fct_orders", "model", "success", 2.5, "SUCCESS 4200"),
		ops.Progress{Done: 4, Total: 6, Elapsed: 9 * time.Second},
		node("model.shop.dim_users", "model", "skipped", 0, ""),
		ops.Progress{Done: 5, Total: 6, Elapsed: 9 * time.Second},
		node("test.shop.not_null_fct_orders_id.0a1b2c3d4e", "test", "warn", 0.2, ""),
		ops.Progress{Done: 6, Total: 6, Elapsed: 10 * time.Second},
		ops.Line{Text: "Done. PASS=3 WARN=1 ERROR=1 SKIP=1 TOTAL=6"},
	}
}

func startFake(h *harness, args []string) {
	h.m.show(newRun(args, taskID, fixedNow))
}

// events hands the screen a batch of the fake run's events, as the root would (straight to
// the screen: the task manager does not know the fake run's task).
func (h *harness) events(b batch) {
	h.Run(h.m.Update(tasks.EventMsg{ID: taskID, Owner: ID, Event: b}))
}

func TestGoldenMidRun(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build", "--select", "+fct_orders+"})
	h.events(midRun())
	h.Goldens(t)
}

func TestGoldenFinished(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build", "--select", "+fct_orders+"})
	h.events(midRun())
	h.events(finish())
	res := &ops.Result{ExitCode: 1, Duration: 10200 * time.Millisecond, Summary: ops.Summary{Pass: 3, Warn: 1, Error: 1, Skip: 1, Total: 6}, Total: 6,
		Err: errors.New("dbt finished with errors (exit code 1): PASS=3 WARN=1 ERROR=1 SKIP=1 TOTAL=6")}
	for _, e := range append(midRun(), finish()...) {
		if n, ok := e.(ops.NodeResult); ok {
			res.Nodes = append(res.Nodes, n)
		}
	}
	res.Nodes = dedupe(res.Nodes)
	h.Run(h.m.Update(tasks.DoneMsg{ID: taskID, Owner: ID, Result: res, Err: res.Err}))
	if h.m.cur.running || h.m.cur.progress.Done != 6 {
		t.Fatalf("run state after Done: %+v", h.m.cur.progress)
	}
	h.Goldens(t)
	t.Run("log", func(t *testing.T) {
		h.Key("l")
		if h.m.mode != modeLog {
			t.Fatal("l did not open the log")
		}
		h.Goldens(t)
		h.Key("esc")
		if h.m.mode != modeDetail {
			t.Fatal("esc did not leave the log")
		}
	})
}

func dedupe(ns []ops.NodeResult) []ops.NodeResult {
	idx := map[string]int{}
	var out []ops.NodeResult
	for _, n := range ns {
		if i, ok := idx[n.UniqueID]; ok {
			out[i] = n
			continue
		}
		idx[n.UniqueID] = len(out)
		out = append(out, n)
	}
	return out
}

func TestGoldenHistoryList(t *testing.T) {
	h := newHarness(t)
	// the history is empty
	h.Goldens(t)
	for i, e := range []ops.HistoryEntry{
		{Command: "build", Args: []string{"build", "--select", "stg_users+"}, Selection: "stg_users+", Started: fixedNow.Add(-2 * time.Hour), DurationMS: 42000, Counts: ops.Summary{Pass: 12, Total: 12}},
		{Command: "test", Args: []string{"test"}, Started: fixedNow.Add(-time.Hour), DurationMS: 8000, Counts: ops.Summary{Pass: 30, Error: 2, Total: 32}, ExitCode: 1, Failed: []string{"test.shop.unique_orders_id.abc"}},
		{Command: "seed", Args: []string{"seed"}, Started: fixedNow.Add(-30 * time.Minute), DurationMS: 1500, Cancelled: true, ExitCode: 130, Counts: ops.Summary{Pass: 1, Total: 1}},
	} {
		if err := ops.AppendHistory(h.ws.StateDir, e); err != nil {
			t.Fatal(i, err)
		}
	}
	h.Key("r")
	if len(h.m.runs) != 3 || h.m.runs[0].command != "seed" {
		t.Fatalf("runs %d", len(h.m.runs))
	}
	t.Run("list", func(t *testing.T) { h.Goldens(t) })
	h.Key("j")
	h.Key("enter")
	if h.m.mode != modeDetail || h.m.cur.command != "test" {
		t.Fatalf("enter opened %+v", h.m.cur)
	}
	t.Run("past", func(t *testing.T) { h.Goldens(t) })
}

func TestKeys(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build"})
	h.events(midRun())
	h.Resize(100, 30)
	// Failures first by default.
	if n := h.m.nodes.Items()[0]; n.Name != "stg_users" {
		t.Fatalf("first node %s", n.Name)
	}
	h.Key("S")
	if h.m.sort != sortName || h.m.nodes.Items()[0].Name != "countries" {
		t.Fatalf("sort by name: %v %s", h.m.sort, h.m.nodes.Items()[0].Name)
	}
	h.Key("S")
	if h.m.nodes.Items()[0].Name != "stg_orders" {
		t.Fatalf("sort by duration: %s", h.m.nodes.Items()[0].Name)
	}
	h.Key("S")
	h.Key("S")
	if h.m.sort != sortFailuresFirst {
		t.Fatal("sort does not cycle")
	}
	h.Key("/")
	if !h.m.Capturing() {
		t.Fatal("filter does not capture keys")
	}
	h.Type("stg")
	h.Key("q") // captured: part of the filter, never a quit
	h.Key("backspace")
	if h.m.nodes.Query() != "stg" || h.m.nodes.Len() != 2 {
		t.Fatalf("filter %q: %d nodes", h.m.nodes.Query(), h.m.nodes.Len())
	}
	if v := h.View(); !strings.Contains(v, "Filter: stg") || !strings.Contains(v, "2 of 4 nodes") {
		t.Fatalf("no filter bar:\n%s", v)
	}
	t.Run("filtering", h.Goldens)
	h.Key("enter")
	if h.m.Capturing() || h.m.nodes.Query() != "stg" || h.m.mode != modeDetail {
		t.Fatal("enter should keep the filter and stop capturing")
	}
	h.Key("esc")
	if h.m.nodes.Query() != "" || h.m.mode != modeDetail {
		t.Fatal("esc should clear the filter first")
	}
	// A status filters too, in the table's order.
	h.Key("/")
	h.Type("success")
	if h.m.nodes.Len() != 2 || h.m.selectedNode().Name != "stg_orders" {
		t.Fatalf("success: %d nodes, %s first", h.m.nodes.Len(), h.m.selectedNode().Name)
	}
	h.Key("esc")
	h.Key("g")
	h.Key("j")
	if h.m.selectedNode().Name != "fct_orders" { // failures, then running nodes
		t.Fatalf("j selected %s", h.m.selectedNode().Name)
	}
	// x cancels the running run.
	h.Key("x")
	if !h.m.cur.cancelling || !strings.Contains(h.lastStatus(), "Cancelling dbt build") {
		t.Fatalf("x: cancelling %v, status %q", h.m.cur.cancelling, h.Statuses())
	}
	// A second run is refused while one runs.
	h.Send(common.RunDBTMsg{Args: []string{"test"}})
	if len(h.m.runs) != 1 || !strings.Contains(h.lastStatus(), "already in progress") {
		t.Fatalf("second run: %d runs, %q", len(h.m.runs), h.Statuses())
	}
	h.Key("esc")
	if h.m.mode != modeList {
		t.Fatal("esc should go back to the list")
	}
	// Stale tasks' events are ignored (the root gives the screen only its own).
	h.m.Update(tasks.EventMsg{ID: 999, Owner: ID, Event: finish()})
	if h.m.runs[0].progress.Done != 3 {
		t.Fatal("a stale event changed the run")
	}
	// In the list, / filters the runs.
	h.Key("/")
	h.Type("nothing")
	if h.m.runList.Len() != 0 || !strings.Contains(h.View(), `No run matches "nothing"`) {
		t.Fatalf("run filter:\n%s", h.View())
	}
	h.Key("esc")
	if h.m.runList.Len() != 1 || h.m.Capturing() {
		t.Fatal("esc clears the run filter")
	}
}

func TestOpenFiles(t *testing.T) {
	h := newHarness(t)
	dir := h.ws.ProjectDir
	for _, p := range []string{"models/staging/stg_users.sql", "target/compiled/shop/models/staging/stg_users.sql"} {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte("select 1"), 0o644)
	}
	startFake(h, []string{"build"})
	h.events(midRun())
	h.Resize(100, 30)
	cmd := h.m.openFile(true)
	if msg := cmd().(openMsg); msg.path != filepath.Join(dir, "target/compiled/shop/models/staging/stg_users.sql") {
		t.Fatalf("compiled: %+v", msg)
	}
	if msg := h.m.openFile(false)().(openMsg); msg.path != filepath.Join(dir, "models/staging/stg_users.sql") {
		t.Fatalf("model file: %+v", msg)
	}
	h.Key("j") // fct_orders has no file
	if msg := h.m.openFile(false)().(openMsg); msg.err == nil || !strings.Contains(msg.err.Error(), "fct_orders") {
		t.Fatalf("missing file: %+v", msg)
	}
}

func TestActions(t *testing.T) {
	h := newHarness(t)
	titles := map[string][]string{}
	for _, a := range h.m.Actions() {
		if a.ID == "runs.cancel" {
			continue
		}
		msg := a.Run()()
		titles[a.ID] = msg.(common.RunDBTMsg).Args
	}
	if strings.Join(titles["runs.build"], " ") != "build" || strings.Join(titles["runs.docs"], " ") != "docs generate" || strings.Join(titles["runs.retry"], " ") != "retry" {
		t.Fatalf("actions %v", titles)
	}
	startFake(h, []string{"build", "--select", "orders"})
	for _, a := range h.m.Actions() {
		if a.ID == "runs.build-upstream" {
			if got := strings.Join(a.Run()().(common.RunDBTMsg).Args, " "); got != "build --select +orders" {
				t.Fatalf("upstream: %s", got)
			}
			return
		}
	}
	t.Fatal("no upstream action for a selection")
}

// TestRealRunThroughTasks runs the dbt stand-in through the task manager, as the app does.
func TestRealRunThroughTasks(t *testing.T) {
	exe := buildFakeDBT(t)
	stream, _ := filepath.Abs("../../../ops/testdata/streams/build-skip.jsonl")
	h := newHarness(t)
	h.m.newRunner = func() *ops.Runner {
		r := h.m.liveRunner()
		r.Executable = exe
		r.Env = []string{"FAKEDBT_STREAM=" + stream}
		return r
	}
	h.Send(common.RunDBTMsg{Args: []string{"build"}})
	r := h.m.cur
	if r == nil || r.running || r.exitCode != 1 {
		t.Fatalf("run %+v", r)
	}
	if r.summary != (ops.Summary{Pass: 1, Warn: 1, Error: 1, Skip: 1, Total: 4}) || len(r.nodes) != 4 {
		t.Fatalf("summary %+v nodes %d", r.summary, len(r.nodes))
	}
	if !strings.Contains(r.nodes["model.shop.stg_users"].Message, "EMAIL_ADRESS") {
		t.Fatal("error text missing")
	}
	if r.log.Len() < 10 {
		t.Fatalf("log has %d lines", r.log.Len())
	}
	hist, _ := ops.LoadHistory(h.ws.StateDir, 0)
	if len(hist) != 1 || hist[0].ExitCode != 1 {
		t.Fatalf("history %+v", hist)
	}
	// Reloading the history does not list the run twice.
	h.Key("r")
	if len(h.m.runs) != 1 {
		t.Fatalf("%d runs after reload", len(h.m.runs))
	}
}

func TestTinySizes(t *testing.T) {
	h := newHarness(t)
	startFake(h, []string{"build"})
	h.events(midRun())
	for _, s := range [][2]int{{1, 1}, {5, 3}, {20, 4}, {0, 0}} {
		for _, md := range []mode{modeList, modeDetail, modeLog} {
			h.m.mode = md
			if v := view(h, s[0], s[1]); s[0] > 0 {
				uitest.CheckSize(t, v, s[0], s[1])
			}
		}
	}
}

var (
	fakeOnce sync.Once
	fakeExe  string
	fakeErr  error
)

// buildFakeDBT builds the dbt stand-in once for the package's tests.
func buildFakeDBT(t testing.TB) string {
	t.Helper()
	fakeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datatui-runs-test-")
		if err != nil {
			fakeErr = err
			return
		}
		fakeExe = filepath.Join(dir, "dbt")
		if out, err := exec.Command("go", "build", "-o", fakeExe, "../../../ops/testdata/fakedbt").CombinedOutput(); err != nil {
			fakeErr = fmt.Errorf("building the dbt stand-in: %v\n%s", err, out)
		}
	})
	if fakeErr != nil {
		t.Fatal(fakeErr)
	}
	return fakeExe
}

func bigBatch(n int) batch {
	b := batch{ops.Progress{Total: n}}
	for i := range n {
		id := fmt.Sprintf("model.shop.model_%04d", i)
		status := "success"
		if i%97 == 0 {
			status = "error"
		}
		b = append(b,
			ops.Line{Text: fmt.Sprintf("%d of %d START sql view model analytics.model_%04d ..... [RUN]", i+1, n, i)},
			node(id, "model", "running", 0, ""),
			node(id, "model", status, 0.25, "SUCCESS 1"),
			ops.Progress{Done: i + 1, Total: n, Elapsed: time.Duration(i) * time.Millisecond},
		)
	}
	return b
}

// BenchmarkApplyBatch applies the events of a 2,000-node run (what coalesced messages carry).
func BenchmarkApplyBatch(b *testing.B) {
	ev := bigBatch(2000)
	b.ReportAllocs()
	for b.Loop() {
		h := newHarness(b)
		startFake(h, []string{"build"})
		h.m.Update(tasks.EventMsg{ID: taskID, Owner: ID, Event: ev})
	}
	b.ReportMetric(float64(len(ev))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkView renders a run of 2,000 nodes at 120x40: the cost of one frame while dbt streams.
func BenchmarkView(b *testing.B) {
	h := newHarness(b)
	startFake(h, []string{"build"})
	h.m.Update(tasks.EventMsg{ID: taskID, Owner: ID, Event: bigBatch(2000)})
	h.m.SetSize(120, 40)
	b.ReportAllocs()
	for b.Loop() {
		_ = h.m.View()
	}
}

func TestMissingDBT(t *testing.T) {
	h := newHarness(t)
	h.m.newRunner = func() *ops.Runner {
		r := h.m.liveRunner()
		r.Env = nil
		return r
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(ops.EnvDBT, "")
	h.Send(common.RunDBTMsg{Args: []string{"build"}})
	if h.m.cur == nil || h.m.cur.running {
		t.Fatal("the run should have ended at once")
	}
	if v := view(h, 80, 24); !strings.Contains(v, "dbt is not installed.") || !strings.Contains(v, `"set-up-your-environment"`) {
		t.Fatalf("view:\n%s", v)
	}
	msg := h.m.Update(tea.KeyPressMsg{Code: 'o', Text: "o"})()
	if g, ok := msg.(common.OpenGuideMsg); !ok || g.Slug != "set-up-your-environment" {
		t.Fatalf("o gave %#v", msg)
	}
}

// writeProject makes dir a dbt project whose dev target is the DuckDB file devPath.
func writeProject(t testing.TB, dir, devPath string) {
	t.Helper()
	files := map[string]string{"dbt_project.yml": "name: shop\nprofile: shop\n",
		"profiles.yml": "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: " + devPath + "}\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// TestRunStartRefusedByTheGuard: starting a run from the screen goes through the same write
// guard as datatui run: a dev target that writes to prod, or a broken datatui.yml, never
// starts dbt, and the screen says why.
func TestRunStartRefusedByTheGuard(t *testing.T) {
	exe := buildFakeDBT(t)
	for _, tt := range []struct {
		name, dev string
		cfgErr    error
		want      string
	}{
		{"dev at prod", "analytics.duckdb", nil, "production database"},
		{"broken datatui.yml", "sandbox.duckdb", errors.New("datatui.yml:2: warehouse.prod_databse: unknown key"), "datatui.yml has an error"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.ws.ConfigErr = tt.cfgErr
			writeProject(t, h.ws.ProjectDir, tt.dev)
			argsFile := filepath.Join(t.TempDir(), "args.jsonl")
			h.m.newRunner = func() *ops.Runner {
				r := h.m.liveRunner()
				r.Executable = exe
				r.Env = []string{"FAKEDBT_ARGS_FILE=" + argsFile}
				return r
			}
			h.Send(common.RunDBTMsg{Args: []string{"build"}})
			r := h.m.cur
			if r == nil || r.running || r.err == nil || !strings.Contains(r.err.Error(), tt.want) {
				t.Fatalf("run %+v", r)
			}
			if _, err := os.Stat(argsFile); err == nil {
				t.Error("dbt was started")
			}
		})
	}
}
