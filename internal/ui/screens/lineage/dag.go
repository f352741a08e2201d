package lineage

import (
	"fmt"
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// The DAG view draws the neighbourhood as columns of nodes (ancestors left, descendants right)
// with a cursor: j/k move within a column, h/l to the next column, enter focuses. Each node
// that feeds the next column owns a vertical lane in the gutter, so an edge can be followed
// from its source to its arrow (no shared bus), and the cursor's own edges are drawn in the
// accent colour. Labels take the width there is; columns that do not fit scroll with the
// cursor instead of being cut off.

// maxDAGNodes bounds the DAG view: beyond it a drawing is unreadable in a terminal.
const maxDAGNodes = 60

// maxLanes bounds the lanes of one gutter; beyond it sources share lanes.
const maxLanes = 10

// minLabel is the narrowest a label is cut to before columns scroll instead.
const minLabel = 12

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

// dagView is the DAG's cursor, its layout (per lineage) and its last drawing (per size).
type dagView struct {
	cursor int
	// layoutOf is the lineage the layout was made for.
	layoutOf *lineage.Lineage
	cols     [][]int // node indexes per column, top to bottom
	colOf    map[int]int
	rowOf    map[int]int
	// key identifies the drawing in lines; hits are the labels' places for clicks.
	key   string
	lines []string
	hits  []dagHit
}

type dagHit struct{ y, x0, x1, node int }

// has reports whether node i is drawn for lineage l.
func (d *dagView) has(l *lineage.Lineage, i int) bool {
	if l == nil || i < 0 {
		return false
	}
	if l.Root.Index == i {
		return true
	}
	for _, ns := range [][]lineage.LineageNode{l.Upstream, l.Downstream} {
		for _, n := range ns {
			if n.Index == i {
				return true
			}
		}
	}
	return false
}

// at is the node whose label is drawn at (x, y) of the body.
func (d *dagView) at(x, y int) (int, bool) {
	for _, h := range d.hits {
		if h.y == y && x >= h.x0 && x < h.x1 {
			return h.node, true
		}
	}
	return -1, false
}

// layout places the lineage's nodes in columns by generation, ordered to reduce crossings
// (one barycentre pass outward from the root's column). It is kept until the lineage changes.
func (m *Model) dagLayout() {
	l := m.lin
	if l == nil || m.dag.layoutOf == l {
		return
	}
	g := m.data.graph
	d := &m.dag
	d.layoutOf, d.key = l, ""
	d.cols, d.colOf, d.rowOf = nil, nil, nil
	if 1+len(l.Upstream)+len(l.Downstream) > maxDAGNodes {
		return // not drawn
	}
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
	d.cols, d.rowOf = cols, rowOf
	d.colOf = make(map[int]int, len(layerOf))
	for i, ly := range layerOf {
		d.colOf[i] = ly - minL
	}
}

// dagKey moves the DAG's cursor with the navigation keys; it reports whether it used msg.
func (m *Model) dagKey(msg tea.KeyPressMsg) bool {
	n := m.nav
	switch {
	case key.Matches(msg, n.Down):
		m.dagMove(1, 0)
	case key.Matches(msg, n.Up):
		m.dagMove(-1, 0)
	case key.Matches(msg, n.Left):
		m.dagMove(0, -1)
	case key.Matches(msg, n.Right):
		m.dagMove(0, 1)
	case key.Matches(msg, n.Top):
		m.dagMove(-1<<20, 0)
	case key.Matches(msg, n.Bottom):
		m.dagMove(1<<20, 0)
	default:
		return false
	}
	return true
}

// dagMove moves the cursor dy nodes within its column or dx columns across, landing on the
// node of the new column that is joined to it (else the nearest row).
func (m *Model) dagMove(dy, dx int) {
	m.dagLayout()
	d := &m.dag
	if len(d.cols) == 0 {
		return
	}
	cur := d.cursor
	ci, ok := d.colOf[cur]
	if !ok {
		d.cursor = m.root
		return
	}
	if dy != 0 {
		c := d.cols[ci]
		d.cursor = c[text.Clamp(d.rowOf[cur]+dy, 0, len(c)-1)]
		return
	}
	for step := 0; step < len(d.cols); step++ {
		ci += dx
		if ci < 0 || ci >= len(d.cols) {
			return
		}
		if len(d.cols[ci]) > 0 {
			break
		}
	}
	g := m.data.graph
	best, bestScore := -1, 1<<30
	for _, i := range d.cols[ci] {
		score := abs(d.rowOf[i]-d.rowOf[cur]) * 2
		if !joined(g, cur, i) {
			score += 1000
		}
		if score < bestScore {
			best, bestScore = i, score
		}
	}
	if best >= 0 {
		d.cursor = best
	}
}

func joined(g *dbt.Graph, a, b int) bool {
	for _, p := range g.Parents(a) {
		if int(p) == b {
			return true
		}
	}
	for _, c := range g.Children(a) {
		if int(c) == b {
			return true
		}
	}
	return false
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// dagLines draws the DAG in w×h; the drawing is kept until what it shows changes.
func (m *Model) dagLines(w, h int) []string {
	if m.lin == nil {
		return nil
	}
	m.dagLayout()
	key := fmt.Sprintf("%d/%d/%d/%v/%d/%d/%s/%d", m.root, m.upDepth, m.downDepth, m.showTests, w, h, m.selExpr, m.dag.cursor)
	if key != m.dag.key {
		m.dag.lines, m.dag.hits = m.drawDAG(w, h)
		m.dag.key = key
	}
	return m.dag.lines
}

// gutter is the space between column ci and ci+1: the lane of each node that feeds the next
// column, and the cells of the edges.
type gutter struct {
	lane  map[int]int // source node → lane (0-based)
	lanes int
	cells [][]cell
}

type cell struct {
	dirs uint8
	hl   bool // part of an edge of the cursor's node
}

// width is the gutter's width: a stub, the lanes, a stub and the arrow head.
func (gt *gutter) width() int { return gt.lanes + 3 }

// dagEdge is an edge drawn in the DAG: from a node to one in the next column.
type dagEdge struct{ from, to int }

// dagFrame is one drawing's geometry: which columns are shown and how wide, how far apart
// rows are, and the gutters between the columns.
type dagFrame struct {
	names    map[int]string // node → its label text
	colW     []int
	from, to int // the columns shown: [from, to)
	spacing  int // grid rows per node row: 2 leaves a blank line between nodes
	gridH    int
	avail    int // rows for the grid (the legend and the cursor's lines take the rest)
	gutters  []gutter
}

func (m *Model) drawDAG(w, h int) ([]string, []dagHit) {
	st := m.c.Styles
	l := m.lin
	d := &m.dag
	total := 1 + len(l.Upstream) + len(l.Downstream)
	if total > maxDAGNodes {
		return []string{st.Muted.Render(fmt.Sprintf("%d nodes are too many to draw (the DAG view shows up to %d).", total, maxDAGNodes)),
			st.Muted.Render("Press - for fewer levels, or d for the tree.")}, nil
	}
	edges, skipped := m.dagEdges()
	f := &dagFrame{gutters: d.gutters(edges)}
	m.fitDAGColumns(f, w)
	f.fitRows(d.cols, h)
	f.route(d, edges)
	out, hits := m.dagRows(f)
	for len(out) < f.avail {
		out = append(out, "")
	}
	legend := dagLegend(total, skipped, l.Truncated, f.from, len(d.cols)-f.to)
	out = append(out, st.Faint.Render(legend))
	return append(out, m.dagCursorLines()...), hits
}

// dagEdges are the lineage's edges between neighbouring columns; those that skip a column are
// left to the tree, and counted.
func (m *Model) dagEdges() (edges []dagEdge, skipped int) {
	g := m.data.graph
	for _, e := range m.lin.Edges {
		a, _ := g.Index(e.From)
		b, _ := g.Index(e.To)
		if m.dag.colOf[b] != m.dag.colOf[a]+1 {
			skipped++
			continue
		}
		edges = append(edges, dagEdge{a, b})
	}
	return edges, skipped
}

// gutters give each node that feeds the next column its lane, in laneOrder.
func (d *dagView) gutters(edges []dagEdge) []gutter {
	gutters := make([]gutter, max(0, len(d.cols)-1))
	for ci := range gutters {
		gt := &gutters[ci]
		gt.lane = map[int]int{}
		var sources []int
		into := map[int][]int{} // a row of the next column → the sources of the edges into it
		for _, i := range d.cols[ci] {
			feeds := false
			for _, e := range edges {
				if e.from == i {
					feeds = true
					into[d.rowOf[e.to]] = append(into[d.rowOf[e.to]], i)
				}
			}
			if feeds {
				sources = append(sources, i)
			}
		}
		for k, i := range laneOrder(sources, d.rowOf, into) {
			gt.lane[i] = k % maxLanes
		}
		gt.lanes = min(len(sources), maxLanes)
	}
	return gutters
}

// fitDAGColumns sizes the labels: as wide as the names, cut only when all columns would not
// fit otherwise; when even short labels do not fit, it shows the columns around the cursor's.
func (m *Model) fitDAGColumns(f *dagFrame, w int) {
	g := m.data.graph
	cols := m.dag.cols
	f.names = map[int]string{}
	natural := make([]int, len(cols))
	for ci, c := range cols {
		for _, i := range c {
			f.names[i] = displayName(&g.Nodes[i])
			natural[ci] = max(natural[ci], ansi.StringWidth(f.names[i])+2)
		}
	}
	widthWith := func(limit, from, to int) int {
		tw := 0
		for ci := from; ci < to; ci++ {
			tw += min(natural[ci], limit+2)
			if ci < to-1 {
				tw += f.gutters[ci].width()
			}
		}
		return tw
	}
	limit := 0
	for _, n := range natural {
		limit = max(limit, n)
	}
	for limit > minLabel && widthWith(limit, 0, len(cols)) > w {
		limit--
	}
	f.from, f.to = 0, len(cols)
	if widthWith(limit, 0, len(cols)) > w {
		f.from, f.to = visibleColumns(m.dag.colOf[m.dag.cursor], len(cols), func(from, to int) bool {
			return widthWith(limit, from, to) <= w
		})
	}
	f.colW = make([]int, len(cols))
	for ci := range cols {
		f.colW[ci] = min(natural[ci], limit+2)
	}
}

// visibleColumns grows the window of columns [from, to) around column cc, one column to
// the right and one to the left at a time, while fits allows.
func visibleColumns(cc, n int, fits func(from, to int) bool) (from, to int) {
	from, to = cc, cc+1
	for {
		grew := false
		if to < n && fits(from, to+1) {
			to++
			grew = true
		}
		if from > 0 && fits(from-1, to) {
			from--
			grew = true
		}
		if !grew {
			return from, to
		}
	}
}

// fitRows spaces the rows: three lines are kept for the legend and the cursor's two, and rows
// get a blank line between them when there is room, so edges stay readable.
func (f *dagFrame) fitRows(cols [][]int, h int) {
	height := 0
	for _, c := range cols {
		height = max(height, len(c))
	}
	f.avail = max(1, h-3)
	f.spacing = 2
	if height*2-1 > f.avail {
		f.spacing = 1
	}
	f.gridH = (height-1)*f.spacing + 1
	for ci := range f.gutters {
		f.gutters[ci].cells = make([][]cell, f.gridH)
		for y := range f.gutters[ci].cells {
			f.gutters[ci].cells[y] = make([]cell, f.gutters[ci].width())
		}
	}
}

// route draws each edge into its gutter: along the source's row to its lane, along the lane
// to the target's row, and on to the arrow. The cursor's edges are marked for the accent.
func (f *dagFrame) route(d *dagView, edges []dagEdge) {
	set := func(c *cell, dirs uint8, hl bool) {
		c.dirs |= dirs
		c.hl = c.hl || hl
	}
	for _, e := range edges {
		gt := &f.gutters[d.colOf[e.from]]
		ra, rb := d.rowOf[e.from]*f.spacing, d.rowOf[e.to]*f.spacing
		hl := e.from == d.cursor || e.to == d.cursor
		x := 1 + gt.lane[e.from]
		row := gt.cells
		end := gt.width() - 1
		for k := 0; k < x; k++ {
			set(&row[ra][k], dirLeft|dirRight, hl)
		}
		switch {
		case ra == rb:
			set(&row[ra][x], dirLeft|dirRight, hl)
		case rb > ra:
			set(&row[ra][x], dirLeft|dirDown, hl)
			for y := ra + 1; y < rb; y++ {
				set(&row[y][x], dirUp|dirDown, hl)
			}
			set(&row[rb][x], dirUp|dirRight, hl)
		default:
			set(&row[ra][x], dirLeft|dirUp, hl)
			for y := rb + 1; y < ra; y++ {
				set(&row[y][x], dirUp|dirDown, hl)
			}
			set(&row[rb][x], dirDown|dirRight, hl)
		}
		for k := x + 1; k < end; k++ {
			set(&row[rb][k], dirLeft|dirRight, hl)
		}
		set(&row[rb][end], dirRight, hl)
	}
}

// dagRows draws the grid's rows that fit, scrolled to keep the cursor in view when the
// graph is taller than the screen, and notes where each label is for clicks.
func (m *Model) dagRows(f *dagFrame) ([]string, []dagHit) {
	st := m.c.Styles
	d := &m.dag
	top := 0
	if f.gridH > f.avail {
		cy := d.rowOf[d.cursor] * f.spacing
		top = text.Clamp(cy-f.avail/2, 0, f.gridH-f.avail)
	}
	var out []string
	var hits []dagHit
	for y := top; y < f.gridH && len(out) < f.avail; y++ {
		var b strings.Builder
		x := 0
		for ci := f.from; ci < f.to; ci++ {
			c := d.cols[ci]
			label := ""
			if y%f.spacing == 0 && y/f.spacing < len(c) {
				i := c[y/f.spacing]
				label = m.dagLabel(i, f.names[i], f.colW[ci])
				hits = append(hits, dagHit{y: len(out), x0: x, x1: x + f.colW[ci], node: i})
			}
			b.WriteString(text.PadCut(label, f.colW[ci]))
			x += f.colW[ci]
			if ci < f.to-1 {
				gt := &f.gutters[ci]
				b.WriteString(drawCells(gt.cells[y], st.Faint, st.Key))
				x += gt.width()
			}
		}
		out = append(out, b.String())
	}
	return out, hits
}

// dagLegend reads the drawing: its direction and size, what it leaves to the tree, and the
// columns scrolled out of view on either side.
func dagLegend(total, skipped int, truncated bool, left, right int) string {
	legend := "← reads from · feeds →   " + text.Plural(total, "node", "nodes")
	if skipped > 0 {
		legend += " · " + text.Plural(skipped, "edge that skips a level is", "edges that skip a level are") + " in the tree, not here"
	}
	if truncated {
		legend += " · more beyond this depth (+)"
	}
	if left > 0 {
		legend = fmt.Sprintf("◀ %s · ", text.Plural(left, "column", "columns")) + legend
	}
	if right > 0 {
		legend += fmt.Sprintf(" · %s ▶", text.Plural(right, "column", "columns"))
	}
	return legend
}

// dagLabel draws node i's label: › marks the cursor (in the selection style), ◆ the node in
// focus; selector matches are highlighted.
func (m *Model) dagLabel(i int, name string, w int) string {
	st := m.c.Styles
	name = text.Fit(name, w-2)
	switch {
	case i == m.dag.cursor:
		return st.Selected.Render(text.Pad("›"+name, w-1)) + " "
	case i == m.root:
		return st.Bold.Render("◆" + name)
	case m.selMatches.has(i):
		return " " + st.Match.Render(name)
	}
	return " " + st.Text.Render(name)
}

// drawCells draws a gutter row, the cursor's edges in the accent style.
func drawCells(cells []cell, faint, accent lipgloss.Style) string {
	var b, run strings.Builder
	hl := false
	flush := func() {
		if run.Len() == 0 {
			return
		}
		if hl {
			b.WriteString(accent.Render(run.String()))
		} else {
			b.WriteString(faint.Render(run.String()))
		}
		run.Reset()
	}
	for k, c := range cells {
		if c.hl != hl {
			flush()
			hl = c.hl
		}
		r := boxChars[c.dirs]
		if k == len(cells)-1 && c.dirs != 0 {
			r = '▶'
		}
		run.WriteRune(r)
	}
	flush()
	return b.String()
}

// dagCursorLines name the cursor's node in full, and what it reads and feeds in the view by
// name: the drawing's joins can be read more than one way, these lines cannot.
func (m *Model) dagCursorLines() []string {
	st := m.c.Styles
	i := m.dag.cursor
	if i < 0 {
		return nil
	}
	g := m.data.graph
	n := &g.Nodes[i]
	names := func(ns []int32) string {
		var out []string
		for _, k := range ns {
			if m.dag.has(m.lin, int(k)) {
				out = append(out, displayName(&g.Nodes[k]))
			}
		}
		if len(out) == 0 {
			return "nothing shown"
		}
		return strings.Join(out, ", ")
	}
	s := "› " + st.Bold.Render(displayName(n)) + "  " + st.Muted.Render(kindLabel(n))
	if fr := m.freshness(i); fr != nil && fr.Stale() {
		s += "  " + st.Warning.Render("⚠ last loaded "+dbt.FormatAge(fr.AgeAt(m.now()))+" ago")
	} else if fr, ok := m.data.staleUp[i]; ok {
		s += "  " + st.Warning.Render("⚠ built from data "+dbt.FormatAge(fr.AgeAt(m.now()))+" old")
	}
	return []string{s, st.Faint.Render("  reads " + names(g.Parents(i)) + " · feeds " + names(g.Children(i)))}
}

// laneOrder orders the lanes of a gutter's sources (given top to bottom). A source's line
// leaves it on its own row as far as its lane, and an edge into a node of the next column on
// that row runs from its lane to the arrow: when that lane is left of the source's, the two
// lines overlap and the source seems to feed that node. So a source's lane goes left of the
// lanes of the edges arriving on its row; where those wishes conflict (crossing edges), the
// remaining sources keep their top-to-bottom order.
func laneOrder(sources []int, rowOf map[int]int, into map[int][]int) []int {
	after := map[int]map[int]bool{} // after[s]: the sources whose lanes must be right of s's
	pending := map[int]int{}        // how many sources must come before each
	for _, s := range sources {
		for _, o := range into[rowOf[s]] {
			if o != s && !after[s][o] {
				if after[s] == nil {
					after[s] = map[int]bool{}
				}
				after[s][o] = true
				pending[o]++
			}
		}
	}
	order := make([]int, 0, len(sources))
	placed := map[int]bool{}
	for len(order) < len(sources) {
		next := -1
		for _, s := range sources { // top to bottom: the first whose wishes are met
			if !placed[s] && pending[s] == 0 {
				next = s
				break
			}
		}
		if next < 0 { // a cycle: the topmost left
			for _, s := range sources {
				if !placed[s] {
					next = s
					break
				}
			}
		}
		placed[next] = true
		order = append(order, next)
		for o := range after[next] {
			pending[o]--
		}
	}
	return order
}
