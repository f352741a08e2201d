package ops

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// A recording is one real dbt invocation of ../shared/fixtures/real-dbt: its folder, and for
// folders holding several runs (jaffle-debug) the variant of stdout-<variant>.jsonl.
type recording struct {
	name, dir, variant string
}

// recordings lists every recorded JSON run under real-dbt.
func recordings(t *testing.T) []recording {
	t.Helper()
	root := fixtures.Path(t, "real-dbt")
	var out []recording
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		switch name := d.Name(); {
		case name == "stdout.jsonl":
			out = append(out, recording{name: rel, dir: filepath.Dir(p)})
		case strings.HasPrefix(name, "stdout-") && strings.HasSuffix(name, ".jsonl"):
			v := strings.TrimSuffix(strings.TrimPrefix(name, "stdout-"), ".jsonl")
			out = append(out, recording{name: rel + "/" + v, dir: filepath.Dir(p), variant: v})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 38 {
		t.Fatalf("found %d recordings under %s, expected the 38 cases of its README and more", len(out), root)
	}
	return out
}

// recordedArgs is the dbt command of the recording, from its command.txt, without "dbt".
func recordedArgs(t *testing.T, r recording) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "command.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(l, "dbt ") {
			continue
		}
		if r.variant != "" && !strings.Contains(l, "> stdout-"+r.variant+".jsonl") {
			continue
		}
		if i := strings.Index(l, "  ("); i >= 0 {
			l = l[:i] // a note after the command: "dbt docs generate   (right after the build…)"
		}
		words := shellWords(l)
		for i, w := range words {
			if w == ">" || w == "2>" {
				words = words[:i]
				break
			}
		}
		return words[1:]
	}
	t.Fatalf("%s: no dbt command in command.txt", r.name)
	return nil
}

// shellWords splits a command line as sh does for the quoting command.txt uses: '…', "…" and
// backslash escapes.
func shellWords(s string) []string {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				j = len(s) - i - 1
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				cur.WriteByte(s[i])
			}
			inWord = true
		case c == ' ' || c == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// recordedStream is what the recording says, read with encoding/json (not datatui's parser):
// the facts the runner's answer is checked against.
type recordedStream struct {
	started     map[string]bool   // LogStartLine / NodeStart
	finished    map[string]string // last final status of a Log*Result / SkippingDetails / NodeFinished
	errorNamed  map[string]bool   // RunResultError's node_info
	cancelled   map[string]bool   // LogCancelLine's conn_name
	stats       map[string]int    // StatsLine
	interrupted bool
	fatal       string // MainEncounteredError's exc
	textFatal   string // a text stream's line after "Encountered an error:"
}

func readStream(t *testing.T, path string) recordedStream {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs := recordedStream{started: map[string]bool{}, finished: map[string]string{}, errorNamed: map[string]bool{}, cancelled: map[string]bool{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	afterEncountered := false
	for sc.Scan() {
		var l struct {
			Data map[string]json.RawMessage `json:"data"`
			Info struct{ Name string }      `json:"info"`
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || l.Info.Name == "" {
			text := strings.TrimSpace(sc.Text())
			if afterEncountered && rs.textFatal == "" && text != "" {
				rs.textFatal = text
			}
			afterEncountered = afterEncountered || strings.Contains(text, "Encountered an error:")
			continue
		}
		var ni struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"node_status"`
		}
		json.Unmarshal(l.Data["node_info"], &ni)
		var rr struct{ Status string }
		json.Unmarshal(l.Data["run_result"], &rr)
		switch l.Info.Name {
		case "LogStartLine", "NodeStart":
			rs.started[ni.UniqueID] = true
		case "NodeFinished":
			rs.finished[ni.UniqueID] = rr.Status
		case "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogFreshnessResult", "LogNodeNoOpResult", "SkippingDetails":
			st := ni.Status
			if st == "None" || st == "" {
				// A unit test's node_info says "None"; data.status is its result.
				json.Unmarshal(l.Data["status"], &st)
			}
			rs.finished[ni.UniqueID] = st
		case "RunResultError":
			rs.errorNamed[ni.UniqueID] = true
		case "LogCancelLine":
			var conn string
			json.Unmarshal(l.Data["conn_name"], &conn)
			rs.cancelled[conn] = true
		case "StatsLine":
			json.Unmarshal(l.Data["stats"], &rs.stats)
		case "EndOfRunSummary":
			var ki bool
			json.Unmarshal(l.Data["keyboard_interrupt"], &ki)
			rs.interrupted = rs.interrupted || ki
		case "MainEncounteredError":
			json.Unmarshal(l.Data["exc"], &rs.fatal)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rs
}

// artifactStatuses are the statuses of the run's run_results.json or sources.json, read with
// encoding/json; ok is false when the run wrote neither.
func artifactStatuses(t *testing.T, dir string) (map[string]string, bool) {
	t.Helper()
	for _, name := range []string{"run_results.json", "sources.json"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			continue
		}
		var doc struct {
			Results []struct {
				UniqueID string `json:"unique_id"`
				Status   string `json:"status"`
			} `json:"results"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := map[string]string{}
		for _, r := range doc.Results {
			m[r.UniqueID] = r.Status
		}
		return m, true
	}
	return nil, false
}

func countOf(m map[string]string) map[string]int {
	c := map[string]int{}
	for _, s := range m {
		c[s]++
	}
	return c
}

// TestReplayRealRecordings replays every real dbt run through the runner, at dbt's default
// log level (stdout.jsonl) and at debug level (dbt.log.jsonl), and checks datatui's answer
// against that run's own artifacts: every node of run_results.json / sources.json with the
// status dbt wrote there (or, for a run that wrote neither, the NodeFinished statuses of its
// debug log); nodes beyond those only where the recording shows why (started but never
// finished: cancelled; named by a RunResultError yet left out of run_results: the failed
// ephemeral model); the counts dbt's StatsLine printed; the exit code; the fatal message.
func TestReplayRealRecordings(t *testing.T) {
	for _, rec := range recordings(t) {
		for _, level := range []string{"info", "debug"} {
			t.Run(rec.name+"/"+level, func(t *testing.T) {
				t.Parallel()
				replayRecording(t, rec, level)
			})
		}
	}
}

func replayRecording(t *testing.T, rec recording, level string) {
	args := recordedArgs(t, rec)
	stream := filepath.Join(rec.dir, "stdout.jsonl")
	if rec.variant != "" {
		stream = filepath.Join(rec.dir, "stdout-"+rec.variant+".jsonl")
	}
	debugLog := filepath.Join(rec.dir, "dbt.log.jsonl")
	hasDebugLog := rec.variant == "" && fileExists(debugLog)
	if level == "debug" {
		if !hasDebugLog {
			t.Skipf("%s has no debug-level log (dbt wrote none for this run)", rec.name)
		}
		args = append(args, "--log-level", "debug")
		stream = debugLog
	}
	want := readStream(t, stream)
	expected, fromArtifact := artifactStatuses(t, rec.dir)
	if !fromArtifact {
		// No artifact: the stream's own result lines are all there is to go by.
		expected = want.finished
	}
	exit := recordedExitCode(t, rec)

	r := newRunner(t, "/dev/null", "FAKEDBT_RECORDING="+rec.dir, "FAKEDBT_VARIANT="+rec.variant)
	// Replay the command as recorded: the target (and profile) it names is the sandbox here.
	r.DBT.Target = flagValue(args, "--target")
	if r.DBT.Target == "" {
		r.DBT.Target = "dev"
	}
	writeProject(t, r.Dir, sandboxProfileFor(flagValue(args, "--profile"), r.DBT.Target))
	rr := &recorder{}
	res := r.Run(context.Background(), args, rr.sink)

	if res.ExitCode != exit {
		t.Errorf("exit code %d, dbt's was %d (err %v)", res.ExitCode, exit, res.Err)
	}
	got := map[string]string{}
	for _, n := range res.Nodes {
		got[n.UniqueID] = n.Status
	}
	for id, st := range expected {
		if got[id] != st {
			t.Errorf("%s: status %q, dbt's artifact says %q", id, got[id], st)
		}
	}
	for id, st := range got {
		if _, ok := expected[id]; ok {
			continue
		}
		switch {
		case st == "cancelled" && want.started[id] && (want.finished[id] == "" || want.cancelled[id]):
			// dbt stopped (Ctrl-C, SIGTERM) before the node finished, or cancelled its query.
		case st == "error" && want.errorNamed[id] && fromArtifact:
			// The failed ephemeral model: dbt names it in a RunResultError but leaves it out
			// of run_results.json.
		case st == "runtime error" && want.finished[id] == st:
			// dbt leaves a source whose freshness check failed to run out of sources.json.
		default:
			t.Errorf("%s: status %q, but dbt's artifacts do not list it and the log gives no reason", id, st)
		}
	}
	if want.stats != nil {
		inArtifact := make([]NodeResult, 0, len(res.Nodes))
		for _, n := range res.Nodes {
			if _, ok := expected[n.UniqueID]; ok {
				inArtifact = append(inArtifact, n)
			}
		}
		s := CountStatuses(inArtifact)
		gotStats := map[string]int{"pass": s.Pass, "warn": s.Warn, "error": s.Error, "skip": s.Skip, "total": s.Total}
		for k, v := range want.stats {
			if k != "noop" && gotStats[k] != v {
				t.Errorf("StatsLine %s=%d, datatui counts %d (%+v)", k, v, gotStats[k], s)
			}
		}
	}
	if res.Summary != CountStatuses(res.Nodes) {
		t.Errorf("summary %+v is not the count of the nodes", res.Summary)
	}
	if res.Cancelled != want.interrupted {
		t.Errorf("cancelled %v, dbt reported a keyboard interrupt: %v", res.Cancelled, want.interrupted)
	}
	if want.fatal != "" && !strings.Contains(res.Fatal, firstLine(want.fatal)) {
		t.Errorf("fatal %q, dbt said %q", res.Fatal, want.fatal)
	}
	if want.textFatal != "" && !strings.HasPrefix(res.Fatal, want.textFatal) {
		t.Errorf("fatal %q, dbt printed %q after \"Encountered an error:\"", res.Fatal, want.textFatal)
	}
	if exit >= 2 && !want.interrupted && strings.TrimSpace(res.Fatal) == "" {
		t.Errorf("exit %d without a message", exit)
	}
	for _, n := range res.Nodes {
		if (Failed(n.Status) || n.Status == "cancelled") && n.Message == "" {
			t.Errorf("%s %s has no message", n.Status, n.UniqueID)
		}
		if n.Name == "" || n.ResourceType == "" || n.Status == "running" {
			t.Errorf("node %+v", n)
		}
	}
	ps := rr.progress()
	for i := 1; i < len(ps); i++ {
		if ps[i].Done < ps[i-1].Done {
			t.Errorf("progress went backwards: %+v after %+v", ps[i], ps[i-1])
		}
	}
	if len(ps) > 0 && len(res.Nodes) > 0 {
		if last := ps[len(ps)-1]; last.Done != len(res.Nodes) || last.Total < last.Done {
			t.Errorf("last progress %d/%d for %d nodes", last.Done, last.Total, len(res.Nodes))
		}
	}
	if d, ok := rr.events[len(rr.events)-1].(Done); !ok || d.ExitCode != exit {
		t.Errorf("last event %#v", rr.events[len(rr.events)-1])
	}
	if testing.Verbose() {
		ids := make([]string, 0, len(got))
		for id := range got {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		t.Logf("%d nodes %v, summary %s, exit %d, fatal %q", len(got), countOf(got), res.Summary.Line(), res.ExitCode, firstLine(res.Fatal))
	}
}

func recordedExitCode(t *testing.T, rec recording) int {
	t.Helper()
	if rec.variant == "" {
		b, err := os.ReadFile(filepath.Join(rec.dir, "exit_code.txt"))
		if err != nil {
			t.Fatal(err)
		}
		var n int
		fmt.Sscan(strings.TrimSpace(string(b)), &n)
		return n
	}
	b, err := os.ReadFile(filepath.Join(rec.dir, "exit_codes.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		var name string
		var n int
		if c, _ := fmt.Sscan(l, &name, &n); c == 2 && name == rec.variant+"(json)" {
			return n
		}
	}
	t.Fatalf("no exit code for %s", rec.name)
	return 0
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
