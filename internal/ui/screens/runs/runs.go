// Package runs is the runs screen: dbt runs started from datatui (running and past), and for
// one run a live progress bar with an ETA, the nodes table with failures first, the error of
// the selected failure, the compiled SQL or model file one key away, and the raw log.
package runs

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// ID is the screen id.
const ID = "runs"

// batch is what the run task emits: every event available at that moment, so a fast dbt log
// costs one message (and one redraw) per batch instead of one per line.
type batch []ops.Event

// maxBatch bounds one batch, so a flood still reaches the screen in pieces.
const maxBatch = 4096

// run is one dbt run: live (this session) or from the history.
type run struct {
	taskID     int
	args       []string
	command    string
	selection  string
	started    time.Time
	running    bool
	cancelling bool
	progress   ops.Progress
	nodes      map[string]*ops.NodeResult
	order      []string
	log        *ops.RingBuffer
	// Set when it ended.
	finished  bool
	duration  time.Duration
	exitCode  int
	cancelled bool
	err       error
	fatal     string
	// errs are dbt's error texts that belong to no node (a failed run-operation, dbt debug).
	errs            []string
	nothingSelected bool
	summary         ops.Summary
	version         string
	engine          ops.Engine
	container       string
	// fromHistory runs have no nodes or log, only the history entry.
	fromHistory bool
	failedIDs   []string
}

func newRun(args []string, taskID int, now time.Time) *run {
	return &run{taskID: taskID, args: args, command: ops.CommandOf(args), selection: ops.SelectionOf(args), started: now,
		running: true, nodes: map[string]*ops.NodeResult{}, log: ops.NewRingBuffer(0, 0), exitCode: -1}
}

func runFromHistory(e ops.HistoryEntry) *run {
	return &run{args: e.Args, command: e.Command, selection: e.Selection, started: e.Started, finished: true, duration: e.Duration(),
		exitCode: e.ExitCode, cancelled: e.Cancelled, summary: e.Counts, fromHistory: true, failedIDs: e.Failed,
		progress: ops.Progress{Done: e.Counts.Total, Total: e.Counts.Total}}
}

func (r *run) apply(e ops.Event) {
	switch e := e.(type) {
	case ops.Started:
		if !e.At.IsZero() {
			r.started = e.At
		}
		r.engine, r.container = e.Engine, e.Container
	case ops.Progress:
		r.progress = e
	case ops.NodeResult:
		n := e
		if old := n.Replaces; old != "" && r.nodes[old] != nil && r.nodes[n.UniqueID] == nil {
			// dbt named the node by schema and name first, by unique id now.
			delete(r.nodes, old)
			for i, id := range r.order {
				if id == old {
					r.order[i] = n.UniqueID
				}
			}
		}
		if r.nodes[n.UniqueID] == nil {
			r.order = append(r.order, n.UniqueID)
		}
		r.nodes[n.UniqueID] = &n
	case ops.Line:
		r.log.Add(e.Text)
	case ops.Done:
		r.end(e.ExitCode, e.Cancelled, e.Err, e.Summary)
	}
}

func (r *run) end(code int, cancelled bool, err error, sum ops.Summary) {
	r.running, r.cancelling, r.finished = false, false, true
	r.exitCode, r.cancelled, r.err, r.summary = code, cancelled, err, sum
}

// result takes the runner's final word (it also covers events dropped after a cancel).
func (r *run) result(res *ops.Result) {
	for _, n := range res.Nodes {
		r.apply(n)
	}
	r.end(res.ExitCode, res.Cancelled, res.Err, res.Summary)
	if !res.Started.IsZero() {
		r.started = res.Started
	}
	r.duration = res.Duration
	r.fatal = res.Fatal
	r.errs = res.Errors
	r.nothingSelected = res.NothingSelected
	r.version = res.Version
	r.engine, r.container = res.Engine, res.Container
	if res.Total > 0 {
		r.progress.Total = res.Total
	}
	r.progress.Done = len(res.Nodes)
	if res.Log != nil && res.Log.Total() > r.log.Total() {
		r.log = res.Log
	}
}

func (r *run) title() string {
	t := "dbt " + r.command
	if r.selection != "" {
		t += " " + r.selection
	}
	return t
}

// state is what became of a run, as the screen tells it.
type state int

const (
	stateRunning state = iota
	stateCancelling
	stateDone       // exit 0
	stateWarned     // exit 0 with warnings
	stateFailed     // exit 1: some nodes failed
	stateStopped    // dbt stopped before or outside the run: exit 2, a signal, a crash
	stateCancelled  // cancelled from datatui, or dbt reported Ctrl-C
	stateNotStarted // dbt could not be started (not installed, a refused target)
)

func (r *run) state() state {
	switch {
	case r.cancelling && r.running:
		return stateCancelling
	case r.running:
		return stateRunning
	case r.cancelled:
		return stateCancelled
	case r.exitCode < 0:
		return stateNotStarted
	case r.exitCode == 0 && r.summary.Warn > 0:
		return stateWarned
	case r.exitCode == 0:
		return stateDone
	case r.exitCode == 1:
		return stateFailed
	}
	return stateStopped
}

// status is the run's state as a status word for icons.
func (r *run) status() string {
	switch r.state() {
	case stateRunning, stateCancelling:
		return "running"
	case stateCancelled:
		return "cancelled"
	case stateDone:
		return "success"
	case stateWarned:
		return "warn"
	}
	return "error"
}

// message is dbt's own word on the run as a whole: its fatal error, the error texts that
// belong to no node, or why it could not start.
func (r *run) message() string {
	var parts []string
	if f := strings.TrimSpace(r.fatal); f != "" {
		parts = append(parts, f)
	}
	for _, e := range r.errs {
		if e = strings.TrimSpace(e); e != "" {
			parts = append(parts, e)
		}
	}
	var me *ops.MissingDBTError
	if len(parts) == 0 && r.err != nil && r.exitCode < 0 && !errors.As(r.err, &me) {
		parts = append(parts, r.err.Error())
	}
	return strings.Join(parts, "\n\n")
}

type mode int

const (
	modeList mode = iota
	modeDetail
	modeLog
	// modeText shows one text whole (a node's error, dbt's message), wrapped and scrollable.
	modeText
)

// textView is the text modeText shows.
type textView struct {
	title, body string
	top         int
	back        mode
}

// tickMsg redraws a running run once a second, so its time moves while dbt is silent.
type tickMsg struct{ seq int }

// sortKey orders the nodes table.
type sortKey int

const (
	sortFailuresFirst sortKey = iota
	sortName
	sortDuration
	sortType
	sortKeys
)

func (s sortKey) String() string {
	return [...]string{"failures first", "name", "duration", "type"}[s]
}

// Model is the runs screen.
type Model struct {
	c   *common.Common
	now func() time.Time
	// loc is the zone start times are shown in: the user's own, pinned by tests.
	loc *time.Location
	// newRunner builds the runner of a run (tests replace it).
	newRunner func() *ops.Runner

	runs []*run // newest first
	// runList is the runs, newest first, with the shared `/` filter.
	runList *list.Model[*run]
	cur     *run // the run shown in detail
	mode    mode

	// nodes is the shown run's nodes table in the chosen order, with the shared `/` filter.
	nodes *list.Model[*ops.NodeResult]
	sort  sortKey

	logTop    int
	logFollow bool

	text *textView

	// after schedules a message (tea.Tick; tests replace it); tickSeq keeps one tick going.
	after   func(time.Duration, tea.Msg) tea.Cmd
	tickSeq int

	history tasks.Ref[[]ops.HistoryEntry]
	histErr error

	w, h int
	nav  *keys.Nav
	keys keyMap
}

// keyMap holds the keys only this screen has; moving, `/`, enter, esc and r are the shared
// navigation keymap's (with the person's overrides).
type keyMap struct {
	Sort, Log, Cancel, Compiled, Edit, Guide key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Sort:     key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "sort nodes")),
		Log:      key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "raw log")),
		Cancel:   key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel run")),
		Compiled: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "open compiled SQL")),
		Edit:     key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit model file")),
		Guide:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open the dbt setup guide (when dbt is missing)")),
	}
}

// New returns the runs screen.
func New(c *common.Common) *Model {
	nav := &c.KeyMap().Nav
	m := &Model{c: c, now: time.Now, loc: time.Local, nav: nav, keys: defaultKeys(), logFollow: true,
		after: func(d time.Duration, msg tea.Msg) tea.Cmd { return tea.Tick(d, func(time.Time) tea.Msg { return msg }) }}
	m.runList = list.New(nav, func(r *run) string { return termsafe.Line(r.title()) + " " + r.status() })
	m.nodes = list.New(nav, nodeText).WithRanker(containsAll)
	m.newRunner = m.liveRunner
	return m
}

// nodeText is what `/` matches in a node: its name (the part that is highlighted), then its
// unique id, status and type, so "error" or "test" filter too.
func nodeText(n *ops.NodeResult) string {
	return termsafe.Line(n.Name) + " " + termsafe.Line(n.UniqueID) + " " + n.Status + " " + termsafe.Line(n.ResourceType)
}

// containsAll keeps the nodes whose text holds every word of the query (any case), in the
// table's order: a filter by status or type must not reorder the table by fuzzy score.
func containsAll(query string, n int, textOf func(int) string) []list.Match {
	words := strings.Fields(strings.ToLower(query))
	var out []list.Match
	for i := range n {
		t := strings.ToLower(textOf(i))
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(t, w)
		}
		if ok {
			out = append(out, list.Match{Index: i, Spans: text.Find(textOf(i), words...)})
		}
	}
	return out
}

// liveRunner runs dbt under the workspace's datatui.yml: the runner's write guard refuses a
// run whose target writes anywhere but the sandbox, and every run that connects while
// datatui.yml has errors.
func (m *Model) liveRunner() *ops.Runner {
	r := m.c.Svc().DBT()
	r.InterruptGrace, r.TermGrace = 3*time.Second, time.Second
	if r.DBT.Target == "" {
		r.DBT = config.Default().DBT
	}
	return r
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "Runs" }

// Capturing is true while a `/` filter has the keyboard.
func (m *Model) Capturing() bool { return m.runList.Filtering() || m.nodes.Filtering() }

func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

func (m *Model) KeyMap() []key.Binding {
	k, n := m.keys, m.nav
	enter := key.NewBinding(key.WithKeys(n.Open.Keys()...), key.WithHelp(n.Open.Help().Key, "open run / read a message whole"))
	back := key.NewBinding(key.WithKeys(n.Back.Keys()...), key.WithHelp(n.Back.Help().Key, "back / clear filter"))
	refresh := key.NewBinding(key.WithKeys(n.Refresh.Keys()...), key.WithHelp(n.Refresh.Help().Key, "reload history"))
	return []key.Binding{n.Up, n.Down, enter, back, k.Sort, n.Filter, k.Log, k.Cancel, k.Compiled, k.Edit, k.Guide, refresh, n.PageUp, n.PageDown, n.Top, n.Bottom}
}

// Actions are the common dbt operations, on the selection of the run in view (or the last
// run's), else on the whole project.
func (m *Model) Actions() []common.Action {
	sel := m.selection()
	var out []common.Action
	add := func(id, title string, args []string) {
		out = append(out, common.Action{ID: "runs." + id, Title: title, Run: func() tea.Cmd {
			return func() tea.Msg { return common.RunDBTMsg{Args: args} }
		}})
	}
	on := " (whole project)"
	if sel != "" {
		on = " " + sel
	}
	for _, op := range []ops.Op{ops.OpBuild, ops.OpRun, ops.OpTest, ops.OpCompile, ops.OpSeed, ops.OpSnapshot} {
		var sels []string
		if sel != "" {
			sels = strings.Fields(sel)
		}
		add(string(op), "dbt "+string(op)+on, ops.SelectionArgs(op, ops.Only, sels...))
	}
	if sel != "" {
		add("build-upstream", "dbt build "+ops.ScopeSelector(sel, ops.WithUpstream)+" (with upstream)", ops.SelectionArgs(ops.OpBuild, ops.WithUpstream, strings.Fields(sel)...))
		add("build-downstream", "dbt build "+ops.ScopeSelector(sel, ops.WithDownstream)+" (with downstream)", ops.SelectionArgs(ops.OpBuild, ops.WithDownstream, strings.Fields(sel)...))
	}
	add("deps", "dbt deps (install packages)", ops.DepsArgs())
	add("debug", "dbt debug (check the connection)", ops.DebugArgs())
	add("docs", "dbt docs generate", ops.DocsGenerateArgs())
	version := ""
	if m.cur != nil {
		version = m.cur.version
	}
	add("retry", "Retry failed nodes of the last run", ops.RetryArgs(ops.SupportsRetry(version)))
	out = append(out, common.Action{ID: "runs.cancel", Title: "Cancel the running dbt run", Hint: "x", Run: func() tea.Cmd { return m.cancel() }})
	return out
}

func (m *Model) selection() string {
	if m.cur != nil && m.cur.selection != "" {
		return m.cur.selection
	}
	for _, r := range m.runs {
		if r.selection != "" {
			return r.selection
		}
	}
	return ""
}

// Init loads the history.
func (m *Model) Init() tea.Cmd { return m.loadHistory() }

func (m *Model) loadHistory() tea.Cmd {
	ws := m.c.Workspace
	if ws == nil || ws.StateDir == "" {
		return nil
	}
	dir := ws.StateDir
	var cmd tea.Cmd
	m.history, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading run history", Slot: "history"},
		func(context.Context, tasks.Emit) ([]ops.HistoryEntry, error) {
			return ops.LoadHistory(dir, ops.HistoryLimit)
		})
	return cmd
}

// Start starts dbt with args and shows the run.
func (m *Model) Start(args []string) tea.Cmd {
	if m.running() != nil {
		return common.ScreenStatus(ID, common.StatusWarning, "A dbt run is already in progress; cancel it with x first")
	}
	runner := m.newRunner()
	a := append([]string(nil), args...)
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "dbt " + strings.Join(a, " ")},
		func(ctx context.Context, emit tasks.Emit) (*ops.Result, error) {
			return runCoalesced(ctx, runner, a, func(b batch) { emit(b) })
		})
	m.show(newRun(a, ref.ID(), m.now()))
	return tea.Batch(cmd, m.tick())
}

// tick starts (or restarts) the once-a-second redraw of a running run.
func (m *Model) tick() tea.Cmd {
	m.tickSeq++
	return m.after(time.Second, tickMsg{seq: m.tickSeq})
}

// runCoalesced runs dbt and hands its events over in batches: whatever has queued up while the
// previous batch was delivered goes out as one.
func runCoalesced(ctx context.Context, runner *ops.Runner, args []string, emit func(batch)) (*ops.Result, error) {
	events := make(chan ops.Event, 1024)
	var res *ops.Result
	go func() {
		res = runner.Run(ctx, args, func(e ops.Event) { events <- e })
		close(events)
	}()
	for e := range events {
		b := batch{e}
	drain:
		for len(b) < maxBatch {
			select {
			case e2, ok := <-events:
				if !ok {
					break drain
				}
				b = append(b, e2)
			default:
				break drain
			}
		}
		emit(b)
	}
	return res, res.Err
}

// keepLogs is how many of this session's runs keep their raw log in memory.
const keepLogs = 5

func (m *Model) show(r *run) {
	m.runs = append([]*run{r}, m.runs...)
	live := 0
	for _, old := range m.runs {
		if old.fromHistory || old.log == nil {
			continue
		}
		if live++; live > keepLogs && !old.running {
			old.log = ops.NewRingBuffer(1, 0)
			old.log.Add("(the log of older runs is not kept; see logs/dbt.log in the project)")
		}
	}
	m.runList.SetItems(m.runs)
	m.runList.Select(0)
	m.open(r)
}

// open shows run r in detail, its table from the top and unfiltered.
func (m *Model) open(r *run) {
	m.cur = r
	m.mode = modeDetail
	m.logTop, m.logFollow = 0, true
	m.nodes.ClearFilter()
	m.syncNodes()
	m.nodes.Move(-m.nodes.Len())
}

// syncNodes gives the table the shown run's nodes in the chosen order (after each batch of
// events, a sort or another run), keeping the filter and the cursor's place.
func (m *Model) syncNodes() {
	m.nodes.SetItems(m.sortedNodes())
}

func (m *Model) running() *run {
	for _, r := range m.runs {
		if r.running {
			return r
		}
	}
	return nil
}

func (m *Model) byTask(id int) *run {
	for _, r := range m.runs {
		if r.taskID == id && id != 0 {
			return r
		}
	}
	return nil
}

func (m *Model) cancel() tea.Cmd {
	r := m.running()
	if r == nil {
		return common.ScreenStatus(ID, common.StatusInfo, "No dbt run in progress")
	}
	r.cancelling = true
	m.c.Tasks.Cancel(r.taskID)
	return common.ScreenStatus(ID, common.StatusWarning, "Cancelling "+r.title()+"… (dbt stops its warehouse queries)")
}

type openMsg struct {
	path string
	err  error
}

// Update handles keys and the run's events.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.RunDBTMsg:
		return m.Start(msg.Args)
	case tasks.EventMsg:
		if r := m.byTask(msg.ID); r != nil {
			if b, ok := msg.Event.(batch); ok {
				for _, e := range b {
					r.apply(e)
				}
				if r == m.cur {
					m.syncNodes()
				}
			}
		}
		return nil
	case tasks.DoneMsg:
		return m.done(msg)
	case openMsg:
		if msg.err != nil {
			return common.ScreenStatus(ID, common.StatusError, msg.err.Error())
		}
		cmd, err := m.c.Opener().Edit(msg.path, 0)
		if err != nil {
			return common.ScreenStatus(ID, common.StatusError, "editor: "+err.Error())
		}
		return tea.Exec(cmd, func(err error) tea.Msg {
			if err != nil {
				return common.StatusMsg{Kind: common.StatusError, Text: "editor: " + err.Error()}
			}
			return nil
		})
	case tickMsg:
		if msg.seq == m.tickSeq && m.running() != nil {
			return m.after(time.Second, msg)
		}
	case tea.KeyPressMsg:
		return m.key(msg)
	case tea.PasteMsg:
		if !m.runList.Paste(msg.Content) {
			m.nodes.Paste(msg.Content)
		}
	case tea.MouseWheelMsg:
		m.wheel(msg)
	}
	return nil
}

// wheel scrolls the list or the nodes shown, or the text or log by three lines.
func (m *Model) wheel(msg tea.MouseWheelMsg) {
	switch m.mode {
	case modeList:
		m.runList.Update(msg)
	case modeDetail:
		m.nodes.Update(msg)
	default:
		if msg.Mouse().Button == tea.MouseWheelUp {
			m.move(-3)
		} else {
			m.move(3)
		}
	}
}

func (m *Model) done(msg tasks.DoneMsg) tea.Cmd {
	if out, ok := m.history.Done(msg); ok {
		m.histErr = out.Err
		if out.Err == nil {
			var live []*run
			for _, r := range m.runs {
				if !r.fromHistory {
					live = append(live, r)
				}
			}
			for _, e := range out.Value {
				// A run of this session is already in the list (the runner recorded it).
				if !m.hasLive(e) {
					live = append(live, runFromHistory(e))
				}
			}
			m.runs = live
			m.runList.SetItems(m.runs)
		}
		return nil
	}
	r := m.byTask(msg.ID)
	if r == nil {
		return nil
	}
	if res, ok := msg.Result.(*ops.Result); ok && res != nil {
		r.result(res)
	} else {
		r.end(-1, msg.Cancelled, msg.Err, r.summary)
	}
	if r == m.cur {
		m.syncNodes()
	}
	if r.duration == 0 {
		r.duration = msg.Elapsed
	}
	// The runner has written the history, and dbt its artifacts: Home's cards, the Lineage
	// screen and other views of them reload (the shared store rereads only what changed).
	changed := tea.Batch(common.Publish(ID, common.TopicRuns), common.Publish(ID, common.TopicArtifacts))
	switch {
	case r.cancelled:
		return tea.Batch(changed, common.Status(common.StatusWarning, r.title()+" cancelled"))
	case r.exitCode == 0:
		return tea.Batch(changed, common.Status(common.StatusSuccess, r.title()+": "+r.summary.Line()))
	}
	return changed // the root shows the error
}

func (m *Model) hasLive(e ops.HistoryEntry) bool {
	for _, r := range m.runs {
		if !r.fromHistory && r.finished && r.started.UTC().Truncate(time.Millisecond).Equal(e.Started) {
			return true
		}
	}
	return false
}

func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k, n := m.keys, m.nav
	if m.mode == modeText && m.text != nil {
		return m.textKey(msg)
	}
	// A filter with the keyboard takes every key; enter gives it back (and opens, in the list).
	if m.runList.Filtering() {
		if m.runList.Update(msg) || !key.Matches(msg, n.Open) {
			return nil
		}
	} else if m.nodes.Filtering() {
		m.nodes.Update(msg)
		return nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		return m.cancel()
	case key.Matches(msg, n.Refresh):
		return m.loadHistory()
	}
	switch m.mode {
	case modeList:
		if key.Matches(msg, n.Open) {
			if r, ok := m.runList.Selected(); ok {
				m.open(r)
			}
			return nil
		}
		m.runList.Update(msg)
	case modeLog:
		m.logKey(msg)
	case modeDetail:
		return m.detailKey(msg)
	}
	return nil
}

// logKey scrolls the raw log; back (or the log key again) returns to the run.
func (m *Model) logKey(msg tea.KeyPressMsg) {
	n := m.nav
	switch {
	case key.Matches(msg, n.Back), key.Matches(msg, m.keys.Log):
		m.mode = modeDetail
	case key.Matches(msg, n.Up):
		m.move(-1)
	case key.Matches(msg, n.Down):
		m.move(1)
	case key.Matches(msg, n.PageUp):
		m.move(-max(m.h-8, 1))
	case key.Matches(msg, n.PageDown):
		m.move(max(m.h-8, 1))
	case key.Matches(msg, n.Top):
		m.move(-1 << 30)
	case key.Matches(msg, n.Bottom):
		m.move(1 << 30)
	}
}

// detailKey handles a run's page: its nodes, their messages and files, the log, the guide
// for a missing dbt.
func (m *Model) detailKey(msg tea.KeyPressMsg) tea.Cmd {
	k, n := m.keys, m.nav
	switch {
	case key.Matches(msg, n.Back):
		if m.nodes.Query() != "" {
			m.nodes.ClearFilter()
		} else {
			m.mode = modeList
		}
	case key.Matches(msg, k.Log):
		if m.cur != nil && !m.cur.fromHistory {
			m.mode = modeLog
			m.logFollow = true
		}
	case key.Matches(msg, n.Open):
		m.openText()
	case key.Matches(msg, k.Sort):
		m.sort = (m.sort + 1) % sortKeys
		m.syncNodes()
	case key.Matches(msg, k.Compiled):
		return m.openFile(true)
	case key.Matches(msg, k.Edit):
		return m.openFile(false)
	case key.Matches(msg, k.Guide):
		var me *ops.MissingDBTError
		if m.cur != nil && errors.As(m.cur.err, &me) {
			slug := me.Guide
			return func() tea.Msg { return common.OpenGuideMsg{Slug: slug} }
		}
	default:
		m.nodes.Update(msg)
	}
	return nil
}

// openText shows the selected node's message whole, else dbt's message about the run.
func (m *Model) openText() {
	r := m.cur
	if r == nil {
		return
	}
	if n := m.selectedNode(); n != nil && strings.TrimSpace(n.Message) != "" && n.Message != n.AdapterMessage {
		m.text = &textView{title: n.Status + " · " + n.Name, body: n.Message, back: m.mode}
	} else if msg := r.message(); msg != "" {
		m.text = &textView{title: "dbt's message · " + r.title(), body: msg, back: m.mode}
	} else {
		return
	}
	m.mode = modeText
}

func (m *Model) textKey(msg tea.KeyPressMsg) tea.Cmd {
	n := m.nav
	switch {
	case key.Matches(msg, n.Back), key.Matches(msg, n.Open), msg.String() == "q":
		m.mode, m.text = m.text.back, nil
	case key.Matches(msg, n.Up):
		m.scrollText(-1)
	case key.Matches(msg, n.Down):
		m.scrollText(1)
	case key.Matches(msg, n.PageUp):
		m.scrollText(-max(m.h-3, 1))
	case key.Matches(msg, n.PageDown):
		m.scrollText(max(m.h-3, 1))
	case key.Matches(msg, n.HalfUp):
		m.scrollText(-max((m.h-3)/2, 1))
	case key.Matches(msg, n.HalfDown):
		m.scrollText(max((m.h-3)/2, 1))
	case key.Matches(msg, n.Top):
		m.scrollText(-1 << 30)
	case key.Matches(msg, n.Bottom):
		m.scrollText(1 << 30)
	}
	return nil
}

func (m *Model) scrollText(d int) {
	rows := len(m.textRows())
	m.text.top = text.Clamp(m.text.top+d, 0, max(rows-m.textHeight(), 0))
}

// move scrolls the full text or the raw log by d lines.
func (m *Model) move(d int) {
	switch m.mode {
	case modeText:
		if m.text != nil {
			m.scrollText(d)
		}
		return
	case modeLog:
		if m.cur == nil {
			return
		}
		n := m.cur.log.Len()
		page := m.logHeight()
		top := m.logTop
		if m.logFollow {
			top = max(n-page, 0)
		}
		top = text.Clamp(top+d, 0, max(n-page, 0))
		m.logTop = top
		m.logFollow = top >= n-page
	}
}

// sortedNodes are the current run's nodes in the chosen order.
func (m *Model) sortedNodes() []*ops.NodeResult {
	r := m.cur
	if r == nil {
		return nil
	}
	out := make([]*ops.NodeResult, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.nodes[id])
	}
	rank := func(n *ops.NodeResult) int {
		switch {
		case ops.Failed(n.Status):
			return 0
		case n.Status == "warn", n.Status == "cancelled":
			return 1
		case n.Status == "running":
			return 2
		case n.Status == "skipped":
			return 3
		}
		return 4
	}
	switch m.sort {
	case sortFailuresFirst:
		sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	case sortName:
		sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	case sortDuration:
		sort.SliceStable(out, func(i, j int) bool { return out[i].Elapsed > out[j].Elapsed })
	case sortType:
		sort.SliceStable(out, func(i, j int) bool { return out[i].ResourceType < out[j].ResourceType })
	}
	return out
}

func (m *Model) selectedNode() *ops.NodeResult {
	n, _ := m.nodes.Selected()
	return n
}

// openFile finds the selected node's compiled SQL (target/compiled, else target/run) or its
// source file, in the background, then opens it in $EDITOR.
func (m *Model) openFile(compiled bool) tea.Cmd {
	n := m.selectedNode()
	ws := m.c.Workspace
	if n == nil || ws == nil {
		return nil
	}
	if n.Path == "" {
		return common.ScreenStatus(ID, common.StatusWarning, "dbt did not say which file "+termsafe.Line(n.Name)+" comes from")
	}
	dir, rel := ws.ProjectDir, n.Path
	what := "model file"
	if compiled {
		what = "compiled SQL"
	}
	// The search walks folders: it runs as a command, off the UI goroutine.
	return func() tea.Msg {
		var roots []string
		if compiled {
			roots = []string{filepath.Join(dir, "target", "compiled"), filepath.Join(dir, "target", "run")}
		} else {
			roots = []string{dir}
		}
		p, err := findFile(roots, rel)
		if err != nil {
			return openMsg{err: fmt.Errorf("no %s for %s (%s) — build it first", what, n.Name, rel)}
		}
		return openMsg{path: p}
	}
}

// findFile returns the first file under roots whose path ends with rel, skipping folders dbt
// and git manage.
func findFile(roots []string, rel string) (string, error) {
	suffix := string(filepath.Separator) + filepath.Clean(rel)
	for _, root := range roots {
		var found string
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "dbt_packages", "node_modules", "logs", ".venv":
					return filepath.SkipDir
				}
				if d.Name() == "target" && p != root && !strings.Contains(root, string(filepath.Separator)+"target") {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(p, suffix) {
				found = p
				return fs.SkipAll
			}
			return nil
		})
		if found != "" {
			return found, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", fs.ErrNotExist
}
