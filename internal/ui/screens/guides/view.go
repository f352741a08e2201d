package guides

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// View draws the active view into exactly the size given by SetSize.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	var rows []string
	switch {
	case m.mode == modeReader && m.r.g != nil:
		rows = m.readerView()
	case m.mode == modeSearch:
		rows = m.searchView()
	default:
		rows = m.listView()
	}
	for len(rows) < m.h {
		rows = append(rows, "")
	}
	rows = rows[:m.h]
	for i, r := range rows {
		rows[i] = pad(r, m.w)
	}
	return strings.Join(rows, "\n")
}

// fit truncates s (which may hold styles) to width cells.
func fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "…")
}

// pad fits s to exactly width cells.
func pad(s string, width int) string {
	s = fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// spread puts left and right on one line of width cells, truncating left when they do not fit.
func spread(left, right string, width int) string {
	rw := ansi.StringWidth(right)
	if rw >= width {
		return fit(left, width)
	}
	left = fit(left, max(0, width-rw-1))
	gap := width - ansi.StringWidth(left) - rw
	return left + strings.Repeat(" ", max(1, gap)) + right
}
