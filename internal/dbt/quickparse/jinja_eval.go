package quickparse

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// The quick parser's Jinja evaluator: it renders a model file the way dbt parses it (execute
// is false, config.get returns "", var() reads the project's vars, ref() and source() record
// a dependency) so that refs chosen by vars, {% if %} on vars and literals, loops over lists
// and calls of project and package macros give dbt's dependencies. What only dbt and the
// warehouse know (target, adapter results, queries, unknown macros) is unknown: a condition on
// it keeps every branch, and the file says so in a note.

// macroDef is a macro found in a project's macro files or defined in the template itself.
type macroDef struct {
	name string
	pkg  *project
	node *tMacro
	file string // relative to the root project, for notes
	src  string // the file's text: node positions are offsets in it
}

// jscope is one level of variables.
type jscope struct {
	vars   map[string]any
	parent *jscope
}

func newScope(parent *jscope) *jscope { return &jscope{vars: map[string]any{}, parent: parent} }

func (s *jscope) lookup(name string) (any, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// callFrame is one macro call (or the template itself).
type callFrame struct {
	def      *macroDef
	ret      any
	returned bool
	// maybe are values returned in branches taken only maybe.
	maybe []any
}

type flow uint8

const (
	flowNormal flow = iota
	flowBreak
	flowContinue
	flowReturn
)

// outBuf collects a template's output; unknown is set when part of it is unknown.
type outBuf struct {
	b       strings.Builder
	unknown bool
}

// maxText bounds the text and lists the evaluator builds: what dbt would render bigger
// than this is no dependency information, only time.
const maxText = 1 << 20

func (o *outBuf) write(v any) {
	if o == nil {
		return
	}
	if o.b.Len() > maxText {
		o.unknown = true
		return
	}
	if _, ok := v.(undefinedV); ok {
		return
	}
	s, ok := pyString(v)
	if !ok {
		o.unknown = true
		return
	}
	o.b.WriteString(s)
}

func (o *outBuf) value() any {
	if o.unknown {
		return unknown("the output of a template with unknown parts")
	}
	return o.b.String()
}

// undefinedV is Jinja's Undefined: a missing key or attribute of a known value.
type undefinedV struct{}

// jnote is something the evaluator tells about a file: a condition it could not decide, or a
// ref whose name only dbt knows.
type jnote struct {
	file string
	line int
	text string
}

// refAt is a ref() or source() call met while rendering.
type refAt struct {
	ref   RefCall
	src   SourceCall
	isSrc bool
	file  string
	line  int
}

// jinjaRecord is what rendering one node found.
type jinjaRecord struct {
	deps       []refAt
	config     *jdict
	configSets int // config() and config.set() calls, to tell branches apart
	undecided  []jnote
	unresolved []jnote
}

type recMark struct{ deps, configs, unresolved int }

func (r *jinjaRecord) mark() recMark {
	return recMark{len(r.deps), r.configSets, len(r.unresolved)}
}

// since describes what was recorded after a mark: the dependencies (as a sorted set), and
// whether configs were set or unresolved calls met.
func (r *jinjaRecord) since(m recMark) string {
	set := map[string]bool{}
	for _, d := range r.deps[m.deps:] {
		if d.isSrc {
			set["s:"+d.src.String()] = true
		} else {
			set["r:"+d.ref.String()] = true
		}
	}
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if r.configSets > m.configs {
		keys = append(keys, fmt.Sprintf("config#%d", r.configSets))
	}
	if len(r.unresolved) > m.unresolved {
		keys = append(keys, "unresolved")
	}
	return strings.Join(keys, ",")
}

// jinjaEnv is what a node's rendering can see: its package, the vars, the macros.
type jinjaEnv struct {
	q   *quickParser
	pkg *project
	// vars returns a var's value for this package (dbt's merged vars); nil when none.
	vars func(name string) (any, bool)
	// schemaYAML is set when rendering a properties file: vars are not rendered further.
	plainVars bool
}

var errJinjaBudget = errors.New("the Jinja in this file takes too long to evaluate without dbt")

// evaluatorJ renders one node.
type evaluatorJ struct {
	env       *jinjaEnv
	rec       *jinjaRecord
	globals   *jscope
	file, src string
	frames    []*callFrame
	uncertain int
	steps     int
	depth     int
	// parsed caches templates rendered from strings (var values).
	parsed map[string][]tnode
	// callPos and callSrc are the position and source of the builtin call being made.
	callPos int
	callSrc string
	// inVar > 0 while a var's value renders; notes then point at varPos, the var() call.
	inVar  int
	varPos int
}

// jinjaStepBudget bounds the work for one file (the largest real model files and their
// macros take a few thousand steps).
const jinjaStepBudget = 400_000

func newEvaluatorJ(env *jinjaEnv) *evaluatorJ {
	ev := &evaluatorJ{env: env, rec: &jinjaRecord{config: newDict()}, parsed: map[string][]tnode{}}
	ev.globals = newScope(nil)
	ev.installBuiltins()
	return ev
}

// render evaluates a template; err is set when it cannot be parsed or is too complex.
func (ev *evaluatorJ) render(file, src string, nodes []tnode) (out any, err error) {
	defer func() {
		if r := recover(); r != nil {
			if r == errJinjaBudget {
				err = errJinjaBudget
				return
			}
			panic(r)
		}
	}()
	ev.file, ev.src = file, src
	ev.frames = append(ev.frames, &callFrame{})
	buf := &outBuf{}
	ev.execBody(nodes, newScope(ev.globals), buf)
	ev.frames = ev.frames[:len(ev.frames)-1]
	return buf.value(), nil
}

func (ev *evaluatorJ) step() {
	ev.steps++
	if ev.steps > jinjaStepBudget {
		panic(errJinjaBudget)
	}
}

func (ev *evaluatorJ) line(pos int) int {
	if ev.inVar > 0 {
		pos = ev.varPos
	}
	if pos < 0 || pos > len(ev.src) {
		return 0
	}
	return strings.Count(ev.src[:pos], "\n") + 1
}

func (ev *evaluatorJ) frame() *callFrame { return ev.frames[len(ev.frames)-1] }

func (ev *evaluatorJ) execBody(nodes []tnode, sc *jscope, out *outBuf) flow {
	for _, n := range nodes {
		if f := ev.exec(n, sc, out); f != flowNormal {
			return f
		}
	}
	return flowNormal
}

func (ev *evaluatorJ) exec(n tnode, sc *jscope, out *outBuf) flow {
	ev.step()
	switch n := n.(type) {
	case tText:
		out.b.WriteString(n.s)
	case tOutput:
		v := ev.eval(n.e, sc)
		if ev.frame().returned {
			return flowReturn
		}
		out.write(v)
	case tDo:
		ev.eval(n.e, sc)
		if ev.frame().returned {
			return flowReturn
		}
	case *tIf:
		return ev.execIf(n, sc, out)
	case *tFor:
		return ev.execFor(n, sc, out)
	case *tSet:
		var v any
		if n.body != nil {
			buf := &outBuf{}
			if f := ev.execBody(n.body, sc, buf); f == flowReturn {
				return f
			}
			v = buf.value()
			for _, f := range n.filters {
				v = ev.applyFilter(f.name, v, ev.evalArgs(f.args, sc), ev.evalKwargs(f.kwargs, sc))
			}
		} else {
			v = ev.eval(n.e, sc)
			if ev.frame().returned {
				return flowReturn
			}
		}
		ev.assign(n.targets, v, sc)
	case *tMacro:
		sc.vars[n.name] = &jmacro{def: &macroDef{name: n.name, node: n, pkg: ev.currentPkg(), file: ev.file, src: ev.src}}
	case *tCall:
		ev.execCall(n, sc, out)
	case *tFilterBlk:
		buf := &outBuf{}
		ev.execBody(n.body, sc, buf)
		v := buf.value()
		for _, f := range n.filters {
			v = ev.applyFilter(f.name, v, ev.evalArgs(f.args, sc), ev.evalKwargs(f.kwargs, sc))
		}
		out.write(v)
	case *tWith:
		inner := newScope(sc)
		for k, name := range n.names {
			inner.vars[name] = ev.eval(n.vals[k], sc)
		}
		return ev.execBody(n.body, inner, out)
	case *tBlock:
		if n.kind == "block" {
			return ev.execBody(n.body, sc, out)
		}
	case tBreak:
		return flowBreak
	case tContinue:
		return flowContinue
	}
	return flowNormal
}

func (ev *evaluatorJ) assign(targets []string, v any, sc *jscope) {
	if len(targets) == 1 {
		if obj, attr, ok := strings.Cut(targets[0], "."); ok {
			if ns, isNS := lookupAny(sc, ev, obj).(*jnamespace); isNS {
				ns.d.set(attr, v)
			}
			return
		}
		sc.vars[targets[0]] = v
		return
	}
	items, ok := iterate(v)
	for k, t := range targets {
		if ok && len(items) == len(targets) {
			sc.vars[t] = items[k]
		} else {
			sc.vars[t] = unknown("unpacking an unknown value")
		}
	}
}

func lookupAny(sc *jscope, ev *evaluatorJ, name string) any {
	if v, ok := sc.lookup(name); ok {
		return v
	}
	return ev.lookupGlobal(name)
}

// branchRun is one branch run on its own copy of the variables.
type branchRun struct {
	vars     map[string]any
	out      *outBuf
	returned bool
	ret      any
}

// runMaybe runs a body that may or may not run, on a copy of the innermost variables.
func (ev *evaluatorJ) runMaybe(body []tnode, sc *jscope) branchRun {
	copyVars := make(map[string]any, len(sc.vars))
	for k, v := range sc.vars {
		copyVars[k] = v
	}
	branch := &jscope{vars: copyVars, parent: sc.parent}
	fr := ev.frame()
	saved := *fr
	fr.returned, fr.ret = false, nil
	ev.uncertain++
	buf := &outBuf{}
	f := ev.execBody(body, branch, buf)
	ev.uncertain--
	r := branchRun{vars: copyVars, out: buf, returned: f == flowReturn || fr.returned, ret: fr.ret}
	fr.returned, fr.ret = saved.returned, saved.ret
	return r
}

// mergeBranches keeps what all branches agree on and marks the rest unknown; it returns
// whether every branch returned, with the merged value. The runs cover every way through
// (the caller passes an empty run for "no branch taken").
func (ev *evaluatorJ) mergeBranches(runs []branchRun, sc *jscope, out *outBuf) (bool, any) {
	type absentT struct{}
	keys := map[string]bool{}
	for _, r := range runs {
		for k := range r.vars {
			keys[k] = true
		}
	}
	for k := range keys {
		base, hadBase := sc.vars[k]
		var vals []any
		for _, r := range runs {
			if r.returned {
				continue // a branch that returned leaves nothing behind
			}
			v, ok := r.vars[k]
			switch {
			case ok:
				vals = append(vals, v)
			case hadBase:
				vals = append(vals, base)
			default:
				vals = append(vals, absentT{})
			}
		}
		if len(vals) == 0 {
			continue
		}
		same := true
		for _, v := range vals[1:] {
			_, a1 := vals[0].(absentT)
			_, a2 := v.(absentT)
			if a1 != a2 || !a1 && !sameValue(vals[0], v) {
				same = false
			}
		}
		switch {
		case !same:
			sc.vars[k] = unknown("set differently in branches only dbt can choose between")
		default:
			if _, absent := vals[0].(absentT); !absent {
				sc.vars[k] = vals[0]
			}
		}
	}
	text, textSame := "", true
	for i, r := range runs {
		if r.out.unknown {
			textSame = false
			break
		}
		if i == 0 {
			text = r.out.b.String()
		} else if r.out.b.String() != text {
			textSame = false
		}
	}
	if textSame {
		out.b.WriteString(text)
	} else {
		out.unknown = true
	}
	var vals []any
	all := true
	for _, r := range runs {
		if r.returned {
			vals = append(vals, r.ret)
		} else {
			all = false
		}
	}
	if !all {
		fr := ev.frame()
		fr.maybe = append(fr.maybe, vals...)
		return false, nil
	}
	v := vals[0]
	for _, x := range vals[1:] {
		if !sameValue(v, x) {
			return true, unknown("returned differently in branches only dbt can choose between")
		}
	}
	return true, v
}

func (ev *evaluatorJ) noteUndecided(pos int, text string) {
	ev.rec.undecided = append(ev.rec.undecided, jnote{file: ev.file, line: ev.line(pos), text: text})
}

func (ev *evaluatorJ) execIf(n *tIf, sc *jscope, out *outBuf) flow {
	for k, cond := range n.conds {
		v := ev.eval(cond, sc)
		if ev.frame().returned {
			return flowReturn
		}
		t, known := truth(v)
		if known {
			if t {
				return ev.execBody(n.bodies[k], sc, out)
			}
			continue
		}
		// Undecidable: every remaining branch may run. It is worth a note only when the
		// branches differ in what they make the node depend on or configure.
		var runs []branchRun
		var effects []string
		for _, body := range append(n.bodies[k:], n.els) {
			mark := ev.rec.mark()
			runs = append(runs, ev.runMaybe(body, sc))
			effects = append(effects, ev.rec.since(mark))
		}
		for _, e := range effects[1:] {
			if e != effects[0] {
				ev.noteUndecided(n.pos, "{% if "+n.srcs[k]+" %}")
				break
			}
		}
		// Later conditions are evaluated in their branches' stead: refs in them count.
		for _, c := range n.conds[k+1:] {
			ev.uncertain++
			ev.eval(c, sc)
			ev.uncertain--
		}
		if all, val := ev.mergeBranches(runs, sc, out); all {
			fr := ev.frame()
			fr.ret, fr.returned = val, true
			return flowReturn
		}
		return flowNormal
	}
	return ev.execBody(n.els, sc, out)
}

// loopV is Jinja's loop variable.
type loopV struct{ i, n int }

func (l loopV) attr(name string) any {
	i, n := l.i, l.n
	switch name {
	case "index":
		return int64(i + 1)
	case "index0":
		return int64(i)
	case "first":
		return i == 0
	case "last":
		return i == n-1
	case "length":
		return int64(n)
	case "revindex":
		return int64(n - i)
	case "revindex0":
		return int64(n - i - 1)
	case "depth":
		return int64(1)
	case "depth0":
		return int64(0)
	}
	return unknown("loop." + name)
}

const maxLoopItems = 20000

func (ev *evaluatorJ) execFor(n *tFor, sc *jscope, out *outBuf) flow {
	iv := ev.eval(n.iter, sc)
	items, known := iterate(iv)
	if !known || len(items) > maxLoopItems {
		// Run the body once with unknown loop variables: its refs count, its effects are
		// uncertain.
		inner := newScope(sc)
		for _, t := range n.targets {
			inner.vars[t] = unknown("the item of a loop over an unknown value")
		}
		inner.vars["loop"] = unknown("the loop of a loop over an unknown value")
		mark := ev.rec.mark()
		r := ev.runMaybe(n.body, inner)
		if ev.rec.since(mark) != "" {
			ev.noteUndecided(n.pos, "{% for "+strings.Join(n.targets, ", ")+" in … %} over a value only dbt knows")
		}
		ev.runMaybe(n.els, sc)
		if r.returned {
			ev.frame().maybe = append(ev.frame().maybe, r.ret)
		}
		out.unknown = true
		return flowNormal
	}
	ran := 0
	for i, item := range items {
		inner := newScope(sc)
		ev.assign(n.targets, item, inner)
		inner.vars["loop"] = loopV{i, len(items)}
		if n.filter != nil {
			t, ok := truth(ev.eval(n.filter, inner))
			if !ok {
				r := ev.runMaybe(n.body, inner)
				if r.returned {
					ev.frame().maybe = append(ev.frame().maybe, r.ret)
				}
				out.unknown = true
				continue
			}
			if !t {
				continue
			}
		}
		ran++
		switch ev.execBody(n.body, inner, out) {
		case flowBreak:
			return flowNormal
		case flowReturn:
			return flowReturn
		}
	}
	if ran == 0 && n.els != nil {
		return ev.execBody(n.els, sc, out)
	}
	return flowNormal
}

func (ev *evaluatorJ) execCall(n *tCall, sc *jscope, out *outBuf) {
	c, ok := n.call.(eCall)
	if !ok {
		ev.eval(n.call, sc)
		return
	}
	fn := ev.eval(c.fn, sc)
	args, kw := ev.evalCallArgs(c, sc)
	caller := &jmacro{def: &macroDef{name: "caller", node: &tMacro{name: "caller", params: n.params, body: n.body}, pkg: ev.currentPkg(), file: ev.file, src: ev.src}}
	switch f := fn.(type) {
	case *jmacro:
		m := *f
		m.caller = caller
		out.write(ev.callMacro(&m, args, kw))
	default:
		// dbt's statement() renders its body only when executing, never while parsing; other
		// callers datatui does not know are not rendered either.
		out.unknown = true
	}
}

// currentPkg is the package whose macros unqualified names find first.
func (ev *evaluatorJ) currentPkg() *project {
	for i := len(ev.frames) - 1; i >= 0; i-- {
		if d := ev.frames[i].def; d != nil && d.pkg != nil {
			return d.pkg
		}
	}
	return ev.env.pkg
}

const maxMacroDepth = 60

func (ev *evaluatorJ) callMacro(m *jmacro, args []any, kw *jdict) any {
	if ev.depth >= maxMacroDepth {
		return unknown("macros nested too deep")
	}
	def := m.def
	ev.depth++
	savedFile, savedSrc := ev.file, ev.src
	ev.file, ev.src = def.file, def.src
	fr := &callFrame{def: def}
	ev.frames = append(ev.frames, fr)
	defer func() {
		ev.frames = ev.frames[:len(ev.frames)-1]
		ev.file, ev.src = savedFile, savedSrc
		ev.depth--
	}()
	sc := newScope(ev.globals)
	if m.caller != nil {
		sc.vars["caller"] = m.caller
	}
	used := map[string]bool{}
	for i, p := range def.node.params {
		switch {
		case i < len(args):
			sc.vars[p.name] = args[i]
		case kw != nil && kw.m[p.name] != nil || kw != nil && hasKey(kw, p.name):
			sc.vars[p.name] = kw.m[p.name]
			used[p.name] = true
		case p.def != nil:
			sc.vars[p.name] = ev.eval(p.def, sc)
		default:
			sc.vars[p.name] = undefinedV{}
		}
	}
	extra := &jlist{}
	if len(args) > len(def.node.params) {
		extra.items = args[len(def.node.params):]
	}
	sc.vars["varargs"] = extra
	kwargs := newDict()
	if kw != nil {
		for _, k := range kw.keys {
			if !used[k] {
				kwargs.set(k, kw.m[k])
			}
		}
	}
	sc.vars["kwargs"] = kwargs
	buf := &outBuf{}
	ev.execBody(def.node.body, sc, buf)
	var result any
	if fr.returned {
		result = fr.ret
	} else {
		result = buf.value()
	}
	for _, v := range fr.maybe {
		if !sameValue(v, result) {
			return unknown("a macro that returns different values in branches dbt decides")
		}
	}
	return result
}

func hasKey(d *jdict, k string) bool { _, ok := d.m[k]; return ok }

func (ev *evaluatorJ) evalArgs(es []texpr, sc *jscope) []any {
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = ev.eval(e, sc)
	}
	return out
}

func (ev *evaluatorJ) evalKwargs(kws []ekw, sc *jscope) *jdict {
	d := newDict()
	for _, k := range kws {
		d.set(k.name, ev.eval(k.v, sc))
	}
	return d
}

func (ev *evaluatorJ) evalCallArgs(c eCall, sc *jscope) ([]any, *jdict) {
	args := ev.evalArgs(c.args, sc)
	if c.star != nil {
		if items, ok := iterate(ev.eval(c.star, sc)); ok {
			args = append(args, items...)
		}
	}
	kw := ev.evalKwargs(c.kwargs, sc)
	if c.dstar != nil {
		if d, ok := ev.eval(c.dstar, sc).(*jdict); ok {
			for _, k := range d.keys {
				kw.set(k, d.m[k])
			}
		}
	}
	return args, kw
}

// boundMethod is a method of a string, list or dict.
type boundMethod struct {
	recv any
	name string
}

func (ev *evaluatorJ) eval(e texpr, sc *jscope) any {
	ev.step()
	switch e := e.(type) {
	case eLit:
		return e.v
	case eName:
		if v, ok := sc.lookup(e.name); ok {
			return v
		}
		return ev.lookupGlobal(e.name)
	case eAttr:
		return ev.getattr(ev.eval(e.x, sc), e.name)
	case eIndex:
		return getitem(ev.eval(e.x, sc), ev.eval(e.idx, sc))
	case eSlice:
		return slice(ev.eval(e.x, sc), ev.evalOpt(e.lo, sc), ev.evalOpt(e.hi, sc), ev.evalOpt(e.step, sc))
	case eCall:
		fn := ev.eval(e.fn, sc)
		args, kw := ev.evalCallArgs(e, sc)
		return ev.call(fn, args, kw, e)
	case *eFilter:
		return ev.applyFilter(e.name, ev.eval(e.x, sc), ev.evalArgs(e.args, sc), ev.evalKwargs(e.kwargs, sc))
	case eTest:
		r := ev.applyTest(e.name, ev.eval(e.x, sc), ev.evalArgs(e.args, sc))
		if b, ok := r.(bool); ok && e.neg {
			return !b
		}
		return r
	case eUnary:
		v := ev.eval(e.x, sc)
		switch e.op {
		case "not":
			t, ok := truth(v)
			if !ok {
				return unknown("not of an unknown value")
			}
			return !t
		case "-":
			switch v := v.(type) {
			case int64:
				return -v
			case float64:
				return -v
			case bool:
				if v {
					return int64(-1)
				}
				return int64(0)
			}
			return unknown("negation")
		}
	case eBin:
		return ev.evalBin(e, sc)
	case eCompare:
		return ev.evalCompare(e, sc)
	case eCond:
		t, ok := truth(ev.eval(e.cond, sc))
		if ok {
			if t {
				return ev.eval(e.a, sc)
			}
			return ev.evalOpt(e.b, sc)
		}
		ev.uncertain++
		a, b := ev.eval(e.a, sc), ev.evalOpt(e.b, sc)
		ev.uncertain--
		if sameValue(a, b) {
			return a
		}
		return unknown("an inline if on an unknown value")
	case eList:
		return &jlist{items: ev.evalArgs(e.items, sc)}
	case eTuple:
		return &jlist{items: ev.evalArgs(e.items, sc)}
	case eDict:
		d := newDict()
		for i, k := range e.keys {
			kv := ev.eval(k, sc)
			ks, ok := pyString(kv)
			v := ev.eval(e.vals[i], sc)
			if ok {
				d.set(ks, v)
			}
		}
		return d
	case nil:
		return undefinedV{}
	}
	return unknownValue
}

func (ev *evaluatorJ) evalOpt(e texpr, sc *jscope) any {
	if e == nil {
		return nil
	}
	return ev.eval(e, sc)
}

func (ev *evaluatorJ) evalBin(e eBin, sc *jscope) any {
	switch e.op {
	case "and", "or":
		l := ev.eval(e.l, sc)
		t, ok := truth(l)
		if ok {
			if t == (e.op == "or") {
				return l
			}
			return ev.eval(e.r, sc)
		}
		r := ev.eval(e.r, sc)
		if rt, rok := truth(r); rok && (e.op == "and" && !rt) {
			return false
		} else if rok && e.op == "or" && rt {
			return true
		}
		return unknown("a boolean of an unknown value")
	}
	l, r := ev.eval(e.l, sc), ev.eval(e.r, sc)
	return binaryOp(e.op, l, r)
}

func binaryOp(op string, l, r any) any {
	if op == "~" {
		ls, ok1 := concatString(l)
		rs, ok2 := concatString(r)
		if !ok1 || !ok2 {
			return unknown("joining text with an unknown value")
		}
		if len(ls)+len(rs) > maxText {
			return unknown("text too long")
		}
		return ls + rs
	}
	if isUnknown(l) || isUnknown(r) {
		return unknown("arithmetic on an unknown value")
	}
	switch op {
	case "+":
		switch a := l.(type) {
		case string:
			if b, ok := r.(string); ok && len(a)+len(b) <= maxText {
				return a + b
			}
		case *jlist:
			if b, ok := r.(*jlist); ok && len(a.items)+len(b.items) <= maxLoopItems {
				return &jlist{items: append(append([]any{}, a.items...), b.items...)}
			}
		}
	case "*":
		if s, ok := l.(string); ok {
			if n, ok := r.(int64); ok && n >= 0 && int64(len(s))*n <= maxText {
				return strings.Repeat(s, int(n))
			}
			return unknown("text too long")
		}
	case "%":
		if s, ok := l.(string); ok {
			return unknown("printf-style formatting of " + pyRepr(s))
		}
	}
	a, ok1 := numeric(l)
	b, ok2 := numeric(r)
	if !ok1 || !ok2 {
		return unknown("arithmetic on values that are not numbers")
	}
	_, lf := l.(float64)
	_, rf := r.(float64)
	ints := !lf && !rf
	switch op {
	case "+", "-", "*":
		var v float64
		switch op {
		case "+":
			v = a + b
		case "-":
			v = a - b
		default:
			v = a * b
		}
		if ints && math.Abs(v) < 1<<53 {
			return int64(v)
		}
		return v
	case "/":
		if b == 0 {
			return unknown("division by zero")
		}
		return a / b
	case "//":
		if b == 0 {
			return unknown("division by zero")
		}
		v := math.Floor(a / b)
		if ints {
			return int64(v)
		}
		return v
	case "%":
		if b == 0 {
			return unknown("division by zero")
		}
		v := a - b*math.Floor(a/b)
		if ints {
			return int64(v)
		}
		return v
	case "**":
		v := math.Pow(a, b)
		if ints && b >= 0 && math.Abs(v) < 1<<53 {
			return int64(v)
		}
		return v
	}
	return unknownValue
}

// concatString is Jinja's ~ operand: str() of the value, "" for Undefined.
func concatString(v any) (string, bool) {
	if _, ok := v.(undefinedV); ok {
		return "", true
	}
	return pyString(v)
}

func (ev *evaluatorJ) evalCompare(e eCompare, sc *jscope) any {
	left := ev.eval(e.first, sc)
	result := any(true)
	for k, op := range e.ops {
		right := ev.eval(e.rest[k], sc)
		var r any
		switch op {
		case "==", "!=":
			eq, ok := pyEqual(left, right)
			if ok {
				r = eq == (op == "==")
			}
		case "in", "not in":
			in, ok := contains(right, left)
			if ok {
				r = in == (op == "in")
			}
		default:
			c, ok := pyCompare(left, right)
			if ok {
				switch op {
				case "<":
					r = c < 0
				case ">":
					r = c > 0
				case "<=":
					r = c <= 0
				case ">=":
					r = c >= 0
				}
			}
		}
		if r == nil {
			result = unknown("a comparison with an unknown value")
		} else if r == false {
			if _, isBool := result.(bool); isBool {
				return false
			}
		}
		left = right
	}
	return result
}

func (ev *evaluatorJ) call(fn any, args []any, kw *jdict, c eCall) any {
	switch f := fn.(type) {
	case *jmacro:
		return ev.callMacro(f, args, kw)
	case jfunc:
		return f(ev, args, kw)
	case *builtinFn:
		ev.callPos = c.pos
		ev.callSrc = c.src
		return f.fn(ev, args, kw)
	case boundMethod:
		return callMethod(f.recv, f.name, args, kw)
	case *jobj:
		if f.name == "config" {
			return configCall(ev, args, kw)
		}
	}
	return unknown("a call of something dbt provides")
}

func (ev *evaluatorJ) getattr(x any, name string) any {
	switch v := x.(type) {
	case *jdict:
		if val, ok := v.m[name]; ok {
			return val
		}
		if isMethod(x, name) {
			return boundMethod{recv: x, name: name}
		}
		return undefinedV{}
	case *jobj:
		if val, ok := v.attrs[name]; ok {
			return val
		}
		if v.lookup != nil {
			if val, ok := v.lookup(name); ok {
				return val
			}
		}
		return unknown(v.name + "." + name)
	case *jnamespace:
		if val, ok := v.d.m[name]; ok {
			return val
		}
		return undefinedV{}
	case string, *jlist:
		if isMethod(x, name) {
			return boundMethod{recv: x, name: name}
		}
		return undefinedV{}
	case loopV:
		return v.attr(name)
	case undefinedV:
		return undefinedV{}
	case nil:
		return undefinedV{}
	}
	return unknown("an attribute of a value only dbt knows")
}

func getitem(x, idx any) any {
	switch v := x.(type) {
	case *jdict:
		k, ok := pyString(idx)
		if !ok {
			return unknown("a key only dbt knows")
		}
		if val, ok := v.m[k]; ok {
			return val
		}
		return undefinedV{}
	case *jlist:
		n, ok := idx.(int64)
		if !ok {
			return unknown("an index only dbt knows")
		}
		if n < 0 {
			n += int64(len(v.items))
		}
		if n < 0 || n >= int64(len(v.items)) {
			return undefinedV{}
		}
		return v.items[n]
	case string:
		n, ok := idx.(int64)
		r := []rune(v)
		if !ok {
			return unknown("an index only dbt knows")
		}
		if n < 0 {
			n += int64(len(r))
		}
		if n < 0 || n >= int64(len(r)) {
			return undefinedV{}
		}
		return string(r[n])
	case *jobj, *jnamespace:
		if s, ok := idx.(string); ok {
			if o, isObj := v.(*jobj); isObj {
				if val, ok := o.attrs[s]; ok {
					return val
				}
			}
		}
	case undefinedV:
		return undefinedV{}
	}
	return unknown("an item of a value only dbt knows")
}

func slice(x, lo, hi, step any) any {
	if step != nil {
		return unknown("a stepped slice")
	}
	bound := func(v any, n int, def int) (int, bool) {
		if v == nil {
			return def, true
		}
		i, ok := v.(int64)
		if !ok {
			return 0, false
		}
		k := int(i)
		if k < 0 {
			k += n
		}
		return max(0, min(k, n)), true
	}
	switch v := x.(type) {
	case string:
		r := []rune(v)
		a, ok1 := bound(lo, len(r), 0)
		b, ok2 := bound(hi, len(r), len(r))
		if !ok1 || !ok2 {
			return unknown("a slice")
		}
		if a > b {
			return ""
		}
		return string(r[a:b])
	case *jlist:
		a, ok1 := bound(lo, len(v.items), 0)
		b, ok2 := bound(hi, len(v.items), len(v.items))
		if !ok1 || !ok2 {
			return unknown("a slice")
		}
		if a > b {
			return &jlist{}
		}
		return &jlist{items: append([]any{}, v.items[a:b]...)}
	}
	return unknown("a slice of a value only dbt knows")
}

// lookupGlobal finds a name the template did not set: a builtin of dbt's parse context, a
// macro (of the current macro's package, the node's package or the root project), or a
// package's namespace.
func (ev *evaluatorJ) lookupGlobal(name string) any {
	// A project may override ref and source with its own macros.
	if name == "ref" || name == "source" {
		if m := ev.findMacro(name); m != nil {
			return m
		}
	}
	if v, ok := ev.globals.vars[name]; ok {
		return v
	}
	if m := ev.findMacro(name); m != nil {
		return m
	}
	if pkg := ev.env.q.projectByName(name); pkg != nil {
		return ev.packageNamespace(pkg)
	}
	return unknown(name)
}

// findMacro looks a macro up by name: in the package of the macro running, the node's
// package, then the root project.
func (ev *evaluatorJ) findMacro(name string) *jmacro {
	for _, p := range []*project{ev.currentPkg(), ev.env.pkg, ev.env.q.root} {
		if p == nil {
			continue
		}
		if d := ev.env.q.macroIn(p, name); d != nil {
			return &jmacro{def: d}
		}
	}
	return nil
}

func (ev *evaluatorJ) packageNamespace(p *project) *jobj {
	return &jobj{name: p.name, lookup: func(n string) (any, bool) {
		if d := ev.env.q.macroIn(p, n); d != nil {
			return &jmacro{def: d}, true
		}
		return nil, false
	}}
}

// renderString renders a var's value in the node's context (dbt renders string vars when
// they are read).
func (ev *evaluatorJ) renderString(s string) any {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "{%") && !strings.Contains(s, "{#") {
		return s
	}
	nodes, ok := ev.parsed[s]
	if !ok {
		var err error
		nodes, err = parseTemplate(s)
		if err != nil {
			nodes = nil
		}
		ev.parsed[s] = nodes
	}
	if nodes == nil {
		return unknown("a var whose Jinja does not parse")
	}
	// Notes from inside the var point at the var() call.
	ev.frames = append(ev.frames, &callFrame{})
	buf := &outBuf{}
	ev.inVar++
	ev.execBody(nodes, newScope(ev.globals), buf)
	ev.inVar--
	ev.frames = ev.frames[:len(ev.frames)-1]
	return buf.value()
}

func (ev *evaluatorJ) String() string { return fmt.Sprintf("evaluator(%s)", ev.file) }
