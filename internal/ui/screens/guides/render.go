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
// can jump to headings, links, code blocks and search hits.
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

// renderDoc renders g for the reader. It runs in a task, off the UI thread. With first set,
// the top of a long guide is handed to it as soon as it is rendered, so the reader can show
// it while the rest renders.
func renderDoc(r *markdown.Renderer, g *guides.Guide, key renderKey, first func(*doc)) (*doc, error) {
	opt := markdown.Options{Style: key.style, Width: key.width, Link: func(dest string) string {
		// A web link shows where it goes; links between guides show their text only: the
		// reader follows them itself, and "other-guide.md#some-heading" after every link is
		// noise on screen.
		if strings.Contains(dest, "://") || strings.HasPrefix(dest, "mailto:") {
			return dest
		}
		return ""
	}}
	var early func(*markdown.Doc)
	if first != nil {
		early = func(md *markdown.Doc) { first(newDoc(key, md, g, true)) }
	}
	md, err := r.RenderDoc(g.Body, opt, firstScreenLines, early)
	if err != nil {
		return nil, err
	}
	return newDoc(key, md, g, false), nil
}

func newDoc(key renderKey, md *markdown.Doc, g *guides.Guide, partial bool) *doc {
	d := &doc{key: key, lines: md.Lines, partial: partial}
	d.plain = make([]string, len(d.lines))
	for i, l := range d.lines {
		d.plain[i] = strings.ToLower(ansi.Strip(l))
	}
	// The renderer says where each heading, link and code block landed, by where it starts in
	// the guide's body. One not rendered yet (the first screens of a long guide) stays at the
	// row of the one before it.
	rows := func(n int, offset func(int) int) []int {
		out := make([]int, n)
		last := 0
		for i := range out {
			if r, ok := md.Rows[offset(i)]; ok {
				last = r
			}
			out[i] = last
		}
		return out
	}
	d.headingRows = rows(len(g.Headings), func(i int) int { return g.Headings[i].Offset })
	d.linkRows = rows(len(g.Links), func(i int) int { return g.Links[i].Offset })
	d.codeRows = rows(len(g.CodeBlocks), func(i int) int { return g.CodeBlocks[i].Offset })
	return d
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
