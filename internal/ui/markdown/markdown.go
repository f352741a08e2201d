// Package markdown renders handbook markdown for the terminal: headings, paragraphs with
// emphasis, code spans and links, nested lists and task lists, code blocks with a small
// highlighter (SQL, YAML, shell), block quotes, GitHub tables and rules, wrapped to a width,
// in a style that follows the terminal's background (dark or light) or in plain text
// (NO_COLOR).
//
// It draws the syntax tree of internal/mdtree, the same tree the guides package takes its
// headings, links and code blocks from, and reports the row each of them landed on, so the
// reader can jump to them without searching the rendered text. Every string it draws is made
// terminal-safe here (termsafe), whatever the caller passes in.
//
// A 2,000-line guide renders in a few milliseconds on one core (BenchmarkRender in the guides
// screen), so there is no parallel rendering; the reader can still be handed the first screens
// of a document before the rest (RenderDoc's first).
package markdown

import (
	"slices"
	"strings"

	"github.com/yuin/goldmark/ast"

	"github.com/datatui/datatui/internal/mdtree"
)

// MinWidth is the narrowest wrap width; narrower panes are clipped rather than wrapped into
// one word per line.
const MinWidth = 20

// margin is the blank columns left of the text, as in glow.
const margin = 2

// Options say how to render a document.
type Options struct {
	// Style is "dark", "light", "notty" (plain text) or "ascii" (plain ASCII).
	Style string
	// Width is the width in columns to wrap to (at least MinWidth).
	Width int
	// Link returns what to show after a link's text for its destination: nil shows the
	// destination itself, and "" shows the text alone (a link the reader follows itself).
	Link func(dest string) string
}

// Doc is a rendered document.
type Doc struct {
	// Lines are the rendered lines, without trailing spaces.
	Lines []string
	// Rows maps where a heading, link or code block starts in the source (mdtree.Start) to
	// the first row that shows it.
	Rows map[int]int
}

// String is the document as one text, lines joined by newlines.
func (d *Doc) String() string { return strings.Join(d.Lines, "\n") }

// Renderer renders markdown. It keeps nothing between documents and is safe for concurrent
// use; it exists so callers hold one thing to render with.
type Renderer struct{}

// NewRenderer returns a renderer.
func NewRenderer() *Renderer { return &Renderer{} }

// Render renders md with style ("dark", "light", "notty", "ascii") wrapped to width columns.
// Lines end without trailing padding and the document has no blank lines around it.
func (r *Renderer) Render(md string, style string, width int) (string, error) {
	d, err := r.RenderDoc(md, Options{Style: style, Width: width}, 0, nil)
	if err != nil {
		return "", err
	}
	return d.String(), nil
}

// RenderDoc renders md. With first set, a document longer than firstLines is also handed to
// first when its top blocks fill firstLines rows, before the rest is rendered.
func (r *Renderer) RenderDoc(md string, opt Options, firstLines int, first func(*Doc)) (*Doc, error) {
	th, err := themeFor(opt.Style)
	if err != nil {
		return nil, err
	}
	src := []byte(md)
	rd := &render{th: th, src: src, showLink: opt.Link}
	width := max(opt.Width, MinWidth) - margin
	pad := strings.Repeat(" ", margin)
	var out block
	for n := mdtree.Parse(src).FirstChild(); n != nil; n = n.NextSibling() {
		b := rd.block(n, width)
		if len(b.lines) == 0 {
			continue
		}
		if len(out.lines) > 0 {
			out.lines = append(out.lines, "")
		}
		out.add(b, pad, pad)
		if first != nil && len(out.lines) >= firstLines && n.NextSibling() != nil {
			first(out.doc())
			first = nil
		}
	}
	return out.doc(), nil
}

// block is rendered lines plus the rows (relative to its first line) of what it marks.
type block struct {
	lines []string
	marks []mark
}

type mark struct{ key, row int }

// doc is a copy of the block as a document: a key marked twice keeps its first row.
func (o *block) doc() *Doc {
	d := &Doc{Lines: slices.Clone(o.lines), Rows: make(map[int]int, len(o.marks))}
	for _, m := range o.marks {
		if _, ok := d.Rows[m.key]; !ok {
			d.Rows[m.key] = m.row
		}
	}
	return d
}

// add appends b's lines (each prefixed: first for b's first line, rest for the others).
func (o *block) add(b block, first, rest string) {
	base := len(o.lines)
	for _, m := range b.marks {
		o.marks = append(o.marks, mark{m.key, base + m.row})
	}
	for i, l := range b.lines {
		p := rest
		if i == 0 {
			p = first
		}
		if l == "" {
			p = strings.TrimRight(p, " ")
		}
		o.lines = append(o.lines, p+l)
	}
}

// render is one document being rendered.
type render struct {
	th       *theme
	src      []byte
	showLink func(string) string
	// depth is how many lists the current block is inside (for the bullet).
	depth int
}

// blocks renders n's children one after another, with a blank line between them unless
// tight (the items of a tight list).
func (r *render) blocks(n ast.Node, width int, tight bool) block {
	var out block
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		b := r.block(c, width)
		if len(b.lines) == 0 {
			continue
		}
		if len(out.lines) > 0 && !tight {
			out.lines = append(out.lines, "")
		}
		out.add(b, "", "")
	}
	return out
}

func (r *render) block(n ast.Node, width int) block {
	switch t := n.(type) {
	case *ast.Heading:
		return r.heading(t, width)
	case *ast.Paragraph, *ast.TextBlock:
		return r.paragraph(n, width, 0)
	case *ast.List:
		return r.list(t, width)
	case *ast.Blockquote:
		bar := r.th.bar + " "
		if r.th.color {
			bar = r.th.sgr(fRule) + r.th.bar + reset + " "
		}
		var out block
		out.add(r.blocks(t, width-2, false), bar, bar)
		return out
	case *ast.FencedCodeBlock, *ast.CodeBlock:
		return r.codeBlock(n, width)
	case *ast.ThematicBreak:
		return block{lines: []string{r.styled(strings.Repeat(r.th.rule, width), fRule)}}
	case *ast.HTMLBlock:
		return r.htmlBlock(t, width)
	}
	if mdtree.IsTable(n) {
		return r.table(n, width)
	}
	return r.blocks(n, width, false)
}

func (r *render) heading(h *ast.Heading, width int) block {
	f := fH3
	prefix := strings.Repeat("#", h.Level) + " "
	switch {
	case h.Level == 1 && r.th.color:
		// The title stands on its own coloured band, as in glow.
		f, prefix = fH1, " "
	case h.Level == 1:
		f = fH1
	case h.Level == 2:
		f = fH2
	}
	frags := r.inlines(h, f, nil)
	if len(frags) == 0 {
		return block{}
	}
	frags = append([]frag{{text: prefix, w: len(prefix), f: f, keep: true}}, frags...)
	if f == fH1 && r.th.color {
		frags = append(frags, frag{text: " ", w: 1, f: f, keep: true})
	}
	b := r.wrap(frags, width)
	b.marks = append([]mark{{mdtree.Start(h), 0}}, b.marks...)
	return b
}

// paragraph wraps an inline container's text.
func (r *render) paragraph(n ast.Node, width int, f flags) block {
	return r.wrap(r.inlines(n, f, nil), width)
}

func (r *render) list(l *ast.List, width int) block {
	var out block
	n := l.Start
	bullet := r.th.bullets[min(r.depth, len(r.th.bullets)-1)]
	markW := len([]rune(bullet)) + 1
	if l.IsOrdered() {
		markW = len(itoa(l.Start+l.ChildCount()-1)) + 2
	}
	r.depth++
	defer func() { r.depth-- }()
	for it := l.FirstChild(); it != nil; it = it.NextSibling() {
		marker := bullet
		if l.IsOrdered() {
			marker = itoa(n) + string(l.Marker)
			n++
		}
		gap := strings.Repeat(" ", max(1, markW-len([]rune(marker))))
		marker = r.styled(marker, fMuted) + gap
		b := r.blocks(it, width-markW, l.IsTight)
		if len(b.lines) == 0 {
			b.lines = []string{""}
		}
		if len(out.lines) > 0 && !l.IsTight {
			out.lines = append(out.lines, "")
		}
		out.add(b, marker, strings.Repeat(" ", markW))
	}
	return out
}

func (r *render) htmlBlock(h *ast.HTMLBlock, width int) block {
	raw := mdtree.Lines(h, r.src)
	if h.HasClosure() {
		c := h.ClosureLine
		raw += "\n" + string(c.Value(r.src))
	}
	t := strings.TrimSpace(raw)
	if strings.HasPrefix(t, "<!--") {
		return block{} // a comment is for the file's readers, not the guide's
	}
	var frags []frag
	for l := range strings.SplitSeq(t, "\n") {
		frags = r.appendText(frags, l, fMuted)
		frags = append(frags, frag{brk: true})
	}
	return r.wrap(frags, width)
}

const reset = "\x1b[m"

// styled is text in the style of f.
func (r *render) styled(s string, f flags) string {
	if sgr := r.th.sgr(f); sgr != "" && s != "" {
		return sgr + s + reset
	}
	return s
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
