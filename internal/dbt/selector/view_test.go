package selector

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
)

// columnsCache keeps one columns encoding per graph: the tests evaluate many selections on few
// graphs.
var columnsCache sync.Map // *dbt.Graph → *dbt.Columns

func columnsOf(t testing.TB, g *dbt.Graph) *dbt.Columns {
	t.Helper()
	if c, ok := columnsCache.Load(g); ok {
		return c.(*dbt.Columns)
	}
	c, err := dbt.ColumnsOf(g)
	if err != nil {
		t.Fatal(err)
	}
	columnsCache.Store(g, c)
	return c
}

// selectChecked is Select, checked against the same selection over g's columns: both must give
// the same ids or fail alike, unless the selection needs the graph.
func selectChecked(t testing.TB, g *dbt.Graph, sel *Selection, opts SelectOptions) ([]string, error) {
	t.Helper()
	got, err := Select(g, sel, opts)
	sameOverColumns(t, g, sel, opts, got, err)
	return got, err
}

// sameOverColumns checks that the selection over g's columns answers what the graph answered
// (ids, err).
func sameOverColumns(t testing.TB, g *dbt.Graph, sel *Selection, opts SelectOptions, ids []string, err error) {
	t.Helper()
	c := columnsOf(t, g)
	res, cerr := SelectColumns(context.Background(), c, sel, opts)
	if errors.Is(cerr, ErrNeedsGraph) {
		return
	}
	if (cerr == nil) != (err == nil) {
		t.Fatalf("over the columns: error %v; over the graph: %v", cerr, err)
	}
	if cerr != nil {
		if cerr.Error() != err.Error() {
			t.Fatalf("over the columns: error %q; over the graph: %q", cerr, err)
		}
		return
	}
	got := make([]string, len(res.Indexes))
	for k, i := range res.Indexes {
		got[k] = g.Nodes[i].UniqueID
	}
	if !slices.Equal(got, ids) {
		t.Fatalf("over the columns %d nodes, over the graph %d:\n extra   %v\n missing %v", len(got), len(ids), setMinus(got, ids), setMinus(ids, got))
	}
	if c.Damaged() {
		t.Fatal("columns built in memory read as damaged")
	}
}

// TestSelectColumnsNeedsGraph: what the columns do not hold is left to the graph, never
// answered wrongly.
func TestSelectColumnsNeedsGraph(t *testing.T) {
	g := loadShop(t)
	c := columnsOf(t, g)
	for _, tc := range []struct {
		sel  string
		opts SelectOptions
	}{
		{"state:modified", SelectOptions{}},
		{"result:error", SelectOptions{}},
		{"config.meta.owner:x", SelectOptions{}},
		{"config.persist_docs.relation:true", SelectOptions{}},
		{"orders", SelectOptions{State: g}},
		{"orders", SelectOptions{Results: &dbt.RunResults{}}},
		{"orders", SelectOptions{Index: PrepareSelect(g)}},
	} {
		sel, err := ParseSelection([]string{tc.sel}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := SelectColumns(context.Background(), c, sel, tc.opts); !errors.Is(err, ErrNeedsGraph) {
			t.Errorf("%s: over the columns %v, want ErrNeedsGraph", tc.sel, err)
		}
	}
	// Exclusions are read too.
	sel, _ := ParseSelection([]string{"orders"}, []string{"state:new"})
	if _, err := SelectColumns(context.Background(), c, sel, SelectOptions{}); !errors.Is(err, ErrNeedsGraph) {
		t.Errorf("an excluded state: over the columns: %v, want ErrNeedsGraph", err)
	}
	// The kept config fields are answered over the columns, as over the graph.
	for _, s := range []string{"config.materialized:table", "config.enabled:true", "config.tags:nightly", "config.severity:WARN", "tag:nightly"} {
		sel, _ := ParseSelection([]string{s}, nil)
		if _, err := SelectColumns(context.Background(), c, sel, SelectOptions{}); err != nil {
			t.Errorf("%s over the columns: %v", s, err)
		}
	}
}
