package ui

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/common"
)

// View renders the whole frame: tab bar, active screen, key hints, status bar, and an overlay
// on top when one is open. The frame passes through the redaction layer's net (known secret
// values and secret shapes) whatever the screens drew; the screens themselves make outside
// text terminal-safe where they draw it.
func (m *Model) View() tea.View {
	v := tea.NewView(redact.Scrub(m.Render()))
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = termsafe.Line(redact.Scrub(m.windowTitle()))
	return v
}

// Render returns the frame as a string (the View's content), which tests golden.
func (m *Model) Render() string {
	w, h := m.c.Width, m.c.Height
	if w == 0 || h == 0 {
		return ""
	}
	if m.tooSmall() {
		return m.renderTooSmall()
	}
	body := fitBlock(m.Active().View(), w, h-chromeHeight)
	frame := strings.Join([]string{m.renderTabs(), body, m.renderHints(), m.renderStatus()}, "\n")
	if m.overlay == nil {
		return frame
	}
	box := m.overlay.view()
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x, y := max(0, (w-bw)/2), max(1, (h-bh)/3)
	// The compositor trims trailing blanks; the frame must stay exactly w×h.
	return fitBlock(lipgloss.NewCompositor(
		lipgloss.NewLayer(frame),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render(), w, h)
}

func (m *Model) windowTitle() string {
	if m.titleNote != "" {
		return m.titleNote
	}
	name := "datatui"
	if ws := m.c.Workspace; ws != nil {
		name += " · " + m.statusProject()
	}
	return name
}

func (m *Model) renderTooSmall() string {
	st := m.c.Styles
	msg := fmt.Sprintf("Terminal too small: %d×%d.\ndatatui needs at least %d×%d.\n\nMake the window bigger, or press q to quit.",
		m.c.Width, m.c.Height, MinWidth, MinHeight)
	return lipgloss.Place(m.c.Width, m.c.Height, lipgloss.Center, lipgloss.Center,
		st.Warning.Render(ansi.Wrap(msg, max(10, m.c.Width-2), "")))
}

// renderTabs draws "datatui  1 Home  2 Onboarding …" and records where each tab is, so a
// mouse click can switch to it. When the full labels do not fit, the other tabs shrink to
// their numbers (the keys that switch to them) and the one in front keeps its name; when even
// that does not fit, the bar scrolls to keep the active tab in view and marks the hidden side
// with ‹ or ›. A tab is never dropped without a mark.
func (m *Model) renderTabs() string {
	st := m.c.Styles
	brand := st.Title.Render("datatui") + " "
	labels := func(short bool) []string {
		out := make([]string, len(m.screens))
		for i, s := range m.screens {
			label := strconv.Itoa(i+1) + " " + s.Title()
			style := st.TabInact
			if i == m.active {
				style = st.TabActive
			} else if short {
				label = strconv.Itoa(i + 1)
			}
			out[i] = style.Render(label)
		}
		return out
	}
	width := func(ls []string) int {
		w := 0
		for _, l := range ls {
			w += ansi.StringWidth(l)
		}
		return w
	}
	ls := labels(false)
	if ansi.StringWidth(brand)+width(ls) > m.c.Width {
		ls = labels(true)
	}
	// The visible window of tabs: all of them, or as many as fit around the active one.
	from, to := 0, len(ls)
	for ansi.StringWidth(brand)+width(ls[from:to])+2 > m.c.Width && to-from > 1 {
		if m.active-from > to-1-m.active {
			from++
		} else {
			to--
		}
	}
	var b strings.Builder
	b.WriteString(brand)
	x := ansi.StringWidth(brand)
	if from > 0 {
		b.WriteString(st.Muted.Render("‹"))
		x++
	}
	m.tabHits = m.tabHits[:0]
	for i := from; i < to; i++ {
		wd := ansi.StringWidth(ls[i])
		m.tabHits = append(m.tabHits, tabHit{from: x, to: x + wd, index: i})
		b.WriteString(ls[i])
		x += wd
	}
	if to < len(ls) {
		b.WriteString(st.Muted.Render("›"))
	}
	return fitLine(b.String(), m.c.Width)
}

// renderHints shows the active screen's most useful keys on the left and, always visible on
// the right, the way to everything else (palette, help, quit).
func (m *Model) renderHints() string {
	global := m.help.ShortHelpView([]key.Binding{m.keys.Palette, m.keys.Help, m.keys.Quit})
	room := m.c.Width - ansi.StringWidth(global) - 3
	local := ""
	if bindings := m.Active().KeyMap(); len(bindings) > 0 && room > 10 {
		local = ansi.Truncate(m.help.ShortHelpView(bindings), room, "…")
	}
	gap := max(1, m.c.Width-1-ansi.StringWidth(local)-ansi.StringWidth(global))
	return fitLine(" "+local+strings.Repeat(" ", gap)+global, m.c.Width)
}

// renderStatus draws the status bar: project on the left, then a transient message, and on
// the right the running tasks, branch, target and role.
func (m *Model) renderStatus() string {
	st := m.c.Styles
	w := m.c.Width
	left := st.StatusKey.Render(m.statusProject())

	var right []string
	if running := m.c.Tasks.Running(); len(running) > 0 {
		label := running[len(running)-1].Title
		if len(running) > 1 {
			label = fmt.Sprintf("%s (+%d)", label, len(running)-1)
		}
		right = append(right, m.spinner.View()+" "+label)
	}
	if b := m.info.Git.Branch; b != "" {
		seg := "⎇ " + termsafe.Line(b)
		if m.info.Git.Ahead > 0 || m.info.Git.Behind > 0 {
			seg += fmt.Sprintf(" ↑%d↓%d", m.info.Git.Ahead, m.info.Git.Behind)
		}
		right = append(right, seg)
	}
	if m.info.Target != "" {
		right = append(right, "target "+termsafe.Line(m.info.Target))
	}
	if r := termsafe.Line(m.info.Role); r != "" {
		seg := "role " + r
		if m.c.Workspace != nil && m.c.Workspace.Config != nil && m.c.Workspace.Config.Warehouse.IsAdminRole(r) {
			seg = st.Warning.Render("role " + r + " (admin)")
		}
		right = append(right, seg)
	}
	rightStr := st.StatusText.Render(strings.Join(right, "  "))

	msg := ""
	if m.status.text != "" && (m.status.owner == "" || m.status.owner == m.Active().ID()) {
		style := st.StatusText
		switch m.status.kind {
		case common.StatusSuccess:
			style = style.Foreground(st.Good)
		case common.StatusWarning:
			style = style.Foreground(st.Warn)
		case common.StatusError:
			style = style.Foreground(st.Bad)
		}
		room := max(0, w-ansi.StringWidth(left)-ansi.StringWidth(rightStr)-3)
		shown := strings.Join(strings.Fields(m.status.text), " ") // one line, whatever it holds
		if ansi.StringWidth(shown) > room {
			// Cut, but never without a way to read it: the message log has it whole.
			more := "… " + m.keys.Messages.Help().Key + " more"
			shown = ansi.Truncate(shown, max(0, room-ansi.StringWidth(more)), "") + more
		}
		msg = style.Render(shown)
	}
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(msg) - ansi.StringWidth(rightStr)
	if gap < 0 {
		rightStr = ""
		gap = max(0, w-ansi.StringWidth(left)-ansi.StringWidth(msg))
	}
	return fitLine(left+msg+st.StatusBar.Render(strings.Repeat(" ", gap))+rightStr, w)
}

func (m *Model) statusProject() string {
	if m.c.Workspace == nil {
		return "no project"
	}
	name := m.info.Project
	if name == "" {
		name = filepath.Base(m.c.Workspace.ProjectDir)
	}
	if m.c.Workspace.Demo {
		name += " (demo)"
	}
	return termsafe.Line(name)
}

// fitLine truncates or pads s to exactly w cells.
func fitLine(s string, w int) string {
	s = ansi.Truncate(s, w, "")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// fitBlock makes s exactly w×h cells, so a screen that renders too much or too little cannot
// push the status bar around.
func fitBlock(s string, w, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	for i, l := range lines {
		lines[i] = fitLine(l, w)
	}
	for len(lines) < h {
		lines = append(lines, strings.Repeat(" ", w))
	}
	return strings.Join(lines, "\n")
}

func itoa(n int) string { return strconv.Itoa(n) }
