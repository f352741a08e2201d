package onboard

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	ob "github.com/datatui/datatui/internal/onboard"
)

// listWidth is the checklist column in the two-column layout.
const listWidth = 40

// View implements common.Screen: exactly m.w × m.h.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < 30 || m.h < 8 {
		return fit([]string{m.c.Styles.Muted.Render("Onboarding needs a larger window.")}, m.w, m.h)
	}
	lines := m.header()
	body := m.h - len(lines)
	if m.form != nil && m.w < 100 {
		return fit(append(lines, m.detail(m.w)...), m.w, m.h)
	}
	if m.w >= 100 {
		left := m.checklist(listWidth)
		right := m.detail(m.w - listWidth - 3)
		for i := 0; i < body; i++ {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			lines = append(lines, pad(l, listWidth)+m.c.Styles.Faint.Render(" │ ")+r)
		}
		return fit(lines, m.w, m.h)
	}
	lines = append(lines, m.checklist(m.w)...)
	lines = append(lines, m.c.Styles.Faint.Render(strings.Repeat("─", m.w)))
	detail := m.detail(m.w)
	if room := m.h - len(lines); len(detail) > room && room > 0 {
		// Too short for everything: keep the status and the keys, drop the explanation.
		detail = m.detailCompact(m.w, room)
	}
	lines = append(lines, detail...)
	return fit(lines, m.w, m.h)
}

func (m *Model) header() []string {
	st := m.c.Styles
	done, checking := 0, false
	for _, s := range m.steps {
		x := m.state[s.Name]
		if x.known && x.result.Status.Passed() {
			done++
		}
		checking = checking || x.checking || x.fixing
	}
	title := st.Title.Render("Onboarding") + "  " + st.Text.Render(fmt.Sprintf("%d of %d done", done, len(m.steps)))
	if done == len(m.steps) {
		title += "  " + st.Success.Render("✓ all set: you are ready to contribute")
	}
	if checking {
		title += "  " + st.Muted.Render("checking…")
	}
	lines := []string{title}
	if m.welcome {
		lines = append(lines, wrap(st.Muted, "Welcome! These steps take you from a fresh laptop to your first model built in your own sandbox. Each is checked for real; enter fixes what datatui can fix, o opens the guide.", m.w)...)
	}
	if m.loadErr != nil {
		lines = append(lines, st.Warning.Render("! "+m.loadErr.Error()))
	}
	return append(lines, "")
}

func (m *Model) icon(x *stepState) string {
	st := m.c.Styles
	switch {
	case x.checking || x.fixing:
		return st.StatusIcon("pending")
	case !x.known:
		return st.Faint.Render("·")
	case x.result.Status == ob.StatusUnknown:
		return st.Warning.Render("?")
	}
	return st.StatusIcon(string(x.result.Status))
}

func (m *Model) checklist(width int) []string {
	st := m.c.Styles
	lines := make([]string, 0, len(m.steps))
	for i, s := range m.steps {
		x := m.state[s.Name]
		label := fmt.Sprintf("%2d. %s", i+1, s.Title)
		if !s.Required {
			label += " (optional)"
		}
		row := " " + m.icon(x) + " " + ansi.Truncate(label, width-4, "…")
		if i == m.selected {
			row = st.Selected.Render(pad("›"+ansi.Strip(row)[1:], width))
		}
		lines = append(lines, row)
	}
	return lines
}

func (m *Model) detail(width int) []string {
	st := m.c.Styles
	if m.form != nil && m.formStep != nil {
		lines := []string{st.Subtitle.Render(m.formStep.FixTitle), st.Muted.Render("enter: next · esc: cancel, nothing is written"), ""}
		return append(lines, strings.Split(m.form.View(), "\n")...)
	}
	s := m.steps[m.selected]
	x := m.state[s.Name]
	var lines []string
	head := st.Subtitle.Render(s.Title)
	if s.Required {
		head += "  " + st.Muted.Render("required")
	} else {
		head += "  " + st.Muted.Render("optional")
	}
	lines = append(lines, head)
	lines = append(lines, wrap(st.Text, s.Explain, width)...)
	lines = append(lines, "")
	switch {
	case x.fixing:
		lines = append(lines, st.InfoText.Render("… "+s.FixTitle+"…"))
	case x.checking && !x.known:
		lines = append(lines, st.InfoText.Render("… checking"))
	case x.known:
		status := m.icon(x) + " " + statusWord(x.result.Status)
		if x.stale {
			status += st.Muted.Render("  (last session; checking again…)")
		} else if x.checking {
			status += st.Muted.Render("  (checking again…)")
		}
		lines = append(lines, status)
		for _, l := range strings.Split(ob.Redact(x.result.Detail), "\n") {
			lines = append(lines, wrap(st.Text, l, width)...)
		}
		if x.result.Checked != "" {
			lines = append(lines, wrap(st.Muted, "Checked: "+ob.Redact(x.result.Checked), width)...)
		}
	}
	if x.fixErr != nil {
		lines = append(lines, "", st.Error.Render("✗ fix failed"))
		lines = append(lines, wrap(st.Error, ob.Redact(x.fixErr.Error()), width)...)
	}
	lines = append(lines, "")
	lines = append(lines, m.guideLine(s))
	lines = append(lines, st.Muted.Render(m.enterHint(s, x)))
	return lines
}

// detailCompact fits the selected step into rows lines: title, status and detail, then the
// guide and the keys on the last two lines.
func (m *Model) detailCompact(width, rows int) []string {
	full := m.detail(width)
	tail := full[len(full)-2:]
	s := m.steps[m.selected]
	head := []string{full[0]}
	skip := 1 + len(wrap(m.c.Styles.Text, s.Explain, width)) + 1 // title, explanation, blank
	body := full[skip : len(full)-3]                             // up to the blank before the guide
	keep := max(0, rows-len(head)-len(tail))
	if len(body) > keep {
		body = body[:keep]
	}
	return append(append(head, body...), tail...)
}

// guideLine names the step's guide (its title and section heading once the handbook is
// loaded, the slug before).
func (m *Model) guideLine(s *ob.Step) string {
	st := m.c.Styles
	g, ok := m.guides[s.Name]
	switch {
	case ok && g.missing:
		return st.Muted.Render("Guide: ") + st.Warning.Render(s.Guide+" (not in the handbook)")
	case ok:
		name := g.title
		if g.heading != "" {
			name += " › " + g.heading
		}
		return st.Muted.Render("Guide: ") + st.Link.Render(name) + st.Muted.Render("  (o)")
	}
	guide := s.Guide
	if s.Anchor != "" {
		guide += "#" + s.Anchor
	}
	return st.Muted.Render("Guide: ") + st.Link.Render(guide) + st.Muted.Render("  (o)")
}

func (m *Model) enterHint(s *ob.Step, x *stepState) string {
	failing := x.known && !x.result.Status.Passed()
	switch {
	case s.Name == ob.StepGuide && failing:
		return "enter: open the guide · a: re-check all"
	case x.known && x.result.Fixable && s.Fix != nil:
		return "enter: " + s.FixTitle + " · r: re-check · a: re-check all"
	}
	return "enter: re-check · a: re-check all"
}

func statusWord(s ob.Status) string {
	switch s {
	case ob.StatusOK:
		return "done"
	case ob.StatusFail:
		return "not done"
	case ob.StatusWarn:
		return "done, with a warning"
	case ob.StatusSkip:
		return "does not apply here"
	}
	return "could not check"
}

// wrap breaks plain text at spaces into lines of at most width columns and styles each line.
// It never breaks at hyphens: details hold commands (pip install --user dbt-core) that people
// copy. A word longer than a line (a path) is cut hard.
func wrap(style lipgloss.Style, text string, width int) []string {
	if width <= 0 {
		return []string{style.Render(text)}
	}
	var lines []string
	cur := ""
	flush := func() {
		lines = append(lines, style.Render(cur))
		cur = ""
	}
	for _, word := range strings.Fields(text) {
		for ansi.StringWidth(word) > width {
			if cur != "" {
				flush()
			}
			head := ansi.Truncate(word, width, "")
			lines = append(lines, style.Render(head))
			word = word[len(head):]
		}
		switch {
		case cur == "":
			cur = word
		case ansi.StringWidth(cur)+1+ansi.StringWidth(word) <= width:
			cur += " " + word
		default:
			flush()
			cur = word
		}
	}
	if cur != "" || len(lines) == 0 {
		flush()
	}
	return lines
}

// pad truncates or pads s to exactly width columns.
func pad(s string, width int) string {
	s = ansi.Truncate(s, width, "…")
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// fit makes lines exactly w columns by h rows.
func fit(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = pad(l, w)
	}
	return strings.Join(out, "\n")
}
