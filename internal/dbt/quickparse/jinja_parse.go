package quickparse

import (
	"fmt"
	"strconv"
	"strings"
)

// This file parses a Jinja template (the subset dbt projects use: output, if/elif/else, for,
// set, macro, call, filter, do, with, raw and dbt's own blocks) into a tree, with Jinja's
// expression grammar, for the evaluator in jinja_eval.go. Tokens come from lexJinja.

// tnode is a template node.
type tnode interface{}

type (
	tText   struct{ s string }
	tOutput struct {
		e   texpr
		pos int
	}
	tIf struct {
		conds  []texpr
		srcs   []string // each condition's source, for notes
		bodies [][]tnode
		els    []tnode
		pos    int
	}
	tFor struct {
		targets []string
		iter    texpr
		filter  texpr
		body    []tnode
		els     []tnode
		pos     int
	}
	tSet struct {
		targets []string // "x", "a", "b" (unpacking) or "ns.attr"
		e       texpr
		body    []tnode // {% set x %}…{% endset %}
		filters []*eFilter
	}
	tMacro struct {
		name   string
		params []tparam
		body   []tnode
		pos    int
	}
	tCall struct {
		params []tparam // {% call(x) m() %}
		call   texpr
		body   []tnode
	}
	tDo        struct{ e texpr }
	tFilterBlk struct {
		filters []*eFilter
		body    []tnode
	}
	tWith struct {
		names []string
		vals  []texpr
		body  []tnode
	}
	// tBlock is a dbt block (snapshot, test, materialization, docs) or a Jinja block.
	tBlock struct {
		kind, name string
		body       []tnode
	}
	tBreak    struct{}
	tContinue struct{}
)

type tparam struct {
	name string
	def  texpr // nil when required
}

// texpr is an expression node.
type texpr interface{}

type (
	eLit  struct{ v any }
	eName struct {
		name string
		pos  int
	}
	eAttr struct {
		x    texpr
		name string
	}
	eIndex struct{ x, idx texpr }
	eSlice struct{ x, lo, hi, step texpr }
	eCall  struct {
		fn     texpr
		args   []texpr
		kwargs []ekw
		star   texpr
		dstar  texpr
		pos    int
		src    string
	}
	eFilter struct {
		x      texpr
		name   string
		args   []texpr
		kwargs []ekw
	}
	eTest struct {
		x    texpr
		name string
		args []texpr
		neg  bool
	}
	eUnary struct {
		op string
		x  texpr
	}
	eBin struct {
		op   string
		l, r texpr
	}
	eCompare struct {
		first texpr
		ops   []string
		rest  []texpr
	}
	eCond  struct{ cond, a, b texpr }
	eList  struct{ items []texpr }
	eTuple struct{ items []texpr }
	eDict  struct{ keys, vals []texpr }
)

type ekw struct {
	name string
	v    texpr
}

// tmplError is a Jinja syntax error at a byte offset.
type tmplError struct {
	pos int
	msg string
}

func (e *tmplError) Error() string { return e.msg }

// parseTemplate parses src into a node list.
func parseTemplate(src string) (nodes []tnode, err error) {
	defer func() {
		if r := recover(); r != nil {
			te, ok := r.(*tmplError)
			if !ok {
				panic(r)
			}
			err = te
		}
	}()
	p := &tmplParser{src: src}
	nodes = p.parseBody(nil)
	return nodes, nil
}

type tmplParser struct {
	src string
	i   int
}

// stmt is a {% … %} header as tokens.
type stmt struct {
	toks []token
	pos  int
}

func (p *tmplParser) fail(pos int, format string, args ...any) {
	panic(&tmplError{pos: pos, msg: fmt.Sprintf(format, args...)})
}

// nextTag finds the next tag from p.i; it returns the text before it and the tag kind ('{',
// '%', '#') with its tokens, or kind 0 at the end.
func (p *tmplParser) nextTag() (text string, kind byte, st stmt, lstrip bool) {
	start := p.i
	for {
		j := strings.IndexByte(p.src[p.i:], '{')
		if j < 0 || p.i+j+1 >= len(p.src) {
			p.i = len(p.src)
			return p.src[start:], 0, stmt{}, false
		}
		k := p.i + j
		c := p.src[k+1]
		if c != '{' && c != '%' && c != '#' {
			p.i = k + 1
			continue
		}
		text = p.src[start:k]
		body := k + 2
		if body < len(p.src) && p.src[body] == '-' {
			lstrip = true
			body++
		} else if body < len(p.src) && p.src[body] == '+' {
			body++
		}
		if c == '#' {
			end := strings.Index(p.src[body:], "#}")
			if end < 0 {
				p.fail(k, "a {# comment #} is not closed")
			}
			p.i = body + end + 2
			return text, '#', stmt{pos: k}, lstrip
		}
		toks, end := lexJinja(p.src, body, false)
		closer := "}}"
		if c == '%' {
			closer = "%}"
		}
		if end < body+2 || p.src[end-2:end] != closer {
			p.fail(k, "a tag is not closed with %s", closer)
		}
		// A trailing '-' (or '+') before the closer is whitespace control.
		if n := len(toks); n > 0 && toks[n-1].kind == tokPunct && (toks[n-1].text == "-" || toks[n-1].text == "+") && toks[n-1].pos == end-3 {
			toks = toks[:n-1]
		}
		p.i = end
		return text, c, stmt{toks: toks, pos: k}, lstrip
	}
}

// parseBody parses nodes until one of the end tags (their first word) and returns them.
func (p *tmplParser) parseBody(ends []string) []tnode {
	nodes, _ := p.parseUntil(ends)
	return nodes
}

// parseUntil parses nodes until a statement whose first word is in ends, which it returns.
func (p *tmplParser) parseUntil(ends []string) ([]tnode, stmt) {
	var nodes []tnode
	for {
		startPos := p.i
		text, kind, st, _ := p.nextTag()
		if text != "" {
			nodes = append(nodes, tText{text})
		}
		switch kind {
		case 0:
			if len(ends) > 0 {
				p.fail(startPos, "the template ends before {%% %s %%}", ends[0])
			}
			return nodes, stmt{}
		case '#':
			continue
		case '{':
			x := &exprParser{toks: st.toks, src: p.src}
			e := x.parseTupleOrExpr()
			x.expectEnd()
			nodes = append(nodes, tOutput{e: e, pos: st.pos})
			continue
		}
		if len(st.toks) == 0 || st.toks[0].kind != tokIdent {
			p.fail(st.pos, "a {%% %%} tag needs a statement")
		}
		word := st.toks[0].text
		for _, e := range ends {
			if e == word {
				return nodes, st
			}
		}
		if n := p.parseStatement(word, st); n != nil {
			nodes = append(nodes, n)
		}
	}
}

func (p *tmplParser) parseStatement(word string, st stmt) tnode {
	x := &exprParser{toks: st.toks, i: 1, src: p.src}
	switch word {
	case "if":
		n := &tIf{pos: st.pos}
		cond, src := x.parseExprSrc()
		x.expectEnd()
		for {
			n.conds = append(n.conds, cond)
			n.srcs = append(n.srcs, src)
			body, end := p.parseUntil([]string{"elif", "else", "endif"})
			n.bodies = append(n.bodies, body)
			switch end.toks[0].text {
			case "elif":
				ex := &exprParser{toks: end.toks, i: 1, src: p.src}
				cond, src = ex.parseExprSrc()
				ex.expectEnd()
				continue
			case "else":
				n.els = p.parseBody([]string{"endif"})
			}
			return n
		}
	case "for":
		n := &tFor{pos: st.pos}
		n.targets = x.parseTargets()
		x.expectWord("in")
		n.iter = x.parseExprNoCond()
		if x.peekWord("if") {
			x.i++
			n.filter = x.parseExpr()
		}
		if x.peekWord("recursive") {
			x.i++
		}
		x.expectEnd()
		body, end := p.parseUntil([]string{"else", "endfor"})
		n.body = body
		if end.toks[0].text == "else" {
			n.els = p.parseBody([]string{"endfor"})
		}
		return n
	case "set":
		n := &tSet{}
		n.targets = x.parseTargets()
		if x.peekPunct("=") {
			x.i++
			n.e = x.parseTupleOrExpr()
			x.expectEnd()
			return n
		}
		for x.peekPunct("|") {
			x.i++
			n.filters = append(n.filters, x.parseFilterCall(nil))
		}
		x.expectEnd()
		n.body = p.parseBody([]string{"endset"})
		return n
	case "macro":
		n := &tMacro{pos: st.pos}
		n.name = x.expectIdent()
		n.params = x.parseParams()
		x.expectEnd()
		n.body = p.parseBody([]string{"endmacro"})
		return n
	case "call":
		n := &tCall{}
		if x.peekPunct("(") {
			n.params = x.parseParams()
		}
		n.call = x.parseExpr()
		x.expectEnd()
		n.body = p.parseBody([]string{"endcall"})
		return n
	case "filter":
		n := &tFilterBlk{}
		n.filters = append(n.filters, x.parseFilterCall(nil))
		for x.peekPunct("|") {
			x.i++
			n.filters = append(n.filters, x.parseFilterCall(nil))
		}
		x.expectEnd()
		n.body = p.parseBody([]string{"endfilter"})
		return n
	case "do":
		n := tDo{e: x.parseTupleOrExpr()}
		x.expectEnd()
		return n
	case "with":
		n := &tWith{}
		for !x.atEnd() {
			n.names = append(n.names, x.expectIdent())
			x.expectPunct("=")
			n.vals = append(n.vals, x.parseExpr())
			if x.peekPunct(",") {
				x.i++
			}
		}
		n.body = p.parseBody([]string{"endwith"})
		return n
	case "raw":
		k := strings.Index(p.src[p.i:], "endraw")
		if k < 0 {
			p.fail(st.pos, "{%% raw %%} is not closed")
		}
		open := strings.LastIndex(p.src[p.i:p.i+k], "{%")
		closeTag := strings.Index(p.src[p.i+k:], "%}")
		if open < 0 || closeTag < 0 {
			p.fail(st.pos, "{%% raw %%} is not closed")
		}
		text := p.src[p.i : p.i+open]
		p.i = p.i + k + closeTag + 2
		return tText{text}
	case "snapshot", "test", "materialization", "docs", "block":
		n := &tBlock{kind: word}
		if x.i < len(x.toks) && x.toks[x.i].kind == tokIdent {
			n.name = x.toks[x.i].text
		}
		n.body = p.parseBody([]string{"end" + word})
		return n
	case "break":
		return tBreak{}
	case "continue":
		return tContinue{}
	case "extends", "include", "import", "from":
		// Not used to build dbt's graph; nothing to evaluate.
		return nil
	}
	p.fail(st.pos, "unknown tag %q", word)
	return nil
}

// exprParser parses one tag's tokens.
type exprParser struct {
	toks []token
	i    int
	src  string
}

func (x *exprParser) fail(format string, args ...any) {
	pos := 0
	if x.i < len(x.toks) {
		pos = x.toks[x.i].pos
	} else if len(x.toks) > 0 {
		pos = x.toks[len(x.toks)-1].pos
	}
	panic(&tmplError{pos: pos, msg: fmt.Sprintf(format, args...)})
}

func (x *exprParser) atEnd() bool { return x.i >= len(x.toks) }

func (x *exprParser) expectEnd() {
	if !x.atEnd() {
		x.fail("unexpected %q", x.toks[x.i].text)
	}
}

func (x *exprParser) peekPunct(s string) bool {
	return x.i < len(x.toks) && x.toks[x.i].kind == tokPunct && x.toks[x.i].text == s
}

func (x *exprParser) peekWord(s string) bool {
	return x.i < len(x.toks) && x.toks[x.i].kind == tokIdent && x.toks[x.i].text == s
}

func (x *exprParser) expectPunct(s string) {
	if !x.peekPunct(s) {
		x.fail("expected %q", s)
	}
	x.i++
}

func (x *exprParser) expectWord(s string) {
	if !x.peekWord(s) {
		x.fail("expected %q", s)
	}
	x.i++
}

func (x *exprParser) expectIdent() string {
	if x.i >= len(x.toks) || x.toks[x.i].kind != tokIdent {
		x.fail("expected a name")
	}
	x.i++
	return x.toks[x.i-1].text
}

// parseTargets reads assignment targets: a, b / (a, b) / ns.attr.
func (x *exprParser) parseTargets() []string {
	var out []string
	paren := x.peekPunct("(")
	if paren {
		x.i++
	}
	for {
		name := x.expectIdent()
		if x.peekPunct(".") {
			x.i++
			name += "." + x.expectIdent()
		}
		out = append(out, name)
		if !x.peekPunct(",") {
			break
		}
		x.i++
	}
	if paren {
		x.expectPunct(")")
	}
	return out
}

// parseParams reads a macro's (a, b=1) parameter list.
func (x *exprParser) parseParams() []tparam {
	x.expectPunct("(")
	var out []tparam
	for !x.peekPunct(")") {
		p := tparam{name: x.expectIdent()}
		if x.peekPunct("=") {
			x.i++
			p.def = x.parseExpr()
		}
		out = append(out, p)
		if !x.peekPunct(",") {
			break
		}
		x.i++
	}
	x.expectPunct(")")
	return out
}

// parseExprSrc parses an expression and returns its source text (compact), for notes.
func (x *exprParser) parseExprSrc() (texpr, string) {
	start := x.i
	e := x.parseExpr()
	return e, render(x.toks[start:x.i])
}

func (x *exprParser) parseTupleOrExpr() texpr {
	e := x.parseExpr()
	if !x.peekPunct(",") {
		return e
	}
	items := []texpr{e}
	for x.peekPunct(",") {
		x.i++
		if x.atEnd() {
			break
		}
		items = append(items, x.parseExpr())
	}
	return eTuple{items}
}

func (x *exprParser) parseExpr() texpr {
	e := x.parseOr()
	for x.peekWord("if") {
		x.i++
		cond := x.parseOr()
		var other texpr
		if x.peekWord("else") {
			x.i++
			other = x.parseExpr()
		}
		e = eCond{cond: cond, a: e, b: other}
	}
	return e
}

// parseExprNoCond is an expression without a trailing `if` (the iterable of a for loop).
func (x *exprParser) parseExprNoCond() texpr { return x.parseOr() }

func (x *exprParser) parseOr() texpr {
	e := x.parseAnd()
	for x.peekWord("or") {
		x.i++
		e = eBin{op: "or", l: e, r: x.parseAnd()}
	}
	return e
}

func (x *exprParser) parseAnd() texpr {
	e := x.parseNot()
	for x.peekWord("and") {
		x.i++
		e = eBin{op: "and", l: e, r: x.parseNot()}
	}
	return e
}

func (x *exprParser) parseNot() texpr {
	if x.peekWord("not") {
		x.i++
		return eUnary{op: "not", x: x.parseNot()}
	}
	return x.parseCompare()
}

func (x *exprParser) parseCompare() texpr {
	first := x.parseMath1()
	var ops []string
	var rest []texpr
	for {
		switch {
		case x.i < len(x.toks) && x.toks[x.i].kind == tokPunct && isCompareOp(x.toks[x.i].text):
			ops = append(ops, x.toks[x.i].text)
			x.i++
		case x.peekWord("in"):
			ops = append(ops, "in")
			x.i++
		case x.peekWord("not") && x.i+1 < len(x.toks) && x.toks[x.i+1].kind == tokIdent && x.toks[x.i+1].text == "in":
			ops = append(ops, "not in")
			x.i += 2
		default:
			if ops == nil {
				return first
			}
			return eCompare{first: first, ops: ops, rest: rest}
		}
		rest = append(rest, x.parseMath1())
	}
}

func isCompareOp(s string) bool {
	switch s {
	case "==", "!=", "<", ">", "<=", ">=":
		return true
	}
	return false
}

func (x *exprParser) parseMath1() texpr {
	e := x.parseConcat()
	for x.peekPunct("+") || x.peekPunct("-") {
		op := x.toks[x.i].text
		x.i++
		e = eBin{op: op, l: e, r: x.parseConcat()}
	}
	return e
}

func (x *exprParser) parseConcat() texpr {
	e := x.parseMath2()
	for x.peekPunct("~") {
		x.i++
		e = eBin{op: "~", l: e, r: x.parseMath2()}
	}
	return e
}

func (x *exprParser) parseMath2() texpr {
	e := x.parsePow()
	for x.peekPunct("*") || x.peekPunct("/") || x.peekPunct("//") || x.peekPunct("%") {
		op := x.toks[x.i].text
		x.i++
		e = eBin{op: op, l: e, r: x.parsePow()}
	}
	return e
}

func (x *exprParser) parsePow() texpr {
	e := x.parseUnary()
	for x.peekPunct("**") {
		x.i++
		e = eBin{op: "**", l: e, r: x.parseUnary()}
	}
	return e
}

func (x *exprParser) parseUnary() texpr {
	var e texpr
	switch {
	case x.peekPunct("-"):
		x.i++
		e = eUnary{op: "-", x: x.parseUnary()}
		return x.parseFilters(e)
	case x.peekPunct("+"):
		x.i++
		e = x.parseUnary()
		return x.parseFilters(e)
	}
	e = x.parsePostfix(x.parsePrimary())
	return x.parseFilters(e)
}

func (x *exprParser) parsePrimary() texpr {
	if x.atEnd() {
		x.fail("an expression is missing")
	}
	t := x.toks[x.i]
	x.i++
	switch t.kind {
	case tokString:
		s := t.text
		for x.i < len(x.toks) && x.toks[x.i].kind == tokString {
			s += x.toks[x.i].text
			x.i++
		}
		return eLit{s}
	case tokBadString:
		x.i--
		x.fail("invalid escape in a string literal")
	case tokNumber:
		return eLit{parseNumber(t.text)}
	case tokIdent:
		switch t.text {
		case "true", "True":
			return eLit{true}
		case "false", "False":
			return eLit{false}
		case "none", "None":
			return eLit{nil}
		}
		return eName{name: t.text, pos: t.pos}
	case tokPunct:
		switch t.text {
		case "(":
			if x.peekPunct(")") {
				x.i++
				return eTuple{}
			}
			e := x.parseExpr()
			if x.peekPunct(",") {
				items := []texpr{e}
				for x.peekPunct(",") {
					x.i++
					if x.peekPunct(")") {
						break
					}
					items = append(items, x.parseExpr())
				}
				x.expectPunct(")")
				return eTuple{items}
			}
			x.expectPunct(")")
			return e
		case "[":
			var items []texpr
			for !x.peekPunct("]") {
				items = append(items, x.parseExpr())
				if !x.peekPunct(",") {
					break
				}
				x.i++
			}
			x.expectPunct("]")
			return eList{items}
		case "{":
			d := eDict{}
			for !x.peekPunct("}") {
				d.keys = append(d.keys, x.parseExpr())
				x.expectPunct(":")
				d.vals = append(d.vals, x.parseExpr())
				if !x.peekPunct(",") {
					break
				}
				x.i++
			}
			x.expectPunct("}")
			return d
		}
	}
	x.i--
	x.fail("unexpected %q", t.text)
	return nil
}

func parseNumber(s string) any {
	s = strings.ReplaceAll(s, "_", "")
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return s
}

func (x *exprParser) parsePostfix(e texpr) texpr {
	for {
		switch {
		case x.peekPunct("."):
			x.i++
			if x.atEnd() {
				x.fail("a name is missing after '.'")
			}
			t := x.toks[x.i]
			x.i++
			if t.kind == tokNumber {
				e = eIndex{x: e, idx: eLit{parseNumber(t.text)}}
			} else {
				e = eAttr{x: e, name: t.text}
			}
		case x.peekPunct("["):
			x.i++
			e = x.parseSubscript(e)
		case x.peekPunct("("):
			e = x.parseCall(e)
		default:
			return e
		}
	}
}

func (x *exprParser) parseSubscript(e texpr) texpr {
	var parts [3]texpr
	k := 0
	slice := false
	for !x.peekPunct("]") {
		if x.peekPunct(":") {
			x.i++
			slice = true
			k++
			if k > 2 {
				x.fail("too many ':' in a slice")
			}
			continue
		}
		parts[k] = x.parseExpr()
	}
	x.expectPunct("]")
	if slice {
		return eSlice{x: e, lo: parts[0], hi: parts[1], step: parts[2]}
	}
	return eIndex{x: e, idx: parts[0]}
}

func (x *exprParser) parseCall(fn texpr) texpr {
	start := x.i - 1
	var pos int
	if start >= 0 {
		pos = x.toks[start].pos
	}
	x.expectPunct("(")
	c := eCall{fn: fn, pos: pos}
	for !x.peekPunct(")") {
		switch {
		case x.peekPunct("*") || x.peekPunct("**"):
			dbl := x.toks[x.i].text == "**"
			x.i++
			if dbl {
				c.dstar = x.parseExpr()
			} else {
				c.star = x.parseExpr()
			}
		case x.i+1 < len(x.toks) && x.toks[x.i].kind == tokIdent && x.toks[x.i+1].kind == tokPunct && x.toks[x.i+1].text == "=":
			name := x.toks[x.i].text
			x.i += 2
			c.kwargs = append(c.kwargs, ekw{name, x.parseExpr()})
		default:
			c.args = append(c.args, x.parseExpr())
		}
		if !x.peekPunct(",") {
			break
		}
		x.i++
	}
	x.expectPunct(")")
	if start < 0 {
		start = 0
	}
	c.src = render(x.toks[max(0, start):x.i])
	return c
}

func (x *exprParser) parseFilters(e texpr) texpr {
	for {
		switch {
		case x.peekPunct("|"):
			x.i++
			e = x.parseFilterCall(e)
		case x.peekWord("is"):
			x.i++
			t := eTest{x: e}
			if x.peekWord("not") {
				x.i++
				t.neg = true
			}
			t.name = x.expectIdent()
			if x.peekPunct("(") {
				x.i++
				for !x.peekPunct(")") {
					t.args = append(t.args, x.parseExpr())
					if !x.peekPunct(",") {
						break
					}
					x.i++
				}
				x.expectPunct(")")
			} else if !x.atEnd() && (x.toks[x.i].kind == tokString || x.toks[x.i].kind == tokNumber ||
				x.toks[x.i].kind == tokIdent && !isKeyword(x.toks[x.i].text)) {
				// `x is divisibleby 3`, `x is eq 'a'`
				t.args = append(t.args, x.parsePostfix(x.parsePrimary()))
			}
			e = t
		default:
			return e
		}
	}
}

func isKeyword(s string) bool {
	switch s {
	case "and", "or", "not", "in", "is", "if", "else":
		return true
	}
	return false
}

func (x *exprParser) parseFilterCall(e texpr) *eFilter {
	f := &eFilter{x: e, name: x.expectIdent()}
	for x.peekPunct(".") { // dotted filter names
		x.i++
		f.name += "." + x.expectIdent()
	}
	if x.peekPunct("(") {
		c := x.parseCall(nil).(eCall)
		f.args, f.kwargs = c.args, c.kwargs
	}
	return f
}
