package main

import (
	"context"
	"io"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

// BenchmarkLsWarm is a warm `datatui ls --manifest M` end to end in process: the index read
// from its cache, the default selection, every line printed (DATATUI_BENCH_MANIFEST picks the
// manifest, as for the dbt package's benchmarks).
func BenchmarkLsWarm(b *testing.B) {
	for _, bc := range []struct{ name, output string }{{"selector", "selector"}, {"json", "json"}} {
		b.Run(bc.name, func(b *testing.B) {
			path := dbtsynth.BenchManifest(b)
			b.Setenv("XDG_STATE_HOME", b.TempDir())
			args := []string{"ls", "--manifest", path, "--output", bc.output}
			if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit status %d", code)
			}
			b.ReportAllocs()
			for b.Loop() {
				if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
		})
	}
}
