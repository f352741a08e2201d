package selector

import (
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

// BenchmarkSelectPlusNodePlus evaluates +X+ (with eager test selection) on a different node
// of the 10,000-node graph each time.
func BenchmarkSelectPlusNodePlus(b *testing.B) {
	g, err := dbt.LoadManifest(dbtsynth.BenchManifest(b), dbt.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var models []string
	for _, n := range g.Nodes {
		if n.ResourceType == "model" {
			models = append(models, n.Name)
		}
	}
	sels := make([]*Selection, 0, 200)
	for k := 0; k < 200; k++ {
		s, err := ParseSelection([]string{"+" + models[(k*37)%len(models)] + "+"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		sels = append(sels, s)
	}
	k := 0
	for b.Loop() {
		if _, err := Select(g, sels[k%len(sels)], SelectOptions{}); err != nil {
			b.Fatal(err)
		}
		k++
	}
}

// BenchmarkSelectDefault lists everything, like a bare `datatui ls`.
func BenchmarkSelectDefault(b *testing.B) {
	g, err := dbt.LoadManifest(dbtsynth.BenchManifest(b), dbt.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sel, _ := ParseSelection(nil, nil)
	for b.Loop() {
		if _, err := Select(g, sel, SelectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
