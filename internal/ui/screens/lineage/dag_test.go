package lineage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// openDemo opens the demo workspace: its project, and the recorded sources.json it writes
// into target/ (app.transactions past its error threshold, app.offers past its warn one).
func openDemo(t *testing.T, w, h int) *screen {
	t.Helper()
	ws, err := demo.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := &common.Common{Ctx: ctx, Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(ctx)}
	s := openScreen(t, c, w, h)
	if s.m.data == nil || s.m.data.sources == nil {
		t.Fatalf("demo not loaded with its sources.json: %v %v", s.m.loadErr, s.m.data)
	}
	return s
}

// graphOf is a screen on a graph made for the test.
func graphOf(t *testing.T, w, h int, nodes ...dbt.Node) *screen {
	t.Helper()
	for i := range nodes {
		nodes[i].Config.Enabled = true
		if nodes[i].Package == "" {
			nodes[i].Package = "p"
		}
	}
	s := newModel(t, w, h)
	g := dbt.NewGraph(nodes, dbt.Origin{Kind: dbt.OriginQuickParse, ProjectName: "p", Built: time.Unix(0, 0)})
	s.m.data = newProjectData(g)
	s.m.root = defaultRoot(g)
	s.m.dag.cursor = s.m.root
	s.m.rebuild()
	return s
}

func model(name string, deps ...string) dbt.Node {
	ids := make([]string, len(deps))
	for i, d := range deps {
		ids[i] = "model.p." + d
	}
	return dbt.Node{UniqueID: "model.p." + name, Name: name, ResourceType: "model", DependsOn: ids}
}

// The DAG has a cursor that j/k and h/l move and that shows; l moves right, it does not go
// back to the tree; enter focuses the node under the cursor and stays in the DAG.
func TestDAGCursor(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Key("d")
	if m.dag.cursor != m.root || !strings.Contains(s.View(), "›fct_revenue") {
		t.Fatalf("cursor not on the root:\n%s", s.View())
	}
	s.Key("h")
	left := m.dag.cursor
	if left == m.root || m.mode != modeDAG || !strings.Contains(s.View(), "›"+m.data.graph.Nodes[left].Name) {
		t.Fatalf("h: cursor on %s in mode %d:\n%s", s.node(left), m.mode, s.View())
	}
	if !joined(m.data.graph, left, m.root) {
		t.Errorf("h landed on %s, which does not feed fct_revenue", s.node(left))
	}
	s.Key("j")
	if m.dag.cursor == left || m.dag.colOf[m.dag.cursor] != m.dag.colOf[left] {
		t.Errorf("j: cursor on %s", s.node(m.dag.cursor))
	}
	s.Key("l", "l")
	if m.mode != modeDAG || m.dag.colOf[m.dag.cursor] != m.dag.colOf[m.root]+1 {
		t.Errorf("l l: mode %d, cursor on %s", m.mode, s.node(m.dag.cursor))
	}
	target := m.dag.cursor
	if v := s.View(); !strings.Contains(v, "› "+m.data.graph.Nodes[target].Name) {
		t.Errorf("the cursor's line does not name it:\n%s", v)
	}
	s.Key("enter")
	if m.mode != modeDAG || m.root != target || m.dag.cursor != target {
		t.Errorf("enter: mode %d, root %s", m.mode, s.node(m.root))
	}
	// Back in the tree, the cursor is on the node the DAG's cursor was on.
	s.Key("k", "d")
	if m.mode != modeTree || m.selected() != m.dag.cursor {
		t.Errorf("d: tree cursor on %s, DAG's on %s", s.node(m.selected()), s.node(m.dag.cursor))
	}
	// And from the tree, the DAG's cursor starts on the tree's node.
	for k, r := range m.tree.Items() {
		if r.kind == rowNode && r.index != m.dag.cursor {
			m.tree.Select(k)
			break
		}
	}
	want := m.selected()
	s.Key("d")
	if m.dag.cursor != want {
		t.Errorf("d from the tree on %s: DAG cursor on %s", s.node(want), s.node(m.dag.cursor))
	}
	// A click on a label moves the cursor there.
	for _, h := range m.dag.hits {
		if h.node != m.dag.cursor {
			s.Send(teaClick(h.x0+1, h.y+2))
			if m.dag.cursor != h.node {
				t.Errorf("click on %s: cursor on %s", s.node(h.node), s.node(m.dag.cursor))
			}
			break
		}
	}
}

// Edges can be followed: each node feeding the next column has its own lane, the cursor's
// edges are drawn in the accent style (and no other), and the cursor's line names what it
// reads and feeds.
func TestDAGEdges(t *testing.T) {
	s := graphOf(t, 120, 40,
		model("a"), model("b"),
		model("hub", "a", "b"),
		model("x", "hub"), model("y", "hub"),
		model("x2", "x"), model("y2", "y", "x"),
	)
	m := s.m
	m.setRoot(mustIndex(t, m.data.graph, "model.p.hub"))
	s.Key("d", "l")
	if s.node(m.dag.cursor) != "model.p.x" {
		t.Fatalf("cursor on %s", s.node(m.dag.cursor))
	}
	v := s.View()
	if !strings.Contains(v, "\n› x  model ") || !strings.Contains(v, "\n  reads hub · feeds x2, y2 ") {
		t.Errorf("the cursor's line does not name its neighbours:\n%s", v)
	}
	// x feeds x2 and y2: two edges leave x through x's lane; y's lane is another.
	var lanes []int
	for _, l := range strings.Split(v, "\n") {
		if k := strings.Index(l, "›x "); k >= 0 && strings.Contains(l, "x2") {
			gutter := l[k+len("›x "):]
			lanes = append(lanes, strings.IndexAny(gutter, "┬┐"))
		}
	}
	if len(lanes) != 1 || lanes[0] < 0 {
		t.Errorf("x's edges do not fan out from a lane of their own:\n%s", v)
	}
	accent := strings.Split(m.c.Styles.Key.Render("X"), "X")[0]
	if accent == "" {
		t.Fatal("the accent style draws nothing: the test cannot tell edges apart")
	}
	for _, l := range strings.Split(s.Styled(), "\n") {
		plain := ansi.Strip(l)
		switch {
		case strings.Contains(plain, "›x"):
			if !strings.Contains(l, accent) {
				t.Errorf("x's edges are not in the accent style: %q", l)
			}
		case strings.HasPrefix(plain, " a ") || strings.HasPrefix(plain, " b "):
			// The first gutter holds a's and b's edges into hub, not x's.
			if first, _, _ := strings.Cut(l, "▶"); strings.Contains(first, accent) {
				t.Errorf("an edge that is not x's is in the accent style: %q", l)
			}
		}
	}
}

// The DAG uses the width: long names are not cut when there is room, and nothing is cut off
// at the right edge (no column of …); columns that do not fit scroll with the cursor.
func TestDAGWidth(t *testing.T) {
	long := "a_model_with_a_really_quite_long_name_indeed"
	s := graphOf(t, 200, 30, model("src"), model(long, "src"), model("mart_with_a_long_name_too", long))
	m := s.m
	m.setRoot(mustIndex(t, m.data.graph, "model.p."+long))
	s.Key("d")
	v := s.View()
	if !strings.Contains(v, long) || !strings.Contains(v, "mart_with_a_long_name_too") {
		t.Errorf("names cut at 200 columns:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.HasSuffix(strings.TrimRight(l, " "), "…") {
			t.Errorf("a line cut off at the right: %q", l)
		}
	}
	s.Resize(40, 20)
	v = s.View()
	if !strings.Contains(v, "column") || strings.Contains(v, "mart_with_a_long_name_too") && strings.Contains(v, "src ") {
		t.Errorf("at 40 columns the DAG should scroll its columns:\n%s", v)
	}
	for _, l := range strings.Split(v, "\n") {
		if strings.HasSuffix(strings.TrimRight(l, " "), "…") && !strings.Contains(l, "›") {
			t.Errorf("a line cut off at the right: %q", l)
		}
	}
}

// A source's details show dbt's freshness verdict from sources.json; every model built from a
// stale source says how old its data is.
func TestFreshnessInDetails(t *testing.T) {
	s := openDemo(t, 120, 40)
	m := s.m
	g := m.data.graph
	tx := mustIndex(t, g, "source.cashback.app.transactions")
	fr := m.data.sources.ByID["source.cashback.app.transactions"]
	if fr == nil || fr.Status != dbt.FreshnessError {
		t.Fatalf("the demo's sources.json: %+v", fr)
	}
	m.setRoot(tx)
	v := s.View()
	age := dbt.FormatAge(fr.AgeAt(m.now()))
	if want := "Freshness ✗ last loaded " + age + " ago (error after " + fr.ErrorAfter.String() + ")"; !strings.Contains(v, want) {
		t.Errorf("source details lack %q:\n%s", want, v)
	}
	// Every node downstream of it (the DAG's cursor line and the details) says so.
	down := 0
	for _, c := range g.Children(tx) {
		if g.Nodes[c].ResourceType != "model" {
			continue
		}
		down++
		m.setRoot(int(c))
		if want := "built from data " + age + " old: app.transactions is stale"; !strings.Contains(s.View(), want) {
			t.Errorf("%s lacks %q:\n%s", s.node(int(c)), want, s.View())
		}
	}
	if down == 0 {
		t.Fatal("nothing reads app.transactions in the demo")
	}
	// A node downstream of no stale source says nothing about freshness.
	for i := range g.Nodes {
		if _, stale := m.data.staleUp[i]; !stale && g.Nodes[i].ResourceType == "model" {
			m.setRoot(i)
			if strings.Contains(s.View(), "built from data") {
				t.Errorf("%s says it is built from stale data", s.node(i))
			}
			break
		}
	}
}

// An exposure with a web link opens in the browser with o; one without says why not.
func TestExposureOpens(t *testing.T) {
	s := openDemo(t, 120, 40)
	m := s.m
	g := m.data.graph
	m.setRoot(mustIndex(t, g, "exposure.cashback.weekly_kpi_dashboard"))
	if v := s.View(); !strings.Contains(v, "URL       https://example.looker.com/dashboards/42") {
		t.Errorf("no link in the details:\n%s", v)
	}
	s.Key("o")
	if !slices.Equal(s.desk.Pages(), []string{"https://example.looker.com/dashboards/42"}) {
		t.Errorf("opened %v", s.desk.Pages())
	}
	m.setRoot(mustIndex(t, g, "exposure.cashback.cashback_liability_report"))
	s.Key("o")
	if len(s.desk.Pages()) != 1 || !slices.ContainsFunc(s.Statuses(), func(t string) bool { return strings.Contains(t, "has no url") }) {
		t.Errorf("o without a url: opened %v, said %v", s.desk.Pages(), s.Statuses())
	}
	// A browser that cannot start is said, not swallowed.
	s.desk.Err = errors.New("no browser here")
	m.setRoot(mustIndex(t, g, "exposure.cashback.weekly_kpi_dashboard"))
	s.Key("o")
	if !slices.ContainsFunc(s.Statuses(), func(t string) bool {
		return strings.Contains(t, "Could not open https://example.looker.com/dashboards/42 in a browser: no browser here")
	}) {
		t.Errorf("a failing browser: %v", s.Statuses())
	}
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "//no-scheme", "https://"} {
		if _, err := exposureURL(&dbt.Node{ResourceType: "exposure", Name: "x", URL: bad}); err == nil {
			t.Errorf("%q would be handed to the browser", bad)
		}
	}
}

func teaClick(x, y int) tea.MouseClickMsg { return tea.MouseClickMsg{X: x, Y: y} }

// A source's lane goes left of the lanes of edges arriving on its row, so its line does not
// run into theirs; crossing edges, which cannot have both, keep the top-to-bottom order.
func TestLaneOrder(t *testing.T) {
	rows := map[int]int{1: 0, 2: 2}
	for _, c := range []struct {
		into map[int][]int
		want []int
	}{
		{map[int][]int{0: {1}, 2: {2}}, []int{1, 2}},
		{map[int][]int{2: {1, 2}}, []int{2, 1}}, // 1 also feeds the row of 2
		{map[int][]int{0: {2}, 2: {1}}, []int{1, 2}},
	} {
		if got := laneOrder([]int{1, 2}, rows, c.into); !slices.Equal(got, c.want) {
			t.Errorf("laneOrder(%v) = %v, want %v", c.into, got, c.want)
		}
	}
}
