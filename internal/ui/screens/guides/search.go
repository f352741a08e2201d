package guides

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	guidespkg "github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/common"
)

// maxResults caps the search view; the best results are at the top anyway.
const maxResults = 50

func (m *Model) startSearch() {
	m.mode = modeSearch
}

// runSearch searches on every keystroke. It runs on the UI thread on purpose: a query over
// the whole handbook takes well under a millisecond (BenchmarkSearch: a few ms with 500 extra
// guides), less than a task's round trip, and results then never arrive out of order.
func (m *Model) runSearch() {
	m.searchSel, m.searchTop = 0, 0
	if m.lib == nil {
		m.results = nil
		return
	}
	m.results = m.lib.Search(m.query.value, maxResults)
}

func (m *Model) moveSearch(n int) {
	m.searchSel = min(max(0, m.searchSel+n), max(0, len(m.results)-1))
}

func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		if m.r.g != nil && m.r.hitQuery != "" {
			m.mode = modeReader
		} else {
			m.mode = modeList
		}
		return nil
	case "enter":
		return m.openResult()
	case "up", "ctrl+p", "shift+tab":
		m.moveSearch(-1)
		return nil
	case "down", "ctrl+n":
		m.moveSearch(1)
		return nil
	case "pgdown":
		m.moveSearch(max(1, (m.h-2)/2))
		return nil
	case "pgup":
		m.moveSearch(-max(1, (m.h-2)/2))
		return nil
	}
	if m.query.update(msg) {
		m.runSearch()
	}
	return nil
}

// openResult opens the selected result scrolled to its line, with the query's matches ready
// for n/N.
func (m *Model) openResult() tea.Cmd {
	if m.searchSel >= len(m.results) {
		return nil
	}
	res := m.results[m.searchSel]
	g, ok := m.lib.Get(res.Slug)
	if !ok {
		return common.Status(common.StatusError, "That guide is gone; press r in the list to reload")
	}
	if m.mode == modeReader && m.r.g != nil {
		m.r.back = append(m.r.back, m.r.position())
	} else if m.r.g != nil {
		m.r.back = append(m.r.back, m.r.position())
	}
	m.r.fwd = nil
	return m.show1(g, jump{line: res.Line, query: m.query.value})
}

func (m *Model) searchView() []string {
	st := m.c.Styles
	out := make([]string, 0, m.h)
	head := st.Key.Render("Search: ") + m.query.value + st.Key.Render("█")
	count := ""
	if m.query.value != "" {
		switch n := len(m.results); n {
		case 0:
			count = "no results"
		case 1:
			count = "1 result"
		default:
			count = fmt.Sprintf("%d results", n)
		}
	}
	out = append(out, spread(head, st.Muted.Render(count), m.w))
	switch {
	case m.lib == nil:
		return append(out, st.Muted.Render("Loading the handbook…"))
	case strings.TrimSpace(m.query.value) == "":
		return append(out, "",
			st.Muted.Render("  Type words to search the text of every guide. Guides must contain every word;"),
			st.Muted.Render("  matches in titles, tags and aliases rank first. enter opens a result at its line,"),
			st.Muted.Render("  and n/N in the guide then jump between the matches."))
	case len(m.results) == 0:
		return append(out, "", st.Muted.Render(fmt.Sprintf("  No guide contains every word of %q.", m.query.value)))
	}
	terms := guidespkg.Terms(m.query.value)
	per := 2
	body := max(1, (m.h-2)/per)
	if m.searchSel < m.searchTop {
		m.searchTop = m.searchSel
	}
	if m.searchSel >= m.searchTop+body {
		m.searchTop = m.searchSel - body + 1
	}
	for i := m.searchTop; i < len(m.results) && i < m.searchTop+body; i++ {
		r := m.results[i]
		title := r.Title
		if r.Heading != "" && r.Heading != r.Title {
			title += " › " + r.Heading
		}
		score := st.Muted.Render(fmt.Sprintf("%d", r.Score))
		where := "    "
		if r.Line > 0 {
			where = fmt.Sprintf("    %d: ", r.Line)
		}
		snip := highlightPlain(fit(r.Snippet, max(0, m.w-len(where))), terms, st.Match, st.Text)
		if i == m.searchSel {
			out = append(out, spread(st.Selected.Render("› "+title), score, m.w))
		} else {
			out = append(out, spread("  "+st.Subtitle.Render(title), score, m.w))
		}
		out = append(out, st.Muted.Render(where)+snip)
	}
	for len(out) < m.h-1 {
		out = append(out, "")
	}
	out = out[:max(0, m.h-1)]
	return append(out, st.Muted.Render("enter open at the match · ↑/↓ move · esc back"))
}

// highlightPlain styles the query's words inside plain text (a snippet).
func highlightPlain(s string, terms []string, match, text lipgloss.Style) string {
	ls := strings.ToLower(s)
	if len(ls) != len(s) {
		return text.Render(s) // lower-casing changed byte offsets; skip highlighting
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		hit := 0
		for _, t := range terms {
			if t != "" && strings.HasPrefix(ls[i:], t) && len(t) > hit {
				hit = len(t)
			}
		}
		if hit > 0 {
			b.WriteString(match.Render(s[i : i+hit]))
			i += hit
			continue
		}
		j := i + 1
		for j < len(s) && !startsAny(ls[j:], terms) {
			j++
		}
		b.WriteString(text.Render(s[i:j]))
		i = j
	}
	return b.String()
}

func startsAny(s string, terms []string) bool {
	for _, t := range terms {
		if t != "" && strings.HasPrefix(s, t) {
			return true
		}
	}
	return false
}
