package runs

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/ops"
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
		lines = append(lines, st.Error.Render("Could not read the run history: "+m.histErr.Error()))
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
		when := r.started.Local().Format("Jan _2 15:04")
		counts := r.summary.Line()
		switch {
		case r.running:
			counts = fmt.Sprintf("%d/%d nodes", r.progress.Done, r.progress.Total)
		case r.cancelled:
			counts = "cancelled · " + counts
		case r.exitCode > 1:
			counts = fmt.Sprintf("dbt failed (exit %d)", r.exitCode)
		}
		dur := shortDuration(r.duration)
		if r.running {
			dur = shortDuration(r.progress.Elapsed)
		}
		countsW := min(46, max(m.w/2-2, 10))
		nameW := max(m.w-2-14-11-countsW, 8)
		line := fmt.Sprintf("%s %s  %s %8s  %s", st.StatusIcon(r.status()), st.Muted.Render(when), fit(r.title(), nameW), dur, fit(counts, countsW))
		if i == m.listSel {
			line = st.Selected.Render(fit(ansi.Strip(line), m.w))
		}
		lines = append(lines, line)
	}
	lines = append(lines, make([]string, max(m.h-len(lines)-1, 0))...)
	return append(lines, st.Muted.Render("enter open · j/k move · r reload · ctrl+k for dbt build/test/…"))
}

func (m *Model) progressBar(r *run, width int) string {
	st := m.c.Styles
	p := r.progress
	frac := 0.0
	if p.Total > 0 {
		frac = float64(p.Done) / float64(p.Total)
	} else if r.finished {
		frac = 1
	}
	info := fmt.Sprintf(" %d/%d %3.0f%%", p.Done, p.Total, frac*100)
	elapsed := p.Elapsed
	if r.finished && r.duration > 0 {
		elapsed = r.duration
	}
	info += " · " + shortDuration(elapsed)
	if r.running && p.Done > 0 && p.Total > p.Done {
		eta := time.Duration(float64(p.Elapsed) / float64(p.Done) * float64(p.Total-p.Done))
		info += " · ETA " + shortDuration(eta)
	}
	barW := max(width-ansi.StringWidth(info)-2, 4)
	filled := min(int(frac*float64(barW)+0.5), barW)
	style := st.Success
	switch {
	case r.summary.Error > 0 || failedCount(r) > 0:
		style = st.Error
	case r.running:
		style = st.InfoText
	}
	return "[" + style.Render(strings.Repeat("█", filled)) + st.Faint.Render(strings.Repeat("░", barW-filled)) + "]" + info
}

func failedCount(r *run) int {
	n := 0
	for _, x := range r.nodes {
		if ops.Failed(x.Status) {
			n++
		}
	}
	return n
}

func (m *Model) runState(r *run) string {
	st := m.c.Styles
	switch {
	case r.cancelling:
		return st.Warning.Render("cancelling…")
	case r.running:
		return st.InfoText.Render("● running")
	case r.cancelled:
		return st.Warning.Render("cancelled")
	case r.exitCode == 0:
		return st.Success.Render("✓ done")
	case r.exitCode == 1:
		return st.Error.Render("✗ failed (exit 1)")
	}
	return st.Error.Render(fmt.Sprintf("✗ dbt failed (exit %d)", r.exitCode))
}

// summaryLine is dbt's count line: the final one, or the counts so far while running.
func summaryLine(r *run) string {
	if r.finished && (r.summary.Total > 0 || r.fromHistory) {
		return r.summary.Line()
	}
	nodes := make([]ops.NodeResult, 0, len(r.nodes))
	for _, n := range r.nodes {
		nodes = append(nodes, *n)
	}
	return ops.CountStatuses(nodes).Line()
}

func (m *Model) detailView() []string {
	st := m.c.Styles
	r := m.cur
	lines := []string{
		m.headerLine(st.Title.Render(r.title()), m.runState(r)),
		m.progressBar(r, m.w),
		summaryLine(r),
	}
	var me *ops.MissingDBTError
	if errors.As(r.err, &me) {
		lines = append(lines, st.Error.Render("dbt is not installed."), "Install it as the guide \""+me.Guide+"\" explains: press "+st.Key.Render("o")+" to open it.")
	} else if r.fatal != "" {
		lines = append(lines, st.Error.Render("dbt stopped: "+firstLine(r.fatal)))
	} else if r.err != nil && !r.cancelled && r.exitCode != 1 {
		lines = append(lines, st.Error.Render(firstLine(r.err.Error())))
	}
	footer := m.footer()
	if r.fromHistory {
		lines = append(lines, "", st.Muted.Render("Started "+r.started.Local().Format("Mon Jan 2 15:04")+" · "+strings.Join(append([]string{"dbt"}, r.args...), " ")))
		if len(r.failedIDs) > 0 {
			lines = append(lines, "", st.Bold.Render("Failed:"))
			for _, id := range r.failedIDs {
				lines = append(lines, "  "+st.StatusIcon("error")+" "+id)
			}
		}
		lines = append(lines, "", st.Muted.Render("The node details of past runs are in target/run_results.json until the next run."))
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
	typ, dur = 9, 8
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
			return []string{st.Muted.Render("  no node matches \"" + m.filter + "\"")}
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
		case ops.Failed(n.Status) || n.Status == "warn":
			info = firstLine(n.Message)
			if n.Failures > 0 {
				info = fmt.Sprintf("%d failing rows", n.Failures)
			}
		case n.Rows >= 0 && info == "":
			info = fmt.Sprintf("%d rows", n.Rows)
		case n.Status == "skipped":
			info = "skipped: upstream failed"
		}
		text := fit(n.Name, name) + " " + fit(n.ResourceType, typ) + " " + fmt.Sprintf("%*s", dur, d) + " " + fit(info, msg)
		if i == m.nodeSel {
			out = append(out, st.StatusIcon(n.Status)+" "+st.Selected.Render(text))
		} else {
			out = append(out, st.StatusIcon(n.Status)+" "+text)
		}
	}
	return out
}

// detailPanel shows the error of the selected node, or of the first failure.
func (m *Model) detailPanel(nodes []*ops.NodeResult) []string {
	var n *ops.NodeResult
	if m.nodeSel < len(nodes) && (ops.Failed(nodes[m.nodeSel].Status) || nodes[m.nodeSel].Status == "warn") {
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
	out := []string{st.Faint.Render(strings.Repeat("─", m.w)), st.StatusIcon(n.Status) + " " + st.Bold.Render(n.Name) + st.Muted.Render("  "+n.Path+" · c compiled SQL · e edit")}
	limit := max(min(6, m.h/4), 1)
	for _, l := range strings.Split(strings.TrimSpace(n.Message), "\n") {
		if len(out)-2 >= limit {
			break
		}
		out = append(out, "  "+strings.TrimSpace(l))
	}
	return out
}

func (m *Model) footer() string {
	st := m.c.Styles
	if m.filtering {
		return st.Key.Render("/") + " " + m.filter + "█" + st.Muted.Render("  enter keep · esc clear")
	}
	var parts []string
	if m.filter != "" {
		parts = append(parts, "filter: "+m.filter)
	}
	if m.cur != nil && m.cur.running {
		parts = append(parts, "x cancel")
	}
	parts = append(parts, "S sort", "/ filter", "l log", "c compiled", "e edit", "esc runs")
	return st.Muted.Render(strings.Join(parts, " · "))
}

func (m *Model) logHeight() int { return max(m.h-2, 1) }

func (m *Model) logView() []string {
	st := m.c.Styles
	r := m.cur
	n := r.log.Len()
	h := m.logHeight()
	top := m.logTop
	if m.logFollow {
		top = max(n-h, 0)
	}
	right := fmt.Sprintf("%d lines", n)
	if dropped := r.log.Total() - int64(n); dropped > 0 {
		right = fmt.Sprintf("last %d of %d lines", n, r.log.Total())
	}
	lines := []string{m.headerLine(st.Title.Render("Log · "+r.title()), st.Muted.Render(right))}
	for _, l := range r.log.Lines(top, h) {
		lines = append(lines, strings.ReplaceAll(l, "\t", "    "))
	}
	lines = padTo(lines, m.h-1)
	follow := ""
	if m.logFollow {
		follow = " · following"
	}
	return append(lines, st.Muted.Render("l/esc back · j/k pgup/pgdown scroll · G follow"+follow))
}
