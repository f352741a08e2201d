// Package onboard is the first-day onboarding wizard: a checklist of the onboarding steps with
// live status icons, the selected step's explanation, what was checked and why it failed, the
// guide that explains it, and the fix (a form when the fix needs answers). The checks and
// fixes themselves live in internal/onboard, shared with `datatui doctor`.
package onboard

import (
	"context"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/guides"
	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/onboard/live"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/confirm"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// ID is the screen id.
const ID = "onboard"

// stepState is what the screen shows for one step.
type stepState struct {
	result   ob.Result
	known    bool // a result (checked now, or remembered from the progress file)
	stale    bool // remembered from an earlier session, re-check running or pending
	checking bool
	fixing   bool
	fixErr   error
	// output is the fix's streamed output (an install's, a build's), its last lines kept.
	output []string
	// taskID is the task whose result this step waits for: the "check all" task, or a
	// check or fix of this step alone started since.
	taskID int
	check  tasks.Ref[checkResult]
	fix    tasks.Ref[fixResult]
}

// outcomeEvent is emitted by the check task as each step finishes.
type outcomeEvent struct {
	name   string
	result ob.Result
}

// loadedResult is the result of the first load: the remembered progress and the handbook.
type loadedResult struct {
	progress *ob.ProgressState
	err      error
	lib      *guides.Library
}

// fixLineEvent is one line of a running fix's output.
type fixLineEvent struct{ line string }

// confirmLoadedMsg carries the question to ask before a fix (read off the UI loop).
type confirmLoadedMsg struct {
	step *ob.Step
	conf ob.Confirmation
	err  error
}

// outputKeep is how many lines of a fix's output the screen keeps.
const outputKeep = 200

// checkResult is the result of a check task.
type checkResult struct{ outcomes []ob.Outcome }

// fixResult is the result of a fix task: the fix's error, then the step's re-check.
type fixResult struct {
	name    string
	fixErr  error
	outcome ob.Outcome
}

type keyMap struct {
	Up, Down, Filter, Enter, Recheck, RecheckAll, Guide, Raw, Cancel key.Binding
}

func defaultKeys(nav *keys.Nav) keyMap {
	as := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	return keyMap{
		Up:         nav.Up,
		Down:       nav.Down,
		Filter:     as(nav.Filter, "filter the steps"),
		Enter:      as(nav.Open, "do the step / continue"),
		Recheck:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check step")),
		RecheckAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "re-check all")),
		Guide:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open the step's guide")),
		Raw:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "show / hide the raw error")),
		Cancel:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "cancel running checks")),
	}
}

// Model is the onboarding screen.
type Model struct {
	c     *common.Common
	env   *ob.Env
	steps []*ob.Step
	state map[string]*stepState
	now   func() time.Time

	// lib is the handbook (nil until loaded): the guide line names the section that helps.
	lib      *guides.Library
	load     tasks.Ref[loadedResult]
	checkAll tasks.Ref[checkResult] // the running "check all" task, if any
	welcome  bool
	loadErr  error
	list     *list.Model[*ob.Step] // the checklist
	// form asks a fix's questions (nil when closed).
	form *form
	// dialog asks before a fix that says what it will run or write (installing dbt, the
	// diff of profiles.yml); dialogStep's fix runs on yes with dialogInput. A "no" to a
	// form's preview goes back to the form, answers kept.
	dialog      *confirm.Dialog
	dialogStep  *ob.Step
	dialogInput ob.Input

	// follow keeps the cursor on the next step to do: set at the start, by enter on a step
	// that is done and by a fix that passed; moving the cursor by hand clears it.
	follow bool
	// showRaw shows the raw error under the plain sentence.
	showRaw bool

	w, h int
	keys keyMap
}

// New returns the onboarding screen for the workspace in c, checking the real machine.
func New(c *common.Common) *Model {
	env := ob.NewEnv(c.Workspace)
	live.Wire(env)
	return newModel(c, env, ob.Steps(env))
}

func newModel(c *common.Common, env *ob.Env, steps []*ob.Step) *Model {
	nav := &c.KeyMap().Nav
	m := &Model{c: c, env: env, steps: steps, state: map[string]*stepState{}, now: c.Now, keys: defaultKeys(nav), follow: true}
	for _, s := range steps {
		m.state[s.Name] = &stepState{}
	}
	m.list = list.New(nav, func(s *ob.Step) string { return s.Title })
	m.list.SetItems(steps)
	return m
}

// selectedStep is the step under the cursor (the first when the filter hides every step).
func (m *Model) selectedStep() *ob.Step {
	if s, ok := m.list.Selected(); ok {
		return s
	}
	return m.steps[0]
}

// ID implements common.Screen.
func (m *Model) ID() string { return ID }

// Title implements common.Screen.
func (m *Model) Title() string { return "Onboarding" }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
}

// Capturing implements common.Screen: the fix form and the step filter take every key.
func (m *Model) Capturing() bool { return m.form != nil || m.dialog != nil || m.list.Filtering() }

// KeyMap implements common.Screen.
func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	return []key.Binding{k.Up, k.Down, k.Enter, k.Recheck, k.RecheckAll, k.Guide, k.Raw, k.Filter, k.Cancel}
}

// Actions implements common.Screen.
func (m *Model) Actions() []common.Action {
	return []common.Action{
		{ID: "onboard.recheck-all", Title: "Onboarding: re-check every step", Hint: "a", Run: func() tea.Cmd {
			return func() tea.Msg { return recheckAllMsg{} }
		}},
		{ID: "onboard.open", Title: "Onboarding: open the wizard", Run: func() tea.Cmd { return common.SwitchTo(ID) }},
	}
}

type recheckAllMsg struct{}

// Init loads the remembered progress, then checks every step.
func (m *Model) Init() tea.Cmd {
	ws := m.c.Workspace
	var cmd tea.Cmd
	m.load, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading onboarding progress", Slot: "load"},
		func(context.Context, tasks.Emit) (loadedResult, error) {
			st, err := ob.LoadProgress(ws)
			return loadedResult{progress: st, err: err, lib: loadHandbook(ws)}, nil
		})
	return cmd
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.dialog != nil {
			return m.answerDialog(msg)
		}
		if m.form != nil {
			return m.updateForm(msg)
		}
		return m.handleKey(msg)
	case confirmLoadedMsg:
		return m.showConfirm(msg)
	case previewMsg:
		return m.showPreview(msg)
	case tea.MouseWheelMsg, tea.PasteMsg:
		if m.dialog != nil {
			return nil
		}
		if m.form != nil {
			return m.updateForm(msg)
		}
		m.list.Update(msg)
	case tea.MouseClickMsg:
		if m.form == nil && (m.w < 100 || msg.X < listWidth) { // a click on the checklist
			if m.list.ClickRow(msg.Y - len(m.header()) - m.filterLines()) {
				m.follow, m.showRaw = false, false
			}
		}
	case recheckAllMsg:
		return m.checkEverything()
	case fieldsLoadedMsg:
		if m.form == nil {
			return m.showForm(msg.step, msg.fields)
		}
	case common.GuideOpenedMsg:
		if msg.Slug == ob.GettingStartedGuide {
			return m.markGuideRead()
		}
	case tasks.EventMsg:
		for _, st := range m.state {
			if ev, ok := st.fix.Event(msg); ok {
				if ev, ok := ev.(fixLineEvent); ok {
					st.output = append(st.output, ev.line)
					if len(st.output) > outputKeep {
						st.output = st.output[len(st.output)-outputKeep:]
					}
				}
				return nil
			}
		}
		if ev, ok := m.checkAll.Event(msg); ok {
			if ev, ok := ev.(outcomeEvent); ok {
				if st := m.state[ev.name]; st != nil && st.taskID == msg.ID {
					st.result, st.known, st.stale, st.checking = ev.result, true, false, false
				}
			}
		}
	case tasks.DoneMsg:
		return m.handleDone(msg)
	}
	return nil
}

func (m *Model) handleDone(msg tasks.DoneMsg) tea.Cmd {
	if out, ok := m.load.Done(msg); ok {
		res := out.Value
		m.loadErr = res.err
		m.lib = res.lib
		if res.progress != nil {
			m.welcome = len(res.progress.Steps) == 0 && res.progress.WelcomedAt.IsZero()
			for name, rec := range res.progress.Steps {
				if st := m.state[name]; st != nil && !st.known {
					st.result = ob.Result{Status: rec.Status, Detail: rec.Detail}
					st.known, st.stale = true, true
				}
			}
		}
		m.followNext()
		return m.checkEverything()
	}
	if out, ok := m.checkAll.Done(msg); ok {
		m.checkAll = tasks.Ref[checkResult]{}
		return m.checked(msg.ID, out)
	}
	for _, s := range m.steps {
		st := m.state[s.Name]
		if out, ok := st.check.Done(msg); ok {
			st.check = tasks.Ref[checkResult]{}
			return m.checked(msg.ID, out)
		}
		if out, ok := st.fix.Done(msg); ok {
			st.fix = tasks.Ref[fixResult]{}
			return m.fixed(s, st, msg.ID, out)
		}
	}
	return nil
}

// checked applies the outcomes of check task id to the steps still waiting for it.
func (m *Model) checked(id int, out tasks.Outcome[checkResult]) tea.Cmd {
	for _, o := range out.Value.outcomes {
		if st := m.state[o.Step.Name]; st != nil && st.taskID == id {
			st.result, st.known, st.stale, st.checking, st.taskID = o.Result, true, false, false, 0
		}
	}
	// Steps the task did not report on: it failed or was cancelled.
	for _, st := range m.state {
		if st.taskID == id {
			st.checking, st.taskID = false, 0
			if out.Cancelled {
				st.result, st.known = ob.Result{Status: ob.StatusUnknown, Detail: "check cancelled"}, true
			}
		}
	}
	m.followNext()
	if out.Err != nil && !out.Cancelled {
		return tea.Batch(m.progressSaved(), common.ScreenStatus(ID, common.StatusError, redact.String(out.Err.Error())))
	}
	return m.progressSaved()
}

// fixed applies the result of step s's fix (the fix's error, then the step's re-check).
func (m *Model) fixed(s *ob.Step, st *stepState, id int, out tasks.Outcome[fixResult]) tea.Cmd {
	if st.taskID != id {
		return nil
	}
	st.fixing, st.checking, st.taskID = false, false, 0
	res := out.Value
	st.fixErr = res.fixErr
	if out.Err != nil && !out.Cancelled {
		st.fixErr = out.Err
	}
	if res.outcome.Step != nil {
		st.result, st.known, st.stale = res.outcome.Result, true, false
	}
	switch {
	case st.fixErr != nil:
		return tea.Batch(m.progressSaved(), common.ScreenStatus(ID, common.StatusError, "Fix failed: "+redact.String(st.fixErr.Error())))
	case st.result.Status.Passed():
		if m.selectedStep() == s {
			m.follow = true // done: on to the next step
		}
		m.followNext()
		// The steps that waited for this one can pass now: everything is checked again
		// (dbt installed, the dbt debug that could not run can).
		return tea.Batch(m.progressSaved(), common.ScreenStatus(ID, common.StatusSuccess, "Done: "+s.Title), m.checkEverything())
	}
	return m.progressSaved()
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	filtering := m.list.Filtering()
	before := m.list.Index()
	if m.list.Update(msg) {
		if m.list.Index() != before {
			m.follow, m.showRaw = false, false
		}
		return nil
	}
	if filtering { // enter in the filter: keep the step found, do nothing else yet
		return nil
	}
	switch {
	case key.Matches(msg, k.RecheckAll):
		return m.checkEverything()
	case key.Matches(msg, k.Recheck):
		return m.checkOne(m.selectedStep())
	case key.Matches(msg, k.Guide):
		slug, anchor := m.guideOf(m.selectedStep())
		return func() tea.Msg { return common.OpenGuideMsg{Slug: slug, Anchor: anchor} }
	case key.Matches(msg, k.Raw):
		if m.shown(m.selectedStep()).Raw != "" {
			m.showRaw = !m.showRaw
		}
	case key.Matches(msg, k.Cancel):
		m.cancelAll()
	case key.Matches(msg, k.Enter):
		return m.enter()
	}
	return nil
}

// enter does the selected step: on a step that is done it continues to the next step; on a
// step an earlier one blocks it goes to that step; it runs a failing step's fix (asking first
// when it needs answers), opens the guide for the reading step, and otherwise re-checks.
func (m *Model) enter() tea.Cmd {
	s := m.selectedStep()
	st := m.state[s.Name]
	if st.checking || st.fixing {
		return nil
	}
	shown := m.shown(s)
	failing := st.known && !st.result.Status.Passed()
	canFix := st.known && st.result.Fixable && s.Fix != nil
	switch {
	case st.known && shown.Status.Passed() && !st.stale:
		if next := ob.Next(m.steps, m.known); next != nil {
			m.follow = true
			m.selectStep(next)
			return nil
		}
	case shown.Status == ob.StatusBlocked:
		m.selectStep(m.stepByName(shown.BlockedBy))
		return nil
	case s.Name == ob.StepGuide && failing:
		return func() tea.Msg { return common.OpenGuideMsg{Slug: s.Guide, Anchor: s.Anchor} }
	case canFix && s.Fields != nil:
		return m.openForm(s)
	case canFix && s.Confirm != nil:
		return func() tea.Msg {
			c, err := s.Confirm()
			return confirmLoadedMsg{step: s, conf: c, err: err}
		}
	case canFix:
		return m.runFix(s, nil)
	}
	return m.checkOne(s)
}

// known is step name's result, when there is one.
func (m *Model) known(name string) (ob.Result, bool) {
	st := m.state[name]
	if st == nil || !st.known {
		return ob.Result{}, false
	}
	return st.result, true
}

// shown is the result the screen shows for s: its own, or which earlier step blocks it.
func (m *Model) shown(s *ob.Step) ob.Result {
	st := m.state[s.Name]
	for i, x := range m.steps {
		if x == s {
			return ob.Resolve(m.steps, i, st.result, m.known)
		}
	}
	return st.result
}

// selectStep moves the cursor to s (clearing a filter that hides it).
func (m *Model) selectStep(s *ob.Step) {
	for i, x := range m.steps {
		if x == s {
			if !m.list.Select(i) {
				m.list.ClearFilter()
				m.list.Select(i)
			}
			m.showRaw = false
			return
		}
	}
}

// followNext moves the cursor to the next step to do while the screen leads.
func (m *Model) followNext() {
	if !m.follow || m.list.Filtering() || m.list.Query() != "" {
		return
	}
	if next := ob.Next(m.steps, m.known); next != nil {
		m.selectStep(next)
	}
}

// progressSaved tells the other views of onboarding (Home's card) that the progress file
// changed: the task that produced the result has saved it.
func (m *Model) progressSaved() tea.Cmd { return common.Publish(ID, common.TopicOnboarding) }

func (m *Model) stepByName(name string) *ob.Step {
	for _, s := range m.steps {
		if s.Name == name {
			return s
		}
	}
	return &ob.Step{Name: name, Title: name}
}

// checkEverything re-checks every step concurrently in one task; each result arrives as an
// event, so the icons update as the checks finish. A new "check all" replaces a running one
// (its slot cancels it and drops its results).
func (m *Model) checkEverything() tea.Cmd {
	steps := append([]*ob.Step(nil), m.steps...)
	ws, now, welcome := m.c.Workspace, m.now, m.welcome
	var cmd tea.Cmd
	m.checkAll, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Checking your setup", Slot: "check-all"},
		func(ctx context.Context, emit tasks.Emit) (checkResult, error) {
			out := make([]ob.Outcome, len(steps))
			var wg sync.WaitGroup
			for i, s := range steps {
				wg.Go(func() {
					out[i] = ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
					emit(outcomeEvent{name: s.Name, result: out[i].Result})
				})
			}
			wg.Wait()
			saveProgress(ws, out, now(), welcome)
			return checkResult{outcomes: out}, nil
		})
	for _, s := range m.steps {
		if st := m.state[s.Name]; !st.fixing {
			st.checking, st.taskID = true, m.checkAll.ID()
		}
	}
	return cmd
}

// checkOne re-checks step s alone (in its own slot: pressing r twice keeps one check).
func (m *Model) checkOne(s *ob.Step) tea.Cmd {
	ws, now := m.c.Workspace, m.now
	st := m.state[s.Name]
	var cmd tea.Cmd
	st.check, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Checking: " + s.Title, Slot: "check:" + s.Name},
		func(ctx context.Context, _ tasks.Emit) (checkResult, error) {
			o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
			saveProgress(ws, []ob.Outcome{o}, now(), false)
			return checkResult{outcomes: []ob.Outcome{o}}, nil
		})
	st.checking, st.taskID, st.fixErr = true, st.check.ID(), nil
	return cmd
}

func (m *Model) runFix(s *ob.Step, in ob.Input) tea.Cmd {
	ws, now := m.c.Workspace, m.now
	st := m.state[s.Name]
	var cmd tea.Cmd
	st.fix, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: s.FixTitle, Slot: "fix:" + s.Name},
		func(ctx context.Context, emit tasks.Emit) (fixResult, error) {
			err := s.Fix(ob.WithOutput(ctx, func(l string) { emit(fixLineEvent{line: l}) }), in)
			o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
			saveProgress(ws, []ob.Outcome{o}, now(), false)
			return fixResult{name: s.Name, fixErr: err, outcome: o}, nil
		})
	st.fixing, st.checking, st.taskID, st.fixErr, st.output = true, false, st.fix.ID(), nil, nil
	return cmd
}

// showConfirm opens the question before a fix, or shows why the fix cannot run.
func (m *Model) showConfirm(msg confirmLoadedMsg) tea.Cmd {
	if msg.err != nil {
		if st := m.state[msg.step.Name]; st != nil {
			st.fixErr = msg.err
		}
		return common.ScreenStatus(ID, common.StatusError, "Cannot fix: "+redact.String(msg.err.Error()))
	}
	m.openDialog(msg.step, msg.conf, nil)
	return nil
}

// openDialog asks conf before step s's fix runs with in.
func (m *Model) openDialog(s *ob.Step, conf ob.Confirmation, in ob.Input) {
	m.dialog = &confirm.Dialog{ID: s.Name, Title: conf.Title, Lines: conf.Lines, Verb: conf.Verb}
	m.dialogStep, m.dialogInput = s, in
}

// answerDialog runs the fix on yes (closing the form it came from) and closes the dialog on
// no, back to the form when there is one; other keys are ignored.
func (m *Model) answerDialog(msg tea.KeyPressMsg) tea.Cmd {
	switch m.dialog.Update(msg) {
	case confirm.Yes:
		s, in := m.dialogStep, m.dialogInput
		m.dialog, m.dialogStep, m.dialogInput, m.form = nil, nil, nil, nil
		return m.runFix(s, in)
	case confirm.No:
		m.dialog, m.dialogStep, m.dialogInput = nil, nil, nil
	}
	return nil
}

func (m *Model) markGuideRead() tea.Cmd {
	ws, now := m.c.Workspace, m.now
	s := m.stepByName(ob.StepGuide)
	st := m.state[ob.StepGuide]
	if st == nil {
		return nil
	}
	var cmd tea.Cmd
	st.check, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Marking the guide read", Slot: "check:" + s.Name},
		func(ctx context.Context, _ tasks.Emit) (checkResult, error) {
			if err := ob.MarkGuideRead(ws, now()); err != nil {
				return checkResult{}, err
			}
			o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
			saveProgress(ws, []ob.Outcome{o}, now(), false)
			return checkResult{outcomes: []ob.Outcome{o}}, nil
		})
	st.checking, st.taskID = true, st.check.ID()
	return cmd
}

// cancelAll cancels the running checks and fixes; their results still arrive, marked
// cancelled.
func (m *Model) cancelAll() {
	for _, st := range m.state {
		if st.taskID != 0 {
			m.c.Tasks.Cancel(st.taskID)
		}
	}
}

// loadHandbook loads the handbook with the team's own pages (it reads files: in a task).
func loadHandbook(ws *workspace.Workspace) *guides.Library {
	if ws != nil && ws.Config != nil {
		return guides.Load(ws.Root, ws.Config.Guides)
	}
	return guides.Embedded()
}

// guideOf is the guide section that helps with s now: the one its failure names (a TLS
// error points to the troubleshooting table, a DuckDB profile to the DuckDB section), else
// the step's own.
func (m *Model) guideOf(s *ob.Step) (slug, anchor string) {
	if r := m.shown(s); r.Guide != "" {
		return r.Guide, r.Anchor
	}
	if st := m.state[s.Name]; st.known && st.result.Guide != "" {
		return st.result.Guide, st.result.Anchor
	}
	return s.Guide, s.Anchor
}

// saveProgress records outcomes in the progress file. It runs inside tasks; a failure only
// costs the memory of progress, so it is not an error of the check.
func saveProgress(ws *workspace.Workspace, outcomes []ob.Outcome, now time.Time, welcomed bool) {
	if ws == nil || ws.StateDir == "" {
		return
	}
	_ = ob.RecordOutcomes(ws, outcomes, now, welcomed)
}
