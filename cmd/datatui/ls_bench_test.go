package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
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

// BenchmarkLsNewQuestion is a warm `datatui ls` of a question not asked before that selects
// little, end to end in process: a new tag each run (listed from the selection columns), and a
// node with its children by bare name (the fqn method reads every node's fqn).
func BenchmarkLsNewQuestion(b *testing.B) {
	for _, bc := range []struct{ name, sel string }{{"tag", "tag:"}, {"children", "+"}} {
		b.Run(bc.name, func(b *testing.B) {
			path := dbtsynth.BenchManifest(b)
			b.Setenv("XDG_STATE_HOME", b.TempDir())
			if code := run(context.Background(), []string{"ls", "--manifest", path}, nil, io.Discard, io.Discard); code != 0 {
				b.Fatalf("exit status %d", code)
			}
			g, err := dbt.LoadManifest(path, dbt.LoadOptions{})
			if err != nil {
				b.Fatal(err)
			}
			name := g.Nodes[g.Len()/2].Name
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n++
				sel := "tag:new_" + strconv.Itoa(n)
				if bc.name == "children" {
					// A different question each run: the same node and another exclusion.
					sel = name + "+ --exclude tag:new_" + strconv.Itoa(n)
				}
				args := append([]string{"ls", "--manifest", path, "-q", "-s"}, strings.Fields(sel)...)
				if code := run(context.Background(), args, nil, io.Discard, io.Discard); code != 0 {
					b.Fatalf("exit status %d", code)
				}
			}
		})
	}
}
