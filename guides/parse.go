package guides

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

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
	g.Headings, g.Links, g.CodeBlocks = scanMarkdown(body, bodyStart)
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
		defer func() {
			if r := recover(); r != nil {
				ch <- result{err: fmt.Errorf("the YAML decoder failed: %v", r)}
			}
		}()
		var m map[string]any
		err := yaml.Unmarshal([]byte(fm), &m)
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

// scanMarkdown finds headings and links outside code blocks. lineOffset is added to body line
// numbers so they are file line numbers.
func scanMarkdown(body string, lineOffset int) ([]Heading, []Link, []CodeBlock) {
	var heads []Heading
	var links []Link
	var blocks []CodeBlock
	var code []string
	anchors := map[string]int{}
	addHeading := func(level int, text string, line int) {
		text = plainText(text)
		if text == "" {
			return
		}
		a := Anchor(text)
		if n, ok := anchors[a]; ok {
			anchors[a] = n + 1
			a = fmt.Sprintf("%s-%d", a, n+1)
		} else {
			anchors[a] = 0
		}
		heads = append(heads, Heading{Level: level, Text: text, Anchor: a, Line: line})
	}
	lines := strings.Split(body, "\n")
	refs := map[string]string{}
	lineStart := 0
	fence := ""
	var prev string
	prevIsPara := false
	for i, l := range lines {
		n := lineOffset + i + 1
		start := lineStart
		lineStart += len(l) + 1
		t := strings.TrimLeft(l, " ")
		indent := len(l) - len(t)
		if fence != "" {
			if indent < 4 && strings.HasPrefix(t, fence) && strings.Trim(strings.TrimSpace(t), fence[:1]) == "" {
				fence = ""
				blocks[len(blocks)-1].Code = strings.Join(code, "\n")
			} else {
				code = append(code, l)
			}
			prev, prevIsPara = "", false
			continue
		}
		if indent < 4 && (strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")) {
			ch := t[:1]
			k := len(t) - len(strings.TrimLeft(t, ch))
			fence = strings.Repeat(ch, k)
			lang := ""
			if f := strings.Fields(t[k:]); len(f) > 0 {
				lang = f[0]
			}
			blocks = append(blocks, CodeBlock{Lang: lang, Line: n})
			code = code[:0]
			prev, prevIsPara = "", false
			continue
		}
		if indent < 4 && strings.HasPrefix(t, "#") {
			level := len(t) - len(strings.TrimLeft(t, "#"))
			rest := t[level:]
			if level <= 6 && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
				text := strings.TrimSpace(rest)
				text = strings.TrimSpace(strings.TrimRight(text, "#"))
				addHeading(level, text, n)
				links = append(links, findLinks(rest, n, start+indent+level)...)
				prev, prevIsPara = "", false
				continue
			}
		}
		if prevIsPara && indent < 4 && len(t) > 0 {
			tt := strings.TrimSpace(t)
			if strings.Trim(tt, "=") == "" {
				addHeading(1, strings.TrimSpace(prev), n-1)
				prev, prevIsPara = "", false
				continue
			}
			if strings.Trim(tt, "-") == "" && len(tt) >= 2 {
				addHeading(2, strings.TrimSpace(prev), n-1)
				prev, prevIsPara = "", false
				continue
			}
		}
		if indent < 4 && strings.HasPrefix(t, "[") {
			if label, target, ok := refDefinition(t); ok {
				refs[strings.ToLower(label)] = target
				prev, prevIsPara = "", false
				continue
			}
		}
		links = append(links, findLinks(l, n, start)...)
		blank := strings.TrimSpace(l) == ""
		prevIsPara = !blank && indent < 4 && !strings.HasPrefix(t, ">") && !strings.HasPrefix(t, "- ") &&
			!strings.HasPrefix(t, "* ") && !strings.HasPrefix(t, "|")
		prev = l
	}
	if fence != "" && len(blocks) > 0 { // an unclosed fence runs to the end of the file
		blocks[len(blocks)-1].Code = strings.TrimRight(strings.Join(code, "\n"), "\n")
	}
	// Reference-style links: resolve their labels now that every definition is known.
	out := links[:0]
	for _, lk := range links {
		if strings.HasPrefix(lk.Target, "\x00") {
			t, ok := refs[strings.ToLower(lk.Target[1:])]
			if !ok {
				continue // "[text][x]" without a definition is plain text, not a link
			}
			lk.Target = t
		}
		out = append(out, lk)
	}
	return heads, out, blocks
}

// RewriteLinks returns the body with the destination of every inline link replaced by
// rewrite(link) (links it returns unchanged stay as they are). The reader uses it to hide the
// file names of links between guides, which it follows itself.
func (g *Guide) RewriteLinks(rewrite func(Link) string) string {
	var sb strings.Builder
	last := 0
	for _, lk := range g.Links {
		if lk.destEnd <= lk.destStart || lk.destStart < last || lk.destEnd > len(g.Body) {
			continue
		}
		sb.WriteString(g.Body[last:lk.destStart])
		sb.WriteString(rewrite(lk))
		last = lk.destEnd
	}
	sb.WriteString(g.Body[last:])
	return sb.String()
}

// refDefinition parses "[label]: target".
func refDefinition(t string) (label, target string, ok bool) {
	end := strings.Index(t, "]:")
	if end < 2 {
		return "", "", false
	}
	label = t[1:end]
	rest := strings.TrimSpace(t[end+2:])
	if rest == "" || strings.ContainsAny(label, "[]") {
		return "", "", false
	}
	if strings.HasPrefix(rest, "<") {
		if e := strings.IndexByte(rest, '>'); e > 0 {
			return label, rest[1:e], true
		}
	}
	if f := strings.Fields(rest); len(f) > 0 {
		return label, f[0], true
	}
	return "", "", false
}

// findLinks finds [text](target), [text][ref] and <scheme://…> links on one line, skipping
// inline code and images. base is the line's offset in the body.
func findLinks(l string, line, base int) []Link {
	var out []Link
	for i := 0; i < len(l); i++ {
		switch l[i] {
		case '`':
			k := i
			for k < len(l) && l[k] == '`' {
				k++
			}
			ticks := l[i:k]
			if e := strings.Index(l[k:], ticks); e >= 0 {
				i = k + e + len(ticks) - 1
			} else {
				i = k - 1
			}
		case '<':
			e := strings.IndexByte(l[i:], '>')
			if e > 0 {
				u := l[i+1 : i+e]
				if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "mailto:") {
					out = append(out, Link{Text: u, Target: u, Line: line})
					i += e
				}
			}
		case '[':
			if i > 0 && l[i-1] == '!' {
				if e := closeBracket(l, i); e > 0 {
					i = e
					if e+1 < len(l) && l[e+1] == '(' {
						if pe := strings.IndexByte(l[e+1:], ')'); pe > 0 {
							i = e + 1 + pe
						}
					}
				}
				continue
			}
			e := closeBracket(l, i)
			if e < 0 {
				continue
			}
			text := l[i+1 : e]
			if e+1 < len(l) && l[e+1] == '(' {
				target, end := linkDestination(l, e+2)
				if end < 0 {
					continue
				}
				lk := Link{Text: plainText(text), Target: target, Line: line}
				if ds := strings.Index(l[e+2:end], target); ds >= 0 && target != "" {
					lk.destStart = base + e + 2 + ds
					lk.destEnd = lk.destStart + len(target)
				}
				out = append(out, lk)
				i = end
			} else if e+1 < len(l) && l[e+1] == '[' {
				re := strings.IndexByte(l[e+2:], ']')
				if re < 0 {
					continue
				}
				label := l[e+2 : e+2+re]
				if label == "" {
					label = text
				}
				out = append(out, Link{Text: plainText(text), Target: "\x00" + label, Line: line})
				i = e + 2 + re
			}
		}
	}
	return out
}

// closeBracket returns the index of the ']' matching the '[' at i, or -1.
func closeBracket(l string, i int) int {
	depth := 0
	for k := i; k < len(l); k++ {
		switch l[k] {
		case '\\':
			k++
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				return k
			}
		}
	}
	return -1
}

// linkDestination reads "target)" or "target \"title\")" or "<target>)" starting at i and
// returns the target and the index of the closing ')'.
func linkDestination(l string, i int) (string, int) {
	if i < len(l) && l[i] == '<' {
		e := strings.IndexByte(l[i:], '>')
		if e < 0 {
			return "", -1
		}
		c := strings.IndexByte(l[i+e:], ')')
		if c < 0 {
			return "", -1
		}
		return l[i+1 : i+e], i + e + c
	}
	depth := 0
	for k := i; k < len(l); k++ {
		switch l[k] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				dest := strings.TrimSpace(l[i:k])
				if f := strings.Fields(dest); len(f) > 0 {
					dest = f[0]
				}
				return dest, k
			}
			depth--
		}
	}
	return "", -1
}

// plainText removes inline markdown (code ticks, emphasis, links, images) from heading or
// link text.
func plainText(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '`', '*':
			continue
		case '_':
			// Underscores inside words (snake_case names) are text, not emphasis.
			if i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]) {
				sb.WriteByte(c)
			}
			continue
		case '!':
			if i+1 < len(s) && s[i+1] == '[' {
				continue
			}
		case '[':
			if e := closeBracket(s, i); e > 0 {
				sb.WriteString(plainText(s[i+1 : e]))
				i = e
				if i+1 < len(s) && s[i+1] == '(' {
					if _, end := linkDestination(s, i+2); end > 0 {
						i = end
					}
				}
				continue
			}
		case '\\':
			if i+1 < len(s) {
				i++
				c = s[i]
			}
		}
		sb.WriteByte(c)
	}
	return strings.Join(strings.Fields(sb.String()), " ")
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// Anchor is GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens.
func Anchor(text string) string {
	var sb strings.Builder
	for _, r := range strings.ToLower(plainText(text)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '_' || r == '-':
			sb.WriteRune(r)
		case r == ' ':
			sb.WriteByte('-')
		}
	}
	return sb.String()
}
