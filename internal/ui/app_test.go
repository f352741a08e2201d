package ui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/gitstate"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// fakeScreen records what it receives, so routing can be asserted.
type fakeScreen struct {
	id, title string
	capturing bool
	keys      []string
	others    []tea.Msg
	w, h      int
}

func (f *fakeScreen) ID() string            { return f.id }
func (f *fakeScreen) Title() string         { return f.title }
func (f *fakeScreen) Init() tea.Cmd         { return nil }
func (f *fakeScreen) SetSize(w, h int)      { f.w, f.h = w, h }
func (f *fakeScreen) Capturing() bool       { return f.capturing }
func (f *fakeScreen) KeyMap() []key.Binding { return nil }
func (f *fakeScreen) View() string          { return f.title + " screen" }
func (f *fakeScreen) Actions() []common.Action {
	return []common.Action{{ID: f.id + ".do", Title: "Do the " + f.title + " thing"}}
}
func (f *fakeScreen) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		f.keys = append(f.keys, k.String())
	} else {
		f.others = append(f.others, msg)
	}
	return nil
}

func testWorkspace() *workspace.Workspace {
	return &workspace.Workspace{Root: "/work/analytics", ProjectDir: "/work/analytics", InGit: true, Config: config.Default(), ConfigPath: "/work/analytics/datatui.yml"}
}

func fixedInfo(context.Context, *workspace.Workspace) common.InfoMsg {
	return common.InfoMsg{
		Project: "analytics",
		Git: gitstate.State{Branch: "feature/offers", Upstream: "origin/feature/offers", Ahead: 2, Head: "1a2b3c4", Subject: "Add offer redemption rate", When: "2 hours ago",
			Changed: []gitstate.Change{{Path: "models/marts/fct_offer_redemptions.sql", Kind: "modified"}}},
		Target: "dev", Role: "CONTRIBUTOR",
	}
}

// newTestModel builds the app with Home and two fake screens.
func newTestModel(t *testing.T) (*Model, []*fakeScreen) {
	t.Helper()
	fakes := []*fakeScreen{{id: "guides", title: "Guides"}, {id: "lineage", title: "Lineage"}}
	m := New(context.Background(), testWorkspace(), Options{
		NoColor: true,
		Info:    fixedInfo,
		Screens: func(c *common.Common) []common.Screen {
			cards := []home.Card{
				{Title: "Handbook", Screen: "guides", Load: static("16 guides in 6 sections.")},
				{Title: "Lineage", Screen: "lineage", Load: static("42 models, 12 sources.")},
			}
			return []common.Screen{home.New(c, cards), fakes[0], fakes[1]}
		},
	})
	return m, fakes
}

func press(m *Model, keys ...string) tea.Cmd {
	var cmds []tea.Cmd
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab}
		case "shift+tab":
			msg = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "ctrl+c":
			msg = tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
		default:
			r := []rune(k)[0]
			msg = tea.KeyPressMsg{Code: r, Text: k}
		}
		_, cmd := m.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func TestKeyRoutingSwitchesScreens(t *testing.T) {
	m, fakes := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	tests := []struct {
		keys []string
		want string
	}{
		{[]string{"tab"}, "guides"},
		{[]string{"tab", "tab"}, "lineage"},
		{[]string{"tab", "tab", "tab"}, "home"},
		{[]string{"shift+tab"}, "lineage"},
		{[]string{"2"}, "guides"},
		{[]string{"3", "1"}, "home"},
		{[]string{"9"}, "home"}, // no ninth screen: stays
	}
	for _, tt := range tests {
		m.active = 0
		press(m, tt.keys...)
		if got := m.Active().ID(); got != tt.want {
			t.Errorf("keys %v: active %q, want %q", tt.keys, got, tt.want)
		}
	}
	if len(fakes[0].keys) != 0 {
		t.Errorf("global keys leaked to a screen: %v", fakes[0].keys)
	}
}

func TestCapturingScreenGetsGlobalKeys(t *testing.T) {
	m, fakes := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, "2")
	fakes[0].capturing = true
	cmd := press(m, "q", "1", "?", "/")
	if m.Active().ID() != "guides" || m.overlay != nil {
		t.Fatalf("a capturing screen's keys were taken by the root (active %s, overlay %v)", m.Active().ID(), m.overlay)
	}
	if got := strings.Join(fakes[0].keys, " "); got != "q 1 ? /" {
		t.Fatalf("screen got %q", got)
	}
	if isQuit(cmd) {
		t.Fatal("q quit while the screen was capturing text")
	}
}

func TestBroadcastAndMouse(t *testing.T) {
	m, fakes := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(tasks.DoneMsg{ID: 7, Owner: "lineage"})
	if len(fakes[0].others) == 0 || len(fakes[1].others) == 0 {
		t.Fatal("task results must reach every screen (the owner may not be active)")
	}
	m.Render() // records the tab positions
	var lineageTab tabHit
	for _, h := range m.tabHits {
		if h.index == 2 {
			lineageTab = h
		}
	}
	m.Update(tea.MouseClickMsg{X: lineageTab.from + 1, Y: 0, Button: tea.MouseLeft})
	if m.Active().ID() != "lineage" {
		t.Fatalf("click on the Lineage tab: active %s", m.Active().ID())
	}
	if fakes[1].w != 100 || fakes[1].h != 30-chromeHeight {
		t.Fatalf("screen sized %dx%d", fakes[1].w, fakes[1].h)
	}
}

func TestQuitCancelsRunningTasksFirst(t *testing.T) {
	m, _ := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	cancelled := make(chan struct{})
	_, start := m.c.Tasks.Start("lineage", "Loading manifest", func(ctx context.Context, _ tasks.Emit) (any, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	})
	results := make(chan tea.Msg, 1)
	go func() { results <- start() }()
	waitFor(t, func() bool { return len(m.c.Tasks.Running()) == 1 })

	press(m, "q") // its command only schedules the status message and a grace timer
	if !m.quitting {
		t.Fatal("q did not start quitting")
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the running task was not cancelled")
	}
	done := <-results
	_, cmd := m.Update(done)
	if !isQuit(cmd) {
		t.Fatal("the app did not quit once the cancelled task finished")
	}
}

func TestQuitWithNothingRunningQuitsAtOnce(t *testing.T) {
	m, _ := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if !isQuit(press(m, "q")) {
		t.Fatal("q did not quit")
	}
}

func TestPaletteFiltersAndRunsActions(t *testing.T) {
	m, _ := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	press(m, ":")
	p, ok := m.overlay.(*palette)
	if !ok {
		t.Fatal(": did not open the palette")
	}
	press(m, "l", "i", "n")
	if len(p.matches) == 0 || !strings.Contains(p.entries[p.matches[0]].action.Title, "Lineage") {
		t.Fatalf("fuzzy 'lin' should rank a Lineage entry first, got %v", p.matches)
	}
	press(m, "enter")
	if m.overlay != nil || m.Active().ID() != "lineage" {
		t.Fatalf("enter on the palette: overlay %v, active %s", m.overlay, m.Active().ID())
	}
}

func TestTooSmall(t *testing.T) {
	m, _ := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 40, Height: 10})
	out := ansi.Strip(m.Render())
	if !strings.Contains(out, "Terminal too small: 40×10") || !strings.Contains(out, "at least 60×15") {
		t.Fatalf("too-small view:\n%s", out)
	}
	if !isQuit(press(m, "q")) {
		t.Fatal("q must still quit from the too-small view")
	}
}

// TestShellGolden drives the real program (teatest) and goldens the final frame at the two
// sizes the team designs for.
func TestShellGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {120, 40}} {
		t.Run(itoa(size.w)+"x"+itoa(size.h), func(t *testing.T) {
			m, _ := newTestModel(t)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size.w, size.h),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("42 models")) && bytes.Contains(b, []byte("feature/offers"))
			}, teatest.WithDuration(10*time.Second))
			tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			golden.RequireEqual(t, []byte(ansi.Strip(final.Render())))
		})
	}
}

func TestHelpOverlayGolden(t *testing.T) {
	m, _ := newTestModel(t)
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Update(fixedInfo(context.Background(), nil))
	press(m, "?")
	golden.RequireEqual(t, []byte(ansi.Strip(m.Render())))
	press(m, "esc")
	if m.overlay != nil {
		t.Fatal("esc did not close help")
	}
}

func isQuit(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	return containsQuit(cmd())
}

func containsQuit(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.QuitMsg:
		return true
	case tea.BatchMsg:
		for _, c := range msg {
			if c != nil {
				if _, ok := c().(tea.QuitMsg); ok {
					return true
				}
			}
		}
	}
	return false
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met")
		}
		time.Sleep(time.Millisecond)
	}
}

// static is a card loader that always shows the same lines.
func static(lines ...string) func(context.Context, *workspace.Workspace, *common.Common) ([]string, error) {
	return func(context.Context, *workspace.Workspace, *common.Common) ([]string, error) { return lines, nil }
}
