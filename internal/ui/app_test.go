package ui

import (
	"bytes"
	"context"
	"slices"
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
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

// testNow is the clock of every root test, so relative times in goldens never change.
var testNow = time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)

// fakeScreen records what it receives, so routing can be asserted.
type fakeScreen struct {
	id, title string
	capturing bool
	topics    []common.Topic
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

// got lists the messages of type T the screen received.
func got[T any](f *fakeScreen) []T {
	var out []T
	for _, m := range f.others {
		if v, ok := m.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// subscriber is a fake screen that listens to a topic.
type subscriber struct{ fakeScreen }

func (s *subscriber) Topics() []common.Topic { return s.topics }

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
func newTestModel(t testing.TB, opts ...func(*Options)) (*Model, []*fakeScreen) {
	t.Helper()
	fakes := []*fakeScreen{{id: "guides", title: "Guides"}, {id: "lineage", title: "Lineage"}}
	o := Options{
		NoColor: true,
		Theme:   "dark",
		Info:    fixedInfo,
		Clock:   func() time.Time { return testNow },
		Screens: func(c *common.Common) []common.Screen {
			cards := []home.Card{
				{Title: "Handbook", Screen: "guides", Load: static(styles.Text("16 guides in 6 sections."))},
				{Title: "Lineage", Screen: "lineage", Load: static(styles.Text("42 models, 12 sources."),
					styles.Line{styles.Plain("From the dbt manifest, written "), styles.Ago(testNow.Add(-3 * time.Second)), styles.Plain(".")})},
			}
			return []common.Screen{home.New(c, cards), fakes[0], fakes[1]}
		},
	}
	for _, f := range opts {
		f(&o)
	}
	return New(context.Background(), testWorkspace(), o), fakes
}

// drive builds the test app and its driver at w×h.
func drive(t *testing.T, w, h int, opts ...func(*Options)) (*uitest.Driver, *Model, []*fakeScreen) {
	t.Helper()
	m, fakes := newTestModel(t, opts...)
	return uitest.App(t, m, m.c.Tasks, w, h), m, fakes
}

func TestKeyRoutingSwitchesScreens(t *testing.T) {
	d, m, fakes := drive(t, 100, 30)
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
		d.Key(tt.keys...)
		if got := m.Active().ID(); got != tt.want {
			t.Errorf("keys %v: active %q, want %q", tt.keys, got, tt.want)
		}
	}
	if len(fakes[0].keys) != 0 {
		t.Errorf("global keys leaked to a screen: %v", fakes[0].keys)
	}
}

func TestCapturingScreenGetsGlobalKeys(t *testing.T) {
	d, m, fakes := drive(t, 100, 30)
	d.Key("2")
	fakes[0].capturing = true
	d.Key("q", "1", "?", "/", "!")
	if m.Active().ID() != "guides" || m.overlay != nil {
		t.Fatalf("a capturing screen's keys were taken by the root (active %s, overlay %v)", m.Active().ID(), m.overlay)
	}
	if got := strings.Join(fakes[0].keys, " "); got != "q 1 ? / !" {
		t.Fatalf("screen got %q", got)
	}
	if d.Quit {
		t.Fatal("q quit while the screen was capturing text")
	}
}

func TestOwnerOnlyDeliveryAndMouse(t *testing.T) {
	d, m, fakes := drive(t, 100, 30)
	// A real task of lineage's, finished while Home is in front.
	_, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: "lineage", Title: "Loading the lineage"}, func(_ context.Context, emit tasks.Emit) (int, error) {
		emit("progress")
		return 42, nil
	})
	d.Run(cmd)
	if n := len(got[tasks.DoneMsg](fakes[1])); n != 1 || len(got[tasks.EventMsg](fakes[1])) != 1 {
		t.Fatalf("the owner got %d results", n)
	}
	if len(got[tasks.DoneMsg](fakes[0])) != 0 || len(got[tasks.EventMsg](fakes[0])) != 0 {
		t.Fatal("a task's messages reached a screen that does not own it")
	}
	m.Render() // records the tab positions
	var lineageTab tabHit
	for _, h := range m.tabHits {
		if h.index == 2 {
			lineageTab = h
		}
	}
	d.Send(tea.MouseClickMsg{X: lineageTab.from + 1, Y: 0, Button: tea.MouseLeft})
	if m.Active().ID() != "lineage" {
		t.Fatalf("click on the Lineage tab: active %s", m.Active().ID())
	}
	if fakes[1].w != 100 || fakes[1].h != 30-chromeHeight {
		t.Fatalf("screen sized %dx%d", fakes[1].w, fakes[1].h)
	}
}

func TestErrorsOfTheScreenInFrontReachTheStatusBar(t *testing.T) {
	d, m, _ := drive(t, 100, 30)
	d.Key("3")
	_, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: "lineage", Title: "Loading the lineage"}, func(context.Context, tasks.Emit) (int, error) {
		return 0, errBoom
	})
	d.Run(cmd)
	if !strings.Contains(d.View(), "Loading the lineage: boom") {
		t.Fatalf("status bar:\n%s", d.View())
	}
	// The message belongs to lineage: it is hidden on another screen.
	d.Key("1")
	if strings.Contains(d.View(), "boom") {
		t.Fatalf("another screen's message shown on Home:\n%s", d.View())
	}
}

type boom struct{}

func (boom) Error() string { return "boom" }

var errBoom error = boom{}

func TestPublishedChangesReachSubscribers(t *testing.T) {
	var sub *subscriber
	other := &fakeScreen{id: "other", title: "Other"}
	d, _, _ := drive(t, 100, 30, func(o *Options) {
		o.Screens = func(c *common.Common) []common.Screen {
			sub = &subscriber{fakeScreen{id: "watcher", title: "Watcher", topics: []common.Topic{common.TopicRuns}}}
			return []common.Screen{home.New(c, nil), sub, other}
		}
	})
	d.Run(common.Publish("runs", common.TopicRuns))
	d.Run(common.Publish("sandbox", common.TopicSandbox))
	if n := len(got[common.ChangedMsg](&sub.fakeScreen)); n != 1 {
		t.Fatalf("subscriber got %d changes, want the one it subscribed to", n)
	}
	if len(got[common.ChangedMsg](other)) != 0 {
		t.Fatal("a screen that did not subscribe got a change")
	}
	// The publisher itself is not told.
	d.Run(common.Publish("watcher", common.TopicRuns))
	if n := len(got[common.ChangedMsg](&sub.fakeScreen)); n != 1 {
		t.Fatal("the publisher was sent its own change")
	}
}

// TestHomeCardsFollowPublishedChanges is the stale-card bug: a card reloads when its owner
// publishes, with no refresh key and whichever screen is in front.
func TestHomeCardsFollowPublishedChanges(t *testing.T) {
	runs := 0
	d, _, _ := drive(t, 120, 40, func(o *Options) {
		o.Screens = func(c *common.Common) []common.Screen {
			load := func(context.Context, *service.Services) ([]styles.Line, error) {
				runs++
				return []styles.Line{styles.Text(strings.Repeat("run ", runs) + "done")}, nil
			}
			return []common.Screen{home.New(c, []home.Card{{Title: "dbt runs", Load: load, Topic: common.TopicRuns}}), &fakeScreen{id: "runs", title: "Runs"}}
		}
	})
	if !strings.Contains(d.View(), "run done") {
		t.Fatalf("first load:\n%s", d.View())
	}
	d.Key("2")
	d.Run(common.Publish("runs", common.TopicRuns))
	d.Key("1")
	if !strings.Contains(d.View(), "run run done") {
		t.Fatalf("the card did not reload after the run finished:\n%s", d.View())
	}
}

func TestRelativeTimesTick(t *testing.T) {
	now := testNow
	d, _, _ := drive(t, 120, 40, func(o *Options) { o.Clock = func() time.Time { return now } })
	if !strings.Contains(d.View(), "written 3 seconds ago") {
		t.Fatalf("%s", d.View())
	}
	if d.Timers == 0 {
		t.Fatal("Home did not schedule a redraw for its relative times")
	}
	now = now.Add(2 * time.Minute)
	d.Send(tea.WindowSizeMsg{Width: 120, Height: 40}) // any message redraws; the tick is one
	if !strings.Contains(d.View(), "written 2 minutes ago") {
		t.Fatalf("relative time did not move on:\n%s", d.View())
	}
}

func TestQuitCancelsRunningTasksFirst(t *testing.T) {
	d, m, _ := drive(t, 100, 30)
	cancelled := make(chan struct{})
	_, start := tasks.Start(m.c.Tasks, tasks.Spec{Owner: "lineage", Title: "Loading manifest"}, func(ctx context.Context, _ tasks.Emit) (any, error) {
		<-ctx.Done()
		close(cancelled)
		return nil, ctx.Err()
	})
	results := make(chan tea.Msg, 1)
	go func() { results <- start() }()

	m.Update(uitest.KeyMsg("q")) // its command only schedules the status message and a grace timer
	if !m.quitting {
		t.Fatal("q did not start quitting")
	}
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("the running task was not cancelled")
	}
	d.Send(<-results)
	if !d.Quit {
		t.Fatal("the app did not quit once the cancelled task finished")
	}
}

func TestQuitWithNothingRunningQuitsAtOnce(t *testing.T) {
	d, _, _ := drive(t, 100, 30)
	d.Key("q")
	if !d.Quit {
		t.Fatal("q did not quit")
	}
}

func TestPaletteFiltersHighlightsAndRunsActions(t *testing.T) {
	d, m, _ := drive(t, 100, 30)
	d.Key(":")
	p, ok := m.overlay.(*palette)
	if !ok {
		t.Fatal(": did not open the palette")
	}
	d.Type("lin")
	if e, ok := p.list.Selected(); !ok || !strings.Contains(e.action.Title, "Lineage") {
		t.Fatalf("fuzzy 'lin' should rank a Lineage entry first, got %+v", e)
	}
	view := d.View()
	if n := strings.Count(view, "›"); n != 1 {
		t.Fatalf("the palette shows %d › markers, want one:\n%s", n, view)
	}
	d.Key("enter")
	if m.overlay != nil || m.Active().ID() != "lineage" {
		t.Fatalf("enter on the palette: overlay %v, active %s", m.overlay, m.Active().ID())
	}
}

func TestPaletteMarksMatches(t *testing.T) {
	d, m, _ := drive(t, 100, 30, func(o *Options) { o.NoColor = false })
	d.Key(":")
	d.Type("lin")
	box := m.overlay.view()
	// The matched letters are underlined (SGR 4) inside the selected row.
	if !strings.Contains(box, "\x1b[") || !strings.Contains(box, "4") {
		t.Fatalf("no styling in the palette:\n%q", box)
	}
	if !strings.Contains(ansi.Strip(box), "Go to Lineage") {
		t.Fatalf("match text corrupted:\n%s", ansi.Strip(box))
	}
}

func TestLongMessagesCanBeReadWhole(t *testing.T) {
	d, m, _ := drive(t, 80, 24)
	long := "profiles.yml: target \"dev\" uses the role ANALYTICS_ADMIN, which can write to production; datatui only runs dbt against your sandbox with the contributor role TRANSFORMER"
	d.Run(common.Status(common.StatusError, long))
	bar := strings.Split(d.View(), "\n")[23]
	if !strings.Contains(bar, "! more") {
		t.Fatalf("a cut message must say how to read it: %q", bar)
	}
	d.Key("!")
	if _, ok := m.overlay.(*messageLog); !ok {
		t.Fatal("! did not open the message log")
	}
	flat := strings.Join(strings.Fields(strings.NewReplacer("│", " ").Replace(d.View())), " ")
	if !strings.Contains(flat, strings.Join(strings.Fields(long), " ")) {
		t.Fatalf("the message log does not show the whole message:\n%s", d.View())
	}
	d.Key("esc")
	if m.overlay != nil {
		t.Fatal("esc did not close the message log")
	}
}

func TestTabBarNeverDropsTabs(t *testing.T) {
	var screens []common.Screen
	d, m, _ := drive(t, 60, 20, func(o *Options) {
		o.Screens = func(c *common.Common) []common.Screen {
			screens = []common.Screen{home.New(c, nil)}
			for _, n := range []string{"Onboarding", "Guides", "Sandbox", "PRs", "Lineage", "Runs"} {
				screens = append(screens, &fakeScreen{id: strings.ToLower(n), title: n})
			}
			return screens
		}
	})
	for _, w := range []int{60, 70, 120} {
		d.Resize(w, 20)
		for active := range screens {
			m.active = active
			bar := strings.Split(d.View(), "\n")[0]
			if !strings.Contains(bar, screens[active].Title()) {
				t.Errorf("%d columns: the active tab %q is not named: %q", w, screens[active].Title(), bar)
			}
			if len(m.tabHits) != len(screens) {
				t.Errorf("%d columns: %d of %d tabs reachable: %q", w, len(m.tabHits), len(screens), bar)
			}
		}
	}
}

func TestBadKeyOverrideKeepsDefaultsAndSaysSo(t *testing.T) {
	d, m, _ := drive(t, 100, 30, func(o *Options) { o.Keys = map[string][]string{"down": {"q"}} })
	if !strings.Contains(strings.Join(d.Statuses(), "\n"), `"q" is bound to both quit and down`) {
		t.Fatalf("statuses %v", d.Statuses())
	}
	if !key.Matches(uitest.KeyMsg("j"), m.c.KeyMap().Nav.Down) {
		t.Fatal("defaults not kept")
	}
	d2, m2, _ := drive(t, 100, 30, func(o *Options) { o.Keys = map[string][]string{"next_screen": {"ctrl+n"}} })
	d2.Key("ctrl+n")
	if m2.Active().ID() != "guides" {
		t.Fatal("overridden next-screen key does not switch")
	}
}

func TestTooSmall(t *testing.T) {
	d, _, _ := drive(t, 40, 10)
	out := d.View()
	if !strings.Contains(out, "Terminal too small: 40×10") || !strings.Contains(out, "at least 60×15") {
		t.Fatalf("too-small view:\n%s", out)
	}
	d.Key("q")
	if !d.Quit {
		t.Fatal("q must still quit from the too-small view")
	}
}

// TestHomeGolden is Home with its cards loaded, at both sizes.
func TestHomeGolden(t *testing.T) {
	d, _, _ := drive(t, 80, 24)
	d.Goldens(t)
}

// TestHomeFilterGolden: / on Home narrows the cards to those that mention the text.
func TestHomeFilterGolden(t *testing.T) {
	d, _, _ := drive(t, 80, 24)
	d.Key("/")
	d.Type("model")
	if strings.Contains(d.View(), "Handbook") || !strings.Contains(d.View(), "42 models") {
		t.Fatalf("filter 'model':\n%s", d.View())
	}
	d.Goldens(t)
}

func TestHelpOverlayGolden(t *testing.T) {
	d, m, _ := drive(t, 80, 24)
	d.Key("?")
	d.Goldens(t)
	d.Key("esc")
	if m.overlay != nil {
		t.Fatal("esc did not close help")
	}
}

// TestColourGolden pins the colours of one frame: Home on a dark background, 24-bit colour.
func TestColourGolden(t *testing.T) {
	d, _, _ := drive(t, 80, 24, func(o *Options) { o.NoColor = false })
	dark := d.Styled()
	golden.RequireEqual(t, []byte(dark))
	// The same frame on a light background is drawn differently, text unchanged.
	d.Send(tea.BackgroundColorMsg{Color: lightBackground{}})
	if d.Styled() == dark || ansi.Strip(d.Styled()) != ansi.Strip(dark) {
		t.Fatal("a light background did not restyle the frame")
	}
}

type lightBackground struct{}

func (lightBackground) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

// TestShellGolden drives the real program (teatest) and goldens the final frame at the two
// sizes the team designs for.
func TestShellGolden(t *testing.T) {
	for _, size := range uitest.Sizes {
		t.Run(itoa(size[0])+"x"+itoa(size[1]), func(t *testing.T) {
			m, _ := newTestModel(t)
			tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(size[0], size[1]),
				teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
			teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
				return bytes.Contains(b, []byte("42 models")) && bytes.Contains(b, []byte("feature/offers"))
			}, teatest.WithDuration(10*time.Second))
			uitest.WaitIdle(t, m.c.Tasks, 10*time.Second)
			tm.Send(uitest.KeyMsg("q"))
			final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
			golden.RequireEqual(t, []byte(ansi.Strip(final.Render())))
		})
	}
}

// static is a card loader that always shows the same lines.
func static(lines ...styles.Line) home.Loader {
	return func(context.Context, *service.Services) ([]styles.Line, error) { return lines, nil }
}

// TestThemeSwitchWhileCardsLoad is the data race of the old card loaders, which styled their
// lines with the shared Styles on worker goroutines while the root replaced them on a
// background-colour message. Run with -race: loaders now get a snapshot and return data.
func TestThemeSwitchWhileCardsLoad(t *testing.T) {
	release := make(chan struct{})
	m, _ := newTestModel(t, func(o *Options) {
		o.Theme, o.NoColor = "", false
		o.Screens = func(c *common.Common) []common.Screen {
			slow := func(ctx context.Context, _ *service.Services) ([]styles.Line, error) {
				<-release
				return []styles.Line{{styles.Warn("slow card ready")}}, nil
			}
			return []common.Screen{home.New(c, []home.Card{{Title: "Slow", Load: slow}, {Title: "Slower", Load: slow}})}
		}
	})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.TrueColor)))
	for i := range 20 {
		var bg lightBackground
		if i%2 == 0 {
			tm.Send(tea.BackgroundColorMsg{Color: bg})
		} else {
			tm.Send(tea.BackgroundColorMsg{})
		}
	}
	close(release)
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte("slow card ready")) }, teatest.WithDuration(10*time.Second))
	uitest.WaitIdle(t, m.c.Tasks, 10*time.Second)
	tm.Send(uitest.KeyMsg("q"))
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// TestHomeScrollSurvivesResize: scrolled down in a small window, Home must not keep an offset
// that leaves the screen blank once the window is big enough for every card.
func TestHomeScrollSurvivesResize(t *testing.T) {
	d, _, _ := drive(t, 60, 16)
	d.Key("j", "j")
	if strings.Contains(d.View(), "Project") {
		t.Fatalf("the small window should have scrolled:\n%s", d.View())
	}
	d.Resize(160, 40)
	v := d.View()
	for _, want := range []string{"Project", "Handbook", "Lineage"} {
		if !strings.Contains(v, want) {
			t.Fatalf("after growing the window %q is not shown:\n%s", want, v)
		}
	}
	d.Resize(60, 16)
	if !strings.Contains(d.View(), "╭") {
		t.Fatalf("blank after shrinking back:\n%s", d.View())
	}
}

// TestCardWithAGuideOpensIt: enter on a card whose "more" is an explanation opens that guide
// on the guides screen; a card with a screen switches to it.
func TestCardWithAGuideOpensIt(t *testing.T) {
	guides := &fakeScreen{id: "guides", title: "Guides"}
	runs := &fakeScreen{id: "runs", title: "Runs"}
	d, m, _ := drive(t, 120, 40, func(o *Options) {
		o.Screens = func(c *common.Common) []common.Screen {
			load := func(context.Context, *service.Services) ([]styles.Line, error) {
				return []styles.Line{styles.Text("x")}, nil
			}
			return []common.Screen{home.New(c, []home.Card{
				{Title: "Who to ask", Guide: "office-hours-and-support", Load: load},
				{Title: "dbt runs", Screen: "runs", Load: load},
			}), guides, runs}
		}
	})
	d.Key("l", "enter") // the first card after the project card
	if got := m.Active().ID(); got != "guides" {
		t.Fatalf("enter on the card with a guide: active %q, want guides", got)
	}
	if !slices.ContainsFunc(guides.others, func(msg tea.Msg) bool {
		o, ok := msg.(common.OpenGuideMsg)
		return ok && o.Slug == "office-hours-and-support"
	}) {
		t.Errorf("the guides screen was not asked to open office-hours-and-support: %v", guides.others)
	}
	d.Key("1", "l", "l", "enter")
	if got := m.Active().ID(); got != "runs" {
		t.Errorf("enter on the card with a screen: active %q, want runs", got)
	}
}
