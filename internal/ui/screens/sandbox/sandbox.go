// Package sandbox is the sandbox screen: the contributor's own database, who they are
// connected as, how old the clone is against the team's policy, what it holds (databases →
// schemas → tables and views with rows, bytes and last change), which project models it lacks
// and which schemas nothing uses any more, with refresh and drop behind confirmations that
// name exactly what is lost. The last listing is cached so the screen paints instantly.
package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/workspace"
)

// ID is the screen id.
const ID = "sandbox"

// Opener connects to the workspace's warehouse (connect.Open in the product).
type Opener func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error)

func defaultOpener(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
	return connect.Open(ctx, ws, connect.Options{})
}

type level int

const (
	levelDatabases level = iota
	levelSchemas
	levelObjects
)

// confirmState is an open confirmation dialog.
type confirmState struct {
	title string
	lines []string
	run   func() tea.Cmd
}

// Results of the screen's tasks.
type (
	cachedResult struct{ snap *warehouse.Snapshot }
	loadResult   struct {
		snap         *warehouse.Snapshot
		dbs          []warehouse.Database
		drift        *warehouse.Drift
		targetSchema string
		warning      string
	}
	writeResult struct {
		text string
		load loadResult
	}
	alteredResult struct{ times map[string]time.Time }
)

// Model is the sandbox screen.
type Model struct {
	c    *common.Common
	open Opener
	now  func() time.Time

	w, h int

	snap      *warehouse.Snapshot
	dbs       []warehouse.Database
	drift     *warehouse.Drift
	fromCache bool
	warning   string

	loadID  int // the running load (0: none)
	writeID int // the running refresh/drop (0: none)
	altID   int
	stage   string
	err     error

	level    level
	schema   string // the schema whose objects are shown
	cursor   [3]int
	offset   [3]int
	confirm  *confirmState
	keys     keyMap
	loadedAt time.Time
	cache    rowCache
	// needsLogin is set when the start-up load stopped before an interactive login.
	needsLogin bool
}

type keyMap struct {
	Up, Down, Top, Bottom, PgUp, PgDown key.Binding
	Enter, Back                         key.Binding
	Reload, Refresh, Drop, Copy, Cancel key.Binding
	Altered, Guide                      key.Binding
	Yes, No                             key.Binding
}

func newKeys() keyMap {
	return keyMap{
		Up:      key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("k/↑", "up")),
		Down:    key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("j/↓", "down")),
		Top:     key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:  key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		PgUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PgDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdown", "page down")),
		Enter:   key.NewBinding(key.WithKeys("enter", "l", "right"), key.WithHelp("enter", "open")),
		Back:    key.NewBinding(key.WithKeys("esc", "h", "left", "backspace"), key.WithHelp("esc", "back")),
		Reload:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload the listing")),
		Refresh: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh the sandbox from the clone")),
		Drop:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "drop the selected schema")),
		Copy:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy the fully-qualified name")),
		Cancel:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel loading")),
		Altered: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "load last-altered times")),
		Guide:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open the guide for this error")),
		Yes:     key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y", "confirm")),
		No:      key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel")),
	}
}

// New builds the screen.
func New(c *common.Common) *Model { return newModel(c, defaultOpener, time.Now) }

func newModel(c *common.Common, open Opener, now func() time.Time) *Model {
	return &Model{c: c, open: open, now: now, keys: newKeys(), level: levelSchemas}
}

// ID implements common.Screen.
func (m *Model) ID() string { return ID }

// Title implements common.Screen.
func (m *Model) Title() string { return "Sandbox" }

// Capturing implements common.Screen (no text input).
func (m *Model) Capturing() bool { return m.confirm != nil }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// KeyMap implements common.Screen.
func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	if m.confirm != nil {
		return []key.Binding{k.Yes, k.No}
	}
	return []key.Binding{k.Up, k.Down, k.Enter, k.Back, k.Reload, k.Refresh, k.Drop, k.Copy, k.Altered, k.Cancel, k.Guide}
}

// Actions implements common.Screen.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "sandbox.reload", Title: "Sandbox: reload the listing", Hint: "r", Run: func() tea.Cmd { return m.startLoad() }},
		{ID: "sandbox.refresh", Title: "Sandbox: refresh from the clone", Hint: "R", Run: func() tea.Cmd { m.askRefresh(); return nil }},
		{ID: "sandbox.cleanup", Title: "Sandbox: drop a schema nothing uses", Hint: "D", Run: func() tea.Cmd { m.askDropLeftover(); return nil }},
	}
}

// Init implements common.Screen: paint the cached listing first, then load the live one.
func (m *Model) Init() tea.Cmd {
	ws := m.c.Workspace
	if ws == nil {
		return nil
	}
	stateDir := ws.StateDir
	_, cmd := m.c.Tasks.Start(ID, "Reading the cached sandbox listing", func(ctx context.Context, _ tasks.Emit) (any, error) {
		s, err := warehouse.LoadSnapshot(stateDir)
		if err != nil {
			return cachedResult{}, nil // no cache: the live load paints
		}
		return cachedResult{snap: s}, nil
	})
	return tea.Batch(cmd, m.load(true))
}

// startLoad lists the sandbox, logging in however the profile says.
func (m *Model) startLoad() tea.Cmd { return m.load(false) }

// errNeedsLogin stops an automatic load whose login would need the person (a browser
// window): the app starts every screen at launch, and a browser must not pop up then.
var errNeedsLogin = errors.New("signing in needs you")

// interactive is implemented by engines whose login needs the person.
type interactive interface{ Interactive() bool }

// load lists the sandbox level by level; each level is painted as it arrives. auto is set
// for the load at start-up, which does not start an interactive login.
func (m *Model) load(auto bool) tea.Cmd {
	ws := m.c.Workspace
	if ws == nil || m.loadID != 0 {
		return nil
	}
	open := m.open
	id, cmd := m.c.Tasks.Start(ID, "Listing your sandbox", func(ctx context.Context, emit tasks.Emit) (any, error) {
		emit(warehouse.Progress{Stage: "connecting"})
		w, t, err := open(ctx, ws)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		if i, ok := w.(interactive); ok && auto && i.Interactive() {
			return nil, errNeedsLogin
		}
		return inspect(ctx, w, t, ws, func(p warehouse.Progress) { emit(p) })
	})
	m.needsLogin = false
	m.loadID, m.stage, m.err = id, "connecting", nil
	return cmd
}

// inspect is the whole listing: the sandbox, the databases beside it, and the comparison
// with the project. It runs in a task.
func inspect(ctx context.Context, w warehouse.Warehouse, t *dbt.Target, ws *workspace.Workspace, progress func(warehouse.Progress)) (loadResult, error) {
	snap, err := warehouse.Inspect(ctx, w, ws.Config, progress)
	if err != nil {
		return loadResult{}, err
	}
	res := loadResult{snap: snap, targetSchema: t.Schema}
	if res.dbs, err = w.ListDatabases(ctx); err != nil {
		return loadResult{}, err
	}
	if g, err := dbt.LoadProject(ws.ProjectDir, dbt.LoadOptions{CacheDir: ws.StateDir}); err == nil {
		d := warehouse.Compare(g, snap, t.Schema, ws.ProjectDir)
		res.drift = &d
	} else {
		res.warning = "The project could not be read to compare it with the sandbox: " + err.Error()
	}
	if dir, err := ws.EnsureStateDir(); err == nil {
		_ = warehouse.SaveSnapshot(dir, snap) // only the next first paint depends on it
	}
	return res, nil
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tasks.EventMsg:
		if msg.Owner != ID || msg.ID != m.loadID {
			return nil
		}
		if p, ok := msg.Event.(warehouse.Progress); ok {
			m.stage = p.Stage
			if p.Snapshot != nil {
				m.snap, m.fromCache = p.Snapshot, false
			}
		}
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.done(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg:
		if msg.Button == tea.MouseWheelUp {
			m.move(-3)
		} else if msg.Button == tea.MouseWheelDown {
			m.move(3)
		}
	}
	return nil
}

func (m *Model) done(msg tasks.DoneMsg) tea.Cmd {
	switch r := msg.Result.(type) {
	case cachedResult:
		if r.snap != nil && m.snap == nil {
			m.snap, m.fromCache = r.snap, true
		}
		return nil
	}
	switch msg.ID {
	case m.loadID:
		m.loadID, m.stage = 0, ""
		if msg.Cancelled {
			return common.Status(common.StatusInfo, "Stopped loading the sandbox listing")
		}
		if errors.Is(msg.Err, errNeedsLogin) {
			m.needsLogin = true
			return nil
		}
		if msg.Err != nil {
			m.err = msg.Err
			return nil
		}
		if r, ok := msg.Result.(loadResult); ok {
			m.apply(r)
			return common.Publish(ID, common.TopicSandbox) // Home's card reads the saved listing
		}
	case m.writeID:
		m.writeID, m.stage = 0, ""
		if msg.Err != nil {
			m.err = msg.Err
			if msg.Cancelled {
				return common.Status(common.StatusWarning, "Cancelled: your sandbox was left as it was")
			}
			return common.Status(common.StatusError, firstLine(msg.Err.Error()))
		}
		if r, ok := msg.Result.(writeResult); ok {
			m.err = nil
			if r.load.snap != nil {
				m.apply(r.load)
			}
			return tea.Batch(common.Status(common.StatusSuccess, r.text), common.Publish(ID, common.TopicSandbox))
		}
	case m.altID:
		m.altID = 0
		if msg.Err != nil {
			m.err = msg.Err
			return nil
		}
		if r, ok := msg.Result.(alteredResult); ok && m.snap != nil {
			m.cache = rowCache{} // the cached rows hold copies of the objects
			for i := range m.snap.Objects {
				if t, ok := r.times[m.snap.Objects[i].Key()]; ok {
					m.snap.Objects[i].LastAltered = t
				}
			}
		}
	}
	return nil
}

func (m *Model) apply(r loadResult) {
	m.snap, m.dbs, m.drift, m.warning, m.fromCache, m.err = r.snap, r.dbs, r.drift, r.warning, false, nil
	m.loadedAt = m.now()
	m.clamp()
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.confirm != nil {
		switch {
		case key.Matches(msg, k.Yes):
			run := m.confirm.run
			m.confirm = nil
			return run()
		case key.Matches(msg, k.No):
			m.confirm = nil
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.move(-1 << 30)
	case key.Matches(msg, k.Bottom):
		m.move(1 << 30)
	case key.Matches(msg, k.PgUp):
		m.move(-max(m.listHeight()-1, 1))
	case key.Matches(msg, k.PgDown):
		m.move(max(m.listHeight()-1, 1))
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, k.Back):
		if m.level > levelDatabases {
			m.level--
		}
	case key.Matches(msg, k.Reload):
		return m.startLoad()
	case key.Matches(msg, k.Refresh):
		m.askRefresh()
	case key.Matches(msg, k.Drop):
		m.askDrop()
	case key.Matches(msg, k.Copy):
		return m.copyName()
	case key.Matches(msg, k.Cancel):
		for _, id := range []int{m.loadID, m.writeID, m.altID} {
			if id != 0 {
				m.c.Tasks.Cancel(id)
			}
		}
	case key.Matches(msg, k.Altered):
		return m.loadAltered()
	case key.Matches(msg, k.Guide):
		if g := guideOf(m.err); g != "" {
			return func() tea.Msg { return common.OpenGuideMsg{Slug: g} }
		}
	}
	return nil
}

func guideOf(err error) string {
	var we *warehouse.Error
	var re *warehouse.RefusedError
	switch {
	case errors.As(err, &we):
		return we.Guide
	case errors.As(err, &re):
		return warehouse.GuideSandbox
	case err != nil:
		return warehouse.GuideSetup
	}
	return ""
}

func (m *Model) enter() tea.Cmd {
	switch m.level {
	case levelDatabases:
		dbs := m.databaseRows()
		if i := m.cursor[levelDatabases]; i < len(dbs) {
			if m.snap != nil && warehouse.SameName(dbs[i].Name, m.snap.Policy.Sandbox) {
				m.level = levelSchemas
				return nil
			}
			return common.Status(common.StatusInfo, "Only your sandbox is listed in detail; "+dbs[i].Name+" is shown for reference")
		}
	case levelSchemas:
		totals := m.schemaRows()
		if i := m.cursor[levelSchemas]; i < len(totals) {
			m.schema = totals[i].Name
			m.level = levelObjects
			m.cursor[levelObjects], m.offset[levelObjects] = 0, 0
		}
	}
	return nil
}

// sandboxName is the name to write: the listed database when it exists, else the policy's.
func (m *Model) sandboxName() string {
	if m.snap == nil {
		return ""
	}
	if m.snap.Exists && m.snap.Sandbox.Name != "" {
		return m.snap.Sandbox.Name
	}
	return m.snap.Policy.Sandbox
}

// readOnly is why the write guard refuses every write now ("" when it does not): a
// datatui.yml with errors, or a session that is not the profile's user.
func (m *Model) readOnly() string {
	if m.snap != nil && m.snap.Policy.ReadOnly != "" {
		return m.snap.Policy.ReadOnly
	}
	if ws := m.c.Workspace; ws != nil && ws.ConfigErr != nil {
		return warehouse.NewPolicy(nil, ws.ConfigErr, "").ReadOnly
	}
	return ""
}

func (m *Model) askRefresh() {
	if m.snap == nil || m.writeID != 0 {
		return
	}
	p := m.snap.Policy
	name := m.sandboxName()
	if ro := m.readOnly(); ro != "" {
		m.err = &warehouse.RefusedError{Database: name, Reason: ro}
		return
	}
	if err := p.CheckWrite(name); err != nil {
		m.err = err
		return
	}
	lines := []string{fmt.Sprintf("Replace %s with a fresh clone of %s.", name, p.Clone)}
	if m.snap.Exists {
		lines = append(lines, fmt.Sprintf("Everything now in %s is lost: %d schemas, %d tables and views (%s).",
			name, len(m.snap.Schemas), len(m.snap.Objects), warehouse.HumanBytes(m.snap.TotalBytes())))
	}
	m.confirm = &confirmState{title: "Refresh " + name + "?", lines: lines, run: func() tea.Cmd {
		return m.startWrite("Refreshing "+name+" from "+p.Clone, func(ctx context.Context, w warehouse.Warehouse) (string, error) {
			return fmt.Sprintf("Refreshed %s from %s", name, p.Clone), w.Refresh(ctx, name)
		})
	}}
}

func (m *Model) askDrop() {
	if m.snap == nil || m.writeID != 0 || m.level != levelSchemas {
		if m.level == levelObjects {
			m.askDropSchema(m.schema)
		}
		return
	}
	rows := m.schemaRows()
	if i := m.cursor[levelSchemas]; i < len(rows) {
		m.askDropSchema(rows[i].Name)
	}
}

func (m *Model) askDropLeftover() {
	if m.drift != nil && len(m.drift.Leftover) > 0 {
		m.askDropSchema(m.drift.Leftover[0])
	}
}

func (m *Model) askDropSchema(schema string) {
	if m.snap == nil || schema == "" {
		return
	}
	db := m.sandboxName()
	if ro := m.readOnly(); ro != "" {
		m.err = &warehouse.RefusedError{Database: db, Reason: ro}
		return
	}
	if err := m.snap.Policy.CheckWrite(db); err != nil {
		m.err = err
		return
	}
	var tables, views int
	var names []string
	for _, o := range m.snap.Objects {
		if o.Schema == schema {
			if o.Kind == warehouse.KindView {
				views++
			} else {
				tables++
			}
			names = append(names, o.Name)
		}
	}
	lines := []string{fmt.Sprintf("Drop schema %s.%s and everything in it: %d tables, %d views.", db, schema, tables, views)}
	if len(names) > 0 {
		if len(names) > 6 {
			names = append(names[:6], fmt.Sprintf("and %d more", len(names)-6))
		}
		lines = append(lines, strings.Join(names, ", "))
	}
	if m.drift != nil && !containsFold(m.drift.Leftover, schema) {
		lines = append(lines, "Models of this project build into it: dbt recreates it on the next build.")
	}
	m.confirm = &confirmState{title: "Drop schema " + schema + "?", lines: lines, run: func() tea.Cmd {
		return m.startWrite("Dropping schema "+schema, func(ctx context.Context, w warehouse.Warehouse) (string, error) {
			return "Dropped schema " + db + "." + schema, w.DropSchema(ctx, db, schema)
		})
	}}
}

func containsFold(l []string, s string) bool {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// startWrite runs a write, then lists the sandbox again.
func (m *Model) startWrite(title string, fn func(context.Context, warehouse.Warehouse) (string, error)) tea.Cmd {
	ws, open := m.c.Workspace, m.open
	id, cmd := m.c.Tasks.Start(ID, title, func(ctx context.Context, emit tasks.Emit) (any, error) {
		w, t, err := open(ctx, ws)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		text, err := fn(ctx, w)
		if err != nil {
			return nil, err
		}
		load, err := inspect(ctx, w, t, ws, nil)
		if err != nil {
			return writeResult{text: text + " (listing it again failed: " + firstLine(err.Error()) + ")"}, nil
		}
		return writeResult{text: text, load: load}, nil
	})
	m.writeID, m.stage = id, strings.ToLower(title[:1])+title[1:]
	return cmd
}

func (m *Model) loadAltered() tea.Cmd {
	if m.snap == nil || !m.snap.Exists || m.altID != 0 {
		return nil
	}
	ws, open, db := m.c.Workspace, m.open, m.snap.Sandbox.Name
	id, cmd := m.c.Tasks.Start(ID, "Reading when tables last changed", func(ctx context.Context, _ tasks.Emit) (any, error) {
		w, _, err := open(ctx, ws)
		if err != nil {
			return nil, err
		}
		defer w.Close()
		times, err := w.LastAltered(ctx, db)
		return alteredResult{times: times}, err
	})
	m.altID = id
	return cmd
}

func (m *Model) copyName() tea.Cmd {
	if m.snap == nil {
		return nil
	}
	var name string
	switch m.level {
	case levelDatabases:
		if rows := m.databaseRows(); m.cursor[0] < len(rows) {
			name = warehouse.QuoteIdent(rows[m.cursor[0]].Name)
		}
	case levelSchemas:
		if rows := m.schemaRows(); m.cursor[1] < len(rows) {
			name = warehouse.QuoteIdent(m.sandboxName()) + "." + warehouse.QuoteIdent(rows[m.cursor[1]].Name)
		}
	case levelObjects:
		if rows := m.objectRows(); m.cursor[2] < len(rows) {
			o := rows[m.cursor[2]]
			o.Database = m.sandboxName()
			name = o.FQN()
		}
	}
	if name == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(name), common.Status(common.StatusSuccess, "Copied "+name))
}

// Rows per level.

func (m *Model) databaseRows() []warehouse.Database {
	if len(m.dbs) > 0 {
		return m.dbs
	}
	if m.snap != nil && m.snap.Exists {
		return []warehouse.Database{m.snap.Sandbox}
	}
	return nil
}

// rowCache keeps the per-level rows of one snapshot, so frames do not re-scan thousands of
// objects. It is rebuilt when the snapshot, its objects or the open schema change.
type rowCache struct {
	snap    *warehouse.Snapshot
	nObj    int
	schema  string
	totals  []warehouse.SchemaTotal
	objects []warehouse.Object
}

func (m *Model) rows() *rowCache {
	rc := &m.cache
	if rc.snap != m.snap || rc.nObj != len(m.snap.Objects) || rc.schema != m.schema || (rc.totals == nil && len(m.snap.Schemas)+len(m.snap.Objects) > 0) {
		*rc = rowCache{snap: m.snap, nObj: len(m.snap.Objects), schema: m.schema, totals: m.snap.SchemaTotals()}
		for _, o := range m.snap.Objects {
			if o.Schema == m.schema {
				rc.objects = append(rc.objects, o)
			}
		}
	}
	return rc
}

func (m *Model) schemaRows() []warehouse.SchemaTotal {
	if m.snap == nil {
		return nil
	}
	return m.rows().totals
}

func (m *Model) objectRows() []warehouse.Object {
	if m.snap == nil {
		return nil
	}
	return m.rows().objects
}

func (m *Model) rowCount() int {
	switch m.level {
	case levelDatabases:
		return len(m.databaseRows())
	case levelSchemas:
		return len(m.schemaRows())
	}
	return len(m.objectRows())
}

func (m *Model) move(d int) {
	n := m.rowCount()
	c := &m.cursor[m.level]
	*c = min(max(*c+d, 0), max(n-1, 0))
	m.scroll()
}

func (m *Model) clamp() { m.move(0) }

// scroll keeps the cursor inside the visible window.
func (m *Model) scroll() {
	h := max(m.listHeight(), 1)
	c, off := m.cursor[m.level], &m.offset[m.level]
	if c < *off {
		*off = c
	}
	if c >= *off+h {
		*off = c - h + 1
	}
}
