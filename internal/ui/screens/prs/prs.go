// Package prs is the pull-request screen: the user's open pull requests with a one-glance
// rollup of their checks, the checks of the selected one, and why a check failed (the dbt
// Cloud step, its log and failing nodes, or a GitHub Actions log tail). It polls GitHub while
// it exists, and rings when a watched pull request's checks finish or it becomes truly ready.
package prs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/prstatus"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/confirm"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// ID is the screen id.
const ID = "prs"

// NotifyMsg is broadcast when a watched pull request's checks finish or it becomes ready to
// merge; the root may show it (the screen already rings the bell and sets the window title).
type NotifyMsg struct {
	Number int
	Title  string
	Text   string
}

type focus int

const (
	focusList focus = iota
	focusChecks
)

type logState struct {
	task    tasks.Ref[*checklog.Log]
	loading bool
	log     *checklog.Log
	err     error
}

type watchState struct {
	readiness forge.Readiness
}

// Model is the PR screen.
type Model struct {
	c       *common.Common
	backend Backend
	now     func() time.Time
	// after schedules the next poll (tea.Tick; tests replace it).
	after func(time.Duration, tea.Msg) tea.Cmd

	filter     forge.Filter
	snap       *forge.Snapshot
	err        error
	gate       forge.Gate
	tracker    forge.Tracker
	refreshing tasks.Ref[*forge.Snapshot]
	// asking is the one question to PagerDuty per screen: who is on call now.
	asking     tasks.Ref[*oncall.Report]
	onCall     *oncall.Report
	refreshReq int // the gate's id of the refresh in flight
	next       forge.Decision
	tickSeq    int
	refreshN   int // refreshes completed, for tests and the header
	updated    time.Time

	// list is the pull requests (the branch's first) with the shared `/` filter.
	list     *list.Model[forge.PR]
	focus    focus
	checkSel int
	logs     map[string]*logState
	logKey   string // the log shown
	logTop   int

	watched map[int]watchState
	// confirm asks before a re-run; rerun is what a yes does.
	confirm *confirm.Dialog
	rerun   func() tea.Cmd
	busy    map[int]string // task id → what an action task does

	w, h int
	nav  *keys.Nav
	keys keyMap
}

// keyMap holds the keys only this screen has; moving, `/`, enter, esc and r are the shared
// navigation keymap's (with the person's overrides).
type keyMap struct {
	Scope, Open, Checkout, Copy, Rerun, Watch, NewPR, PageUp, PageDown key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		// f cycles whose pull requests are listed; it is checked before the list's page-down.
		Scope:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "mine / review requested / all")),
		Open:     key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open in browser")),
		Checkout: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "check out the branch")),
		Copy:     key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "copy URL")),
		Rerun:    key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "re-run check")),
		Watch:    key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "watch (notify when done)")),
		NewPR:    key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "open a PR for this branch")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "scroll log up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdown", "scroll log down")),
	}
}

// New returns the PR screen for the workspace in c, signing in like gh does.
func New(c *common.Common) *Model {
	return newModel(c, newLive(c.Svc(), prstatus.Options{}, c.Opener()), time.Now)
}

func newModel(c *common.Common, b Backend, now func() time.Time) *Model {
	nav := &c.KeyMap().Nav
	return &Model{
		c: c, backend: b, now: now,
		after:   func(d time.Duration, msg tea.Msg) tea.Cmd { return tea.Tick(d, func(time.Time) tea.Msg { return msg }) },
		filter:  forge.FilterMine,
		tracker: forge.Tracker{Policy: forge.DefaultPolicy()},
		list:    list.New(nav, filterText),
		logs:    map[string]*logState{}, watched: map[int]watchState{}, busy: map[int]string{},
		nav: nav, keys: defaultKeys(),
	}
}

// filterText is what `/` matches in a pull request: its title first (the part that is
// highlighted), then its number, branch and author.
func filterText(p forge.PR) string {
	return safe(p.Title) + fmt.Sprintf("  #%d %s %s", p.Number, safe(p.HeadRef), safe(p.Author))
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "PRs" }

// Capturing is true while a confirmation waits for y/n or the `/` filter has the keyboard.
func (m *Model) Capturing() bool { return m.confirm != nil || m.list.Filtering() }

func (m *Model) KeyMap() []key.Binding {
	k, n := m.keys, m.nav
	enter := key.NewBinding(key.WithKeys(n.Open.Keys()...), key.WithHelp(n.Open.Help().Key, "checks / load log"))
	back := key.NewBinding(key.WithKeys(n.Back.Keys()...), key.WithHelp(n.Back.Help().Key, "back to the list / clear the filter"))
	return []key.Binding{n.Up, n.Down, enter, back, n.Filter, k.Open, k.Checkout, k.Copy, k.Rerun, k.Watch, k.Scope, n.Refresh, k.NewPR, k.PageUp, k.PageDown, n.Top, n.Bottom}
}

func (m *Model) Actions() []common.Action {
	act := func(id, title, hint string, f func() tea.Cmd) common.Action {
		return common.Action{ID: "prs." + id, Title: title, Hint: hint, Run: f}
	}
	return []common.Action{
		act("refresh", "Refresh pull requests", "r", m.refresh),
		act("filter", "Pull requests: mine / review requested / all", "f", m.cycleFilter),
		act("open", "Open the pull request in the browser", "o", m.openSelected),
		act("checkout", "Check out the pull request's branch", "c", m.checkoutSelected),
		act("rerun", "Re-run the failing check", "R", m.askRerun),
		act("watch", "Watch the pull request (notify when its checks finish)", "w", m.toggleWatch),
		act("newpr", "Open a pull request for the current branch", "n", m.openNewPR),
	}
}

func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

// Init starts the first refresh.
func (m *Model) Init() tea.Cmd { return tea.Batch(m.refresh(), m.askWhoIsOnCall()) }

// askWhoIsOnCall asks once, in the background, so a failing build can say whom to ask. A
// failure leaves the line out: Home's card and `datatui oncall` say why.
func (m *Model) askWhoIsOnCall() tea.Cmd {
	b := m.backend
	if b == nil {
		return nil
	}
	var cmd tea.Cmd
	m.asking, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Asking PagerDuty who is on call", Slot: "oncall", ReadOnly: true},
		func(ctx context.Context, _ tasks.Emit) (*oncall.Report, error) { return b.WhoToAsk(ctx) })
	return cmd
}

type pollMsg struct{ seq int }

func (m *Model) cfg() *config.Config {
	if ws := m.c.Workspace; ws != nil && ws.Config != nil {
		return ws.Config
	}
	return config.Default()
}

// refresh starts a refresh unless one is in flight.
func (m *Model) refresh() tea.Cmd {
	req, ok := m.gate.Begin()
	if !ok {
		return nil
	}
	b, filter := m.backend, m.filter
	var cmd tea.Cmd
	m.refreshing, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Refreshing pull requests", Slot: "refresh"},
		func(ctx context.Context, _ tasks.Emit) (*forge.Snapshot, error) { return b.Refresh(ctx, filter) })
	m.refreshReq = req
	return cmd
}

func (m *Model) cycleFilter() tea.Cmd {
	m.filter = m.filter.Next()
	// The answer for the old filter is stale now.
	if m.gate.InFlight() {
		m.c.Tasks.CancelSlot(ID, "refresh") // its result is dropped
		m.gate.Abandon()
	}
	m.list.Move(-m.list.Len())
	m.focus = focusList
	return tea.Batch(m.refresh(), common.ScreenStatus(ID, common.StatusInfo, "Showing "+m.filter.Label()+" pull requests"))
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pollMsg:
		if msg.seq != m.tickSeq {
			return nil
		}
		return m.refresh()
	case tasks.DoneMsg:
		return m.done(msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		m.list.Paste(msg.Content)
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelUp:
			m.move(-1)
		case tea.MouseWheelDown:
			m.move(1)
		}
	}
	return nil
}

func (m *Model) done(msg tasks.DoneMsg) tea.Cmd {
	if out, ok := m.asking.Done(msg); ok {
		if out.Err == nil {
			m.onCall = out.Value
		}
		return nil
	}
	if out, ok := m.refreshing.Done(msg); ok {
		if !m.gate.End(m.refreshReq) {
			return nil // an abandoned refresh (the filter changed)
		}
		return m.refreshed(out)
	}
	if what, ok := m.busy[msg.ID]; ok {
		delete(m.busy, msg.ID)
		if msg.Err != nil {
			return common.ScreenStatus(ID, common.StatusError, what+": "+msg.Err.Error())
		}
		if text, _ := msg.Result.(string); text != "" {
			return tea.Batch(common.ScreenStatus(ID, common.StatusSuccess, text), m.refresh())
		}
		return nil
	}
	for _, ls := range m.logs {
		if out, ok := ls.task.Done(msg); ok {
			ls.loading, ls.err, ls.log = false, out.Err, out.Value
		}
	}
	return nil
}

func (m *Model) refreshed(out tasks.Outcome[*forge.Snapshot]) tea.Cmd {
	m.refreshN++
	var cmds []tea.Cmd
	if out.Cancelled {
		return nil
	}
	if out.Err != nil {
		m.err = out.Err
		m.next = m.tracker.Observe(m.now(), nil, out.Err)
		if needsPerson(out.Err) || m.next.Stop {
			// Polling cannot fix a missing login or repository: wait for the person (r), and
			// say nothing in the status bar (the screen itself explains).
			if !errors.Is(out.Err, forge.ErrNotSignedIn) {
				m.next.Reason, m.next.BackingOff = "not retrying on its own: press r after fixing this", false
			}
			return nil
		}
	} else if snap := out.Value; snap != nil {
		m.err = nil
		prev := m.snap
		m.snap = snap
		m.updated = m.now()
		m.rebuildRows(prev)
		m.next = m.tracker.Observe(m.now(), snap, nil)
		cmds = append(cmds, m.notifyWatched()...)
		cmds = append(cmds, common.Publish(ID, common.TopicPullRequests)) // the summary Home reads was saved
	}
	if m.next.Reason != "" && m.next.BackingOff {
		cmds = append(cmds, common.ScreenStatus(ID, common.StatusWarning, m.next.Reason))
	}
	m.tickSeq++
	cmds = append(cmds, m.after(m.next.Wait, pollMsg{seq: m.tickSeq}))
	return tea.Batch(cmds...)
}

// rebuildRows lists the branch PR first (when it is not in the filtered list) and keeps the
// selection on the same PR across refreshes.
func (m *Model) rebuildRows(prev *forge.Snapshot) {
	selNum := 0
	if pr, ok := m.current(); ok {
		selNum = pr.Number
	}
	var rows []forge.PR
	s := m.snap
	if s.BranchPR != nil {
		if _, inList := findIn(s.PRs, s.BranchPR.Number); !inList {
			rows = append(rows, *s.BranchPR)
		}
	}
	rows = append(rows, s.PRs...)
	m.list.SetItems(rows)
	m.list.Move(-m.list.Len())
	if selNum != 0 {
		if i, ok := findIn(rows, selNum); ok {
			m.list.Select(i)
		}
	} else if prev == nil && s.Branch != "" {
		// First load: start on the current branch's PR.
		for i, p := range rows {
			if p.HeadRef == s.Branch {
				m.list.Select(i)
			}
		}
	}
	if pr, ok := m.current(); ok {
		m.checkSel = min(m.checkSel, max(len(pr.Checks)-1, 0))
	}
}

func findIn(prs []forge.PR, n int) (int, bool) {
	for i, p := range prs {
		if p.Number == n {
			return i, true
		}
	}
	return -1, false
}

func (m *Model) current() (forge.PR, bool) { return m.list.Selected() }

func (m *Model) currentCheck() (forge.PR, forge.Check, bool) {
	pr, ok := m.current()
	if !ok || len(pr.Checks) == 0 {
		return pr, forge.Check{}, false
	}
	if m.focus == focusChecks && m.checkSel < len(pr.Checks) {
		return pr, pr.Checks[m.checkSel], true
	}
	if i := checklog.FirstFailing(pr.Checks); i >= 0 {
		return pr, pr.Checks[i], true
	}
	return pr, forge.Check{}, false
}

// notifyWatched rings once when a watched PR becomes truly ready to merge, or when a required
// check fails (prstatus.Note, the rule `pr status --watch` follows too); never for a state it
// was already in, nor for checks passing while a review is still missing.
func (m *Model) notifyWatched() []tea.Cmd {
	var cmds []tea.Cmd
	for n, prev := range m.watched {
		pr, ok := m.snap.Find(n)
		if !ok {
			continue
		}
		rd := forge.Evaluate(pr)
		m.watched[n] = watchState{readiness: rd}
		text, failed := prstatus.Note(n, prev.readiness, rd)
		if text == "" {
			continue
		}
		kind := common.StatusSuccess
		if failed {
			kind = common.StatusError
		}
		cmds = append(cmds,
			tea.Raw("\a"),
			tea.Raw(ansi.SetWindowTitle("datatui · "+text)),
			common.Status(kind, text),
			func() tea.Msg { return NotifyMsg{Number: n, Title: pr.Title, Text: text} },
		)
	}
	return cmds
}

func (m *Model) toggleWatch() tea.Cmd {
	pr, ok := m.current()
	if !ok {
		return nil
	}
	if _, on := m.watched[pr.Number]; on {
		delete(m.watched, pr.Number)
		return common.ScreenStatus(ID, common.StatusInfo, fmt.Sprintf("Stopped watching PR #%d", pr.Number))
	}
	rd := forge.Evaluate(pr)
	m.watched[pr.Number] = watchState{readiness: rd}
	if rd.Ready {
		return common.ScreenStatus(ID, common.StatusInfo, fmt.Sprintf("PR #%d is already ready to merge", pr.Number))
	}
	return common.ScreenStatus(ID, common.StatusInfo, fmt.Sprintf("Watching PR #%d: datatui rings when it is ready to merge, or when a required check fails", pr.Number))
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm != nil {
		switch m.confirm.Update(msg) {
		case confirm.Yes:
			run := m.rerun
			m.confirm, m.rerun = nil, nil
			return run()
		case confirm.No:
			m.confirm, m.rerun = nil, nil
			return common.ScreenStatus(ID, common.StatusInfo, "Cancelled")
		}
		return nil
	}
	if m.list.Filtering() {
		// The filter has the keyboard; enter gives it back and goes on to open the checks.
		if m.list.Update(msg) || !key.Matches(msg, m.nav.Open) {
			return nil
		}
		return m.enter()
	}
	k, n := m.keys, m.nav
	// The screen's own keys first: f (whose pull requests) and pgup/pgdown (the log) share
	// keys with the list's paging.
	switch {
	case key.Matches(msg, k.Scope):
		return m.cycleFilter()
	case key.Matches(msg, k.PageUp):
		m.logTop -= max(1, m.h/2)
		return nil
	case key.Matches(msg, k.PageDown):
		m.logTop += max(1, m.h/2)
		return nil
	case key.Matches(msg, n.Open):
		return m.enter()
	case key.Matches(msg, n.Back) && m.focus == focusChecks:
		m.focus = focusList
		return nil
	case key.Matches(msg, n.Refresh):
		if m.gate.InFlight() {
			return common.ScreenStatus(ID, common.StatusInfo, "A refresh is already running")
		}
		return m.refresh()
	case key.Matches(msg, k.Open):
		return m.openSelected()
	case key.Matches(msg, k.Checkout):
		return m.checkoutSelected()
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	case key.Matches(msg, k.Rerun):
		return m.askRerun()
	case key.Matches(msg, k.Watch):
		return m.toggleWatch()
	case key.Matches(msg, k.NewPR):
		return m.openNewPR()
	}
	if m.focus == focusChecks {
		switch {
		case key.Matches(msg, n.Up):
			m.move(-1)
		case key.Matches(msg, n.Down):
			m.move(1)
		case key.Matches(msg, n.Top):
			m.checkSel = 0
		case key.Matches(msg, n.Bottom):
			pr, _ := m.current()
			m.checkSel = max(0, len(pr.Checks)-1)
		case key.Matches(msg, n.Filter):
			m.focus = focusList // `/` filters the pull requests
			m.list.StartFilter()
		}
		return nil
	}
	before := m.list.Index()
	m.list.Update(msg)
	m.selectionMoved(before)
	return nil
}

// move moves the check cursor in the checks, else the list's.
func (m *Model) move(d int) {
	if m.focus == focusChecks {
		if pr, ok := m.current(); ok {
			m.checkSel = max(0, min(len(pr.Checks)-1, m.checkSel+d))
		}
		return
	}
	before := m.list.Index()
	m.list.Move(d)
	m.selectionMoved(before)
}

// selectionMoved starts the checks and the log of a newly selected pull request at the top.
func (m *Model) selectionMoved(before int) {
	if m.list.Index() != before {
		m.checkSel, m.logTop = 0, 0
	}
}

// enter moves into the checks of a PR and loads the log of its most telling check; in the
// checks it loads the selected check's log.
func (m *Model) enter() tea.Cmd {
	pr, ok := m.current()
	if !ok || len(pr.Checks) == 0 {
		return nil
	}
	if m.focus == focusList {
		m.focus = focusChecks
		if i := checklog.FirstFailing(pr.Checks); i >= 0 {
			m.checkSel = i
		}
	}
	return m.loadLog(pr, pr.Checks[m.checkSel])
}

func logKey(pr forge.PR, ch forge.Check) string {
	return fmt.Sprintf("%d\x00%s\x00%s\x00%s", pr.Number, ch.Name, ch.Link, ch.State)
}

func (m *Model) loadLog(pr forge.PR, ch forge.Check) tea.Cmd {
	k := logKey(pr, ch)
	m.logKey, m.logTop = k, 0
	if ls, ok := m.logs[k]; ok && (ls.loading || ls.err == nil) {
		return nil // cached, or already loading
	}
	b := m.backend
	ls := &logState{loading: true}
	var cmd tea.Cmd
	ls.task, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading the log of " + ch.Name},
		func(ctx context.Context, _ tasks.Emit) (*checklog.Log, error) { return b.LoadLog(ctx, pr, ch) })
	m.logs[k] = ls
	return cmd
}

// selectedURL is the check's link when the checks have focus, else the PR's URL.
func (m *Model) selectedURL() string {
	pr, ok := m.current()
	if !ok {
		return ""
	}
	if m.focus == focusChecks && m.checkSel < len(pr.Checks) && pr.Checks[m.checkSel].Link != "" {
		return pr.Checks[m.checkSel].Link
	}
	return pr.URL
}

// startAction runs fn (a checkout, a re-run); its text is the status on success.
func (m *Model) startAction(title string, fn func(ctx context.Context) (string, error)) tea.Cmd {
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: title},
		func(ctx context.Context, _ tasks.Emit) (string, error) { return fn(ctx) })
	m.busy[ref.ID()] = title
	return cmd
}

func (m *Model) openURL(url string) tea.Cmd {
	if url == "" {
		return nil
	}
	b := m.backend
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Opening the browser"},
		func(context.Context, tasks.Emit) (string, error) { return "", b.Open(url) })
	m.busy[ref.ID()] = "Opening " + url
	return tea.Batch(cmd, common.ScreenStatus(ID, common.StatusInfo, "Opening "+url))
}

func (m *Model) openSelected() tea.Cmd { return m.openURL(m.selectedURL()) }

func (m *Model) copySelected() tea.Cmd {
	url := m.selectedURL()
	if url == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(url), common.ScreenStatus(ID, common.StatusSuccess, "Copied "+url))
}

func (m *Model) openNewPR() tea.Cmd {
	s := m.snap
	if s == nil || s.Branch == "" || s.BranchPR != nil {
		return common.ScreenStatus(ID, common.StatusInfo, "The current branch already has a pull request, or none is checked out")
	}
	if !s.BranchPushed {
		return common.ScreenStatus(ID, common.StatusWarning, fmt.Sprintf("Push the branch first: git push -u origin %s", s.Branch))
	}
	return m.openURL(s.Repo.CompareURL(m.cfg().GitHub.BaseBranch, s.Branch))
}

func (m *Model) checkoutSelected() tea.Cmd {
	pr, ok := m.current()
	if !ok {
		return nil
	}
	b := m.backend
	return m.startAction("Checking out "+pr.HeadRef, func(ctx context.Context) (string, error) {
		return b.Checkout(ctx, pr)
	})
}

// askRerun asks before re-running: a dbt Cloud CI run costs warehouse time.
func (m *Model) askRerun() tea.Cmd {
	pr, ch, ok := m.currentCheck()
	if !ok {
		return common.ScreenStatus(ID, common.StatusInfo, "No check to re-run: select one with enter, j/k")
	}
	b := m.backend
	var what string
	switch checklog.Classify(ch, m.cfg().DBTCloud) {
	case checklog.KindDBTCloud:
		what = "dbt Cloud starts a new CI run of the job: it builds in the warehouse and costs its time."
	case checklog.KindActions:
		what = "GitHub Actions runs the job again."
	default:
		what = "datatui re-runs only dbt Cloud and GitHub Actions checks; it will say if it cannot."
	}
	m.confirm = &confirm.Dialog{
		ID:    "rerun",
		Title: safe(fmt.Sprintf("Re-run %s for PR #%d?", ch.Name, pr.Number)),
		Lines: []string{what},
		Verb:  "re-run",
	}
	m.rerun = func() tea.Cmd {
		return m.startAction("Re-running "+ch.Name, func(ctx context.Context) (string, error) {
			return b.Rerun(ctx, pr, ch)
		})
	}
	return nil
}

// signInHelp is shown when GitHub cannot be reached as the user.
func signInHelp(err error) []string {
	var ae *forge.AuthError
	if errors.Is(err, forge.ErrNotSignedIn) || errors.As(err, &ae) {
		lines := []string{"Not signed in to GitHub."}
		if ae != nil {
			lines = []string{"GitHub rejected the saved token (HTTP 401)."}
		}
		return append(lines, "", "Sign in with one of:", "  gh auth login", "  export GH_TOKEN=…   (a token with the repo scope)", "", "then press r to refresh.")
	}
	return nil
}

// needsPerson reports errors that only the person can fix (sign in, say which repository),
// so retrying on a timer would only repeat the same message.
func needsPerson(err error) bool {
	var auth *forge.AuthError
	var cfg *forge.ConfigError
	return errors.Is(err, forge.ErrNotSignedIn) || errors.As(err, &auth) || errors.As(err, &cfg)
}
