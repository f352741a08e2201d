package lineage

import (
	"context"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/ui/tasks"
)

func TestSubsequence(t *testing.T) {
	for _, c := range []struct {
		s, q string
		want int
	}{
		{"fct_revenue", "frv", 7},
		{"fct_revenue", "fct", 3},
		{"fct_revenue", "", 0},
		{"fct_revenue", "rf", -1},
		{"café_orders", "éo", 7},
		{"caf\xc3\xa9", "\xc3\xa9", 5},
		{"a\xc3b\xa9", "\xc3\xa9", -1}, // bytes of é in order, but not é itself
	} {
		if got := subsequence(c.s, 0, c.q); got != c.want {
			t.Errorf("subsequence(%q, %q) = %d, want %d", c.s, c.q, got, c.want)
		}
	}
}

// Narrowing the matches of a shorter query must give exactly what matching from scratch gives.
func TestNarrowingEqualsMatchingFromScratch(t *testing.T) {
	g := syntheticGraph(3000)
	d := newProjectData(g)
	ix := d.finder
	ctx := context.Background()
	for _, q := range []string{"m01", "m012", "layer1/m01", "bench m", "#bench", "zz", "a model"} {
		scratch := ix.narrow(ctx, nil, "", q)
		var chain []candidate
		for k := 1; k <= len(q); k++ {
			chain = ix.narrow(ctx, chain, q[:k-1], q[:k])
		}
		if !slices.Equal(scratch, chain) {
			t.Errorf("%q: narrowed %d candidates, from scratch %d", q, len(chain), len(scratch))
		}
		for i := range g.Nodes {
			want := subsequence(strings.ToLower(d.search[i]), 0, q) >= 0
			got := slices.ContainsFunc(scratch, func(c candidate) bool { return int(c.node) == i })
			if got != want {
				t.Fatalf("%q: node %s matched=%v, want %v", q, g.Nodes[i].UniqueID, got, want)
			}
		}
	}
}

// Models rank above tests that match as well, exact and prefix names above the rest, and
// matches in the name above matches in the description.
func TestFinderRanking(t *testing.T) {
	nodes := []dbt.Node{
		{UniqueID: "test.p.not_null_kpi_id", Name: "not_null_kpi_id", ResourceType: "test"},
		{UniqueID: "test.p.kpi_check", Name: "kpi_check", ResourceType: "test"},
		{UniqueID: "model.p.marketing_kpis", Name: "marketing_kpis", ResourceType: "model"},
		{UniqueID: "model.p.kpi", Name: "kpi", ResourceType: "model"},
		{UniqueID: "model.p.orders", Name: "orders", ResourceType: "model", Description: "feeds the KPI dashboard"},
		{UniqueID: "model.p.kpis_daily", Name: "kpis_daily", ResourceType: "model"},
		{UniqueID: "model.p.kxpxi", Name: "kxpxi", ResourceType: "model"},
	}
	d := newProjectData(dbt.NewGraph(nodes, dbt.Origin{}))
	ix := d.finder
	cands := ix.narrow(context.Background(), nil, "", "kpi")
	var got []string
	for _, i := range ix.rank(cands, "kpi", 100) {
		got = append(got, nodes[i].Name)
	}
	want := []string{"kpi", "kpis_daily", "kpi_check", "marketing_kpis", "not_null_kpi_id", "kxpxi", "orders"}
	if !slices.Equal(got, want) {
		t.Errorf("ranking for kpi:\n got %v\nwant %v", got, want)
	}
	if r := ix.rank(cands, "kpi", 2); len(r) != 2 || nodes[r[0]].Name != "kpi" || nodes[r[1]].Name != "kpis_daily" {
		t.Errorf("top 2 = %v", r)
	}
}

// A result that arrives after the query moved on is dropped, and a backspace to a query
// already ranked costs no task.
func TestFinderDropsStaleResults(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Key("/")
	s.Type("stg_o")
	hits := m.hits.Items()
	if len(hits) == 0 || !strings.HasPrefix(m.data.graph.Nodes[hits[0]].Name, "stg_o") {
		t.Fatalf("hits for stg_o: %v", hits)
	}
	total := m.hitTotal
	m.finderDone(tasks.Outcome[narrowing]{Value: narrowing{query: "stg", hits: []int{0, 1, 2}, cands: make([]candidate, 3)}})
	if !slices.Equal(m.hits.Items(), hits) || m.hitTotal != total {
		t.Errorf("a result for an older query replaced the list: %v", m.hits.Items())
	}
	s.Type("r")
	s.Reset()
	s.Key("backspace")
	if slices.ContainsFunc(s.Msgs, func(msg tea.Msg) bool { _, ok := msg.(tasks.DoneMsg); return ok }) {
		t.Error("backspace started a task")
	}
	if m.finder.Value() != "stg_o" || !slices.Equal(m.hits.Items(), hits) || m.finderRef.ID() != 0 {
		t.Errorf("after backspace: %q, %v (want %v), task %d", m.finder.Value(), m.hits.Items(), hits, m.finderRef.ID())
	}
}

// Section titles count nodes and the generations they span, not the depth setting.
func TestSectionTitle(t *testing.T) {
	for _, c := range []struct {
		nodes []lineage.LineageNode
		want  string
	}{
		{nil, "upstream · none"},
		{[]lineage.LineageNode{{Depth: 1}}, "upstream · 1 node · 1 level"},
		{[]lineage.LineageNode{{Depth: 1}, {Depth: 3}, {Depth: 2}}, "upstream · 3 nodes · 3 levels"},
	} {
		if got := sectionTitle("upstream", c.nodes); got != c.want {
			t.Errorf("sectionTitle = %q, want %q", got, c.want)
		}
	}
}
