package markdown

import (
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
	"github.com/yuin/goldmark/ast"

	"github.com/datatui/datatui/internal/mdtree"
	"github.com/datatui/datatui/internal/termsafe"
)

// codeBlock draws a code block as a panel: in the colour styles on its own background, as
// wide as its longest line, with keywords, strings, comments and numbers coloured for SQL,
// YAML and shell; in the plain styles indented. Lines are never reflowed: one too long for
// the pane continues on the next row.
func (r *render) codeBlock(n ast.Node, width int) block {
	code := mdtree.Lines(n, r.src)
	lang := strings.ToLower(mdtree.Lang(n, r.src))
	hl := highlighterFor(lang)
	indent, padding := "    ", 0
	if r.th.color {
		indent, padding = "", 1
	}
	inner := max(width-len(indent)-2*padding, 1)
	cont := frag{text: "↪ ", w: 2, f: fBlock | fComment}
	if r.th.ascii {
		cont.text = "> "
	}
	var rows [][]frag
	state := 0
	for l := range strings.SplitSeq(code, "\n") {
		l = termsafe.Line(expandTabs(l))
		var line []frag
		line, state = hl(l, state, line)
		rows = append(rows, splitCode(line, inner, cont)...)
	}
	boxW := 0
	for _, row := range rows {
		boxW = max(boxW, fragsWidth(row))
	}
	out := block{marks: []mark{{mdtree.Start(n), 0}}}
	pad := frag{text: strings.Repeat(" ", padding), w: padding, f: fBlock}
	for _, row := range rows {
		if r.th.color {
			fill := boxW - fragsWidth(row) + padding
			row = append(append([]frag{pad}, row...), frag{text: strings.Repeat(" ", fill), w: fill, f: fBlock})
		}
		out.lines = append(out.lines, strings.TrimRight(indent+r.draw(row), " "))
	}
	return out
}

func fragsWidth(fs []frag) int {
	w := 0
	for _, f := range fs {
		w += f.w
	}
	return w
}

// splitCode cuts a highlighted line into rows of at most width cells, after the last space
// that leaves a row at least half full (else mid-word). Rows after the first start with a
// continuation mark, so a wrapped line does not read as two.
func splitCode(line []frag, width int, mark frag) [][]frag {
	var sb strings.Builder
	for _, f := range line {
		sb.WriteString(f.text)
	}
	text := sb.String()
	var cuts []int // byte offsets where a new row starts
	start, limit := 0, width
	for cells(text[start:]) > limit {
		head := ansi.Cut(text[start:], 0, limit)
		at := start + len(head)
		if sp := strings.LastIndexByte(head, ' '); sp >= 0 && cells(head[:sp]) >= limit/2 {
			at = start + sp + 1
		}
		if at == start {
			break // a character wider than the row
		}
		cuts = append(cuts, at)
		start, limit = at, max(width-mark.w, 1)
	}
	rows := make([][]frag, 0, len(cuts)+1)
	var row []frag
	off := 0
	for _, f := range line {
		for len(cuts) > 0 && off+len(f.text) > cuts[0] {
			head, tail := f, f
			head.text, tail.text = f.text[:cuts[0]-off], f.text[cuts[0]-off:]
			head.w, tail.w = cells(head.text), cells(tail.text)
			if head.text != "" {
				row = append(row, head)
			}
			rows = append(rows, row)
			row = []frag{mark}
			off, f, cuts = cuts[0], tail, cuts[1:]
		}
		row = append(row, f)
		off += len(f.text)
	}
	return append(rows, row)
}

func expandTabs(s string) string {
	if strings.IndexByte(s, '\t') < 0 {
		return s
	}
	var sb strings.Builder
	col := 0
	for _, c := range s {
		if c == '\t' {
			n := 4 - col%4
			sb.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		sb.WriteRune(c)
		col++
	}
	return sb.String()
}

// A highlighter appends one line of code as frags. state carries what is open at the line's
// end (a block comment) to the next line.
type highlighter func(line string, state int, out []frag) ([]frag, int)

func highlighterFor(lang string) highlighter {
	keywords()
	switch lang {
	case "sql", "jinja", "sql+jinja", "jinja2", "snowflake":
		return highlightSQL
	case "yaml", "yml":
		return highlightYAML
	case "sh", "shell", "bash", "zsh", "console", "shell-session":
		return highlightShell
	}
	return func(line string, state int, out []frag) ([]frag, int) {
		return appendCode(out, line, fBlock), state
	}
}

// appendCode appends code text as one frag (spaces included: code is never re-wrapped).
func appendCode(out []frag, s string, f flags) []frag {
	if s == "" {
		return out
	}
	return append(out, frag{text: s, w: cells(s), f: f})
}

// The keyword sets are built on first use (no work at start-up).
var (
	keywordsOnce               sync.Once
	sqlKeywords, shellKeywords map[string]bool
)

func keywords() {
	keywordsOnce.Do(func() {
		sqlKeywords = wordSet(`select from where and or not in is null as on join left right inner outer full
	cross using group by order having limit offset union all distinct with case when then else end
	create replace table view insert into update delete merge values set qualify over partition
	window cast coalesce true false between like ilike exists asc desc grant revoke usage to role
	schema database warehouse show describe alter drop use clone if lateral flatten rows current
	interval date timestamp nulls first last filter returns return language sequence unique
	primary key default comment future ownership privileges transient temporary`)
		shellKeywords = wordSet(`if then else elif fi for while until do done case esac in
	function export local return exit source alias unset`)
	})
}

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

const inBlockComment = 1

// highlightSQL colours SQL with dbt's Jinja: keywords, 'strings' and "identifiers", numbers,
// -- and /* */ comments, {{ }} {% %} {# #} expressions.
func highlightSQL(line string, state int, out []frag) ([]frag, int) {
	i, start := 0, 0
	plain := func(to int) {
		out = appendCode(out, line[start:to], fBlock)
		start = to
	}
	tok := func(to int, f flags) {
		plain(i)
		out = appendCode(out, line[i:to], fBlock|f)
		i, start = to, to
	}
	if state == inBlockComment {
		if e := strings.Index(line, "*/"); e >= 0 {
			tok(e+2, fComment)
			state = 0
		} else {
			tok(len(line), fComment)
			return out, state
		}
	}
	for i < len(line) {
		c := line[i]
		switch {
		case strings.HasPrefix(line[i:], "--"):
			tok(len(line), fComment)
		case strings.HasPrefix(line[i:], "/*"):
			if e := strings.Index(line[i+2:], "*/"); e >= 0 {
				tok(i+2+e+2, fComment)
			} else {
				tok(len(line), fComment)
				state = inBlockComment
			}
		case strings.HasPrefix(line[i:], "{{"), strings.HasPrefix(line[i:], "{%"), strings.HasPrefix(line[i:], "{#"):
			closer := map[byte]string{'{': "}}", '%': "%}", '#': "#}"}[line[i+1]]
			if e := strings.Index(line[i+2:], closer); e >= 0 {
				tok(i+2+e+2, fTmpl)
			} else {
				tok(len(line), fTmpl)
			}
		case c == '\'' || c == '"':
			tok(quoteEnd(line, i), fString)
		case isDigit(c) && (i == 0 || !isIdent(line[i-1])):
			j := i
			for j < len(line) && (isDigit(line[j]) || line[j] == '.') {
				j++
			}
			tok(j, fNumber)
		case isIdent(c):
			j := i
			for j < len(line) && isIdent(line[j]) {
				j++
			}
			if sqlKeywords[strings.ToLower(line[i:j])] {
				tok(j, fKeyword)
			} else {
				i = j
			}
		default:
			i++
		}
	}
	plain(len(line))
	return out, state
}

// highlightYAML colours keys, strings, numbers and booleans, # comments and Jinja.
func highlightYAML(line string, state int, out []frag) ([]frag, int) {
	body, comment := line, ""
	if i := commentStart(line); i >= 0 {
		body, comment = line[:i], line[i:]
	}
	t := strings.TrimLeft(body, " ")
	lead := body[:len(body)-len(t)]
	for strings.HasPrefix(t, "- ") {
		lead += "- "
		t = t[2:]
	}
	out = appendCode(out, lead, fBlock)
	if k := keyEnd(t); k > 0 {
		out = appendCode(out, t[:k], fBlock|fKeyword)
		t = t[k:]
	}
	v := strings.TrimSpace(strings.TrimPrefix(t, ":"))
	switch {
	case v == "":
		out = appendCode(out, t, fBlock)
	case strings.HasPrefix(v, "{{") || strings.Contains(v, "{{"):
		out = appendCode(out, t, fBlock|fTmpl)
	case v[0] == '"' || v[0] == '\'':
		out = appendCode(out, t, fBlock|fString)
	case isNumber(v) || v == "true" || v == "false" || v == "null":
		out = appendCode(out, t, fBlock|fNumber)
	default:
		out = appendCode(out, t, fBlock)
	}
	return appendCode(out, comment, fBlock|fComment), state
}

// keyEnd is the length of a YAML mapping key at the start of t ("name" in "name: x"), or 0.
func keyEnd(t string) int {
	for i := 0; i < len(t); i++ {
		switch t[i] {
		case ':':
			if i > 0 && (i+1 == len(t) || t[i+1] == ' ') {
				return i
			}
		case ' ', '"', '\'', '{', '[':
			if i == 0 || t[i] != ' ' {
				return 0
			}
		}
	}
	return 0
}

// highlightShell colours the command of each pipeline step, keywords, strings, $variables,
// --flags and # comments.
func highlightShell(line string, state int, out []frag) ([]frag, int) {
	i, start := 0, 0
	cmd := true // the next word is a command
	plain := func(to int) {
		out = appendCode(out, line[start:to], fBlock)
		start = to
	}
	tok := func(to int, f flags) {
		plain(i)
		out = appendCode(out, line[i:to], fBlock|f)
		i, start = to, to
	}
	if strings.HasPrefix(line, "$ ") {
		tok(2, fComment)
	}
	for i < len(line) {
		c := line[i]
		switch {
		case c == '#' && (i == 0 || line[i-1] == ' '):
			tok(len(line), fComment)
		case c == '\'' || c == '"':
			tok(quoteEnd(line, i), fString)
			cmd = false
		case c == '$':
			j := i + 1
			for j < len(line) && (isIdent(line[j]) || line[j] == '{' || line[j] == '}') {
				j++
			}
			tok(j, fTmpl)
		case c == '|' || c == ';' || c == '&' || c == '(':
			i++
			cmd = true
		case c == ' ' || c == ')':
			i++
		default:
			j := i
			for j < len(line) && !strings.ContainsRune(" ;|&)'\"", rune(line[j])) {
				j++
			}
			w := line[i:j]
			switch {
			case shellKeywords[w]:
				tok(j, fKeyword)
				cmd = w != "in"
			case cmd && !strings.Contains(w, "="):
				tok(j, fKeyword)
				cmd = false
			case strings.HasPrefix(w, "-"):
				tok(j, fNumber)
			default:
				i = j
			}
		}
	}
	plain(len(line))
	return out, state
}

// quoteEnd is the index after the string starting with the quote at i (the line's end when
// it is not closed); a backslash escapes the next character.
func quoteEnd(line string, i int) int {
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case q:
			return j + 1
		}
	}
	return len(line)
}

// commentStart is where a # comment starts outside quotes, or -1.
func commentStart(line string) int {
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\'' || c == '"':
			i = quoteEnd(line, i) - 1
		case c == '#' && (i == 0 || line[i-1] == ' '):
			return i
		}
	}
	return -1
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isIdent(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || isDigit(c)
}

func isNumber(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) && s[i] != '.' && !(i == 0 && s[i] == '-') {
			return false
		}
	}
	return true
}
