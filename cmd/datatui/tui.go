package main

import (
	"errors"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/ui"
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
	start := a.startScreen
	if start == "" {
		start = user.DefaultScreen
	}
	noColor := os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb"
	model := ui.New(a.ctx, ws, ui.Options{NoColor: noColor, StartScreen: start, Theme: user.Theme, Keys: user.KeyOverrides()})
	p := tea.NewProgram(model, tea.WithContext(a.ctx), tea.WithInput(a.stdin), tea.WithOutput(a.stdout))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return err
	}
	return nil
}
