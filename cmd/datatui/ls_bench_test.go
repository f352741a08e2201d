package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

// BenchmarkLsWarm is a warm `datatui ls --manifest M` end to end in process
// (DATATUI_BENCH_MANIFEST picks the manifest, as for the dbt package's benchmarks):
//   - index: a question not asked before: the index read from its cache, the default
//     selection, every line printed (the kept answer is removed before each run);
//   - answer: the same question again, printed from the kept answer.
func BenchmarkLsWarm(b *testing.B) {
	for _, bc := range []struct{ name, output string }{{"selector", "selector"}, {"json", "json"}} {
		for _, kept := range []bool{false, true} {
			name := bc.name + "/index"
			if kept {
				name = bc.name + "/answer"
			}
			b.Run(name, func(b *testing.B) {
				path := dbtsynth.BenchManifest(b)
				state := b.TempDir()
				b.Setenv("XDG_STATE_HOME", state)
				args := []string{"ls", "--manifest", path, "--output", bc.output}
				if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
				answers, _ := filepath.Glob(filepath.Join(state, "datatui", "cache", "*.ans"))
				if len(answers) != 1 {
					b.Fatalf("%d answers kept", len(answers))
				}
				b.ReportAllocs()
				for b.Loop() {
					if !kept {
						b.StopTimer()
						os.Remove(answers[0])
						b.StartTimer()
					}
					if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
						b.Fatalf("exit status %d", code)
					}
				}
			})
		}
	}
}
