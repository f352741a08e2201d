package onboard

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// listWidth is the checklist column in the two-column layout.
const listWidth = 40

// View implements common.Screen: exactly m.w × m.h.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	if m.w < 30 || m.h < 8 {
		return text.Block([]string{m.c.Styles.Muted.Render("Onboarding needs a larger window.")}, m.w, m.h)
	}
	lines := m.header()
	body := m.h - len(lines)
	if (m.form != nil || m.dialog != nil) && m.w < 100 {
		return text.Block(append(lines, m.paneView(m.w, body)...), m.w, m.h)
	}
	if m.w >= 100 {
		left := m.checklist(listWidth, body)
		right := m.paneView(m.w-listWidth-3, body)
		for i := 0; i < body; i++ {
			var l, r string
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			lines = append(lines, text.Pad(l, listWidth)+m.c.Styles.Faint.Render(" │ ")+r)
		}
		return text.Block(lines, m.w, m.h)
	}
	lines = append(lines, m.checklist(m.w, len(m.steps)+m.filterLines())...)
	lines = append(lines, m.c.Styles.Faint.Render(strings.Repeat("─", m.w)))
	detail := m.detail(m.w)
	if room := m.h - len(lines); len(detail) > room && room > 0 {
		// Too short for everything: keep the status and the keys, drop the explanation.
		detail = m.detailCompact(m.w, room)
	}
	lines = append(lines, detail...)
	return text.Block(lines, m.w, m.h)
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
	if !m.list.Filtering() && m.list.Query() == "" {
		title += "  " + st.Muted.Render(m.keys.Filter.Help().Key+" filter")
	}
	if done == len(m.steps) {
		title += "  " + st.Success.Render("✓ all set: you are ready to contribute")
	}
	if checking {
		title += "  " + st.Muted.Render("checking…")
	}
	lines := []string{title}
	if m.welcome && m.form == nil && m.dialog == nil { // a form needs the room
		lines = append(lines, text.WrapStyle("Welcome! These steps take you from a fresh laptop to your first model built in your own sandbox, one at a time: enter does the step datatui shows next, o opens the guide that explains it.", m.w, st.Muted)...)
	}
	if m.loadErr != nil {
		lines = append(lines, text.WrapStyle("! "+m.loadErr.Error(), m.w, st.Warning)...)
	}
	return append(lines, "")
}

func (m *Model) icon(s *ob.Step) string {
	st := m.c.Styles
	x := m.state[s.Name]
	switch {
	case x.checking || x.fixing:
		return st.StatusIcon("pending")
	case !x.known:
		return st.Faint.Render("·")
	}
	switch r := m.shown(s); r.Status {
	case ob.StatusUnknown:
		return st.Warning.Render("?")
	case ob.StatusBlocked:
		return st.Muted.Render(ob.StatusIcon(r.Status))
	default:
		return st.StatusIcon(string(r.Status))
	}
}

// filterLines is the rows the step filter takes above the checklist.
func (m *Model) filterLines() int {
	if m.list.Filtering() || m.list.Query() != "" {
		return 1
	}
	return 0
}

// checklist draws the steps (the filter's matches marked) in at most height rows.
func (m *Model) checklist(width, height int) []string {
	st := m.c.Styles
	var lines []string
	if m.filterLines() > 0 {
		lines = append(lines, m.list.FilterBar(st)+st.Muted.Render("  "+m.list.Count("step", "steps")))
	}
	m.list.SetHeight(max(0, height-len(lines)))
	return append(lines, m.list.View(width, func(r list.Row[*ob.Step], w int) string {
		s := r.Item
		label := fmt.Sprintf("%2d. ", r.Index+1)
		spans := make([]text.Span, len(r.Spans))
		for i, sp := range r.Spans {
			spans[i] = text.Span{Start: sp.Start + len(label), End: sp.End + len(label)}
		}
		label += s.Title
		if !s.Required {
			label += " (optional)"
		}
		label = ansi.Truncate(label, w-4, "…")
		if r.Selected {
			return st.Selected.Render(text.PadCut("› "+ansi.Strip(m.icon(s))+" ", 4)) +
				text.Highlight(label, text.Clip(spans, len(label)), st.Selected, st.Selected.Underline(true)) +
				st.Selected.Render(strings.Repeat(" ", max(0, w-4-ansi.StringWidth(label))))
		}
		return "  " + m.icon(s) + " " + text.Highlight(label, text.Clip(spans, len(label)), st.Text, st.Match)
	})...)
}

// paneView is the right-hand pane: the form while it is open (under its preview dialog),
// else the selected step's detail.
func (m *Model) paneView(width, height int) []string {
	if m.form != nil && m.dialog == nil {
		return m.formView(width, height)
	}
	return m.detail(width)
}

func (m *Model) detail(width int) []string {
	st := m.c.Styles
	if m.dialog != nil {
		return append([]string{st.Subtitle.Render(m.dialogStep.FixTitle), ""}, m.dialog.View(st, width)...)
	}
	s := m.selectedStep()
	x := m.state[s.Name]
	var lines []string
	head := st.Subtitle.Render(fmt.Sprintf("Step %d of %d: %s", m.stepNumber(s), len(m.steps), s.Title))
	switch {
	case m.isNext(s):
		head += "  " + st.InfoText.Render("next")
	case !s.Required:
		head += "  " + st.Muted.Render("optional")
	}
	lines = append(lines, head)
	lines = append(lines, text.WrapStyle(s.Explain, width, st.Text)...)
	lines = append(lines, "")
	switch {
	case x.fixing:
		lines = append(lines, st.InfoText.Render("… "+s.FixTitle+"…"))
		lines = append(lines, m.outputTail(x, width, 8)...)
	case x.checking && !x.known:
		lines = append(lines, st.InfoText.Render("… checking"))
	case x.known:
		r := m.shown(s)
		status := m.icon(s) + " " + statusWord(r.Status)
		if x.stale {
			status += st.Muted.Render("  (last session; checking again…)")
		} else if x.checking {
			status += st.Muted.Render("  (checking again…)")
		}
		lines = append(lines, status)
		for _, l := range strings.Split(redact.String(r.Detail), "\n") {
			lines = append(lines, text.WrapStyle(termsafe.Line(l), width, st.Text)...)
		}
		if r.Checked != "" {
			lines = append(lines, text.WrapStyle(termsafe.Line("Checked: "+redact.String(r.Checked)), width, st.Muted)...)
		}
		if r.Raw != "" && m.showRaw {
			lines = append(lines, st.Muted.Render("The error as it was given:"))
			for _, l := range strings.Split(termsafe.Text(redact.String(r.Raw)), "\n") {
				lines = append(lines, text.WrapStyle(l, width-2, st.Muted)...)
			}
		}
	}
	if x.fixErr != nil {
		lines = append(lines, "", st.Error.Render("✗ "+s.FixTitle+" failed"))
		for _, l := range strings.Split(termsafe.Text(redact.String(x.fixErr.Error())), "\n") {
			lines = append(lines, text.WrapStyle(l, width, st.Error)...)
		}
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
	s := m.selectedStep()
	head := []string{full[0]}
	skip := 1 + len(text.Wrap(s.Explain, width)) + 1 // title, explanation, blank
	body := full[skip : len(full)-3]                 // up to the blank before the guide
	keep := max(0, rows-len(head)-len(tail))
	if len(body) > keep {
		body = body[:keep]
	}
	return append(append(head, body...), tail...)
}

// guideLine names the guide section that helps with the step now (its title and section
// heading once the handbook is loaded, the slug before).
func (m *Model) guideLine(s *ob.Step) string {
	st := m.c.Styles
	slug, anchor := m.guideOf(s)
	if m.lib != nil {
		g, ok := m.lib.Get(slug)
		if !ok {
			return st.Muted.Render("Guide: ") + st.Warning.Render(termsafe.Line(slug)+" (not in the handbook)")
		}
		name := g.Title
		if h := g.Heading(anchor); h != nil {
			name += " › " + h.Text
		}
		return st.Muted.Render("Guide: ") + st.Link.Render(termsafe.Line(name)) + st.Muted.Render("  (o)")
	}
	if anchor != "" {
		slug += "#" + anchor
	}
	return st.Muted.Render("Guide: ") + st.Link.Render(termsafe.Line(slug)) + st.Muted.Render("  (o)")
}

func (m *Model) enterHint(s *ob.Step, x *stepState) string {
	r := m.shown(s)
	raw := ""
	if x.known && r.Raw != "" {
		raw = " · e: the raw error"
		if m.showRaw {
			raw = " · e: hide the raw error"
		}
	}
	switch {
	case x.known && r.Status.Passed() && !x.stale:
		if next := ob.Next(m.steps, m.known); next != nil {
			return fmt.Sprintf("enter: continue with step %d · r: re-check", m.stepNumber(next))
		}
		return "r: re-check · a: re-check all"
	case x.known && r.Status == ob.StatusBlocked:
		return fmt.Sprintf("enter: go to step %d", m.stepNumber(m.stepByName(r.BlockedBy))) + raw
	case s.Name == ob.StepGuide && x.known && !r.Status.Passed():
		return "enter: open the guide · a: re-check all"
	case x.known && x.result.Fixable && s.Fix != nil:
		return "enter: " + s.FixTitle + " · r: re-check" + raw
	}
	return "enter: re-check · a: re-check all" + raw
}

// stepNumber is s's number in the checklist.
func (m *Model) stepNumber(s *ob.Step) int {
	for i, x := range m.steps {
		if x == s {
			return i + 1
		}
	}
	return 0
}

// isNext reports whether s is the step to do next.
func (m *Model) isNext(s *ob.Step) bool {
	return ob.Next(m.steps, m.known) == s
}

// outputTail is the last n lines of a fix's output, made safe and cut to width.
func (m *Model) outputTail(x *stepState, width, n int) []string {
	out := x.output
	if len(out) > n {
		out = out[len(out)-n:]
	}
	lines := make([]string, 0, len(out))
	for _, l := range out {
		lines = append(lines, m.c.Styles.Muted.Render(ansi.Truncate(termsafe.Line(redact.String(l)), width, "…")))
	}
	return lines
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
	case ob.StatusBlocked:
		return "waiting for an earlier step"
	}
	return "could not check"
}
