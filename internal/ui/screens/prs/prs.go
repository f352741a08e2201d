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
	"github.com/datatui/datatui/internal/ui/common"
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
	taskID  int
	loading bool
	log     *checklog.Log
	err     error
}

type watchState struct {
	readiness forge.Readiness
}

type confirmState struct {
	prompt string
	run    func() tea.Cmd
}

// Model is the PR screen.
type Model struct {
	c       *common.Common
	backend Backend
	now     func() time.Time
	// after schedules the next poll (tea.Tick; tests replace it).
	after func(time.Duration, tea.Msg) tea.Cmd

	filter   forge.Filter
	snap     *forge.Snapshot
	err      error
	gate     forge.Gate
	tracker  forge.Tracker
	reqs     map[int]int // task id → request id
	taskID   int
	next     forge.Decision
	tickSeq  int
	refreshN int // refreshes completed, for tests and the header
	updated  time.Time

	rows     []forge.PR
	selected int
	focus    focus
	checkSel int
	logs     map[string]*logState
	logKey   string // the log shown
	logTop   int

	watched map[int]watchState
	confirm *confirmState
	busy    map[int]string // task id → what an action task does

	w, h int
	keys keyMap
}

type keyMap struct {
	Up, Down, Top, Bottom, Enter, Back, Refresh, Filter, Open, Checkout, Copy, Rerun, Watch, NewPR, PageUp, PageDown key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last")),
		Enter:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "checks / load log")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
		Filter:   key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "mine / review requested / all")),
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
	return newModel(c, newLive(c.Workspace, prstatus.Options{}), time.Now)
}

func newModel(c *common.Common, b Backend, now func() time.Time) *Model {
	return &Model{
		c: c, backend: b, now: now,
		after:   func(d time.Duration, msg tea.Msg) tea.Cmd { return tea.Tick(d, func(time.Time) tea.Msg { return msg }) },
		filter:  forge.FilterMine,
		tracker: forge.Tracker{Policy: forge.DefaultPolicy()},
		reqs:    map[int]int{}, logs: map[string]*logState{}, watched: map[int]watchState{}, busy: map[int]string{},
		keys: defaultKeys(),
	}
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "PRs" }

// Capturing is true while a confirmation waits for y/n.
func (m *Model) Capturing() bool { return m.confirm != nil }

func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	return []key.Binding{k.Up, k.Down, k.Enter, k.Back, k.Open, k.Checkout, k.Copy, k.Rerun, k.Watch, k.Filter, k.Refresh, k.NewPR, k.PageUp, k.PageDown, k.Top, k.Bottom}
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
func (m *Model) Init() tea.Cmd { return m.refresh() }

type pollMsg struct{ seq int }

type refreshResult struct {
	snap *forge.Snapshot
}

type logResult struct {
	key string
	log *checklog.Log
}

type actionResult struct{ text string }

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
	id, cmd := m.c.Tasks.Start(ID, "Refreshing pull requests", func(ctx context.Context, _ tasks.Emit) (any, error) {
		snap, err := b.Refresh(ctx, filter)
		return refreshResult{snap: snap}, err
	})
	m.reqs[id] = req
	m.taskID = id
	return cmd
}

func (m *Model) cycleFilter() tea.Cmd {
	m.filter = m.filter.Next()
	// The answer for the old filter is stale now.
	if m.gate.InFlight() {
		m.c.Tasks.Cancel(m.taskID)
		m.gate.Abandon()
	}
	m.selected, m.focus = 0, focusList
	return tea.Batch(m.refresh(), common.Status(common.StatusInfo, "Showing "+m.filter.Label()+" pull requests"))
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case pollMsg:
		if msg.seq != m.tickSeq {
			return nil
		}
		return m.refresh()
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.done(msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
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
	if req, ok := m.reqs[msg.ID]; ok {
		delete(m.reqs, msg.ID)
		if !m.gate.End(req) {
			return nil // an abandoned refresh (the filter changed)
		}
		return m.refreshed(msg)
	}
	if what, ok := m.busy[msg.ID]; ok {
		delete(m.busy, msg.ID)
		if msg.Err != nil {
			return common.Status(common.StatusError, what+": "+msg.Err.Error())
		}
		if r, ok := msg.Result.(actionResult); ok && r.text != "" {
			return tea.Batch(common.Status(common.StatusSuccess, r.text), m.refresh())
		}
		return nil
	}
	for k, ls := range m.logs {
		if ls.taskID == msg.ID {
			ls.loading = false
			ls.err = msg.Err
			if r, ok := msg.Result.(logResult); ok && r.key == k {
				ls.log = r.log
			}
		}
	}
	return nil
}

func (m *Model) refreshed(msg tasks.DoneMsg) tea.Cmd {
	m.refreshN++
	var cmds []tea.Cmd
	if msg.Cancelled {
		return nil
	}
	if msg.Err != nil {
		m.err = msg.Err
		m.next = m.tracker.Observe(m.now(), nil, msg.Err)
		if needsPerson(msg.Err) || m.next.Stop {
			// Polling cannot fix a missing login or repository: wait for the person (r), and
			// say nothing in the status bar (the screen itself explains).
			if !errors.Is(msg.Err, forge.ErrNotSignedIn) {
				m.next.Reason, m.next.BackingOff = "not retrying on its own: press r after fixing this", false
			}
			return nil
		}
	} else if r, ok := msg.Result.(refreshResult); ok && r.snap != nil {
		m.err = nil
		prev := m.snap
		m.snap = r.snap
		m.updated = m.now()
		m.rebuildRows(prev)
		m.next = m.tracker.Observe(m.now(), r.snap, nil)
		cmds = append(cmds, m.notifyWatched()...)
		cmds = append(cmds, common.Publish(ID, common.TopicPullRequests)) // the summary Home reads was saved
	}
	if m.next.Reason != "" && m.next.BackingOff {
		cmds = append(cmds, common.Status(common.StatusWarning, m.next.Reason))
	}
	m.tickSeq++
	cmds = append(cmds, m.after(m.next.Wait, pollMsg{seq: m.tickSeq}))
	return tea.Batch(cmds...)
}

// rebuildRows lists the branch PR first (when it is not in the filtered list) and keeps the
// selection on the same PR across refreshes.
func (m *Model) rebuildRows(prev *forge.Snapshot) {
	selNum := 0
	if m.selected < len(m.rows) {
		selNum = m.rows[m.selected].Number
	}
	m.rows = m.rows[:0]
	s := m.snap
	if s.BranchPR != nil {
		if _, inList := findIn(s.PRs, s.BranchPR.Number); !inList {
			m.rows = append(m.rows, *s.BranchPR)
		}
	}
	m.rows = append(m.rows, s.PRs...)
	m.selected = 0
	if selNum != 0 {
		if i, ok := findIn(m.rows, selNum); ok {
			m.selected = i
		}
	} else if prev == nil && s.Branch != "" {
		// First load: start on the current branch's PR.
		for i, p := range m.rows {
			if p.HeadRef == s.Branch {
				m.selected = i
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

func (m *Model) current() (forge.PR, bool) {
	if m.selected < 0 || m.selected >= len(m.rows) {
		return forge.PR{}, false
	}
	return m.rows[m.selected], true
}

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
		return common.Status(common.StatusInfo, fmt.Sprintf("Stopped watching PR #%d", pr.Number))
	}
	rd := forge.Evaluate(pr)
	m.watched[pr.Number] = watchState{readiness: rd}
	if rd.Ready {
		return common.Status(common.StatusInfo, fmt.Sprintf("PR #%d is already ready to merge", pr.Number))
	}
	return common.Status(common.StatusInfo, fmt.Sprintf("Watching PR #%d: datatui rings when it is ready to merge, or when a required check fails", pr.Number))
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.confirm != nil {
		switch msg.String() {
		case "y", "Y", "enter":
			run := m.confirm.run
			m.confirm = nil
			return run()
		case "n", "N", "esc", "q":
			m.confirm = nil
			return common.Status(common.StatusInfo, "Cancelled")
		}
		return nil
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.Top):
		m.moveTo(0)
	case key.Matches(msg, k.Bottom):
		m.moveTo(1 << 30)
	case key.Matches(msg, k.PageUp):
		m.logTop -= max(1, m.h/2)
	case key.Matches(msg, k.PageDown):
		m.logTop += max(1, m.h/2)
	case key.Matches(msg, k.Enter):
		return m.enter()
	case key.Matches(msg, k.Back):
		m.focus = focusList
	case key.Matches(msg, k.Refresh):
		if m.gate.InFlight() {
			return common.Status(common.StatusInfo, "A refresh is already running")
		}
		return m.refresh()
	case key.Matches(msg, k.Filter):
		return m.cycleFilter()
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
	return nil
}

func (m *Model) move(d int) {
	if m.focus == focusChecks {
		pr, ok := m.current()
		if ok {
			m.checkSel = max(0, min(len(pr.Checks)-1, m.checkSel+d))
		}
		return
	}
	m.moveTo(m.selected + d)
}

func (m *Model) moveTo(i int) {
	if m.focus == focusChecks {
		pr, _ := m.current()
		m.checkSel = max(0, min(len(pr.Checks)-1, i))
		return
	}
	i = max(0, min(len(m.rows)-1, i))
	if i != m.selected {
		m.checkSel, m.logTop = 0, 0
	}
	m.selected = max(0, i)
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
	id, cmd := m.c.Tasks.Start(ID, "Loading the log of "+ch.Name, func(ctx context.Context, _ tasks.Emit) (any, error) {
		log, err := b.LoadLog(ctx, pr, ch)
		return logResult{key: k, log: log}, err
	})
	ls.taskID = id
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

func (m *Model) startAction(title string, fn func(ctx context.Context) (string, error)) tea.Cmd {
	id, cmd := m.c.Tasks.Start(ID, title, func(ctx context.Context, _ tasks.Emit) (any, error) {
		text, err := fn(ctx)
		return actionResult{text: text}, err
	})
	m.busy[id] = title
	return cmd
}

func (m *Model) openURL(url string) tea.Cmd {
	if url == "" {
		return nil
	}
	b := m.backend
	id, cmd := m.c.Tasks.Start(ID, "Opening the browser", func(context.Context, tasks.Emit) (any, error) {
		return actionResult{}, b.Open(url)
	})
	m.busy[id] = "Opening " + url
	return tea.Batch(cmd, common.Status(common.StatusInfo, "Opening "+url))
}

func (m *Model) openSelected() tea.Cmd { return m.openURL(m.selectedURL()) }

func (m *Model) copySelected() tea.Cmd {
	url := m.selectedURL()
	if url == "" {
		return nil
	}
	return tea.Batch(tea.SetClipboard(url), common.Status(common.StatusSuccess, "Copied "+url))
}

func (m *Model) openNewPR() tea.Cmd {
	s := m.snap
	if s == nil || s.Branch == "" || s.BranchPR != nil {
		return common.Status(common.StatusInfo, "The current branch already has a pull request, or none is checked out")
	}
	if !s.BranchPushed {
		return common.Status(common.StatusWarning, fmt.Sprintf("Push the branch first: git push -u origin %s", s.Branch))
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
		return common.Status(common.StatusInfo, "No check to re-run: select one with enter, j/k")
	}
	b := m.backend
	m.confirm = &confirmState{
		prompt: fmt.Sprintf("Re-run %s for PR #%d? (y/n)", ch.Name, pr.Number),
		run: func() tea.Cmd {
			return m.startAction("Re-running "+ch.Name, func(ctx context.Context) (string, error) {
				return b.Rerun(ctx, pr, ch)
			})
		},
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
