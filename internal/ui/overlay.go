package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// overlay is a popup drawn over the frame that takes every key while open.
type overlay interface {
	// update handles a key; done closes the overlay.
	update(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	view() string
	setSize(w, h int)
}

// pager is the scrolling body shared by the help overlay and the message log.
type pager struct {
	m      *Model
	w, h   int
	offset int
}

func (p *pager) setSize(w, h int) { p.w, p.h = w, h }

// scroll handles the navigation keys; it reports whether the key closes the pager.
func (p *pager) scroll(msg tea.KeyPressMsg, closers ...string) bool {
	nav := p.m.c.KeyMap().Nav
	switch {
	case key.Matches(msg, nav.Down):
		p.offset++
	case key.Matches(msg, nav.Up):
		p.offset = max(0, p.offset-1)
	case key.Matches(msg, nav.PageDown):
		p.offset += max(1, p.h-6)
	case key.Matches(msg, nav.PageUp):
		p.offset = max(0, p.offset-max(1, p.h-6))
	case key.Matches(msg, nav.Top):
		p.offset = 0
	}
	s := msg.String()
	for _, c := range append(closers, "esc", "q", "enter") {
		if s == c {
			return true
		}
	}
	return false
}

// box draws title, the visible part of lines and footer in the overlay frame.
func (p *pager) box(title string, lines []string, footer string) string {
	st := p.m.c.Styles
	maxH := max(3, p.h-5)
	p.offset = text.Clamp(p.offset, 0, max(0, len(lines)-maxH))
	lines = lines[p.offset:min(len(lines), p.offset+maxH)]
	width := min(p.w-4, 80)
	body := st.Title.Render(title) + "\n" + strings.Join(lines, "\n") + "\n" + st.Muted.Render(footer)
	return st.Overlay.Width(width).Render(body)
}

// helpOverlay lists every key: the active screen's, then the global ones.
type helpOverlay struct{ pager }

func newHelpOverlay(m *Model) *helpOverlay { return &helpOverlay{pager{m: m}} }

func (o *helpOverlay) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	return o.scroll(msg, "?"), nil
}

func (o *helpOverlay) lines() []string {
	st := o.m.c.Styles
	section := func(title string, bindings []key.Binding) []string {
		out := []string{st.Subtitle.Render(title)}
		for _, b := range bindings {
			h := b.Help()
			if h.Key == "" || !b.Enabled() {
				continue
			}
			out = append(out, "  "+st.Key.Render(text.PadCut(h.Key, 14))+" "+st.Text.Render(h.Desc))
		}
		return append(out, "")
	}
	screen := o.m.Active()
	lines := section(screen.Title(), screen.KeyMap())
	lines = append(lines, section("Everywhere", o.m.keys.Bindings())...)
	lines = append(lines, st.Muted.Render("Mouse: click a tab to switch, wheel to scroll."))
	return lines
}

func (o *helpOverlay) view() string {
	return o.box("Keys", o.lines(), "esc or ? to close · j/k scroll")
}

// messageLog shows the status messages of this session in full, newest first: the way to read
// a message the status bar had to cut, or one that has already expired.
type messageLog struct{ pager }

func newMessageLog(m *Model) *messageLog { return &messageLog{pager{m: m}} }

func (o *messageLog) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	return o.scroll(msg, "!"), nil
}

func (o *messageLog) view() string {
	st := o.m.c.Styles
	width := min(o.w-4, 80) - 4
	var lines []string
	if len(o.m.messages) == 0 {
		lines = append(lines, st.Muted.Render("No messages yet."))
	}
	for i := len(o.m.messages) - 1; i >= 0; i-- {
		e := o.m.messages[i]
		style := st.Text
		switch e.kind {
		case common.StatusSuccess:
			style = st.Success
		case common.StatusWarning:
			style = st.Warning
		case common.StatusError:
			style = st.Error
		}
		where := "app"
		if j := o.m.find(e.owner); j >= 0 {
			where = o.m.screens[j].Title()
		}
		lines = append(lines, st.Muted.Render(e.at.Format("15:04:05")+" · "+where))
		for _, l := range text.Wrap(e.text, width-2) {
			lines = append(lines, "  "+style.Render(l))
		}
	}
	return o.box("Messages", lines, "esc or ! to close · j/k scroll")
}

// paletteEntry is one palette row: a screen's action or a global one.
type paletteEntry struct {
	screen int // index of the screen that owns the action; -1 for global actions
	action common.Action
}

// palette is the command palette: fuzzy search over every action of every screen, with the
// characters that matched highlighted. The filter field always has the keyboard.
type palette struct {
	m    *Model
	list *list.Model[paletteEntry]
	w, h int
}

func newPalette(m *Model) *palette {
	p := &palette{m: m, list: list.New(&m.c.KeyMap().Nav, func(e paletteEntry) string { return e.action.Title })}
	var entries []paletteEntry
	for i, s := range m.screens {
		idx := i
		entries = append(entries, paletteEntry{screen: -1, action: common.Action{
			ID: "go." + s.ID(), Title: "Go to " + s.Title(), Hint: itoa(i + 1),
			Run: func() tea.Cmd { return m.switchTo(idx) },
		}})
	}
	// The active screen's actions come first: they are the likeliest wanted.
	order := []int{m.active}
	for i := range m.screens {
		if i != m.active {
			order = append(order, i)
		}
	}
	for _, i := range order {
		for _, a := range m.screens[i].Actions() {
			entries = append(entries, paletteEntry{screen: i, action: a})
		}
	}
	entries = append(entries,
		paletteEntry{screen: -1, action: common.Action{ID: "app.help", Title: "Show keys (help)", Hint: "?", Run: func() tea.Cmd {
			return func() tea.Msg { return openHelpMsg{} }
		}}},
		paletteEntry{screen: -1, action: common.Action{ID: "app.messages", Title: "Show messages in full", Hint: "!", Run: func() tea.Cmd {
			return func() tea.Msg { return openMessagesMsg{} }
		}}},
		paletteEntry{screen: -1, action: common.Action{ID: "app.quit", Title: "Quit datatui", Hint: "q", Run: func() tea.Cmd { return m.quit(false) }}},
	)
	p.list.SetItems(entries)
	p.list.StartFilter()
	return p
}

// openHelpMsg opens the help overlay (from the palette, which closes itself first).
type openHelpMsg struct{}

// openMessagesMsg opens the message log (from the palette).
type openMessagesMsg struct{}

func (p *palette) setSize(w, h int) {
	p.w, p.h = w, h
	p.list.SetHeight(max(3, min(12, h-8)))
}

func (p *palette) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "ctrl+k":
		p.list.Move(-1)
		return false, nil
	case "ctrl+j":
		p.list.Move(1)
		return false, nil
	case "enter":
		e, ok := p.list.Selected()
		if !ok {
			return false, nil
		}
		var cmds []tea.Cmd
		if e.screen >= 0 {
			cmds = append(cmds, p.m.switchTo(e.screen))
		}
		if e.action.Run != nil {
			cmds = append(cmds, e.action.Run())
		}
		return true, tea.Batch(cmds...)
	}
	p.list.Update(msg)
	return false, nil
}

func (p *palette) view() string {
	st := p.m.c.Styles
	width := min(p.w-4, 70)
	inner := width - 4
	var b strings.Builder
	b.WriteString(st.Key.Render(": ") + st.Text.Render(p.list.Query()) + st.Key.Render("█"))
	if p.list.Len() == 0 {
		b.WriteString("\n" + st.Muted.Render("  no matching command"))
	} else {
		rows := p.list.View(inner, func(r list.Row[paletteEntry], w int) string {
			e := r.Item
			where := "app"
			if e.screen >= 0 {
				where = p.m.screens[e.screen].Title()
			}
			if e.action.Hint != "" {
				where += " " + e.action.Hint
			}
			base, mark, fill := st.Text, st.Match, st.App
			if r.Selected {
				// The whole row is drawn in the selection style, piece by piece, so its
				// background is unbroken and the matched characters stay marked.
				base, mark, fill = st.Selected, st.Selected.Underline(true), st.Selected
			}
			room := max(0, w-2-ansi.StringWidth(where)-1)
			title := e.action.Title
			if ansi.StringWidth(title) > room {
				title = ansi.Truncate(title, room, "…")
			}
			label := text.Highlight(title, text.Clip(r.Spans, len(title)), base, mark)
			cursor := fill.Render("  ")
			right := st.Muted.Render(where)
			if r.Selected {
				cursor, right = fill.Render("› "), fill.Render(where)
			}
			gap := max(1, w-2-ansi.StringWidth(title)-ansi.StringWidth(where))
			line := cursor + label + fill.Render(strings.Repeat(" ", gap)) + right
			return line
		})
		for _, r := range rows[:min(len(rows), p.list.Len())] {
			b.WriteString("\n" + r)
		}
	}
	b.WriteString("\n" + st.Muted.Render("enter run · ↑/↓ choose · esc close"))
	return st.Overlay.Width(width).Render(st.Title.Render("Command palette") + "\n" + b.String())
}
