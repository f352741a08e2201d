package guides

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	guidespkg "github.com/datatui/datatui/guides"
)

// applyFilter recomputes the listed guides: all by section, or the fuzzy matches best first.
func (m *Model) applyFilter() {
	if m.lib == nil {
		m.items = nil
		return
	}
	m.items = m.lib.Filter(m.filter.value)
	m.listSel = min(max(0, m.listSel), max(0, len(m.items)-1))
	if m.filter.value != "" {
		m.listSel = 0
	}
}

func (m *Model) moveList(n int) {
	m.listSel = min(max(0, m.listSel+n), max(0, len(m.items)-1))
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.filtering {
		switch msg.String() {
		case "esc":
			m.filtering = false
			m.filter = lineInput{}
			m.applyFilter()
			return nil
		case "enter":
			m.filtering = false
			return m.openSelected()
		case "up", "ctrl+p":
			m.moveList(-1)
			return nil
		case "down", "ctrl+n":
			m.moveList(1)
			return nil
		}
		if m.filter.update(msg) {
			m.applyFilter()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Down):
		m.moveList(1)
	case key.Matches(msg, k.Up):
		m.moveList(-1)
	case key.Matches(msg, k.PageDown):
		m.moveList(max(1, m.h-4))
	case key.Matches(msg, k.PageUp):
		m.moveList(-max(1, m.h-4))
	case key.Matches(msg, k.Top):
		m.listSel = 0
	case key.Matches(msg, k.Bottom):
		m.listSel = max(0, len(m.items)-1)
	case key.Matches(msg, k.Open):
		return m.openSelected()
	case key.Matches(msg, k.Filter):
		m.filtering = true
	case key.Matches(msg, k.Search):
		m.startSearch()
	case key.Matches(msg, k.Reload):
		return m.load()
	case key.Matches(msg, k.Close):
		if m.filter.value != "" {
			m.filter = lineInput{}
			m.applyFilter()
		} else if m.r.g != nil {
			m.mode = modeReader // esc toggles back to the guide being read
		}
	case key.Matches(msg, k.Forward):
		if m.r.g != nil {
			m.mode = modeReader
		}
	}
	return nil
}

func (m *Model) openSelected() tea.Cmd {
	if m.listSel < 0 || m.listSel >= len(m.items) {
		return nil
	}
	return m.openGuide(m.items[m.listSel].Slug, "")
}

// listRow is one row of the list: a section heading (guide == nil) or a guide.
type listRow struct {
	section string
	guide   *guidespkg.Guide
	index   int // in m.items
}

func (m *Model) listRows() []listRow {
	var rows []listRow
	if m.filter.value != "" {
		for i, g := range m.items {
			rows = append(rows, listRow{guide: g, index: i})
		}
		return rows
	}
	last := "\x00"
	for i, g := range m.items {
		sec := sectionName(g)
		if sec != last {
			rows = append(rows, listRow{section: sec})
			last = sec
		}
		rows = append(rows, listRow{guide: g, index: i})
	}
	return rows
}

func (m *Model) listView() []string {
	st := m.c.Styles
	out := make([]string, 0, m.h)
	count := ""
	if m.lib != nil {
		count = fmt.Sprintf("%d guides", m.lib.Len())
		if m.filter.value != "" {
			count = fmt.Sprintf("%d of %d guides", len(m.items), m.lib.Len())
		}
	}
	head := st.Title.Render("Handbook") + st.Muted.Render(" · "+count)
	right := st.Muted.Render("/ filter · s search")
	if m.filtering || m.filter.value != "" {
		cursor := ""
		if m.filtering {
			cursor = st.Key.Render("█")
		}
		right = st.Key.Render("Filter: ") + m.filter.value + cursor
	}
	out = append(out, spread(head, right, m.w))

	switch {
	case m.lib == nil && m.loadErr != nil:
		return append(out, st.Error.Render("Could not load the handbook: "+m.loadErr.Error()))
	case m.lib == nil:
		return append(out, st.Muted.Render("Loading the handbook…"))
	case len(m.items) == 0:
		return append(out, "", st.Muted.Render(fmt.Sprintf("  No guide's title, tags or aliases match %q. Press s to search their text instead.", m.filter.value)))
	}

	// The footer: the selected guide's origin, tags and aliases, and loading warnings.
	var footer []string
	if w := m.lib.Warnings(); len(w) > 0 {
		footer = append(footer, st.Warning.Render(fmt.Sprintf("! %d handbook warning(s): %s", len(w), w[0])))
	}
	if m.listSel < len(m.items) {
		g := m.items[m.listSel]
		detail := m.originLabel(g)
		if len(g.Tags) > 0 {
			detail += " · tags: " + strings.Join(g.Tags, ", ")
		}
		if len(g.Aliases) > 0 {
			detail += " · also: " + strings.Join(g.Aliases, ", ")
		}
		footer = append(footer, st.Muted.Render(detail))
	}
	body := max(0, m.h-1-len(footer))

	rows := m.listRows()
	selRow := 0
	for i, r := range rows {
		if r.guide != nil && r.index == m.listSel {
			selRow = i
		}
	}
	// Keep the selection visible, with its section heading when there is room.
	if selRow < m.listTop {
		m.listTop = selRow
		if selRow > 0 && rows[selRow-1].guide == nil {
			m.listTop--
		}
	}
	if selRow >= m.listTop+body {
		m.listTop = selRow - body + 1
	}
	m.listTop = max(0, min(m.listTop, len(rows)-body))

	titleW := min(44, max(16, m.w*2/5))
	for i := m.listTop; i < len(rows) && i < m.listTop+body; i++ {
		r := rows[i]
		if r.guide == nil {
			out = append(out, st.Subtitle.Render(r.section))
			continue
		}
		g := r.guide
		title := g.Title
		if g.Team() {
			title += " (team)"
		}
		if m.filter.value != "" {
			title += "  " + sectionName(g)
		}
		title = pad(title, titleW)
		if r.index == m.listSel {
			out = append(out, st.Selected.Render(fit("› "+title+"  "+g.Summary, m.w)))
			continue
		}
		out = append(out, "  "+st.Text.Render(title)+"  "+st.Muted.Render(ansi.Truncate(g.Summary, max(0, m.w-titleW-4), "…")))
	}
	for len(out) < m.h-len(footer) {
		out = append(out, "")
	}
	return append(out, footer...)
}

// sectionName is the guide's section, or the catch-all for guides without one.
func sectionName(g *guidespkg.Guide) string {
	if g.Section == "" {
		return guidespkg.OtherSection
	}
	return g.Section
}

// originLabel says where a guide comes from: built in, or the team's file (relative to the
// repository when it is inside it).
func (m *Model) originLabel(g *guidespkg.Guide) string {
	if !g.Team() {
		return "built-in guide"
	}
	p := g.Origin
	if ws := m.c.Workspace; ws != nil && ws.Root != "" {
		if rel, err := filepath.Rel(ws.Root, p); err == nil && !strings.HasPrefix(rel, "..") {
			p = rel
		}
	}
	return "team guide: " + filepath.ToSlash(p)
}
