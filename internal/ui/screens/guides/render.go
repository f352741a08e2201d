package guides

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/markdown"
)

// renderKey identifies one rendering of a guide: the same guide at another width or in another
// theme is another rendering. Origin is part of it so that a reloaded team guide re-renders.
type renderKey struct {
	slug   string
	origin string
	width  int
	style  string
}

// doc is a rendered guide plus where its parts landed in the rendered lines, so the reader
// can jump to headings, links, code blocks and search hits. Glamour gives no source map, so
// the rows are found by looking for each part's text in order (see locate).
type doc struct {
	key   renderKey
	lines []string // rendered, with styles
	plain []string // the same lines without styles, lower-cased
	// headingRows[i], linkRows[i] and codeRows[i] are the rendered rows of the guide's
	// Headings[i], Links[i] and CodeBlocks[i].
	headingRows []int
	linkRows    []int
	codeRows    []int
	// partial is set on the first screens of a long guide shown while the rest renders.
	partial bool
}

// firstScreenLines is how much of a long guide is rendered before the reader shows it.
const firstScreenLines = 120

// maxCachedDocs bounds the render cache (a few guides at a few widths and themes).
const maxCachedDocs = 24

// renderDoc renders g for the reader. It runs in a task: glamour on a long guide takes
// tens of milliseconds, too long for the UI thread. With first set, the top of a long guide
// is handed to it as soon as it is rendered, so the reader can show it while the rest renders.
func renderDoc(r *markdown.Renderer, lib *guides.Library, g *guides.Guide, key renderKey, first func(*doc)) (*doc, error) {
	md := readerMarkdown(lib, g)
	var early func(string)
	if first != nil {
		early = func(out string) { first(newDoc(key, out, g, true)) }
	}
	out, err := r.RenderFirst(md, key.style, key.width, firstScreenLines, early)
	if err != nil {
		return nil, err
	}
	return newDoc(key, out, g, false), nil
}

func newDoc(key renderKey, out string, g *guides.Guide, partial bool) *doc {
	d := &doc{key: key, lines: strings.Split(out, "\n"), partial: partial}
	d.plain = make([]string, len(d.lines))
	for i, l := range d.lines {
		d.plain[i] = strings.ToLower(ansi.Strip(l))
	}
	d.locate(g)
	return d
}

// readerMarkdown is the guide's body with the destinations of links between guides replaced
// by bare anchors, which glamour shows as link text only: the reader follows them itself, and
// "other-guide.md#some-heading" after every link is noise on screen.
func readerMarkdown(lib *guides.Library, g *guides.Guide) string {
	return reflowItems(g.RewriteLinks(func(l guides.Link) string {
		if lib != nil {
			if t, err := lib.Resolve(g, l.Target); err == nil && t.External() {
				return l.Target
			}
		}
		if strings.Contains(l.Target, "://") || strings.HasPrefix(l.Target, "mailto:") {
			return l.Target
		}
		return "#guide"
	}))
}

// reflowItems joins the hand-wrapped continuation lines of list items into one source line,
// so glamour wraps each item to the pane like a paragraph (it reflows paragraphs, but keeps
// the line breaks inside list items, which leaves ragged bullets). Code blocks, tables, block
// quotes, hard breaks (two trailing spaces or a backslash) and nested items are left alone.
func reflowItems(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	fence := ""
	inItem := false
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			out = append(out, l)
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			inItem = false
			out = append(out, l)
			continue
		}
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case t == "":
			inItem = false
		case listMarker(t):
			inItem = true
		case inItem && indent >= 2 && !blockStart(t) && !hardBreak(out[len(out)-1]):
			out[len(out)-1] += " " + strings.TrimLeft(l, " ") // keeps a trailing hard break
			continue
		default:
			inItem = false
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// listMarker reports whether t starts a list item: "- ", "* ", "+ " or "1. ".
func listMarker(t string) bool {
	if len(t) >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ' {
		return true
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	return i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && t[i+1] == ' '
}

// blockStart reports whether t begins a block that must stay on its own line.
func blockStart(t string) bool {
	return listMarker(t) || strings.HasPrefix(t, "#") || strings.HasPrefix(t, ">") || strings.HasPrefix(t, "|") ||
		strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") || strings.HasPrefix(t, "<")
}

// hardBreak reports whether a source line ends with a markdown hard line break.
func hardBreak(l string) bool { return strings.HasSuffix(l, "  ") || strings.HasSuffix(l, "\\") }

// locate finds the rendered rows of headings, code blocks and links. Parts are searched in
// source order, each from the row of the part before it, so repeated words land on the right
// occurrence.
func (d *doc) locate(g *guides.Guide) {
	type part struct {
		line int // source line
		kind int // 0 heading, 1 code, 2 link
		idx  int
		text string
	}
	var parts []part
	for i, h := range g.Headings {
		parts = append(parts, part{h.Line, 0, i, strings.ToLower(h.Text)})
	}
	for i, c := range g.CodeBlocks {
		first := ""
		for l := range strings.SplitSeq(c.Code, "\n") {
			if t := strings.TrimSpace(l); t != "" {
				first = strings.ToLower(t)
				break
			}
		}
		parts = append(parts, part{c.Line, 1, i, first})
	}
	for i, l := range g.Links {
		parts = append(parts, part{l.Line, 2, i, strings.ToLower(l.Text)})
	}
	// Stable by line: on one line a heading comes before its links.
	sortParts := func(a, b part) bool {
		if a.line != b.line {
			return a.line < b.line
		}
		return a.kind == 0 && b.kind != 0
	}
	for i := 1; i < len(parts); i++ {
		for j := i; j > 0 && sortParts(parts[j], parts[j-1]); j-- {
			parts[j], parts[j-1] = parts[j-1], parts[j]
		}
	}
	d.headingRows = make([]int, len(g.Headings))
	d.codeRows = make([]int, len(g.CodeBlocks))
	d.linkRows = make([]int, len(g.Links))
	row := 0
	for _, p := range parts {
		r := d.find(p.text, row, p.kind == 0)
		if r < 0 {
			r = row // not found (wrapped or restyled): stay near the previous part
		} else {
			row = r
		}
		switch p.kind {
		case 0:
			d.headingRows[p.idx] = r
		case 1:
			d.codeRows[p.idx] = r
		default:
			d.linkRows[p.idx] = r
		}
	}
}

// find returns the first row at or after from whose text contains text. For headings a row
// that is only the heading (with its "##" marks) is preferred over prose that mentions it.
// Text that wrapped over two rows is found by its first words.
func (d *doc) find(text string, from int, heading bool) int {
	if text == "" {
		return -1
	}
	if heading {
		for r := from; r < len(d.plain); r++ {
			t := strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(d.plain[r]), "#"))
			if t == text {
				return r
			}
		}
	}
	for r := from; r < len(d.plain); r++ {
		if strings.Contains(d.plain[r], text) {
			return r
		}
	}
	if f := strings.Fields(text); len(f) > 1 {
		prefix := strings.Join(f[:(len(f)+1)/2], " ")
		for r := from; r < len(d.plain); r++ {
			if strings.Contains(d.plain[r], prefix) {
				return r
			}
		}
	}
	return -1
}

// hitRows lists the rows containing the query: the whole phrase when the guide has it, else
// any of its words.
func (d *doc) hitRows(query string) []int {
	phrase := strings.Join(strings.Fields(strings.ToLower(query)), " ")
	if phrase == "" {
		return nil
	}
	var rows []int
	for r, l := range d.plain {
		if strings.Contains(l, phrase) {
			rows = append(rows, r)
		}
	}
	if len(rows) > 0 {
		return rows
	}
	terms := guides.Terms(query)
	for r, l := range d.plain {
		for _, t := range terms {
			if strings.Contains(l, t) {
				rows = append(rows, r)
				break
			}
		}
	}
	return rows
}

// rowForLine maps a line of the guide's file to a rendered row: the row of the heading above
// it, then the first row after that containing the query's text.
func (d *doc) rowForLine(g *guides.Guide, line int, query string) int {
	start := 0
	for i, h := range g.Headings {
		if h.Line > line {
			break
		}
		start = d.headingRows[i]
	}
	for _, r := range d.hitRows(query) {
		if r >= start {
			return r
		}
	}
	return start
}
