package lineage

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// wideLayout puts the details beside the list instead of below it.
func (m *Model) wideLayout() bool { return m.w >= 100 }

// listWidth is the list pane's width in the wide layout.
func (m *Model) listWidth() int { return max(30, m.w*45/100) }

// bodyHeight is the height between the two header lines and the footer.
func (m *Model) bodyHeight() int { return max(0, m.h-3) }

// listHeight is how many list rows fit in the list pane.
func (m *Model) listHeight() int {
	h := m.bodyHeight()
	if !m.wideLayout() {
		h = listShare(h)
	}
	return max(0, h)
}

// listShare is the list's part of a stacked (narrow) body; the rest, minus a rule, is details.
func listShare(h int) int { return max(1, h*55/100) }

const impactInfoLines = 2

// block fits lines into a w×h rectangle.
func block(lines []string, w, h int) []string {
	if h <= 0 {
		return nil
	}
	return text.Lines(text.Block(lines, w, h))
}

// safe makes text from the project and dbt's artifacts drawable: names, descriptions, SQL and
// messages are anyone's text, so their control characters are shown, never obeyed.
var safe = termsafe.Line

// displayName is a node's name as drawn.
func displayName(n *dbt.Node) string { return safe(lineage.DisplayName(n)) }

func errText(err error) string { return safe(redact.String(err.Error())) }

func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := m.c.Styles
	lines := make([]string, 0, m.h)
	lines = append(lines, text.PadCut(m.header(), m.w))
	if m.h >= 2 {
		lines = append(lines, text.PadCut(m.subheader(), m.w))
	}
	bh := m.bodyHeight()
	var body []string
	switch {
	case m.data == nil && m.loadErr != nil:
		// The whole error, wrapped: it is the one thing on the screen.
		msg := text.WrapStyle("Could not load the lineage: "+errText(m.loadErr), m.w, st.Error)
		body = block(append(msg, st.Muted.Render("Fix the problem and press r to try again.")), m.w, bh)
	case m.data == nil:
		body = block([]string{st.Muted.Render("Loading the lineage…")}, m.w, bh)
	case m.root < 0 && !m.finding:
		d := &details{st: st, w: m.w}
		d.add(st.Muted.Render("The project has no nodes yet: add a model under models/ and press r."))
		if ws := m.warnings(); len(ws) > 0 {
			// What went wrong in the reading is likely why nothing was found: no need for w.
			d.add("", st.Warning.Render(text.Plural(len(ws), "warning", "warnings")+" from reading the project:"))
			d.bullets(ws)
		}
		body = block(d.out, m.w, bh)
	case m.mode == modeDAG && !m.finding && !m.selecting:
		body = block(m.dagLines(m.w, bh), m.w, bh)
	default:
		body = m.splitBody(bh)
	}
	lines = append(lines, body...)
	if m.h >= 3 {
		lines = append(lines, text.PadCut(m.footer(), m.w))
	}
	if len(lines) > m.h {
		lines = lines[:m.h]
	}
	return strings.Join(lines, "\n")
}

// header says where the graph comes from and how old it is.
func (m *Model) header() string {
	st := m.c.Styles
	title := st.Title.Render("Lineage")
	if m.data == nil {
		if m.loading {
			return title + "  " + st.Muted.Render("loading…")
		}
		return title
	}
	o := m.data.graph.Origin
	var src string
	age := humanAge(m.now().Sub(o.Built))
	if o.Kind == dbt.OriginQuickParse {
		src = "quick parse of the project files · parsed " + age
	} else {
		src = "dbt manifest"
		if o.DBTVersion != "" {
			src += " (dbt " + o.DBTVersion + ")"
		}
		src += " · written " + age
	}
	s := title + "  " + st.Muted.Render(src)
	if o.Stale {
		s += "  " + st.Warning.Render("stale: files changed since")
	}
	if n := len(o.Warnings) + len(m.data.artifactWarnings); n > 0 {
		s += "  " + st.Warning.Render(text.Plural(n, "warning", "warnings")+" (w)")
	}
	s += "  " + st.Faint.Render(text.Plural(m.data.graph.Len()-m.data.unresolved, "node", "nodes"))
	if m.data.unresolved > 0 {
		s += st.Warning.Render(fmt.Sprintf(" · %d unresolved", m.data.unresolved))
	}
	return s
}

func humanAge(d time.Duration) string {
	switch {
	case d < 2*time.Second:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

func depthLabel(d int) string {
	if d < 0 {
		return "all"
	}
	return strconv.Itoa(d)
}

// subheader holds the prompt being typed, or the view's state.
func (m *Model) subheader() string {
	st := m.c.Styles
	switch {
	case m.finding:
		return m.finder.View("/ ", true, st.Key, st.Text) + "  " + st.Faint.Render(fmt.Sprintf("%d found", m.hitTotal))
	case m.selecting:
		field := m.selInput.View("select: ", true, st.Key, st.Text)
		if m.selInput.Value() == "" {
			field += st.Faint.Render("e.g. +fct_revenue tag:finance,config.materialized:table")
		}
		return field + "  " + m.selectorStatus()
	}
	tabs := []string{"tree", "DAG", "impact"}
	var parts []string
	for k, t := range tabs {
		if viewMode(k) == m.mode {
			parts = append(parts, st.Bold.Render("["+t+"]"))
		} else {
			parts = append(parts, st.Muted.Render(t))
		}
	}
	s := strings.Join(parts, " ")
	s += st.Muted.Render(fmt.Sprintf("  depth ↑%s ↓%s", depthLabel(m.upDepth), depthLabel(m.downDepth)))
	if m.showTests {
		s += st.Muted.Render(" · tests shown")
	}
	if m.mode == modeImpact && (m.impactList.Filtering() || m.impactList.Query() != "") {
		s += "  " + m.impactList.FilterBar(st) + st.Muted.Render("  "+m.impactList.Count("node", "nodes"))
	}
	if m.selExpr != "" {
		s += "  " + st.Code.Render("select: "+safe(m.selExpr)) + " " + m.selectorStatus()
	}
	return s
}

func (m *Model) selectorStatus() string {
	st := m.c.Styles
	n := m.matches.Len()
	switch {
	case m.selErr != "":
		return st.Error.Render(safe(m.selErr))
	case m.selExpr == "":
		return st.Faint.Render("dbt selector syntax; enter opens a match, ctrl+b builds, esc clears")
	case n == 0 && len(m.selNotes) > 0:
		return st.Warning.Render(safe(m.selNotes[0]))
	case n == 0:
		return st.Warning.Render("matches nothing")
	}
	s := st.Success.Render(text.Plural(n, "match", "matches"))
	if k := len(m.selNotes); k > 0 {
		s += " " + st.Warning.Render("("+text.Plural(k, "warning", "warnings")+")")
	}
	return s
}

func (m *Model) footer() string {
	st := m.c.Styles
	var hints [][2]string
	switch {
	case m.finding:
		hints = [][2]string{{"↑/↓", "move"}, {"enter", "show lineage"}, {"esc", "cancel"}}
	case m.selecting:
		hints = [][2]string{{"↑/↓", "move"}, {"enter", "open"}, {"ctrl+b", "build"}, {"esc", "clear"}}
	case m.mode == modeImpact:
		hints = [][2]string{{"enter", "focus"}, {"/", "filter"}, {"b", "build"}, {"y", "copy selector"}, {"e", "edit"}, {"esc", "back"}}
	case m.mode == modeDAG:
		hints = [][2]string{{"hjkl", "move"}, {"enter", "focus"}, {"+/-", "depth"}, {"d", "tree"}, {"e", "edit"}, {"b", "build"}, {"o", "open link"}}
	default:
		hints = [][2]string{{"/", "find"}, {"S", "select"}, {"⏎", "fold"}, {"f", "focus"}, {"+/-", "depth"}, {"d", "DAG"}, {"i", "impact"}, {"s", "SQL"}, {"e", "edit"}, {"y", "copy"}, {"b", "build"}, {"w", "warnings"}}
	}
	var parts []string
	for _, h := range hints {
		parts = append(parts, st.Key.Render(h[0])+" "+st.Muted.Render(h[1]))
	}
	return strings.Join(parts, "  ")
}

// splitBody draws the list pane and the details pane side by side (wide) or stacked.
func (m *Model) splitBody(bh int) []string {
	st := m.c.Styles
	if m.wideLayout() {
		lw := m.listWidth()
		rw := m.w - lw - 1
		left := m.listLines(lw, bh)
		det := m.detailLines(rw)
		det = det[min(m.detailScroll, len(det)):]
		right := block(det, rw, bh)
		out := make([]string, bh)
		sep := st.Faint.Render("│")
		for i := range out {
			out[i] = left[i] + sep + right[i]
		}
		return out
	}
	lh := listShare(bh)
	out := m.listLines(m.w, lh)
	if dh := bh - lh - 1; dh >= 0 {
		out = append(out, st.Faint.Render(strings.Repeat("─", m.w)))
		det := m.detailLines(m.w)
		det = det[min(m.detailScroll, len(det)):]
		out = append(out, block(det, m.w, dh)...)
	}
	return block(out, m.w, bh)
}

// selectedRow draws the cursor's row of a list: a › marker and the selection style, so the
// cursor shows without colours too.
func (m *Model) selectedRow(l string, w int) string {
	return m.c.Styles.Selected.Render(text.Pad("› "+ansi.Strip(l), w))
}

// listLines renders the visible part of the left pane: the finder's hits, the selector's
// matches, the impact list or the tree, exactly w×h.
func (m *Model) listLines(w, h int) []string {
	switch {
	case m.finding:
		return m.finderLines(w, h)
	case m.selecting:
		return m.selectorLines(w, h)
	case m.mode == modeImpact:
		return m.impactLines(w, h)
	}
	return block(m.tree.View(w, m.treeRow), w, h)
}

// finderLines are the finder's hits, the matched letters highlighted.
func (m *Model) finderLines(w, h int) []string {
	st := m.c.Styles
	g := m.data.graph
	if m.hits.Len() == 0 {
		return block([]string{st.Muted.Render("No node matches.")}, w, h)
	}
	q := m.query()
	m.hits.SetHeight(h)
	return block(m.hits.View(w, func(r list.Row[int], w int) string {
		n := &g.Nodes[r.Item]
		name := displayName(n)
		l := "  " + text.Highlight(name, matchSpans(name, q), st.Text, st.Match) + "  " + st.Muted.Render(safe(n.ResourceType)) + "  " + st.Faint.Render(safe(n.OriginalPath))
		if r.Selected {
			return st.Selected.Render(text.Pad("› "+name+"  "+safe(n.ResourceType)+"  "+safe(n.OriginalPath), w))
		}
		return l
	}), w, h)
}

// selectorLines are the selector's error, hint or notes above its matches.
func (m *Model) selectorLines(w, h int) []string {
	st := m.c.Styles
	g := m.data.graph
	var lines []string
	switch {
	case m.selErr != "":
		// The expression with a caret under the problem, then the message, like a
		// compiler's error.
		if m.selErrCol > 0 && m.selErrCol <= utf8.RuneCountInString(m.selExpr)+1 {
			lines = append(lines, " "+st.Code.Render(safe(m.selExpr)), " "+strings.Repeat(" ", m.selErrCol-1)+st.Error.Render("^"))
		}
		lines = append(lines, text.WrapStyle(safe(m.selErr), max(10, w-1), st.Error)...)
	case m.selExpr == "":
		lines = append(lines, st.Muted.Render("Type a dbt selector: the matches are listed here and"),
			st.Muted.Render("highlighted in the lineage. Examples:"),
			st.Code.Render("  +fct_revenue   tag:finance   path:models/marts"),
			st.Code.Render("  config.materialized:incremental   source:app+"))
	case m.matches.Len() == 0 && len(m.selNotes) == 0:
		lines = append(lines, st.Warning.Render("Nothing matches (dbt would warn and do nothing)."))
	}
	for _, n := range m.selNotes {
		lines = append(lines, text.WrapStyle(safe(n), max(10, w-1), st.Warning)...)
	}
	if rest := h - len(lines); rest > 0 && m.matches.Len() > 0 {
		m.matches.SetHeight(rest)
		lines = append(lines, m.matches.View(w, func(r list.Row[int], w int) string {
			n := &g.Nodes[r.Item]
			if r.Selected {
				return m.selectedRow(displayName(n)+"  "+kindLabel(n), w)
			}
			return "  " + st.Match.Render(displayName(n)) + "  " + st.Muted.Render(kindLabel(n))
		})...)
	}
	return block(lines, w, h)
}

// impactLines are the impact view's summary and state above its list.
func (m *Model) impactLines(w, h int) []string {
	st := m.c.Styles
	lines := m.impactInfo()
	switch {
	case m.impactLoading:
		lines = append(lines, st.Muted.Render("Comparing your branch…"))
	case m.impactErr != nil:
		lines = append(lines, text.WrapStyle(errText(m.impactErr), w, st.Error)...)
	case m.impact != nil && len(m.impact.Changed) == 0:
		lines = append(lines, st.Muted.Render("No dbt nodes changed on this branch."))
	case m.impactList.Len() == 0 && m.impactList.Query() != "":
		lines = append(lines, st.Muted.Render("Nothing here matches \""+safe(m.impactList.Query())+"\": esc clears the filter."))
	}
	if rest := h - len(lines); rest > 0 && m.impactList.Len() > 0 {
		m.impactList.SetHeight(rest)
		lines = append(lines, m.impactList.View(w, m.impactRowView)...)
	}
	return block(lines, w, h)
}

// matchSpans are the characters of name the finder's query q (lower case) matched: the first
// occurrence of q when the name contains it, else the letters of q in order (the finder's
// greedy subsequence), or none when the match was in the path, tags or description.
func matchSpans(name, q string) []text.Span {
	if q == "" {
		return nil
	}
	if sp := text.Find(name, q); len(sp) > 0 {
		return sp
	}
	var idx []int
	qr := []rune(q)
	k := 0
	for i, r := range name {
		if k < len(qr) && unicode.ToLower(r) == qr[k] {
			idx = append(idx, i)
			k++
		}
	}
	if k < len(qr) {
		return nil
	}
	return text.Positions(name, idx)
}

func (m *Model) impactRowView(r list.Row[impactRow], w int) string {
	st := m.c.Styles
	if r.Heading != "" {
		return st.Subtitle.Render(r.Heading)
	}
	n := &m.data.graph.Nodes[r.Item.index]
	name := displayName(n)
	l := m.nodeMark(r.Item.index) + text.Highlight(name, r.Spans, st.Text, st.Match) + "  " + st.Muted.Render(safe(n.ResourceType))
	switch reasons := r.Item.node.Reasons; {
	case n.ResourceType == "exposure" && n.URL != "":
		// The dashboards a change reaches, with their links (o opens the one selected).
		l += "  " + st.Link.Render(safe(n.URL))
	case len(reasons) > 0:
		l += "  " + st.Faint.Render(safe(strings.Join(reasons, "; ")))
	}
	if r.Selected {
		return m.selectedRow(l, w)
	}
	return "  " + l
}

// impactInfo is what the impact view compared with, in impactInfoLines lines.
func (m *Model) impactInfo() []string {
	st := m.c.Styles
	if m.impact == nil {
		return []string{st.Muted.Render("What your branch changes, and everything downstream of it."), ""}
	}
	im := m.impact
	var first string
	switch {
	case im.Base != "":
		first = "Compared with " + safe(im.Base)
		if im.StateCompared {
			first += " and the production manifest"
		}
	case im.StateCompared:
		first = "Compared with the production manifest"
	case len(im.Warnings) > 0:
		first = st.Warning.Render(safe(im.Warnings[0]))
	}
	if len(im.Skipped) > 0 {
		first += st.Faint.Render(" · " + text.Plural(len(im.Skipped), "check", "checks") + " skipped: " + safe(im.Skipped[0]))
	}
	second := ""
	if len(im.Unmapped) > 0 {
		second = st.Warning.Render(safe(text.Plural(len(im.Unmapped), "changed file maps", "changed files map") + " to no node (macros…): " + strings.Join(im.Unmapped, ", ")))
	} else if im.Selector != "" {
		second = st.Faint.Render(safe("dbt build --select " + im.Selector))
	}
	return []string{first, second}
}

// nodeMark is the run status icon (when run_results.json is there).
func (m *Model) nodeMark(i int) string {
	if r := m.runResult(m.data.graph.Nodes[i].UniqueID); r != nil {
		return m.c.Styles.StatusIcon(r.Status) + " "
	}
	return ""
}

func (m *Model) treeRow(lr list.Row[row], w int) string {
	st := m.c.Styles
	g := m.data.graph
	r := lr.Item
	var l string
	switch r.kind {
	case rowRoot:
		n := &g.Nodes[r.index]
		l = m.nodeMark(r.index) + st.Bold.Render(displayName(n)) + "  " + st.Muted.Render(kindLabel(n))
		if m.selMatches.has(r.index) {
			l = st.Match.Render("◆ ") + l
		}
	case rowSection:
		l = st.Subtitle.Render(r.title)
	case rowEmpty:
		l = st.Faint.Render("    (none)")
	case rowNode:
		n := &g.Nodes[r.index]
		fold := ""
		if !r.line.Repeat && m.collapsed[r.index] && r.line.HasKids {
			fold = "▸ "
		}
		name := displayName(n)
		if m.selMatches.has(r.index) {
			name = st.Match.Render(name)
		}
		l = st.Faint.Render(r.line.Prefix) + fold + m.nodeMark(r.index) + name + "  " + st.Muted.Render(kindLabel(n))
		switch {
		case r.line.Repeat:
			l += st.Faint.Render("  ↑ shown above")
		case r.line.More:
			l += st.Faint.Render("  …")
		}
		if _, stale := m.data.staleUp[r.index]; stale {
			l += " " + st.Warning.Render("⚠")
		}
	}
	if r.kind == rowRoot || r.kind == rowNode {
		if fr := m.freshness(r.index); fr != nil && fr.Stale() {
			l += " " + st.Warning.Render("⚠ "+dbt.FormatAge(fr.AgeAt(m.now())))
		}
	}
	if lr.Selected {
		return m.selectedRow(l, w)
	}
	return "  " + l
}

func kindLabel(n *dbt.Node) string {
	s := n.ResourceType
	switch {
	case n.ResourceType == "model" && n.Config.Materialized != "":
		s += " · " + n.Config.Materialized
	case n.ResourceType == "exposure" && n.ExposureType != "":
		s += " · " + n.ExposureType
	}
	return safe(s)
}

// runResult is a node's result in the last run_results.json, or nil.
func (m *Model) runResult(id string) *dbt.RunResult {
	if m.data.runs == nil || m.data.runs.ByID == nil {
		return nil
	}
	return m.data.runs.ByID[id]
}

func pkgIfOther(g *dbt.Graph, n *dbt.Node) string {
	if n.Package != g.Origin.ProjectName {
		return n.Package
	}
	return ""
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// freshness is source i's result in sources.json, or nil.
func (m *Model) freshness(i int) *dbt.FreshnessResult {
	if m.data.sources == nil || m.data.graph.Nodes[i].ResourceType != "source" {
		return nil
	}
	return m.data.sources.ByID[m.data.graph.Nodes[i].UniqueID]
}

// freshnessLimits is "warn after 12 hours, error after 24 hours".
func freshnessLimits(fr *dbt.FreshnessResult) string {
	var parts []string
	if fr.WarnAfter != nil {
		parts = append(parts, "warn after "+fr.WarnAfter.String())
	}
	if fr.ErrorAfter != nil {
		parts = append(parts, "error after "+fr.ErrorAfter.String())
	}
	return strings.Join(parts, ", ")
}
