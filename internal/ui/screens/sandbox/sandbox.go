// Package sandbox is the sandbox screen: the contributor's own database, who they are
// connected as, how old the clone is against the team's policy, and what it holds, k9s-style:
// databases → schemas → tables and views → one table's columns (with the dbt node that builds
// it, its last run, and on request its first rows). The models the sandbox lacks open as a
// list that can be built through the Runs screen; schemas nothing uses can be dropped. Every
// list filters with `/`; refresh and drop ask first, naming exactly what is lost. The last
// listing is cached so the screen paints instantly.
package sandbox

import (
	"context"
	"errors"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/confirm"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// ID is the screen id.
const ID = "sandbox"

// previewRows is how many rows a preview reads.
const previewRows = 20

// Opener connects to the workspace's warehouse (the shared services' OpenWarehouse in the
// product; tests hand the screen a fake engine).
type Opener func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error)

// serviceOpener opens the warehouse through the services the CLI uses too.
func serviceOpener(svc *service.Services) Opener {
	return func(ctx context.Context, _ *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		return svc.OpenWarehouse(ctx)
	}
}

type level int

const (
	levelDatabases level = iota
	levelSchemas
	levelObjects
	levelTable
	levelMissing
	levelAccess
)

// Results of the screen's tasks.
type (
	loadResult struct {
		snap         *warehouse.Snapshot
		dbs          []warehouse.Database
		drift        *warehouse.Drift
		newer        []dbt.FreshnessResult
		targetSchema string
		warning      string
		// access is what the role lacks against the team's Terraform (nil: none kept).
		access *access.Report
	}
	writeResult struct {
		text string
		load loadResult
	}
)

// pending is the operation an open confirmation dialog stands for.
type pending func() tea.Cmd

// Model is the sandbox screen.
type Model struct {
	c    *common.Common
	open Opener
	now  func() time.Time

	w, h int

	snap      *warehouse.Snapshot
	dbs       []warehouse.Database
	drift     *warehouse.Drift
	newer     []dbt.FreshnessResult // sources loaded since the sandbox was copied
	fromCache bool
	warning   string
	access    *access.Report
	// request is the last grant request started here, said under the access list.
	request *access.Request

	cacheTask   tasks.Ref[*warehouse.Snapshot]
	loadTask    tasks.Ref[loadResult]
	writeTask   tasks.Ref[writeResult]
	alteredTask tasks.Ref[map[string]time.Time]
	detailTask  tasks.Ref[*warehouse.TableDetail]
	requestTask tasks.Ref[access.Request]
	stage       string
	err         error

	level   level
	schema  string // the schema whose objects are shown
	dbList  *list.Model[warehouse.Database]
	schList *list.Model[warehouse.SchemaTotal]
	objList *list.Model[warehouse.Object]
	colList *list.Model[warehouse.Column]
	misList *list.Model[warehouse.ModelState]
	accList *list.Model[tfgrants.Finding]
	detail  *warehouse.TableDetail
	// showPreview is set while the table level shows the preview instead of the columns.
	showPreview bool

	dialog  *confirm.Dialog
	onYes   pending
	keys    keyMap
	altered bool // last-altered times were loaded for this listing
	// needsLogin is set when the start-up load stopped before an interactive login.
	needsLogin bool
}

type keyMap struct {
	Enter, Back                         key.Binding
	Reload, Refresh, Drop, Copy, Cancel key.Binding
	Altered, Guide, Preview             key.Binding
	Missing, Build                      key.Binding
	Access, Ask                         key.Binding
}

func newKeys() keyMap {
	return keyMap{
		Enter:   key.NewBinding(key.WithKeys("enter", "l", "right"), key.WithHelp("enter", "open")),
		Back:    key.NewBinding(key.WithKeys("esc", "h", "left", "backspace"), key.WithHelp("esc", "back")),
		Reload:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload the listing")),
		Refresh: key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "refresh the sandbox from the clone")),
		Drop:    key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "drop the selected schema")),
		Copy:    key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy the fully-qualified name")),
		Cancel:  key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel loading")),
		Altered: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "load last-altered times")),
		Guide:   key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open the guide for this error")),
		Preview: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "preview the first rows")),
		Missing: key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "models not built here")),
		Build:   key.NewBinding(key.WithKeys("B"), key.WithHelp("B", "build the models not built")),
		Access:  key.NewBinding(key.WithKeys("A"), key.WithHelp("A", "grants your role lacks")),
		Ask:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "ask for it: its Terraform line in your editor, on a new branch")),
	}
}

// New builds the screen.
func New(c *common.Common) *Model { return newModel(c, serviceOpener(c.Svc()), time.Now) }

func newModel(c *common.Common, open Opener, now func() time.Time) *Model {
	nav := &c.KeyMap().Nav
	return &Model{c: c, open: open, now: now, keys: newKeys(), level: levelSchemas,
		dbList:  list.New(nav, func(d warehouse.Database) string { return d.Name }),
		schList: list.New(nav, func(s warehouse.SchemaTotal) string { return s.Name }),
		objList: list.New(nav, func(o warehouse.Object) string { return o.Name + " " + o.Kind }),
		colList: list.New(nav, func(c warehouse.Column) string { return c.Name + " " + c.Type }),
		misList: list.New(nav, func(s warehouse.ModelState) string { return s.Name + " " + s.Relation }),
		accList: list.New(nav, func(f tfgrants.Finding) string { return f.Need.Privilege + " " + f.Need.Name() + " " + f.Where.Where() }),
	}
}

// ID implements common.Screen.
func (m *Model) ID() string { return ID }

// Title implements common.Screen.
func (m *Model) Title() string { return "Sandbox" }

// Capturing implements common.Screen: a dialog or a list's filter has the keyboard.
func (m *Model) Capturing() bool { return m.dialog != nil || m.filtering() }

func (m *Model) filtering() bool {
	switch m.level {
	case levelDatabases:
		return m.dbList.Filtering()
	case levelSchemas:
		return m.schList.Filtering()
	case levelObjects:
		return m.objList.Filtering()
	case levelTable:
		return m.colList.Filtering()
	case levelAccess:
		return m.accList.Filtering()
	}
	return m.misList.Filtering()
}

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.layout()
}

// KeyMap implements common.Screen.
func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	if m.dialog != nil {
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "confirm")), key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", "cancel"))}
	}
	nav := m.c.KeyMap().Nav
	out := []key.Binding{nav.Up, nav.Down, k.Enter, k.Back, nav.Filter}
	switch m.level {
	case levelTable:
		out = append(out, k.Preview, k.Copy)
	case levelMissing:
		out = append(out, k.Build)
	case levelAccess:
		out = append(out[:2], k.Ask, k.Back, nav.Filter)
	default:
		out = append(out, k.Missing, k.Access, k.Drop, k.Copy, k.Altered)
	}
	return append(out, k.Reload, k.Refresh, k.Cancel, k.Guide)
}

// Actions implements common.Screen.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "sandbox.reload", Title: "Sandbox: reload the listing", Hint: "r", Run: func() tea.Cmd { return m.load(false) }},
		{ID: "sandbox.refresh", Title: "Sandbox: refresh from the clone", Hint: "R", Run: func() tea.Cmd { m.askRefresh(); return nil }},
		{ID: "sandbox.cleanup", Title: "Sandbox: drop a schema nothing uses", Hint: "D", Run: func() tea.Cmd { m.askDropLeftover(); return nil }},
		{ID: "sandbox.missing", Title: "Sandbox: list the models not built here", Hint: "m", Run: func() tea.Cmd { m.openMissing(); return nil }},
		{ID: "sandbox.build", Title: "Sandbox: build the models not built here", Hint: "B", Run: func() tea.Cmd { m.askBuild(); return nil }},
		{ID: "sandbox.access", Title: "Sandbox: grants your role lacks, and asking for them", Hint: "A", Run: func() tea.Cmd { m.openAccess(); return nil }},
	}
}

// Init implements common.Screen: paint the cached listing first, then load the live one.
func (m *Model) Init() tea.Cmd {
	ws := m.c.Workspace
	if ws == nil {
		return nil
	}
	stateDir := ws.StateDir
	var cmd tea.Cmd
	m.cacheTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Reading the cached sandbox listing"},
		func(context.Context, tasks.Emit) (*warehouse.Snapshot, error) {
			s, err := warehouse.LoadSnapshot(stateDir)
			if err != nil {
				return nil, nil // no cache: the live load paints
			}
			return s, nil
		})
	return tea.Batch(cmd, m.load(true))
}

// errNeedsLogin stops an automatic load whose login would need the person (a browser
// window): the app starts every screen at launch, and a browser must not pop up then.
var errNeedsLogin = errors.New("signing in needs you")

// interactive is implemented by engines whose login needs the person.
type interactive interface{ Interactive() bool }

// load lists the sandbox level by level; each level is painted as it arrives. auto is set
// for the load at start-up, which does not start an interactive login.
func (m *Model) load(auto bool) tea.Cmd {
	ws := m.c.Workspace
	if ws == nil || m.loadTask.ID() != 0 {
		return nil
	}
	open, svc := m.open, m.c.Svc()
	var cmd tea.Cmd
	m.loadTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Listing your sandbox", Slot: "load"},
		func(ctx context.Context, emit tasks.Emit) (loadResult, error) {
			emit(warehouse.Progress{Stage: "connecting"})
			w, t, err := open(ctx, ws)
			if err != nil {
				return loadResult{}, err
			}
			defer w.Close()
			if i, ok := w.(interactive); ok && auto && i.Interactive() {
				return loadResult{}, errNeedsLogin
			}
			return inspect(ctx, svc, w, t, func(p warehouse.Progress) { emit(p) })
		})
	m.needsLogin = false
	m.stage, m.err = "connecting", nil
	return cmd
}

// inspect is the whole listing — the sandbox, the databases beside it, the comparison with
// the project — by the service `datatui sandbox status` calls too. It runs in a task.
func inspect(ctx context.Context, svc *service.Services, w warehouse.Warehouse, t *profiles.Target, progress func(warehouse.Progress)) (loadResult, error) {
	l, err := svc.InspectSandbox(ctx, w, t, service.InspectOptions{Databases: true, Progress: progress})
	if err != nil {
		return loadResult{}, err
	}
	warnings := l.Warnings
	// The grants check is whoami's: the team's Terraform, and the session's grants where the
	// engine has roles. A failure is a warning; the listing stands without it.
	live, liveErr := w.Grants(ctx)
	rep, err := svc.CheckAccess(ctx, w, l.Snapshot.Identity, live, liveErr)
	if err != nil && ctx.Err() == nil {
		warnings = append(warnings, "Could not check the team's Terraform grants: "+err.Error())
	}
	return loadResult{snap: l.Snapshot, dbs: l.Databases, drift: l.Drift, newer: l.NewerLoads, targetSchema: l.TargetSchema,
		warning: strings.Join(warnings, " "), access: rep}, nil
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tasks.EventMsg:
		if ev, ok := m.loadTask.Event(msg); ok {
			if p, ok := ev.(warehouse.Progress); ok {
				m.stage = p.Stage
				if p.Snapshot != nil {
					m.setSnapshot(p.Snapshot, false)
				}
			}
		}
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.done(msg)
	case requestEditedMsg:
		return m.requestEdited(msg)
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.MouseWheelMsg, tea.PasteMsg:
		m.updateList(msg)
	}
	return nil
}

func (m *Model) done(msg tasks.DoneMsg) tea.Cmd {
	if out, ok := m.cacheTask.Done(msg); ok {
		if out.Value != nil && m.snap == nil {
			m.setSnapshot(out.Value, true)
		}
		return nil
	}
	if out, ok := m.loadTask.Done(msg); ok {
		m.loadTask, m.stage = tasks.Ref[loadResult]{}, ""
		switch {
		case out.Cancelled:
			return common.Status(common.StatusInfo, "Stopped loading the sandbox listing")
		case errors.Is(out.Err, errNeedsLogin):
			m.needsLogin = true
		case out.Err != nil:
			m.err = out.Err
		default:
			m.apply(out.Value)
			return common.Publish(ID, common.TopicSandbox) // Home's card reads the saved listing
		}
		return nil
	}
	if out, ok := m.writeTask.Done(msg); ok {
		m.writeTask, m.stage = tasks.Ref[writeResult]{}, ""
		if out.Err != nil {
			m.err = out.Err
			if out.Cancelled {
				return common.Status(common.StatusWarning, "Cancelled: your sandbox was left as it was")
			}
			return common.Status(common.StatusError, firstLine(out.Err.Error()))
		}
		m.err = nil
		if out.Value.load.snap != nil {
			m.apply(out.Value.load)
		}
		return tea.Batch(common.Status(common.StatusSuccess, out.Value.text), common.Publish(ID, common.TopicSandbox))
	}
	if out, ok := m.alteredTask.Done(msg); ok {
		m.alteredTask = tasks.Ref[map[string]time.Time]{}
		return m.applyAltered(out)
	}
	if out, ok := m.requestTask.Done(msg); ok {
		m.requestTask, m.stage = tasks.Ref[access.Request]{}, ""
		return m.requestStarted(out)
	}
	if out, ok := m.detailTask.Done(msg); ok {
		m.detailTask, m.stage = tasks.Ref[*warehouse.TableDetail]{}, ""
		if out.Value != nil {
			m.detail = out.Value
			m.colList.SetItems(out.Value.Columns)
			m.showPreview = out.Value.Preview != nil
		}
		if out.Err != nil && !out.Cancelled {
			m.err = out.Err
		}
	}
	return nil
}

// applyAltered merges last-altered times into the listing and says what it did.
func (m *Model) applyAltered(out tasks.Outcome[map[string]time.Time]) tea.Cmd {
	if out.Err != nil {
		if out.Cancelled {
			return nil
		}
		m.err = out.Err
		return nil
	}
	if m.snap == nil {
		return nil
	}
	n := 0
	for i := range m.snap.Objects {
		if t, ok := out.Value[m.snap.Objects[i].Key()]; ok && !t.IsZero() {
			m.snap.Objects[i].LastAltered = t
			n++
		}
	}
	m.altered = true
	m.refreshObjects()
	if n == 0 {
		return common.ScreenStatus(ID, common.StatusInfo, m.snap.Engine+" records no last-altered times for these tables")
	}
	return common.ScreenStatus(ID, common.StatusSuccess, "Loaded when "+plural(n, "table", "tables")+" last changed")
}

func (m *Model) apply(r loadResult) {
	m.dbs, m.drift, m.newer, m.warning, m.err = r.dbs, r.drift, r.newer, r.warning, nil
	m.access = r.access
	if m.access != nil {
		m.accList.SetItems(m.access.Findings)
	}
	m.setSnapshot(r.snap, false)
	m.dbList.SetItems(m.databaseRows())
	if m.drift != nil {
		m.misList.SetItems(m.drift.Missing)
	}
}

// setSnapshot shows snap: the schema list, and the open schema's objects.
func (m *Model) setSnapshot(s *warehouse.Snapshot, fromCache bool) {
	m.snap, m.fromCache, m.altered = s, fromCache, false
	m.schList.SetItems(s.SchemaTotals())
	m.refreshObjects()
	if len(m.dbs) == 0 {
		m.dbList.SetItems(m.databaseRows())
	}
}

// refreshObjects lists the open schema's objects from the snapshot.
func (m *Model) refreshObjects() {
	var objs []warehouse.Object
	if m.snap != nil {
		for _, o := range m.snap.Objects {
			if o.Schema == m.schema {
				objs = append(objs, o)
			}
		}
	}
	m.objList.SetItems(objs)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// updateList gives msg to the list of the current level and reports whether it used it.
func (m *Model) updateList(msg tea.Msg) bool {
	switch m.level {
	case levelDatabases:
		return m.dbList.Update(msg)
	case levelSchemas:
		return m.schList.Update(msg)
	case levelObjects:
		return m.objList.Update(msg)
	case levelTable:
		if m.showPreview {
			return false
		}
		return m.colList.Update(msg)
	case levelAccess:
		return m.accList.Update(msg)
	}
	return m.misList.Update(msg)
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	if m.dialog != nil {
		switch m.dialog.Update(msg) {
		case confirm.Yes:
			run := m.onYes
			m.dialog, m.onYes = nil, nil
			return run()
		case confirm.No:
			m.dialog, m.onYes = nil, nil
		}
		return nil
	}
	filtering := m.filtering()
	if m.updateList(msg) {
		return nil
	}
	k := m.keys
	if filtering { // enter ended the filter: open the selection at once
		if key.Matches(msg, k.Enter) {
			return m.enter()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, k.Back):
		m.back()
	case key.Matches(msg, k.Reload):
		return m.load(false)
	case key.Matches(msg, k.Refresh):
		m.askRefresh()
	case key.Matches(msg, k.Drop):
		m.askDrop()
	case key.Matches(msg, k.Copy):
		return m.copyName()
	case key.Matches(msg, k.Cancel):
		for _, id := range []int{m.loadTask.ID(), m.writeTask.ID(), m.alteredTask.ID(), m.detailTask.ID(), m.requestTask.ID()} {
			if id != 0 {
				m.c.Tasks.Cancel(id)
			}
		}
	case key.Matches(msg, k.Altered):
		return m.loadAltered()
	case key.Matches(msg, k.Preview):
		return m.askPreview()
	case key.Matches(msg, k.Missing):
		m.openMissing()
	case key.Matches(msg, k.Build):
		m.askBuild()
	case key.Matches(msg, k.Access):
		m.openAccess()
	case key.Matches(msg, k.Guide):
		if g := guideOf(m.err); g != "" {
			return func() tea.Msg { return common.OpenGuideMsg{Slug: g} }
		}
	}
	return nil
}

func (m *Model) back() {
	switch m.level {
	case levelTable:
		if m.showPreview {
			m.showPreview = false
			return
		}
		m.level = levelObjects
	case levelMissing, levelObjects, levelAccess:
		m.level = levelSchemas
	case levelSchemas:
		m.level = levelDatabases
	}
	m.layout()
}

func guideOf(err error) string {
	var we *warehouse.Error
	var re *warehouse.RefusedError
	switch {
	case errors.As(err, &we):
		return we.Guide
	case errors.As(err, &re):
		return warehouse.GuideSandbox
	case errors.As(err, new(*git.DirtyTreeError)), errors.Is(err, access.ErrNowhereToEdit):
		return guideAccess
	case err != nil:
		return warehouse.GuideSetup
	}
	return ""
}

func (m *Model) enter() tea.Cmd {
	switch m.level {
	case levelDatabases:
		d, ok := m.dbList.Selected()
		if !ok {
			return nil
		}
		if m.snap != nil && warehouse.SameName(d.Name, m.snap.Policy.Sandbox) {
			m.level = levelSchemas
			m.layout()
			return nil
		}
		return common.Status(common.StatusInfo, "Only your sandbox is listed in detail; "+d.Name+" is shown for reference")
	case levelSchemas:
		if s, ok := m.schList.Selected(); ok {
			m.schema, m.level = s.Name, levelObjects
			m.objList.ClearFilter()
			m.refreshObjects()
			m.objList.Move(-m.objList.Len())
			m.layout()
		}
	case levelObjects:
		if o, ok := m.objList.Selected(); ok {
			return m.openTable(o, 0)
		}
	case levelAccess:
		if f, ok := m.accList.Selected(); ok {
			m.askRequest(f)
		}
	}
	return nil
}

// openTable shows one object's detail: its columns and what builds it, read in a task.
func (m *Model) openTable(o warehouse.Object, rows int) tea.Cmd {
	if m.snap == nil {
		return nil
	}
	o.Database = m.sandboxName()
	if m.level != levelTable || m.detail == nil || m.detail.Object.Key() != o.Key() {
		m.detail, m.showPreview = &warehouse.TableDetail{Object: o}, false
		m.colList.ClearFilter()
		m.colList.SetItems(nil)
	}
	m.level = levelTable
	m.layout()
	ws, open, svc := m.c.Workspace, m.open, m.c.Svc()
	title := "Reading the columns of " + o.Name
	if rows > 0 {
		title = "Reading the first rows of " + o.Name
	}
	var cmd tea.Cmd
	m.detailTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: title, Slot: "detail"},
		func(ctx context.Context, _ tasks.Emit) (*warehouse.TableDetail, error) {
			w, t, err := open(ctx, ws)
			if err != nil {
				return nil, err
			}
			defer w.Close()
			return svc.DescribeTable(ctx, w, t, o, rows)
		})
	m.stage = strings.ToLower(title[:1]) + title[1:]
	return cmd
}

// askPreview reads the first rows of the open table: at once where reads bill nothing (a
// DuckDB file), after saying so where they run on billed compute (a Snowflake warehouse) or
// the engine is not known.
func (m *Model) askPreview() tea.Cmd {
	if m.level != levelTable || m.detail == nil || m.snap == nil {
		return nil
	}
	o := m.detail.Object
	if err := m.snap.Policy.CheckRead(o.Database); err != nil {
		m.err = err
		return nil
	}
	if e := m.engine(); e != nil && !e.BilledReads {
		return m.openTable(o, previewRows)
	}
	wh := m.snap.Identity.Warehouse
	if wh == "" {
		wh = "your default warehouse"
	}
	m.dialog = safeDialog(&confirm.Dialog{ID: "preview", Title: "Read the first " + plural(previewRows, "row", "rows") + " of " + o.Name + "?", Verb: "read",
		Lines: []string{"This runs SELECT * FROM " + o.FQN() + " LIMIT " + itoa(previewRows) + " on the warehouse " + wh + ", which bills its running time.",
			"Listing the sandbox uses SHOW commands only and runs no warehouse."}})
	m.onYes = func() tea.Cmd { return m.openTable(o, previewRows) }
	return nil
}

// openMissing shows the full list of models the sandbox lacks.
func (m *Model) openMissing() {
	if m.drift == nil || len(m.drift.Missing) == 0 {
		return
	}
	m.level = levelMissing
	m.layout()
}

// askBuild offers to build the models the sandbox lacks (those passing the filter when the
// list is filtered), through the Runs screen and the write guard of every dbt run.
func (m *Model) askBuild() {
	if m.drift == nil || len(m.drift.Missing) == 0 {
		return
	}
	names := m.missingSelection()
	lines := []string{"dbt build --select " + strings.Join(names, " "),
		"It runs on the Runs screen against your sandbox target; the write guard checks where it writes first."}
	m.dialog = safeDialog(&confirm.Dialog{ID: "build", Title: "Build " + plural(len(names), "model", "models") + " in your sandbox?", Verb: "build", Lines: lines})
	m.onYes = func() tea.Cmd {
		args := append([]string{"build", "--select"}, strings.Join(names, " "))
		return func() tea.Msg { return common.RunDBTMsg{Args: args} }
	}
}

// missingSelection is the names of the models to build: the filtered list's, else all.
func (m *Model) missingSelection() []string {
	var names []string
	items := m.drift.Missing
	if m.level == levelMissing {
		items = m.misList.Visible()
	}
	for _, s := range items {
		names = append(names, s.Name)
	}
	return names
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
	if m.snap == nil || m.writeTask.ID() != 0 {
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
	lines := []string{"Replace your sandbox (" + name + ") with a fresh copy of the team's clone (" + p.Clone + ")."}
	if m.snap.Exists {
		lines = append(lines, "Everything now in "+name+" is lost: "+plural(len(m.snap.Schemas), "schema", "schemas")+", "+
			plural(len(m.snap.Objects), "table or view", "tables and views")+" ("+warehouse.HumanBytes(m.snap.TotalBytes())+").")
	}
	m.dialog = safeDialog(&confirm.Dialog{ID: "refresh", Title: "Refresh " + name + "?", Verb: "refresh", Lines: lines})
	m.onYes = func() tea.Cmd {
		return m.startWrite("Refreshing "+name+" from "+p.Clone, func(ctx context.Context, w warehouse.Warehouse) (string, error) {
			return "Refreshed " + name + " from " + p.Clone, w.Refresh(ctx, name)
		})
	}
}

func (m *Model) askDrop() {
	if m.snap == nil || m.writeTask.ID() != 0 {
		return
	}
	switch m.level {
	case levelObjects:
		m.askDropSchema(m.schema)
	case levelSchemas:
		if s, ok := m.schList.Selected(); ok {
			m.askDropSchema(s.Name)
		}
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
	lines := []string{"Drop schema " + db + "." + schema + " and everything in it: " + plural(tables, "table", "tables") + ", " + plural(views, "view", "views") + "."}
	if len(names) > 0 {
		if len(names) > 6 {
			names = append(names[:6], "and "+itoa(len(names)-6)+" more")
		}
		lines = append(lines, strings.Join(names, ", "))
	}
	if m.drift != nil && !containsFold(m.drift.Leftover, schema) {
		lines = append(lines, "Models of this project build into it: dbt recreates it on the next build.")
	}
	m.dialog = safeDialog(&confirm.Dialog{ID: "drop", Title: "Drop schema " + schema + "?", Verb: "drop", Lines: lines})
	m.onYes = func() tea.Cmd {
		return m.startWrite("Dropping schema "+schema, func(ctx context.Context, w warehouse.Warehouse) (string, error) {
			return "Dropped schema " + db + "." + schema, w.DropSchema(ctx, db, schema)
		})
	}
}

// safeDialog makes a dialog built from warehouse names drawable (see safe).
func safeDialog(d *confirm.Dialog) *confirm.Dialog {
	d.Title = safe(d.Title)
	for i, l := range d.Lines {
		d.Lines[i] = safe(l)
	}
	return d
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
	ws, open, svc := m.c.Workspace, m.open, m.c.Svc()
	var cmd tea.Cmd
	m.writeTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: title, Slot: "write"},
		func(ctx context.Context, _ tasks.Emit) (writeResult, error) {
			w, t, err := open(ctx, ws)
			if err != nil {
				return writeResult{}, err
			}
			defer w.Close()
			text, err := fn(ctx, w)
			if err != nil {
				return writeResult{}, err
			}
			load, err := inspect(ctx, svc, w, t, nil)
			if err != nil {
				return writeResult{text: text + " (listing it again failed: " + firstLine(err.Error()) + ")"}, nil
			}
			return writeResult{text: text, load: load}, nil
		})
	m.stage = strings.ToLower(title[:1]) + title[1:]
	return cmd
}

// loadAltered reads when each table last changed (on Snowflake a query that needs the
// warehouse, hence on demand) and says what it did.
func (m *Model) loadAltered() tea.Cmd {
	if m.snap == nil || !m.snap.Exists || m.alteredTask.ID() != 0 {
		return nil
	}
	ws, open, db := m.c.Workspace, m.open, m.snap.Sandbox.Name
	var cmd tea.Cmd
	m.alteredTask, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Reading when tables last changed", Slot: "altered"},
		func(ctx context.Context, _ tasks.Emit) (map[string]time.Time, error) {
			w, _, err := open(ctx, ws)
			if err != nil {
				return nil, err
			}
			defer w.Close()
			return w.LastAltered(ctx, db)
		})
	return tea.Batch(cmd, common.ScreenStatus(ID, common.StatusInfo, "Reading when each table of "+db+" last changed…"))
}

func (m *Model) copyName() tea.Cmd {
	if m.snap == nil {
		return nil
	}
	var name string
	switch m.level {
	case levelDatabases:
		if d, ok := m.dbList.Selected(); ok {
			name = warehouse.QuoteIdent(d.Name)
		}
	case levelSchemas:
		if s, ok := m.schList.Selected(); ok {
			name = warehouse.QuoteIdent(m.sandboxName()) + "." + warehouse.QuoteIdent(s.Name)
		}
	case levelObjects:
		if o, ok := m.objList.Selected(); ok {
			o.Database = m.sandboxName()
			name = o.FQN()
		}
	case levelTable:
		if m.detail != nil {
			name = m.detail.Object.FQN()
		}
	}
	if name == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(name), common.Status(common.StatusSuccess, "Copied "+name))
}

func (m *Model) databaseRows() []warehouse.Database {
	if len(m.dbs) > 0 {
		return m.dbs
	}
	if m.snap != nil && m.snap.Exists {
		return []warehouse.Database{m.snap.Sandbox}
	}
	return nil
}
