package guides

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	guidespkg "github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// listHeight is the rows of guides: the pane minus the header and the footer.
func (m *Model) listHeight() int { return max(0, m.h-1-m.listFooterLines()) }

func (m *Model) listFooterLines() int {
	n := 1 // the selected guide's origin, tags and aliases
	if m.lib != nil && len(m.lib.Warnings()) > 0 {
		n++
	}
	return n
}

func (m *Model) listKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if m.list.Update(msg) {
		return nil
	}
	switch {
	case key.Matches(msg, k.Open): // also enter in the filter: it opens the best match
		return m.openSelected()
	case key.Matches(msg, k.Search):
		m.startSearch()
	case key.Matches(msg, k.Reload):
		return m.load()
	case key.Matches(msg, k.Close), key.Matches(msg, k.Forward):
		if m.r.g != nil {
			m.mode = modeReader // back to the guide being read
		}
	}
	return nil
}

func (m *Model) openSelected() tea.Cmd {
	g, ok := m.list.Selected()
	if !ok {
		return nil
	}
	return m.openGuide(g.Slug, "")
}

func (m *Model) listView() []string {
	st := m.c.Styles
	m.list.SetHeight(m.listHeight())
	count := ""
	if m.lib != nil {
		count = m.list.Count("guide", "guides")
		if n := len(m.read); n > 0 {
			count += fmt.Sprintf(" · %d read", n)
		}
	}
	head := st.Title.Render("Handbook") + st.Muted.Render(" · "+count)
	right := m.list.FilterBar(st) + st.Muted.Render(" · s search")
	out := []string{text.Spread(head, right, m.w)}

	switch {
	case m.lib == nil && m.loadErr != nil:
		return append(out, text.WrapStyle("Could not load the handbook: "+termsafe.Line(m.loadErr.Error()), m.w, st.Error)...)
	case m.lib == nil:
		return append(out, st.Muted.Render("Loading the handbook…"))
	case m.list.Len() == 0:
		return append(out, "", st.Muted.Render(fmt.Sprintf("  No guide's title, tags or aliases match %q. Press s to search their text instead.", m.list.Query())))
	}
	titleW := min(44, max(16, m.w*2/5))
	filtering := strings.TrimSpace(m.list.Query()) != ""
	out = append(out, m.list.View(m.w, func(r list.Row[*guidespkg.Guide], w int) string {
		if r.Heading != "" {
			return st.Subtitle.Render(r.Heading)
		}
		return m.guideRow(r, w, titleW, filtering)
	})...)

	// The footer: loading warnings, then the selected guide's origin, tags and aliases.
	if w := m.lib.Warnings(); len(w) > 0 {
		out = append(out, st.Warning.Render(text.Fit(fmt.Sprintf("! %s: %s", text.Plural(len(w), "handbook warning", "handbook warnings"), termsafe.Line(w[0])), m.w-4)+" (!)"))
	}
	if g, ok := m.list.Selected(); ok {
		detail := m.originLabel(g)
		if len(g.Tags) > 0 {
			detail += " · tags: " + strings.Join(g.Tags, ", ")
		}
		if len(g.Aliases) > 0 {
			detail += " · also: " + strings.Join(g.Aliases, ", ")
		}
		out = append(out, st.Muted.Render(text.Fit(detail, m.w)))
	}
	return out
}

// guideRow draws one guide: a read mark, the title (its matched letters marked), then what
// else matched (a tag or an alias) or, without a filter, the summary.
func (m *Model) guideRow(r list.Row[*guidespkg.Guide], w, titleW int, filtering bool) string {
	st := m.c.Styles
	g := r.Item
	mark := "  "
	if m.read[g.Slug] {
		mark = st.Success.Render("✓ ")
	}
	base, match, muted := st.Text, st.Match, st.Muted
	if r.Selected {
		base, match, muted = st.Selected, st.Selected.Underline(true), st.Selected
	}
	title := text.Highlight(g.Title, r.Spans, base, match)
	if g.Team() {
		title += muted.Render(" (team)")
	}
	detail := g.Summary
	var detailSpans []text.Span
	if filtering {
		detail = sectionName(g)
		if why, ok := m.why[g]; ok && why.Field != guidespkg.FieldTitle {
			detail = why.Field.String() + " " + why.Text
			off := len(why.Field.String()) + 1
			for _, x := range why.Where {
				detailSpans = append(detailSpans, text.Span{Start: off + x.Start, End: off + x.End})
			}
		}
	}
	cursor := "  "
	if r.Selected {
		cursor = st.Selected.Render("› ")
	}
	if tw := ansi.StringWidth(title); tw > titleW {
		title = ansi.Truncate(title, titleW, "…")
	} else {
		title += base.Render(strings.Repeat(" ", titleW-tw))
	}
	left := cursor + mark + title
	room := max(0, w-ansi.StringWidth(left)-2)
	if ansi.StringWidth(detail) > room {
		detail = ansi.Truncate(detail, room, "…")
	}
	line := left + base.Render("  ") + text.Highlight(detail, text.Clip(detailSpans, len(detail)), muted, match)
	if r.Selected {
		line += st.Selected.Render(strings.Repeat(" ", max(0, w-ansi.StringWidth(line))))
	}
	return line
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
