package ops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// fakeDBT is the stand-in dbt built from testdata/fakedbt by TestMain.
var fakeDBT string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "datatui-ops-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fakeDBT = filepath.Join(dir, "dbt")
	out, err := exec.Command("go", "build", "-o", fakeDBT, "./testdata/fakedbt").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "building the dbt stand-in: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type recorder struct{ events []Event }

func (r *recorder) sink(e Event) { r.events = append(r.events, e) }

func (r *recorder) progress() []Progress {
	var out []Progress
	for _, e := range r.events {
		if p, ok := e.(Progress); ok {
			out = append(out, p)
		}
	}
	return out
}

func newRunner(t *testing.T, stream string, env ...string) *Runner {
	t.Helper()
	dir := t.TempDir()
	stream, err := filepath.Abs(stream)
	if err != nil {
		t.Fatal(err)
	}
	writeProject(t, dir, sandboxProfile)
	return &Runner{Executable: fakeDBT, Dir: dir, DBT: config.DBT{Target: "dev"}, Warehouse: config.Default().Warehouse,
		Env:            append([]string{"FAKEDBT_STREAM=" + stream, "FAKEDBT_ARGS_FILE=" + filepath.Join(dir, "args.jsonl")}, env...),
		InterruptGrace: 300 * time.Millisecond, TermGrace: 300 * time.Millisecond}
}

func statusCounts(nodes []NodeResult) map[string]int {
	m := map[string]int{}
	for _, n := range nodes {
		m[n.Status]++
	}
	return m
}

type streamWant struct {
	total    int
	statuses map[string]int
	summary  Summary
	exit     int
}

// Expected values were read off the streams with jq, not computed by this package:
//
//	jq -r 'select(.info.name=="NodeFinished") | .data.run_result.status' | sort | uniq -c
//	jq -c 'select(.info.name=="ConcurrencyLine" or .info.name=="StatsLine") | .data'
var fixtureStreams = map[string]streamWant{
	"duckdb-test-singular-dbt1.10.15": {2, map[string]int{"pass": 2}, Summary{Pass: 2, Total: 2}, 0},
	"postgres-build-dbt1.8.2":         {20, map[string]int{"pass": 11, "success": 8, "fail": 1}, Summary{Pass: 19, Error: 1, Total: 20}, 1},
	"postgres-run-failed-dbt1.8.2":    {1, map[string]int{"error": 1}, Summary{Error: 1, Total: 1}, 1},
	"postgres-run-ok-dbt1.8.2":        {5, map[string]int{"success": 5}, Summary{Pass: 5, Total: 5}, 0},
	"postgres-seed-dbt1.8.2":          {1, map[string]int{"success": 1}, Summary{Pass: 1, Total: 1}, 0},
	"postgres-snapshot-dbt1.8.2":      {1, map[string]int{"success": 1}, Summary{Pass: 1, Total: 1}, 0},
	"postgres-test-dbt1.8.2":          {4, map[string]int{"pass": 3, "fail": 1}, Summary{Pass: 3, Error: 1, Total: 4}, 1},
	"postgres-test-source-dbt1.8.2":   {1, map[string]int{"pass": 1}, Summary{Pass: 1, Total: 1}, 0},
	"snowflake-run-failed-dbt1.8.2":   {1, map[string]int{"error": 1}, Summary{Error: 1, Total: 1}, 1},
	"snowflake-run-ok-dbt1.8.2":       {1, map[string]int{"success": 1}, Summary{Pass: 1, Total: 1}, 0},
	"snowflake-seed-dbt1.8.2":         {1, map[string]int{"success": 1}, Summary{Pass: 1, Total: 1}, 0},
	"snowflake-snapshot-dbt1.8.2":     {1, map[string]int{"success": 1}, Summary{Pass: 1, Total: 1}, 0},
}

func checkRun(t *testing.T, res *Result, rec *recorder, want streamWant) {
	t.Helper()
	if res.ExitCode != want.exit {
		t.Errorf("exit code %d, want %d (err %v)", res.ExitCode, want.exit, res.Err)
	}
	if got := statusCounts(res.Nodes); fmt.Sprint(got) != fmt.Sprint(want.statuses) {
		t.Errorf("statuses %v, want %v", got, want.statuses)
	}
	if res.Summary != want.summary {
		t.Errorf("summary %+v, want %+v", res.Summary, want.summary)
	}
	if res.Total != want.total {
		t.Errorf("total %d, want %d", res.Total, want.total)
	}
	ps := rec.progress()
	if len(ps) == 0 {
		t.Fatal("no progress events")
	}
	last := ps[len(ps)-1]
	if last.Done != want.total || last.Total != want.total {
		t.Errorf("last progress %d/%d, want %d/%d", last.Done, last.Total, want.total, want.total)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Done < ps[i-1].Done {
			t.Errorf("progress went backwards: %+v after %+v", ps[i], ps[i-1])
		}
	}
	for _, n := range res.Nodes {
		if Failed(n.Status) && n.Message == "" {
			t.Errorf("failed node %s has no message", n.UniqueID)
		}
		if n.Name == "" || n.ResourceType == "" {
			t.Errorf("node without name or type: %+v", n)
		}
	}
	if _, ok := rec.events[0].(Started); !ok {
		t.Errorf("first event %T, want Started", rec.events[0])
	}
	if d, ok := rec.events[len(rec.events)-1].(Done); !ok || d.ExitCode != want.exit {
		t.Errorf("last event %#v, want Done with exit %d", rec.events[len(rec.events)-1], want.exit)
	}
}

// TestRunFixtureStreams replays every real stream twice: at the default log level (the stand-in
// drops debug lines, as dbt does on stdout) and with --log-level debug.
func TestRunFixtureStreams(t *testing.T) {
	dir := fixtures.Path(t, "dbt-logs/openlineage")
	for name, want := range fixtureStreams {
		for _, level := range []string{"info", "debug"} {
			t.Run(name+"/"+level, func(t *testing.T) {
				r := newRunner(t, filepath.Join(dir, name, "dbt.log.jsonl"))
				args := []string{"build"}
				if level == "debug" {
					args = append(args, "--log-level", "debug")
				}
				rec := &recorder{}
				res := r.Run(context.Background(), args, rec.sink)
				checkRun(t, res, rec, want)
				if res.RunResults == nil || len(res.RunResults.Results) != want.total {
					t.Errorf("run_results.json not read back: %+v", res.RunResults)
				}
			})
		}
	}
	t.Run("postgres-build default-level stdout", func(t *testing.T) {
		r := newRunner(t, filepath.Join(dir, "postgres-build-dbt1.8.2", "stdout-info-level.jsonl"), "FAKEDBT_EXIT=1")
		rec := &recorder{}
		res := r.Run(context.Background(), []string{"build"}, rec.sink)
		checkRun(t, res, rec, fixtureStreams["postgres-build-dbt1.8.2"])
	})
}

func TestRunOwnStreams(t *testing.T) {
	t.Run("skip, warn and error", func(t *testing.T) {
		r := newRunner(t, filepath.Join("testdata", "streams", "build-skip.jsonl"))
		rec := &recorder{}
		res := r.Run(context.Background(), []string{"build", "--select", "+dim_users"}, rec.sink)
		checkRun(t, res, rec, streamWant{4, map[string]int{"error": 1, "success": 1, "skipped": 1, "warn": 1}, Summary{Pass: 1, Warn: 1, Error: 1, Skip: 1, Total: 4}, 1})
		var stg NodeResult
		for _, n := range res.Nodes {
			if n.Name == "stg_users" {
				stg = n
			}
		}
		if !strings.Contains(stg.Message, "invalid identifier 'EMAIL_ADRESS'") {
			t.Errorf("stg_users message %q", stg.Message)
		}
		if res.Command != "build" || res.Selection != "+dim_users" {
			t.Errorf("command %q selection %q", res.Command, res.Selection)
		}
		if !strings.Contains(strings.Join(res.Log.Tail(100), "\n"), "not json: a print() from a macro") {
			t.Error("raw line dropped from the log")
		}
		if !errors.Is(res.Err, res.Err) || res.Err == nil {
			t.Error("a failed run has no error")
		}
	})
	for _, level := range []string{"info", "debug"} {
		t.Run("debug stream at "+level, func(t *testing.T) {
			r := newRunner(t, filepath.Join("testdata", "streams", "run-ok-debug.jsonl"), "FAKEDBT_SCALE=0.001")
			rec := &recorder{}
			args := []string{"run"}
			if level == "debug" {
				args = append(args, "--debug")
			}
			res := r.Run(context.Background(), args, rec.sink)
			checkRun(t, res, rec, streamWant{3, map[string]int{"success": 3}, Summary{Pass: 3, Total: 3}, 0})
			n := res.Nodes[2]
			if n.Name != "fct_orders" || n.AdapterMessage != "SUCCESS 1" || n.Elapsed != 900*time.Millisecond {
				t.Errorf("node %+v", n)
			}
			if level == "debug" && n.Rows != 1 {
				t.Errorf("rows %d, want 1 from the debug NodeFinished", n.Rows)
			}
			if res.Err != nil || res.Version != "1.10.15" {
				t.Errorf("err %v version %q", res.Err, res.Version)
			}
		})
	}
	t.Run("fatal parse error", func(t *testing.T) {
		r := newRunner(t, filepath.Join("testdata", "streams", "parse-error.jsonl"))
		res := r.Run(context.Background(), []string{"build"}, nil)
		if res.ExitCode != 2 || !strings.Contains(res.Fatal, "Parsing Error") || !strings.Contains(res.Err.Error(), "Parsing Error") {
			t.Errorf("exit %d fatal %q err %v", res.ExitCode, res.Fatal, res.Err)
		}
	})
	t.Run("python traceback", func(t *testing.T) {
		r := newRunner(t, filepath.Join("testdata", "streams", "run-ok-debug.jsonl"), "FAKEDBT_TRACEBACK=1")
		rec := &recorder{}
		res := r.Run(context.Background(), []string{"run"}, rec.sink)
		if res.ExitCode != 2 || res.Fatal != "ModuleNotFoundError: No module named 'dbt.adapters.snowflake'" {
			t.Errorf("exit %d fatal %q", res.ExitCode, res.Fatal)
		}
		var sawTrace bool
		for _, e := range rec.events {
			if l, ok := e.(Line); ok && l.Stream == Stderr && strings.HasPrefix(l.Text, "Traceback") {
				sawTrace = true
			}
		}
		if !sawTrace {
			t.Error("the traceback did not arrive as stderr lines")
		}
	})
}

// TestRunPassesFlags checks what dbt is given: JSON logs and the sandbox target.
func TestRunPassesFlags(t *testing.T) {
	r := newRunner(t, filepath.Join("testdata", "streams", "run-ok-debug.jsonl"))
	res := r.Run(context.Background(), []string{"run", "--select", "stg_users", "--log-format", "text"}, nil)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	b, err := os.ReadFile(filepath.Join(r.Dir, "args.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	want := `["run","--select","stg_users","--target","dev","--log-format","json"]`
	if strings.TrimSpace(string(b)) != want {
		t.Errorf("dbt got %s, want %s", b, want)
	}
}

func TestTargetGuard(t *testing.T) {
	cfg := config.DBT{Target: "dev", AllowedTargets: []string{"ci"}}
	tests := []struct {
		args []string
		want string // joined args, or "ERR"
	}{
		{[]string{"build"}, "build --target dev --log-format json"},
		{[]string{"build", "--target", "dev"}, "build --target dev --log-format json"},
		{[]string{"build", "-t", "ci"}, "build --target ci --log-format json"},
		{[]string{"build", "--target=ci"}, "build --target ci --log-format json"},
		{[]string{"build", "--target", "prod"}, "ERR"},
		{[]string{"build", "--target=prod"}, "ERR"},
		{[]string{"-t", "prod", "run"}, "ERR"},
		{[]string{"build", "--target"}, "ERR"},
		{[]string{"deps"}, "deps --log-format json"},
		{[]string{"--log-format=text", "docs", "generate"}, "docs generate --target dev --log-format json"},
		{nil, "ERR"},
	}
	for _, tt := range tests {
		got, err := PrepareArgs(tt.args, cfg)
		s := strings.Join(got, " ")
		if err != nil {
			s = "ERR"
		}
		if s != tt.want {
			t.Errorf("PrepareArgs(%q) = %q (%v), want %q", tt.args, s, err, tt.want)
		}
	}
	// The runner refuses before starting anything.
	r := newRunner(t, filepath.Join("testdata", "streams", "run-ok-debug.jsonl"))
	res := r.Run(context.Background(), []string{"run", "--target", "prod"}, nil)
	var te *TargetError
	if !errors.As(res.Err, &te) || te.Target != "prod" {
		t.Fatalf("err %v, want a TargetError", res.Err)
	}
	if _, err := os.Stat(filepath.Join(r.Dir, "args.jsonl")); err == nil {
		t.Error("dbt was started despite the refused target")
	}
}

func TestMissingDBT(t *testing.T) {
	_, err := FindDBT(func(k string) string {
		if k == EnvDBT {
			return "/nonexistent/dbt"
		}
		return ""
	})
	var me *MissingDBTError
	if !errors.As(err, &me) || me.Guide != "set-up-your-environment" {
		t.Fatalf("err %v", err)
	}
	t.Setenv("PATH", t.TempDir())
	t.Setenv(EnvDBT, "")
	r := &Runner{Dir: t.TempDir(), DBT: config.DBT{Target: "dev"}, Warehouse: config.Default().Warehouse}
	writeProject(t, r.Dir, sandboxProfile)
	rec := &recorder{}
	res := r.Run(context.Background(), []string{"build"}, rec.sink)
	if !errors.As(res.Err, &me) || !strings.Contains(res.Err.Error(), "not installed") {
		t.Fatalf("err %v", res.Err)
	}
	if len(rec.events) != 1 {
		t.Fatalf("events %v, want one Done", rec.events)
	}
	if d, ok := rec.events[0].(Done); !ok || d.Err == nil {
		t.Fatalf("event %#v", rec.events[0])
	}
}

// TestCancelKillsProcessGroup cancels a run whose dbt ignores the first SIGINT and whose child
// ignores SIGINT and SIGTERM: the run ends cancelled, keeps what finished, and leaves no
// process behind.
func TestCancelKillsProcessGroup(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	r := newRunner(t, filepath.Join("testdata", "streams", "build-skip.jsonl"), "FAKEDBT_HANG=5", "FAKEDBT_CHILD_PID="+pidFile)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &recorder{}
	sink := func(e Event) {
		rec.sink(e)
		if l, ok := e.(Line); ok && l.Text == "fakedbt: waiting" {
			cancel()
		}
	}
	hist := t.TempDir()
	r.StateDir = hist
	res := r.Run(ctx, []string{"build"}, sink)
	if !res.Cancelled || !errors.Is(res.Err, ErrCancelled) {
		t.Fatalf("cancelled %v err %v", res.Cancelled, res.Err)
	}
	if res.ExitCode != 143 {
		t.Errorf("exit %d, want 143 (the stand-in ignores the first SIGINT and ends on SIGTERM)", res.ExitCode)
	}
	if got := statusCounts(res.Nodes); got["error"] != 1 || len(res.Nodes) != 1 {
		t.Errorf("nodes before the cancel: %v", got)
	}
	var sawCancelLine bool
	for _, e := range rec.events {
		if l, ok := e.(Line); ok && strings.Contains(l.Text, "Cancelling query") {
			sawCancelLine = true
		}
	}
	if !sawCancelLine {
		t.Error("SIGINT did not reach dbt")
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !waitGone(pid) {
		t.Errorf("child %d of the cancelled dbt is still running", pid)
	}
	h, err := LoadHistory(hist, 0)
	if err != nil || len(h) != 1 || !h[0].Cancelled || h[0].Counts.Error != 1 {
		t.Errorf("history %+v %v", h, err)
	}
}

// waitGone waits (a bounded time: the kernel reaps asynchronously) until pid is gone or a zombie.
func waitGone(pid int) bool {
	for range 200 {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return true
		}
		if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return true
		}
		time.Sleep(25 * time.Millisecond)
	}
	return false
}

func TestRingBufferBound(t *testing.T) {
	rb := NewRingBuffer(1000, 100)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	long := strings.Repeat("x", 500)
	for i := range 1_000_000 {
		if i%1000 == 0 {
			rb.Add(long)
		} else {
			rb.Add("line " + strconv.Itoa(i))
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if rb.Len() != 1000 || rb.Total() != 1_000_000 {
		t.Fatalf("len %d total %d", rb.Len(), rb.Total())
	}
	if rb.Bytes() > 1000*(100+len("…")) {
		t.Errorf("holds %d bytes, more than the bound", rb.Bytes())
	}
	if grown := int64(after.HeapAlloc) - int64(before.HeapAlloc); grown > 4<<20 {
		t.Errorf("heap grew %d bytes for a 1M-line log", grown)
	}
	tail := rb.Tail(2)
	if len(tail) != 2 || tail[1] != "line 999999" || tail[0] != "line 999998" {
		t.Errorf("tail %q", tail)
	}
	if first := rb.Lines(0, 1); first[0] != strings.Repeat("x", 100)+"…" {
		t.Errorf("oldest line %q (a long line is cut)", first[0])
	}
	if rb.Lines(5000, 3) != nil || len(rb.Lines(-3, 2)) != 2 {
		t.Error("out-of-range reads")
	}
	// Long lines are kept whole up to the line limit; the byte limit bounds the whole log.
	rb3 := NewRingBuffer(0, 0)
	big := strings.Repeat("y", DefaultLineLength)
	for range 2 * DefaultLogBytes / DefaultLineLength {
		rb3.Add(big)
	}
	if rb3.Bytes() > DefaultLogBytes || rb3.Len() != DefaultLogBytes/DefaultLineLength || rb3.Tail(1)[0] != big || rb3.Cut() != 0 {
		t.Errorf("byte bound: %d bytes in %d lines, cut %d", rb3.Bytes(), rb3.Len(), rb3.Cut())
	}
	rb3.Add(big + "z")
	if rb3.Cut() != 1 || !strings.HasSuffix(rb3.Tail(1)[0], "…") {
		t.Errorf("a line over the limit: cut %d", rb3.Cut())
	}
	rb2 := NewRingBuffer(3, 10)
	rb2.Add("a\nb\nc\nd")
	if got := strings.Join(rb2.Lines(0, 10), ","); got != "b,c,d" {
		t.Errorf("multi-line add: %q", got)
	}
}

func TestHistory(t *testing.T) {
	dir := t.TempDir()
	if h, err := LoadHistory(dir, 5); err != nil || h != nil {
		t.Fatalf("empty history: %v %v", h, err)
	}
	start := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for i := range HistoryLimit + 5 {
		e := HistoryEntry{Command: "build", Args: []string{"build"}, Started: start.Add(time.Duration(i) * time.Minute), DurationMS: int64(i), ExitCode: i % 2}
		if err := AppendHistory(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	all, err := LoadHistory(dir, 0)
	if err != nil || len(all) != HistoryLimit {
		t.Fatalf("%d entries, %v", len(all), err)
	}
	if all[0].DurationMS != HistoryLimit+4 || all[len(all)-1].DurationMS != 5 {
		t.Errorf("newest %d oldest %d", all[0].DurationMS, all[len(all)-1].DurationMS)
	}
	last3, _ := LoadHistory(dir, 3)
	if len(last3) != 3 || last3[0].DurationMS != HistoryLimit+4 {
		t.Errorf("last 3: %+v", last3)
	}
	// A damaged line is skipped, not fatal.
	f, _ := os.OpenFile(filepath.Join(dir, HistoryFile), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("{broken\n")
	f.Close()
	if h, err := LoadHistory(dir, 1); err != nil || len(h) != 1 {
		t.Errorf("damaged line: %v %v", h, err)
	}
	st, _ := os.Stat(filepath.Join(dir, HistoryFile))
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
}

func TestArgBuilders(t *testing.T) {
	tests := []struct {
		got  []string
		want string
	}{
		{SelectionArgs(OpBuild, WithBoth, "orders"), "build --select +orders+"},
		{SelectionArgs(OpRun, WithUpstream, "orders", "+customers"), "run --select +orders +customers"},
		{SelectionArgs(OpTest, WithDownstream, "orders+"), "test --select orders+"},
		{SelectionArgs(OpSeed, Only), "seed"},
		{SelectionArgs(OpSnapshot, Only, " "), "snapshot"},
		{SelectionArgs(OpCompile, WithUpstream, "@orders"), "compile --select @orders"},
		{DepsArgs(), "deps"},
		{DebugArgs(), "debug"},
		{DocsGenerateArgs(), "docs generate"},
		{RetryArgs(true), "retry"},
		{RetryArgs(false), "build --select result:error+ result:fail+ --state target"},
	}
	for _, tt := range tests {
		if g := strings.Join(tt.got, " "); g != tt.want {
			t.Errorf("got %q, want %q", g, tt.want)
		}
	}
	for v, want := range map[string]bool{"1.8.2": true, "1.5.0": false, "2.0.0-preview.1": true, "": true, "x": true} {
		if SupportsRetry(v) != want {
			t.Errorf("SupportsRetry(%q) != %v", v, want)
		}
	}
	if CommandOf([]string{"--debug", "docs", "generate"}) != "docs generate" || SelectionOf([]string{"test", "-s", "a", "b", "--exclude", "c"}) != "a b" {
		t.Error("CommandOf/SelectionOf")
	}
}
