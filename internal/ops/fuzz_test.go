package ops

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
)

// FuzzTracker feeds arbitrary log streams (outside input: whatever dbt or a plugin prints) to
// the progress tracker: it must never panic and never count more finished nodes than it saw.
func FuzzTracker(f *testing.F) {
	for _, name := range []string{"build-skip.jsonl", "run-ok-debug.jsonl", "parse-error.jsonl", "fusion-build.jsonl", "microbatch-dbt1.9.jsonl"} {
		b, err := os.ReadFile(filepath.Join("testdata", "streams", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		tr := NewTracker(time.Unix(0, 0))
		for _, l := range bytes.Split(stream, []byte("\n")) {
			ev := dbt.ParseLogLine(l)
			tr.Apply(&ev)
		}
		if tr.Done() > len(tr.Nodes()) || tr.Total() < tr.Done() {
			t.Fatalf("done %d of %d with %d nodes", tr.Done(), tr.Total(), len(tr.Nodes()))
		}
		tr.Finish(nil)
		// Once dbt has exited every node has a final status, and every one is counted.
		if s := tr.Summary(); tr.Done() != len(tr.Nodes()) || s.Total != len(tr.Nodes()) {
			t.Fatalf("after Finish: done %d, summary %+v, %d nodes", tr.Done(), s, len(tr.Nodes()))
		}
	})
}

// FuzzPrepareArgs checks the target guard on arbitrary argument lists: whatever is passed, a
// target other than the sandbox (or an allowed one) never reaches dbt.
func FuzzPrepareArgs(f *testing.F) {
	f.Add("build --select orders --target prod")
	f.Add("-t ci run")
	f.Add("--target=dev --log-format text test")
	cfg := config.DBT{Target: "dev", AllowedTargets: []string{"ci"}}
	f.Fuzz(func(t *testing.T, line string) {
		out, err := PrepareArgs(strings.Fields(line), cfg)
		if err != nil {
			return
		}
		for i, a := range out {
			var target string
			switch {
			case (a == "--target" || a == "-t") && i+1 < len(out):
				target = out[i+1]
			case strings.HasPrefix(a, "--target="):
				target = strings.TrimPrefix(a, "--target=")
			default:
				continue
			}
			if !cfg.TargetAllowed(target) {
				t.Fatalf("%q passed target %q", line, target)
			}
		}
		if n := len(out); n < 2 || out[n-2] != "--log-format" || out[n-1] != "json" {
			t.Fatalf("%q: no JSON logs: %q", line, out)
		}
	})
}

// FuzzLoadHistory reads arbitrary history files: damaged lines are skipped, never fatal.
func FuzzLoadHistory(f *testing.F) {
	f.Add([]byte(`{"command":"build","args":["build"],"started":"2026-11-01T09:00:00Z","duration_ms":5,"counts":{"pass":1,"total":1},"exit_code":0,"cancelled":false}` + "\n{broken\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, HistoryFile), b, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadHistory(dir, 10); err != nil {
			t.Fatal(err)
		}
	})
}
