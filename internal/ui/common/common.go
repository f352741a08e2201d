// Package common holds what every screen shares: the Screen contract, the dependencies handed
// to screens (Common), and the messages screens use to talk to the root model.
package common

import (
	"context"
	"sync"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/gitstate"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// Common is shared by the root model and every screen. It is a pointer so that a theme
// change or resize seen by the root is seen by all screens.
type Common struct {
	// Ctx is cancelled when the program quits.
	Ctx context.Context
	// Workspace is the repository datatui works on.
	Workspace *workspace.Workspace
	// Styles is rebuilt when the terminal's background (dark/light) is known.
	Styles *styles.Styles
	// Tasks runs background work; see package tasks.
	Tasks *tasks.Manager
	// Keys are the shared bindings with the person's overrides; nil means keys.Default().
	Keys *keys.Map
	// Clock tells the time for views that show relative times; nil means time.Now (tests
	// fix it so goldens do not change).
	Clock func() time.Time
	// Desktop opens files in the person's editor and pages in their browser; nil means
	// desktop.System(). Tests set a *desktop.Recorder and assert what would have opened.
	Desktop desktop.Opener
	// Services are the operations screens share with the CLI (lineage and sandbox loads, the
	// warehouse, git, the loaded dbt artifacts). nil means service.New(Workspace) on first use.
	Services *service.Services
	svcOnce  sync.Once
	// Width and Height are the terminal size.
	Width, Height int
}

// Now is the current time by Clock.
func (c *Common) Now() time.Time {
	if c == nil || c.Clock == nil {
		return time.Now()
	}
	return c.Clock()
}

// Svc is the shared services; every screen and Home card asks the same one, so an artifact
// loaded by one is not loaded again by another.
func (c *Common) Svc() *service.Services {
	c.svcOnce.Do(func() {
		if c.Services == nil {
			c.Services = service.New(c.Workspace, service.Options{})
		}
	})
	return c.Services
}

// Opener is the desktop opener (the system's when none was set).
func (c *Common) Opener() desktop.Opener {
	if c == nil {
		return desktop.System()
	}
	return desktop.Or(c.Desktop)
}

// KeyMap is the shared keymap (the defaults when none was set).
func (c *Common) KeyMap() *keys.Map {
	if c == nil || c.Keys == nil {
		return keys.Default()
	}
	return c.Keys
}

// Screen is one tab of the app. Screens are plain models driven by the root: the root owns
// the only tea.Model, sizes the screen to the area below the tab bar and above the status bar,
// and routes messages to it.
type Screen interface {
	// ID is a stable lowercase name ("home", "lineage") used by the palette and config.
	ID() string
	// Title is the tab label.
	Title() string
	// Init starts the screen's first loads (as commands; never I/O here).
	Init() tea.Cmd
	// Update handles a message and returns commands. No I/O here: start tasks instead.
	Update(msg tea.Msg) tea.Cmd
	// View renders the screen into exactly the size last given to SetSize.
	View() string
	// SetSize tells the screen its area.
	SetSize(width, height int)
	// KeyMap lists the screen's keys for the help bar and the `?` overlay.
	KeyMap() []key.Binding
	// Actions lists what the command palette may run on this screen.
	Actions() []Action
	// Capturing reports whether a text input has focus, so the root must pass every key
	// (q, digits, ?, tab) to the screen instead of treating it as a global key.
	Capturing() bool
}

// Action is one command-palette entry.
type Action struct {
	// ID is unique across the app, "screen.verb" (e.g. "lineage.build").
	ID string
	// Title is what the palette shows and fuzzy-matches.
	Title string
	// Hint is the key that does the same thing, if any.
	Hint string
	// Run produces the message or command that performs the action.
	Run func() tea.Cmd
}

// SwitchScreenMsg asks the root to show the screen with this ID.
type SwitchScreenMsg struct{ ID string }

// SwitchTo returns a command that switches to the screen id.
func SwitchTo(id string) tea.Cmd {
	return func() tea.Msg { return SwitchScreenMsg{ID: id} }
}

// StatusKind colours a status-bar message.
type StatusKind int

const (
	StatusInfo StatusKind = iota
	StatusSuccess
	StatusWarning
	StatusError
)

// StatusMsg shows a transient message in the status bar. A message with an Owner belongs to
// that screen: the bar shows it only while the screen is in front. Every message stays readable
// in full in the message log (the `!` key), even when the bar had to cut it.
type StatusMsg struct {
	Text  string
	Kind  StatusKind
	Owner string
}

// Status returns a command that shows text in the status bar for the whole app.
func Status(kind StatusKind, text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Kind: kind} }
}

// ScreenStatus returns a command that shows text in the status bar while screen owner is in
// front.
func ScreenStatus(owner string, kind StatusKind, text string) tea.Cmd {
	return func() tea.Msg { return StatusMsg{Text: text, Kind: kind, Owner: owner} }
}

// RunDBTMsg asks the runs screen to start a dbt command (for example "build" with a selector),
// so other screens (lineage, onboarding, palette) can hand work to it.
type RunDBTMsg struct {
	// Args are dbt's arguments after the executable, e.g. ["build", "--select", "stg_users+"].
	Args []string
}

// OpenGuideMsg asks the guides screen to open a guide by slug (and optionally a heading anchor).
type OpenGuideMsg struct {
	Slug   string
	Anchor string
}

// GuideOpenedMsg is broadcast when a guide was shown to the user (onboarding marks the
// "read the getting-started guide" step done from it).
type GuideOpenedMsg struct{ Slug string }

// InfoMsg carries the facts the status bar and Home show about the workspace. The root loads
// it at start and after operations that may change it, and broadcasts it to every screen.
type InfoMsg struct {
	// Project is the dbt project's name from dbt_project.yml.
	Project string
	Git     gitstate.State
	GitErr  error
	// Profile facts from profiles.yml: the target datatui runs dbt against and its login.
	Target     string
	Adapter    string
	User       string
	Role       string
	Database   string
	ProfileErr error
}
