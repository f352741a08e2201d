package guides

import (
	"charm.land/bubbles/v2/key"

	"github.com/datatui/datatui/internal/ui/keys"
)

// keyMap holds the screen's bindings: the shared navigation keys (with the person's overrides)
// and the reader's own. Links are picked with ] and [ rather than tab, which the root owns for
// switching screens.
type keyMap struct {
	nav                                                       *keys.Nav
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding
	Open, Filter, Search, Close, Reload                       key.Binding
	TOC, NextHit, PrevHit, NextLink, PrevLink, Follow         key.Binding
	OpenWeb, Back, Forward, Copy, Find                        key.Binding
}

// as is nav binding b with this screen's description.
func as(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

func newKeyMap(nav *keys.Nav) keyMap {
	return keyMap{
		nav:      nav,
		Up:       nav.Up,
		Down:     nav.Down,
		PageUp:   nav.PageUp,
		PageDown: nav.PageDown,
		HalfUp:   nav.HalfUp,
		HalfDown: nav.HalfDown,
		Top:      nav.Top,
		Bottom:   nav.Bottom,
		Open:     as(nav.Open, "open guide"),
		Filter:   as(nav.Filter, "filter by title, tag, alias"),
		Search:   key.NewBinding(key.WithKeys("s", "ctrl+f"), key.WithHelp("s", "search every guide")),
		Close:    as(nav.Back, "back / clear"),
		Reload:   as(nav.Refresh, "reload the handbook"),
		TOC:      key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "table of contents")),
		NextHit:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next match")),
		PrevHit:  key.NewBinding(key.WithKeys("N"), key.WithHelp("N", "previous match")),
		NextLink: key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next link")),
		PrevLink: key.NewBinding(key.WithKeys("["), key.WithHelp("[", "previous link")),
		Follow:   as(nav.Open, "follow link"),
		OpenWeb:  key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open web link in browser")),
		Back:     key.NewBinding(key.WithKeys("backspace", "h", "left"), key.WithHelp("⌫/h", "back")),
		Forward:  key.NewBinding(key.WithKeys("L", "right"), key.WithHelp("L", "forward")),
		Copy:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy code block")),
		Find:     as(nav.Filter, "find in guide"),
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
