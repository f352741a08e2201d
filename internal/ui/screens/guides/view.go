package guides

import (
	"github.com/datatui/datatui/internal/ui/components/text"
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
	return text.Block(rows, m.w, m.h)
}
