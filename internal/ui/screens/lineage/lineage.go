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
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/impact"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/text"
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
	keys keyMap
	w, h int
	now  func() time.Time

	loadID  int
	loading bool
	loadErr error
	data    *projectData

	root           int
	upDepth        int
	downDepth      int
	showTests      bool
	collapsed      map[int]bool
	lin            *lineage.Lineage
	rows           []row
	cursor, offset int
	mode           viewMode
	detailScroll   int

	finding    bool
	finder     textinput.Model
	hits       []int // ranked, at most maxHits
	hitTotal   int   // how many nodes match
	narrowed   []narrowing
	finderRef  tasks.Ref[narrowing]
	hitCursor  int
	hitOffset  int
	selecting  bool
	selInput   textinput.Model
	selExpr    string
	selMatches nodeSet
	selList    []int // the matches in dbt ls's order, shown while typing
	selErr     string
	selErrCol  int      // position of a syntax error in selExpr (1-based; 0 unknown)
	selNotes   []string // dbt's warnings and datatui's notes on the selector
	selRef     tasks.Ref[selection]

	sql      sqlMode
	sqlFor   int
	sqlID    int
	sqlText  string
	sqlErr   error
	sqlReady bool

	impactID      int
	impactLoading bool
	impact        *impact.Impact
	impactErr     error
	impactRows    []impactRow
	impactCursor  int
	impactOffset  int
	showWarnings  bool
	dagCache      string
	dagCacheKey   string
}

type impactRow struct {
	title string // section header when index < 0
	index int
	node  impact.ImpactNode
}

type keyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Toggle, Focus, Deeper, Shallower        key.Binding
	Find, Selector, DAG, Impact, SQL, Tests key.Binding
	Edit, Copy, Build, Refresh, Back        key.Binding
	Warnings                                key.Binding
	DetailUp, DetailDown                    key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PageUp:     key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown:   key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Toggle:     key.NewBinding(key.WithKeys("enter", "space"), key.WithHelp("enter/space", "collapse/expand")),
		Focus:      key.NewBinding(key.WithKeys("f", "right", "l"), key.WithHelp("f/→", "focus this node")),
		Deeper:     key.NewBinding(key.WithKeys("+", "="), key.WithHelp("+", "more levels")),
		Shallower:  key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "fewer levels")),
		Find:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "find a node")),
		Selector:   key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "selector")),
		DAG:        key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "tree/DAG")),
		Impact:     key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "impact of my branch")),
		SQL:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "SQL raw/compiled")),
		Tests:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "show tests")),
		Edit:       key.NewBinding(key.WithKeys("e", "o"), key.WithHelp("e", "open in $EDITOR")),
		Copy:       key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy selector")),
		Build:      key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "build this")),
		Refresh:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload")),
		Warnings:   key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "parse warnings")),
		Back:       key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		DetailUp:   key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K", "scroll details up")),
		DetailDown: key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("J", "scroll details down")),
	}
}

// New returns the Lineage screen.
func New(c *common.Common) *Model {
	m := &Model{c: c, keys: defaultKeys(), now: time.Now, root: -1, upDepth: 2, downDepth: 2, collapsed: map[int]bool{}, sqlFor: -1}
	// A steady cursor: blinking would redraw the screen twice a second for nothing.
	m.finder = textinput.New()
	ts := m.finder.Styles()
	ts.Cursor.Blink = false
	m.finder.SetStyles(ts)
	m.finder.Prompt = "/ "
	m.finder.Placeholder = "name, path, #tag or description"
	m.selInput = textinput.New()
	m.selInput.SetStyles(ts)
	m.selInput.Prompt = "select: "
	m.selInput.Placeholder = "e.g. +fct_revenue tag:finance,config.materialized:table"
	return m
}

func (m *Model) ID() string { return ID }

func (m *Model) Title() string { return "Lineage" }

// Capturing is true while the finder or the selector prompt has focus.
func (m *Model) Capturing() bool { return m.finding || m.selecting }

func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.finder.SetWidth(max(10, w/2))
	m.selInput.SetWidth(max(10, w/2))
	m.clampScroll()
}

func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	return []key.Binding{k.Find, k.Selector, k.Toggle, k.Focus, k.Deeper, k.Shallower, k.DAG, k.Impact, k.SQL, k.Tests,
		k.Edit, k.Copy, k.Build, k.Refresh, k.Warnings, k.Up, k.Down, k.Top, k.Bottom, k.DetailDown, k.DetailUp, k.Back}
}

func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "lineage.find", Title: "Lineage: find a model", Hint: "/", Run: func() tea.Cmd { return m.openFinder() }},
		{ID: "lineage.selector", Title: "Lineage: evaluate a dbt selector", Hint: "S", Run: func() tea.Cmd { return m.openSelector() }},
		{ID: "lineage.dag", Title: "Lineage: toggle tree / DAG view", Hint: "d", Run: func() tea.Cmd { m.toggleDAG(); return nil }},
		{ID: "lineage.impact", Title: "Lineage: impact of my branch", Hint: "i", Run: func() tea.Cmd { return m.showImpact() }},
		{ID: "lineage.edit", Title: "Lineage: open the model's file in $EDITOR", Hint: "e", Run: func() tea.Cmd { return m.edit() }},
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

// reload starts loading the graph and artifacts.
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
	id, cmd := m.c.Tasks.Start(ID, "Loading the lineage", func(ctx context.Context, _ tasks.Emit) (any, error) {
		return loadProject(ctx, svc, fresh)
	})
	m.loadID = id
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
			return common.Status(common.StatusError, "editor: "+msg.err.Error())
		}
		// The file may have changed: reload so the lineage shows the edit.
		return m.reload()
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-3)
		case tea.MouseWheelDown:
			m.move(3)
		}
		return m.syncSQL()
	case tea.MouseClickMsg:
		return m.click(msg.X, msg.Y)
	case tea.PasteMsg:
		if m.finding {
			var cmd tea.Cmd
			m.finder, cmd = m.finder.Update(msg)
			return tea.Batch(cmd, m.filter())
		}
		if m.selecting {
			var cmd tea.Cmd
			m.selInput, cmd = m.selInput.Update(msg)
			return tea.Batch(cmd, m.evalSelector())
		}
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
	switch msg.ID {
	case m.loadID:
		m.loading = false
		if msg.Err != nil {
			m.loadErr = msg.Err
			if m.data != nil {
				// Keep showing the last good graph; say why it was not refreshed.
				return common.Status(common.StatusError, "Lineage not reloaded: "+msg.Err.Error())
			}
			return nil
		}
		d, ok := msg.Result.(*projectData)
		if !ok {
			return nil
		}
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
		m.rebuild()
		// Node indexes changed: earlier matches mean nothing in the new graph.
		m.narrowed, m.hits, m.hitTotal = nil, nil, 0
		m.selMatches, m.selList = nil, nil
		var cmds []tea.Cmd
		if m.selExpr != "" {
			cmds = append(cmds, m.evalSelector())
		}
		if m.finding {
			cmds = append(cmds, m.filter())
		}
		if m.sql != sqlOff {
			cmds = append(cmds, m.loadSQLCmd())
		}
		return tea.Batch(cmds...)
	case m.sqlID:
		m.sqlReady = true
		m.sqlErr = msg.Err
		m.sqlText, _ = msg.Result.(string)
	case m.impactID:
		m.impactLoading = false
		m.impactErr = msg.Err
		m.impact, _ = msg.Result.(*impact.Impact)
		m.buildImpactRows()
	}
	return nil
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
	m.rows = m.rows[:0]
	m.lin = nil
	m.dagCacheKey = ""
	if m.data == nil || m.root < 0 {
		return
	}
	g := m.data.graph
	m.lin = lineage.ComputeLineage(g, m.root, lineage.LineageOptions{Upstream: m.upDepth, Downstream: m.downDepth, Tests: m.showTests})
	m.rows = append(m.rows, row{kind: rowRoot, index: m.root})
	for _, up := range []bool{true, false} {
		title, nodes := "downstream", m.lin.Downstream
		if up {
			title, nodes = "upstream", m.lin.Upstream
		}
		m.rows = append(m.rows, row{kind: rowSection, title: sectionTitle(title, nodes), index: -1})
		lines := m.lin.TreeLines(up, m.collapsed)
		if len(lines) == 0 {
			m.rows = append(m.rows, row{kind: rowEmpty, index: -1})
		}
		for _, tl := range lines {
			m.rows = append(m.rows, row{kind: rowNode, index: tl.Index, line: tl, up: up})
		}
	}
	if m.cursor >= len(m.rows) {
		m.cursor = len(m.rows) - 1
	}
	m.clampScroll()
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

// selected is the node index under the cursor (the root when the cursor is on a header).
func (m *Model) selected() int {
	if m.data == nil {
		return -1
	}
	if m.mode == modeImpact {
		if m.impactCursor >= 0 && m.impactCursor < len(m.impactRows) && m.impactRows[m.impactCursor].index >= 0 {
			return m.impactRows[m.impactCursor].index
		}
		return -1
	}
	if m.cursor >= 0 && m.cursor < len(m.rows) && (m.rows[m.cursor].kind == rowNode || m.rows[m.cursor].kind == rowRoot) {
		return m.rows[m.cursor].index
	}
	return m.root
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.finding {
		return m.finderKey(msg)
	}
	if m.selecting {
		return m.selectorKey(msg)
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Find):
		return m.openFinder()
	case key.Matches(msg, k.Selector):
		return m.openSelector()
	case key.Matches(msg, k.Refresh):
		return m.reload()
	case key.Matches(msg, k.Back):
		switch {
		case m.mode != modeTree:
			m.mode = modeTree
		case m.selExpr != "":
			m.clearSelector()
			m.selInput.SetValue("")
		case m.showWarnings:
			m.showWarnings = false
		case m.sql != sqlOff:
			m.sql = sqlOff
		}
		return nil
	}
	if m.data == nil {
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
		return m.syncSQL()
	case key.Matches(msg, k.Down):
		m.move(1)
		return m.syncSQL()
	case key.Matches(msg, k.PageUp):
		m.move(-max(1, m.listHeight()-1))
		return m.syncSQL()
	case key.Matches(msg, k.PageDown):
		m.move(max(1, m.listHeight()-1))
		return m.syncSQL()
	case key.Matches(msg, k.Top):
		m.move(-1 << 30)
		return m.syncSQL()
	case key.Matches(msg, k.Bottom):
		m.move(1 << 30)
		return m.syncSQL()
	case key.Matches(msg, k.Toggle):
		if m.mode == modeImpact {
			return m.focusSelected()
		}
		m.toggleCollapse()
	case key.Matches(msg, k.Focus):
		return m.focusSelected()
	case key.Matches(msg, k.Deeper):
		m.changeDepth(1)
	case key.Matches(msg, k.Shallower):
		m.changeDepth(-1)
	case key.Matches(msg, k.DAG):
		m.toggleDAG()
	case key.Matches(msg, k.Impact):
		return m.showImpact()
	case key.Matches(msg, k.SQL):
		return m.cycleSQL()
	case key.Matches(msg, k.Warnings):
		m.showWarnings = !m.showWarnings
		m.detailScroll = 0
	case key.Matches(msg, k.Tests):
		m.showTests = !m.showTests
		m.rebuild()
	case key.Matches(msg, k.Edit):
		return m.edit()
	case key.Matches(msg, k.Copy):
		return m.copySelector()
	case key.Matches(msg, k.Build):
		return m.build()
	case key.Matches(msg, k.DetailDown):
		m.detailScroll++
	case key.Matches(msg, k.DetailUp):
		m.detailScroll = max(0, m.detailScroll-1)
	}
	return nil
}

func (m *Model) move(delta int) {
	if m.mode == modeImpact {
		n := len(m.impactRows)
		if n == 0 {
			return
		}
		m.impactCursor = clamp(m.impactCursor+delta, 0, n-1)
		// Skip section headers in the direction of travel.
		for m.impactRows[m.impactCursor].index < 0 {
			step := 1
			if delta < 0 {
				step = -1
			}
			next := m.impactCursor + step
			if next < 0 || next >= n {
				break
			}
			m.impactCursor = next
		}
		m.clampScroll()
		return
	}
	if len(m.rows) == 0 {
		return
	}
	m.cursor = clamp(m.cursor+delta, 0, len(m.rows)-1)
	m.detailScroll = 0
	m.clampScroll()
}

// click selects the list row under the pointer (the list starts below the two header lines).
func (m *Model) click(x, y int) tea.Cmd {
	if m.data == nil || m.finding || m.mode == modeDAG {
		return nil
	}
	if m.wideLayout() && x >= max(30, m.w*45/100) {
		return nil
	}
	row := y - 2
	if row < 0 || row >= m.listHeight() {
		return nil
	}
	if m.mode == modeImpact {
		row -= impactInfoLines
		if k := m.impactOffset + row; row >= 0 && k < len(m.impactRows) && m.impactRows[k].index >= 0 {
			m.impactCursor = k
		}
		return nil
	}
	if k := m.offset + row; k < len(m.rows) {
		m.cursor = k
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

func clamp(v, lo, hi int) int {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

func (m *Model) clampScroll() {
	h := m.listHeight()
	if h <= 0 {
		return
	}
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+h {
		m.offset = m.cursor - h + 1
	}
	m.offset = clamp(m.offset, 0, max(0, len(m.rows)-h))
	if m.impactCursor < m.impactOffset {
		m.impactOffset = m.impactCursor
	}
	if m.impactCursor >= m.impactOffset+h {
		m.impactOffset = m.impactCursor - h + 1
	}
	if m.hitCursor < m.hitOffset {
		m.hitOffset = m.hitCursor
	}
	if m.hitCursor >= m.hitOffset+h {
		m.hitOffset = m.hitCursor - h + 1
	}
}

func (m *Model) toggleCollapse() {
	if m.cursor <= 0 || m.cursor >= len(m.rows) || m.rows[m.cursor].kind != rowNode {
		return
	}
	r := m.rows[m.cursor]
	if !r.line.HasKids || r.line.Repeat {
		return
	}
	if m.collapsed[r.index] {
		delete(m.collapsed, r.index)
	} else {
		m.collapsed[r.index] = true
	}
	m.rebuild()
}

// focusSelected makes the selected node the root of the tree.
func (m *Model) focusSelected() tea.Cmd {
	i := m.selected()
	if i < 0 {
		return nil
	}
	m.setRoot(i)
	m.mode = modeTree
	if m.sql != sqlOff {
		return m.loadSQLCmd()
	}
	return nil
}

func (m *Model) setRoot(i int) {
	m.root = i
	m.collapsed = map[int]bool{}
	m.cursor, m.offset, m.detailScroll = 0, 0, 0
	m.rebuild()
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
	} else {
		m.mode = modeDAG
	}
}
