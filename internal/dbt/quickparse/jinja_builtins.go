package quickparse

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/safeyaml"
)

// builtinFn is a function of dbt's parse context (ref, source, var…).
type builtinFn struct {
	name string
	fn   jfunc
}

func (ev *evaluatorJ) def(name string, fn jfunc) {
	ev.globals.vars[name] = &builtinFn{name: name, fn: fn}
}

func none(*evaluatorJ, []any, *jdict) any { return "" }

func argAt(args []any, kw *jdict, i int, name string) (any, bool) {
	if i < len(args) {
		return args[i], true
	}
	if kw != nil {
		if v, ok := kw.m[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// installBuiltins fills the globals with what dbt's parse context offers.
func (ev *evaluatorJ) installBuiltins() {
	g := ev.globals.vars
	ev.def("ref", builtinRef)
	ev.def("source", builtinSource)
	ev.def("var", builtinVar)
	ev.def("env_var", builtinEnvVar)
	ev.def("return", func(ev *evaluatorJ, args []any, kw *jdict) any {
		v, _ := argAt(args, kw, 0, "value")
		fr := ev.frame()
		fr.ret, fr.returned = v, true
		return ""
	})
	for _, n := range []string{"log", "print", "do", "write"} {
		ev.def(n, none)
	}
	// While parsing, dbt does not execute: no queries, nothing incremental.
	g["execute"] = false
	ev.def("is_incremental", func(*evaluatorJ, []any, *jdict) any { return false })
	ev.def("run_query", func(*evaluatorJ, []any, *jdict) any { return nil })
	ev.def("load_result", func(*evaluatorJ, []any, *jdict) any { return nil })
	ev.def("statement", none)
	g["config"] = &jobj{name: "config", attrs: map[string]any{
		// dbt's ParseConfigObject: get and require return "" while parsing.
		"get":     &builtinFn{name: "config.get", fn: none},
		"require": &builtinFn{name: "config.require", fn: none},
		"set": &builtinFn{name: "config.set", fn: func(ev *evaluatorJ, args []any, kw *jdict) any {
			if len(args) == 2 {
				if k, ok := args[0].(string); ok {
					ev.rec.config.set(k, args[1])
					ev.rec.configSets++
				}
			}
			return ""
		}},
		"persist_relation_docs": &builtinFn{name: "config", fn: func(*evaluatorJ, []any, *jdict) any { return false }},
		"persist_column_docs":   &builtinFn{name: "config", fn: func(*evaluatorJ, []any, *jdict) any { return false }},
	}}
	g["builtins"] = &jobj{name: "builtins", attrs: map[string]any{"ref": g["ref"], "source": g["source"], "config": g["config"]}}
	g["exceptions"] = &jobj{name: "exceptions", lookup: func(string) (any, bool) { return &builtinFn{name: "exceptions", fn: none}, true }}
	g["adapter"] = &jobj{name: "adapter", attrs: map[string]any{"dispatch": &builtinFn{name: "adapter.dispatch", fn: builtinDispatch}}}
	g["target"] = ev.targetObject()
	for _, n := range []string{"flags", "modules", "graph", "model", "api", "context", "invocation_id", "run_started_at", "selected_resources", "database", "schema"} {
		g[n] = unknown(n)
	}
	g["this"] = &jrel{what: "this"}
	g["project_name"] = ev.env.q.root.name
	ev.def("range", builtinRange)
	ev.def("dict", func(_ *evaluatorJ, args []any, kw *jdict) any {
		d := newDict()
		if len(args) == 1 {
			if src, ok := args[0].(*jdict); ok {
				for _, k := range src.keys {
					d.set(k, src.m[k])
				}
			}
		}
		for _, k := range kw.keys {
			d.set(k, kw.m[k])
		}
		return d
	})
	ev.def("namespace", func(_ *evaluatorJ, args []any, kw *jdict) any {
		d := newDict()
		for _, k := range kw.keys {
			d.set(k, kw.m[k])
		}
		return &jnamespace{d: d}
	})
	ev.def("zip", func(_ *evaluatorJ, args []any, _ *jdict) any {
		var lists [][]any
		for _, a := range args {
			items, ok := iterate(a)
			if !ok {
				return unknown("zip of an unknown value")
			}
			lists = append(lists, items)
		}
		out := &jlist{}
		for i := 0; len(lists) > 0; i++ {
			row := &jlist{}
			for _, l := range lists {
				if i >= len(l) {
					return out
				}
				row.items = append(row.items, l[i])
			}
			out.items = append(out.items, row)
		}
		return out
	})
	for _, n := range []string{"set", "set_strict"} {
		ev.def(n, func(_ *evaluatorJ, args []any, _ *jdict) any {
			items, ok := iterate(firstArg(args))
			if !ok {
				return unknown("set of an unknown value")
			}
			return uniqueList(items)
		})
	}
	ev.def("local_md5", func(_ *evaluatorJ, args []any, _ *jdict) any {
		s, ok := firstArg(args).(string)
		if !ok {
			return unknown("md5 of an unknown value")
		}
		sum := md5.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	})
	ev.def("tojson", func(_ *evaluatorJ, args []any, _ *jdict) any { return toJSONText(firstArg(args)) })
	ev.def("fromjson", func(_ *evaluatorJ, args []any, _ *jdict) any {
		s, ok := firstArg(args).(string)
		var v any
		if !ok || json.Unmarshal([]byte(s), &v) != nil {
			return unknown("fromjson")
		}
		return fromYAML(v)
	})
	ev.def("fromyaml", func(_ *evaluatorJ, args []any, _ *jdict) any {
		s, ok := firstArg(args).(string)
		var v any
		if !ok || safeyaml.Unmarshal([]byte(s), &v, yaml.UseOrderedMap()) != nil {
			return unknown("fromyaml")
		}
		return fromYAML(v)
	})
}

func firstArg(args []any) any {
	if len(args) == 0 {
		return undefinedV{}
	}
	return args[0]
}

func uniqueList(items []any) *jlist {
	out := &jlist{}
	for _, x := range items {
		dup := false
		for _, y := range out.items {
			if sameValue(x, y) {
				dup = true
				break
			}
		}
		if !dup {
			out.items = append(out.items, x)
		}
	}
	return out
}

func toJSONText(v any) any {
	if isUnknown(v) {
		return unknown("tojson of an unknown value")
	}
	b, err := json.Marshal(toPlain(v))
	if err != nil {
		return unknown("tojson")
	}
	return string(b)
}

func (ev *evaluatorJ) targetObject() any {
	t := ev.env.q.target
	if len(t) == 0 {
		return unknown("target (the profile's target is not known to the quick parse)")
	}
	attrs := map[string]any{}
	for k, v := range t {
		attrs[k] = v
	}
	return &jobj{name: "target", attrs: attrs}
}

// builtinRef records ref('name'), ref('package', 'name'), ref('name', v=2).
func builtinRef(ev *evaluatorJ, args []any, kw *jdict) any {
	var pos []string
	var version string
	for _, a := range args {
		s, ok := a.(string)
		if !ok {
			ev.unresolvedCall("ref", args, kw)
			return &jrel{what: "ref"}
		}
		pos = append(pos, s)
	}
	for _, k := range kw.keys {
		v := kw.m[k]
		switch k {
		case "v", "version":
			s, ok := pyString(v)
			if !ok {
				ev.unresolvedCall("ref", args, kw)
				return &jrel{what: "ref"}
			}
			if v != nil {
				version = s
			}
		case "package", "package_name":
			s, ok := v.(string)
			if !ok {
				ev.unresolvedCall("ref", args, kw)
				return &jrel{what: "ref"}
			}
			pos = append([]string{s}, pos...)
		}
	}
	var r RefCall
	switch len(pos) {
	case 1:
		r = RefCall{Name: pos[0], Version: version}
	case 2:
		r = RefCall{Package: pos[0], Name: pos[1], Version: version}
	default:
		ev.unresolvedCall("ref", args, kw)
		return &jrel{what: "ref"}
	}
	ev.rec.deps = append(ev.rec.deps, refAt{ref: r, file: ev.file, line: ev.line(ev.callPos)})
	return &jrel{what: r.String()}
}

func builtinSource(ev *evaluatorJ, args []any, kw *jdict) any {
	src, ok1 := argAt(args, kw, 0, "source_name")
	table, ok2 := argAt(args, kw, 1, "table_name")
	s, isS := src.(string)
	t, isT := table.(string)
	if !ok1 || !ok2 || !isS || !isT {
		ev.unresolvedCall("source", args, kw)
		return &jrel{what: "source"}
	}
	sc := SourceCall{Source: s, Table: t}
	ev.rec.deps = append(ev.rec.deps, refAt{src: sc, isSrc: true, file: ev.file, line: ev.line(ev.callPos)})
	return &jrel{what: sc.String()}
}

// unresolvedCall notes a ref() or source() whose arguments are not names: values only dbt
// knows (a macro argument, the target, a query), or None (an unset var).
func (ev *evaluatorJ) unresolvedCall(fn string, args []any, kw *jdict) {
	text := ev.callSrc
	if text == "" {
		text = fn + "(…)"
	}
	if d := ev.frame().def; d != nil {
		text += " in macro " + d.name
	}
	why := "the name is only known when dbt renders it (a macro argument or a value from the warehouse)"
	all := append([]any{}, args...)
	if kw != nil {
		for _, k := range kw.keys {
			all = append(all, kw.m[k])
		}
	}
	for _, a := range all {
		if a == nil {
			why = "the name is None (a var without a value?), which dbt cannot compile"
		} else if _, undef := a.(undefinedV); undef {
			why = "the name is undefined (a macro argument left out?), which dbt cannot compile"
		}
	}
	ev.rec.unresolved = append(ev.rec.unresolved, jnote{file: ev.file, line: ev.line(ev.callPos), text: text + "|" + why})
}

// builtinVar is dbt's var() while parsing: the project's value (a string is rendered in the
// node's context, so a var holding "{{ ref('x') }}" is a dependency), else the default, else
// None.
func builtinVar(ev *evaluatorJ, args []any, kw *jdict) any {
	name, ok := argAt(args, kw, 0, "var_name")
	n, isStr := name.(string)
	if !ok || !isStr {
		return unknown("a var whose name only dbt knows")
	}
	if v, found := ev.env.vars(n); found {
		if s, isS := v.(string); isS && !ev.env.plainVars {
			if ev.inVar == 0 {
				ev.varPos = ev.callPos
			}
			return ev.renderString(s)
		}
		return v
	}
	if d, ok := argAt(args, kw, 1, "default"); ok {
		return d
	}
	return nil
}

// builtinEnvVar reads the environment like dbt; secret variables (DBT_ENV_SECRET_…) are not
// readable outside profiles, and are never read here.
func builtinEnvVar(ev *evaluatorJ, args []any, kw *jdict) any {
	name, _ := argAt(args, kw, 0, "var")
	n, ok := name.(string)
	if !ok {
		return unknown("an env var whose name only dbt knows")
	}
	if strings.HasPrefix(n, "DBT_ENV_SECRET") {
		return unknown("a secret env var")
	}
	if v, set := os.LookupEnv(n); set {
		return v
	}
	if d, ok := argAt(args, kw, 1, "default"); ok {
		return d
	}
	return unknown("env var " + n + " is not set")
}

func builtinRange(_ *evaluatorJ, args []any, _ *jdict) any {
	var nums []int64
	for _, a := range args {
		n, ok := a.(int64)
		if !ok {
			return unknown("range of an unknown value")
		}
		nums = append(nums, n)
	}
	start, stop, step := int64(0), int64(0), int64(1)
	switch len(nums) {
	case 1:
		stop = nums[0]
	case 2:
		start, stop = nums[0], nums[1]
	case 3:
		start, stop, step = nums[0], nums[1], nums[2]
	default:
		return unknown("range")
	}
	if step == 0 || (stop-start)/step > maxLoopItems {
		return unknown("a long range")
	}
	out := &jlist{}
	for i := start; step > 0 && i < stop || step < 0 && i > stop; i += step {
		out.items = append(out.items, i)
	}
	return out
}

// configCall is config(key=value, …) or config({…}) in a model: the values are the node's
// configs, highest precedence.
func configCall(ev *evaluatorJ, args []any, kw *jdict) any {
	if len(args) == 1 {
		if d, ok := args[0].(*jdict); ok {
			for _, k := range d.keys {
				ev.rec.config.set(k, d.m[k])
			}
		}
	}
	for _, k := range kw.keys {
		ev.rec.config.set(k, kw.m[k])
	}
	ev.rec.configSets++
	return ""
}

// adapterChain is the adapters a dispatch tries, most specific first (dbt's adapter
// inheritance).
func adapterChain(adapter string) []string {
	switch adapter {
	case "redshift":
		return []string{"redshift", "postgres"}
	case "databricks":
		return []string{"databricks", "spark"}
	case "":
		return nil
	}
	return []string{adapter}
}

// builtinDispatch is adapter.dispatch(name, macro_namespace): it returns the macro dbt would
// pick. Without a known adapter every candidate may be the one, so they are all called and
// their results merged.
func builtinDispatch(ev *evaluatorJ, args []any, kw *jdict) any {
	nameV, _ := argAt(args, kw, 0, "macro_name")
	name, ok := nameV.(string)
	if !ok {
		return unknown("a dispatch of an unknown macro")
	}
	nsV, _ := argAt(args, kw, 1, "macro_namespace")
	ns, _ := nsV.(string)
	q := ev.env.q
	var search []*project
	if order := q.dispatchOrder(ns); order != nil {
		search = order
	} else if ns != "" {
		if p := q.projectByName(ns); p != nil {
			search = []*project{p}
		}
	} else {
		search = []*project{ev.currentPkg(), q.root}
	}
	adapter, _ := q.target["type"].(string)
	var cands []*macroDef
	for _, p := range search {
		if p == nil {
			continue
		}
		if adapter != "" {
			for _, a := range append(adapterChain(adapter), "default") {
				if d := q.macroIn(p, a+"__"+name); d != nil {
					cands = []*macroDef{d}
					break
				}
			}
			if len(cands) > 0 {
				break
			}
			continue
		}
		for _, d := range q.macrosOf(p) {
			if strings.HasSuffix(d.name, "__"+name) {
				cands = append(cands, d)
			}
		}
		if len(cands) > 0 {
			break
		}
	}
	if len(cands) == 0 {
		return unknown("the dbt macro " + name)
	}
	if len(cands) == 1 {
		return &jmacro{def: cands[0]}
	}
	return jfunc(func(ev *evaluatorJ, args []any, kw *jdict) any {
		var result any
		for i, d := range cands {
			ev.uncertain++
			v := ev.callMacro(&jmacro{def: d}, args, kw)
			ev.uncertain--
			if i == 0 {
				result = v
			} else if !sameValue(result, v) {
				result = unknown("a macro that differs by adapter")
			}
		}
		return result
	})
}

// isMethod tells which methods of strings, lists and dicts the evaluator knows.
func isMethod(recv any, name string) bool {
	switch recv.(type) {
	case string:
		switch name {
		case "lower", "upper", "strip", "lstrip", "rstrip", "split", "startswith", "endswith", "replace", "join",
			"title", "capitalize", "isdigit", "isnumeric", "isalpha", "isalnum", "count", "find", "casefold", "format":
			return true
		}
	case *jlist:
		switch name {
		case "append", "extend", "insert", "pop", "remove", "index", "count", "copy", "reverse":
			return true
		}
	case *jdict:
		switch name {
		case "get", "keys", "values", "items", "update", "pop", "setdefault", "copy":
			return true
		}
	}
	return false
}

func callMethod(recv any, name string, args []any, kw *jdict) any {
	for _, a := range args {
		if isUnknown(a) && name != "append" && name != "get" && name != "update" && name != "setdefault" {
			return unknown("a method call with an unknown argument")
		}
	}
	switch r := recv.(type) {
	case string:
		return stringMethod(r, name, args)
	case *jlist:
		switch name {
		case "append":
			if len(r.items) < maxLoopItems {
				r.items = append(r.items, firstArg(args))
			}
			return nil
		case "extend":
			items, ok := iterate(firstArg(args))
			if !ok {
				r.items = append(r.items, unknown("items of an unknown value"))
				return nil
			}
			if len(r.items)+len(items) <= maxLoopItems {
				r.items = append(r.items, items...)
			}
			return nil
		case "insert":
			if len(args) == 2 {
				if i, ok := args[0].(int64); ok && i >= 0 && int(i) <= len(r.items) {
					r.items = append(r.items[:i], append([]any{args[1]}, r.items[i:]...)...)
				}
			}
			return nil
		case "pop":
			if len(r.items) == 0 {
				return undefinedV{}
			}
			i := len(r.items) - 1
			if n, ok := firstArg(args).(int64); ok && len(args) > 0 {
				i = int(n)
			}
			if i < 0 || i >= len(r.items) {
				return undefinedV{}
			}
			v := r.items[i]
			r.items = append(r.items[:i], r.items[i+1:]...)
			return v
		case "remove":
			for i, x := range r.items {
				if sameValue(x, firstArg(args)) {
					r.items = append(r.items[:i], r.items[i+1:]...)
					break
				}
			}
			return nil
		case "index":
			for i, x := range r.items {
				if sameValue(x, firstArg(args)) {
					return int64(i)
				}
			}
			return unknown("index of a missing item")
		case "count":
			n := int64(0)
			for _, x := range r.items {
				if sameValue(x, firstArg(args)) {
					n++
				}
			}
			return n
		case "copy":
			return &jlist{items: append([]any{}, r.items...)}
		case "reverse":
			for i, j := 0, len(r.items)-1; i < j; i, j = i+1, j-1 {
				r.items[i], r.items[j] = r.items[j], r.items[i]
			}
			return nil
		}
	case *jdict:
		key := func() (string, bool) { return pyString(firstArg(args)) }
		switch name {
		case "get", "pop", "setdefault":
			k, ok := key()
			if !ok {
				return unknown("a key only dbt knows")
			}
			v, has := r.m[k]
			def := any(nil)
			if len(args) > 1 {
				def = args[1]
			}
			switch name {
			case "pop":
				if has {
					delete(r.m, k)
					for i, x := range r.keys {
						if x == k {
							r.keys = append(r.keys[:i], r.keys[i+1:]...)
							break
						}
					}
				}
			case "setdefault":
				if !has {
					r.set(k, def)
				}
			}
			if has {
				return v
			}
			return def
		case "keys", "values", "items":
			out := &jlist{}
			for _, k := range r.keys {
				switch name {
				case "keys":
					out.items = append(out.items, k)
				case "values":
					out.items = append(out.items, r.m[k])
				default:
					out.items = append(out.items, &jlist{items: []any{k, r.m[k]}})
				}
			}
			return out
		case "update":
			if d, ok := firstArg(args).(*jdict); ok {
				for _, k := range d.keys {
					r.set(k, d.m[k])
				}
			}
			for _, k := range kw.keys {
				r.set(k, kw.m[k])
			}
			return nil
		case "copy":
			d := newDict()
			for _, k := range r.keys {
				d.set(k, r.m[k])
			}
			return d
		}
	}
	return unknown("a method only dbt knows")
}

func stringMethod(s, name string, args []any) any {
	str := func(i int) (string, bool) {
		if i >= len(args) {
			return "", false
		}
		v, ok := args[i].(string)
		return v, ok
	}
	switch name {
	case "lower", "casefold":
		return strings.ToLower(s)
	case "upper":
		return strings.ToUpper(s)
	case "strip", "lstrip", "rstrip":
		cut := " \t\n\r\v\f"
		if c, ok := str(0); ok {
			cut = c
		}
		switch name {
		case "strip":
			return strings.Trim(s, cut)
		case "lstrip":
			return strings.TrimLeft(s, cut)
		}
		return strings.TrimRight(s, cut)
	case "split":
		var parts []string
		if sep, ok := str(0); ok && sep != "" {
			parts = strings.Split(s, sep)
		} else {
			parts = strings.Fields(s)
		}
		out := &jlist{}
		for _, p := range parts {
			out.items = append(out.items, p)
		}
		return out
	case "startswith", "endswith":
		p, ok := str(0)
		if !ok {
			if l, isList := firstArg(args).(*jlist); isList {
				for _, x := range l.items {
					if xs, ok := x.(string); ok && (name == "startswith" && strings.HasPrefix(s, xs) || name == "endswith" && strings.HasSuffix(s, xs)) {
						return true
					}
				}
				return false
			}
			return unknown("startswith")
		}
		if name == "startswith" {
			return strings.HasPrefix(s, p)
		}
		return strings.HasSuffix(s, p)
	case "replace":
		a, ok1 := str(0)
		b, ok2 := str(1)
		if !ok1 || !ok2 {
			return unknown("replace")
		}
		return strings.ReplaceAll(s, a, b)
	case "join":
		items, ok := iterate(firstArg(args))
		if !ok {
			return unknown("join of an unknown value")
		}
		parts := make([]string, len(items))
		for i, x := range items {
			xs, ok := x.(string)
			if !ok {
				return unknown("join of values that are not text")
			}
			parts[i] = xs
		}
		return strings.Join(parts, s)
	case "title":
		// Python's str.title: each run of letters starts upper case, the rest is lower case.
		var b strings.Builder
		prevLetter := false
		for _, r := range s {
			if unicode.IsLetter(r) {
				if prevLetter {
					b.WriteRune(unicode.ToLower(r))
				} else {
					b.WriteRune(unicode.ToUpper(r))
				}
				prevLetter = true
				continue
			}
			prevLetter = false
			b.WriteRune(r)
		}
		return b.String()
	case "capitalize":
		if s == "" {
			return s
		}
		r := []rune(strings.ToLower(s))
		r[0] = unicode.ToUpper(r[0])
		return string(r)
	case "isdigit", "isnumeric":
		if s == "" {
			return false
		}
		for _, r := range s {
			if !unicode.IsDigit(r) {
				return false
			}
		}
		return true
	case "isalpha", "isalnum":
		if s == "" {
			return false
		}
		for _, r := range s {
			if !unicode.IsLetter(r) && !(name == "isalnum" && unicode.IsDigit(r)) {
				return false
			}
		}
		return true
	case "count":
		p, ok := str(0)
		if !ok {
			return unknown("count")
		}
		return int64(strings.Count(s, p))
	case "find":
		p, ok := str(0)
		if !ok {
			return unknown("find")
		}
		return int64(strings.Index(s, p))
	}
	return unknown("a string method only dbt knows")
}

// applyFilter applies a Jinja (or dbt) filter.
func (ev *evaluatorJ) applyFilter(name string, v any, args []any, kw *jdict) any {
	if isUnknown(v) && name != "default" && name != "d" {
		return unknown("a filter of an unknown value")
	}
	switch name {
	case "lower", "upper", "trim", "title", "capitalize":
		s, ok := v.(string)
		if !ok {
			var known bool
			if s, known = pyString(v); !known {
				return unknown(name)
			}
		}
		switch name {
		case "lower":
			return strings.ToLower(s)
		case "upper":
			return strings.ToUpper(s)
		case "trim":
			return strings.TrimSpace(s)
		case "title":
			return stringMethod(s, "title", nil)
		}
		return stringMethod(s, "capitalize", nil)
	case "default", "d":
		boolean := false
		if b, ok := argAt(args, kw, 1, "boolean"); ok {
			boolean, _ = truth(b)
		}
		def, _ := argAt(args, kw, 0, "default_value")
		if _, undef := v.(undefinedV); undef {
			return def
		}
		if boolean {
			if t, ok := truth(v); ok && !t {
				return def
			}
		}
		return v
	case "length", "count":
		switch x := v.(type) {
		case string:
			return int64(len([]rune(x)))
		case *jlist:
			return int64(len(x.items))
		case *jdict:
			return int64(len(x.keys))
		}
		return unknown("length")
	case "string":
		if s, ok := pyString(v); ok {
			return s
		}
	case "int":
		switch x := v.(type) {
		case int64:
			return x
		case float64:
			return int64(x)
		case bool:
			if x {
				return int64(1)
			}
			return int64(0)
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return int64(f)
			}
			d, _ := argAt(args, kw, 0, "default")
			if d == nil {
				d = int64(0)
			}
			return d
		}
	case "float":
		if f, ok := numeric(v); ok {
			return f
		}
		if s, ok := v.(string); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return f
			}
			return 0.0
		}
	case "list":
		if items, ok := iterate(v); ok {
			return &jlist{items: append([]any{}, items...)}
		}
	case "first", "last":
		items, ok := iterate(v)
		if !ok {
			break
		}
		if len(items) == 0 {
			return undefinedV{}
		}
		if name == "first" {
			return items[0]
		}
		return items[len(items)-1]
	case "join":
		items, ok := iterate(v)
		if !ok {
			break
		}
		sep, _ := argAt(args, kw, 0, "d")
		sepS, _ := sep.(string)
		parts := make([]string, len(items))
		for i, x := range items {
			s, ok := pyString(x)
			if !ok {
				return unknown("join")
			}
			parts[i] = s
		}
		return strings.Join(parts, sepS)
	case "replace":
		s, ok := v.(string)
		a, ok1 := firstArg(args).(string)
		var b string
		ok2 := len(args) > 1
		if ok2 {
			b, ok2 = args[1].(string)
		}
		if ok && ok1 && ok2 {
			return strings.ReplaceAll(s, a, b)
		}
	case "unique":
		if items, ok := iterate(v); ok {
			return uniqueList(items)
		}
	case "reverse":
		if items, ok := iterate(v); ok {
			out := &jlist{}
			for i := len(items) - 1; i >= 0; i-- {
				out.items = append(out.items, items[i])
			}
			if s, isStr := v.(string); isStr {
				r := []rune(s)
				for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
					r[i], r[j] = r[j], r[i]
				}
				return string(r)
			}
			return out
		}
	case "sort":
		items, ok := iterate(v)
		if !ok {
			break
		}
		out := append([]any{}, items...)
		bad := false
		sort.SliceStable(out, func(a, b int) bool {
			c, ok := pyCompare(out[a], out[b])
			bad = bad || !ok
			return c < 0
		})
		if bad {
			return unknown("sort")
		}
		return &jlist{items: out}
	case "abs":
		switch x := v.(type) {
		case int64:
			if x < 0 {
				return -x
			}
			return x
		case float64:
			return math.Abs(x)
		}
	case "round":
		if f, ok := numeric(v); ok {
			return math.Round(f)
		}
	case "sum", "min", "max":
		items, ok := iterate(v)
		if !ok {
			break
		}
		var acc any
		for i, x := range items {
			if i == 0 {
				acc = x
				continue
			}
			switch name {
			case "sum":
				acc = binaryOp("+", acc, x)
			default:
				c, ok := pyCompare(x, acc)
				if !ok {
					return unknown(name)
				}
				if name == "min" && c < 0 || name == "max" && c > 0 {
					acc = x
				}
			}
		}
		if acc == nil && name == "sum" {
			return int64(0)
		}
		return acc
	case "items":
		if d, ok := v.(*jdict); ok {
			return callMethod(d, "items", nil, nil)
		}
	case "tojson":
		return toJSONText(v)
	case "map", "select", "reject", "selectattr", "rejectattr":
		return ev.filterSeq(name, v, args, kw)
	case "safe", "e", "escape", "as_text", "string_literal":
		if name == "as_text" {
			if s, ok := pyString(v); ok {
				return s
			}
		}
		return v
	case "as_bool":
		if s, ok := v.(string); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true":
				return true
			case "false":
				return false
			}
		}
		return v
	case "as_number":
		if s, ok := v.(string); ok {
			return parseNumber(strings.TrimSpace(s))
		}
		return v
	case "as_native":
		return v
	case "indent", "wordwrap", "truncate", "center", "striptags", "urlencode", "format":
		return unknown(name)
	}
	return unknown("the filter " + name)
}

// filterSeq is map/select/reject/selectattr/rejectattr.
func (ev *evaluatorJ) filterSeq(name string, v any, args []any, kw *jdict) any {
	items, ok := iterate(v)
	if !ok {
		return unknown(name)
	}
	out := &jlist{}
	if name == "map" {
		if attr, ok := kw.get("attribute"); ok {
			a, _ := attr.(string)
			for _, x := range items {
				out.items = append(out.items, ev.getattr(x, a))
			}
			return out
		}
		f, ok := firstArg(args).(string)
		if !ok {
			return unknown("map")
		}
		for _, x := range items {
			out.items = append(out.items, ev.applyFilter(f, x, args[1:], newDict()))
		}
		return out
	}
	for _, x := range items {
		subject := x
		rest := args
		if name == "selectattr" || name == "rejectattr" {
			a, _ := firstArg(args).(string)
			subject = ev.getattr(x, a)
			if len(rest) > 0 {
				rest = rest[1:]
			}
		}
		var keep any = true
		if len(rest) > 0 {
			test, _ := rest[0].(string)
			keep = ev.applyTest(test, subject, rest[1:])
		} else {
			t, ok := truth(subject)
			if !ok {
				return unknown(name)
			}
			keep = t
		}
		k, ok := keep.(bool)
		if !ok {
			return unknown(name)
		}
		if k == (name == "select" || name == "selectattr") {
			out.items = append(out.items, x)
		}
	}
	return out
}

// applyTest is `x is <test>`.
func (ev *evaluatorJ) applyTest(name string, v any, args []any) any {
	if _, undef := v.(undefinedV); undef {
		switch name {
		case "defined":
			return false
		case "undefined":
			return true
		}
	}
	if isUnknown(v) {
		return unknown("a test of an unknown value")
	}
	switch name {
	case "defined":
		return true
	case "undefined":
		return false
	case "none":
		return v == nil
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		_, i := v.(int64)
		_, f := v.(float64)
		return i || f
	case "integer":
		_, ok := v.(int64)
		return ok
	case "float":
		_, ok := v.(float64)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "true":
		return v == true
	case "false":
		return v == false
	case "mapping":
		_, ok := v.(*jdict)
		return ok
	case "sequence", "iterable":
		switch v.(type) {
		case string, *jlist, *jdict:
			return true
		}
		return false
	case "callable":
		switch v.(type) {
		case *jmacro, *builtinFn, jfunc, boundMethod:
			return true
		}
		return false
	case "eq", "equalto", "==", "ne", "!=":
		eq, ok := pyEqual(v, firstArg(args))
		if !ok {
			return unknown("a comparison")
		}
		return eq == (name != "ne" && name != "!=")
	case "in":
		in, ok := contains(firstArg(args), v)
		if !ok {
			return unknown("in")
		}
		return in
	case "lt", "gt", "le", "ge", "<", ">", "<=", ">=", "lessthan", "greaterthan":
		c, ok := pyCompare(v, firstArg(args))
		if !ok {
			return unknown("a comparison")
		}
		switch name {
		case "lt", "<", "lessthan":
			return c < 0
		case "gt", ">", "greaterthan":
			return c > 0
		case "le", "<=":
			return c <= 0
		}
		return c >= 0
	case "odd", "even", "divisibleby":
		n, ok := v.(int64)
		if !ok {
			return unknown(name)
		}
		switch name {
		case "odd":
			return n%2 != 0
		case "even":
			return n%2 == 0
		}
		d, ok := firstArg(args).(int64)
		if !ok || d == 0 {
			return unknown(name)
		}
		return n%d == 0
	case "lower", "upper":
		s, ok := v.(string)
		if !ok {
			return false
		}
		if name == "lower" {
			return s == strings.ToLower(s)
		}
		return s == strings.ToUpper(s)
	case "sameas":
		return v == firstArg(args)
	}
	return unknown(fmt.Sprintf("the test %q", name))
}
