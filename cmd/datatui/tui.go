package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"golang.org/x/term"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui"
	onboardscreen "github.com/datatui/datatui/internal/ui/screens/onboard"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// runTUI opens the terminal interface on the discovered workspace. A broken datatui.yml does
// not stop the app: it opens with the defaults and says what is wrong in the status bar.
func (a *app) runTUI() error {
	ws, err := a.workspace()
	if ws == nil {
		return err
	}
	if err != nil {
		ws.Notice = fmt.Sprintf("%v (using defaults until it is fixed)", err)
	}
	user, uerr := config.LoadUser(config.UserConfigPath())
	if uerr != nil {
		ws.Notice = fmt.Sprintf("%v (personal settings ignored)", uerr)
	}
	start := firstScreen(a.startScreen, ws, user.DefaultScreen)
	noColor := os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	model := ui.New(a.ctx, ws, ui.Options{NoColor: noColor, StartScreen: start, Theme: user.Theme, Keys: user.KeyOverrides(), Services: a.services(ws)})
	if ids := model.ScreenIDs(); start != "" && !slices.Contains(ids, start) {
		if a.startScreen == "" { // from config.yml: open Home and say why
			ws.Notice = fmt.Sprintf("config.yml: default_screen %q is not a screen (one of %s); opened Home", start, strings.Join(ids, ", "))
		} else {
			return withCode(2, fmt.Errorf("--screen %q: there is no such screen; the screens are %s", start, strings.Join(ids, ", ")))
		}
	}
	if err := a.needTerminal(); err != nil {
		return err
	}
	// The program draws on the terminal itself (it needs the file to size and configure it);
	// its frames are cleaned by the UI before they are drawn.
	p := tea.NewProgram(model, tea.WithContext(a.ctx), tea.WithInput(a.stdin), tea.WithOutput(redact.Unwrap(a.stdout)))
	_, err = p.Run()
	a.stopTasks(model.Common().Tasks)
	if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return err
	}
	return nil
}

// needTerminal explains in plain words why the screens cannot open when stdin or stdout is a
// pipe or a file (Bubble Tea would only say it could not create a cancelable reader).
func (a *app) needTerminal() error {
	in, ok := a.stdin.(*os.File)
	switch {
	case !ok || !term.IsTerminal(int(in.Fd())):
		return errors.New("the screens need a terminal, and the input is not one (a pipe, a file or a CI job): run datatui in a terminal, or use one of its commands (datatui --help lists them)")
	case !isTerminal(a.stdout):
		return errors.New("the screens need a terminal, and the output is not one (a pipe or a file): run datatui in a terminal, or use one of its commands (datatui --help lists them)")
	}
	return nil
}

// firstScreen is the screen the app opens on: the one asked for with --screen; on the first
// start in a project where onboarding has not begun, the Onboarding tab, where the wizard
// leads from a fresh laptop to a first build (the demo opens on Home, its tour of every
// screen); else the user's default screen ("" is Home).
func firstScreen(flag string, ws *workspace.Workspace, userDefault string) string {
	switch {
	case flag != "":
		return flag
	case ws != nil && !ws.Demo && !onboard.Started(ws):
		return onboardscreen.ID
	}
	return userDefault
}

// taskStopGrace bounds the wait for cancelled work once the screen is gone: longer than the
// Runs screen's dbt interrupt and terminate grace, so dbt is stopped and the run recorded.
const taskStopGrace = 15 * time.Second

// stopTasks cancels what still runs when the program ends (the terminal closed, or a forced
// quit) and waits for it, so no dbt is left orphaned and no run is missing from the history.
func (a *app) stopTasks(m *tasks.Manager) {
	if m.Shutdown(200 * time.Millisecond) {
		return
	}
	fmt.Fprintln(a.stderr, "datatui: stopping running tasks (dbt is interrupted as on cancel)…")
	if !m.Shutdown(taskStopGrace) {
		fmt.Fprintln(a.stderr, "datatui: some tasks did not stop in time")
	}
}
