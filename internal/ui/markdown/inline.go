package markdown

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"

	"github.com/datatui/datatui/internal/mdtree"
	"github.com/datatui/datatui/internal/termsafe"
)

// frag is a piece of a paragraph: a word (or part of one), a space, or a forced line break.
// Its text is terminal-safe and has no newline.
type frag struct {
	text string
	w    int // cells
	f    flags
	href string // the hyperlink (OSC 8) it is part of, in colour styles
	link int    // 1 + mdtree.Start of the link that starts here, or 0
	// space is a break opportunity (drawn as one space unless at a line's end); brk forces a
	// new line; keep is a piece that never breaks (a heading's "## ").
	space, brk, keep bool
}

// inlines collects n's inline content as frags, with flags f around all of it.
func (r *render) inlines(n ast.Node, f flags, out []frag) []frag {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = r.inline(c, f, "", out)
	}
	return out
}

func (r *render) inline(n ast.Node, f flags, href string, out []frag) []frag {
	switch t := n.(type) {
	case *ast.Text:
		v := t.Segment.Value(r.src)
		if !t.IsRaw() {
			v = mdtree.Unescape(v)
		}
		out = r.appendLinkText(out, string(v), f, href)
		switch {
		case t.HardLineBreak():
			out = append(out, frag{brk: true})
		case t.SoftLineBreak():
			out = append(out, frag{text: " ", w: 1, f: f, href: href, space: true})
		}
		return out
	case *ast.String:
		return r.appendLinkText(out, string(t.Value), f, href)
	case *ast.CodeSpan:
		var sb strings.Builder
		for c := t.FirstChild(); c != nil; c = c.NextSibling() {
			if tx, ok := c.(*ast.Text); ok {
				sb.Write(tx.Segment.Value(r.src))
			}
		}
		return r.appendLinkText(out, strings.ReplaceAll(sb.String(), "\n", " "), f|fCode, href)
	case *ast.Emphasis:
		if t.Level >= 2 {
			f |= fBold
		} else {
			f |= fItalic
		}
	case *east.Strikethrough:
		f |= fStrike
	case *east.TaskCheckBox:
		box := r.th.unchecked
		if t.IsChecked {
			box = r.th.checked
		}
		out = r.appendText(out, box, f|fMuted)
		return append(out, frag{text: " ", w: 1, space: true})
	case *ast.Link, *ast.AutoLink:
		return r.link(n, f, out)
	case *ast.Image:
		alt := mdtree.Text(t, r.src)
		return r.appendText(out, "["+strings.TrimSpace("image "+alt)+"]", f|fMuted)
	case *ast.RawHTML:
		// Inline tags are markup; a <br> is a line break.
		var sb strings.Builder
		for i := range t.Segments.Len() {
			s := t.Segments.At(i)
			sb.Write(s.Value(r.src))
		}
		if tag := strings.ToLower(strings.ReplaceAll(sb.String(), " ", "")); tag == "<br>" || tag == "<br/>" {
			out = append(out, frag{brk: true})
		}
		return out
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		out = r.inline(c, f, href, out)
	}
	return out
}

// link renders a link's text, then its destination when the reader needs to see it. The
// first piece of the link carries its key, so its row is known after wrapping.
func (r *render) link(n ast.Node, f flags, out []frag) []frag {
	dest, _ := mdtree.Destination(n, r.src)
	dest = termsafe.Line(dest)
	shown := dest
	if r.showLink != nil {
		shown = r.showLink(dest)
	}
	href := ""
	if r.th.color && shown != "" && (strings.Contains(dest, "://") || strings.HasPrefix(dest, "mailto:")) {
		href = dest
	}
	start := len(out)
	if al, ok := n.(*ast.AutoLink); ok {
		out = r.appendLinkText(out, string(al.Label(r.src)), f|fLink, href)
	} else {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			out = r.inline(c, f|fLink, href, out)
		}
	}
	text := fragText(out[start:])
	if shown != "" && shown != text && "mailto:"+text != shown {
		if r.th.color {
			out = append(out, frag{text: " ", w: 1, space: true})
			out = r.appendLinkText(out, shown, f|fURL, href)
		} else {
			out = r.appendText(out, " ("+shown+")", f)
		}
	}
	key := 1 + mdtree.Start(n)
	for i := start; i < len(out); i++ {
		if !out[i].space && !out[i].brk {
			out[i].link = key
			return out
		}
	}
	// A link with nothing to show marks where it would have been.
	return append(out, frag{link: key, keep: true})
}

func fragText(fs []frag) string {
	var sb strings.Builder
	for _, f := range fs {
		sb.WriteString(f.text)
	}
	return strings.TrimSpace(sb.String())
}

func (r *render) appendText(out []frag, s string, f flags) []frag {
	return r.appendLinkText(out, s, f, "")
}

// appendLinkText splits s into words and spaces. Tabs are spaces; every other control is
// shown as a visible symbol (termsafe), so nothing in a guide can reach the terminal as a
// command.
func (r *render) appendLinkText(out []frag, s string, f flags, href string) []frag {
	if strings.IndexByte(s, '\t') >= 0 {
		s = strings.ReplaceAll(s, "\t", " ")
	}
	s = termsafe.Line(s)
	for s != "" {
		if s[0] == ' ' {
			out = append(out, frag{text: " ", w: 1, f: f, href: href, space: true})
			s = strings.TrimLeft(s, " ")
			continue
		}
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			i = len(s)
		}
		out = append(out, frag{text: s[:i], w: cells(s[:i]), f: f, href: href})
		s = s[i:]
	}
	return out
}

// cells is the width of s (text without escape sequences).
func cells(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// wrap lays frags out in lines of at most width cells, breaking at spaces (words wider than
// a line are cut), and records the row of every frag with a key.
func (r *render) wrap(frags []frag, width int) block {
	width = max(width, 1)
	var out block
	if len(frags) == 0 {
		return out
	}
	var line []frag
	lineW := 0
	flush := func() {
		out.lines = append(out.lines, r.draw(line))
		line, lineW = line[:0], 0
	}
	var word []frag
	wordW := 0
	var space *frag
	place := func() {
		if len(word) == 0 {
			return
		}
		if lineW > 0 && lineW+1+wordW > width {
			flush()
			space = nil
		}
		if lineW > 0 && space != nil {
			line = append(line, *space)
			lineW++
		}
		space = nil
		for k, w := range word {
			// Kept frags are never cut, so room is left for those that end the word (the
			// title band's last cell).
			glued := 0
			for _, after := range word[k+1:] {
				if after.keep {
					glued += after.w
				}
			}
			for !w.keep && lineW+w.w+glued > width {
				// The word is wider than a line: cut it at the line's end.
				head, tail := cut(w, width-lineW-glued)
				if head.w == 0 {
					if lineW == 0 {
						break // a character wider than the whole line
					}
					flush()
					continue
				}
				r.mark(&out, head)
				line = append(line, head)
				flush()
				w = tail
			}
			r.mark(&out, w)
			line = append(line, w)
			lineW += w.w
		}
		word, wordW = word[:0], 0
	}
	for i := range frags {
		fr := frags[i]
		switch {
		case fr.brk:
			place()
			flush()
			space = nil
		case fr.space:
			place()
			if space == nil && lineW > 0 {
				space = &frags[i]
			}
		default:
			word = append(word, fr)
			wordW += fr.w
		}
	}
	place()
	if len(line) > 0 || len(out.lines) == 0 {
		flush()
	}
	for len(out.lines) > 1 && out.lines[len(out.lines)-1] == "" {
		out.lines = out.lines[:len(out.lines)-1]
	}
	return out
}

// mark records the row of a frag that starts a link (the row being filled).
func (r *render) mark(b *block, f frag) {
	if f.link > 0 {
		b.marks = append(b.marks, mark{f.link - 1, len(b.lines)})
	}
}

// cut splits a frag after n cells.
func cut(f frag, n int) (frag, frag) {
	head, tail := f, f
	head.text = ansi.Cut(f.text, 0, n)
	head.w = cells(head.text)
	tail.text = f.text[len(head.text):]
	tail.w = f.w - head.w
	tail.link = 0
	return head, tail
}

// draw writes a line of frags: runs with the same flags share one SGR sequence, links are
// OSC 8 hyperlinks, and trailing spaces are dropped.
func (r *render) draw(line []frag) string {
	for len(line) > 0 && line[len(line)-1].space {
		line = line[:len(line)-1]
	}
	var sb strings.Builder
	href := ""
	for i := 0; i < len(line); {
		f := line[i]
		if f.href != href {
			if href != "" {
				sb.WriteString(ansi.ResetHyperlink())
			}
			if f.href != "" {
				sb.WriteString(ansi.SetHyperlink(f.href))
			}
			href = f.href
		}
		j := i + 1
		for j < len(line) && line[j].f == f.f && line[j].href == f.href {
			j++
		}
		sgr := r.th.sgr(f.f)
		sb.WriteString(sgr)
		for _, g := range line[i:j] {
			sb.WriteString(g.text)
		}
		if sgr != "" {
			sb.WriteString(reset)
		}
		i = j
	}
	if href != "" {
		sb.WriteString(ansi.ResetHyperlink())
	}
	return sb.String()
}
