// Package mdtree parses handbook markdown into goldmark's syntax tree, configured once, so that
// everything reading a guide agrees on what is in it: the terminal renderer
// (internal/ui/markdown) draws the tree, and the guides package takes the table of contents,
// links and code blocks from the same tree. Positions are byte offsets into the source (Start),
// which is how the renderer tells the reader where each heading, link and code block landed.
//
// The dialect is CommonMark with GitHub's tables, strikethrough and bare-URL links, which is
// what GitHub shows for the same files. Nothing is built at start-up: the parser is made on
// first use.
package mdtree

import (
	"bytes"
	"strings"
	"sync"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// The parser is built on first use (not at start-up); goldmark's parser keeps no state
// between documents, so one serves every goroutine.
var (
	parserOnce sync.Once
	theParser  parser.Parser
)

// Parse parses src. The tree's segments point into src, which must not change while the tree
// is in use.
func Parse(src []byte) ast.Node {
	parserOnce.Do(func() {
		theParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough,
			extension.Linkify, extension.TaskList)).Parser()
	})
	return theParser.Parse(text.NewReader(src))
}

// Start is the byte offset in the source where n begins: its first line for a block, its
// first piece of text for an inline. Nodes without text of their own (an empty link, a link
// around an image) take the position of the nearest text after them in their block, so
// every node has one. It is -1 only for an empty document.
func Start(n ast.Node) int {
	if n.Type() == ast.TypeBlock {
		if l := n.Lines(); l != nil && l.Len() > 0 {
			return l.At(0).Start
		}
	}
	switch t := n.(type) {
	case *ast.Text:
		return t.Segment.Start
	case *ast.AutoLink:
		return autoLinkStart(t)
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if s := Start(c); s >= 0 {
			return s
		}
	}
	if n.Type() == ast.TypeInline {
		// An inline with no text: the position of what follows it, else of its block.
		for p := n; p != nil; p = p.Parent() {
			for s := p.NextSibling(); s != nil; s = s.NextSibling() {
				if o := Start(s); o >= 0 {
					return o
				}
			}
			if p.Type() == ast.TypeBlock {
				if l := p.Lines(); l != nil && l.Len() > 0 {
					return l.At(0).Start
				}
			}
		}
	}
	return -1
}

// autoLinkStart places an autolink: goldmark keeps its segment private, so it is where the
// text before it ends (one past the autolink before it, or its block's first line). The
// offsets are only compared with each other, so being a character early does not matter.
func autoLinkStart(n *ast.AutoLink) int {
	switch p := n.PreviousSibling().(type) {
	case *ast.Text:
		return p.Segment.Stop
	case *ast.AutoLink:
		return autoLinkStart(p) + 1
	}
	for b := n.Parent(); b != nil; b = b.Parent() {
		if b.Type() == ast.TypeBlock {
			if l := b.Lines(); l != nil && l.Len() > 0 {
				return l.At(0).Start
			}
		}
	}
	return 0
}

// Text is the plain text of an inline container (a heading, a link, a table cell): its text
// and code spans, with escapes and character references resolved and emphasis marks gone;
// line breaks become spaces and runs of spaces one.
func Text(n ast.Node, src []byte) string {
	if al, ok := n.(*ast.AutoLink); ok {
		return string(al.Label(src))
	}
	var sb strings.Builder
	appendText(&sb, n, src)
	return strings.Join(strings.Fields(sb.String()), " ")
}

func appendText(sb *strings.Builder, n ast.Node, src []byte) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch t := c.(type) {
		case *ast.Text:
			if t.IsRaw() {
				sb.Write(t.Segment.Value(src))
			} else {
				sb.Write(Unescape(t.Segment.Value(src)))
			}
			if t.SoftLineBreak() || t.HardLineBreak() {
				sb.WriteByte(' ')
			}
		case *ast.String:
			sb.Write(t.Value)
		case *ast.AutoLink:
			sb.Write(t.Label(src))
		case *ast.RawHTML:
			// Inline tags are markup, not text.
		default:
			appendText(sb, c, src)
		}
	}
}

// Unescape resolves backslash escapes and character references (&amp;, &#42;) in text.
func Unescape(b []byte) []byte {
	if bytes.IndexByte(b, '\\') < 0 && bytes.IndexByte(b, '&') < 0 {
		return b
	}
	return util.UnescapePunctuations(util.ResolveEntityNames(util.ResolveNumericReferences(b)))
}

// Lines is the text of a block's lines (a code block's code) with its final newline removed.
func Lines(n ast.Node, src []byte) string {
	var sb strings.Builder
	l := n.Lines()
	for i := range l.Len() {
		seg := l.At(i)
		sb.Write(seg.Value(src))
	}
	return strings.TrimSuffix(sb.String(), "\n")
}

// Lang is a fenced code block's language: the first word of its info string ("sql", "sh"),
// or "".
func Lang(n ast.Node, src []byte) string {
	if f, ok := n.(*ast.FencedCodeBlock); ok {
		return string(f.Language(src))
	}
	return ""
}

// Destination is where a link points: a link's destination (reference links resolved by the
// parser), an autolink's URL (mailto: for an e-mail address).
func Destination(n ast.Node, src []byte) (string, bool) {
	switch t := n.(type) {
	case *ast.Link:
		return string(t.Destination), true
	case *ast.AutoLink:
		u := string(t.URL(src))
		if t.AutoLinkType == ast.AutoLinkEmail && !strings.HasPrefix(u, "mailto:") {
			u = "mailto:" + u
		}
		return u, true
	}
	return "", false
}

// IsTable reports whether n is a GitHub table.
func IsTable(n ast.Node) bool { _, ok := n.(*east.Table); return ok }
