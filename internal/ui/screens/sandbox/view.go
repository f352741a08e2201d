package sandbox

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/engines"
)

func plural(n int, one, many string) string { return text.Plural(n, one, many) }

// safe makes a name or message from the warehouse (or built from its names) drawable: its
// control characters and escapes are shown, never obeyed (see termsafe).
var safe = termsafe.Line

func itoa(n int) string { return strconv.Itoa(n) }

// right right-aligns s in w cells.
func right(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return strings.Repeat(" ", w-n) + s
	}
	return text.Pad(s, w)
}

// layout gives the current level's list the lines the header leaves (a filter bar and the
// column titles take two).
func (m *Model) layout() {
	h := max(m.h-len(m.header())-2, 0)
	for _, l := range []interface{ SetHeight(int) }{m.dbList, m.schList, m.objList, m.colList, m.misList} {
		l.SetHeight(h)
	}
	m.accList.SetHeight(max(h-len(m.requestLines()), 0))
}

// View implements common.Screen.
func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	m.layout()
	lines := m.header()
	if m.dialog != nil {
		lines = append(lines, m.dialog.View(m.c.Styles, m.w)...)
	} else if m.snap != nil {
		lines = append(lines, m.body()...)
	}
	out := make([]string, m.h)
	for i := range out {
		if i < len(lines) {
			out[i] = text.Pad(lines[i], m.w)
		} else {
			out[i] = strings.Repeat(" ", m.w)
		}
	}
	return strings.Join(out, "\n")
}

// noBytes reports that the engine keeps no per-table sizes, said once instead of a column
// of dashes.
func (m *Model) noBytes() bool { return m.snap != nil && warehouse.SizesUnknown(m.snap.Objects) }

// engine is the registry's entry for the snapshot's engine (nil: none, or an engine this
// build does not know).
func (m *Model) engine() *engine.Engine {
	if m.snap == nil {
		return nil
	}
	e, _ := engines.Default().Lookup(m.snap.Engine)
	return e
}

func (m *Model) header() []string {
	st := m.c.Styles
	if m.snap == nil {
		lines := []string{st.Title.Render("Sandbox")}
		switch {
		case m.err != nil:
			lines = append(lines, m.errorLines()...)
		case m.loadTask.ID() != 0:
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
	// Line 1: who and where. The engine's registry entry says what kind of database it is
	// (nil: an engine this build does not know, named as the snapshot names it).
	e := m.engine()
	on := s.Engine
	if e != nil {
		on = e.Name
	}
	l1 := st.Title.Render("Sandbox") + st.Muted.Render(" · your database “"+safe(sum.Sandbox)+"” on "+safe(on))
	switch {
	case e != nil && e.LocalFile && !e.Roles:
		l1 += st.Muted.Render(" · a file of your own, no roles")
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
		l2 = st.Warning.Render(fmt.Sprintf("! Your sandbox does not exist yet: press R to copy it from the team's clone (%s)", safe(s.Policy.Clone)))
	case sum.Cloned.IsZero():
		l2 = st.Muted.Render("copied from the clone on an unknown date")
	default:
		age := fmt.Sprintf("copied %s from %s", warehouse.Ago(sum.AgeDays), safe(sum.From))
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
	if s.Exists && m.noBytes() && e != nil && e.LocalFile {
		l2 += st.Muted.Render(" · " + warehouse.HumanBytes(s.Sandbox.Bytes) + " file (" + e.Name + " keeps no size per table)")
	}
	lines = append(lines, l2)
	if l := warehouse.NewerLoadsLine(m.newer, m.c.Now()); l != "" && s.Exists {
		lines = append(lines, st.Warning.Render("! "+safe(l)+" (press R)"))
	}
	// Line 3: the project against the sandbox.
	if d := m.drift; d != nil && s.Exists {
		var parts []string
		if n := len(d.Missing); n > 0 {
			parts = append(parts, st.Warning.Render(fmt.Sprintf("%d models not built", n))+st.Muted.Render(" (m lists, B builds)")+st.Warning.Render(": "+modelNames(d.Missing)))
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
	if l := m.accessLine(); l != "" {
		lines = append(lines, l)
	}
	// Line 4: what is happening.
	switch {
	case m.err != nil:
		lines = append(lines, m.errorLines()...)
	case m.writeTask.ID() != 0 || m.detailTask.ID() != 0 || m.requestTask.ID() != 0:
		lines = append(lines, st.InfoText.Render("● "+safe(m.stage)+"… (x to cancel)"))
	case m.loadTask.ID() != 0 && m.fromCache:
		lines = append(lines, st.Muted.Render("cached listing; loading the live one ("+safe(m.stage)+")…"))
	case m.loadTask.ID() != 0:
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
	// The whole error, wrapped: its end usually says what to do ("create it or set
	// DBT_PROFILES_DIR"), so it is never cut off.
	var lines []string
	for _, para := range strings.Split(redact.String(m.err.Error()), "\n") {
		for _, l := range text.WrapStyle(safe(para), max(m.w-2, 20), st.Error) {
			if len(lines) == 0 {
				lines = append(lines, st.Error.Render("✗ ")+l)
			} else {
				lines = append(lines, "  "+l)
			}
		}
	}
	if g := guideOf(m.err); g != "" {
		title := g
		if gd, ok := guides.Embedded().Get(g); ok {
			title = "“" + gd.Title + "”"
		}
		lines = append(lines, st.Muted.Render("Read the guide "+title+" (press o)."))
	}
	return lines
}

// body is the current level: a filter bar with the count, the column titles, the rows.
func (m *Model) body() []string {
	st := m.c.Styles
	bar := func(filter string, title string) []string {
		return []string{filter, st.Muted.Render("  " + title)}
	}
	// The name column takes what the fixed columns of each level (and the cursor's mark) leave.
	w := m.w - 2
	switch m.level {
	case levelDatabases:
		nameW := max(w-50, 12)
		out := bar(m.dbList.FilterBar(st)+st.Muted.Render(" · "+m.dbList.Count("database", "databases")),
			text.Pad("DATABASE", nameW)+right("BYTES", 10)+"  "+text.Pad("CREATED", 16)+"  ORIGIN")
		return append(out, m.dbList.View(m.w, func(r list.Row[warehouse.Database], w int) string {
			d := r.Item
			mark := "  "
			if warehouse.SameName(d.Name, m.snap.Policy.Sandbox) {
				mark = "▸ "
			}
			return m.row(r.Selected, text.Pad(mark+safe(d.Name), nameW)+right(warehouse.HumanBytes(d.Bytes), 10)+"  "+text.Pad(m.date(d.Created), 16)+"  "+safe(d.Origin))
		})...)
	case levelSchemas:
		nb := m.noBytes()
		nameW := max(w-[2]int{36, 26}[b2i(nb)], 12)
		title := text.Pad("SCHEMA", nameW) + right("TABLES", 7) + right("VIEWS", 7) + right("ROWS", 12)
		if !nb {
			title += right("BYTES", 10)
		}
		out := bar(m.schList.FilterBar(st)+st.Muted.Render(" · "+m.schList.Count("schema", "schemas")+" in "+safe(m.sandboxName())), title)
		return append(out, m.schList.View(m.w, func(r list.Row[warehouse.SchemaTotal], w int) string {
			t := r.Item
			name := text.Highlight(safe(t.Name), r.Spans, st.Text, st.Match)
			if m.drift != nil && containsFold(m.drift.Leftover, t.Name) {
				name += "  (unused)"
			}
			line := text.Pad(name, nameW) + right(itoa(t.Tables), 7) + right(itoa(t.Views), 7) + right(count(t.Rows), 12)
			if !nb {
				line += right(warehouse.HumanBytes(t.Bytes), 10)
			}
			return m.row(r.Selected, line)
		})...)
	case levelObjects:
		nb, showAlt := m.noBytes(), m.altered
		nameW := max(w-7-12-[2]int{10, 0}[b2i(nb)]-[2]int{0, 18}[b2i(showAlt)], 12)
		title := text.Pad(safe(m.schema), nameW) + right("KIND", 7) + right("ROWS", 12)
		if !nb {
			title += right("BYTES", 10)
		}
		if showAlt {
			title += "  LAST ALTERED"
		}
		hint := " · enter: columns"
		if !showAlt {
			hint += " · a: when each last changed"
		}
		out := bar(m.objList.FilterBar(st)+st.Muted.Render(" · "+m.objList.Count("table or view", "tables and views")+hint), title)
		return append(out, m.objList.View(m.w, func(r list.Row[warehouse.Object], w int) string {
			o := r.Item
			line := text.Pad(text.Highlight(safe(o.Name), r.Spans, st.Text, st.Match), nameW) + right(o.Kind, 7) + right(count(o.Rows), 12)
			if !nb {
				line += right(warehouse.HumanBytes(o.Bytes), 10)
			}
			if showAlt {
				line += "  " + m.date(o.LastAltered)
			}
			return m.row(r.Selected, line)
		})...)
	case levelTable:
		return m.tableBody()
	case levelAccess:
		return m.accessBody()
	}
	nameW := max(w/3, 16)
	out := bar(m.misList.FilterBar(st)+st.Muted.Render(" · "+m.misList.Count("model not built", "models not built")+" · B builds the ones listed"),
		text.Pad("MODEL", nameW)+"  "+text.Pad("EXPECTED AT", nameW)+"  FILE")
	return append(out, m.misList.View(m.w, func(r list.Row[warehouse.ModelState], w int) string {
		s := r.Item
		return m.row(r.Selected, text.Pad(text.Highlight(safe(s.Name), r.Spans, st.Text, st.Match), nameW)+"  "+text.Pad(safe(s.Relation), nameW)+"  "+safe(s.File))
	})...)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// row marks the cursor's row.
func (m *Model) row(selected bool, s string) string {
	if selected {
		return m.c.Styles.Selected.Render(text.Pad("› "+s, m.w))
	}
	return "  " + s
}

// tableBody is one table: what it is, what builds it, then its columns or its first rows.
func (m *Model) tableBody() []string {
	st := m.c.Styles
	d := m.detail
	if d == nil {
		return nil
	}
	o := d.Object
	facts := []string{o.Kind}
	switch {
	case o.Kind == warehouse.KindView:
		facts = append(facts, "rows are counted when it is queried")
	case o.Bytes >= 0:
		facts = append(facts, count(o.Rows)+" rows", warehouse.HumanBytes(o.Bytes))
	default:
		rows := count(o.Rows) + " rows"
		if e := m.engine(); e != nil && e.EstimatedRows {
			rows += " (" + e.Name + "'s estimate)"
		}
		facts = append(facts, rows)
	}
	if !o.LastAltered.IsZero() {
		facts = append(facts, "changed "+m.date(o.LastAltered))
	}
	out := []string{st.Title.Render(safe(o.FQN())) + st.Muted.Render(" · "+strings.Join(facts, " · "))}
	switch b := d.BuiltBy; {
	case m.detailTask.ID() != 0 && len(d.Columns) == 0:
		out = append(out, st.Muted.Render("reading its columns…"))
	case b == nil:
		out = append(out, st.Muted.Render("No model, seed or snapshot of this project builds it."))
	default:
		line := "Built by " + b.ResourceType + " " + safe(b.Name)
		if b.File != "" {
			line += " (" + safe(b.File) + ")"
		}
		if b.Status != "" {
			line += " · last run " + b.Status + " " + m.date(b.Completed) + " (dbt " + b.Command + ")"
		} else {
			line += " · not in target/run_results.json"
		}
		out = append(out, st.Text.Render(line))
	}
	if m.showPreview && d.Preview != nil {
		return append(out, m.previewLines(d.Preview)...)
	}
	nameW := max((m.w-2)/3, 16)
	out = append(out, m.colList.FilterBar(st)+st.Muted.Render(" · "+m.colList.Count("column", "columns")+" · p: first "+itoa(previewRows)+" rows"),
		st.Muted.Render("  "+text.Pad("COLUMN", nameW)+"  "+text.Pad("TYPE", 22)+"  NULL  COMMENT"))
	return append(out, m.colList.View(m.w, func(r list.Row[warehouse.Column], w int) string {
		c := r.Item
		null := "no  "
		if c.Nullable {
			null = "yes "
		}
		return m.row(r.Selected, text.Pad(text.Highlight(safe(c.Name), r.Spans, st.Text, st.Match), nameW)+"  "+text.Pad(safe(c.Type), 22)+"  "+null+"  "+safe(c.Comment))
	})...)
}

// previewLines draws the first rows as a table whose columns share the width.
func (m *Model) previewLines(p *warehouse.Preview) []string {
	st := m.c.Styles
	where := "read from your sandbox's file"
	if p.Warehouse != "" {
		where = "read on the warehouse " + safe(p.Warehouse)
	}
	out := []string{st.Muted.Render(fmt.Sprintf("First %s, %s · esc: columns", plural(len(p.Rows), "row", "rows"), where))}
	if len(p.Columns) == 0 {
		return out
	}
	colW := max(m.w/len(p.Columns)-1, 6)
	head := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		head[i] = text.Pad(safe(c), colW)
	}
	out = append(out, st.Muted.Render(strings.Join(head, " ")))
	for _, r := range p.Rows {
		cells := make([]string, len(r))
		for i, c := range r {
			v := "NULL"
			if c != nil {
				v = safe(*c)
			}
			cells[i] = text.Pad(v, colW)
		}
		out = append(out, strings.Join(cells, " "))
	}
	return out
}

func (m *Model) date(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.In(m.now().Location()).Format("2006-01-02 15:04")
}

// count formats a row count with thousands separators; "-" when unknown.
func count(n int64) string {
	if n < 0 {
		return "-"
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
