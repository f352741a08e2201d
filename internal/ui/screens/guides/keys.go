package guides

import "charm.land/bubbles/v2/key"

// keyMap holds the screen's bindings. Links are picked with ] and [ rather than tab, which
// the root owns for switching screens.
type keyMap struct {
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	Open, Filter, Search, Close, Reload                       key.Binding
	TOC, NextHit, PrevHit, NextLink, PrevLink, Follow         key.Binding
	OpenWeb, Back, Forward, Copy, Find                        key.Binding
}

func newKeyMap() keyMap {
	return keyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup/b", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "space", "f"), key.WithHelp("pgdn/space", "page down")),
		HalfUp:   key.NewBinding(key.WithKeys("ctrl+u", "u"), key.WithHelp("u", "half page up")),
		HalfDown: key.NewBinding(key.WithKeys("ctrl+d", "d"), key.WithHelp("d", "half page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open guide")),
		Filter:   key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter by title, tag, alias")),
		Search:   key.NewBinding(key.WithKeys("s", "ctrl+f"), key.WithHelp("s", "search every guide")),
		Close:    key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back / clear")),
		Reload:   key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "reload the handbook")),
		TOC:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "table of contents")),
		NextHit:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevHit:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		NextLink: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next link")),
		PrevLink: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous link")),
		Follow:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "follow link")),
		OpenWeb:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open web link in browser")),
		Back:     key.NewBinding(key.WithKeys("backspace", "h", "left"), key.WithHelp("⌫/h", "back")),
		Forward:  key.NewBinding(key.WithKeys("L", "right"), key.WithHelp("L", "forward")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy code block")),
		Find:     key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "find in guide")),
	}
}

// KeyMap lists the keys of the current view for the help bar and the ? overlay.
func (m *Model) KeyMap() []key.Binding {
	k := m.keys
	switch m.mode {
	case modeReader:
		return []key.Binding{k.Down, k.Up, k.PageDown, k.PageUp, k.HalfDown, k.HalfUp, k.Top, k.Bottom,
			k.TOC, k.Find, k.NextHit, k.PrevHit, k.NextLink, k.PrevLink, k.Follow, k.OpenWeb,
			k.Back, k.Forward, k.Copy, k.Search, k.Close}
	case modeSearch:
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open result")),
			key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back to the list")),
		}
	default:
		return []key.Binding{k.Open, k.Down, k.Up, k.Top, k.Bottom, k.Filter, k.Search, k.Reload, k.Close}
	}
}
