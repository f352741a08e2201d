// Package keys holds datatui's shared key bindings: the root's global keys and the one
// navigation keymap every list and pager uses, so j/k, g/G, pgup/pgdn and / mean the same on
// every screen. Screens define the bindings only they have next to their code; all bindings
// feed the `?` overlay and the command palette, so help text is written once, on the binding.
//
// People rebind keys in their personal config.yml (see Map.Apply and Names):
//
//	keys:
//	  down: [j, down, ctrl+n]
//	  palette: ctrl+p
//
// A Map is built once per program and handed to screens through common.Common; there is no
// package-level keymap to mutate.
package keys

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Global are the keys the root handles on every screen (unless a screen is capturing text).
type Global struct {
	Help     key.Binding
	Palette  key.Binding
	Messages key.Binding
	Quit     key.Binding
	ForceQ   key.Binding
	NextTab  key.Binding
	PrevTab  key.Binding
	GotoTab  key.Binding
}

// Nav is the navigation keymap of lists, tables and pagers.
type Nav struct {
	Up, Down         key.Binding
	PageUp, PageDown key.Binding
	HalfUp, HalfDown key.Binding
	Top, Bottom      key.Binding
	Left, Right      key.Binding
	Open             key.Binding
	Back             key.Binding
	Filter           key.Binding
	Refresh          key.Binding
}

// Map is every shared binding.
type Map struct {
	Global Global
	Nav    Nav
}

// NewGlobal returns the default global bindings.
func NewGlobal() Global {
	return Global{
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Palette:  key.NewBinding(key.WithKeys(":", "ctrl+k"), key.WithHelp(":/ctrl+k", "command palette")),
		Messages: key.NewBinding(key.WithKeys("!"), key.WithHelp("!", "messages in full")),
		Quit:     key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQ:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "cancel work and quit")),
		NextTab:  key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		PrevTab:  key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		GotoTab:  key.NewBinding(key.WithKeys("1", "2", "3", "4", "5", "6", "7", "8", "9"), key.WithHelp("1-9", "go to screen")),
	}
}

// NewNav returns the default navigation bindings: vim keys and arrows, like lazygit and k9s.
func NewNav() Nav {
	return Nav{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "f", "space"), key.WithHelp("pgdn/f", "page down")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u", "u"), key.WithHelp("u", "half page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d", "d"), key.WithHelp("d", "half page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Refresh:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
	}
}

// Default returns the default map.
func Default() *Map { return &Map{Global: NewGlobal(), Nav: NewNav()} }

// Bindings lists the global keys shown in help, in display order.
func (g Global) Bindings() []key.Binding {
	return []key.Binding{g.NextTab, g.PrevTab, g.GotoTab, g.Palette, g.Messages, g.Help, g.Quit, g.ForceQ}
}

// binding is one rebindable action: its config name, where it lives, and whether it is global.
type binding struct {
	name   string
	b      *key.Binding
	global bool
}

func (m *Map) all() []binding {
	g, n := &m.Global, &m.Nav
	return []binding{
		{"help", &g.Help, true}, {"palette", &g.Palette, true}, {"messages", &g.Messages, true},
		{"quit", &g.Quit, true}, {"force_quit", &g.ForceQ, true},
		{"next_screen", &g.NextTab, true}, {"previous_screen", &g.PrevTab, true},
		{"up", &n.Up, false}, {"down", &n.Down, false},
		{"page_up", &n.PageUp, false}, {"page_down", &n.PageDown, false},
		{"half_page_up", &n.HalfUp, false}, {"half_page_down", &n.HalfDown, false},
		{"top", &n.Top, false}, {"bottom", &n.Bottom, false},
		{"left", &n.Left, false}, {"right", &n.Right, false},
		{"open", &n.Open, false}, {"back", &n.Back, false},
		{"filter", &n.Filter, false}, {"refresh", &n.Refresh, false},
	}
}

// Names lists the actions config.yml may rebind, sorted.
func Names() []string {
	var out []string
	for _, b := range Default().all() {
		out = append(out, b.name)
	}
	sort.Strings(out)
	return out
}

// Apply rebinds actions by name (keys as Bubble Tea names them: "j", "ctrl+n", "pgdown",
// "space"). It changes nothing and returns an error when a name is unknown, a key list is
// empty, or the result would bind one key to two actions that can both fire (two global
// actions, two navigation actions, or a navigation key the root would take first).
func (m *Map) Apply(overrides map[string][]string) error {
	if len(overrides) == 0 {
		return nil
	}
	next := *m
	byName := map[string]binding{}
	for _, b := range next.all() {
		byName[b.name] = b
	}
	names := make([]string, 0, len(overrides))
	for name := range overrides {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b, ok := byName[name]
		if !ok {
			return fmt.Errorf("keys.%s: no such action (you can rebind %s)", name, strings.Join(Names(), ", "))
		}
		ks := overrides[name]
		if len(ks) == 0 {
			return fmt.Errorf("keys.%s: give at least one key", name)
		}
		for _, k := range ks {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				return fmt.Errorf("keys.%s: %q is not a key name (write space as \"space\")", name, k)
			}
		}
		help := b.b.Help()
		*b.b = key.NewBinding(key.WithKeys(ks...), key.WithHelp(strings.Join(ks, "/"), help.Desc))
	}
	if err := next.conflicts(); err != nil {
		return err
	}
	*m = next
	return nil
}

// conflicts finds a key bound to two actions that can both fire.
func (m *Map) conflicts() error {
	type owner struct {
		name   string
		global bool
	}
	seen := map[string]owner{}
	// Deterministic order: globals first, so a clash names the global that would win.
	bs := m.all()
	slices.SortStableFunc(bs, func(a, b binding) int {
		if a.global == b.global {
			return 0
		}
		if a.global {
			return -1
		}
		return 1
	})
	for _, b := range bs {
		for _, k := range b.b.Keys() {
			if o, ok := seen[k]; ok && (o.global || !b.global) {
				return fmt.Errorf("keys: %q is bound to both %s and %s", k, o.name, b.name)
			}
			seen[k] = owner{b.name, b.global}
		}
	}
	for _, k := range m.Global.GotoTab.Keys() {
		if o, ok := seen[k]; ok {
			return fmt.Errorf("keys: %q is bound to %s but also switches screens", k, o.name)
		}
	}
	return nil
}
