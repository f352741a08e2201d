package onboard

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	ob "github.com/datatui/datatui/internal/onboard"
)

// fieldsLoadedMsg carries a step's form fields, read in a task (they may read profiles.yml).
type fieldsLoadedMsg struct {
	step   *ob.Step
	fields []ob.Field
}

// openForm reads the step's fields off the UI loop, then shows the form.
func (m *Model) openForm(s *ob.Step) tea.Cmd {
	return func() tea.Msg { return fieldsLoadedMsg{step: s, fields: s.Fields()} }
}

// showForm builds a huh form with one question per page; a field shown only for some
// answers (the key file for key-pair logins) is hidden otherwise.
func (m *Model) showForm(s *ob.Step, fields []ob.Field) tea.Cmd {
	vals := map[string]*string{}
	for _, f := range fields {
		v := f.Default
		vals[f.Key] = &v
	}
	var groups []*huh.Group
	for _, f := range fields {
		v := vals[f.Key]
		var field huh.Field
		if len(f.Options) > 0 {
			opts := make([]huh.Option[string], 0, len(f.Options))
			for _, o := range f.Options {
				opts = append(opts, huh.NewOption(optionLabel(o), o))
			}
			field = huh.NewSelect[string]().Key(f.Key).Title(f.Title).Description(f.Help).Options(opts...).Value(v)
		} else {
			optional, title := f.Optional, f.Title
			field = huh.NewInput().Key(f.Key).Title(title).Description(f.Help).Value(v).Validate(func(x string) error {
				if !optional && strings.TrimSpace(x) == "" {
					return fmt.Errorf("%s is required", strings.ToLower(title))
				}
				return nil
			})
		}
		g := huh.NewGroup(field)
		if len(f.ShowWhen) > 0 {
			cond := f.ShowWhen
			g = g.WithHideFunc(func() bool {
				for k, allowed := range cond {
					if cur := vals[k]; cur == nil || !slices.Contains(allowed, *cur) {
						return true
					}
				}
				return false
			})
		}
		groups = append(groups, g)
	}
	m.form = huh.NewForm(groups...).WithShowHelp(true).WithWidth(m.formWidth()).WithTheme(huh.ThemeFunc(huh.ThemeBase))
	m.formStep, m.formVals = s, vals
	init := m.form.Init()
	m.sizeForm()
	return init
}

// sizeForm tells the form the rows it has: huh sizes its pages from a window-size message,
// which the root sends with the terminal's size rather than this screen's area.
func (m *Model) sizeForm() {
	rows := max(3, m.h-len(m.header())-3)
	model, _ := m.form.Update(tea.WindowSizeMsg{Width: m.formWidth(), Height: rows})
	if f, ok := model.(*huh.Form); ok {
		m.form = f
	}
}

func optionLabel(o string) string {
	switch o {
	case ob.AuthSSO:
		return "Single sign-on in the browser (externalbrowser)"
	case ob.AuthKeyPair:
		return "Key pair (a private key file)"
	case ob.AuthPassword:
		return "Password, read from $" + ob.SecretPasswordEnv + " (never stored)"
	}
	return o
}

// formWidth is the detail column's width (the form takes the place of the step's detail).
func (m *Model) formWidth() int {
	w := m.w
	if m.w >= 100 {
		w = m.w - listWidth - 3
	}
	return max(20, min(w-1, 80))
}

// updateForm passes keys to the form; esc leaves it without changing anything.
func (m *Model) updateForm(msg tea.KeyPressMsg) tea.Cmd {
	if msg.String() == "esc" {
		m.closeForm()
		return nil
	}
	return m.forwardToForm(msg)
}

func (m *Model) forwardToForm(msg tea.Msg) tea.Cmd {
	model, cmd := m.form.Update(msg)
	if f, ok := model.(*huh.Form); ok {
		m.form = f
	}
	switch m.form.State {
	case huh.StateAborted:
		m.closeForm()
		return nil
	case huh.StateCompleted:
		in := ob.Input{}
		for k, v := range m.formVals {
			in[k] = strings.TrimSpace(*v)
		}
		s := m.formStep
		m.closeForm()
		return m.runFix(s, in)
	}
	return cmd
}

func (m *Model) closeForm() { m.form, m.formStep, m.formVals = nil, nil, nil }
