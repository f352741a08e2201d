package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/sahilm/fuzzy"

	"github.com/datatui/datatui/internal/ui/common"
)

// overlay is a popup drawn over the frame that takes every key while open.
type overlay interface {
	// update handles a key; done closes the overlay.
	update(msg tea.KeyPressMsg) (done bool, cmd tea.Cmd)
	view() string
	setSize(w, h int)
}

// helpOverlay lists every key: the active screen's, then the global ones.
type helpOverlay struct {
	m      *Model
	w, h   int
	offset int
}

func newHelpOverlay(m *Model) *helpOverlay { return &helpOverlay{m: m} }

func (o *helpOverlay) setSize(w, h int) { o.w, o.h = w, h }

func (o *helpOverlay) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "j", "down":
		o.offset++
	case "k", "up":
		o.offset = max(0, o.offset-1)
	case "?", "esc", "q", "enter":
		return true, nil
	}
	return false, nil
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
			out = append(out, "  "+st.Key.Render(padRight(h.Key, 14))+" "+st.Text.Render(h.Desc))
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
	st := o.m.c.Styles
	lines := o.lines()
	maxH := max(3, o.h-4)
	if o.offset > max(0, len(lines)-maxH) {
		o.offset = max(0, len(lines)-maxH)
	}
	lines = lines[o.offset:min(len(lines), o.offset+maxH)]
	width := min(o.w-4, 72)
	body := st.Title.Render("Keys") + "\n" + strings.Join(lines, "\n") + "\n" + st.Muted.Render("esc or ? to close · j/k scroll")
	return st.Overlay.Width(width).Render(body)
}

// paletteEntry is one palette row: a screen's action or a global one.
type paletteEntry struct {
	screen int // index of the screen that owns the action; -1 for global actions
	action common.Action
}

// palette is the command palette: fuzzy search over every action of every screen.
type palette struct {
	m        *Model
	input    textinput.Model
	entries  []paletteEntry
	matches  []int // indexes into entries, best first
	selected int
	w, h     int
}

func newPalette(m *Model) *palette {
	p := &palette{m: m, input: textinput.New()}
	p.input.Prompt = "› "
	p.input.Placeholder = "type a command…"
	p.input.Focus()
	for i, s := range m.screens {
		idx := i
		p.entries = append(p.entries, paletteEntry{screen: -1, action: common.Action{
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
			p.entries = append(p.entries, paletteEntry{screen: i, action: a})
		}
	}
	p.entries = append(p.entries,
		paletteEntry{screen: -1, action: common.Action{ID: "app.help", Title: "Show keys (help)", Hint: "?", Run: func() tea.Cmd {
			return func() tea.Msg { return openHelpMsg{} }
		}}},
		paletteEntry{screen: -1, action: common.Action{ID: "app.quit", Title: "Quit datatui", Hint: "q", Run: func() tea.Cmd { return m.quit(false) }}},
	)
	p.filter()
	return p
}

// openHelpMsg opens the help overlay (from the palette, which closes itself first).
type openHelpMsg struct{}

func (p *palette) setSize(w, h int) {
	p.w, p.h = w, h
	p.input.SetWidth(min(w-10, 60))
}

// String makes entries searchable by sahilm/fuzzy.
type paletteSource []paletteEntry

func (s paletteSource) String(i int) string { return s[i].action.Title }
func (s paletteSource) Len() int            { return len(s) }

func (p *palette) filter() {
	q := strings.TrimSpace(p.input.Value())
	p.matches = p.matches[:0]
	if q == "" {
		for i := range p.entries {
			p.matches = append(p.matches, i)
		}
	} else {
		res := fuzzy.FindFrom(q, paletteSource(p.entries))
		sort.SliceStable(res, func(i, j int) bool { return res[i].Score > res[j].Score })
		for _, r := range res {
			p.matches = append(p.matches, r.Index)
		}
	}
	if p.selected >= len(p.matches) {
		p.selected = max(0, len(p.matches)-1)
	}
}

func (p *palette) update(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	switch msg.String() {
	case "esc", "ctrl+c":
		return true, nil
	case "up", "ctrl+p", "ctrl+k":
		p.selected = max(0, p.selected-1)
		return false, nil
	case "down", "ctrl+n", "ctrl+j":
		p.selected = min(len(p.matches)-1, p.selected+1)
		return false, nil
	case "enter":
		if len(p.matches) == 0 {
			return false, nil
		}
		e := p.entries[p.matches[p.selected]]
		var cmds []tea.Cmd
		if e.screen >= 0 {
			cmds = append(cmds, p.m.switchTo(e.screen))
		}
		if e.action.Run != nil {
			cmds = append(cmds, e.action.Run())
		}
		return true, tea.Batch(cmds...)
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.filter()
	return false, cmd
}

func (p *palette) view() string {
	st := p.m.c.Styles
	width := min(p.w-4, 70)
	rows := max(3, min(12, p.h-8))
	start := 0
	if p.selected >= rows {
		start = p.selected - rows + 1
	}
	var b strings.Builder
	b.WriteString(p.input.View())
	if len(p.matches) == 0 {
		b.WriteString("\n" + st.Muted.Render("  no matching command"))
	}
	for i := start; i < min(len(p.matches), start+rows); i++ {
		e := p.entries[p.matches[i]]
		where := "app"
		if e.screen >= 0 {
			where = p.m.screens[e.screen].Title()
		}
		hint := ""
		if e.action.Hint != "" {
			hint = " " + e.action.Hint
		}
		right := st.Muted.Render(where + hint)
		title := ansi.Truncate(e.action.Title, width-6-lipgloss.Width(right), "…")
		line := "  " + title
		gap := width - 4 - ansi.StringWidth(line) - lipgloss.Width(right)
		line += strings.Repeat(" ", max(1, gap)) + right
		if i == p.selected {
			line = st.Selected.Render(fitLine("›"+line[1:], width-4))
		}
		b.WriteString("\n" + line)
	}
	b.WriteString("\n" + st.Muted.Render("enter run · ↑/↓ choose · esc close"))
	return st.Overlay.Width(width).Render(st.Title.Render("Command palette") + "\n" + b.String())
}

func padRight(s string, n int) string {
	if w := ansi.StringWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}
