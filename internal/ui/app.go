// Package ui is datatui's terminal interface, and the only package tree that imports Bubble Tea.
// The root Model here is the program's single tea.Model: it owns the tab bar, the status bar,
// the help overlay, the command palette and the background tasks, and routes messages to the
// screens (see routing in update.go). Screens are plain models behind common.Screen.
package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// Minimum terminal size; below it the app shows how big it needs to be instead of a broken
// layout.
const (
	MinWidth  = 60
	MinHeight = 15
)

// statusTTL is how long a transient status-bar message stays.
const statusTTL = 5 * time.Second

// Options configure the app.
type Options struct {
	// NoColor drops colours (NO_COLOR, or a dumb terminal).
	NoColor bool
	// StartScreen is the id of the screen to open first ("" = home).
	StartScreen string
	// Theme is "dark" or "light" to override the terminal's background; "" or "auto" follows it.
	Theme string
	// Screens overrides the screen set (tests); nil means DefaultScreens.
	Screens func(*common.Common) []common.Screen
	// Info loads the status bar's facts (branch, target, role); nil means LoadInfo.
	Info func(ctx context.Context, ws *workspace.Workspace) common.InfoMsg
	// Keys rebinds shared keys by action name (the personal config.yml's keys:); a bad
	// override is reported in the status bar and the defaults are kept.
	Keys map[string][]string
	// Clock replaces time.Now for relative times (tests).
	Clock func() time.Time
	// Services are the operations and loaded artifacts the screens share with the CLI; nil
	// means service.New(ws) with the defaults.
	Services *service.Services
}

// Model is the root model.
type Model struct {
	c       *common.Common
	opts    Options
	screens []common.Screen
	active  int
	keys    keys.Global
	help    help.Model
	spinner spinner.Model

	overlay  overlay // help, palette or message log; nil when none
	info     common.InfoMsg
	status   statusLine
	messages []logEntry // every status message, newest last, for the message log
	keysErr  error      // a rejected key override, reported at start
	quitting bool       // cancelling tasks before quitting
	// titleNote is a notification shown in the window title until the next key press.
	titleNote string
	tabHits   []tabHit
}

type statusLine struct {
	text  string
	kind  common.StatusKind
	owner string // the screen the message belongs to; "" for the whole app
	seq   int
}

// logEntry is a status message kept for the message log.
type logEntry struct {
	at    time.Time
	text  string
	kind  common.StatusKind
	owner string
}

// maxMessages bounds the message log.
const maxMessages = 50

type statusExpiredMsg struct{ seq int }

// quitNowMsg ends the program even if a task ignores cancellation.
type quitNowMsg struct{}

// tabHit is the horizontal extent of one tab label, for mouse clicks.
type tabHit struct{ from, to, index int }

// New builds the root model for a workspace.
func New(ctx context.Context, ws *workspace.Workspace, opts Options) *Model {
	km := keys.Default()
	keysErr := km.Apply(opts.Keys)
	c := &common.Common{
		Ctx:       ctx,
		Workspace: ws,
		Styles:    styles.New(opts.Theme != "light", opts.NoColor),
		Tasks:     tasks.NewManager(ctx),
		Keys:      km,
		Clock:     opts.Clock,
		Services:  opts.Services,
	}
	build := opts.Screens
	if build == nil {
		build = DefaultScreens
	}
	m := &Model{c: c, opts: opts, keys: km.Global, keysErr: keysErr, help: help.New()}
	m.screens = build(c)
	m.spinner = spinner.New(spinner.WithSpinner(spinner.MiniDot))
	if opts.StartScreen != "" {
		m.active = m.indexOf(opts.StartScreen)
	}
	m.restyle()
	return m
}

// Init starts the first loads: the terminal background, the status facts, every screen's Init.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{m.loadInfo()}
	if m.opts.Theme == "" || m.opts.Theme == "auto" {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	for _, s := range m.screens {
		cmds = append(cmds, s.Init())
	}
	if m.c.Workspace != nil && m.c.Workspace.Notice != "" {
		cmds = append(cmds, common.Status(common.StatusInfo, m.c.Workspace.Notice))
	}
	if m.keysErr != nil {
		cmds = append(cmds, common.Status(common.StatusWarning, "config.yml: "+m.keysErr.Error()+" (default keys kept)"))
	}
	return tea.Batch(cmds...)
}

// loadInfo reads the status bar's facts in the background.
func (m *Model) loadInfo() tea.Cmd {
	load := m.opts.Info
	if load == nil {
		load = LoadInfo
	}
	ws, ctx := m.c.Workspace, m.c.Ctx
	return func() tea.Msg { return load(ctx, ws) }
}

// indexOf is the index of screen id, or 0 (Home) when there is none.
func (m *Model) indexOf(id string) int {
	if i := m.find(id); i >= 0 {
		return i
	}
	return 0
}

// ScreenIDs lists the screens' ids in tab order (what `--screen` and default_screen accept).
func (m *Model) ScreenIDs() []string {
	ids := make([]string, len(m.screens))
	for i, s := range m.screens {
		ids[i] = s.ID()
	}
	return ids
}

// find is the index of screen id, or -1.
func (m *Model) find(id string) int {
	for i, s := range m.screens {
		if s.ID() == id {
			return i
		}
	}
	return -1
}

// Active returns the active screen (tests and the palette use it).
func (m *Model) Active() common.Screen { return m.screens[m.active] }

// Common exposes the shared state (tests).
func (m *Model) Common() *common.Common { return m.c }

// restyle refreshes the components that cache styles after a theme change.
func (m *Model) restyle() {
	st := m.c.Styles
	m.help.Styles = help.DefaultStyles(st.IsDark)
	m.help.Styles.ShortKey = st.Key
	m.help.Styles.FullKey = st.Key
	m.help.Styles.ShortDesc = st.Muted
	m.help.Styles.FullDesc = st.Muted
	m.spinner.Style = st.InfoText
}

// setSize lays the screens out below the tab bar and above the help and status lines.
func (m *Model) setSize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.help.SetWidth(w)
	bodyH := h - chromeHeight
	if bodyH < 1 {
		bodyH = 1
	}
	for _, s := range m.screens {
		s.SetSize(w, bodyH)
	}
	if m.overlay != nil {
		m.overlay.setSize(w, h)
	}
}

// chromeHeight is the rows taken by the tab bar, the key hints and the status bar.
const chromeHeight = 3

func (m *Model) tooSmall() bool { return m.c.Width < MinWidth || m.c.Height < MinHeight }
