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
)

// fit truncates or pads s (which may hold styles) to exactly w cells.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	s = ansi.Truncate(s, w, "…")
	if pad := w - ansi.StringWidth(s); pad > 0 {
		s += strings.Repeat(" ", pad)
	}
	return s
}

// block makes lines exactly w×h.
func block(lines []string, w, h int) string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(w, 0))
		}
	}
	return strings.Join(out, "\n")
}

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
	return block(lines, m.w, m.h)
}

func (m *Model) headerLine(left, right string) string {
	gap := m.w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 1 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
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
	right := st.Muted.Render(fmt.Sprintf("%d runs", len(m.runs)))
	lines := []string{m.headerLine(st.Title.Render("dbt runs"), right), ""}
	if m.histErr != nil {
		lines = append(lines, st.Error.Render("Could not read the run history: "+termsafe.Line(redact.String(m.histErr.Error()))))
	}
	if len(m.runs) == 0 {
		return append(lines,
			st.Muted.Render("No runs yet."),
			"",
			"Start one from the command palette (ctrl+k, then \"dbt build\"), from the lineage",
			"screen, or in a shell: datatui run -- build --select my_model")
	}
	bodyH := m.h - len(lines) - 1
	top := 0
	if m.listSel >= bodyH {
		top = m.listSel - bodyH + 1
	}
	for i := top; i < len(m.runs) && i < top+bodyH; i++ {
		r := m.runs[i]
		when := r.started.In(m.loc).Format("Jan _2 15:04")
		counts := r.summary.Line()
		switch r.state() {
		case stateRunning, stateCancelling:
			counts = fmt.Sprintf("%d/%d nodes", r.progress.Done, r.progress.Total)
			if r.progress.Total == 0 {
				counts = fmt.Sprintf("%d nodes done", r.progress.Done)
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
		countsW := min(46, max(m.w/2-2, 10))
		nameW := max(m.w-2-14-11-countsW, 8)
		line := fmt.Sprintf("%s %s  %s %8s  %s", m.icon(r.status()), st.Muted.Render(when), fit(termsafe.Line(r.title()), nameW), dur, fit(counts, countsW))
		if i == m.listSel {
			line = st.Selected.Render(fit(ansi.Strip(line), m.w))
		}
		lines = append(lines, line)
	}
	lines = append(lines, make([]string, max(m.h-len(lines)-1, 0))...)
	return append(lines, st.Muted.Render("enter open · j/k move · r reload · ctrl+k for dbt build/test/…"))
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
	return append(rows[:limit:limit], m.c.Styles.Muted.Render(fmt.Sprintf("  … %d more lines · enter reads it whole", more)))
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

	nodes := m.visibleNodes()
	detail := m.detailPanel(nodes)
	tableH := m.h - len(lines) - 1 - len(detail) - 1
	if tableH < 1 {
		detail = nil
		tableH = m.h - len(lines) - 2
	}
	lines = append(lines, m.tableHeader())
	lines = append(lines, m.table(nodes, max(tableH, 0))...)
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

func (m *Model) table(nodes []*ops.NodeResult, h int) []string {
	st := m.c.Styles
	if len(nodes) == 0 {
		switch {
		case m.filter != "":
			return []string{st.Muted.Render("  no node matches \"" + termsafe.Line(m.filter) + "\"")}
		case m.cur.running:
			return []string{st.Muted.Render("  waiting for dbt to start the first node…")}
		}
		return []string{st.Muted.Render("  dbt reported no nodes")}
	}
	m.nodeSel = clamp(m.nodeSel, 0, len(nodes)-1)
	if m.nodeSel < m.nodeTop {
		m.nodeTop = m.nodeSel
	}
	if h > 0 && m.nodeSel >= m.nodeTop+h {
		m.nodeTop = m.nodeSel - h + 1
	}
	name, typ, dur, msg := m.columns()
	var out []string
	for i := m.nodeTop; i < len(nodes) && len(out) < h; i++ {
		n := nodes[i]
		d := ""
		if n.Elapsed > 0 {
			d = fmt.Sprintf("%.2fs", n.Elapsed.Seconds())
		}
		info := n.AdapterMessage
		switch {
		case ops.Failed(n.Status) || n.Status == "warn" || n.Status == "cancelled":
			info = firstLine(n.Message)
			if n.Failures > 0 {
				info = fmt.Sprintf("%d failing rows", n.Failures)
				if n.Failures == 1 {
					info = "1 failing row"
				}
			}
		case n.Status == "running" && n.Batches > 0:
			info = fmt.Sprintf("batch %d of %d", n.BatchesDone, n.Batches)
			if n.BatchesFailed > 0 {
				info += fmt.Sprintf(", %d failed", n.BatchesFailed)
			}
		case n.Rows >= 0 && info == "":
			info = fmt.Sprintf("%d rows", n.Rows)
		case n.Status == "skipped" && n.Message != "":
			info = "skipped: " + firstLine(n.Message)
		case n.Status == "skipped":
			info = "skipped: upstream failed"
		case n.Status == "reused":
			info = "reused: nothing changed upstream"
		}
		text := fit(termsafe.Line(n.Name), name) + " " + fit(termsafe.Line(n.ResourceType), typ) + " " + fmt.Sprintf("%*s", dur, d) + " " + fit(termsafe.Line(info), msg)
		if i == m.nodeSel {
			out = append(out, m.icon(n.Status)+" "+st.Selected.Render(text))
		} else {
			out = append(out, m.icon(n.Status)+" "+text)
		}
	}
	return out
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
	var n *ops.NodeResult
	if m.nodeSel < len(nodes) && (ops.Failed(nodes[m.nodeSel].Status) || nodes[m.nodeSel].Status == "warn" || nodes[m.nodeSel].Status == "cancelled") {
		n = nodes[m.nodeSel]
	} else {
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
	if m.filtering {
		return st.Key.Render("/") + " " + termsafe.Line(m.filter) + "█" + st.Muted.Render("  enter keep · esc clear")
	}
	var parts []string
	if m.filter != "" {
		parts = append(parts, "filter: "+termsafe.Line(m.filter))
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
	right := fmt.Sprintf("%d lines", n)
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
	top := clamp(m.text.top, 0, max(len(rows)-h, 0))
	right := fmt.Sprintf("%d lines", len(rows))
	if len(rows) > h {
		right = fmt.Sprintf("lines %d–%d of %d", top+1, min(top+h, len(rows)), len(rows))
	}
	lines := []string{m.headerLine(st.Title.Render(termsafe.Line(m.text.title)), st.Muted.Render(right))}
	lines = append(lines, rows[top:min(top+h, len(rows))]...)
	return append(padTo(lines, m.h-1), st.Muted.Render("esc/enter back · j/k pgup/pgdown scroll · g/G top/bottom"))
}
