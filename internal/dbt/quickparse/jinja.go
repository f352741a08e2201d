package quickparse

import (
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
)

// This file extracts the calls that shape a dbt project's graph — ref(), source() and config() —
// from model files without running dbt. It understands just enough of Jinja (and of Python
// models' dbt.ref()) to read literal arguments; anything computed at render time (variables,
// loops, string concatenation) is reported as unresolved so the caller can say which file's
// lineage may be incomplete.

// RefCall is one ref() with literal arguments.
type RefCall struct {
	Package string // "" unless ref('pkg', 'model')
	Name    string
	Version string // "" unless ref('x', v=2)
}

// String renders the call the way a user writes it.
func (r RefCall) String() string {
	var b strings.Builder
	b.WriteString("ref(")
	if r.Package != "" {
		b.WriteString("'" + r.Package + "', ")
	}
	b.WriteString("'" + r.Name + "'")
	if r.Version != "" {
		b.WriteString(", v=" + r.Version)
	}
	b.WriteString(")")
	return b.String()
}

// SourceCall is one source('source_name', 'table_name').
type SourceCall struct {
	Source string
	Table  string
}

func (s SourceCall) String() string { return "source('" + s.Source + "', '" + s.Table + "')" }

// BlockTag is a `{% snapshot name %}`-style block tag found in a file, with byte offsets of the
// block's body, so snapshot files holding several snapshots can be split.
type BlockTag struct {
	Kind      string // snapshot, test, macro, materialization, docs
	Name      string
	BodyStart int // just after the opening tag
	BodyEnd   int // at the start of the closing tag (len(src) when unclosed)
}

// Extracted is what a file's Jinja says about the graph.
type Extracted struct {
	Refs    []RefCall
	Sources []SourceCall
	// Config holds config() keyword arguments whose values are literals (strings, numbers,
	// booleans, lists, dicts); later calls override earlier ones, like dbt.
	Config map[string]any
	// Blocks are snapshot/test/macro/docs blocks.
	Blocks []BlockTag
	// Unresolved describes calls whose arguments are computed at render time, e.g.
	// "ref(var('upstream'))".
	Unresolved []string
	// Calls are the other functions called (macros, in the order first seen), so refs made
	// inside project and package macros can be followed; "dispatch:name" stands for
	// adapter.dispatch('name').
	Calls []string

	// Rendered is set when the file was evaluated (QuickParse's renderFile) rather than read
	// for literal calls: refs inside the macros it calls are then in Refs already.
	Rendered bool
	// RefLines and SourceLines are the line of each ref and source call (0 unknown), and
	// RefFiles / SourceFiles the file of a call made inside a macro ("" for the file itself).
	RefLines, SourceLines []int
	RefFiles, SourceFiles []string
	// UnknownConfig are config() keys whose values only dbt can compute.
	UnknownConfig []string
	// Undecided are the conditions only dbt can decide; every branch was kept.
	Undecided []string
}

// ExtractSQL reads the ref/source/config calls of a Jinja SQL file (model, snapshot, test,
// analysis). Jinja comments are skipped; SQL comments are not, because dbt renders Jinja inside
// them too (`-- depends_on: {{ ref('x') }}` is the documented way to force a dependency).
func ExtractSQL(src string) Extracted {
	var ex Extracted
	type open struct {
		kind, name string
		body       int
	}
	var stack []open
	i := 0
	for i < len(src) {
		j := strings.IndexByte(src[i:], '{')
		if j < 0 || i+j+1 >= len(src) {
			break
		}
		start := i + j
		switch src[start+1] {
		case '#':
			end := strings.Index(src[start+2:], "#}")
			if end < 0 {
				return ex
			}
			i = start + 2 + end + 2
		case '{', '%':
			toks, end := lexJinja(src, start+2, false)
			if src[start+1] == '%' {
				tag, name := blockTag(toks)
				switch {
				case tag == "raw":
					// Everything up to {% endraw %} is literal text.
					k := strings.Index(src[end:], "endraw")
					if k < 0 {
						return ex
					}
					closeTag := strings.Index(src[end+k:], "%}")
					if closeTag < 0 {
						return ex
					}
					i = end + k + closeTag + 2
					continue
				case isBlockKind(tag):
					stack = append(stack, open{tag, name, end})
				case strings.HasPrefix(tag, "end") && isBlockKind(tag[3:]):
					for k := len(stack) - 1; k >= 0; k-- {
						if stack[k].kind == tag[3:] {
							ex.Blocks = append(ex.Blocks, BlockTag{Kind: stack[k].kind, Name: stack[k].name, BodyStart: stack[k].body, BodyEnd: start})
							stack = stack[:k]
							break
						}
					}
				}
			}
			ex.scanCalls(toks, false)
			i = end
		default:
			i = start + 1
		}
	}
	for _, o := range stack {
		ex.Blocks = append(ex.Blocks, BlockTag{Kind: o.kind, Name: o.name, BodyStart: o.body, BodyEnd: len(src)})
	}
	return ex
}

// ExtractPython reads dbt.ref(), dbt.source() and dbt.config() calls of a Python model.
func ExtractPython(src string) Extracted {
	var ex Extracted
	toks, _ := lexJinja(src, 0, true)
	ex.scanCalls(toks, true)
	return ex
}

func isBlockKind(s string) bool {
	switch s {
	case "snapshot", "test", "macro", "materialization", "docs":
		return true
	}
	return false
}

// blockTag returns the tag name of a `{% … %}` statement and the block's name argument.
func blockTag(toks []token) (tag, name string) {
	k := 0
	if k < len(toks) && toks[k].kind == tokPunct && toks[k].text == "-" {
		k++
	}
	if k < len(toks) && toks[k].kind == tokIdent {
		tag = toks[k].text
		if k+1 < len(toks) && toks[k+1].kind == tokIdent {
			name = toks[k+1].text
		}
	}
	return tag, name
}

type tokKind uint8

const (
	tokIdent tokKind = iota
	tokString
	tokNumber
	tokPunct
	// tokBadString is a string literal with an invalid escape (`'\x4'`): not a literal value.
	tokBadString
)

type token struct {
	kind tokKind
	text string // identifier, punctuation, number literal, or the decoded string value
	pos  int    // byte offset in the source
}

// lexJinja tokenises from pos until the end of the Jinja expression/statement (`}}` or `%}`)
// or, for Python, the end of the file. It returns the tokens and the offset after the closer.
func lexJinja(src string, pos int, python bool) ([]token, int) {
	var toks []token
	i := pos
	// Open brackets: like Jinja's lexer, "}}" inside a {…} literal does not end the tag. A
	// closer met while a ( or [ is open ends it (Jinja reports a syntax error there), so one
	// broken call does not swallow the rest of the file.
	var open []byte
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case !python && (c == '}' || c == '%') && i+1 < len(src) && src[i+1] == '}' && (len(open) == 0 || open[len(open)-1] != '{' || c == '%'):
			return toks, i + 2
		case python && c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\'' || c == '"':
			s, next, ok := lexString(src, i, python, false)
			toks = append(toks, token{stringKind(ok), s, i})
			i = next
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			word := src[i:j]
			// Python string prefixes (r"", f"", b"") read as the string; f-strings are dynamic.
			if python && j < len(src) && (src[j] == '"' || src[j] == '\'') && len(word) <= 2 && strings.Trim(strings.ToLower(word), "rbfu") == "" {
				s, next, ok := lexString(src, j, true, strings.ContainsAny(word, "rR"))
				if strings.ContainsAny(strings.ToLower(word), "f") {
					toks = append(toks, token{tokIdent, "fstring", i})
				} else {
					toks = append(toks, token{stringKind(ok), s, i})
				}
				i = next
				continue
			}
			toks = append(toks, token{tokIdent, word, i})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' || src[j] == '_') {
				j++
			}
			toks = append(toks, token{tokNumber, src[i:j], i})
			i = j
		default:
			if i+1 < len(src) {
				two := src[i : i+2]
				switch two {
				case "==", "!=", "<=", ">=", "**", "//":
					toks = append(toks, token{tokPunct, two, i})
					i += 2
					continue
				}
			}
			switch c {
			case '(', '[', '{':
				open = append(open, c)
			case ')', ']', '}':
				if len(open) > 0 {
					open = open[:len(open)-1]
				}
			}
			toks = append(toks, token{tokPunct, string(c), i})
			i++
		}
	}
	return toks, len(src)
}

func stringKind(ok bool) tokKind {
	if ok {
		return tokString
	}
	return tokBadString
}

// lexString reads a quoted string starting at src[i] and returns its value (escapes decoded
// the way Jinja, or for Python models Python, decodes them; raw strings as written), the offset
// after it and whether it is a valid literal. Unterminated strings end at the end of the file
// (Jinja) or line (Python) and are not valid.
func lexString(src string, i int, python, raw bool) (string, int, bool) {
	q := src[i]
	decode := func(s string, ok bool) (string, bool) {
		if raw || !ok {
			return s, ok
		}
		v, err := decodeStringLiteral(s, !python)
		if err != nil {
			return s, false
		}
		return v, true
	}
	if python && i+2 < len(src) && src[i+1] == q && src[i+2] == q {
		end := strings.Index(src[i+3:], strings.Repeat(string(q), 3))
		if end < 0 {
			return src[i+3:], len(src), false
		}
		v, ok := decode(src[i+3:i+3+end], true)
		return v, i + 3 + end + 3, ok
	}
	j := i + 1
	for j < len(src) {
		c := src[j]
		if c == '\\' && j+1 < len(src) {
			j += 2
			continue
		}
		if c == q {
			v, ok := decode(src[i+1:j], true)
			return v, j + 1, ok
		}
		if c == '\n' && python {
			return src[i+1 : j], j, false
		}
		j++
	}
	return src[i+1 : min(j, len(src))], len(src), false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }

// scanCalls finds ref/source/config calls in a token stream.
func (ex *Extracted) scanCalls(toks []token, python bool) {
	for i := 0; i+1 < len(toks); i++ {
		t := toks[i]
		if t.kind != tokIdent || toks[i+1].kind != tokPunct || toks[i+1].text != "(" {
			continue
		}
		switch t.text {
		case "ref", "source", "config":
		case "dispatch":
			if i >= 2 && toks[i-1].text == "." && toks[i-2].text == "adapter" && i+2 < len(toks) && toks[i+2].kind == tokString {
				ex.addCall("dispatch:" + toks[i+2].text)
			}
			continue
		default:
			if !python && (i == 0 || toks[i-1].text != ".") {
				ex.addCall(t.text)
			}
			continue
		}
		// A method call on something else (adapter.ref, x.config) is not dbt's; Python models
		// call dbt.ref, and overrides call builtins.ref.
		if i > 0 && toks[i-1].kind == tokPunct && toks[i-1].text == "." {
			if i < 2 || (toks[i-2].text != "dbt" && toks[i-2].text != "builtins") {
				continue
			}
		} else if python {
			continue
		}
		args, end := parseArgs(toks, i+2)
		switch t.text {
		case "ref":
			ex.addRef(args, toks[i:end])
		case "source":
			ex.addSource(args, toks[i:end])
		case "config":
			ex.addConfig(args, toks[i:end])
		}
		i = end - 1
	}
}

func (ex *Extracted) addCall(name string) {
	switch name {
	case "var", "env_var", "return", "is_incremental", "range", "log", "print", "exceptions", "run_query", "statement", "caller":
		return
	}
	for _, c := range ex.Calls {
		if c == name {
			return
		}
	}
	ex.Calls = append(ex.Calls, name)
}

// arg is one call argument: positional when name is "".
type arg struct {
	name    string
	value   any
	literal bool
}

// parseArgs parses call arguments from toks[i] (just after "(") and returns them with the index
// after the closing ")".
func parseArgs(toks []token, i int) ([]arg, int) {
	var args []arg
	for i < len(toks) {
		if toks[i].kind == tokPunct && toks[i].text == ")" {
			return args, i + 1
		}
		var a arg
		if toks[i].kind == tokIdent && i+1 < len(toks) && toks[i+1].kind == tokPunct && toks[i+1].text == "=" {
			a.name = toks[i].text
			i += 2
		}
		v, ok, next := parseValue(toks, i)
		// A literal followed by anything but "," or ")" is an expression ('a' ~ x, 'a' if c).
		if next < len(toks) && !(toks[next].kind == tokPunct && (toks[next].text == "," || toks[next].text == ")")) {
			ok = false
			next = skipExpr(toks, next)
		}
		a.value, a.literal = v, ok
		args = append(args, a)
		if next <= i {
			// A stray closing bracket: step over it so the scan always moves on.
			a.literal = false
			args[len(args)-1] = a
			next = i + 1
		}
		i = next
		if i < len(toks) && toks[i].kind == tokPunct && toks[i].text == "," {
			i++
		}
	}
	return args, len(toks)
}

// skipExpr skips to the next "," or ")" at nesting depth 0.
func skipExpr(toks []token, i int) int {
	depth := 0
	for ; i < len(toks); i++ {
		if toks[i].kind != tokPunct {
			continue
		}
		switch toks[i].text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			if depth == 0 {
				return i
			}
			depth--
		case ",":
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// parseValue parses a literal (string, number, boolean, none, list, tuple, dict). For anything
// else it returns ok=false and the index after the expression.
func parseValue(toks []token, i int) (any, bool, int) {
	if i >= len(toks) {
		return nil, false, i
	}
	t := toks[i]
	switch t.kind {
	case tokString:
		return t.text, true, i + 1
	case tokNumber:
		return t.text, true, i + 1
	case tokIdent:
		switch t.text {
		case "true", "True":
			return true, true, i + 1
		case "false", "False":
			return false, true, i + 1
		case "none", "None":
			return nil, true, i + 1
		}
		return nil, false, skipExpr(toks, i)
	case tokPunct:
		switch t.text {
		case "-":
			if i+1 < len(toks) && toks[i+1].kind == tokNumber {
				return "-" + toks[i+1].text, true, i + 2
			}
		case "[", "(":
			closer := "]"
			if t.text == "(" {
				closer = ")"
			}
			var list []any
			ok := true
			i++
			for i < len(toks) && !(toks[i].kind == tokPunct && toks[i].text == closer) {
				v, vok, next := parseValue(toks, i)
				if next == i { // not progressing: a stray token
					next = i + 1
				}
				ok = ok && vok
				list = append(list, v)
				i = next
				if i < len(toks) && toks[i].kind == tokPunct && toks[i].text == "," {
					i++
				} else if i < len(toks) && !(toks[i].kind == tokPunct && toks[i].text == closer) {
					ok = false
					i = skipExpr(toks, i)
					if i < len(toks) && toks[i].text == "," {
						i++
					}
				}
			}
			return list, ok, min(i+1, len(toks))
		case "{":
			dict := map[string]any{}
			ok := true
			i++
			for i < len(toks) && !(toks[i].kind == tokPunct && toks[i].text == "}") {
				k, kok, next := parseValue(toks, i)
				if next == i {
					next = i + 1
				}
				i = next
				if i < len(toks) && toks[i].kind == tokPunct && toks[i].text == ":" {
					i++
				} else {
					ok = false
				}
				v, vok, next := parseValue(toks, i)
				if next == i {
					next = i + 1
				}
				i = next
				ks, isStr := k.(string)
				ok = ok && kok && vok && isStr
				if isStr {
					dict[ks] = v
				}
				if i < len(toks) && toks[i].kind == tokPunct && toks[i].text == "," {
					i++
				} else if i < len(toks) && !(toks[i].kind == tokPunct && toks[i].text == "}") {
					ok = false
					i = skipExpr(toks, i)
					if i < len(toks) && toks[i].text == "," {
						i++
					}
				}
			}
			return dict, ok, min(i+1, len(toks))
		}
	}
	return nil, false, skipExpr(toks, i)
}

// render shows the source of a call for a warning, compactly.
func render(toks []token) string {
	var b strings.Builder
	for k, t := range toks {
		if t.kind == tokString {
			b.WriteString(strconv.Quote(t.text))
			continue
		}
		if k > 0 && t.kind == tokIdent && toks[k-1].kind == tokIdent {
			b.WriteByte(' ')
		}
		if t.kind == tokPunct && t.text == "," {
			b.WriteString(", ")
			continue
		}
		if t.kind == tokPunct {
			switch t.text {
			case "==", "!=", "<=", ">=", "<", ">", "~", "+", "*", "/", "//", "%", "**":
				b.WriteString(" " + t.text + " ")
				continue
			}
		}
		if k > 0 && (t.kind == tokIdent || t.kind == tokNumber) && (toks[k-1].kind == tokString || toks[k-1].kind == tokNumber) ||
			k > 0 && (t.kind == tokString || t.kind == tokNumber) && toks[k-1].kind == tokIdent && isKeyword(toks[k-1].text) {
			b.WriteByte(' ')
		}
		b.WriteString(t.text)
	}
	s := strings.ReplaceAll(b.String(), `"`, "'")
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return s
}

func (ex *Extracted) addRef(args []arg, toks []token) {
	var pos []string
	var version string
	for _, a := range args {
		if !a.literal {
			ex.Unresolved = append(ex.Unresolved, render(toks))
			return
		}
		switch a.name {
		case "":
			s, ok := a.value.(string)
			if !ok {
				ex.Unresolved = append(ex.Unresolved, render(toks))
				return
			}
			pos = append(pos, s)
		case "v", "version":
			version = dbtyaml.Str(a.value)
		case "package", "package_name":
			if s, ok := a.value.(string); ok {
				pos = append([]string{s}, pos...)
			}
		}
	}
	switch len(pos) {
	case 1:
		ex.Refs = append(ex.Refs, RefCall{Name: pos[0], Version: version})
	case 2:
		ex.Refs = append(ex.Refs, RefCall{Package: pos[0], Name: pos[1], Version: version})
	default:
		ex.Unresolved = append(ex.Unresolved, render(toks))
	}
}

func (ex *Extracted) addSource(args []arg, toks []token) {
	var src, table string
	n := 0
	for _, a := range args {
		s, ok := a.value.(string)
		if !a.literal || !ok {
			ex.Unresolved = append(ex.Unresolved, render(toks))
			return
		}
		switch a.name {
		case "":
			if n == 0 {
				src = s
			} else {
				table = s
			}
			n++
		case "source_name":
			src = s
		case "table_name":
			table = s
		}
	}
	if src == "" || table == "" {
		ex.Unresolved = append(ex.Unresolved, render(toks))
		return
	}
	ex.Sources = append(ex.Sources, SourceCall{Source: src, Table: table})
}

// isGraphConfigKey reports the config() keys that change the lineage or how it is shown; a
// computed value for one of them is worth a warning, others are ignored silently.
func isGraphConfigKey(k string) bool {
	switch k {
	case "materialized", "tags", "schema", "enabled":
		return true
	}
	return false
}

func (ex *Extracted) addConfig(args []arg, toks []token) {
	for _, a := range args {
		if a.name == "" {
			continue
		}
		if !a.literal {
			if isGraphConfigKey(a.name) {
				ex.Unresolved = append(ex.Unresolved, render(toks))
			}
			continue
		}
		if ex.Config == nil {
			ex.Config = map[string]any{}
		}
		ex.Config[a.name] = a.value
	}
}
