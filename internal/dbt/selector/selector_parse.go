package selector

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file parses --select / --exclude values the way dbt-core does (graph/cli.py
// parse_union and graph/selector_spec.py RAW_SELECTOR_PATTERN). dbt is lenient: an empty
// criterion, a method argument it does not use or a value no node can have are not errors, they
// just select nothing. datatui gives the same result and adds a note (with the position) for
// each such spot, so a typo is pointed out instead of silently matching nothing.

// isSelectorMethod reports whether m is a method dbt understands (selector_methods.py
// MethodName).
func isSelectorMethod(m string) bool {
	switch m {
	case "fqn", "tag", "group", "access", "source", "path", "file", "package", "config", "test_name",
		"test_type", "resource_type", "state", "exposure", "metric", "result", "source_status",
		"version", "semantic_model", "saved_query", "unit_test":
		return true
	}
	return false
}

// SelectorSpec is one selection criterion: `[@][N+][method[.arg…]:]value[+[N]]`.
type SelectorSpec struct {
	// Raw is the criterion as written.
	Raw string
	// Method is the selector method ("fqn", "tag", "config", …); the default method is filled in
	// by dbt's rule (path separator → path, .sql/.py/.csv → file, else fqn).
	Method string
	// MethodArgs are the dotted arguments after the method (config.materialized → [materialized]).
	// dbt ignores them for every method but config.
	MethodArgs []string
	// Value is what the method matches.
	Value string
	// Parents / Children say whether the + operators are present. The depths count generations;
	// AllGenerations when no number is written. 0 is a real depth: `stg_x+0` is stg_x alone.
	Parents, Children           bool
	ParentsDepth, ChildrenDepth int
	// ChildrensParents is the @ operator.
	ChildrensParents bool
}

// AllGenerations is the depth of a bare + operator.
const AllGenerations = -1

// SelectorUnion is a list of intersections: a union of groups whose specs must all match.
type SelectorUnion [][]SelectorSpec

// Selection is a parsed --select / --exclude pair.
type Selection struct {
	// Include is nil when no --select was given: dbt's default selection then applies.
	Include SelectorUnion
	Exclude SelectorUnion
	// Notes point at criteria dbt accepts but that select nothing or not what they seem to (an
	// empty criterion, an ignored method argument, a character that is not selector syntax).
	Notes []*SelectorError
}

// SelectorError is an invalid selector, or (in Selection.Notes) a suspicious one. Pos is the
// byte offset in Arg where the problem is.
type SelectorError struct {
	Arg      string // the --select/--exclude value as given
	Pos      int
	Msg      string
	Expected string
}

func (e *SelectorError) Error() string {
	s := fmt.Sprintf("invalid selector %q at position %d: %s", e.Arg, e.Column(), e.Msg)
	if e.Expected != "" {
		s += "; expected " + e.Expected
	}
	return s
}

// Note renders a SelectorError that is only a warning.
func (e *SelectorError) Note() string {
	return fmt.Sprintf("selector %q at position %d: %s", e.Arg, e.Column(), e.Msg)
}

// Column is the 1-based character position of the problem.
func (e *SelectorError) Column() int {
	if e.Pos < 0 || e.Pos > len(e.Arg) {
		return e.Pos + 1
	}
	return utf8.RuneCountInString(e.Arg[:e.Pos]) + 1
}

// ParseSelection parses --select and --exclude values like dbt: each value is split on single
// spaces (union), each word on commas (intersection), each part is one criterion. Unknown
// methods, "@" with a "+" suffix, and bad values of enumerated methods are errors, as in dbt.
func ParseSelection(selectArgs, excludeArgs []string) (*Selection, error) {
	sel := &Selection{}
	// No --select (or an empty one) means dbt's default selection.
	if len(selectArgs) > 0 {
		u, err := sel.parseUnion(selectArgs)
		if err != nil {
			return nil, err
		}
		sel.Include = u
	}
	u, err := sel.parseUnion(excludeArgs)
	if err != nil {
		return nil, err
	}
	sel.Exclude = u
	return sel, nil
}

func (sel *Selection) parseUnion(args []string) (SelectorUnion, error) {
	var u SelectorUnion
	for _, arg := range args {
		off := 0
		for _, word := range strings.Split(arg, " ") {
			start := off
			off += len(word) + 1
			if word == "" {
				sel.note(arg, start, "an empty criterion (two spaces, or a space at an end) selects nothing")
				u = append(u, []SelectorSpec{{Raw: "", Method: "fqn"}})
				continue
			}
			var group []SelectorSpec
			pos := start
			for _, part := range strings.Split(word, ",") {
				spec, notes, err := parseSpec(part)
				if err != nil {
					se := err.(*SelectorError)
					se.Arg = arg
					se.Pos += pos
					return nil, se
				}
				if part == "" {
					sel.note(arg, pos, "an empty criterion next to ',' selects nothing, so the whole intersection selects nothing")
				}
				for _, n := range notes {
					n.Arg = arg
					n.Pos += pos
					sel.Notes = append(sel.Notes, n)
				}
				group = append(group, spec)
				pos += len(part) + 1
			}
			u = append(u, group)
		}
	}
	return u, nil
}

func (sel *Selection) note(arg string, pos int, msg string) {
	sel.Notes = append(sel.Notes, &SelectorError{Arg: arg, Pos: pos, Msg: msg})
}

// ParseSelectorSpec parses one criterion (no spaces or commas).
func ParseSelectorSpec(raw string) (SelectorSpec, error) {
	spec, _, err := parseSpec(raw)
	return spec, err
}

// parseSpec follows RAW_SELECTOR_PATTERN: `\A(@)?((\d*)\+)?(([\w.]+):)?(.*?)(\+(\d*))?\Z`.
func parseSpec(raw string) (SelectorSpec, []*SelectorError, error) {
	spec := SelectorSpec{Raw: raw, ParentsDepth: AllGenerations, ChildrenDepth: AllGenerations}
	fail := func(pos int, msg, expected string) (SelectorSpec, []*SelectorError, error) {
		return SelectorSpec{}, nil, &SelectorError{Arg: raw, Pos: pos, Msg: msg, Expected: expected}
	}
	notes := &specNotes{raw: raw}
	// '.' in the pattern does not match a newline, so a criterion holding one matches nothing.
	if k := strings.IndexByte(raw, '\n'); k >= 0 {
		return fail(k, "a line break cannot be part of a selector", "one criterion per line, joined by spaces")
	}
	i := spec.parentOperators(raw)
	rest := raw[i:]
	end := spec.childOperator(rest)
	body := rest[:end]
	if spec.ChildrensParents && spec.Children {
		return fail(i+end, "the @ prefix and the + suffix cannot be combined", "either @name or name+")
	}
	valuePos, ok := spec.method(body, i, notes)
	if !ok {
		return fail(i, fmt.Sprintf("%q is not a valid method name", spec.Method), "one of "+methodList())
	}
	if spec.Value == "" && raw != "" {
		notes.add(valuePos, "nothing to select after the operators and method; dbt selects nothing for it")
	}
	if msg, expected := checkValue(spec); msg != "" {
		return fail(valuePos, msg, expected)
	}
	if spec.Method != "config" {
		if p := strings.IndexAny(spec.Value, "()'\"{}<>|;=`"); p >= 0 {
			r, _ := utf8.DecodeRuneInString(spec.Value[p:])
			notes.add(valuePos+p, fmt.Sprintf("%q is not selector syntax; dbt reads %q as a %s value, which no node has", r, spec.Value, spec.Method))
		}
	}
	return spec, notes.list, nil
}

// specNotes are the warnings about one criterion: dbt accepts it but selects less than it
// seems to ask for.
type specNotes struct {
	raw  string
	list []*SelectorError
}

func (n *specNotes) add(pos int, msg string) {
	n.list = append(n.list, &SelectorError{Arg: n.raw, Pos: pos, Msg: msg})
}

// parentOperators reads the @ prefix and the N+ prefix (digits then '+') and returns where
// the rest of raw starts.
func (spec *SelectorSpec) parentOperators(raw string) int {
	i := 0
	if strings.HasPrefix(raw, "@") {
		spec.ChildrensParents = true
		i = 1
	}
	j := i
	for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
		j++
	}
	if j < len(raw) && raw[j] == '+' {
		spec.Parents = true
		if j > i {
			spec.ParentsDepth = depthNumber(raw[i:j])
		}
		i = j + 1
	}
	return i
}

// childOperator reads the +N suffix ('+' followed by digits at the end) and returns where it
// starts. The value is matched lazily, so the first '+' that starts such a suffix ends it.
func (spec *SelectorSpec) childOperator(rest string) int {
	for k := 0; k < len(rest); k++ {
		if rest[k] != '+' {
			continue
		}
		d := k + 1
		for d < len(rest) && rest[d] >= '0' && rest[d] <= '9' {
			d++
		}
		if d == len(rest) {
			spec.Children = true
			if d > k+1 {
				spec.ChildrenDepth = depthNumber(rest[k+1 : d])
			}
			return k
		}
	}
	return len(rest)
}

// method reads method[.args]:value from body (at offset i of the criterion), or takes body
// as the value of the default method. It returns where the value starts, and false for a
// method dbt does not have.
func (spec *SelectorSpec) method(body string, i int, notes *specNotes) (valuePos int, ok bool) {
	// The method is made of word characters and dots.
	k := 0
	for k < len(body) {
		r, size := utf8.DecodeRuneInString(body[k:])
		if r != '.' && !isWordRune(r) {
			break
		}
		k += size
	}
	if k == 0 || k >= len(body) || body[k] != ':' {
		spec.Value = body
		spec.Method = defaultMethod(body)
		return i, true
	}
	parts := strings.Split(body[:k], ".")
	spec.Method = parts[0]
	spec.MethodArgs = parts[1:]
	spec.Value = body[k+1:]
	if !isSelectorMethod(spec.Method) {
		return i, false
	}
	switch {
	case spec.Method == "config" && len(spec.MethodArgs) == 0:
		notes.add(i, "config needs a key (config.materialized:table); dbt reads config:"+spec.Value+" as a comparison with the whole config and selects nothing")
	case spec.Method == "config" && slicesContainsEmpty(spec.MethodArgs):
		notes.add(i, "config has an empty key between dots; dbt selects nothing for it")
	case spec.Method != "config" && len(spec.MethodArgs) > 0:
		notes.add(i+len(parts[0]), fmt.Sprintf("dbt ignores %q after %s; this is %s:%s", "."+strings.Join(spec.MethodArgs, "."), spec.Method, spec.Method, spec.Value))
	}
	return i + k + 1, true
}

// depthNumber reads a graph operator's depth; Python's int has no upper bound, so a huge
// number means every generation.
func depthNumber(digits string) int {
	n, err := strconv.Atoi(digits)
	if err != nil || n > math.MaxInt32 {
		return math.MaxInt32
	}
	return n
}

func slicesContainsEmpty(l []string) bool {
	for _, s := range l {
		if s == "" {
			return true
		}
	}
	return false
}

// isWordRune is Python's \w for str patterns: letters, numbers and '_'.
func isWordRune(r rune) bool {
	return r == '_' || r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') ||
		r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r))
}

// pathSeparators are the characters that make dbt read a value as a path: '/' everywhere and,
// on Windows, '\' too (os.path.sep and os.path.altsep).
var pathSeparators = func() string {
	if os.PathSeparator == '\\' {
		return `/\`
	}
	return "/"
}()

// defaultMethod is dbt's choice when no method is given.
func defaultMethod(v string) string {
	if strings.ContainsAny(v, pathSeparators) {
		return "path"
	}
	l := strings.ToLower(v)
	if strings.HasSuffix(l, ".sql") || strings.HasSuffix(l, ".py") || strings.HasSuffix(l, ".csv") {
		return "file"
	}
	return "fqn"
}

func methodList() string {
	return "fqn, tag, path, file, package, source, exposure, metric, semantic_model, saved_query, unit_test, resource_type, config.<key>, test_type, test_name, group, access, version, state, result, source_status"
}

// ResourceTypes are the node types --resource-type accepts (besides "all" and "default").
var ResourceTypes = []string{"model", "seed", "snapshot", "test", "unit_test", "source", "exposure", "metric", "semantic_model", "saved_query", "analysis", "function"}

// nodeTypes are every value of dbt's NodeType, which resource_type: accepts.
var nodeTypes = []string{"model", "analysis", "test", "snapshot", "operation", "seed", "rpc", "sql_operation", "doc", "source", "macro", "exposure", "metric", "group", "saved_query", "semantic_model", "unit_test", "fixture", "function"}

// stateValues are the values of state: (StateSelectorMethod's checks).
var stateValues = []string{"new", "old", "modified", "unmodified", "modified.body", "modified.configs", "modified.persisted_descriptions", "modified.relation", "modified.macros", "modified.contract"}

// testTypeOf maps a test_type: value to the tests it selects. dbt compares with
// `selector in ("data")`, a substring test on a string, so "dat" means data and "sing" singular.
func testTypeOf(v string) string {
	switch {
	case v == "generic" || v == "schema":
		return "generic"
	case strings.Contains("data", v):
		return "data"
	case strings.Contains("singular", v):
		return "singular"
	case strings.Contains("unit", v):
		return "unit"
	}
	return ""
}

// checkValue rejects the values dbt's methods reject (with DbtRuntimeError) before matching.
func checkValue(spec SelectorSpec) (msg, expected string) {
	v := spec.Value
	switch spec.Method {
	case "resource_type":
		for _, t := range nodeTypes {
			if t == v {
				return "", ""
			}
		}
		return fmt.Sprintf("%q is not a resource type", v), strings.Join(nodeTypes, ", ")
	case "test_type":
		if testTypeOf(v) == "" {
			return fmt.Sprintf("%q is not a test type", v), "generic, singular, unit or data"
		}
	case "version":
		switch v {
		case "latest", "prerelease", "old", "none":
			return "", ""
		}
		return fmt.Sprintf("%q is not a version selector", v), "latest, prerelease, old or none"
	case "state":
		for _, s := range stateValues {
			if s == v {
				return "", ""
			}
		}
		return fmt.Sprintf("%q is not a state", v), strings.Join(stateValues, ", ")
	case "source_status":
		return "source_status: is not supported by datatui (it needs sources.json from dbt source freshness)", ""
	case "source":
		if strings.Count(v, ".") > 2 {
			return "sources are written source_name, source_name.table or package.source_name.table", ""
		}
	case "exposure", "metric", "semantic_model", "saved_query", "unit_test":
		if strings.Count(v, ".") > 1 {
			return spec.Method + " values are written name or package.name", ""
		}
	}
	return "", ""
}

// String writes the spec back in dbt's syntax.
func (s SelectorSpec) String() string { return s.Raw }
