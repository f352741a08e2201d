package guides

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	guidespkg "github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// reader is the state of the guide being read.
type reader struct {
	g         *guidespkg.Guide
	doc       *doc      // the render on screen (possibly for the previous width until the new one arrives)
	want      renderKey // the render that fits the pane now
	renderErr error
	offset    int // first visible row

	// Search matches: the rows holding hitQuery, and the current one.
	hitQuery string
	hits     []int
	hit      int

	// link is the focused link (index in g.Links), or -1.
	link int

	// toc is the table of contents, open while tocOpen.
	toc     *list.Model[guidespkg.Heading]
	tocOpen bool

	find    input.Line
	finding bool

	back, fwd []place
	jump      *jump // where to go once the render is there
}

// jump is a position to reach in a guide once it is rendered.
type jump struct {
	anchor string
	line   int // a line of the guide's file (a search result)
	query  string
	row    int // a rendered row (history), used when anchor and line are empty
	pct    float64
	usePct bool
}

// place is an entry of the back/forward history.
type place struct {
	slug   string
	offset int
	pct    float64
}

func (r *reader) position() place {
	p := place{slug: r.g.Slug, offset: r.offset}
	if r.doc != nil && len(r.doc.lines) > 0 {
		p.pct = float64(r.offset) / float64(len(r.doc.lines))
	}
	return p
}

// show puts a finished render on screen: at the pending jump if there is one, else at the same
// relative position as the render it replaces (a resize or theme change).
func (m *Model) show(d *doc) {
	old := m.r.doc
	m.r.doc = d
	m.r.renderErr = nil
	vh := m.bodyHeight()
	switch j := m.r.jump; {
	case j != nil:
		m.r.jump = nil
		m.r.offset = 0
		switch {
		case j.anchor != "":
			if h := m.r.g.Heading(j.anchor); h != nil {
				for i := range m.r.g.Headings {
					if &m.r.g.Headings[i] == h {
						m.r.offset = d.headingRows[i]
					}
				}
			}
		case j.usePct:
			m.r.offset = int(j.pct*float64(len(d.lines)) + 0.5)
		case j.line > 0:
			m.r.offset = max(0, d.rowForLine(m.r.g, j.line, j.query)-vh/3)
		default:
			m.r.offset = j.row
		}
		if j.query != "" {
			m.setHits(j.query)
			// Start cycling from the match the jump landed on.
			for i, r := range m.r.hits {
				if r >= m.r.offset {
					m.r.hit = i
					break
				}
			}
		}
	case old != nil && old.partial && old.key == d.key:
		// The rest of the guide arrived under the part already shown: stay put.
		if m.r.hitQuery != "" {
			m.setHits(m.r.hitQuery)
		}
	case old != nil && old.key.slug == d.key.slug && len(old.lines) > 0:
		m.r.offset = int(float64(m.r.offset)/float64(len(old.lines))*float64(len(d.lines)) + 0.5)
		if m.r.hitQuery != "" {
			m.setHits(m.r.hitQuery)
		}
	}
	m.clampOffset()
}

func (m *Model) setHits(query string) {
	m.r.hitQuery = query
	m.r.hits, m.r.hit = nil, 0
	if m.r.doc != nil {
		m.r.hits = m.r.doc.hitRows(query)
	}
}

// bodyHeight is the rows the guide text gets (the pane minus the header and footer).
func (m *Model) bodyHeight() int { return max(1, m.h-2) }

func (m *Model) clampOffset() {
	if m.r.doc == nil {
		m.r.offset = 0
		return
	}
	maxOff := max(0, len(m.r.doc.lines)-m.bodyHeight())
	m.r.offset = min(max(0, m.r.offset), maxOff)
}

func (m *Model) scroll(n int) {
	m.r.offset += n
	m.clampOffset()
}

// scrollTo makes row visible, placing it a third down the page when it was off screen.
func (m *Model) scrollTo(row int) {
	vh := m.bodyHeight()
	if row < m.r.offset || row >= m.r.offset+vh {
		m.r.offset = row - vh/3
	}
	m.clampOffset()
}

func (m *Model) readerKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.r.finding {
		switch {
		case msg.String() == "enter":
			m.r.finding = false
			m.setHits(m.r.find.Value())
			return m.nextHit(0)
		case msg.String() == "esc":
			m.r.finding = false
			return nil
		}
		m.r.find.Update(msg)
		return nil
	}
	if m.r.tocOpen {
		return m.tocKey(msg)
	}
	vh := m.bodyHeight()
	switch {
	case key.Matches(msg, k.Down):
		m.scroll(1)
	case key.Matches(msg, k.Up):
		m.scroll(-1)
	case key.Matches(msg, k.PageDown):
		m.scroll(vh - 1)
	case key.Matches(msg, k.PageUp):
		m.scroll(-(vh - 1))
	case key.Matches(msg, k.HalfDown):
		m.scroll(vh / 2)
	case key.Matches(msg, k.HalfUp):
		m.scroll(-vh / 2)
	case key.Matches(msg, k.Top):
		m.r.offset = 0
	case key.Matches(msg, k.Bottom):
		m.r.offset = 1 << 30
		m.clampOffset()
	case key.Matches(msg, k.TOC):
		m.openTOC()
	case key.Matches(msg, k.NextHit):
		return m.nextHit(1)
	case key.Matches(msg, k.PrevHit):
		return m.nextHit(-1)
	case key.Matches(msg, k.NextLink):
		m.cycleLink(1)
	case key.Matches(msg, k.PrevLink):
		m.cycleLink(-1)
	case key.Matches(msg, k.Follow):
		return m.followLink(false)
	case key.Matches(msg, k.OpenWeb):
		return m.followLink(true)
	case key.Matches(msg, k.Back):
		return m.goBack()
	case key.Matches(msg, k.Forward):
		return m.goForward()
	case key.Matches(msg, k.Copy):
		return m.copyCode()
	case key.Matches(msg, k.Find):
		m.r.finding = true
		m.r.find.Clear()
	case key.Matches(msg, k.Search):
		m.startSearch()
	case key.Matches(msg, k.Close):
		switch {
		case m.r.link >= 0:
			m.r.link = -1
		case m.r.hitQuery != "":
			m.r.hitQuery, m.r.hits = "", nil
		default:
			m.mode = modeList
		}
	}
	return nil
}

// nextHit moves to the next (dir 1) or previous (-1) match, or to the current one (0).
func (m *Model) nextHit(dir int) tea.Cmd {
	if len(m.r.hits) == 0 {
		if m.r.hitQuery == "" {
			return common.ScreenStatus(ID, common.StatusInfo, "No search in this guide: press / to find a word, or s to search every guide")
		}
		return common.ScreenStatus(ID, common.StatusWarning, fmt.Sprintf("%q is not in this guide", m.r.hitQuery))
	}
	n := len(m.r.hits)
	m.r.hit = ((m.r.hit+dir)%n + n) % n
	m.scrollTo(m.r.hits[m.r.hit])
	return nil
}

// cycleLink focuses the next or previous link, starting from the top of the page when none is
// focused.
func (m *Model) cycleLink(dir int) {
	d := m.r.doc
	if d == nil || len(m.r.g.Links) == 0 {
		return
	}
	n := len(m.r.g.Links)
	if m.r.link < 0 {
		// The first link on screen (or the last one above it, going back).
		best := -1
		for i := range n {
			row := d.linkRows[i]
			if dir > 0 && row >= m.r.offset {
				best = i
				break
			}
			if dir < 0 && row < m.r.offset+m.bodyHeight() {
				best = i
			}
		}
		if best < 0 {
			best = map[bool]int{true: 0, false: n - 1}[dir > 0]
		}
		m.r.link = best
	} else {
		m.r.link = ((m.r.link+dir)%n + n) % n
	}
	m.scrollTo(d.linkRows[m.r.link])
}

// followLink follows the focused link: another guide opens in the reader, a web link in the
// browser (web only when web is set).
func (m *Model) followLink(web bool) tea.Cmd {
	if m.r.link < 0 || m.r.link >= len(m.r.g.Links) {
		return common.ScreenStatus(ID, common.StatusInfo, "No link selected: press ] or [ to pick one")
	}
	lk := m.r.g.Links[m.r.link]
	t, err := m.lib.Resolve(m.r.g, lk.Target)
	if err != nil {
		return common.ScreenStatus(ID, common.StatusError, "Broken link: "+err.Error())
	}
	if t.External() {
		u, open := t.URL, m.openURL
		_, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Opening " + u}, func(context.Context, tasks.Emit) (struct{}, error) {
			return struct{}{}, open(u)
		})
		return tea.Batch(cmd, common.ScreenStatus(ID, common.StatusInfo, "Opening "+u+" in your browser"))
	}
	if web {
		return common.ScreenStatus(ID, common.StatusInfo, "That link opens a guide: press enter")
	}
	if t.Slug == m.r.g.Slug {
		m.r.back = append(m.r.back, m.r.position())
		m.r.fwd = nil
		m.r.link = -1
		if h := m.r.g.Heading(t.Anchor); h != nil && m.r.doc != nil {
			for i := range m.r.g.Headings {
				if m.r.g.Headings[i].Anchor == t.Anchor {
					m.r.offset = m.r.doc.headingRows[i]
				}
			}
			m.clampOffset()
		}
		return nil
	}
	return m.openGuide(t.Slug, t.Anchor)
}

func (m *Model) goBack() tea.Cmd {
	if len(m.r.back) == 0 {
		m.mode = modeList
		return nil
	}
	p := m.r.back[len(m.r.back)-1]
	m.r.back = m.r.back[:len(m.r.back)-1]
	m.r.fwd = append(m.r.fwd, m.r.position())
	return m.goPlace(p)
}

func (m *Model) goForward() tea.Cmd {
	if len(m.r.fwd) == 0 {
		return nil
	}
	p := m.r.fwd[len(m.r.fwd)-1]
	m.r.fwd = m.r.fwd[:len(m.r.fwd)-1]
	m.r.back = append(m.r.back, m.r.position())
	return m.goPlace(p)
}

func (m *Model) goPlace(p place) tea.Cmd {
	g, ok := m.lib.Get(p.slug)
	if !ok {
		return nil
	}
	if g.Slug == m.r.g.Slug && m.r.doc != nil {
		m.r.offset = p.offset
		m.r.link = -1
		m.clampOffset()
		return nil
	}
	return m.show1(g, jump{row: p.offset, pct: p.pct, usePct: true})
}

// copyCode copies the first code block on screen (else the next one below, else the last one
// above) to the clipboard with OSC 52, which works over SSH too.
func (m *Model) copyCode() tea.Cmd {
	d, g := m.r.doc, m.r.g
	if d == nil || len(g.CodeBlocks) == 0 {
		return common.ScreenStatus(ID, common.StatusInfo, "This guide has no code blocks")
	}
	pick := -1
	for i, row := range d.codeRows {
		if row >= m.r.offset {
			pick = i
			break
		}
	}
	if pick < 0 {
		pick = len(g.CodeBlocks) - 1
	}
	cb := g.CodeBlocks[pick]
	lines := strings.Count(cb.Code, "\n") + 1
	what := "code block"
	if cb.Lang != "" {
		what = cb.Lang + " block"
	}
	m.scrollTo(d.codeRows[pick])
	return tea.Batch(tea.SetClipboard(cb.Code),
		common.ScreenStatus(ID, common.StatusSuccess, fmt.Sprintf("Copied the %s (%s) to the clipboard", what, text.Plural(lines, "line", "lines"))))
}

// newTOC is the table of contents: the headings, indented by level, with a / filter.
func newTOC(c *common.Common) *list.Model[guidespkg.Heading] {
	return list.New(&c.KeyMap().Nav, func(h guidespkg.Heading) string { return h.Text })
}

func (m *Model) openTOC() {
	if len(m.r.g.Headings) == 0 {
		return
	}
	m.r.tocOpen = true
	m.r.toc.ClearFilter()
	m.r.toc.SetItems(m.r.g.Headings)
	m.r.toc.SetHeight(max(0, m.bodyHeight()-1))
	sel := 0
	if m.r.doc != nil {
		for i, row := range m.r.doc.headingRows {
			if row <= m.r.offset {
				sel = i
			}
		}
	}
	m.r.toc.Select(sel)
}

func (m *Model) tocKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	filtering := m.r.toc.Filtering()
	if m.r.toc.Update(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open):
		m.r.tocOpen = false
		if i := m.r.toc.Index(); i >= 0 && m.r.doc != nil && i < len(m.r.doc.headingRows) {
			m.r.back = append(m.r.back, m.r.position())
			m.r.fwd = nil
			m.r.offset = m.r.doc.headingRows[i]
			m.clampOffset()
		}
	case !filtering && (key.Matches(msg, k.Close) || key.Matches(msg, k.TOC)):
		m.r.tocOpen = false
	}
	return nil
}

// readerView draws the header (title, section, origin, position), the page and the footer.
func (m *Model) readerView() []string {
	st := m.c.Styles
	g := m.r.g
	rows := make([]string, 0, m.h)
	pos := ""
	if d := m.r.doc; d != nil {
		vh := m.bodyHeight()
		switch {
		case len(d.lines) <= vh:
			pos = "all"
		case m.r.offset == 0:
			pos = "top"
		case m.r.offset+vh >= len(d.lines):
			pos = "end"
		default:
			pos = fmt.Sprintf("%d%%", (m.r.offset+vh)*100/len(d.lines))
		}
	}
	head := st.Title.Render(g.Title) + st.Muted.Render(" · "+sectionName(g)+" · "+m.originLabel(g))
	rows = append(rows, text.Spread(head, st.Muted.Render(pos), m.w))

	vh := m.bodyHeight()
	switch {
	case m.r.tocOpen:
		rows = append(rows, m.tocView()...)
	case m.r.doc == nil && m.r.renderErr != nil:
		rows = append(rows, text.WrapStyle("Could not render this guide: "+termsafe.Line(m.r.renderErr.Error()), m.w, st.Error)...)
	case m.r.doc == nil:
		rows = append(rows, st.Muted.Render(" Rendering…"))
	default:
		rows = append(rows, m.pageView(vh)...)
	}
	for len(rows) < m.h-1 {
		rows = append(rows, "")
	}
	rows = rows[:max(0, m.h-1)]
	return append(rows, m.readerFooter())
}

// pageView is the visible part of the render with a gutter marking the current match and the
// focused link, whose words are also highlighted.
func (m *Model) pageView(vh int) []string {
	st := m.c.Styles
	d := m.r.doc
	hitRow, linkRow := -1, -1
	if len(m.r.hits) > 0 {
		hitRow = m.r.hits[m.r.hit]
	}
	if m.r.link >= 0 && m.r.link < len(d.linkRows) {
		linkRow = d.linkRows[m.r.link]
	}
	var terms []string
	if m.r.hitQuery != "" {
		terms = guidespkg.Terms(m.r.hitQuery)
	}
	out := make([]string, 0, vh)
	for r := m.r.offset; r < len(d.lines) && len(out) < vh; r++ {
		line := d.lines[r]
		gutter := " "
		if r == hitRow {
			gutter = st.Match.Render("▌")
		}
		if r == linkRow {
			gutter = st.Link.Render("›")
			line = text.HighlightStyled(line, d.plain[r], text.Find(d.plain[r], m.r.g.Links[m.r.link].Text), st.Selected)
		} else if len(terms) > 0 {
			line = text.HighlightStyled(line, d.plain[r], text.Find(d.plain[r], terms...), st.Match)
		}
		out = append(out, gutter+line)
	}
	return out
}

func (m *Model) tocView() []string {
	st := m.c.Styles
	out := []string{st.Subtitle.Render(" Contents") + st.Muted.Render("  enter jump · esc close · ") + m.r.toc.FilterBar(st)}
	return append(out, m.r.toc.View(m.w, func(r list.Row[guidespkg.Heading], w int) string {
		label := strings.Repeat("  ", max(0, r.Item.Level-1)) + text.Highlight(r.Item.Text, r.Spans, st.Text, st.Match)
		if r.Selected {
			label = strings.Repeat("  ", max(0, r.Item.Level-1)) + text.Highlight(r.Item.Text, r.Spans, st.Selected, st.Selected.Underline(true))
			return st.Selected.Render("› ") + label
		}
		return "  " + label
	})...)
}

func (m *Model) readerFooter() string {
	st := m.c.Styles
	switch {
	case m.r.finding:
		return m.r.find.View("Find in guide: ", true, st.Key, st.Text) + st.Muted.Render("  enter find · esc cancel")
	case m.r.link >= 0 && m.r.link < len(m.r.g.Links):
		lk := m.r.g.Links[m.r.link]
		target := lk.Target
		if t, err := m.lib.Resolve(m.r.g, lk.Target); err == nil && !t.External() {
			target = t.Slug
			if t.Anchor != "" {
				target += "#" + t.Anchor
			}
		} else if err != nil {
			target += " (broken)"
		}
		return st.Key.Render(fmt.Sprintf("Link %d/%d", m.r.link+1, len(m.r.g.Links))) + " " + lk.Text + st.Muted.Render(" → "+target+"  enter follow · ]/[ next/prev · esc")
	case m.r.hitQuery != "" && len(m.r.hits) > 0:
		return st.Key.Render(fmt.Sprintf("Match %d/%d", m.r.hit+1, len(m.r.hits))) + st.Muted.Render(fmt.Sprintf(" for %q  n/N next/prev · esc clear", m.r.hitQuery))
	case m.r.hitQuery != "":
		return st.Warning.Render(fmt.Sprintf("No match for %q in this guide", m.r.hitQuery))
	}
	hints := "t contents · ]/[ links · / find · n/N matches · c copy code · ⌫ back"
	if len(m.r.fwd) > 0 {
		hints += " · L forward"
	}
	return st.Muted.Render(hints + " · esc list")
}
