package markdown

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
)

// table draws a GitHub table: a bold header, a rule under it, columns separated by bars and
// aligned as the delimiter row says. Columns take their natural width when the table fits;
// otherwise the widest ones give up space and their cells wrap.
func (r *render) table(n ast.Node, width int) block {
	var rows [][][]frag
	var aligns []east.Alignment
	if t, ok := n.(*east.Table); ok {
		aligns = t.Alignments
	}
	header := 0
	for row := n.FirstChild(); row != nil; row = row.NextSibling() {
		f := flags(0)
		if _, ok := row.(*east.TableHeader); ok {
			f = fHeader
			header++
		}
		var cells [][]frag
		for c := row.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, r.inlines(c, f, nil))
		}
		rows = append(rows, cells)
	}
	cols := 0
	for _, row := range rows {
		cols = max(cols, len(row))
	}
	if cols == 0 {
		return block{}
	}
	widths := make([]int, cols)
	for _, row := range rows {
		for i, cell := range row {
			widths[i] = max(widths[i], fragsWidth(cell))
		}
	}
	avail := width - (cols-1)*cells(r.th.tableBar)
	if avail < cols*minColumn {
		return r.records(rows, header, width)
	}
	shrink(widths, avail)

	var out block
	// Only the bar is styled, so a row ending in an empty cell can be trimmed.
	tb := r.th.tableBar
	bar := tb[:1] + r.styled(strings.TrimSpace(tb), fRule) + tb[len(tb)-1:]
	for ri, row := range rows {
		wrapped := make([]block, cols)
		height := 1
		for i := range cols {
			if i < len(row) {
				wrapped[i] = r.wrap(row[i], widths[i])
			}
			height = max(height, len(wrapped[i].lines))
		}
		base := len(out.lines)
		for i := range cols {
			for _, m := range wrapped[i].marks {
				out.marks = append(out.marks, mark{m.key, base + m.row})
			}
		}
		for l := range height {
			var sb strings.Builder
			for i := range cols {
				if i > 0 {
					sb.WriteString(bar)
				}
				cell := ""
				if l < len(wrapped[i].lines) {
					cell = wrapped[i].lines[l]
				}
				a := east.AlignNone
				if i < len(aligns) {
					a = aligns[i]
				}
				sb.WriteString(align(cell, widths[i], a, i == cols-1))
			}
			out.lines = append(out.lines, strings.TrimRight(sb.String(), " "))
		}
		if ri == header-1 {
			var sb strings.Builder
			for i, w := range widths {
				if i > 0 {
					sb.WriteString(r.th.tableSep)
				}
				sb.WriteString(strings.Repeat(r.th.tableRule, w))
			}
			out.lines = append(out.lines, r.styled(sb.String(), fRule))
		}
	}
	return out
}

// minColumn is the narrowest a column gets; a table with more columns than fit that way is
// drawn as records.
const minColumn = 4

// records draws a table too wide for the pane as one record per row: "header: value" lines,
// with a blank line between rows.
func (r *render) records(rows [][][]frag, header, width int) block {
	var names [][]frag
	if header > 0 {
		names = rows[0]
	}
	var out block
	for _, row := range rows[header:] {
		if len(out.lines) > 0 {
			out.lines = append(out.lines, "")
		}
		for i, cell := range row {
			var line []frag
			if i < len(names) && len(names[i]) > 0 {
				line = append(append(line, names[i]...), frag{text: ":", w: 1, f: fHeader}, frag{text: " ", w: 1, space: true})
			}
			out.add(r.wrap(append(line, cell...), width), "", "  ")
		}
	}
	return out
}

// shrink narrows the widest column one cell at a time until the columns fit in avail, so
// narrow columns keep their width and long text wraps.
func shrink(widths []int, avail int) {
	total := 0
	for _, w := range widths {
		total += w
	}
	for total > avail {
		widest := 0
		for i, w := range widths {
			if w > widths[widest] {
				widest = i
			}
		}
		if widths[widest] <= 1 {
			return
		}
		widths[widest]--
		total--
	}
}

// align pads a rendered cell to w cells; the last column is not padded on the right.
func align(cell string, w int, a east.Alignment, last bool) string {
	gap := max(w-ansi.StringWidth(cell), 0)
	switch a {
	case east.AlignRight:
		return strings.Repeat(" ", gap) + cell
	case east.AlignCenter:
		l := gap / 2
		return strings.Repeat(" ", l) + cell + strings.Repeat(" ", gap-l)
	}
	if last {
		return cell
	}
	return cell + strings.Repeat(" ", gap)
}
