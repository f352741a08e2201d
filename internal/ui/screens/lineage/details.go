package lineage

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
)

// details collects the detail pane's lines at one width. Every text it is given comes from
// outside (the project, dbt's artifacts) and is made safe before it is styled.
type details struct {
	st  *styles.Styles
	w   int
	out []string
}

func (d *details) add(s ...string) { d.out = append(d.out, s...) }

// wrapStyled wraps plain text, made safe, and renders each line in style.
func (d *details) wrapStyled(style lipgloss.Style, s string, indent int) {
	for _, l := range text.Wrap(safe(s), max(10, d.w-1-indent)) {
		d.add(strings.Repeat(" ", indent) + style.Render(l))
	}
}

// wrap keeps the text's own line breaks (a YAML description's), each made safe.
func (d *details) wrap(s string, indent int) {
	for _, para := range strings.Split(strings.TrimSpace(s), "\n") {
		for _, l := range text.Wrap(safe(para), max(10, d.w-1-indent)) {
			d.add(strings.Repeat(" ", indent) + l)
		}
	}
}

// field is a "Label     value" line; an empty value is left out.
func (d *details) field(label, value string) {
	if value != "" {
		d.add(" " + d.st.Muted.Render(text.Pad(label, 10)) + safe(value))
	}
}

// subtitle starts a section after a blank line.
func (d *details) subtitle(title, note string) {
	l := " " + d.st.Subtitle.Render(title)
	if note != "" {
		l += d.st.Faint.Render(note)
	}
	d.add("", l)
}

// detailNode is the node the details describe: the finder's or the selector's match while
// they are open, else the list's cursor; -1 for none.
func (m *Model) detailNode() int {
	i := m.selected()
	switch {
	case m.finding:
		i = -1
		if h, ok := m.hits.Selected(); ok {
			i = h
		}
	case m.selecting:
		if h, ok := m.matches.Selected(); ok {
			i = h
		}
	}
	return i
}

// detailLines describes the selected node, wrapped to w.
func (m *Model) detailLines(w int) []string {
	i := m.detailNode()
	if i < 0 {
		return nil
	}
	d := &details{st: m.c.Styles, w: w}
	if m.showWarnings {
		m.warningDetails(d)
		return d.out
	}
	n := &m.data.graph.Nodes[i]
	m.summaryDetails(d, n)
	m.fieldDetails(d, i, n)
	m.columnDetails(d, n)
	m.testDetails(d, i)
	m.sqlDetails(d, i)
	m.quickParseDetails(d, n)
	return d.out
}

// warnings are the load's warnings: the graph's own and the artifacts'.
func (m *Model) warnings() []string {
	return append(append([]string{}, m.data.graph.Origin.Warnings...), m.data.artifactWarnings...)
}

// warningDetails lists every warning of the load (w toggles it).
func (m *Model) warningDetails(d *details) {
	ws := m.warnings()
	d.add(" "+d.st.Warning.Render(fmt.Sprintf("Warnings (%d)", len(ws)))+d.st.Faint.Render("  w: back to details"), "")
	if len(ws) == 0 {
		d.add(" " + d.st.Muted.Render("None: every file was read completely."))
	}
	d.bullets(ws)
}

// bullets lists messages from outside, each wrapped under its bullet.
func (d *details) bullets(msgs []string) {
	for _, msg := range msgs {
		for k, l := range text.Wrap(safe(msg), max(10, d.w-4)) {
			if k == 0 {
				d.add(" • " + l)
			} else {
				d.add("   " + l)
			}
		}
	}
}

// summaryDetails are the name, kind, file, whether it is disabled and the description.
func (m *Model) summaryDetails(d *details, n *dbt.Node) {
	st := d.st
	d.add(" " + st.Title.Render(displayName(n)) + "  " + st.Muted.Render(kindLabel(n)))
	if n.OriginalPath != "" {
		d.add(" " + st.Code.Render(safe(n.OriginalPath)))
	}
	if n.Disabled {
		d.add(" " + st.Warning.Render("Disabled: dbt skips it (config enabled: false)."))
	}
	if n.Description != "" {
		d.wrap(n.Description, 1)
	} else if n.ResourceType != "test" {
		d.add(" " + st.Faint.Render("No description."))
	}
	d.add("")
}

// fieldDetails are the labelled facts: package, tags, owner, meta, schema, an exposure's
// link, freshness, what a test checks and the last run's result.
func (m *Model) fieldDetails(d *details, i int, n *dbt.Node) {
	d.field("Package", pkgIfOther(m.data.graph, n))
	d.field("Tags", strings.Join(n.Tags, ", "))
	d.field("Owner", n.Owner)
	d.field("Meta", metaLine(n.Meta))
	d.field("Schema", firstNonEmpty(n.Config.Schema, n.Schema))
	if n.ResourceType == "exposure" && n.URL != "" {
		d.wrapStyled(d.st.Link, "URL       "+n.URL, 1)
		d.add(strings.Repeat(" ", 11) + d.st.Faint.Render("o opens it in the browser"))
	}
	m.freshnessLines(d, i)
	if tm := n.TestMetadata; tm != nil {
		t := testName(tm)
		if tm.Column != "" {
			t += " on " + tm.Column
		}
		d.field("Test", t)
		d.field("Severity", n.Config.Severity)
	}
	if r := m.runResult(n.UniqueID); r != nil {
		s := r.Status
		if r.ExecutionTime > 0 {
			s += fmt.Sprintf(" in %.1fs", r.ExecutionTime)
		}
		d.add(" " + d.st.Muted.Render(text.Pad("Last run", 10)) + d.st.StatusIcon(r.Status) + " " + safe(s))
		if r.Message != "" && r.Status != "success" && r.Status != "pass" {
			d.wrapStyled(d.st.Faint, redact.String(r.Message), 11)
		}
	}
}

// metaLine is a node's meta as key=value pairs in key order, without owner (shown apart).
func metaLine(meta map[string]string) string {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != "owner" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	kv := make([]string, 0, len(keys))
	for _, k := range keys {
		kv = append(kv, k+"="+meta[k])
	}
	return strings.Join(kv, ", ")
}

// testName is a generic test's macro name with its package ("dbt_utils.unique_combination").
func testName(tm *dbt.TestMetadata) string {
	if tm.Namespace != "" {
		return tm.Namespace + "." + tm.Name
	}
	return tm.Name
}

// columnDetails list the node's columns with their types: the warehouse's from catalog.json
// where it has them, else the data_type the project declares.
func (m *Model) columnDetails(d *details, n *dbt.Node) {
	types := m.data.types[n.UniqueID]
	if len(n.Columns) == 0 {
		m.catalogOnlyColumns(d, types)
		return
	}
	d.subtitle(fmt.Sprintf("Columns (%d)", len(n.Columns)), "  "+columnTypeOrigin(n.Columns, types))
	for _, c := range n.Columns {
		typ := c.DataType
		if t, ok := types[strings.ToLower(c.Name)]; ok && t != "" {
			typ = strings.ToLower(t)
		}
		l := "  " + safe(c.Name)
		if typ != "" {
			l += "  " + d.st.Code.Render(safe(typ))
		}
		if c.Description != "" {
			l += "  " + d.st.Faint.Render(safe(c.Description))
		}
		d.add(l)
	}
}

// columnTypeOrigin says where the types come from: the warehouse (catalog.json) or the
// data_type the project declares, which dbt does not check unless a contract is enforced.
func columnTypeOrigin(cols []dbt.Column, types map[string]string) string {
	fromCatalog, fromProject := 0, 0
	for _, c := range cols {
		if t := types[strings.ToLower(c.Name)]; t != "" {
			fromCatalog++
		} else if c.DataType != "" {
			fromProject++
		}
	}
	var origin []string
	if fromCatalog > 0 {
		origin = append(origin, "types from catalog.json")
	}
	if fromProject > 0 {
		origin = append(origin, "declared types")
	}
	if fromCatalog+fromProject == 0 {
		origin = append(origin, "no types: run dbt docs generate for catalog.json")
	}
	return strings.Join(origin, ", ")
}

// catalogOnlyColumns lists the columns catalog.json knows of a node the project documents none of.
func (m *Model) catalogOnlyColumns(d *details, types map[string]string) {
	if len(types) == 0 {
		return
	}
	d.subtitle(fmt.Sprintf("Columns (%d, from catalog.json)", len(types)), "")
	names := make([]string, 0, len(types))
	for c := range types {
		names = append(names, c)
	}
	sort.Strings(names)
	for _, c := range names {
		d.add("  " + safe(c) + "  " + d.st.Code.Render(safe(strings.ToLower(types[c]))))
	}
}

// testDetails list the data and unit tests on node i with their last result.
func (m *Model) testDetails(d *details, i int) {
	g := m.data.graph
	var tests []int
	for _, c := range g.Children(i) {
		if t := g.Nodes[c].ResourceType; t == "test" || t == "unit_test" {
			tests = append(tests, int(c))
		}
	}
	if len(tests) == 0 {
		return
	}
	d.subtitle(fmt.Sprintf("Tests (%d)", len(tests)), "")
	for _, t := range tests {
		tn := &g.Nodes[t]
		label := tn.Name
		if tm := tn.TestMetadata; tm != nil {
			label = testName(tm)
			if tm.Column != "" {
				label += " (" + tm.Column + ")"
			}
		} else if tn.ResourceType == "unit_test" {
			label += " (unit test)"
		}
		icon := d.st.Faint.Render("·")
		if r := m.runResult(tn.UniqueID); r != nil {
			icon = d.st.StatusIcon(r.Status)
		}
		d.add("  " + icon + " " + safe(label))
	}
}

// sqlDetails show node i's raw or compiled SQL while s has turned it on.
func (m *Model) sqlDetails(d *details, i int) {
	if m.sql == sqlOff {
		return
	}
	title := "Raw SQL"
	if m.sql == sqlCompiled {
		title = "Compiled SQL"
	}
	d.subtitle(title, "  (s: next)")
	switch {
	case !m.sqlReady || m.sqlFor != i:
		d.add("  " + d.st.Muted.Render("loading…"))
	case m.sqlErr != nil:
		d.wrapStyled(d.st.Warning, redact.String(m.sqlErr.Error()), 2)
	default:
		for _, l := range strings.Split(strings.TrimRight(strings.ReplaceAll(m.sqlText, "\t", "    "), "\n"), "\n") {
			d.add("  " + d.st.Code.Render(safe(l)))
		}
	}
}

// quickParseDetails show the load's warnings about the node's own file.
func (m *Model) quickParseDetails(d *details, n *dbt.Node) {
	if n.OriginalPath == "" {
		return
	}
	var mine []string
	for _, wmsg := range m.warnings() {
		if strings.HasPrefix(wmsg, n.OriginalPath+":") {
			mine = append(mine, strings.TrimPrefix(wmsg, n.OriginalPath+": "))
		}
	}
	if len(mine) == 0 {
		return
	}
	d.add("", " "+d.st.Warning.Render("Quick parse warnings"))
	for _, wmsg := range mine {
		d.wrap(wmsg, 2)
	}
}

// freshnessLines say how fresh a source's data is (dbt's verdict from the last `dbt source
// freshness`, with the age counted on to now), and for a node built from a stale source how
// old the data it was built from is.
func (m *Model) freshnessLines(d *details, i int) {
	st, w, add := d.st, d.w, d.add
	now := m.now()
	label := st.Muted.Render(text.Pad("Freshness", 10))
	if fr := m.freshness(i); fr != nil {
		checked := ""
		if !fr.SnapshottedAt.IsZero() {
			checked = " · checked " + dbt.FormatAge(max(0, now.Sub(fr.SnapshottedAt))) + " ago"
		}
		switch {
		case fr.Status == dbt.FreshnessRuntimeError:
			add(" " + label + st.StatusIcon("error") + " " + st.Error.Render("dbt could not check it"))
			if fr.Error != "" {
				for _, l := range text.Wrap(safe(redact.String(fr.Error)), max(10, w-12)) {
					add(strings.Repeat(" ", 11) + st.Faint.Render(l))
				}
			}
		default:
			s := "last loaded " + dbt.FormatAge(fr.AgeAt(now)) + " ago"
			if t := fr.Exceeded(); t != nil {
				s += " (" + fr.Status + " after " + t.String() + ")"
			} else if fr.ErrorAfter != nil || fr.WarnAfter != nil {
				s += " (" + freshnessLimits(fr) + ")"
			}
			s += checked
			style := st.Text
			if fr.Stale() {
				style = st.Warning
			}
			for k, l := range text.Wrap(safe(s), max(10, w-14)) {
				if k == 0 {
					add(" " + label + st.StatusIcon(fr.Status) + " " + style.Render(l))
				} else {
					add(strings.Repeat(" ", 13) + style.Render(l))
				}
			}
		}
		return
	}
	if fr, ok := m.data.staleUp[i]; ok {
		s := "built from data " + dbt.FormatAge(fr.AgeAt(now)) + " old: " + fr.Name + " is stale"
		if t := fr.Exceeded(); t != nil {
			s += " (" + fr.Status + " after " + t.String() + ")"
		}
		for k, l := range text.Wrap(safe(s), max(10, w-12)) {
			if k == 0 {
				add(" " + label + st.Warning.Render(l))
			} else {
				add(strings.Repeat(" ", 11) + st.Warning.Render(l))
			}
		}
	}
}
