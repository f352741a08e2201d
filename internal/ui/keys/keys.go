// Package keys holds the root's global key bindings. Screens define their own bindings next
// to their code; both feed the `?` overlay and the command palette, so help text is written
// once, on the binding.
package keys

import "charm.land/bubbles/v2/key"

// Global are the keys the root handles on every screen (unless a screen is capturing text).
type Global struct {
	Help     key.Binding
	Palette  key.Binding
	Quit     key.Binding
	ForceQ   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	GotoTab  key.Binding
	Filter   key.Binding
	Back     key.Binding
	Confirm  key.Binding
	Up, Down key.Binding
}

// NewGlobal returns the default global bindings.
func NewGlobal() Global {
	return Global{
		Help:    key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette: key.NewBinding(key.WithKeys(":", "ctrl+k"), key.WithHelp(":/ctrl+k", "command palette")),
		Quit:    key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQ:  key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "cancel work and quit")),
		NextTab: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		PrevTab: key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		GotoTab: key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to screen")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Back:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close / back")),
		Confirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "run")),
		Up:      key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑", "up")),
		Down:    key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓", "down")),
	}
}

// Bindings lists the global keys shown in help, in display order.
func (g Global) Bindings() []key.Binding {
	return []key.Binding{g.NextTab, g.PrevTab, g.GotoTab, g.Filter, g.Palette, g.Help, g.Quit, g.ForceQ}
}
