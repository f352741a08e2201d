package guides

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"

	"github.com/datatui/datatui/internal/mdtree"
	"github.com/datatui/datatui/internal/safeyaml"
	"github.com/datatui/datatui/internal/termsafe"
)

// Parse reads one guide file. name is the file name (its base without ".md" is the slug).
// Parse never fails: problems become Warnings and the guide shows anyway.
func Parse(name string, data []byte) *Guide {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	g := &Guide{Slug: normSlug(strings.TrimSuffix(base, path.Ext(base)))}
	text, warn := toUTF8(data)
	if warn != "" {
		g.Warnings = append(g.Warnings, warn)
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	// A guide is shown in the terminal (rendered, raw, in search results): its control
	// characters are made visible here, once, for every place that shows it.
	text = termsafe.Text(text)

	fm, body, bodyStart, fmWarn := splitFrontMatter(text)
	if fmWarn != "" {
		g.Warnings = append(g.Warnings, fmWarn)
	}
	g.Body, g.BodyStart = body, bodyStart
	if fm != "" {
		if w := g.applyFrontMatter(fm); w != "" {
			g.Warnings = append(g.Warnings, w)
		}
	}
	g.Headings, g.Links, g.CodeBlocks = outline(body, bodyStart)
	if g.Title == "" {
		for _, h := range g.Headings {
			if h.Level == 1 {
				g.Title = h.Text
				break
			}
		}
	}
	if g.Title == "" {
		g.Title = titleFromSlug(g.Slug)
	}
	return g
}

// toUTF8 returns data as valid UTF-8: UTF-16 with a byte-order mark is decoded, and bytes that
// are not UTF-8 are read as Latin-1 (the usual culprit: a file saved by an old Windows editor).
func toUTF8(data []byte) (string, string) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		be := data[0] == 0xFE
		data = data[2:]
		u := make([]uint16, 0, len(data)/2)
		for i := 0; i+1 < len(data); i += 2 {
			if be {
				u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
			} else {
				u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
			}
		}
		return string(utf16.Decode(u)), "file is UTF-16; converted it (save it as UTF-8)"
	}
	if utf8.Valid(data) {
		return string(data), ""
	}
	var sb strings.Builder
	sb.Grow(len(data) + 16)
	bad := 0
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			sb.WriteRune(rune(data[0])) // Latin-1: byte value = code point
			bad++
			data = data[1:]
			continue
		}
		sb.Write(data[:n])
		data = data[n:]
	}
	return sb.String(), fmt.Sprintf("file is not valid UTF-8 (%d bytes read as Latin-1; some characters may look wrong); save it as UTF-8", bad)
}

// splitFrontMatter separates a leading "---" YAML block from the body. bodyStart is the number
// of lines before the body.
func splitFrontMatter(text string) (fm, body string, bodyStart int, warn string) {
	if !strings.HasPrefix(text, "---\n") && strings.TrimRight(text, " \t") != "---" {
		if strings.TrimSpace(text) == "" {
			return "", text, 0, "file is empty"
		}
		return "", text, 0, "no front matter (a --- block with title, section, order, summary, tags); showing it under " + OtherSection + " with the title from its first heading"
	}
	rest := strings.TrimPrefix(text, "---")
	rest = strings.TrimPrefix(rest, "\n")
	line := 1
	for off := 0; off <= len(rest); {
		end := strings.IndexByte(rest[off:], '\n')
		var l string
		next := len(rest) + 1
		if end < 0 {
			l = rest[off:]
		} else {
			l = rest[off : off+end]
			next = off + end + 1
		}
		line++
		if t := strings.TrimRight(l, " \t"); t == "---" || t == "..." {
			body = ""
			if next <= len(rest) {
				body = rest[next:]
			}
			return rest[:off], body, line, ""
		}
		off = next
	}
	return "", text, 0, "front matter is not closed (no second --- line); showing the file as it is"
}

// frontMatter is what a guide's YAML may hold; fields are read leniently (a list or a
// comma-separated string for tags, a number or a string for order).
func (g *Guide) applyFrontMatter(fm string) (warn string) {
	defer func() {
		if r := recover(); r != nil {
			warn = fmt.Sprintf("front matter could not be read (%v); showing the guide without it", r)
		}
	}()
	m, err := decodeYAML(fm)
	if err != nil {
		msg := err.Error()
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		return "broken front matter: " + msg + "; showing the guide with the title from its first heading"
	}
	var problems []string
	str := func(key string) string {
		v, ok := m[key]
		if !ok || v == nil {
			return ""
		}
		switch v := v.(type) {
		case string:
			return strings.TrimSpace(v)
		case int, int64, uint64, float64, bool:
			return fmt.Sprint(v)
		}
		problems = append(problems, key+" should be text")
		return ""
	}
	list := func(key string) []string {
		v, ok := m[key]
		if !ok || v == nil {
			return nil
		}
		var out []string
		switch v := v.(type) {
		case string:
			for p := range strings.SplitSeq(v, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		case []any:
			for _, e := range v {
				switch e := e.(type) {
				case string:
					if e = strings.TrimSpace(e); e != "" {
						out = append(out, e)
					}
				case int, int64, uint64, float64, bool:
					out = append(out, fmt.Sprint(e))
				default:
					problems = append(problems, key+" should be a list of words")
					return out
				}
			}
		default:
			problems = append(problems, key+" should be a list")
		}
		return out
	}
	g.Title = str("title")
	g.Section = canonicalSection(str("section"))
	g.Summary = str("summary")
	g.Tags = list("tags")
	g.Aliases = list("aliases")
	if v, ok := m["order"]; ok && v != nil {
		switch v := v.(type) {
		case int:
			g.Order = v
		case int64:
			g.Order = int(v)
		case uint64:
			if v <= math.MaxInt32 {
				g.Order = int(v)
			}
		case float64:
			if v >= math.MinInt32 && v <= math.MaxInt32 {
				g.Order = int(v)
			}
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
				g.Order = n
			} else {
				problems = append(problems, "order should be a number")
			}
		default:
			problems = append(problems, "order should be a number")
		}
	}
	var missing []string
	for _, k := range []string{"title", "section"} {
		if _, ok := m[k]; !ok {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "front matter has no "+strings.Join(missing, " or "))
	}
	return strings.Join(problems, "; ")
}

// maxFrontMatter caps the YAML read from one guide; real front matter is a few lines.
const maxFrontMatter = 64 << 10

// yamlTimeout bounds decoding one guide's front matter, so that a pathological file (the YAML
// decoder is outside code) can never hang the handbook: the guide shows with a warning instead.
const yamlTimeout = 2 * time.Second

func decodeYAML(fm string) (map[string]any, error) {
	if len(fm) > maxFrontMatter {
		return nil, fmt.Errorf("front matter is longer than %d KiB", maxFrontMatter>>10)
	}
	type result struct {
		m   map[string]any
		err error
	}
	ch := make(chan result, 1)
	go func() {
		var m map[string]any
		err := safeyaml.Unmarshal([]byte(fm), &m)
		ch <- result{m, err}
	}()
	t := time.NewTimer(yamlTimeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.m, r.err
	case <-t.C:
		return nil, fmt.Errorf("front matter took too long to read")
	}
}

// canonicalSection maps a section name written in any letter case to the known spelling.
func canonicalSection(s string) string {
	for _, known := range Sections {
		if strings.EqualFold(s, known) {
			return known
		}
	}
	return s
}

func titleFromSlug(slug string) string {
	t := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(slug))
	if t == "" {
		return "Untitled"
	}
	r, n := utf8.DecodeRuneInString(t)
	return string(unicode.ToUpper(r)) + t[n:]
}

// outline takes the body's headings, links and code blocks from its syntax tree, the one the
// reader's renderer draws (internal/mdtree), so the table of contents and the links the
// reader follows are exactly what it shows. lineOffset is added to body line numbers so
// they are file line numbers.
func outline(body string, lineOffset int) ([]Heading, []Link, []CodeBlock) {
	src := []byte(body)
	var heads []Heading
	var links []Link
	var blocks []CodeBlock
	starts := []int{0} // where each line of the body starts
	for i, c := range src {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	lineOf := func(off int) int { return lineOffset + max(1, sort.SearchInts(starts, off+1)) }
	anchors := map[string]int{}
	_ = ast.Walk(mdtree.Parse(src), func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch t := n.(type) {
		case *ast.Heading:
			text := mdtree.Text(t, src)
			if text == "" {
				break
			}
			a := Anchor(text)
			if k, ok := anchors[a]; ok {
				anchors[a] = k + 1
				a = fmt.Sprintf("%s-%d", a, k+1)
			} else {
				anchors[a] = 0
			}
			off := mdtree.Start(t)
			heads = append(heads, Heading{Level: t.Level, Text: text, Anchor: a, Line: lineOf(off), Offset: off})
		case *ast.FencedCodeBlock, *ast.CodeBlock:
			off := mdtree.Start(n)
			line := lineOf(off)
			if f, ok := n.(*ast.FencedCodeBlock); ok {
				// The block's line is its opening fence's: the info string's, or the line
				// before its code.
				if f.Info != nil {
					line = lineOf(f.Info.Segment.Start)
				} else if f.Lines().Len() > 0 {
					line--
				}
			}
			blocks = append(blocks, CodeBlock{Lang: mdtree.Lang(n, src), Code: mdtree.Lines(n, src), Line: max(line, 1), Offset: off})
			return ast.WalkSkipChildren, nil
		case *ast.Image:
			return ast.WalkSkipChildren, nil // its text is a description, not a link
		default:
			if dest, ok := mdtree.Destination(n, src); ok {
				off := mdtree.Start(n)
				links = append(links, Link{Text: mdtree.Text(n, src), Target: dest, Line: lineOf(off), Offset: off})
				return ast.WalkSkipChildren, nil
			}
		}
		return ast.WalkContinue, nil
	})
	return heads, links, blocks
}

// Anchor is GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces as
// hyphens.
func Anchor(text string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(text) {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '-':
			sb.WriteRune(r)
		case r == ' ':
			sb.WriteByte('-')
		}
	}
	return sb.String()
}
