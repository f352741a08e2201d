package lineage

import (
	"fmt"
	"sort"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt/lineage"
)

// maxDAGNodes bounds the DAG view: beyond it a drawing is unreadable in a terminal.
const maxDAGNodes = 60

// Edge directions in a gutter cell, combined into box-drawing characters.
const (
	dirUp = 1 << iota
	dirDown
	dirLeft
	dirRight
)

var boxChars = [16]rune{
	0:                                    ' ',
	dirUp:                                '│',
	dirDown:                              '│',
	dirUp | dirDown:                      '│',
	dirLeft:                              '─',
	dirRight:                             '─',
	dirLeft | dirRight:                   '─',
	dirDown | dirRight:                   '┌',
	dirDown | dirLeft:                    '┐',
	dirUp | dirRight:                     '└',
	dirUp | dirLeft:                      '┘',
	dirUp | dirDown | dirRight:           '├',
	dirUp | dirDown | dirLeft:            '┤',
	dirLeft | dirRight | dirDown:         '┬',
	dirLeft | dirRight | dirUp:           '┴',
	dirUp | dirDown | dirLeft | dirRight: '┼',
}

// dagLines draws the neighbourhood as columns of nodes (ancestors left, descendants right)
// joined by box-drawing edges. The drawing is cached until the lineage or the size changes.
func (m *Model) dagLines(w, h int) []string {
	if m.lin == nil {
		return nil
	}
	cacheKey := fmt.Sprintf("%d/%d/%d/%v/%d/%d/%v", m.root, m.upDepth, m.downDepth, m.showTests, w, h, m.selExpr)
	if cacheKey == m.dagCacheKey {
		return strings.Split(m.dagCache, "\n")
	}
	lines := m.drawDAG(w, h)
	m.dagCacheKey, m.dagCache = cacheKey, strings.Join(lines, "\n")
	return lines
}

func (m *Model) drawDAG(w, h int) []string {
	st := m.c.Styles
	g := m.data.graph
	l := m.lin
	total := 1 + len(l.Upstream) + len(l.Downstream)
	if total > maxDAGNodes {
		return []string{st.Muted.Render(fmt.Sprintf("%d nodes are too many to draw (the DAG view shows up to %d).", total, maxDAGNodes)),
			st.Muted.Render("Press - for fewer levels, or d for the tree.")}
	}
	// Layers: -depth for ancestors, 0 the node, +depth for descendants.
	layerOf := map[int]int{m.root: 0}
	minL, maxL := 0, 0
	for _, n := range l.Upstream {
		layerOf[n.Index] = -n.Depth
		minL = min(minL, -n.Depth)
	}
	for _, n := range l.Downstream {
		layerOf[n.Index] = n.Depth
		maxL = max(maxL, n.Depth)
	}
	cols := make([][]int, maxL-minL+1)
	for i, ly := range layerOf {
		cols[ly-minL] = append(cols[ly-minL], i)
	}
	for _, c := range cols {
		sort.Slice(c, func(a, b int) bool { return lineage.DisplayName(&g.Nodes[c[a]]) < lineage.DisplayName(&g.Nodes[c[b]]) })
	}
	// One barycentre pass outward from the node's column reduces crossings.
	rowOf := map[int]int{}
	place := func(c []int) {
		for r, i := range c {
			rowOf[i] = r
		}
	}
	center := -minL
	place(cols[center])
	reorder := func(ci, ref int) {
		c := cols[ci]
		bary := map[int]float64{}
		for _, i := range c {
			sum, n := 0.0, 0
			for _, nb := range append(append([]int32{}, g.Parents(i)...), g.Children(i)...) {
				if ly, ok := layerOf[int(nb)]; ok && ly-minL == ref {
					sum += float64(rowOf[int(nb)])
					n++
				}
			}
			if n > 0 {
				bary[i] = sum / float64(n)
			} else {
				bary[i] = float64(len(c))
			}
		}
		sort.SliceStable(c, func(a, b int) bool { return bary[c[a]] < bary[c[b]] })
		place(c)
	}
	for ci := center - 1; ci >= 0; ci-- {
		reorder(ci, ci+1)
	}
	for ci := center + 1; ci < len(cols); ci++ {
		reorder(ci, ci-1)
	}
	height := 0
	for _, c := range cols {
		height = max(height, len(c))
	}
	// Column widths: labels up to 24 cells; gutters of 5 cells between columns.
	const gutter = 5
	labels := map[int]string{}
	widths := make([]int, len(cols))
	for ci, c := range cols {
		for _, i := range c {
			lbl := displayName(&g.Nodes[i])
			if ansi.StringWidth(lbl) > 24 {
				lbl = ansi.Truncate(lbl, 24, "…")
			}
			labels[i] = lbl
			widths[ci] = max(widths[ci], ansi.StringWidth(lbl)+2)
		}
	}
	// Rows are spaced by one blank line when there is room, so edges stay readable.
	spacing := 2
	if height*2 > h-1 {
		spacing = 1
	}
	gridH := height * spacing
	gutters := make([][][]int, len(cols)) // gutter ci sits between cols ci and ci+1
	skipped := 0
	for ci := range gutters {
		gutters[ci] = make([][]int, gridH)
		for r := range gutters[ci] {
			gutters[ci][r] = make([]int, gutter)
		}
	}
	for _, e := range l.Edges {
		a, _ := g.Index(e.From)
		b, _ := g.Index(e.To)
		la, lb := layerOf[a]-minL, layerOf[b]-minL
		if lb != la+1 {
			skipped++
			continue
		}
		ra, rb := rowOf[a]*spacing, rowOf[b]*spacing
		cell := gutters[la]
		mid := gutter / 2
		for x := 0; x < mid; x++ {
			cell[ra][x] |= dirLeft | dirRight
		}
		switch {
		case ra == rb:
			cell[ra][mid] |= dirLeft | dirRight
		case rb > ra:
			cell[ra][mid] |= dirLeft | dirDown
			for y := ra + 1; y < rb; y++ {
				cell[y][mid] |= dirUp | dirDown
			}
			cell[rb][mid] |= dirUp | dirRight
		default:
			cell[ra][mid] |= dirLeft | dirUp
			for y := rb + 1; y < ra; y++ {
				cell[y][mid] |= dirUp | dirDown
			}
			cell[rb][mid] |= dirDown | dirRight
		}
		for x := mid + 1; x < gutter; x++ {
			cell[rb][x] |= dirLeft | dirRight
		}
	}
	var out []string
	for y := 0; y < gridH; y++ {
		var b strings.Builder
		for ci, c := range cols {
			cellText := ""
			if y%spacing == 0 && y/spacing < len(c) {
				i := c[y/spacing]
				lbl := labels[i]
				switch {
				case i == m.root:
					lbl = st.Selected.Render(" " + lbl + " ")
				case m.selMatches.has(i):
					lbl = " " + st.Match.Render(lbl) + " "
				default:
					lbl = " " + st.Text.Render(lbl) + " "
				}
				cellText = lbl
			}
			b.WriteString(fit(cellText, widths[ci]))
			if ci < len(cols)-1 {
				var gl strings.Builder
				for x := 0; x < gutter; x++ {
					d := gutters[ci][y][x]
					if x == gutter-1 && d != 0 {
						gl.WriteRune('▶')
						continue
					}
					gl.WriteRune(boxChars[d])
				}
				b.WriteString(st.Faint.Render(gl.String()))
			}
		}
		out = append(out, b.String())
	}
	legend := st.Faint.Render(fmt.Sprintf("← reads from · feeds →   %d nodes", total))
	if skipped > 0 {
		legend += st.Faint.Render(fmt.Sprintf(" · %d edge(s) that skip a level not drawn (see the tree)", skipped))
	}
	if l.Truncated {
		legend += st.Faint.Render(" · more beyond this depth (+)")
	}
	out = append(out, legend)
	return out
}
