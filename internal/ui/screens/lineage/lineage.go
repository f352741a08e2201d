// Package lineage is the Lineage screen: find any node of the dbt project, see what it reads
// and what reads it (as a tree or a layered DAG), its details (description, columns with types,
// tests, materialization, owner, last run, SQL), evaluate a selector with live highlighting,
// and see the impact of the current branch. The graph comes from the manifest when it is fresh,
// else from a quick parse of the project files; the header says which and how old.
package lineage

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/impact"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// ID is the screen id.
const ID = "lineage"

// view modes of the main pane.
type viewMode int

const (
	modeTree viewMode = iota
	modeDAG
	modeImpact
)

// sqlMode cycles with `s`.
type sqlMode int

const (
	sqlOff sqlMode = iota
	sqlRaw
	sqlCompiled
)

// maxDepth is the deepest finite depth `+` reaches before "all levels".
const maxDepth = 9

// row is one line of the tree pane.
type row struct {
	kind  rowKind
	index int // node index (rowNode, rowRoot)
	line  lineage.TreeLine
	up    bool
	title string // rowSection
}

type rowKind int

const (
	rowRoot rowKind = iota
	rowSection
	rowNode
	rowEmpty
)

// Model is the Lineage screen.
type Model struct {
	c    *common.Common
	nav  *keys.Nav
	keys keyMap
	w, h int
	now  func() time.Time

	loadTask tasks.Ref[*projectData]
	loading  bool
	loadErr  error
	data     *projectData

	root         int
	upDepth      int
	downDepth    int
	showTests    bool
	collapsed    map[int]bool
	lin          *lineage.Lineage
	tree         *list.Model[row]
	mode         viewMode
	detailScroll int
	dag          dagView

	finding   bool
	finder    input.Line
	hits      *list.Model[int] // ranked, at most maxHits
	hitTotal  int              // how many nodes match
	narrowed  []narrowing
	finderRef tasks.Ref[narrowing]

	selecting  bool
	selInput   input.Line
	selExpr    string
	selMatches nodeSet
	matches    *list.Model[int] // the matches in dbt ls's order, shown while typing
	selErr     string
	selErrCol  int      // position of a syntax error in selExpr (1-based; 0 unknown)
	selNotes   []string // dbt's warnings and datatui's notes on the selector
	selRef     tasks.Ref[selection]

	sql      sqlMode
	sqlFor   int
	sqlTask  tasks.Ref[string]
	sqlText  string
	sqlErr   error
	sqlReady bool

	browseTask tasks.Ref[string]

	impactTask    tasks.Ref[*impact.Impact]
	impactLoading bool
	impact        *impact.Impact
	impactErr     error
	impactList    *list.Model[impactRow]
	showWarnings  bool
}

type impactRow struct {
	section string
	index   int
	node    impact.ImpactNode
}

// keyMap holds the keys only this screen has; moving, enter, esc and r are the shared
// navigation keymap's (with the person's overrides). The screen's keys are checked before the
// list's, so f, b, d and space mean focus, build, DAG and fold here, not paging.
type keyMap struct {
	Toggle, Focus, Deeper, Shallower        key.Binding
	Find, Selector, DAG, Impact, SQL, Tests key.Binding
	Edit, Open, Copy, Build, Warnings       key.Binding
	DetailUp, DetailDown                    key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Toggle:     key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter/space", "collapse/expand (DAG: focus)")),
		Focus:      key.NewBinding(key.WithKeys("f", "right", "l"), key.WithHelp("f/→", "focus this node")),
		Deeper:     key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "more levels")),
		Shallower:  key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "fewer levels")),
		Find:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "find a node (impact: filter)")),
		Selector:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "selector")),
		DAG:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "tree/DAG")),
		Impact:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "impact of my branch")),
		SQL:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "SQL raw/compiled")),
		Tests:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "show tests")),
		Edit:       key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "open in $EDITOR")),
		Open:       key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open an exposure's link in the browser")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy selector")),
		Build:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "build this")),
		Warnings:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "parse warnings")),
		DetailUp:   key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K", "scroll details up")),
		DetailDown: key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J", "scroll details down")),
	}
}

// New returns the Lineage screen.
func New(c *common.Common) *Model {
	nav := &c.KeyMap().Nav
	m := &Model{c: c, nav: nav, keys: defaultKeys(), now: c.Now, root: -1, upDepth: 2, downDepth: 2, collapsed: map[int]bool{}, sqlFor: -1}
	m.tree = list.New(nav, func(r row) string { return "" })
	m.hits = list.New(nav, func(int) string { return "" })
	m.matches = list.New(nav, func(int) string { return "" })
	m.impactList = list.New(nav, m.impactText).WithGroups(func(r impactRow) string { return r.section })
	return m
}

// impactText is what `/` matches in the impact view: the node's name and type.
func (m *Model) impactText(r impactRow) string {
	if m.data == nil || r.index < 0 {
		return ""
	}
	n := &m.data.graph.Nodes[r.index]
	return displayName(n) + " " + n.ResourceType
}

func (m *Model) ID() string { return ID }

func (m *Model) Title() string { return "Lineage" }

// Capturing is true while the finder, the selector prompt or the impact view's filter has
// the keyboard.
func (m *Model) Capturing() bool { return m.finding || m.selecting || m.impactList.Filtering() }

func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// layout gives the lists the rows they may draw (after a resize or a change of view).
func (m *Model) layout() {
	h := m.listHeight()
	m.tree.SetHeight(h)
	m.hits.SetHeight(h)
	m.impactList.SetHeight(max(0, h-impactInfoLines))
}

func (m *Model) KeyMap() []key.Binding {
	k, n := m.keys, m.nav
	return []key.Binding{k.Find, k.Selector, k.Toggle, k.Focus, k.Deeper, k.Shallower, k.DAG, k.Impact, k.SQL, k.Tests,
		k.Edit, k.Open, k.Copy, k.Build, n.Refresh, k.Warnings, n.Up, n.Down, n.Left, n.Right, n.Top, n.Bottom, k.DetailDown, k.DetailUp, n.Back}
}

func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "lineage.find", Title: "Lineage: find a model", Hint: "/", Run: func() tea.Cmd { return m.openFinder() }},
		{ID: "lineage.selector", Title: "Lineage: evaluate a dbt selector", Hint: "S", Run: func() tea.Cmd { return m.openSelector() }},
		{ID: "lineage.dag", Title: "Lineage: toggle tree / DAG view", Hint: "d", Run: func() tea.Cmd { m.toggleDAG(); return nil }},
		{ID: "lineage.impact", Title: "Lineage: impact of my branch", Hint: "i", Run: func() tea.Cmd { return m.showImpact() }},
		{ID: "lineage.edit", Title: "Lineage: open the model's file in $EDITOR", Hint: "e", Run: func() tea.Cmd { return m.edit() }},
		{ID: "lineage.open", Title: "Lineage: open the exposure's link in the browser", Hint: "o", Run: func() tea.Cmd { return m.openExposure() }},
		{ID: "lineage.copy", Title: "Lineage: copy the node's selector", Hint: "y", Run: func() tea.Cmd { return m.copySelector() }},
		{ID: "lineage.build", Title: "Lineage: build this model (dbt build --select)", Hint: "b", Run: func() tea.Cmd { return m.build() }},
		{ID: "lineage.sql", Title: "Lineage: show raw / compiled SQL", Hint: "s", Run: func() tea.Cmd { return m.cycleSQL() }},
		{ID: "lineage.reload", Title: "Lineage: reload the project", Hint: "r", Run: func() tea.Cmd { return m.reload() }},
	}
}

func (m *Model) Init() tea.Cmd {
	if m.c == nil || m.c.Workspace == nil || m.c.Tasks == nil {
		return m.reload()
	}
	return m.load(false) // shared with Home's card: one load between them
}

// Topics implements common.Subscriber: a finished dbt run may have rewritten the manifest and
// the run results this screen shows.
func (m *Model) Topics() []common.Topic { return []common.Topic{common.TopicArtifacts} }

// reload starts loading the graph and artifacts (slot "load": a reload replaces a load still
// running, whose result is dropped).
func (m *Model) reload() tea.Cmd {
	if m.c == nil || m.c.Workspace == nil || m.c.Tasks == nil {
		m.loadErr = errNoWorkspace
		return nil
	}
	return m.load(true)
}

// load starts loading the graph and artifacts through the shared services; fresh rereads the
// project files (r, an edit), otherwise what another view loaded is reused unless dbt
// rewrote it.
func (m *Model) load(fresh bool) tea.Cmd {
	svc := m.c.Svc()
	m.loading = true
	var cmd tea.Cmd
	m.loadTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading the lineage", Slot: "load", ReadOnly: true},
		func(ctx context.Context, _ tasks.Emit) (*projectData, error) {
			return loadProject(ctx, svc, fresh)
		})
	return cmd
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoWorkspace = errString("no dbt project is open")

// editorDoneMsg arrives when $EDITOR exits.
type editorDoneMsg struct{ err error }

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.taskDone(msg)
	case common.ChangedMsg:
		if msg.Topic == common.TopicArtifacts {
			return m.load(false)
		}
	case editorDoneMsg:
		if msg.err != nil {
			return common.ScreenStatus(ID, common.StatusError, "editor: "+msg.err.Error())
		}
		// The file may have changed: reload so the lineage shows the edit.
		return m.reload()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		return m.wheel(msg)
	case tea.MouseClickMsg:
		return m.click(msg.X, msg.Y)
	case tea.PasteMsg:
		return m.paste(msg.Content)
	}
	return nil
}

// wheel scrolls the list shown (in the DAG, moves the cursor up or down its column).
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.data == nil {
		return nil
	}
	switch {
	case m.finding:
		m.hits.Update(msg)
	case m.selecting:
		m.matches.Update(msg)
	case m.mode == modeImpact:
		m.impactList.Update(msg)
	case m.mode == modeDAG:
		if msg.Button == tea.MouseWheelUp {
			m.dagMove(-1, 0)
		} else if msg.Button == tea.MouseWheelDown {
			m.dagMove(1, 0)
		}
	default:
		if m.tree.Update(msg) {
			m.detailScroll = 0
		}
	}
	return m.syncSQL()
}

// paste goes to the prompt that is open: the finder, the selector or the impact filter.
func (m *Model) paste(content string) tea.Cmd {
	switch {
	case m.finding:
		m.finder.Paste(content)
		return m.filter()
	case m.selecting:
		m.selInput.Paste(content)
		return m.evalSelector()
	default:
		m.impactList.Paste(content)
	}
	return nil
}

func (m *Model) taskDone(msg tasks.DoneMsg) tea.Cmd {
	if out, ok := m.finderRef.Done(msg); ok {
		m.finderDone(out)
		return nil
	}
	if out, ok := m.selRef.Done(msg); ok {
		m.selectorDone(out)
		return nil
	}
	if out, ok := m.loadTask.Done(msg); ok {
		return m.loaded(out)
	}
	if out, ok := m.sqlTask.Done(msg); ok {
		m.sqlTask = tasks.Ref[string]{}
		m.sqlReady, m.sqlErr, m.sqlText = true, out.Err, out.Value
		return nil
	}
	if out, ok := m.browseTask.Done(msg); ok {
		m.browseTask = tasks.Ref[string]{}
		if out.Err != nil {
			return common.ScreenStatus(ID, common.StatusError, "Could not open "+safe(out.Value)+" in a browser: "+errText(out.Err))
		}
		return nil
	}
	if out, ok := m.impactTask.Done(msg); ok {
		m.impactTask = tasks.Ref[*impact.Impact]{}
		m.impactLoading = false
		m.impactErr, m.impact = out.Err, out.Value
		m.buildImpactRows()
	}
	return nil
}

// loaded shows a finished load, keeping the node in focus when it is still in the graph.
func (m *Model) loaded(out tasks.Outcome[*projectData]) tea.Cmd {
	m.loadTask = tasks.Ref[*projectData]{}
	m.loading = false
	if out.Err != nil || out.Value == nil {
		if out.Cancelled {
			return nil
		}
		m.loadErr = out.Err
		if m.data != nil && out.Err != nil {
			// Keep showing the last good graph; say why it was not refreshed.
			return common.ScreenStatus(ID, common.StatusError, "Lineage not reloaded: "+out.Err.Error())
		}
		return nil
	}
	d := out.Value
	m.loadErr = nil
	prev := ""
	if m.data != nil && m.root >= 0 {
		prev = m.data.graph.Nodes[m.root].UniqueID
	}
	m.data = d
	m.collapsed = map[int]bool{}
	m.root = -1
	if i, ok := d.graph.Index(prev); ok {
		m.root = i
	} else {
		m.root = defaultRoot(d.graph)
	}
	m.sqlFor = -1
	m.sqlReady = false
	m.dag.cursor = m.root
	m.rebuild()
	// Node indexes changed: earlier matches mean nothing in the new graph.
	m.narrowed, m.hitTotal = nil, 0
	m.hits.SetItems(nil)
	m.selMatches = nil
	m.matches.SetItems(nil)
	m.impact, m.impactErr = nil, nil
	m.impactList.SetItems(nil)
	var cmds []tea.Cmd
	if m.selExpr != "" || m.selecting {
		cmds = append(cmds, m.evalSelector())
	}
	if m.finding {
		cmds = append(cmds, m.filter())
	}
	if m.sql != sqlOff {
		cmds = append(cmds, m.loadSQLCmd())
	}
	if m.mode == modeImpact {
		cmds = append(cmds, m.showImpact())
	}
	return tea.Batch(cmds...)
}

// defaultRoot picks the model with the most non-test neighbours: a good first picture.
func defaultRoot(g *dbt.Graph) int {
	best, bestDeg := -1, -1
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if n.ResourceType != "model" || n.Disabled {
			continue
		}
		deg := len(g.Parents(i))
		for _, c := range g.Children(i) {
			if t := g.Nodes[c].ResourceType; t != "test" && t != "unit_test" {
				deg++
			}
		}
		if deg > bestDeg {
			best, bestDeg = i, deg
		}
	}
	if best < 0 && g.Len() > 0 {
		best = 0
	}
	return best
}

// rebuild recomputes the lineage and the tree rows after the root, depths, tests or collapsed
// nodes change. View only reads the rows, so frames stay cheap on large graphs.
func (m *Model) rebuild() {
	m.lin = nil
	m.dag.key = ""
	if m.data == nil || m.root < 0 {
		m.tree.SetItems(nil)
		return
	}
	g := m.data.graph
	m.lin = lineage.ComputeLineage(g, m.root, lineage.LineageOptions{Upstream: m.upDepth, Downstream: m.downDepth, Tests: m.showTests})
	rows := []row{{kind: rowRoot, index: m.root}}
	for _, up := range []bool{true, false} {
		title, nodes := "downstream", m.lin.Downstream
		if up {
			title, nodes = "upstream", m.lin.Upstream
		}
		rows = append(rows, row{kind: rowSection, title: sectionTitle(title, nodes), index: -1})
		lines := m.lin.TreeLines(up, m.collapsed)
		if len(lines) == 0 {
			rows = append(rows, row{kind: rowEmpty, index: -1})
		}
		for _, tl := range lines {
			rows = append(rows, row{kind: rowNode, index: tl.Index, line: tl, up: up})
		}
	}
	m.tree.SetItems(rows)
	if !m.dag.has(m.lin, m.dag.cursor) {
		m.dag.cursor = m.root
	}
}

// sectionTitle counts a direction's nodes and the generations they really span (the depth
// setting is in the subheader): "upstream · 7 nodes · 2 levels".
func sectionTitle(title string, nodes []lineage.LineageNode) string {
	if len(nodes) == 0 {
		return title + " · none"
	}
	depth := 0
	for _, n := range nodes {
		depth = max(depth, n.Depth)
	}
	return title + " · " + text.Plural(len(nodes), "node", "nodes") + " · " + text.Plural(depth, "level", "levels")
}

// selected is the node the keys act on: the cursor's in the impact list, the DAG or the tree
// (the root when the tree's cursor is on a heading).
func (m *Model) selected() int {
	if m.data == nil {
		return -1
	}
	switch m.mode {
	case modeImpact:
		if r, ok := m.impactList.Selected(); ok {
			return r.index
		}
		return -1
	case modeDAG:
		if m.dag.cursor >= 0 {
			return m.dag.cursor
		}
		return m.root
	}
	if r, ok := m.tree.Selected(); ok && (r.kind == rowNode || r.kind == rowRoot) {
		return r.index
	}
	return m.root
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.finding:
		return m.finderKey(msg)
	case m.selecting:
		return m.selectorKey(msg)
	case m.impactList.Filtering():
		// The filter has the keyboard; enter gives it back and focuses the node.
		if m.impactList.Update(msg) || !key.Matches(msg, m.nav.Open) {
			return nil
		}
		return m.focusSelected()
	}
	if cmd, ok := m.screenKey(msg); ok {
		return cmd
	}
	if m.data == nil {
		return nil
	}
	if m.mode == modeDAG && m.dagKey(msg) {
		return m.syncSQL()
	}
	if cmd, ok := m.viewKey(msg); ok {
		return cmd
	}
	if cmd, ok := m.actionKey(msg); ok {
		return cmd
	}
	return m.moveKey(msg)
}

// screenKey handles the keys that work before anything is loaded: find, selector, refresh, back.
func (m *Model) screenKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	switch {
	case key.Matches(msg, m.keys.Find):
		if m.mode == modeImpact {
			m.impactList.StartFilter()
			return nil, true
		}
		return m.openFinder(), true
	case key.Matches(msg, m.keys.Selector):
		return m.openSelector(), true
	case key.Matches(msg, m.nav.Refresh):
		return m.reload(), true
	case key.Matches(msg, m.nav.Back):
		m.back()
		return nil, true
	}
	return nil, false
}

// back undoes the innermost thing open: the impact filter, the DAG or impact view, the
// selector's highlight, the warnings, the SQL.
func (m *Model) back() {
	switch {
	case m.mode == modeImpact && m.impactList.Query() != "":
		m.impactList.ClearFilter()
	case m.mode != modeTree:
		m.mode = modeTree
		m.layout()
	case m.selExpr != "":
		m.clearSelector()
		m.selInput.Clear()
	case m.showWarnings:
		m.showWarnings = false
	case m.sql != sqlOff:
		m.sql = sqlOff
	}
}

// viewKey handles the keys that change what is shown: focus, depth, DAG, impact, SQL,
// warnings, tests.
func (m *Model) viewKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Toggle):
		if m.mode != modeTree {
			return m.focusSelected(), true
		}
		m.toggleCollapse()
	case key.Matches(msg, k.Focus):
		return m.focusSelected(), true
	case key.Matches(msg, k.Deeper):
		m.changeDepth(1)
	case key.Matches(msg, k.Shallower):
		m.changeDepth(-1)
	case key.Matches(msg, k.DAG):
		m.toggleDAG()
		return m.syncSQL(), true
	case key.Matches(msg, k.Impact):
		return m.showImpact(), true
	case key.Matches(msg, k.SQL):
		return m.cycleSQL(), true
	case key.Matches(msg, k.Warnings):
		m.showWarnings = !m.showWarnings
		m.detailScroll = 0
	case key.Matches(msg, k.Tests):
		m.showTests = !m.showTests
		m.rebuild()
	default:
		return nil, false
	}
	return nil, true
}

// actionKey handles the keys that act on the selected node: edit, open, copy, build.
func (m *Model) actionKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := m.keys
	switch {
	case key.Matches(msg, k.Edit):
		return m.edit(), true
	case key.Matches(msg, k.Open):
		return m.openExposure(), true
	case key.Matches(msg, k.Copy):
		return m.copySelector(), true
	case key.Matches(msg, k.Build):
		return m.build(), true
	}
	return nil, false
}

// moveKey scrolls the details or moves the cursor of the list shown.
func (m *Model) moveKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.DetailDown):
		m.detailScroll++
	case key.Matches(msg, m.keys.DetailUp):
		m.detailScroll = max(0, m.detailScroll-1)
	case m.mode == modeImpact:
		m.impactList.Update(msg)
		return m.syncSQL()
	case m.tree.Update(msg):
		m.detailScroll = 0
		return m.syncSQL()
	}
	return nil
}

// click selects the row (or, in the DAG, the node) under the pointer; the body starts below
// the two header lines.
func (m *Model) click(x, y int) tea.Cmd {
	if m.data == nil || m.finding || m.selecting {
		return nil
	}
	if m.mode == modeDAG {
		if i, ok := m.dag.at(x, y-2); ok {
			m.dag.cursor = i
			return m.syncSQL()
		}
		return nil
	}
	if m.wideLayout() && x >= m.listWidth() {
		return nil
	}
	r := y - 2
	if r < 0 || r >= m.listHeight() {
		return nil
	}
	if m.mode == modeImpact {
		m.impactList.ClickRow(r - impactInfoLines)
		return m.syncSQL()
	}
	if m.tree.ClickRow(r) {
		m.detailScroll = 0
	}
	return m.syncSQL()
}

// syncSQL loads the SQL of a newly selected node while the SQL pane is open.
func (m *Model) syncSQL() tea.Cmd {
	if m.sql == sqlOff || m.selected() == m.sqlFor || m.selected() < 0 {
		return nil
	}
	return m.loadSQLCmd()
}

func (m *Model) toggleCollapse() {
	r, ok := m.tree.Selected()
	if !ok || r.kind != rowNode || !r.line.HasKids || r.line.Repeat {
		return
	}
	if m.collapsed[r.index] {
		delete(m.collapsed, r.index)
	} else {
		m.collapsed[r.index] = true
	}
	m.rebuild()
}

// focusSelected makes the selected node the root. The DAG stays the DAG (its cursor stays on
// the node, now in the middle); the impact view goes back to the tree.
func (m *Model) focusSelected() tea.Cmd {
	i := m.selected()
	if i < 0 {
		return nil
	}
	m.setRoot(i)
	if m.mode == modeImpact {
		m.mode = modeTree
		m.layout()
	}
	if m.sql != sqlOff {
		return m.loadSQLCmd()
	}
	return nil
}

func (m *Model) setRoot(i int) {
	m.root = i
	m.collapsed = map[int]bool{}
	m.detailScroll = 0
	m.dag.cursor = i
	m.rebuild()
	m.tree.Move(-m.tree.Len())
}

func (m *Model) changeDepth(delta int) {
	step := func(d int) int {
		switch {
		case delta > 0 && d < 0:
			return -1
		case delta > 0 && d >= maxDepth:
			return -1
		case delta > 0:
			return d + 1
		case d < 0:
			return maxDepth
		default:
			return max(1, d-1)
		}
	}
	m.upDepth, m.downDepth = step(m.upDepth), step(m.downDepth)
	m.rebuild()
}

func (m *Model) toggleDAG() {
	if m.mode == modeDAG {
		m.mode = modeTree
		if i := m.dag.cursor; i >= 0 {
			m.selectInTree(i)
		}
	} else {
		// The DAG's cursor starts on the node the tree's cursor is on.
		if i := m.selected(); i >= 0 && m.dag.has(m.lin, i) {
			m.dag.cursor = i
		}
		m.mode = modeDAG
	}
	m.layout()
}

// selectInTree puts the tree's cursor on node i's first row, if it has one.
func (m *Model) selectInTree(i int) {
	for k, r := range m.tree.Items() {
		if (r.kind == rowNode || r.kind == rowRoot) && r.index == i {
			m.tree.Select(k)
			return
		}
	}
}
