package lineage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

const testProject = "../../../dbt/testdata/quickproj"

func newCommon(t testing.TB, projectDir string) *common.Common {
	t.Helper()
	abs, err := filepath.Abs(projectDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ws := &workspace.Workspace{Root: abs, ProjectDir: abs, StateDir: t.TempDir(), Config: config.Default()}
	return &common.Common{Ctx: ctx, Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(ctx)}
}

// screen is the Lineage screen under the uitest driver, with the browser replaced.
type screen struct {
	*uitest.Driver
	m *Model
	c *common.Common
	// desk records what would open in the browser or the editor.
	desk *desktop.Recorder
}

func openScreen(t testing.TB, c *common.Common, w, h int) *screen {
	t.Helper()
	m := New(c)
	s := &screen{m: m, c: c, desk: &desktop.Recorder{}}
	c.Desktop = s.desk
	s.Driver = uitest.Screen(t, m, c, w, h)
	if m.data != nil && c.Clock == nil {
		// Times on screen count from when the graph was made, so goldens do not change.
		built := m.data.graph.Origin.Built
		c.Clock = func() time.Time { return built.Add(5 * time.Second) }
	}
	return s
}

func open(t testing.TB, dir string, w, h int) *screen {
	t.Helper()
	return openScreen(t, newCommon(t, dir), w, h)
}

func newModel(t testing.TB, w, h int) *screen {
	t.Helper()
	s := open(t, testProject, w, h)
	if s.m.data == nil {
		t.Fatalf("not loaded: %v", s.m.loadErr)
	}
	return s
}

// built reports whether the screen handed `dbt build --select sel` to the Runs screen.
func (s *screen) built(sel string) bool {
	for _, r := range uitest.Of[common.RunDBTMsg](s.Driver) {
		if strings.Join(r.Args, " ") == "build --select "+sel {
			return true
		}
	}
	return false
}

func (s *screen) node(i int) string {
	if i < 0 {
		return ""
	}
	return s.m.data.graph.Nodes[i].UniqueID
}

func TestGoldens(t *testing.T) {
	t.Run("tree", func(t *testing.T) { newModel(t, 120, 40).Goldens(t) })
	t.Run("DAG", func(t *testing.T) {
		s := newModel(t, 120, 40)
		s.Key("d")
		s.Goldens(t)
	})
	t.Run("SQL", func(t *testing.T) {
		s := newModel(t, 120, 40)
		s.Key("s")
		if s.m.sql != sqlRaw || !s.m.sqlReady || s.m.sqlErr != nil {
			t.Fatalf("raw SQL not loaded: %v", s.m.sqlErr)
		}
		s.Goldens(t)
	})
	t.Run("finder", func(t *testing.T) {
		s := newModel(t, 120, 40)
		s.Key("/")
		s.Type("revenue")
		s.Goldens(t)
	})
	t.Run("details", func(t *testing.T) {
		s := openDemo(t, 120, 40)
		s.Key("/")
		s.Type("app.transactions")
		s.Key("enter")
		s.Goldens(t)
	})
	t.Run("selector", func(t *testing.T) {
		s := newModel(t, 120, 40)
		s.Key("S")
		s.Type("tag:staging+")
		s.Key("down")
		s.Goldens(t)
	})
	t.Run("impact", func(t *testing.T) {
		s := openImpact(t)
		s.Key("i")
		s.Goldens(t)
	})
}

func TestInitialState(t *testing.T) {
	s := newModel(t, 120, 40)
	if got := s.node(s.m.root); got != "model.quickproj.fct_revenue" {
		t.Errorf("default root = %s", got)
	}
	v := s.View()
	for _, want := range []string{"quick parse of the project files · parsed 5s ago", "2 warnings (w)", "stg_orders  model · incremental", "upstream · 7 nodes · 2 levels", "Revenue per order in euros.", "amount_eur", "expression_is_true"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q:\n%s", want, v)
		}
	}
}

func TestKeys(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	g := m.data.graph

	// Finder: / captures keys, filters fuzzily and marks what matched, enter focuses the hit.
	s.Key("/")
	if !m.Capturing() {
		t.Fatal("finder should capture keys")
	}
	s.Type("stgusers")
	if h, ok := m.hits.Selected(); !ok || s.node(h) != "model.quickproj.stg_users" {
		t.Fatalf("hits = %v", m.hits.Items())
	}
	if got := matchSpans("stg_users", "stgusers"); len(got) != 2 || got[0] != (text.Span{Start: 0, End: 3}) || got[1] != (text.Span{Start: 4, End: 9}) {
		t.Errorf("marks of stgusers in stg_users: %v", got)
	}
	s.Key("enter")
	if m.Capturing() || s.node(m.root) != "model.quickproj.stg_users" {
		t.Fatalf("enter did not focus stg_users")
	}
	// Typing q in the finder types; it does not quit.
	s.Key("/")
	s.Type("q")
	if m.finder.Value() != "q" {
		t.Errorf("finder value = %q", m.finder.Value())
	}
	s.Key("esc")
	if m.Capturing() {
		t.Error("esc should close the finder")
	}

	// Depth.
	s.Key("+")
	if m.upDepth != 3 || m.downDepth != 3 {
		t.Errorf("depth = %d/%d", m.upDepth, m.downDepth)
	}
	s.Key("-", "-", "-", "-")
	if m.upDepth != 1 {
		t.Errorf("depth floor = %d", m.upDepth)
	}
	for range maxDepth + 1 {
		s.Key("+")
	}
	if m.upDepth != -1 {
		t.Errorf("depth after %d + = %d, want all (-1)", maxDepth+1, m.upDepth)
	}

	// Collapse/expand a node with children.
	m.setRoot(mustIndex(t, g, "source.quickproj.app.users"))
	row := -1
	for k, r := range m.tree.Items() {
		if r.kind == rowNode && g.Nodes[r.index].Name == "stg_users" {
			row = k
		}
	}
	before := len(m.tree.Items())
	m.tree.Select(row)
	s.Key("enter")
	if !m.collapsed[m.tree.Items()[row].index] || len(m.tree.Items()) >= before {
		t.Errorf("collapse: %d rows → %d", before, len(m.tree.Items()))
	}
	s.Key("space")
	if len(m.tree.Items()) != before {
		t.Errorf("expand: %d rows, want %d", len(m.tree.Items()), before)
	}
	// f focuses the row under the cursor.
	s.Key("f")
	if g.Nodes[m.root].Name != "stg_users" {
		t.Errorf("focus → %s", g.Nodes[m.root].UniqueID)
	}

	// Tests toggle.
	s.Key("t")
	if !m.showTests || !slices.ContainsFunc(m.lin.Downstream, func(n lineage.LineageNode) bool { return n.ResourceType == "test" }) {
		t.Error("t should show tests")
	}

	// DAG toggle.
	s.Key("d")
	if m.mode != modeDAG || !strings.Contains(s.View(), "reads from") {
		t.Error("d should show the DAG")
	}
	s.Key("d")
	if m.mode != modeTree {
		t.Error("d again should show the tree")
	}
	// The shared navigation keys: G and g move to the ends, j/k one row.
	s.Key("G")
	if _, ok := m.tree.Selected(); !ok || m.tree.Index() != len(m.tree.Items())-1 {
		t.Errorf("G: cursor at %d of %d", m.tree.Index(), len(m.tree.Items()))
	}
	s.Key("g", "j")
	if m.tree.Index() != 1 {
		t.Errorf("g j: cursor at %d", m.tree.Index())
	}
}

func mustIndex(t testing.TB, g *dbt.Graph, id string) int {
	t.Helper()
	i, ok := g.Index(id)
	if !ok {
		t.Fatalf("no %s", id)
	}
	return i
}

func TestSelectorPrompt(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Key("S")
	if !m.Capturing() {
		t.Fatal("selector prompt should capture keys")
	}
	s.Type("tag:staging")
	// Four models and, by dbt's eager indirect selection, their five tests.
	if m.matches.Len() != 9 || m.selErr != "" {
		t.Errorf("tag:staging matched %d (%s)", m.matches.Len(), m.selErr)
	}
	if v := s.View(); !strings.Contains(v, " stg_offers  model · table") || !strings.Contains(v, " unique_stg_users_user_id  test") {
		t.Errorf("matches not listed while typing:\n%s", v)
	}
	s.Type("+")
	if m.matches.Len() <= 9 {
		t.Errorf("tag:staging+ should add descendants: %d", m.matches.Len())
	}
	if v := s.View(); !strings.Contains(v, fmt.Sprintf("%d matches", m.matches.Len())) {
		t.Errorf("no live count:\n%s", v)
	}
	// The match list has a cursor; enter keeps the selector and opens the match under it.
	s.Key("down", "down")
	want, _ := m.matches.Selected()
	if v := s.View(); !strings.Contains(v, "› "+m.data.graph.Nodes[want].Name) {
		t.Errorf("no cursor on the third match:\n%s", v)
	}
	s.Key("enter")
	if m.Capturing() || m.selExpr != "tag:staging+" || m.root != want {
		t.Errorf("enter: selector %q, root %s (want %s)", m.selExpr, s.node(m.root), s.node(want))
	}
	// b builds the selector being shown.
	s.Key("b")
	if !s.built("tag:staging+") {
		t.Errorf("b with a selector: %v", s.Msgs)
	}
	s.Key("S")
	s.Type(" foo:bar")
	if !strings.Contains(m.selErr, `"foo" is not a valid method name`) {
		t.Errorf("selErr = %q", m.selErr)
	}
	s.Key("esc")
	if m.selExpr != "" || m.selMatches != nil {
		t.Error("esc clears the selector")
	}
}

// The prompt answers like dbt ls: the matches in dbt's order, dbt's warning per criterion that
// matches nothing, notes on spots dbt accepts but that cannot select anything, syntax errors
// with their position; ctrl+b builds what it selects.
func TestSelectorPromptLikeDBT(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Key("S")
	s.Type("+(bad")
	v := s.View()
	if strings.Contains(v, "matches nothing") || !strings.Contains(v, "position 2: '(' is not selector syntax") {
		t.Errorf("+(bad:\n%s", v)
	}
	if !strings.Contains(v, "The selection criterion '+(bad' does not match any") {
		t.Errorf("no dbt warning for +(bad:\n%s", v)
	}
	s.Key("esc", "S")
	s.Type("stg_orders @stg_users+")
	v = s.View()
	if !strings.Contains(m.selErr, "at position 22: the @ prefix and the + suffix cannot be combined") {
		t.Errorf("syntax error: %q", m.selErr)
	}
	if !strings.Contains(v, "\n "+strings.Repeat(" ", 21)+"^") {
		t.Errorf("no caret under position 22:\n%s", v)
	}
	s.Key("esc", "S")
	s.Type("stg_users")
	g := m.data.graph
	list := m.matches.Items()
	for k := 1; k < len(list); k++ {
		if g.Nodes[list[k-1]].UniqueID > g.Nodes[list[k]].UniqueID {
			t.Errorf("matches not in dbt ls order: %s before %s", g.Nodes[list[k-1]].UniqueID, g.Nodes[list[k]].UniqueID)
		}
	}
	s.Key("ctrl+b")
	if m.Capturing() || !s.built("stg_users") {
		t.Errorf("ctrl+b builds the selection: %v", s.Msgs)
	}
}

func TestActions(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Key("b")
	if !s.built("fct_revenue") {
		t.Errorf("b: %v", s.Msgs)
	}
	s.Key("y")
	if !slices.Contains(s.Statuses(), "Copied fct_revenue") {
		t.Errorf("y: %v", s.Statuses())
	}
	if cmd := m.Update(tea.KeyPressMsg{Code: 'e', Text: "e"}); cmd == nil {
		t.Error("e should open the editor")
	}
	if got := s.desk.Edited(); len(got) != 1 || !strings.HasSuffix(filepath.ToSlash(got[0]), "/quickproj/models/marts/finance/fct_revenue.sql") {
		t.Errorf("e opened %q", got)
	}
	// SQL: raw, then compiled (absent: a clear message), then off.
	s.Key("s")
	if !strings.Contains(m.sqlText, "ref('stg_orders')") {
		t.Errorf("raw SQL = %q", m.sqlText)
	}
	s.Key("s")
	if m.sql != sqlCompiled || m.sqlErr == nil || !strings.Contains(m.sqlErr.Error(), "run dbt compile --select fct_revenue") {
		t.Errorf("compiled: %v", m.sqlErr)
	}
	s.Key("s")
	if m.sql != sqlOff {
		t.Error("third s hides the SQL")
	}
	// o opens only an exposure's web link.
	s.Reset()
	s.Key("o")
	if len(s.desk.Pages()) != 0 || !slices.ContainsFunc(s.Statuses(), func(t string) bool { return strings.Contains(t, "is not an exposure") }) {
		t.Errorf("o on a model: opened %v, said %v", s.desk.Pages(), s.Statuses())
	}
	// Palette actions exist with unique ids.
	seen := map[string]bool{}
	for _, a := range m.Actions() {
		if seen[a.ID] || !strings.HasPrefix(a.ID, "lineage.") {
			t.Errorf("bad action id %q", a.ID)
		}
		seen[a.ID] = true
	}
	if len(m.KeyMap()) == 0 {
		t.Error("no key map")
	}
}

// openImpact opens a copy of the test project on a branch that changes stg_orders.
func openImpact(t *testing.T) *screen {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	dbttest.CopyQuickProject(t, repo)
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", repo}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "base")
	git("checkout", "-q", "-b", "feature")
	f, err := os.OpenFile(filepath.Join(repo, "models/staging/stg_orders.sql"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("-- changed\n")
	f.Close()
	return open(t, repo, 120, 40)
}

func TestImpactView(t *testing.T) {
	s := openImpact(t)
	m := s.m
	s.Key("i")
	if m.mode != modeImpact || m.impactErr != nil || m.impact == nil {
		t.Fatalf("impact: %v", m.impactErr)
	}
	v := s.View()
	for _, want := range []string{"Compared with main", "Changed on this branch (1)", "stg_orders", "Downstream", "fct_revenue", "Exposures reached (1)", "weekly_kpis"} {
		if !strings.Contains(v, want) {
			t.Errorf("impact view lacks %q:\n%s", want, v)
		}
	}
	if got := s.node(m.selected()); got != "model.quickproj.stg_orders" {
		t.Errorf("impact cursor on %s", got)
	}
	s.Key("b")
	if !s.built("stg_orders+") {
		t.Errorf("b in impact: %v", s.Msgs)
	}
	// / filters the impact list.
	s.Key("/")
	s.Type("weekly")
	if !m.Capturing() || m.impactList.Len() != 1 || s.node(m.selected()) != "exposure.quickproj.weekly_kpis" {
		t.Errorf("/weekly in impact: %d shown, on %s", m.impactList.Len(), s.node(m.selected()))
	}
	s.Key("esc")
	if m.Capturing() || m.impactList.Len() < 3 {
		t.Errorf("esc clears the impact filter: %d shown", m.impactList.Len())
	}
	s.Key("g", "enter")
	if m.mode != modeTree || s.node(m.root) != "model.quickproj.stg_orders" {
		t.Error("enter focuses the impacted node")
	}
	s.Key("i", "esc")
	if m.mode != modeTree {
		t.Error("esc leaves the impact view")
	}
}

func TestBadProjectAndTinySizes(t *testing.T) {
	s := open(t, t.TempDir(), 80, 24)
	if s.m.loadErr == nil || !strings.Contains(s.View(), "Could not load the lineage") {
		t.Errorf("missing project: %v", s.m.loadErr)
	}
	s.Key("j", "d", "i", "s", "b", "y", "e", "o", "+")
	s = newModel(t, 80, 24)
	m := s.m
	for _, size := range [][2]int{{0, 0}, {1, 1}, {5, 2}, {20, 3}, {40, 5}, {99, 10}, {100, 10}} {
		m.SetSize(size[0], size[1])
		for _, mode := range []viewMode{modeTree, modeDAG, modeImpact} {
			m.mode = mode
			v := ansi.Strip(m.View())
			if size[0] == 0 {
				continue
			}
			uitest.CheckSize(t, v, size[0], size[1])
		}
	}
	// A broken catalog is a warning, not a failure.
	dir := t.TempDir()
	dbttest.CopyQuickProject(t, dir)
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	os.WriteFile(filepath.Join(dir, "target", "catalog.json"), []byte("{not json"), 0o644)
	os.WriteFile(filepath.Join(dir, "target", "run_results.json"), []byte(`{"results":[{"unique_id":"model.quickproj.fct_revenue","status":"error","execution_time":1.5,"message":"boom"}]}`), 0o644)
	s = open(t, dir, 120, 40)
	v := s.View()
	if len(s.m.data.artifactWarnings) != 1 || !strings.Contains(v, "Last run  ✗ error in 1.5s") || !strings.Contains(v, "boom") {
		t.Errorf("artifacts: %v\n%s", s.m.data.artifactWarnings, v)
	}
}

// TestNoNodesShowsWhy: a project with nothing to show lists what went wrong in reading it,
// which is likely why, without asking for w.
func TestNoNodesShowsWhy(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "models"), 0o755)
	os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: empty\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "models", "broken.yml"), []byte("models: [\n"), 0o644)
	s := open(t, dir, 100, 24)
	v := ansi.Strip(s.View())
	if !strings.Contains(v, "The project has no nodes yet") || !strings.Contains(v, "1 warning from reading the project") || !strings.Contains(v, "broken.yml") {
		t.Errorf("empty project with a broken file:\n%s", v)
	}
	uitest.CheckSize(t, v, 100, 24)
}

func TestCatalogTypes(t *testing.T) {
	dir := t.TempDir()
	dbttest.CopyQuickProject(t, dir)
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	os.WriteFile(filepath.Join(dir, "target", "catalog.json"), []byte(`{"nodes":{"model.quickproj.fct_revenue":{"columns":{"AMOUNT_EUR":{"name":"AMOUNT_EUR","type":"NUMBER(38,2)"}}}}}`), 0o644)
	if v := open(t, dir, 120, 40).View(); !strings.Contains(v, "amount_eur  number(38,2)") {
		t.Errorf("catalog type missing:\n%s", v)
	}
}

// syntheticGraph builds a layered graph of n nodes: sources feeding staging models feeding
// marts, each model reading 1–3 nodes of earlier layers.
func syntheticGraph(n int) *dbt.Graph {
	r := rand.New(rand.NewPCG(1, 2))
	nodes := make([]dbt.Node, 0, n)
	for i := 0; i < n; i++ {
		var nd dbt.Node
		if i < n/20 {
			nd = dbt.Node{UniqueID: fmt.Sprintf("source.big.raw.t%05d", i), Name: fmt.Sprintf("t%05d", i), SourceName: "raw", ResourceType: "source", Package: "big"}
		} else {
			nd = dbt.Node{UniqueID: fmt.Sprintf("model.big.m%05d", i), Name: fmt.Sprintf("m%05d", i), ResourceType: "model", Package: "big",
				OriginalPath: fmt.Sprintf("models/layer%d/m%05d.sql", i*20/n, i), Config: dbt.NodeConfig{Materialized: "view", Enabled: true},
				Description: "A model generated for the benchmark.", Tags: []string{"bench"}}
			for k := 0; k < 1+r.IntN(3); k++ {
				nd.DependsOn = append(nd.DependsOn, nodes[r.IntN(i)].UniqueID)
			}
		}
		nodes = append(nodes, nd)
	}
	return dbt.NewGraph(nodes, dbt.Origin{Kind: dbt.OriginQuickParse, ProjectName: "big", Built: time.Unix(0, 0)})
}

// benchScreen is the screen showing graph g at 120×40, driven by uitest.
func benchScreen(b *testing.B, g *dbt.Graph) *screen {
	b.Helper()
	s := newModel(b, 120, 40)
	s.m.data = newProjectData(g)
	s.m.root = defaultRoot(g)
	s.m.rebuild()
	return s
}

// BenchmarkLineageView measures one frame of the screen on a 10,000-node graph (tree with all
// levels upstream and downstream of a busy node, and the finder listing every node).
func BenchmarkLineageView(b *testing.B) {
	s := benchScreen(b, syntheticGraph(10000))
	m := s.m
	m.upDepth, m.downDepth = -1, -1
	m.rebuild()
	m.tree.Move(m.tree.Len() / 2)
	b.Run("tree", func(b *testing.B) {
		for b.Loop() {
			_ = m.View()
		}
	})
	b.Run("finder", func(b *testing.B) {
		s.Run(m.openFinder())
		for b.Loop() {
			_ = m.View()
		}
		m.finding = false
	})
	b.Run("dag", func(b *testing.B) {
		m.upDepth, m.downDepth = 1, 1
		m.rebuild()
		m.mode = modeDAG
		for b.Loop() {
			_ = m.View()
		}
		m.mode = modeTree
	})
}

// BenchmarkLineageRebuild measures recomputing the tree after a key press (+, focus) on the
// same graph, which happens in Update, not in View.
func BenchmarkLineageRebuild(b *testing.B) {
	s := benchScreen(b, syntheticGraph(10000))
	m := s.m
	m.upDepth, m.downDepth = -1, -1
	for b.Loop() {
		m.rebuild()
	}
}

func TestWarningsPane(t *testing.T) {
	s := newModel(t, 120, 40)
	s.Key("w")
	v := s.View()
	if !strings.Contains(v, "Warnings (2)") || !strings.Contains(v, "models/marts/user_report.sql line 5: ref('a') points at no") {
		t.Errorf("warnings pane:\n%s", v)
	}
	s.Key("esc")
	if s.m.showWarnings {
		t.Error("esc closes the warnings")
	}
}

func TestCardLines(t *testing.T) {
	c := newCommon(t, testProject)
	lines, err := CardLines(context.Background(), c.Svc())
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(styles.PlainLines(lines, time.Now()), "\n")
	want := "9 models · 4 sources · 2 seeds · 1 snapshot · 1 exposure · 11 tests\n" +
		"From a quick parse of the project files (no up-to-date manifest).\n" +
		"2 warnings: some lineage may be missing.\n" +
		"Busiest: fct_revenue (3 parents, 5 children)"
	if got != want {
		t.Errorf("card:\n%s\nwant:\n%s", got, want)
	}
	if _, err := CardLines(context.Background(), service.New(nil, service.Options{})); err == nil {
		t.Error("no workspace should be an error")
	}
}

func TestMouse(t *testing.T) {
	s := newModel(t, 120, 40)
	m := s.m
	s.Send(tea.MouseClickMsg{X: 3, Y: 4})
	if m.tree.Index() != 2 || s.node(m.selected()) != "model.quickproj.stg_orders" {
		t.Errorf("click selected row %d (%s)", m.tree.Index(), s.node(m.selected()))
	}
	s.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.tree.Index() != 5 {
		t.Errorf("wheel moved to %d", m.tree.Index())
	}
	s.Send(tea.MouseClickMsg{X: 100, Y: 4})
	if m.tree.Index() != 5 {
		t.Error("a click in the details pane must not move the cursor")
	}
}
