//go:build unix

package lineage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// The per-keystroke benchmarks run on the graph that ../shared/tools/scale-manifest.py makes
// from the Tuva project's real manifest (431 nodes): ×25 ≈ 10.8k nodes, ×250 ≈ 108k nodes.
// The copies are made in memory the same way (names, ids and fqn leaves suffixed _k<k>,
// depends_on rewired inside the copy, a few models reading models of the previous copy), so the
// benchmark does not need the 883 MB file. Each reports ns/key: the CPU one keystroke costs,
// Update plus the background filtering it starts, until its result is on screen.

var scaledGraphs sync.Map // copies → *dbt.Graph

func scaledTuva(b *testing.B, copies int) *dbt.Graph {
	b.Helper()
	if g, ok := scaledGraphs.Load(copies); ok {
		return g.(*dbt.Graph)
	}
	base, err := dbt.LoadManifest(fixtures.Path(b, "manifests/tuva-dbt1.7/manifest.json"), dbt.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(42, 42))
	var models []int
	for i := range base.Nodes {
		if base.Nodes[i].ResourceType == "model" {
			models = append(models, i)
		}
	}
	nodes := make([]dbt.Node, 0, copies*base.Len())
	for k := range copies {
		suffix := ""
		if k > 0 {
			suffix = fmt.Sprintf("_k%d", k)
		}
		for i := range base.Nodes {
			n := base.Nodes[i]
			n.UniqueID += suffix
			n.Name += suffix
			if len(n.FQN) > 0 {
				n.FQN = slices.Clone(n.FQN)
				n.FQN[len(n.FQN)-1] += suffix
			}
			deps := make([]string, 0, len(n.DependsOn)+1)
			for _, d := range n.DependsOn {
				deps = append(deps, d+suffix)
			}
			if k > 0 && n.ResourceType == "model" && r.IntN(15) == 0 {
				prev := ""
				if k > 1 {
					prev = fmt.Sprintf("_k%d", k-1)
				}
				deps = append(deps, base.Nodes[models[r.IntN(len(models))]].UniqueID+prev)
			}
			n.DependsOn = deps
			nodes = append(nodes, n)
		}
	}
	g := dbt.NewGraph(nodes, base.Origin)
	scaledGraphs.Store(copies, g)
	return g
}

var benchSizes = []struct {
	name   string
	copies int
}{{"nodes=10.8k", 25}, {"nodes=108k", 250}}

// benchType types query one key at a time into the prompt that open opened, drawing a frame
// after each key as the terminal would, and reports the cost per key.
func benchType(b *testing.B, s *screen, open func() tea.Cmd, query string) {
	keys := make([]tea.KeyPressMsg, 0, len(query))
	for _, r := range query {
		keys = append(keys, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	cpu0 := cpuTime(b)
	for b.Loop() {
		s.Run(open())
		for _, k := range keys {
			s.Send(k)
			_ = s.m.View()
		}
		s.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
		s.Reset()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(keys)), "ns/key")
	b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N*len(keys)), "cpu-ns/key")
}

// cpuTime is the CPU the process has used (all threads: Update, tasks and the collector), the
// measure that matters on a shared machine where wall time also counts other processes.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFinderKeys types an 18-character name into the finder (/).
func BenchmarkFinderKeys(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			sc := benchScreen(b, scaledTuva(b, s.copies))
			benchType(b, sc, sc.m.openFinder, "core__stg_claims_l")
		})
	}
}

// BenchmarkFinderFirstKey is the costliest finder key: the first one, which every node may match.
func BenchmarkFinderFirstKey(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			sc := benchScreen(b, scaledTuva(b, s.copies))
			benchType(b, sc, sc.m.openFinder, "e")
		})
	}
}

// BenchmarkSelectorKeys types a graph selector into the selector prompt (S); dbt's engine
// evaluates every prefix ("+", "+c", … "+core__encounter+").
func BenchmarkSelectorKeys(b *testing.B) {
	for _, s := range benchSizes {
		b.Run(s.name, func(b *testing.B) {
			sc := benchScreen(b, scaledTuva(b, s.copies))
			benchType(b, sc, func() tea.Cmd { sc.m.clearSelector(); return sc.m.openSelector() }, "+core__encounter+")
		})
	}
}

// BenchmarkListKeys moves the cursor down the finder's list of every node and down the tree
// of a node with all its levels, drawing a frame after each key.
func BenchmarkListKeys(b *testing.B) {
	down := tea.KeyPressMsg{Code: tea.KeyDown}
	for _, s := range benchSizes {
		b.Run(s.name+"/finder", func(b *testing.B) {
			sc := benchScreen(b, scaledTuva(b, s.copies))
			sc.Run(sc.m.openFinder())
			cpu0 := cpuTime(b)
			for b.Loop() {
				sc.Send(down)
				_ = sc.m.View()
				sc.Reset()
			}
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/key")
		})
		b.Run(s.name+"/tree", func(b *testing.B) {
			sc := benchScreen(b, scaledTuva(b, s.copies))
			sc.m.upDepth, sc.m.downDepth = -1, -1
			sc.m.rebuild()
			cpu0 := cpuTime(b)
			for b.Loop() {
				sc.Send(down)
				_ = sc.m.View()
				sc.Reset()
			}
			b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/key")
		})
	}
}
