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

	"github.com/datatui/datatui/internal/ui/common"
)

// View renders the whole frame: tab bar, active screen, key hints, status bar, and an overlay
// on top when one is open.
func (m *Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = m.windowTitle()
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
	return lipgloss.NewCompositor(
		lipgloss.NewLayer(frame),
		lipgloss.NewLayer(box).X(x).Y(y).Z(1),
	).Render()
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
// mouse click can switch to it.
func (m *Model) renderTabs() string {
	st := m.c.Styles
	brand := st.Title.Render("datatui") + " "
	x := ansi.StringWidth(brand)
	var b strings.Builder
	b.WriteString(brand)
	m.tabHits = m.tabHits[:0]
	for i, s := range m.screens {
		label := strconv.Itoa(i+1) + " " + s.Title()
		style := st.TabInact
		if i == m.active {
			style = st.TabActive
		}
		r := style.Render(label)
		wd := ansi.StringWidth(r)
		if x+wd > m.c.Width {
			break
		}
		m.tabHits = append(m.tabHits, tabHit{from: x, to: x + wd, index: i})
		b.WriteString(r)
		x += wd
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
		seg := "⎇ " + b
		if m.info.Git.Ahead > 0 || m.info.Git.Behind > 0 {
			seg += fmt.Sprintf(" ↑%d↓%d", m.info.Git.Ahead, m.info.Git.Behind)
		}
		right = append(right, seg)
	}
	if m.info.Target != "" {
		right = append(right, "target "+m.info.Target)
	}
	if r := m.info.Role; r != "" {
		seg := "role " + r
		if m.c.Workspace != nil && m.c.Workspace.Config != nil && m.c.Workspace.Config.Warehouse.IsAdminRole(r) {
			seg = st.Warning.Render("role " + r + " (admin)")
		}
		right = append(right, seg)
	}
	rightStr := st.StatusText.Render(strings.Join(right, "  "))

	msg := ""
	if m.status.text != "" {
		style := st.StatusText
		switch m.status.kind {
		case common.StatusSuccess:
			style = style.Foreground(st.Good)
		case common.StatusWarning:
			style = style.Foreground(st.Warn)
		case common.StatusError:
			style = style.Foreground(st.Bad)
		}
		room := w - ansi.StringWidth(left) - ansi.StringWidth(rightStr) - 1
		msg = style.Render(ansi.Truncate(m.status.text, max(0, room-2), "…"))
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
	return name
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
