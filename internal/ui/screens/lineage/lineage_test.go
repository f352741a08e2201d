package lineage

import (
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
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

// drive runs cmd and feeds task messages back into the model until no command is left,
// returning the other messages (status, clipboard, RunDBTMsg…) for assertions.
func drive(t testing.TB, m *Model, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tasks.EventMsg:
			queue = append(queue, m.c.Tasks.Continue(msg.ID))
		case tasks.DoneMsg:
			queue = append(queue, m.Update(msg))
		default:
			out = append(out, msg)
		}
	}
	return out
}

func newModel(t testing.TB, w, h int) *Model {
	t.Helper()
	m := New(newCommon(t, testProject))
	m.SetSize(w, h)
	drive(t, m, m.Init())
	if m.data == nil {
		t.Fatalf("not loaded: %v", m.loadErr)
	}
	built := m.data.graph.Origin.Built
	m.now = func() time.Time { return built.Add(5 * time.Second) }
	return m
}

func press(t testing.TB, m *Model, keys ...string) []tea.Msg {
	t.Helper()
	var out []tea.Msg
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "space":
			msg = tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "up":
			msg = tea.KeyPressMsg{Code: tea.KeyUp}
		case "ctrl+b":
			msg = tea.KeyPressMsg{Code: 'b', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		out = append(out, drive(t, m, m.Update(msg))...)
	}
	return out
}

func typeText(t testing.TB, m *Model, s string) {
	t.Helper()
	for _, r := range s {
		drive(t, m, m.Update(tea.KeyPressMsg{Code: r, Text: string(r)}))
	}
}

func checkSize(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}

func TestGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			m := newModel(t, size[0], size[1])
			v := m.View()
			checkSize(t, v, size[0], size[1])
			golden.RequireEqual(t, []byte(ansi.Strip(v)))
		})
	}
}

func TestGoldenDAG(t *testing.T) {
	m := newModel(t, 120, 40)
	press(t, m, "d")
	v := m.View()
	checkSize(t, v, 120, 40)
	golden.RequireEqual(t, []byte(ansi.Strip(v)))
}

func TestGoldenSQLAndFinder(t *testing.T) {
	m := newModel(t, 120, 40)
	press(t, m, "s")
	if m.sql != sqlRaw || !m.sqlReady || m.sqlErr != nil {
		t.Fatalf("raw SQL not loaded: %v", m.sqlErr)
	}
	v := m.View()
	checkSize(t, v, 120, 40)
	golden.RequireEqual(t, []byte(ansi.Strip(v)))

	m = newModel(t, 80, 24)
	press(t, m, "/")
	typeText(t, m, "revenue")
	v = m.View()
	checkSize(t, v, 80, 24)
	if !strings.Contains(ansi.Strip(v), "/ revenue") {
		t.Errorf("finder prompt missing:\n%s", ansi.Strip(v))
	}
}

func TestInitialState(t *testing.T) {
	m := newModel(t, 120, 40)
	g := m.data.graph
	if got := g.Nodes[m.root].UniqueID; got != "model.quickproj.fct_revenue" {
		t.Errorf("default root = %s", got)
	}
	v := ansi.Strip(m.View())
	for _, s := range []string{"quick parse of the project files · parsed 5s ago", "2 warning(s)", "stg_orders  model · incremental", "upstream · 7 nodes · 2 levels", "Revenue per order in euros.", "amount_eur", "expression_is_true"} {
		if !strings.Contains(v, s) {
			t.Errorf("view lacks %q:\n%s", s, v)
		}
	}
}

func TestKeys(t *testing.T) {
	m := newModel(t, 120, 40)
	g := m.data.graph

	// Finder: / captures keys, filters fuzzily, enter focuses the hit.
	press(t, m, "/")
	if !m.Capturing() {
		t.Fatal("finder should capture keys")
	}
	typeText(t, m, "stgusers")
	if len(m.hits) == 0 || g.Nodes[m.hits[0]].UniqueID != "model.quickproj.stg_users" {
		t.Fatalf("hits = %v", m.hits)
	}
	press(t, m, "enter")
	if m.Capturing() || g.Nodes[m.root].UniqueID != "model.quickproj.stg_users" {
		t.Fatalf("enter did not focus stg_users")
	}
	// Typing q in the finder types; it does not quit.
	press(t, m, "/")
	typeText(t, m, "q")
	if m.finder.Value() != "q" {
		t.Errorf("finder value = %q", m.finder.Value())
	}
	press(t, m, "esc")
	if m.Capturing() {
		t.Error("esc should close the finder")
	}

	// Depth.
	press(t, m, "+")
	if m.upDepth != 3 || m.downDepth != 3 {
		t.Errorf("depth = %d/%d", m.upDepth, m.downDepth)
	}
	press(t, m, "-", "-", "-", "-")
	if m.upDepth != 1 {
		t.Errorf("depth floor = %d", m.upDepth)
	}
	for range maxDepth + 1 {
		press(t, m, "+")
	}
	if m.upDepth != -1 {
		t.Errorf("depth after %d + = %d, want all (-1)", maxDepth+1, m.upDepth)
	}

	// Collapse/expand a node with children.
	m.setRoot(mustIndex(t, g, "source.quickproj.app.users"))
	var row int
	for k, r := range m.rows {
		if r.kind == rowNode && g.Nodes[r.index].Name == "stg_users" {
			row = k
		}
	}
	before := len(m.rows)
	m.cursor = row
	press(t, m, "enter")
	if !m.collapsed[m.rows[row].index] || len(m.rows) >= before {
		t.Errorf("collapse: %d rows → %d", before, len(m.rows))
	}
	press(t, m, "space")
	if len(m.rows) != before {
		t.Errorf("expand: %d rows, want %d", len(m.rows), before)
	}
	// f focuses the row under the cursor.
	press(t, m, "f")
	if g.Nodes[m.root].Name != "stg_users" {
		t.Errorf("focus → %s", g.Nodes[m.root].UniqueID)
	}

	// Tests toggle.
	press(t, m, "t")
	if !m.showTests || len(m.lin.Downstream) == 0 {
		t.Error("t should show tests")
	}
	found := false
	for _, n := range m.lin.Downstream {
		found = found || n.ResourceType == "test"
	}
	if !found {
		t.Error("no tests in the lineage after t")
	}

	// DAG toggle.
	press(t, m, "d")
	if m.mode != modeDAG || !strings.Contains(ansi.Strip(m.View()), "reads from") {
		t.Error("d should show the DAG")
	}
	press(t, m, "d")
	if m.mode != modeTree {
		t.Error("d again should show the tree")
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
	m := newModel(t, 120, 40)
	press(t, m, "S")
	if !m.Capturing() {
		t.Fatal("selector prompt should capture keys")
	}
	typeText(t, m, "tag:staging")
	// Four models and, by dbt's eager indirect selection, their five tests.
	if len(m.selList) != 9 || m.selErr != "" {
		t.Errorf("tag:staging matched %d (%s)", len(m.selList), m.selErr)
	}
	if v := ansi.Strip(m.View()); !strings.Contains(v, " stg_offers  model · table") || !strings.Contains(v, " unique_stg_users_user_id  test") {
		t.Errorf("matches not listed while typing:\n%s", v)
	}
	typeText(t, m, "+")
	if len(m.selList) <= 9 {
		t.Errorf("tag:staging+ should add descendants: %d", len(m.selList))
	}
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "match(es)") {
		t.Errorf("no live count:\n%s", v)
	}
	press(t, m, "enter")
	if m.Capturing() || m.selExpr != "tag:staging+" {
		t.Errorf("enter keeps the selector: %q", m.selExpr)
	}
	// b builds the selector being shown.
	msgs := press(t, m, "b")
	if !hasRunDBT(msgs, "tag:staging+") {
		t.Errorf("b with a selector: %v", msgs)
	}
	press(t, m, "S")
	typeText(t, m, " foo:bar")
	if !strings.Contains(m.selErr, `"foo" is not a valid method name`) {
		t.Errorf("selErr = %q", m.selErr)
	}
	press(t, m, "esc")
	if m.selExpr != "" || m.selMatches != nil {
		t.Error("esc clears the selector")
	}
}

// The prompt answers like dbt ls: the matches in dbt's order, dbt's warning per criterion that
// matches nothing, notes on spots dbt accepts but that cannot select anything, syntax errors
// with their position; ctrl+b builds what it selects.
func TestSelectorPromptLikeDBT(t *testing.T) {
	m := newModel(t, 120, 40)
	press(t, m, "S")
	typeText(t, m, "+(bad")
	v := ansi.Strip(m.View())
	if strings.Contains(v, "matches nothing") || !strings.Contains(v, "position 2: '(' is not selector syntax") {
		t.Errorf("+(bad:\n%s", v)
	}
	if !strings.Contains(v, "The selection criterion '+(bad' does not match any") {
		t.Errorf("no dbt warning for +(bad:\n%s", v)
	}
	press(t, m, "esc")
	press(t, m, "S")
	typeText(t, m, "stg_orders @stg_users+")
	v = ansi.Strip(m.View())
	if !strings.Contains(m.selErr, "at position 22: the @ prefix and the + suffix cannot be combined") {
		t.Errorf("syntax error: %q", m.selErr)
	}
	if !strings.Contains(v, "\n "+strings.Repeat(" ", 21)+"^") {
		t.Errorf("no caret under position 22:\n%s", v)
	}
	press(t, m, "esc")
	press(t, m, "S")
	typeText(t, m, "stg_users")
	g := m.data.graph
	for k := 1; k < len(m.selList); k++ {
		if g.Nodes[m.selList[k-1]].UniqueID > g.Nodes[m.selList[k]].UniqueID {
			t.Errorf("matches not in dbt ls order: %s before %s", g.Nodes[m.selList[k-1]].UniqueID, g.Nodes[m.selList[k]].UniqueID)
		}
	}
	msgs := press(t, m, "ctrl+b")
	if m.Capturing() || !hasRunDBT(msgs, "stg_users") {
		t.Errorf("ctrl+b builds the selection: %v", msgs)
	}
}

func hasRunDBT(msgs []tea.Msg, sel string) bool {
	for _, msg := range msgs {
		if r, ok := msg.(common.RunDBTMsg); ok && strings.Join(r.Args, " ") == "build --select "+sel {
			return true
		}
	}
	return false
}

func TestActions(t *testing.T) {
	m := newModel(t, 120, 40)
	msgs := press(t, m, "b")
	if !hasRunDBT(msgs, "fct_revenue") {
		t.Errorf("b: %v", msgs)
	}
	msgs = press(t, m, "y")
	copied := false
	for _, msg := range msgs {
		if s, ok := msg.(common.StatusMsg); ok && s.Text == "Copied fct_revenue" {
			copied = true
		}
	}
	if !copied {
		t.Errorf("y: %v", msgs)
	}
	opened := &desktop.Recorder{}
	m.c.Desktop = opened
	if cmd := m.Update(tea.KeyPressMsg{Code: 'e', Text: "e"}); cmd == nil {
		t.Error("e should open the editor")
	}
	if got := opened.Edited(); len(got) != 1 || !strings.HasSuffix(filepath.ToSlash(got[0]), "/quickproj/models/marts/finance/fct_revenue.sql") {
		t.Errorf("e opened %q", got)
	}
	// SQL: raw, then compiled (absent: a clear message), then off.
	press(t, m, "s")
	if !strings.Contains(m.sqlText, "ref('stg_orders')") {
		t.Errorf("raw SQL = %q", m.sqlText)
	}
	press(t, m, "s")
	if m.sql != sqlCompiled || m.sqlErr == nil || !strings.Contains(m.sqlErr.Error(), "run dbt compile --select fct_revenue") {
		t.Errorf("compiled: %v", m.sqlErr)
	}
	press(t, m, "s")
	if m.sql != sqlOff {
		t.Error("third s hides the SQL")
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

func TestImpactView(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	copyDir(t, testProject, repo)
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

	m := New(newCommon(t, repo))
	m.SetSize(120, 40)
	drive(t, m, m.Init())
	press(t, m, "i")
	if m.mode != modeImpact || m.impactErr != nil || m.impact == nil {
		t.Fatalf("impact: %v", m.impactErr)
	}
	v := ansi.Strip(m.View())
	for _, s := range []string{"Compared with main", "Changed on this branch (1)", "stg_orders", "Downstream", "fct_revenue", "Exposures reached (1)", "weekly_kpis"} {
		if !strings.Contains(v, s) {
			t.Errorf("impact view lacks %q:\n%s", s, v)
		}
	}
	if got := m.dataNode(m.selected()); got != "model.quickproj.stg_orders" {
		t.Errorf("impact cursor on %s", got)
	}
	msgs := press(t, m, "b")
	if !hasRunDBT(msgs, "stg_orders+") {
		t.Errorf("b in impact: %v", msgs)
	}
	press(t, m, "enter")
	if m.mode != modeTree || m.dataNode(m.root) != "model.quickproj.stg_orders" {
		t.Error("enter focuses the impacted node")
	}
	press(t, m, "i", "esc")
	if m.mode != modeTree {
		t.Error("esc leaves the impact view")
	}
}

func (m *Model) dataNode(i int) string {
	if i < 0 {
		return ""
	}
	return m.data.graph.Nodes[i].UniqueID
}

func copyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestBadProjectAndTinySizes(t *testing.T) {
	m := New(newCommon(t, t.TempDir()))
	m.SetSize(80, 24)
	drive(t, m, m.Init())
	if m.loadErr == nil || !strings.Contains(ansi.Strip(m.View()), "Could not load the lineage") {
		t.Errorf("missing project: %v", m.loadErr)
	}
	press(t, m, "j", "d", "i", "s", "b", "y", "e", "+")
	m = newModel(t, 80, 24)
	for _, size := range [][2]int{{0, 0}, {1, 1}, {5, 2}, {20, 3}, {40, 5}, {99, 10}, {100, 10}} {
		m.SetSize(size[0], size[1])
		for _, mode := range []viewMode{modeTree, modeDAG, modeImpact} {
			m.mode = mode
			v := m.View()
			if size[0] == 0 {
				continue
			}
			checkSize(t, v, size[0], size[1])
		}
	}
	// A broken catalog is a warning, not a failure.
	dir := t.TempDir()
	copyDir(t, testProject, dir)
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	os.WriteFile(filepath.Join(dir, "target", "catalog.json"), []byte("{not json"), 0o644)
	os.WriteFile(filepath.Join(dir, "target", "run_results.json"), []byte(`{"results":[{"unique_id":"model.quickproj.fct_revenue","status":"error","execution_time":1.5,"message":"boom"}]}`), 0o644)
	m = New(newCommon(t, dir))
	m.SetSize(120, 40)
	drive(t, m, m.Init())
	v := ansi.Strip(m.View())
	if len(m.data.artifactWarnings) != 1 || !strings.Contains(v, "Last run  ✗ error in 1.5s") || !strings.Contains(v, "boom") {
		t.Errorf("artifacts: %v\n%s", m.data.artifactWarnings, v)
	}
}

func TestCatalogTypes(t *testing.T) {
	dir := t.TempDir()
	copyDir(t, testProject, dir)
	os.MkdirAll(filepath.Join(dir, "target"), 0o755)
	os.WriteFile(filepath.Join(dir, "target", "catalog.json"), []byte(`{"nodes":{"model.quickproj.fct_revenue":{"columns":{"AMOUNT_EUR":{"name":"AMOUNT_EUR","type":"NUMBER(38,2)"}}}}}`), 0o644)
	m := New(newCommon(t, dir))
	m.SetSize(120, 40)
	drive(t, m, m.Init())
	if v := ansi.Strip(m.View()); !strings.Contains(v, "amount_eur  number(38,2)") {
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

// BenchmarkLineageView measures one frame of the screen on a 10,000-node graph (tree with all
// levels upstream and downstream of a busy node, and the finder listing every node).
func BenchmarkLineageView(b *testing.B) {
	g := syntheticGraph(10000)
	m := New(newCommon(b, testProject))
	m.SetSize(120, 40)
	m.data = newProjectData(g)
	m.root = defaultRoot(g)
	m.upDepth, m.downDepth = -1, -1
	m.rebuild()
	m.cursor = len(m.rows) / 2
	m.clampScroll()
	b.Run("tree", func(b *testing.B) {
		for b.Loop() {
			_ = m.View()
		}
	})
	b.Run("finder", func(b *testing.B) {
		drive(b, m, m.openFinder())
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
	g := syntheticGraph(10000)
	m := New(newCommon(b, testProject))
	m.SetSize(120, 40)
	m.data = newProjectData(g)
	m.root = defaultRoot(g)
	m.upDepth, m.downDepth = -1, -1
	for b.Loop() {
		m.rebuild()
	}
}

func TestWarningsPane(t *testing.T) {
	m := newModel(t, 120, 40)
	press(t, m, "w")
	v := ansi.Strip(m.View())
	if !strings.Contains(v, "Warnings (2)") || !strings.Contains(v, "models/marts/user_report.sql line 5: ref('a') points at no") {
		t.Errorf("warnings pane:\n%s", v)
	}
	press(t, m, "esc")
	if m.showWarnings {
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
	m := newModel(t, 120, 40)
	drive(t, m, m.Update(tea.MouseClickMsg{X: 3, Y: 4}))
	if m.cursor != 2 || m.dataNode(m.selected()) != "model.quickproj.stg_orders" {
		t.Errorf("click selected row %d (%s)", m.cursor, m.dataNode(m.selected()))
	}
	drive(t, m, m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown}))
	if m.cursor != 5 {
		t.Errorf("wheel moved to %d", m.cursor)
	}
	drive(t, m, m.Update(tea.MouseClickMsg{X: 100, Y: 4}))
	if m.cursor != 5 {
		t.Error("a click in the details pane must not move the cursor")
	}
}
