package lineage

import (
	"bytes"
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func lineageOf(t *testing.T, g *dbt.Graph, id string, opts LineageOptions) *Lineage {
	t.Helper()
	i, ok := g.Index(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return ComputeLineage(g, i, opts)
}

func TestLineageTree(t *testing.T) {
	g := quickProj(t)
	l := lineageOf(t, g, "model.quickproj.fct_revenue", LineageOptions{Upstream: -1, Downstream: -1})
	want := `fct_revenue  model · table  models/marts/finance/fct_revenue.sql
├── upstream (8, all levels)
│   ├── stg_orders  model · incremental
│   │   ├── raw_countries  seed
│   │   └── app.orders  source
│   ├── stg_payments  model · view
│   │   ├── stg_users  model · view
│   │   │   └── app.users  source
│   │   └── shop.payments  source
│   └── currency_rates  seed
└── downstream (2, all levels)
    ├── revenue_by_month  analysis
    └── weekly_kpis  exposure · dashboard
`
	if got := l.Tree(); got != want {
		t.Errorf("tree:\n%s\nwant:\n%s", got, want)
	}
	// Depth 1 marks nodes with more ancestors.
	l = lineageOf(t, g, "model.quickproj.fct_revenue", LineageOptions{Upstream: 1})
	want = `fct_revenue  model · table  models/marts/finance/fct_revenue.sql
└── upstream (3, 1 level)
    ├── stg_orders  model · incremental  …
    ├── stg_payments  model · view  …
    └── currency_rates  seed
`
	if got := l.Tree(); got != want {
		t.Errorf("tree depth 1:\n%s\nwant:\n%s", got, want)
	}
	if !l.Truncated {
		t.Error("Truncated should be set when nodes lie beyond the depth")
	}
	// A node reached twice is expanded once.
	l = lineageOf(t, g, "model.quickproj.stg_users", LineageOptions{Downstream: -1})
	if got := l.Tree(); !strings.Contains(got, "(shown above)") {
		t.Errorf("repeated node not marked:\n%s", got)
	}
	// Tests only with Tests.
	l = lineageOf(t, g, "model.quickproj.stg_users", LineageOptions{Downstream: 1, Tests: true})
	if got := l.Tree(); !strings.Contains(got, "unique_stg_users_user_id  test") {
		t.Errorf("tests missing:\n%s", got)
	}
	l = lineageOf(t, g, "seed.quickproj.raw_countries", LineageOptions{Upstream: -1})
	if got := l.Tree(); !strings.Contains(got, "(none)") {
		t.Errorf("a seed has no upstream:\n%s", got)
	}
}

func TestLineageFormats(t *testing.T) {
	g := quickProj(t)
	l := lineageOf(t, g, "model.quickproj.stg_payments", LineageOptions{Upstream: 1, Downstream: 1})
	var b bytes.Buffer
	if err := RenderLineage(&b, l, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Node       LineageNode   `json:"node"`
		Upstream   []LineageNode `json:"upstream"`
		Downstream []LineageNode `json:"downstream"`
		Edges      []LineageEdge `json:"edges"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Node.UniqueID != "model.quickproj.stg_payments" || len(doc.Upstream) != 2 || len(doc.Downstream) != 1 {
		t.Errorf("json = %s", b.String())
	}
	wantEdges := []LineageEdge{
		{"model.quickproj.stg_payments", "model.quickproj.fct_revenue"},
		{"model.quickproj.stg_users", "model.quickproj.stg_payments"},
		{"source.quickproj.shop.payments", "model.quickproj.stg_payments"},
	}
	if len(doc.Edges) != len(wantEdges) {
		t.Fatalf("edges = %v", doc.Edges)
	}
	for k := range wantEdges {
		if doc.Edges[k] != wantEdges[k] {
			t.Errorf("edge %d = %v, want %v", k, doc.Edges[k], wantEdges[k])
		}
	}
	b.Reset()
	_ = RenderLineage(&b, l, FormatDOT)
	for _, s := range []string{"digraph lineage {", `"model.quickproj.stg_users" -> "model.quickproj.stg_payments";`, `shape=cylinder`, `penwidth=2`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("dot lacks %q:\n%s", s, b.String())
		}
	}
	b.Reset()
	_ = RenderLineage(&b, l, FormatMermaid)
	want := `flowchart LR
  n0["stg_payments<br/>model"]
  n1["stg_users<br/>model"]
  n2[("shop.payments<br/>source")]
  n3["fct_revenue<br/>model"]
  n0 --> n3
  n1 --> n0
  n2 --> n0
  classDef selected stroke-width:3px
  class n0 selected
`
	if b.String() != want {
		t.Errorf("mermaid:\n%s\nwant:\n%s", b.String(), want)
	}
	if err := RenderLineage(&b, l, "svg"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestFindNode(t *testing.T) {
	g := quickProj(t)
	cases := map[string]string{
		"model.quickproj.stg_users":           "model.quickproj.stg_users",
		"stg_users":                           "model.quickproj.stg_users",
		"+stg_users+":                         "model.quickproj.stg_users",
		"2+stg_users+3":                       "model.quickproj.stg_users",
		"@stg_users":                          "model.quickproj.stg_users",
		"app.users":                           "source.quickproj.app.users",
		"source:app.users":                    "source.quickproj.app.users",
		"dim_users":                           "model.quickproj.dim_users.v2",
		"dim_users.v1":                        "model.quickproj.dim_users.v1",
		"dim_users_v1":                        "model.quickproj.dim_users.v1",
		"models/staging/stg_orders.sql":       "model.quickproj.stg_orders",
		"stg_orders.sql":                      "model.quickproj.stg_orders",
		"exposure:weekly_kpis":                "exposure.quickproj.weekly_kpis",
		"weekly_kpis":                         "exposure.quickproj.weekly_kpis",
		"raw_countries":                       "seed.quickproj.raw_countries",
		"quickproj.marts.finance.fct_revenue": "model.quickproj.fct_revenue",
	}
	for q, want := range cases {
		i, sugg := FindNode(g, q)
		if i < 0 {
			t.Errorf("%q: not found (suggestions %v)", q, sugg)
			continue
		}
		if got := g.Nodes[i].UniqueID; got != want {
			t.Errorf("%q → %s, want %s", q, got, want)
		}
	}
	i, sugg := FindNode(g, "stg_user")
	if i >= 0 || len(sugg) == 0 || sugg[0] != "stg_users" {
		t.Errorf("typo: %d %v", i, sugg)
	}
	if err := NodeNotFoundError("stg_user", sugg); !strings.Contains(err.Error(), "closest: stg_users") {
		t.Errorf("error = %v", err)
	}
	if i, _ := FindNode(g, "zzzzzzzzzzzzz"); i >= 0 {
		t.Error("nonsense matched")
	}
}

func TestNodeSelector(t *testing.T) {
	g := quickProj(t)
	for id, want := range map[string]string{
		"model.quickproj.stg_users":                                 "stg_users",
		"model.quickproj.dim_users.v1":                              "dim_users.v1",
		"source.quickproj.app.users":                                "source:app.users",
		"exposure.quickproj.weekly_kpis":                            "exposure:weekly_kpis",
		"unit_test.quickproj.fct_revenue.revenue_converts_currency": "unit_test:revenue_converts_currency",
		"seed.quickproj.raw_countries":                              "raw_countries",
	} {
		if got := NodeSelector(g, g.Node(id)); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
	other := dbt.Node{Name: "calendar", ResourceType: "model", Package: "util"}
	if got := NodeSelector(g, &other); got != "util.calendar" {
		t.Errorf("package model: %q", got)
	}
}

// TestLineageDrawsEveryEdge checks, for every node of two real manifests as the root and
// several depths, that the json, dot and mermaid outputs hold exactly the graph's edges among
// the nodes shown, including an upstream node that feeds a downstream node directly.
func TestLineageDrawsEveryEdge(t *testing.T) {
	crossing := 0
	for _, rel := range []string{"manifests/jaffle-shop-dbt1.11/manifest.json", "real-dbt/demo-parse/manifest.json"} {
		g, err := dbt.LoadManifest(fixtures.Path(t, rel), dbt.LoadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for root := range g.Nodes {
			for _, opts := range []LineageOptions{{Upstream: -1, Downstream: -1}, {Upstream: 1, Downstream: 2}, {Upstream: 2, Downstream: -1, Tests: true}} {
				l := ComputeLineage(g, root, opts)
				shown := map[int]bool{root: true}
				up := map[int]bool{}
				for _, n := range l.Upstream {
					shown[n.Index], up[n.Index] = true, true
				}
				for _, n := range l.Downstream {
					shown[n.Index] = true
				}
				var want []LineageEdge
				for i := range shown {
					for _, c := range g.Children(i) {
						if shown[int(c)] {
							want = append(want, LineageEdge{From: g.Nodes[i].UniqueID, To: g.Nodes[c].UniqueID})
							if up[i] && !up[int(c)] && int(c) != root {
								crossing++
							}
						}
					}
				}
				sort.Slice(want, func(a, b int) bool {
					if want[a].From != want[b].From {
						return want[a].From < want[b].From
					}
					return want[a].To < want[b].To
				})
				if want == nil {
					want = []LineageEdge{}
				}
				if !reflect.DeepEqual(l.Edges, want) {
					t.Fatalf("%s root %s %+v: edges %v, want %v", rel, g.Nodes[root].UniqueID, opts, l.Edges, want)
				}
				dot, mermaid := l.DOT(), l.Mermaid()
				if got := strings.Count(dot, " -> "); got != len(want) {
					t.Fatalf("dot draws %d edges, want %d", got, len(want))
				}
				if got := strings.Count(mermaid, " --> "); got != len(want) {
					t.Fatalf("mermaid draws %d edges, want %d", got, len(want))
				}
			}
		}
	}
	if crossing == 0 {
		t.Error("no lineage had an upstream node feeding a downstream one; the test proves nothing")
	}
}

func quickProj(t *testing.T) *dbt.Graph {
	t.Helper()
	g, err := quickparse.QuickParse("../testdata/quickproj")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestClosestNames: names within the edit distance the query allows come first by distance,
// names holding the query (or held by it) count a quarter of what they add, and a query far
// from every name gets nothing.
func TestClosestNames(t *testing.T) {
	g := quickProj(t)
	for _, c := range []struct {
		q    string
		want string // the first suggestion, "" for none
	}{
		{"stg_usres", "stg_users"},
		{"STG_USERS", "stg_users"},
		{"stg_user", "stg_users"},
		{"fct_revenu", "fct_revenue"},
		{"weekly_kpi", "weekly_kpis"},
		{"zzzzzzzzzzzzz", ""},
	} {
		got := ClosestNames(g, c.q, 3)
		if c.want == "" && len(got) > 0 || c.want != "" && (len(got) == 0 || got[0] != c.want) {
			t.Errorf("ClosestNames(%q) = %v, want %q first", c.q, got, c.want)
		}
	}
}
