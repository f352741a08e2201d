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
	"charm.land/huh/v2"

	"github.com/datatui/datatui/guides"
	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/onboard/live"
	"github.com/datatui/datatui/internal/ui/common"
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
	taskID   int
}

// outcomeEvent is emitted by the check task as each step finishes.
type outcomeEvent struct {
	name   string
	result ob.Result
}

// guideInfo is what the detail shows of a step's guide.
type guideInfo struct {
	title, heading, summary string
	missing                 bool
}

// loadedResult is the result of the first load: the remembered progress and the guides.
type loadedResult struct {
	progress *ob.ProgressState
	err      error
	guides   map[string]guideInfo // by step name
}

// checkResult is the result of a check task.
type checkResult struct{ outcomes []ob.Outcome }

// fixResult is the result of a fix task: the fix's error, then the step's re-check.
type fixResult struct {
	name    string
	fixErr  error
	outcome ob.Outcome
}

type keyMap struct {
	Up, Down, Top, Bottom, Enter, Recheck, RecheckAll, Guide, Cancel key.Binding
}

func defaultKeys() keyMap {
	return keyMap{
		Up:         key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:       key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Top:        key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "first step")),
		Bottom:     key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "last step")),
		Enter:      key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "fix / re-check step")),
		Recheck:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "re-check step")),
		RecheckAll: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "re-check all")),
		Guide:      key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open the step's guide")),
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

	guides   map[string]guideInfo
	loadID   int
	checkID  int // the running "check all" task
	welcome  bool
	loadErr  error
	selected int
	form     *huh.Form
	formStep *ob.Step
	formVals map[string]*string

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
	m := &Model{c: c, env: env, steps: steps, state: map[string]*stepState{}, now: time.Now, keys: defaultKeys()}
	for _, s := range steps {
		m.state[s.Name] = &stepState{}
	}
	return m
}

// ID implements common.Screen.
func (m *Model) ID() string { return ID }

// Title implements common.Screen.
func (m *Model) Title() string { return "Onboarding" }

// SetSize implements common.Screen.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	if m.form != nil {
		m.form.WithWidth(m.formWidth())
		m.sizeForm()
	}
}

// Capturing implements common.Screen: the fix form takes every key.
func (m *Model) Capturing() bool { return m.form != nil }

// KeyMap implements common.Screen.
func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	return []key.Binding{k.Up, k.Down, k.Enter, k.Recheck, k.RecheckAll, k.Guide, k.Cancel}
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
	steps := append([]*ob.Step(nil), m.steps...)
	id, cmd := m.c.Tasks.Start(ID, "Loading onboarding progress", func(context.Context, tasks.Emit) (any, error) {
		st, err := ob.LoadProgress(ws)
		return loadedResult{progress: st, err: err, guides: loadGuides(ws, steps)}, nil
	})
	m.loadID = id
	return cmd
}

// Update implements common.Screen.
func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if m.form != nil {
			return m.updateForm(msg)
		}
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		if m.form != nil {
			return nil
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			m.selected = max(0, m.selected-1)
		case tea.MouseWheelDown:
			m.selected = min(len(m.steps)-1, m.selected+1)
		}
	case recheckAllMsg:
		return m.checkAll()
	case fieldsLoadedMsg:
		if m.form == nil {
			return m.showForm(msg.step, msg.fields)
		}
	case common.GuideOpenedMsg:
		if msg.Slug == ob.GettingStartedGuide {
			return m.markGuideRead()
		}
	case tasks.EventMsg:
		if msg.Owner != ID || msg.ID != m.checkID {
			return nil
		}
		if ev, ok := msg.Event.(outcomeEvent); ok {
			if st := m.state[ev.name]; st != nil {
				st.result, st.known, st.stale, st.checking = ev.result, true, false, false
			}
		}
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		return m.handleDone(msg)
	case tea.WindowSizeMsg:
		// The terminal's size, not this screen's area: SetSize sizes the form.
		return nil
	default:
		if m.form != nil {
			return m.forwardToForm(msg)
		}
	}
	return nil
}

func (m *Model) handleDone(msg tasks.DoneMsg) tea.Cmd {
	switch res := msg.Result.(type) {
	case loadedResult:
		if msg.ID != m.loadID {
			return nil
		}
		m.loadErr = res.err
		m.guides = res.guides
		if res.progress != nil {
			m.welcome = len(res.progress.Steps) == 0 && res.progress.WelcomedAt.IsZero()
			for name, rec := range res.progress.Steps {
				if st := m.state[name]; st != nil && !st.known {
					st.result = ob.Result{Status: rec.Status, Detail: rec.Detail}
					st.known, st.stale = true, true
				}
			}
		}
		return m.checkAll()
	case checkResult:
		if msg.ID == m.checkID {
			m.checkID = 0
		}
		for _, o := range res.outcomes {
			if st := m.state[o.Step.Name]; st != nil && (st.taskID == msg.ID || st.taskID == 0) {
				st.result, st.known, st.stale, st.checking, st.taskID = o.Result, true, false, false, 0
			}
		}
		return m.progressSaved()
	case fixResult:
		st := m.state[res.name]
		if st == nil || st.taskID != msg.ID {
			return nil
		}
		st.fixing, st.checking, st.taskID = false, false, 0
		st.fixErr = res.fixErr
		if res.outcome.Step != nil {
			st.result, st.known, st.stale = res.outcome.Result, true, false
		}
		if res.fixErr != nil {
			return tea.Batch(m.progressSaved(), common.Status(common.StatusError, "Fix failed: "+ob.Redact(res.fixErr.Error())))
		}
		if st.result.Status.Passed() {
			return tea.Batch(m.progressSaved(), common.Status(common.StatusSuccess, "Done: "+m.stepByName(res.name).Title))
		}
		return m.progressSaved()
	}
	// A task of ours that failed or was cancelled (its result is nil).
	for _, st := range m.state {
		if st.taskID == msg.ID {
			st.checking, st.fixing, st.taskID = false, false, 0
			if msg.Cancelled {
				st.result, st.known = ob.Result{Status: ob.StatusUnknown, Detail: "check cancelled"}, true
			}
		}
	}
	if msg.ID == m.checkID {
		m.checkID = 0
	}
	if msg.Err != nil && !msg.Cancelled {
		return common.Status(common.StatusError, msg.Err.Error())
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Up):
		if m.selected > 0 {
			m.selected--
		}
	case key.Matches(msg, k.Down):
		if m.selected < len(m.steps)-1 {
			m.selected++
		}
	case key.Matches(msg, k.Top):
		m.selected = 0
	case key.Matches(msg, k.Bottom):
		m.selected = len(m.steps) - 1
	case key.Matches(msg, k.RecheckAll):
		return m.checkAll()
	case key.Matches(msg, k.Recheck):
		return m.checkOne(m.steps[m.selected])
	case key.Matches(msg, k.Guide):
		s := m.steps[m.selected]
		return func() tea.Msg { return common.OpenGuideMsg{Slug: s.Guide, Anchor: s.Anchor} }
	case key.Matches(msg, k.Cancel):
		m.cancelAll()
	case key.Matches(msg, k.Enter):
		return m.enter()
	}
	return nil
}

// enter runs the selected step's fix when it fails and has one (asking first when it needs
// answers), opens the guide for the reading step, and otherwise re-checks.
func (m *Model) enter() tea.Cmd {
	s := m.steps[m.selected]
	st := m.state[s.Name]
	if st.checking || st.fixing {
		return nil
	}
	failing := st.known && !st.result.Status.Passed()
	canFix := st.known && st.result.Fixable && s.Fix != nil
	switch {
	case s.Name == ob.StepGuide && failing:
		return func() tea.Msg { return common.OpenGuideMsg{Slug: s.Guide, Anchor: s.Anchor} }
	case canFix && s.Fields != nil:
		return m.openForm(s)
	case canFix:
		return m.runFix(s, nil)
	}
	return m.checkOne(s)
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

// checkAll re-checks every step concurrently in one task; each result arrives as an event, so
// the icons update as the checks finish.
func (m *Model) checkAll() tea.Cmd {
	if m.checkID != 0 {
		m.c.Tasks.Cancel(m.checkID)
	}
	steps := append([]*ob.Step(nil), m.steps...)
	ws, now, welcome := m.c.Workspace, m.now, m.welcome
	id, cmd := m.c.Tasks.Start(ID, "Checking your setup", func(ctx context.Context, emit tasks.Emit) (any, error) {
		out := make([]ob.Outcome, len(steps))
		var wg sync.WaitGroup
		for i, s := range steps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out[i] = ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
				emit(outcomeEvent{name: s.Name, result: out[i].Result})
			}()
		}
		wg.Wait()
		saveProgress(ws, out, now(), welcome)
		return checkResult{outcomes: out}, nil
	})
	m.checkID = id
	for _, s := range m.steps {
		st := m.state[s.Name]
		if !st.fixing {
			st.checking, st.taskID = true, id
		}
	}
	return cmd
}

func (m *Model) checkOne(s *ob.Step) tea.Cmd {
	ws, now := m.c.Workspace, m.now
	id, cmd := m.c.Tasks.Start(ID, "Checking: "+s.Title, func(ctx context.Context, _ tasks.Emit) (any, error) {
		o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
		saveProgress(ws, []ob.Outcome{o}, now(), false)
		return checkResult{outcomes: []ob.Outcome{o}}, nil
	})
	st := m.state[s.Name]
	st.checking, st.taskID, st.fixErr = true, id, nil
	return cmd
}

func (m *Model) runFix(s *ob.Step, in ob.Input) tea.Cmd {
	ws, now := m.c.Workspace, m.now
	id, cmd := m.c.Tasks.Start(ID, s.FixTitle, func(ctx context.Context, _ tasks.Emit) (any, error) {
		err := s.Fix(ctx, in)
		o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
		saveProgress(ws, []ob.Outcome{o}, now(), false)
		return fixResult{name: s.Name, fixErr: err, outcome: o}, nil
	})
	st := m.state[s.Name]
	st.fixing, st.checking, st.taskID, st.fixErr = true, false, id, nil
	return cmd
}

func (m *Model) markGuideRead() tea.Cmd {
	ws, now := m.c.Workspace, m.now
	s := m.stepByName(ob.StepGuide)
	id, cmd := m.c.Tasks.Start(ID, "Marking the guide read", func(ctx context.Context, _ tasks.Emit) (any, error) {
		if err := ob.MarkGuideRead(ws, now()); err != nil {
			return nil, err
		}
		o := ob.Outcome{Step: s, Result: s.RunCheck(ctx)}
		saveProgress(ws, []ob.Outcome{o}, now(), false)
		return checkResult{outcomes: []ob.Outcome{o}}, nil
	})
	if st := m.state[ob.StepGuide]; st != nil {
		st.checking, st.taskID = true, id
	}
	return cmd
}

func (m *Model) cancelAll() {
	if m.checkID != 0 {
		m.c.Tasks.Cancel(m.checkID)
	}
	for _, st := range m.state {
		if st.taskID != 0 && st.taskID != m.checkID {
			m.c.Tasks.Cancel(st.taskID)
		}
	}
}

// loadGuides looks up each step's guide (the handbook with the team's own pages).
func loadGuides(ws *workspace.Workspace, steps []*ob.Step) map[string]guideInfo {
	var lib *guides.Library
	if ws != nil && ws.Config != nil {
		lib = guides.Load(ws.Root, ws.Config.Guides)
	} else {
		lib = guides.Embedded()
	}
	out := map[string]guideInfo{}
	for _, s := range steps {
		g, ok := lib.Get(s.Guide)
		if !ok {
			out[s.Name] = guideInfo{missing: true}
			continue
		}
		info := guideInfo{title: g.Title, summary: g.Summary}
		if h := g.Heading(s.Anchor); h != nil {
			info.heading = h.Text
		}
		out[s.Name] = info
	}
	return out
}

// saveProgress records outcomes in the progress file. It runs inside tasks; a failure only
// costs the memory of progress, so it is not an error of the check.
func saveProgress(ws *workspace.Workspace, outcomes []ob.Outcome, now time.Time, welcomed bool) {
	if ws == nil || ws.StateDir == "" {
		return
	}
	_ = ob.RecordOutcomes(ws, outcomes, now, welcomed)
}
