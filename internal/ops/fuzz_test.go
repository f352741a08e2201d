package ops

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/logevents"
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
			ev := logevents.Parse(l)
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

// FuzzPrepareArgs checks the target pin on arbitrary argument lists: whatever is passed,
// what dbt gets reads back (the way dbt's CLI reads it) with exactly one target, the sandbox's
// or an allowed one, for every command that reads the profile, and JSON logs.
func FuzzPrepareArgs(f *testing.F) {
	f.Add("build --select orders --target prod")
	f.Add("-t ci run")
	f.Add("--target=dev --log-format text test")
	f.Add("--log-path deps build")
	f.Add("-xtprod build --exclude a -s b")
	f.Add("--log-path --target build")
	cfg := config.DBT{Target: "dev", AllowedTargets: []string{"ci"}}
	f.Fuzz(func(t *testing.T, line string) {
		out, err := PrepareArgs(strings.Fields(line), cfg)
		if err != nil {
			return
		}
		p, err := ParseArgs(out)
		if err != nil {
			t.Fatalf("%q became %q, which dbt cannot read: %v", line, out, err)
		}
		uses := p.Find("--target")
		for _, u := range uses {
			if v := u.Value(); v != cfg.Target && v != cfg.AllowedTargets[0] {
				t.Fatalf("%q passed target %q", line, u.Value())
			}
		}
		if commandKind(p.Command) != kindNoProfile && len(uses) != 1 {
			t.Fatalf("%q: %d targets in %q", line, len(uses), out)
		}
		if p.Last("--log-format") != "json" || len(p.Find("--log-format")) != 1 {
			t.Fatalf("%q: no JSON logs: %q", line, out)
		}
	})
}

// FuzzParseArgs reads arbitrary argument lists: never a panic, and what is kept when
// options are removed reads back the same way.
func FuzzParseArgs(f *testing.F) {
	f.Add("--debug docs generate -s a b --exclude c -x")
	f.Add("run-operation m --args {} -tprod")
	f.Fuzz(func(t *testing.T, line string) {
		p, err := ParseArgs(strings.Fields(line))
		if err != nil {
			return
		}
		q, err := ParseArgs(p.Without("--target"))
		if err != nil || q.Command != p.Command || len(q.Find("--target")) != 0 {
			t.Fatalf("%q without --target: %+v %v", line, q, err)
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
