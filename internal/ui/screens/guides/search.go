package guides

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	guidespkg "github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// maxResults caps the search view; the best results are at the top anyway.
const maxResults = 50

// searchView is the full-text search: a query field and the results, two lines each.
type searchView struct {
	query input.Line
	list  *list.Model[guidespkg.Result]
}

func newSearchView(c *common.Common) searchView {
	return searchView{list: list.New(&c.KeyMap().Nav, func(r guidespkg.Result) string { return r.Title }).WithRowHeight(2)}
}

func (s *searchView) setSize(_, h int) { s.list.SetHeight(max(0, h-2)) }

// startSearch opens the search view with an empty field: a new search never starts from the
// words of the last one.
func (m *Model) startSearch() {
	m.mode = modeSearch
	m.search.query.Clear()
	m.runSearch()
}

// runSearch searches on every keystroke. It runs on the UI thread on purpose: a query over
// the whole handbook takes well under a millisecond (BenchmarkSearch: a few ms with 500 extra
// guides), less than a task's round trip, and results then never arrive out of order.
func (m *Model) runSearch() {
	var results []guidespkg.Result
	if m.lib != nil {
		results = m.lib.Search(m.search.query.Value(), maxResults)
	}
	m.search.list.SetItems(results)
	m.search.list.Move(-len(results))
}

func (m *Model) searchKey(msg tea.KeyPressMsg) tea.Cmd {
	l := m.search.list
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
		l.Move(-1)
		return nil
	case "down", "ctrl+n":
		l.Move(1)
		return nil
	case "pgdown":
		l.Move(max(1, l.Height()/4))
		return nil
	case "pgup":
		l.Move(-max(1, l.Height()/4))
		return nil
	}
	if m.search.query.Update(msg) {
		m.runSearch()
	}
	return nil
}

// openResult opens the selected result scrolled to its line, with the query's matches ready
// for n/N.
func (m *Model) openResult() tea.Cmd {
	res, ok := m.search.list.Selected()
	if !ok {
		return nil
	}
	g, ok := m.lib.Get(res.Slug)
	if !ok {
		return common.ScreenStatus(ID, common.StatusError, "That guide is gone; press r in the list to reload")
	}
	if m.r.g != nil {
		m.r.back = append(m.r.back, m.r.position())
	}
	m.r.fwd = nil
	return m.show1(g, jump{line: res.Line, query: m.search.query.Value()})
}

func (m *Model) searchView() []string {
	st := m.c.Styles
	q := m.search.query.Value()
	head := m.search.query.View("Search: ", true, st.Key, st.Text)
	count := ""
	if strings.TrimSpace(q) != "" {
		switch n := m.search.list.Len(); n {
		case 0:
			count = "no results"
		default:
			count = text.Plural(n, "result", "results")
		}
	}
	out := []string{text.Spread(head, st.Muted.Render(count), m.w)}
	switch {
	case m.lib == nil:
		return append(out, st.Muted.Render("Loading the handbook…"))
	case strings.TrimSpace(q) == "":
		return append(append(out, ""), text.WrapStyle("  Type words to search the text of every guide. Guides must contain every word; "+
			"matches in titles, tags and aliases rank first. enter opens a result at its line, and n/N in the guide then jump between the matches.", m.w, st.Muted)...)
	case m.search.list.Len() == 0:
		return append(out, "", st.Muted.Render(fmt.Sprintf("  No guide contains every word of %q.", q)))
	}
	terms := guidespkg.Terms(q)
	out = append(out, m.search.list.View(m.w, func(r list.Row[guidespkg.Result], w int) string {
		res := r.Item
		title := res.Title
		if res.Heading != "" && res.Heading != res.Title {
			title += " › " + res.Heading
		}
		where := "    in the title, tags or aliases: "
		if res.Line > 0 {
			where = fmt.Sprintf("    line %d: ", res.Line)
		}
		room := max(0, w-ansi.StringWidth(where))
		snip := res.Snippet
		if ansi.StringWidth(snip) > room {
			snip = ansi.Truncate(snip, room, "…")
		}
		first := "  " + text.Highlight(title, text.Find(title, terms...), st.Subtitle, st.Match)
		if r.Selected {
			first = st.Selected.Render("› ") + text.Highlight(title, text.Find(title, terms...), st.Selected, st.Selected.Underline(true))
			first += st.Selected.Render(strings.Repeat(" ", max(0, w-ansi.StringWidth(first))))
		}
		return first + "\n" + st.Muted.Render(where) + text.Highlight(snip, text.Find(snip, terms...), st.Text, st.Match)
	})...)
	return append(out, st.Muted.Render("enter open at the match · ↑/↓ move · esc back"))
}
