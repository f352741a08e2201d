package runs

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// fit truncates or pads s (which may hold styles) to exactly w cells.
var fit = text.Pad

// View renders the list of runs, one run's detail, or its raw log.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	var lines []string
	switch {
	case m.mode == modeText && m.text != nil:
		lines = m.textViewLines()
	case m.mode == modeLog && m.cur != nil:
		lines = m.logView()
	case m.mode == modeDetail && m.cur != nil:
		lines = m.detailView()
	default:
		lines = m.listView()
	}
	return text.Block(lines, m.w, m.h)
}

func (m *Model) headerLine(left, right string) string {
	if ansi.StringWidth(left)+1+ansi.StringWidth(right) > m.w {
		return left
	}
	return text.Spread(left, right, m.w)
}

func shortDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1fs", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func (m *Model) listView() []string {
	st := m.c.Styles
	right := st.Muted.Render(m.runList.Count("run", "runs"))
	lines := []string{m.headerLine(st.Title.Render("dbt runs"), right)}
	if m.runList.Filtering() || m.runList.Query() != "" {
		lines = append(lines, m.runList.FilterBar(st))
	} else {
		lines = append(lines, "")
	}
	if m.histErr != nil {
		lines = append(lines, text.WrapStyle("Could not read the run history: "+termsafe.Line(redact.String(m.histErr.Error())), max(m.w, 10), st.Error)...)
	}
	if len(m.runs) == 0 {
		return append(lines,
			st.Muted.Render("No runs yet."),
			"",
			"Start one from the command palette (ctrl+k, then \"dbt build\"), from the lineage",
			"screen, or in a shell: datatui run -- build --select my_model")
	}
	if m.runList.Len() == 0 {
		lines = append(lines, st.Muted.Render("No run matches \""+termsafe.Line(m.runList.Query())+"\": esc clears the filter."))
	}
	m.runList.SetHeight(max(m.h-len(lines)-1, 0))
	lines = append(lines, m.runList.View(m.w, m.runRow)...)
	return append(lines, st.Muted.Render("enter open · j/k move · / filter · r reload · ctrl+k for dbt build/test/…"))
}

// runRow is one run of the list: state, start, command, time and counts.
func (m *Model) runRow(row list.Row[*run], w int) string {
	st := m.c.Styles
	r := row.Item
	when := r.started.In(m.loc).Format("Jan _2 15:04")
	counts := r.summary.Line()
	switch r.state() {
	case stateRunning, stateCancelling:
		counts = fmt.Sprintf("%d/%d nodes", r.progress.Done, r.progress.Total)
		if r.progress.Total == 0 {
			counts = text.Plural(r.progress.Done, "node", "nodes") + " done"
		}
	case stateCancelled:
		counts = "cancelled · " + counts
	case stateNotStarted:
		counts = "not started"
	case stateStopped:
		counts = fmt.Sprintf("dbt stopped (exit %d)", r.exitCode)
	default:
		if !r.fromHistory && len(r.nodes) == 0 {
			counts = "no nodes"
		}
	}
	dur := shortDuration(m.elapsed(r))
	countsW := min(46, max(w/2-2, 10))
	nameW := max(w-2-14-11-countsW, 8)
	title := text.Fit(termsafe.Line(r.title()), nameW)
	spans := text.Clip(row.Spans, len(strings.TrimSuffix(title, text.Ellipsis)))
	if row.Selected {
		sel := st.Selected
		return sel.Render(ansi.Strip(m.icon(r.status()))+" "+when+"  ") + text.Highlight(title, spans, sel, sel.Underline(true)) +
			sel.Render(text.Pad("", nameW-ansi.StringWidth(title))+fmt.Sprintf(" %8s  ", dur)+fit(counts, countsW))
	}
	return m.icon(r.status()) + " " + st.Muted.Render(when) + "  " + text.Highlight(title, spans, st.Text, st.Match) +
		text.Pad("", nameW-ansi.StringWidth(title)) + fmt.Sprintf(" %8s  ", dur) + fit(counts, countsW)
}

// elapsed is the run's time: while it runs, the time since it started (the screen redraws
// every second, so it moves even while dbt prints nothing); once it ended, its duration.
func (m *Model) elapsed(r *run) time.Duration {
	if r.running {
		if d := m.now().Sub(r.started); d > 0 {
			return d
		}
		return r.progress.Elapsed
	}
	return r.duration
}

func (m *Model) stateStyle(r *run) lipgloss.Style {
	st := m.c.Styles
	switch r.state() {
	case stateRunning:
		return st.InfoText
	case stateCancelling, stateCancelled, stateWarned:
		return st.Warning
	case stateDone:
		return st.Success
	}
	return st.Error
}

// progressBar draws done of total as dbt reported them, coloured by what became of the run;
// "" for a run that ended without any node (the summary line says so instead).
func (m *Model) progressBar(r *run, width int) string {
	st := m.c.Styles
	p := r.progress
	done := max(p.Done, 0)
	if !r.running && len(r.nodes) == 0 && !r.fromHistory {
		return ""
	}
	var info string
	frac := 0.0
	switch {
	case p.Total > 0:
		frac = min(float64(done)/float64(p.Total), 1)
		info = fmt.Sprintf(" %d/%d %3.0f%%", done, p.Total, frac*100)
	case r.running:
		// dbt Fusion announces no total: say so rather than fill the bar.
		info = fmt.Sprintf(" %d done · total not announced yet", done)
		if r.engine == ops.EngineFusion {
			info = fmt.Sprintf(" %d done · dbt Fusion does not announce a total", done)
		}
	default:
		frac = 1
		info = fmt.Sprintf(" %d/%d", done, done)
	}
	elapsed := m.elapsed(r)
	info += " · " + shortDuration(elapsed)
	if r.running && done > 0 && p.Total > done {
		eta := time.Duration(float64(elapsed) / float64(done) * float64(p.Total-done))
		info += " · ETA " + shortDuration(eta)
	}
	barW := max(width-ansi.StringWidth(info)-2, 4)
	filled := min(int(frac*float64(barW)+0.5), barW)
	return "[" + m.stateStyle(r).Render(strings.Repeat("█", filled)) + st.Faint.Render(strings.Repeat("░", barW-filled)) + "]" + info
}

func (m *Model) runState(r *run) string {
	st := m.c.Styles
	switch r.state() {
	case stateCancelling:
		return st.Warning.Render("cancelling…")
	case stateRunning:
		return st.InfoText.Render("● running")
	case stateCancelled:
		return st.Warning.Render("⊘ cancelled")
	case stateDone:
		return st.Success.Render("✓ done")
	case stateWarned:
		return st.Warning.Render("! done with warnings")
	case stateFailed:
		return st.Error.Render("✗ failed (exit 1)")
	case stateNotStarted:
		return st.Error.Render("✗ not started")
	}
	return st.Error.Render(fmt.Sprintf("✗ dbt stopped (exit %d)", r.exitCode))
}

// summaryLine is dbt's count line: the final one, or the counts so far while running; for a
// run that ended without nodes, that and why.
func (m *Model) summaryLine(r *run) string {
	st := m.c.Styles
	if r.fromHistory {
		return r.summary.Line()
	}
	if !r.running && len(r.nodes) == 0 {
		switch {
		case r.state() == stateNotStarted:
			return st.Muted.Render("dbt did not run")
		case r.nothingSelected:
			return st.Muted.Render("dbt reported no nodes: the selection matched nothing")
		}
		return st.Muted.Render("dbt reported no nodes")
	}
	if r.finished {
		return r.summary.Line()
	}
	nodes := make([]ops.NodeResult, 0, len(r.nodes))
	for _, n := range r.nodes {
		nodes = append(nodes, *n)
	}
	return ops.CountStatuses(nodes).Line()
}

// wrapText breaks text (from outside: made terminal-safe) into rows of at most w cells, so
// nothing is cut; tabs become four spaces.
func wrapText(text string, w int) []string {
	text = strings.ReplaceAll(termsafe.Log(text), "\t", "    ")
	var rows []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, " ")
		if w <= 0 || ansi.StringWidth(l) <= w {
			rows = append(rows, l)
			continue
		}
		rows = append(rows, strings.Split(ansi.Wrap(l, w, ""), "\n")...)
	}
	return rows
}

// clip shows at most limit rows of rows, and says how to read the rest.
func (m *Model) clip(rows []string, limit int) []string {
	if len(rows) <= limit {
		return rows
	}
	limit = max(limit-1, 1)
	more := len(rows) - limit
	return append(rows[:limit:limit], m.c.Styles.Muted.Render("  … "+text.Plural(more, "more line", "more lines")+" · enter reads it whole"))
}

func (m *Model) detailView() []string {
	st := m.c.Styles
	r := m.cur
	lines := []string{m.headerLine(st.Title.Render(termsafe.Line(r.title())), m.runState(r))}
	if bar := m.progressBar(r, m.w); bar != "" {
		lines = append(lines, bar)
	}
	lines = append(lines, m.summaryLine(r))
	var me *ops.MissingDBTError
	if errors.As(r.err, &me) {
		lines = append(lines, st.Error.Render("dbt is not installed."), "Install it as the guide \""+me.Guide+"\" explains: press "+st.Key.Render("o")+" to open it.")
	} else if msg := r.message(); msg != "" {
		label := "dbt's message:"
		if r.state() == stateNotStarted {
			label = "datatui could not start dbt:"
		}
		lines = append(lines, st.Error.Render(label))
		for _, row := range m.clip(wrapText(strings.TrimSpace(redact.String(msg)), m.w-2), max(min(8, m.h/3), 2)) {
			lines = append(lines, "  "+row)
		}
	}
	footer := m.footer()
	if r.fromHistory {
		lines = append(lines, "", st.Muted.Render("Started "+r.started.In(m.loc).Format("Mon Jan 2 15:04")+" · "+termsafe.Line(strings.Join(append([]string{"dbt"}, r.args...), " "))))
		if len(r.failedIDs) > 0 {
			lines = append(lines, "", st.Bold.Render("Failed:"))
			for _, id := range r.failedIDs {
				lines = append(lines, "  "+st.StatusIcon("error")+" "+termsafe.Line(id))
			}
		}
		lines = append(lines, "", st.Muted.Render("The node details of past runs are in target/run_results.json until the next run."))
		return append(padTo(lines, m.h-1), footer)
	}
	if !r.running && len(r.nodes) == 0 {
		return append(padTo(lines, m.h-1), footer)
	}

	nodes := m.nodes.Items()
	detail := m.detailPanel(nodes)
	tableH := m.h - len(lines) - 1 - len(detail) - 1
	if tableH < 1 {
		detail = nil
		tableH = m.h - len(lines) - 2
	}
	lines = append(lines, m.tableHeader())
	lines = append(lines, m.table(max(tableH, 0))...)
	lines = padTo(lines, m.h-1-len(detail))
	lines = append(lines, detail...)
	return append(padTo(lines, m.h-1), footer)
}

func padTo(lines []string, n int) []string {
	for len(lines) < n {
		lines = append(lines, "")
	}
	return lines
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// columns of the nodes table: status icon, name, type, duration, rows or message.
func (m *Model) columns() (name, typ, dur, msg int) {
	typ, dur = 11, 8
	rest := m.w - 2 - typ - dur - 3
	name = max(min(rest*11/20, 48), 8)
	msg = max(rest-name, 0)
	return
}

func (m *Model) tableHeader() string {
	name, typ, dur, msg := m.columns()
	sortNote := ""
	if m.sort != sortFailuresFirst {
		sortNote = " (by " + m.sort.String() + ")"
	}
	return m.c.Styles.Muted.Render("  " + fit("NODE"+sortNote, name) + " " + fit("TYPE", typ) + " " + fmt.Sprintf("%*s", dur, "TIME") + " " + fit("ROWS / MESSAGE", msg))
}

func (m *Model) table(h int) []string {
	st := m.c.Styles
	if m.nodes.Len() == 0 {
		switch {
		case m.nodes.Query() != "":
			return []string{st.Muted.Render("  no node matches \"" + termsafe.Line(m.nodes.Query()) + "\"")}
		case m.cur.running:
			return []string{st.Muted.Render("  waiting for dbt to start the first node…")}
		}
		return []string{st.Muted.Render("  dbt reported no nodes")}
	}
	m.nodes.SetHeight(h)
	return m.nodes.View(m.w, m.nodeRow)
}

// nodeRow is one row of the nodes table: status, name, type, time, and rows or the message.
func (m *Model) nodeRow(row list.Row[*ops.NodeResult], _ int) string {
	st := m.c.Styles
	n := row.Item
	name, typ, dur, msg := m.columns()
	d := ""
	if n.Elapsed > 0 {
		d = fmt.Sprintf("%.2fs", n.Elapsed.Seconds())
	}
	info := n.AdapterMessage
	switch {
	case ops.Failed(n.Status) || n.Status == "warn" || n.Status == "cancelled":
		info = firstLine(n.Message)
		if n.Failures > 0 {
			info = text.Plural(n.Failures, "failing row", "failing rows")
		}
	case n.Status == "running" && n.Batches > 0:
		info = fmt.Sprintf("batch %d of %d", n.BatchesDone, n.Batches)
		if n.BatchesFailed > 0 {
			info += fmt.Sprintf(", %d failed", n.BatchesFailed)
		}
	case n.Rows >= 0 && info == "":
		info = text.Plural(int(n.Rows), "row", "rows")
	case n.Status == "skipped" && n.Message != "":
		info = "skipped: " + firstLine(n.Message)
	case n.Status == "skipped":
		info = "skipped: upstream failed"
	case n.Status == "reused":
		info = "reused: nothing changed upstream"
	}
	label := text.Fit(termsafe.Line(n.Name), name)
	spans := text.Clip(row.Spans, len(strings.TrimSuffix(label, text.Ellipsis)))
	base, match := st.Text, st.Match
	if row.Selected {
		base, match = st.Selected, st.Selected.Underline(true)
	}
	rest := text.Pad("", name-ansi.StringWidth(label)) + " " + fit(termsafe.Line(n.ResourceType), typ) + " " + fmt.Sprintf("%*s", dur, d) + " " + fit(termsafe.Line(info), msg)
	return m.icon(n.Status) + " " + text.Highlight(label, spans, base, match) + base.Render(rest)
}

// icon is a node status's mark, including the statuses only dbt Fusion and cancels give.
func (m *Model) icon(status string) string {
	st := m.c.Styles
	switch status {
	case "cancelled":
		return st.Warning.Render("⊘")
	case "reused":
		return st.Success.Render("↺")
	case "partial success", "runtime error":
		return st.StatusIcon("error")
	case "no-op":
		return st.Muted.Render("○")
	}
	return st.StatusIcon(status)
}

// detailPanel shows the error of the selected node, or of the first failure.
func (m *Model) detailPanel(nodes []*ops.NodeResult) []string {
	n := m.selectedNode()
	if n == nil || !(ops.Failed(n.Status) || n.Status == "warn" || n.Status == "cancelled") {
		n = nil
		for _, x := range nodes {
			if ops.Failed(x.Status) {
				n = x
				break
			}
		}
	}
	if n == nil || strings.TrimSpace(n.Message) == "" {
		return nil
	}
	st := m.c.Styles
	out := []string{st.Faint.Render(strings.Repeat("─", m.w)), m.icon(n.Status) + " " + st.Bold.Render(termsafe.Line(n.Name)) + st.Muted.Render("  "+termsafe.Line(n.Path)+" · c compiled SQL · e edit")}
	for _, row := range m.clip(wrapText(strings.TrimSpace(redact.String(n.Message)), m.w-2), max(min(6, m.h/4), 1)) {
		out = append(out, "  "+row)
	}
	return out
}

func (m *Model) footer() string {
	st := m.c.Styles
	if m.nodes.Filtering() {
		return m.nodes.FilterBar(st) + st.Muted.Render("  "+m.nodes.Count("node", "nodes")+" · enter keep · esc clear")
	}
	var parts []string
	if m.nodes.Query() != "" {
		parts = append(parts, "filter: "+termsafe.Line(m.nodes.Query())+" ("+m.nodes.Count("node", "nodes")+")")
	}
	if m.cur != nil && m.cur.running {
		parts = append(parts, "x cancel")
	}
	parts = append(parts, "enter full text", "S sort", "/ filter", "l log", "c compiled", "e edit", "esc runs")
	// On a narrow screen the hints least needed go first (? lists every key).
	for _, drop := range []string{"e edit", "c compiled", "S sort"} {
		if ansi.StringWidth(strings.Join(parts, " · ")) <= m.w {
			break
		}
		for i, p := range parts {
			if p == drop {
				parts = append(parts[:i], parts[i+1:]...)
				break
			}
		}
	}
	return st.Muted.Render(strings.Join(parts, " · "))
}

func (m *Model) logHeight() int { return max(m.h-2, 1) }

// logView shows the raw log with long lines wrapped, never cut: from logTop down, or (when
// following) the last lines that fit.
func (m *Model) logView() []string {
	st := m.c.Styles
	r := m.cur
	n := r.log.Len()
	h := m.logHeight()
	right := text.Plural(n, "line", "lines")
	if dropped := r.log.Total() - int64(n); dropped > 0 {
		right = fmt.Sprintf("last %d of %d lines · all in logs/dbt.log", n, r.log.Total())
	}
	if cut := r.log.Cut(); cut > 0 {
		right += fmt.Sprintf(" · %d over %d KiB cut", cut, ops.DefaultLineLength>>10)
	}
	lines := []string{m.headerLine(st.Title.Render("Log · "+termsafe.Line(r.title())), st.Muted.Render(right))}
	var rows []string
	if m.logFollow {
		for i := n - 1; i >= 0 && len(rows) < h; i-- {
			rows = append(wrapText(r.log.Lines(i, 1)[0], m.w), rows...)
		}
		rows = rows[max(len(rows)-h, 0):]
	} else {
		for i := m.logTop; i < n && len(rows) < h; i++ {
			rows = append(rows, wrapText(r.log.Lines(i, 1)[0], m.w)...)
		}
		rows = rows[:min(len(rows), h)]
	}
	lines = padTo(append(lines, rows...), m.h-1)
	follow := ""
	if m.logFollow {
		follow = " · following"
	}
	return append(lines, st.Muted.Render("l/esc back · j/k pgup/pgdown scroll · G follow"+follow))
}

func (m *Model) textHeight() int { return max(m.h-2, 1) }

func (m *Model) textRows() []string { return wrapText(strings.TrimSpace(m.text.body), m.w) }

// textViewLines shows one text whole: wrapped to the width, scrolled by j/k.
func (m *Model) textViewLines() []string {
	st := m.c.Styles
	rows := m.textRows()
	h := m.textHeight()
	top := text.Clamp(m.text.top, 0, max(len(rows)-h, 0))
	right := text.Plural(len(rows), "line", "lines")
	if len(rows) > h {
		right = fmt.Sprintf("lines %d–%d of %d", top+1, min(top+h, len(rows)), len(rows))
	}
	lines := []string{m.headerLine(st.Title.Render(termsafe.Line(m.text.title)), st.Muted.Render(right))}
	lines = append(lines, rows[top:min(top+h, len(rows))]...)
	return append(padTo(lines, m.h-1), st.Muted.Render("esc/enter back · j/k pgup/pgdown scroll · g/G top/bottom"))
}
