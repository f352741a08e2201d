package prs

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/demo"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// wideWidth is where the list and the details sit side by side.
const wideWidth = 110

// fit truncates or pads s (which may hold styles) to exactly w cells.
var fit = text.Pad

// safe makes text from GitHub, dbt Cloud and git (titles, branch and check names, messages)
// drawable: control characters are shown, never obeyed (see termsafe).
var safe = termsafe.Line

// errText is an error's message as drawn: secrets removed, one safe line per line.
func errText(err error) string { return termsafe.Text(redact.String(err.Error())) }

// block makes lines exactly w×h; a line cut to fit ends with … (a link or a name whose whole
// form is one key away: o opens it, y copies it).
func block(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = text.Pad(l, w)
	}
	return out
}

func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	lines := []string{m.header()}
	if m.confirm != nil {
		lines = append(lines, m.confirm.View(m.c.Styles, m.w)...)
		lines = append(lines, m.c.Styles.Faint.Render(strings.Repeat("─", m.w)))
	} else if m.list.Filtering() || m.list.Query() != "" {
		lines = append(lines, m.list.FilterBar(m.c.Styles)+m.c.Styles.Muted.Render("  "+m.list.Count("pull request", "pull requests")))
	}
	bodyH := m.h - len(lines)
	if bodyH > 0 {
		lines = append(lines, m.body(m.w, bodyH)...)
	}
	return strings.Join(block(lines, m.w, m.h), "\n")
}

func (m *Model) header() string {
	st := m.c.Styles
	left := st.Title.Render("Pull requests")
	if m.snap != nil {
		left += st.Muted.Render(" · " + m.snap.Repo.FullName())
		if m.snap.Demo {
			left += " " + st.Warning.Render("["+demo.Label+"]")
		}
	}
	left += st.Muted.Render(" · ") + st.Bold.Render(m.filter.Label()) + st.Muted.Render(" (f)")
	var right string
	switch {
	case m.gate.InFlight() && m.snap == nil:
		right = "loading…"
	case m.next.BackingOff:
		right = m.next.Reason
	case m.snap != nil:
		right = "updated " + m.updated.Format("15:04:05")
		if m.next.Wait > 0 {
			right += " · next in " + shortDuration(m.next.Wait)
		}
		if m.gate.InFlight() {
			right = "refreshing… · " + right
		}
	}
	right = st.Muted.Render(right)
	// The "/ filter" hint when it fits (the field itself has its own line; ? lists the key).
	if hint := st.Muted.Render(" · ") + m.list.FilterBar(st); !m.list.Filtering() && m.list.Query() == "" &&
		ansi.StringWidth(left+hint)+1+ansi.StringWidth(right) <= m.w {
		left += hint
	}
	return text.Spread(left, right, m.w)
}

func (m *Model) body(w, h int) []string {
	st := m.c.Styles
	if m.snap == nil {
		switch {
		case m.err != nil:
			if help := signInHelp(m.err); help != nil {
				return append([]string{""}, indent(help, "  ")...)
			}
			return append([]string{"", "  " + st.Error.Render("Could not load pull requests:")}, append(indent(text.WrapAll(text.Lines(errText(m.err)), w-4), "  "), "", "  "+st.Muted.Render("Press r to try again."))...)
		default:
			return []string{"", "  " + st.Muted.Render("Loading your pull requests…")}
		}
	}
	var top []string
	if m.err != nil {
		// Wrapped, never cut: the whole message is what helps (and stays in the ! log).
		top = append(top, text.WrapStyle("Last refresh failed: "+errText(m.err), w, st.Error)...)
	}
	if b := m.branchBanner(); b != "" {
		top = append(top, text.WrapAll([]string{b}, w)...)
	}
	h -= len(top)
	if h <= 0 {
		return top
	}
	if w >= wideWidth {
		lw := w * 45 / 100
		list := m.listLines(lw, h)
		details := block(m.detailLines(w-lw-1, h), w-lw-1, h)
		list = block(list, lw, h)
		out := top
		for i := range h {
			out = append(out, list[i]+st.Faint.Render("│")+details[i])
		}
		return out
	}
	listH := min(m.list.Len()+1, max(3, h/3))
	if m.list.Len() == 0 {
		listH = min(h, 3)
	}
	out := append(top, block(m.listLines(w, listH), w, listH)...)
	if rest := h - listH; rest > 0 {
		out = append(out, st.Faint.Render(strings.Repeat("─", w)))
		out = append(out, block(m.detailLines(w, rest-1), w, rest-1)...)
	}
	return out
}

// branchBanner offers to open a PR for a pushed branch that has none.
func (m *Model) branchBanner() string {
	st := m.c.Styles
	s := m.snap
	if s.Branch == "" || s.BranchPR != nil || s.Branch == m.cfg().GitHub.BaseBranch {
		return ""
	}
	if s.BranchPushed {
		return st.InfoText.Render("Branch "+safe(s.Branch)+" has no pull request yet.") + " " + st.Key.Render("n") + st.Muted.Render(" open one in the browser")
	}
	return st.Muted.Render(safe("Branch " + s.Branch + " is not on GitHub yet: git push -u origin " + s.Branch))
}

func (m *Model) listLines(w, h int) []string {
	st := m.c.Styles
	if m.list.Len() == 0 {
		msg := "No open pull requests (" + m.filter.Label() + ")."
		switch {
		case len(m.list.Items()) > 0:
			msg = "No pull request matches \"" + safe(m.list.Query()) + "\": esc clears the filter."
		case m.filter == forge.FilterMine:
			msg += " Press f to see others."
		}
		return append([]string{""}, indent(text.WrapStyle(msg, max(w-2, 10), st.Muted), " ")...)
	}
	m.list.SetHeight(h)
	return m.list.View(w, m.row)
}

func (m *Model) row(r list.Row[forge.PR], w int) string {
	st := m.c.Styles
	p := r.Item
	cursor := "  "
	if r.Selected {
		cursor = "› "
		if m.focus == focusChecks {
			cursor = "▹ "
		}
	}
	// * marks the current branch's PR, w a watched one.
	mark := " "
	if m.snap != nil && m.snap.Branch != "" && p.HeadRef == m.snap.Branch {
		mark = "*"
	}
	if _, ok := m.watched[p.Number]; ok {
		mark += "w"
	} else {
		mark += " "
	}
	tag := ""
	rd := forge.Evaluate(p)
	switch {
	case p.IsDraft:
		tag = st.Muted.Render("draft")
	case rd.Ready:
		tag = st.Success.Render("ready")
	case rd.MergeState == forge.MergeBehind:
		tag = st.Warning.Render("behind")
	case rd.MergeState == forge.MergeDirty:
		tag = st.Error.Render("conflicts")
	}
	selected := r.Selected && m.focus == focusList
	glyphs := m.glyphs(p.Counts())
	if selected {
		glyphs = ansi.Strip(glyphs)
	}
	prefix := cursor + mark + fmt.Sprintf("#%-5d", p.Number) + " " + fit(glyphs, 12) + " "
	titleW := max(w-ansi.StringWidth(prefix)-ansi.StringWidth(tag)-1, 0)
	// The filter's marks fall on the title, the first part of filterText.
	title := text.Fit(safe(p.Title), titleW)
	spans := text.Clip(r.Spans, len(strings.TrimSuffix(title, text.Ellipsis)))
	gap := strings.Repeat(" ", max(titleW-ansi.StringWidth(title), 0)+1)
	if selected {
		sel := st.Selected
		return sel.Render(prefix) + text.Highlight(title, spans, sel, sel.Underline(true)) + sel.Render(gap+ansi.Strip(tag))
	}
	return prefix + text.Highlight(title, spans, st.Text, st.Match) + gap + tag
}

// glyphs is the colourful rollup ✓n ✗n ●n.
func (m *Model) glyphs(c forge.Counts) string {
	st := m.c.Styles
	if c.Total() == 0 {
		return st.Muted.Render("no checks")
	}
	var parts []string
	if c.Pass > 0 {
		parts = append(parts, st.Success.Render(fmt.Sprintf("✓%d", c.Pass)))
	}
	if n := c.Fail + c.Cancel; n > 0 {
		parts = append(parts, st.Error.Render(fmt.Sprintf("✗%d", n)))
	}
	if c.Pending > 0 {
		parts = append(parts, st.InfoText.Render(fmt.Sprintf("●%d", c.Pending)))
	}
	if c.Skipping > 0 && len(parts) < 3 {
		parts = append(parts, st.Muted.Render(fmt.Sprintf("–%d", c.Skipping)))
	}
	return strings.Join(parts, " ")
}

func bucketIcon(m *Model, b forge.Bucket) string {
	st := m.c.Styles
	switch b {
	case forge.BucketPass:
		return st.StatusIcon("pass")
	case forge.BucketFail, forge.BucketCancel:
		return st.StatusIcon("fail")
	case forge.BucketSkipping:
		return st.StatusIcon("skip")
	default:
		return st.StatusIcon("run")
	}
}

func (m *Model) detailLines(w, h int) []string {
	st := m.c.Styles
	pr, ok := m.current()
	if !ok || h <= 0 {
		return nil
	}
	now := m.now()
	rd := forge.Evaluate(pr)
	lines := []string{st.Subtitle.Render(fmt.Sprintf("#%d %s", pr.Number, safe(pr.Title)))}
	meta := safe(fmt.Sprintf("%s → %s · %s · updated %s", pr.HeadRef, pr.BaseRef, pr.Author, text.Ago(now, pr.UpdatedAt)))
	if d := reviewWord(pr); d != "" {
		meta += " · " + d
	}
	lines = append(lines, text.WrapStyle(meta, max(w, 10), st.Muted)...)
	// The verdict is wrapped, never cut: its end names what still blocks the merge.
	icon, style := st.Warning.Render("✗ "), st.Text
	switch {
	case rd.Ready:
		icon, style = st.Success.Render("✓ "), st.Success
	case rd.Verdict == forge.VerdictWaiting:
		icon = st.InfoText.Render("● ")
	}
	for i, l := range text.WrapStyle(safe(capitalize(rd.Summary)), max(w-2, 10), style) {
		if i == 0 {
			lines = append(lines, icon+l)
		} else {
			lines = append(lines, "  "+l)
		}
	}
	if ask := m.whoToAsk(pr, now); ask != "" {
		lines = append(lines, text.WrapStyle(ask, max(w, 10), st.InfoText)...)
	}
	if len(pr.Checks) == 0 {
		lines = append(lines, "", st.Muted.Render("No checks reported."))
		return lines
	}
	lines = append(lines, st.Bold.Render("Checks")+st.Muted.Render(" · GitHub says "+safe(rd.MergeState)))
	nameW := 6
	for _, c := range pr.Checks {
		nameW = max(nameW, min(ansi.StringWidth(safe(c.Name)), 28))
	}
	maxChecks := max(1, min(len(pr.Checks), h/2-len(lines)+2))
	first := 0
	if m.focus == focusChecks && m.checkSel >= maxChecks {
		first = m.checkSel - maxChecks + 1
	}
	for i := first; i < len(pr.Checks) && i < first+maxChecks; i++ {
		c := pr.Checks[i]
		cursor := "  "
		if m.focus == focusChecks && i == m.checkSel {
			cursor = "› "
		}
		dur := shortDuration(c.Duration(now))
		req := "        "
		if c.Required {
			req = "required"
		}
		word := string(c.Bucket)
		if c.Kind == forge.KindCheckSuite {
			word = c.Description
		}
		line := cursor + bucketIcon(m, c.Bucket) + " " + fit(safe(c.Name), nameW) + " " + fit(safe(word), 8) + " " + fit(dur, 7) + " " + st.Muted.Render(req) + " " + st.Link.Render(safe(shortLink(c.Link)))
		if m.focus == focusChecks && i == m.checkSel {
			line = st.Selected.Render(fit(ansi.Strip(line), w))
		}
		lines = append(lines, line)
	}
	if hidden := len(pr.Checks) - maxChecks; hidden > 0 {
		lines = append(lines, st.Muted.Render(fmt.Sprintf("  … %d more (enter, j/k)", hidden)))
	}
	logLines, tail := m.logLines(pr, w)
	if len(logLines) > 0 {
		// The first line names the log and stays put while the rest scrolls.
		lines = append(lines, "", logLines[0])
		logLines = logLines[1:]
		room := h - len(lines)
		if room > 0 && len(logLines) > room {
			// A job log explains itself at its end; dbt Cloud details start with the steps.
			start := 0
			if tail {
				start = len(logLines) - room
			}
			pos := max(0, min(len(logLines)-room, start+m.logTop))
			m.logTop = pos - start // clamp, so scrolling back takes no extra presses
			logLines = logLines[pos:]
		}
		lines = append(lines, logLines...)
	}
	return lines
}

// whoToAsk names whom to ask about a failing build: the person on call for the data now and
// the team's help channel. Empty while every check passes or nobody can be named.
func (m *Model) whoToAsk(pr forge.PR, now time.Time) string {
	if pr.Counts().Fail == 0 {
		return ""
	}
	var who []string
	if p, ok := m.onCall.First(); ok {
		s := p.Name + " (on call"
		if p.Until != nil {
			s += " for the next " + dbt.FormatAge(p.Until.Sub(now))
		}
		who = append(who, s+")")
	}
	if ws := m.c.Workspace; ws != nil && ws.Config != nil {
		if ch, ok := ws.Config.Help.ReportChannel(); ok {
			who = append(who, ch.Name)
		}
	}
	if len(who) == 0 {
		return ""
	}
	return safe("A check failed and its log does not help? Ask " + strings.Join(who, " or ") + ".")
}

// logLines renders the log pane; tail is true when its end matters most (a job log).
func (m *Model) logLines(pr forge.PR, w int) ([]string, bool) {
	st := m.c.Styles
	ls, ok := m.logs[m.logKey]
	if !ok || !strings.HasPrefix(m.logKey, fmt.Sprintf("%d\x00", pr.Number)) {
		if m.focus == focusList && pr.Counts().Fail+pr.Counts().Cancel > 0 {
			return []string{st.Muted.Render("Press enter to see why it failed.")}, false
		}
		return nil, false
	}
	name := strings.SplitN(m.logKey, "\x00", 3)[1]
	head := st.Bold.Render("Log · " + safe(name))
	switch {
	case ls.loading:
		return []string{head, st.Muted.Render("Loading…")}, false
	case ls.err != nil:
		return append([]string{head}, indent(text.WrapStyle(errText(ls.err), max(w-2, 10), st.Error), "  ")...), false
	case ls.log == nil:
		return nil, false
	}
	l := ls.log
	out := []string{head}
	if l.Note != "" {
		out = append(out, text.WrapStyle(safe(l.Note), max(w, 10), st.Muted)...)
	}
	switch l.Kind {
	case checklog.KindDBTCloud:
		if d := l.DBT; d != nil {
			out = append(out, m.dbtLines(d, w)...)
		}
	case checklog.KindActions:
		if len(l.Lines) == 0 {
			out = append(out, st.Muted.Render("The job log is empty."))
		}
		for _, line := range l.Lines {
			out = append(out, indent(text.Wrap(safe(line), max(w-2, 10)), "  ")...) // wrapped, never cut
		}
		return out, true
	}
	return out, false
}

func (m *Model) dbtLines(d *dbtcloud.Details, w int) []string {
	st := m.c.Styles
	r := d.Run
	out := []string{safe(fmt.Sprintf("dbt Cloud run #%d · %s · %s · %s", r.ID, r.JobName(), dbtcloud.StatusName(r.Status), shortDuration(r.Elapsed())))}
	for _, s := range r.Steps {
		out = append(out, fmt.Sprintf("  %s %d. %s %s", bucketIcon(m, forge.Bucket(dbtcloud.StatusBucket(s.Status))), s.Index, safe(s.Name), st.Muted.Render(shortDuration(s.Elapsed()))))
	}
	if len(d.FailingNodes) > 0 {
		out = append(out, st.Bold.Render("Failing nodes"))
		for _, n := range d.FailingNodes {
			out = append(out, "  "+st.Error.Render(safe(n.Status))+" "+safe(n.UniqueID))
			// dbt's whole message, wrapped: its first line rarely says why.
			if msg := strings.TrimSpace(termsafe.Text(redact.String(n.Message))); msg != "" {
				out = append(out, indent(text.WrapStyle(msg, max(w-4, 10), st.Muted), "    ")...)
			}
		}
	} else if d.NodesErr != "" {
		out = append(out, st.Muted.Render(safe(redact.String(d.NodesErr))))
	}
	if s := d.FailingStep; s != nil {
		out = append(out, st.Bold.Render(fmt.Sprintf("Step %d log (last %d lines)", s.Index, len(d.LogTail))))
		for _, line := range d.LogTail {
			out = append(out, indent(text.Wrap(safe(line), max(w-2, 10)), "  ")...)
		}
	}
	return out
}

func reviewWord(p forge.PR) string {
	switch p.ReviewDecision {
	case "APPROVED":
		return "approved"
	case "CHANGES_REQUESTED":
		return "changes requested"
	case "REVIEW_REQUIRED":
		return "review required"
	}
	return ""
}

// shortLink drops the scheme, so more of the path fits.
func shortLink(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return u.Host + strings.TrimSuffix(u.Path, "/")
}

func shortDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	h, mi, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, mi)
	case mi > 0:
		return fmt.Sprintf("%dm%02ds", mi, s)
	}
	return fmt.Sprintf("%ds", s)
}

func indent(lines []string, p string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = p + l
	}
	return out
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
