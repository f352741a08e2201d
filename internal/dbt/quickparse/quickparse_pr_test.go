package quickparse

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestQuickParsePrecisionRecall quick-parses source trees that real dbt parsed and compares
// the graphs: nodes and edges, precision and recall per resource type, printed for every pair.
// Both must be 1.0. Generic tests are compared without dbt's hash suffix, which the files do
// not hold.
func TestQuickParsePrecisionRecall(t *testing.T) {
	for _, pair := range []struct {
		name, project, manifest string
		fixtureProject          bool
	}{
		{"demo", "../../demo/project", "real-dbt/demo-parse/manifest.json", false},
		{"jaffle-shop", "projects/jaffle-shop", "real-dbt/jaffle-parse/manifest.json", true},
	} {
		t.Run(pair.name, func(t *testing.T) {
			dir := pair.project
			if pair.fixtureProject {
				dir = fixtures.Path(t, pair.project)
			}
			dbtGraph, err := dbt.LoadManifest(fixtures.Path(t, pair.manifest), dbt.LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			quick, err := QuickParse(dir)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range quick.Origin.Warnings {
				t.Logf("quick parse warning: %s", w)
			}
			report := comparePR(dbtGraph, quick)
			t.Logf("%s: quick parse of %s against real dbt %s\n%s", pair.name, pair.project, dbtGraph.Origin.DBTVersion, report.String())
			if report.imperfect() {
				t.Errorf("precision and recall must be 1.0:\n%s", report.details())
			}
		})
	}
}

// prCounts are true positives, false positives and false negatives of one kind of item.
type prCounts struct{ tp, fp, fn int }

func (c prCounts) precision() float64 {
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (c prCounts) recall() float64 {
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

type prReport struct {
	nodes, edges map[string]*prCounts // by resource type (edges: of the child)
	extra, miss  []string
}

func (r *prReport) imperfect() bool { return len(r.extra)+len(r.miss) > 0 }

func (r *prReport) String() string {
	var b strings.Builder
	types := map[string]bool{}
	for t := range r.nodes {
		types[t] = true
	}
	for t := range r.edges {
		types[t] = true
	}
	var list []string
	for t := range types {
		list = append(list, t)
	}
	sort.Strings(list)
	fmt.Fprintf(&b, "  %-15s %6s %6s %6s   %6s %6s %6s\n", "resource type", "nodes", "P", "R", "edges", "P", "R")
	for _, t := range list {
		n, e := r.nodes[t], r.edges[t]
		if n == nil {
			n = &prCounts{}
		}
		if e == nil {
			e = &prCounts{}
		}
		fmt.Fprintf(&b, "  %-15s %6d %6.3f %6.3f   %6d %6.3f %6.3f\n", t, n.tp+n.fn, n.precision(), n.recall(), e.tp+e.fn, e.precision(), e.recall())
	}
	return b.String()
}

func (r *prReport) details() string {
	return "  only in the quick parse: " + strings.Join(r.extra, ", ") + "\n  only in dbt's: " + strings.Join(r.miss, ", ")
}

// comparableID drops the hash suffix of generic tests' unique ids.
func comparableID(n *dbt.Node) string {
	if n.ResourceType == "test" && n.TestMetadata != nil {
		if parts := strings.Split(n.UniqueID, "."); len(parts) == 4 {
			return strings.Join(parts[:3], ".")
		}
	}
	return n.UniqueID
}

func comparePR(want, got *dbt.Graph) *prReport {
	r := &prReport{nodes: map[string]*prCounts{}, edges: map[string]*prCounts{}}
	collect := func(g *dbt.Graph) (map[string]string, map[string]string) {
		nodes, edges := map[string]string{}, map[string]string{}
		for i := range g.Nodes {
			n := &g.Nodes[i]
			if !n.GraphMember() {
				continue
			}
			nodes[comparableID(n)] = n.ResourceType
			for _, p := range g.Parents(i) {
				edges[comparableID(&g.Nodes[p])+" -> "+comparableID(n)] = n.ResourceType
			}
		}
		return nodes, edges
	}
	wn, we := collect(want)
	gn, ge := collect(got)
	count := func(w, g map[string]string, into map[string]*prCounts, kind string) {
		c := func(t string) *prCounts {
			if into[t] == nil {
				into[t] = &prCounts{}
			}
			return into[t]
		}
		for k, t := range g {
			if _, ok := w[k]; ok {
				c(t).tp++
			} else {
				c(t).fp++
				r.extra = append(r.extra, kind+" "+k)
			}
		}
		for k, t := range w {
			if _, ok := g[k]; !ok {
				c(t).fn++
				r.miss = append(r.miss, kind+" "+k)
			}
		}
	}
	count(wn, gn, r.nodes, "node")
	count(we, ge, r.edges, "edge")
	sort.Strings(r.extra)
	sort.Strings(r.miss)
	return r
}

// quickParseTree writes a project tree (path → content) and quick-parses it.
func quickParseTree(t *testing.T, files map[string]string, opts QuickParseOptions) (*dbt.Graph, string) {
	t.Helper()
	dir := writeProject(t, files)
	g, err := QuickParseWith(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return g, dir
}
