// Package lineage renders a node's upstream and downstream (as a tree, JSON, DOT or Mermaid)
// and finds the node a user means by what they typed, with "did you mean" suggestions.
package lineage

import (
	"encoding/json"
	"fmt"
	"github.com/datatui/datatui/internal/dbt"
	"io"
	"sort"
	"strconv"
	"strings"
)

// Lineage formats accepted by RenderLineage.
const (
	FormatTree    = "tree"
	FormatJSON    = "json"
	FormatDOT     = "dot"
	FormatMermaid = "mermaid"
)

// LineageFormats lists the formats, for flag help and validation.
func LineageFormats() []string { return []string{FormatTree, FormatJSON, FormatDOT, FormatMermaid} }

// LineageOptions choose how far a lineage reaches.
type LineageOptions struct {
	// Upstream and Downstream are depths in generations; a negative value means unlimited and 0
	// leaves that side out.
	Upstream, Downstream int
	// Tests keeps data tests and unit tests in the lineage. They are left out by default:
	// every model has several and they would drown its real children.
	Tests bool
}

// LineageNode is one node reached from the root, at its shortest distance.
type LineageNode struct {
	Index int `json:"-"`
	// Depth is the number of generations from the root (1 = direct parent or child).
	Depth        int    `json:"depth"`
	UniqueID     string `json:"unique_id"`
	Name         string `json:"name"`
	ResourceType string `json:"resource_type"`
	Path         string `json:"original_file_path,omitempty"`
}

// LineageEdge is a dependency: From feeds To.
type LineageEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Lineage is a node's neighbourhood: its ancestors and descendants within the chosen depths and
// the edges between the nodes shown.
type Lineage struct {
	Root       LineageNode   `json:"node"`
	Upstream   []LineageNode `json:"upstream"`
	Downstream []LineageNode `json:"downstream"`
	Edges      []LineageEdge `json:"edges"`
	// Truncated is set when nodes exist beyond the requested depths.
	Truncated bool `json:"truncated,omitempty"`

	g       *dbt.Graph
	root    int
	opts    LineageOptions
	inUp    map[int]int // index → depth
	inDown  map[int]int
	visible func(int) bool
}

// DisplayName is how a node is named to people: "source.table" for sources, "name.v2" for
// model versions, the name otherwise.
func DisplayName(n *dbt.Node) string {
	switch {
	case n.ResourceType == "source" && n.SourceName != "":
		return n.SourceName + "." + n.Name
	case n.Version != "":
		return n.Name + ".v" + n.Version
	}
	return n.Name
}

func lineageNode(g *dbt.Graph, i, depth int) LineageNode {
	n := &g.Nodes[i]
	return LineageNode{Index: i, Depth: depth, UniqueID: n.UniqueID, Name: DisplayName(n), ResourceType: n.ResourceType, Path: n.OriginalPath}
}

// ComputeLineage walks the graph from node root (an index) breadth-first in both directions.
func ComputeLineage(g *dbt.Graph, root int, opts LineageOptions) *Lineage {
	l := &Lineage{g: g, root: root, opts: opts, Root: lineageNode(g, root, 0), inUp: map[int]int{}, inDown: map[int]int{}}
	l.visible = func(i int) bool {
		if opts.Tests || i == root {
			return true
		}
		t := g.Nodes[i].ResourceType
		return t != "test" && t != "unit_test"
	}
	l.Upstream, l.Downstream = []LineageNode{}, []LineageNode{}
	if opts.Upstream != 0 {
		l.Upstream = l.walk(opts.Upstream, g.Parents, l.inUp)
	}
	if opts.Downstream != 0 {
		l.Downstream = l.walk(opts.Downstream, g.Children, l.inDown)
	}
	l.Edges = l.edgesShown()
	return l
}

// walk visits the nodes next leads to from the root, generation by generation up to depth
// max (all when max < 0), recording each node's depth in seen; it returns them by depth,
// then unique id.
func (l *Lineage) walk(max int, next func(int) []int32, seen map[int]int) []LineageNode {
	out := []LineageNode{}
	frontier := []int{l.root}
	for depth := 1; len(frontier) > 0; depth++ {
		var nf []int
		for _, f := range frontier {
			for _, c := range next(f) {
				ci := int(c)
				if ci == l.root || !l.visible(ci) {
					continue
				}
				if _, ok := seen[ci]; ok {
					continue
				}
				if max >= 0 && depth > max {
					l.Truncated = true
					continue
				}
				seen[ci] = depth
				out = append(out, lineageNode(l.g, ci, depth))
				nf = append(nf, ci)
			}
		}
		frontier = nf
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Depth != out[b].Depth {
			return out[a].Depth < out[b].Depth
		}
		return out[a].UniqueID < out[b].UniqueID
	})
	return out
}

// shown reports whether node i is in the lineage.
func (l *Lineage) shown(i int) bool {
	if i == l.root {
		return true
	}
	_, u := l.inUp[i]
	_, d := l.inDown[i]
	return u || d
}

// edgesShown is every edge among the nodes shown, in the direction of data flow (including
// an upstream node that also feeds a downstream one directly), in order.
func (l *Lineage) edgesShown() []LineageEdge {
	g := l.g
	edges := []LineageEdge{}
	seen := map[[2]int]bool{}
	for _, nodes := range [][]LineageNode{l.Upstream, l.Downstream} {
		for _, n := range append([]LineageNode{l.Root}, nodes...) {
			for _, c := range g.Children(n.Index) {
				ci := int(c)
				if !l.shown(ci) || seen[[2]int{n.Index, ci}] {
					continue
				}
				seen[[2]int{n.Index, ci}] = true
				edges = append(edges, LineageEdge{From: g.Nodes[n.Index].UniqueID, To: g.Nodes[ci].UniqueID})
			}
		}
	}
	sort.Slice(edges, func(a, b int) bool {
		if edges[a].From != edges[b].From {
			return edges[a].From < edges[b].From
		}
		return edges[a].To < edges[b].To
	})
	return edges
}

// RenderLineage writes the lineage in one of LineageFormats.
func RenderLineage(w io.Writer, l *Lineage, format string) error {
	var s string
	switch format {
	case FormatTree, "":
		s = l.Tree()
	case FormatJSON:
		b, err := json.MarshalIndent(l, "", "  ")
		if err != nil {
			return err
		}
		s = string(b) + "\n"
	case FormatDOT:
		s = l.DOT()
	case FormatMermaid:
		s = l.Mermaid()
	default:
		return fmt.Errorf("unknown format %q (use one of %s)", format, strings.Join(LineageFormats(), ", "))
	}
	_, err := io.WriteString(w, s)
	return err
}

// nodeLabel is a node's name and kind for the text tree: "fct_revenue  model · table".
func nodeLabel(n *dbt.Node) string {
	kind := n.ResourceType
	if n.ResourceType == "model" && n.Config.Materialized != "" {
		kind += " · " + n.Config.Materialized
	}
	if n.ResourceType == "exposure" && n.ExposureType != "" {
		kind += " · " + n.ExposureType
	}
	return DisplayName(n) + "  " + kind
}

// Tree renders the lineage as two box-drawing trees under the node: upstream (what it reads)
// and downstream (what reads it). A node reached twice is expanded once; later occurrences are
// marked "(shown above)", and "…" marks nodes with relatives beyond the depth limit.
func (l *Lineage) Tree() string {
	var b strings.Builder
	root := &l.g.Nodes[l.root]
	b.WriteString(nodeLabel(root))
	if root.OriginalPath != "" {
		b.WriteString("  " + root.OriginalPath)
	}
	b.WriteString("\n")
	type side struct {
		title string
		up    bool
		depth int
		count int
	}
	var sides []side
	if l.opts.Upstream != 0 {
		sides = append(sides, side{"upstream", true, l.opts.Upstream, len(l.Upstream)})
	}
	if l.opts.Downstream != 0 {
		sides = append(sides, side{"downstream", false, l.opts.Downstream, len(l.Downstream)})
	}
	for k, s := range sides {
		branch, indent := "├── ", "│   "
		if k == len(sides)-1 {
			branch, indent = "└── ", "    "
		}
		depth := "all levels"
		if s.depth > 0 {
			depth = dbt.Plural(s.depth, "level", "levels")
		}
		fmt.Fprintf(&b, "%s%s (%d, %s)\n", branch, s.title, s.count, depth)
		lines := l.TreeLines(s.up, nil)
		if len(lines) == 0 {
			b.WriteString(indent + "(none)\n")
		}
		for _, tl := range lines {
			b.WriteString(indent + tl.Prefix + nodeLabel(&l.g.Nodes[tl.Index]))
			switch {
			case tl.Repeat:
				b.WriteString("  (shown above)")
			case tl.More:
				b.WriteString("  …")
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// TreeLine is one row of a lineage tree, for screens that draw the tree themselves.
type TreeLine struct {
	Prefix string // box-drawing prefix
	Index  int    // node index, -1 for a "…" line
	Depth  int
	// Repeat is set when the node was already expanded higher up.
	Repeat bool
	// More is set when the node has further relatives beyond the depth limit.
	More bool
	// HasKids reports whether the node has visible relatives in this direction.
	HasKids bool
}

// TreeLines returns the rows of one direction of the tree (up=true: ancestors), skipping the
// subtrees of nodes in collapsed. It is what Tree draws, as data.
func (l *Lineage) TreeLines(up bool, collapsed map[int]bool) []TreeLine {
	next, depth := l.g.Children, l.opts.Downstream
	if up {
		next, depth = l.g.Parents, l.opts.Upstream
	}
	if depth == 0 {
		return nil
	}
	var out []TreeLine
	expanded := map[int]bool{}
	var rec func(i, d int, prefix string)
	rec = func(i, d int, prefix string) {
		kids := l.visibleKids(i, next)
		for k, c := range kids {
			last := k == len(kids)-1
			branch, indent := "├── ", "│   "
			if last {
				branch, indent = "└── ", "    "
			}
			ck := l.visibleKids(c, next)
			tl := TreeLine{Prefix: prefix + branch, Index: c, Depth: d, HasKids: len(ck) > 0}
			switch {
			case expanded[c]:
				tl.Repeat = true
				out = append(out, tl)
			case depth > 0 && d >= depth:
				tl.More = len(ck) > 0
				out = append(out, tl)
			default:
				expanded[c] = true
				out = append(out, tl)
				if !collapsed[c] {
					rec(c, d+1, prefix+indent)
				}
			}
		}
	}
	rec(l.root, 1, "")
	return out
}

func (l *Lineage) visibleKids(i int, next func(int) []int32) []int {
	var kids []int
	for _, c := range next(i) {
		if l.visible(int(c)) && int(c) != l.root {
			kids = append(kids, int(c))
		}
	}
	sort.Slice(kids, func(a, b int) bool {
		na, nb := &l.g.Nodes[kids[a]], &l.g.Nodes[kids[b]]
		if na.ResourceType != nb.ResourceType {
			return na.ResourceType < nb.ResourceType
		}
		return DisplayName(na) < DisplayName(nb)
	})
	return kids
}

// lineageIndexes returns the root, upstream and downstream node indexes.
func (l *Lineage) lineageIndexes() []int {
	out := []int{l.root}
	for _, n := range l.Upstream {
		out = append(out, n.Index)
	}
	for _, n := range l.Downstream {
		out = append(out, n.Index)
	}
	return out
}

// DOT renders the lineage for Graphviz (`dot -Tsvg`), left to right, the node in bold.
func (l *Lineage) DOT() string {
	var b strings.Builder
	b.WriteString("digraph lineage {\n  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	for _, i := range l.lineageIndexes() {
		n := &l.g.Nodes[i]
		attrs := fmt.Sprintf("label=%s", strconv.Quote(DisplayName(n)+"\n"+n.ResourceType))
		if i == l.root {
			attrs += ", style=\"rounded,bold\", penwidth=2"
		}
		switch n.ResourceType {
		case "source":
			attrs += ", shape=cylinder"
		case "exposure":
			attrs += ", shape=hexagon"
		case "seed":
			attrs += ", shape=note"
		}
		fmt.Fprintf(&b, "  %s [%s];\n", strconv.Quote(n.UniqueID), attrs)
	}
	for _, e := range l.Edges {
		fmt.Fprintf(&b, "  %s -> %s;\n", strconv.Quote(e.From), strconv.Quote(e.To))
	}
	b.WriteString("}\n")
	return b.String()
}

// Mermaid renders the lineage as a Mermaid flowchart (GitHub renders these in Markdown).
func (l *Lineage) Mermaid() string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	ids := map[string]string{}
	for k, i := range l.lineageIndexes() {
		n := &l.g.Nodes[i]
		id := "n" + strconv.Itoa(k)
		ids[n.UniqueID] = id
		// The kind under the name, as in DOT: a model, a semantic model and a metric may all
		// be called orders.
		label := strings.NewReplacer(`"`, "#quot;").Replace(DisplayName(n)) + "<br/>" + n.ResourceType
		open, closeB := "[\"", "\"]"
		switch n.ResourceType {
		case "source":
			open, closeB = "[(\"", "\")]"
		case "exposure":
			open, closeB = "{{\"", "\"}}"
		case "seed":
			open, closeB = "[/\"", "\"/]"
		}
		fmt.Fprintf(&b, "  %s%s%s%s\n", id, open, label, closeB)
	}
	for _, e := range l.Edges {
		fmt.Fprintf(&b, "  %s --> %s\n", ids[e.From], ids[e.To])
	}
	fmt.Fprintf(&b, "  classDef selected stroke-width:3px\n  class %s selected\n", ids[l.Root.UniqueID])
	return b.String()
}
