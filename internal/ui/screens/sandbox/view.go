package sandbox

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/warehouse"
)

// safe makes a name or message from the warehouse (or built from its names) drawable: its
// control characters and escapes are shown, never obeyed (see termsafe).
var safe = termsafe.Line

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

// right right-aligns s in w cells.
func right(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return ansi.Truncate(s, w, "…")
}

// View implements common.Screen.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	head := m.header()
	var body []string
	if m.confirm != nil {
		body = m.confirmView()
	} else {
		body = m.list(max(m.h-len(head), 0))
	}
	lines := append(head, body...)
	out := make([]string, m.h)
	for i := range out {
		if i < len(lines) {
			out[i] = fit(lines[i], m.w)
		} else {
			out[i] = strings.Repeat(" ", m.w)
		}
	}
	return strings.Join(out, "\n")
}

// listHeight is the number of rows the list shows (the header and column titles excluded).
func (m *Model) listHeight() int { return m.h - len(m.header()) - 1 }

func (m *Model) header() []string {
	st := m.c.Styles
	if m.snap == nil {
		lines := []string{st.Title.Render("Sandbox")}
		switch {
		case m.err != nil:
			lines = append(lines, m.errorLines()...)
		case m.loadID != 0:
			lines = append(lines, st.Muted.Render("Connecting to the warehouse… ("+safe(m.stage)+"; x to cancel)"))
		case m.needsLogin:
			lines = append(lines, st.Text.Render("Press r to sign in to the warehouse (your browser opens) and list your sandbox."))
		default:
			lines = append(lines, st.Muted.Render("Press r to list your sandbox."))
		}
		return lines
	}
	s := m.snap
	sum := s.Summarise(m.now())
	// Line 1: who and where.
	l1 := st.Title.Render("Sandbox "+safe(sum.Sandbox)) + st.Muted.Render(" · "+safe(s.Engine))
	switch {
	case s.Engine == "duckdb":
		l1 += st.Muted.Render(" · your own file, no roles")
	case s.Role == warehouse.RoleContributor:
		l1 += st.Muted.Render(" · role ") + st.Success.Render(safe(s.Identity.Role)+" ✓")
	case s.Role == warehouse.RoleAdmin:
		want := s.ContributorRole
		if want == "" {
			want = "the contributor role"
		}
		l1 += st.Muted.Render(" · role ") + st.Warning.Render("! "+safe(s.Identity.Role)+" is an admin role: the team works as "+safe(want))
	case s.Identity.Role != "":
		l1 += st.Muted.Render(" · role " + safe(s.Identity.Role))
	}
	if s.Identity.User != "" {
		l1 += st.Muted.Render(" · " + safe(s.Identity.User))
	}
	lines := []string{l1}
	if ro := m.readOnly(); ro != "" {
		lines = append(lines, st.Warning.Render("! Read-only: "+safe(ro)))
	}
	// Line 2: age against the policy, and size.
	var l2 string
	switch {
	case !s.Exists:
		l2 = st.Warning.Render(safe(fmt.Sprintf("! %s does not exist yet: press R to clone it from %s", sum.Sandbox, s.Policy.Clone)))
	case sum.Cloned.IsZero():
		l2 = st.Muted.Render("clone date unknown")
	default:
		age := fmt.Sprintf("cloned %s from %s", warehouse.Ago(sum.AgeDays), safe(sum.From))
		policy := ""
		if sum.PolicyDays > 0 {
			policy = fmt.Sprintf(" · policy: refresh every %d days", sum.PolicyDays)
		}
		if sum.Stale {
			l2 = st.Warning.Render("! "+age) + st.Warning.Render(policy+" (press R)")
		} else {
			l2 = st.Text.Render(age) + st.Muted.Render(policy)
		}
	}
	lines = append(lines, l2)
	// Line 3: the project against the sandbox.
	if d := m.drift; d != nil && s.Exists {
		var parts []string
		if n := len(d.Missing); n > 0 {
			parts = append(parts, st.Warning.Render(fmt.Sprintf("%d models not built: %s", n, modelNames(d.Missing))))
		}
		if n := len(d.Outdated); n > 0 {
			parts = append(parts, st.Warning.Render(fmt.Sprintf("%d older than their SQL: %s", n, modelNames(d.Outdated))))
		}
		if len(parts) == 0 {
			parts = append(parts, st.Success.Render("✓ every model of the project is built here"))
		}
		lines = append(lines, strings.Join(parts, st.Muted.Render(" · ")))
		if n := len(d.Leftover); n > 0 {
			lines = append(lines, st.InfoText.Render(fmt.Sprintf("Schemas no model uses any more: %s (select one, D to drop)", safe(strings.Join(d.Leftover, ", ")))))
		}
	}
	// Line 4: what is happening.
	switch {
	case m.err != nil:
		lines = append(lines, m.errorLines()...)
	case m.writeID != 0:
		lines = append(lines, st.InfoText.Render("● "+safe(m.stage)+"… (x to cancel)"))
	case m.loadID != 0 && m.fromCache:
		lines = append(lines, st.Muted.Render("cached listing; loading the live one ("+safe(m.stage)+")…"))
	case m.loadID != 0:
		lines = append(lines, st.Muted.Render("loading ("+safe(m.stage)+")…"))
	case m.needsLogin:
		lines = append(lines, st.Muted.Render("cached listing; press r to sign in (your browser opens) and load the live one"))
	case m.warning != "":
		lines = append(lines, st.Warning.Render(safe(redact.String(m.warning))))
	}
	return append(lines, "")
}

func modelNames(ms []warehouse.ModelState) string {
	names := make([]string, 0, len(ms))
	for i, x := range ms {
		if i == 4 {
			names = append(names, fmt.Sprintf("+%d", len(ms)-4))
			break
		}
		names = append(names, safe(x.Name))
	}
	return strings.Join(names, ", ")
}

func (m *Model) errorLines() []string {
	st := m.c.Styles
	// Warehouse errors can echo credentials and carry the names they failed on.
	msg := safe(firstLine(redact.String(m.err.Error())))
	lines := []string{st.Error.Render("✗ " + msg)}
	if g := guideOf(m.err); g != "" {
		lines = append(lines, st.Muted.Render("Read the guide "+g+" (press o)."))
	}
	return lines
}

func (m *Model) confirmView() []string {
	st := m.c.Styles
	c := m.confirm
	lines := []string{st.Warning.Render(safe(c.title)), ""}
	for _, l := range c.lines {
		lines = append(lines, "  "+safe(l))
	}
	return append(lines, "", st.Key.Render("y")+st.Muted.Render(" confirm   ")+st.Key.Render("n/esc")+st.Muted.Render(" cancel"))
}

// list renders the current level as a table with a title row.
func (m *Model) list(h int) []string {
	if h <= 0 || m.snap == nil {
		return nil
	}
	st := m.c.Styles
	// The name column takes what the fixed columns of each level leave.
	nameW := max(m.w-[3]int{50, 36, 47}[m.level], 12)
	// Only the visible rows are formatted: a schema may hold thousands of objects.
	var title string
	var n int
	var row func(i int) string
	cur, off := m.cursor[m.level], m.offset[m.level]
	switch m.level {
	case levelDatabases:
		dbs := m.databaseRows()
		title = fit("DATABASE", nameW) + right("BYTES", 10) + "  " + fit("CREATED", 16) + "  ORIGIN"
		n = len(dbs)
		row = func(i int) string {
			d := dbs[i]
			mark := "  "
			if warehouse.SameName(d.Name, m.snap.Policy.Sandbox) {
				mark = "▸ "
			}
			return fit(mark+safe(d.Name), nameW) + right(warehouse.HumanBytes(d.Bytes), 10) + "  " + fit(m.date(d.Created), 16) + "  " + safe(d.Origin)
		}
	case levelSchemas:
		totals := m.schemaRows()
		title = fit(fmt.Sprintf("SCHEMA  (%s: %s in %d objects)", safe(m.sandboxName()), warehouse.HumanBytes(m.snap.TotalBytes()), len(m.snap.Objects)), nameW) +
			right("TABLES", 7) + right("VIEWS", 7) + right("ROWS", 12) + right("BYTES", 10)
		n = len(totals)
		row = func(i int) string {
			t := totals[i]
			name := safe(t.Name)
			if m.drift != nil && containsFold(m.drift.Leftover, t.Name) {
				name += "  (unused)"
			}
			return fit(name, nameW) + right(fmt.Sprint(t.Tables), 7) + right(fmt.Sprint(t.Views), 7) + right(count(t.Rows), 12) + right(warehouse.HumanBytes(t.Bytes), 10)
		}
	case levelObjects:
		objs := m.objectRows()
		title = fit(safe(m.sandboxName()+"."+m.schema), nameW) + right("KIND", 7) + right("ROWS", 12) + right("BYTES", 10) + "  LAST ALTERED"
		n = len(objs)
		row = func(i int) string {
			o := objs[i]
			return fit(safe(o.Name), nameW) + right(safe(o.Kind), 7) + right(count(o.Rows), 12) + right(warehouse.HumanBytes(o.Bytes), 10) + "  " + m.date(o.LastAltered)
		}
	}
	out := []string{st.Muted.Render(title)}
	if n == 0 {
		return append(out, st.Muted.Render("  (empty)"))
	}
	for i := off; i < n && len(out) < h; i++ {
		r := fit(row(i), m.w)
		if i == cur {
			r = st.Selected.Render(r)
		}
		out = append(out, r)
	}
	return out
}

func (m *Model) date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// count formats a row count with thousands separators; "-" when unknown.
func count(n int64) string {
	if n < 0 {
		return "-"
	}
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
