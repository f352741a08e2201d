package quickparse

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
)

// Values of the quick parser's Jinja evaluator. Known values are Python's: nil (None), bool,
// int64, float64, string, *jlist, *jdict; plus relations (what ref() and source() return),
// macros, builtins and objects. Anything datatui cannot know without dbt and a warehouse
// (target.name, adapter calls, query results) is *unknownV, which spreads through every
// operation on it; a condition on it keeps every branch.

// unknownV is a value only dbt can know.
type unknownV struct{ why string }

var unknownValue = &unknownV{why: "computed by dbt"}

func unknown(why string) *unknownV { return &unknownV{why: why} }

func isUnknown(v any) bool { _, ok := v.(*unknownV); return ok }

// jlist is a Jinja list (mutable: macros append to lists).
type jlist struct{ items []any }

// jdict is an ordered dictionary with string keys.
type jdict struct {
	keys []string
	m    map[string]any
}

func newDict() *jdict { return &jdict{m: map[string]any{}} }

func (d *jdict) set(k string, v any) {
	if _, ok := d.m[k]; !ok {
		d.keys = append(d.keys, k)
	}
	d.m[k] = v
}

func (d *jdict) get(k string) (any, bool) { v, ok := d.m[k]; return v, ok }

// jrel is a relation: ref(), source(), this.
type jrel struct{ what string }

// jfunc is a builtin callable.
type jfunc func(ev *evaluatorJ, args []any, kw *jdict) any

// jobj is an object with attributes (target, adapter, a package's macros, exceptions…);
// attributes it does not have are unknown.
type jobj struct {
	name  string
	attrs map[string]any
	// lookup resolves attributes not in attrs (a package's macros); nil: unknown.
	lookup func(name string) (any, bool)
}

// jnamespace is a Jinja namespace() object.
type jnamespace struct{ d *jdict }

// jmacro is a macro defined in a template.
type jmacro struct {
	def *macroDef
	// caller is the body of a {% call %} block, passed to the macro as caller().
	caller *jmacro
}

// toDict converts YAML and JSON values into evaluator values.
func fromYAML(v any) any {
	switch v := v.(type) {
	case nil, bool, string, float64, int64:
		return v
	case int:
		return int64(v)
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v)
		}
		return float64(v)
	case []any:
		l := &jlist{items: make([]any, len(v))}
		for i, x := range v {
			l.items[i] = fromYAML(x)
		}
		return l
	case []string:
		l := &jlist{items: make([]any, len(v))}
		for i, x := range v {
			l.items[i] = x
		}
		return l
	case map[string]any:
		d := newDict()
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			d.set(k, fromYAML(v[k]))
		}
		return d
	}
	if m := dbtyaml.Map(v); m != nil {
		d := newDict()
		for _, it := range m {
			d.set(fmt.Sprint(it.Key), fromYAML(it.Value))
		}
		return d
	}
	return unknownValue
}

// toYAMLValue converts an evaluator value back into the plain values configs are read from.
func toPlain(v any) any {
	switch v := v.(type) {
	case *jlist:
		out := make([]any, len(v.items))
		for i, x := range v.items {
			out[i] = toPlain(x)
		}
		return out
	case *jdict:
		out := map[string]any{}
		for _, k := range v.keys {
			out[k] = toPlain(v.m[k])
		}
		return out
	}
	return v
}

// truth is Python truthiness; known is false for unknown values.
func truth(v any) (val, known bool) {
	switch v := v.(type) {
	case nil:
		return false, true
	case bool:
		return v, true
	case int64:
		return v != 0, true
	case float64:
		return v != 0, true
	case string:
		return v != "", true
	case *jlist:
		return len(v.items) > 0, true
	case *jdict:
		return len(v.keys) > 0, true
	case *unknownV:
		return false, false
	}
	return true, true
}

// pyString is Python's str() of a value; ok is false when the value is unknown.
func pyString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case nil:
		return "None", true
	case bool:
		if v {
			return "True", true
		}
		return "False", true
	case int64:
		return strconv.FormatInt(v, 10), true
	case float64:
		return pyFloat(v), true
	case *jlist:
		parts := make([]string, len(v.items))
		for i, x := range v.items {
			s, ok := pyReprV(x)
			if !ok {
				return "", false
			}
			parts[i] = s
		}
		return "[" + strings.Join(parts, ", ") + "]", true
	case *jdict:
		parts := make([]string, len(v.keys))
		for i, k := range v.keys {
			s, ok := pyReprV(v.m[k])
			if !ok {
				return "", false
			}
			parts[i] = pyRepr(k) + ": " + s
		}
		return "{" + strings.Join(parts, ", ") + "}", true
	}
	return "", false
}

func pyReprV(v any) (string, bool) {
	if s, ok := v.(string); ok {
		return pyRepr(s), true
	}
	return pyString(v)
}

func pyFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "inf"
	}
	if math.IsInf(f, -1) {
		return "-inf"
	}
	if math.IsNaN(f) {
		return "nan"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eEn") {
		s += ".0"
	}
	return s
}

// pyEqual is Python's == for known values (True == 1, 1 == 1.0); ok is false when either
// side is unknown or not comparable by value.
func pyEqual(a, b any) (eq, ok bool) {
	if isUnknown(a) || isUnknown(b) {
		return false, false
	}
	if fa, isNum := numeric(a); isNum {
		if fb, isNum := numeric(b); isNum {
			return fa == fb, true
		}
		return false, true
	}
	switch a := a.(type) {
	case nil:
		return b == nil, true
	case string:
		s, isStr := b.(string)
		return isStr && s == a, true
	case *jlist:
		l, isList := b.(*jlist)
		if !isList {
			return false, true
		}
		if len(l.items) != len(a.items) {
			return false, true
		}
		for i := range a.items {
			e, ok := pyEqual(a.items[i], l.items[i])
			if !ok {
				return false, false
			}
			if !e {
				return false, true
			}
		}
		return true, true
	case *jdict:
		d, isDict := b.(*jdict)
		if !isDict {
			return false, true
		}
		if len(d.keys) != len(a.keys) {
			return false, true
		}
		for _, k := range a.keys {
			bv, has := d.m[k]
			if !has {
				return false, true
			}
			e, ok := pyEqual(a.m[k], bv)
			if !ok {
				return false, false
			}
			if !e {
				return false, true
			}
		}
		return true, true
	case *jrel, *jmacro, *jobj:
		return false, false
	}
	return a == b, true
}

// numeric returns a number (booleans count, as in Python).
func numeric(v any) (float64, bool) {
	switch v := v.(type) {
	case bool:
		if v {
			return 1, true
		}
		return 0, true
	case int64:
		return float64(v), true
	case float64:
		return v, true
	}
	return 0, false
}

// pyCompare orders two known values (numbers with numbers, strings with strings, lists
// element-wise); ok is false otherwise.
func pyCompare(a, b any) (int, bool) {
	if fa, ok := numeric(a); ok {
		if fb, ok := numeric(b); ok {
			switch {
			case fa < fb:
				return -1, true
			case fa > fb:
				return 1, true
			}
			return 0, true
		}
		return 0, false
	}
	if sa, ok := a.(string); ok {
		if sb, ok := b.(string); ok {
			return strings.Compare(sa, sb), true
		}
	}
	if la, ok := a.(*jlist); ok {
		if lb, ok := b.(*jlist); ok {
			for i := 0; i < len(la.items) && i < len(lb.items); i++ {
				c, ok := pyCompare(la.items[i], lb.items[i])
				if !ok {
					return 0, false
				}
				if c != 0 {
					return c, true
				}
			}
			return pyCompare(int64(len(la.items)), int64(len(lb.items)))
		}
	}
	return 0, false
}

// contains is Python's `x in container`; ok is false when it cannot be known.
func contains(container, x any) (bool, bool) {
	switch c := container.(type) {
	case string:
		s, isStr := x.(string)
		if !isStr {
			return false, false
		}
		return strings.Contains(c, s), true
	case *jlist:
		unsure := false
		for _, e := range c.items {
			eq, ok := pyEqual(e, x)
			if !ok {
				unsure = true
				continue
			}
			if eq {
				return true, true
			}
		}
		return false, !unsure
	case *jdict:
		k, isStr := x.(string)
		if !isStr {
			return false, !isUnknown(x)
		}
		_, has := c.m[k]
		return has, true
	}
	return false, false
}

// sameValue tells whether two branches left the same value behind (for merging them).
func sameValue(a, b any) bool {
	if a == b {
		return true
	}
	eq, ok := pyEqual(a, b)
	return ok && eq
}

// iterate returns the items a for loop visits; ok is false for unknown iterables.
func iterate(v any) ([]any, bool) {
	switch v := v.(type) {
	case *jlist:
		return v.items, true
	case *jdict:
		out := make([]any, len(v.keys))
		for i, k := range v.keys {
			out[i] = k
		}
		return out, true
	case string:
		out := make([]any, 0, len(v))
		for _, r := range v {
			out = append(out, string(r))
		}
		return out, true
	case nil:
		return nil, false
	}
	return nil, false
}
