package dbt

import (
	"fmt"
	"strconv"
	"strings"
)

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
	MethodArgs []string
	// Value is what the method matches.
	Value string
	// Parents / Children say whether the + operators are present; the depths are 0 for
	// "all generations".
	Parents, Children           bool
	ParentsDepth, ChildrenDepth int
	// ChildrensParents is the @ operator.
	ChildrensParents bool
}

// SelectorUnion is a list of intersections: a union of groups whose specs must all match.
type SelectorUnion [][]SelectorSpec

// Selection is a parsed --select / --exclude pair.
type Selection struct {
	// Include is nil when no --select was given: dbt's default selection then applies.
	Include SelectorUnion
	Exclude SelectorUnion
}

// SelectorError is an invalid selector. Pos is the byte offset in Arg where the problem is.
type SelectorError struct {
	Arg      string // the --select/--exclude value as given
	Pos      int
	Msg      string
	Expected string
}

func (e *SelectorError) Error() string {
	s := fmt.Sprintf("invalid selector %q at position %d: %s", e.Arg, e.Pos+1, e.Msg)
	if e.Expected != "" {
		s += "; expected " + e.Expected
	}
	return s
}

// ParseSelection parses --select and --exclude values like dbt: each value is split on
// whitespace (union), each word on commas (intersection), each part is one criterion.
// Unknown methods and bad values of enumerated methods are errors.
func ParseSelection(selectArgs, excludeArgs []string) (*Selection, error) {
	sel := &Selection{}
	if len(selectArgs) > 0 {
		u, err := parseUnion(selectArgs)
		if err != nil {
			return nil, err
		}
		sel.Include = u
	}
	u, err := parseUnion(excludeArgs)
	if err != nil {
		return nil, err
	}
	sel.Exclude = u
	return sel, nil
}

func parseUnion(args []string) (SelectorUnion, error) {
	var u SelectorUnion
	for _, arg := range args {
		i := 0
		for i < len(arg) {
			for i < len(arg) && isSpace(arg[i]) {
				i++
			}
			start := i
			for i < len(arg) && !isSpace(arg[i]) {
				i++
			}
			if start == i {
				break
			}
			word := arg[start:i]
			var group []SelectorSpec
			off := start
			for _, part := range strings.Split(word, ",") {
				if part == "" {
					return nil, &SelectorError{Arg: arg, Pos: off, Msg: "empty criterion in an intersection", Expected: "a criterion on both sides of ','"}
				}
				spec, err := ParseSelectorSpec(part)
				if err != nil {
					se := err.(*SelectorError)
					se.Arg = arg
					se.Pos += off
					return nil, se
				}
				group = append(group, spec)
				off += len(part) + 1
			}
			u = append(u, group)
		}
	}
	return u, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// ParseSelectorSpec parses one criterion (no spaces or commas).
func ParseSelectorSpec(raw string) (SelectorSpec, error) {
	spec := SelectorSpec{Raw: raw}
	fail := func(pos int, msg, expected string) (SelectorSpec, error) {
		return SelectorSpec{}, &SelectorError{Arg: raw, Pos: pos, Msg: msg, Expected: expected}
	}
	i := 0
	if strings.HasPrefix(raw, "@") {
		spec.ChildrensParents = true
		i = 1
	}
	// N+ prefix: digits then '+'.
	j := i
	for j < len(raw) && raw[j] >= '0' && raw[j] <= '9' {
		j++
	}
	if j < len(raw) && raw[j] == '+' {
		spec.Parents = true
		if j > i {
			n, err := strconv.Atoi(raw[i:j])
			if err != nil {
				return fail(i, "parent depth is too large", "a small number before '+'")
			}
			spec.ParentsDepth = n
		}
		i = j + 1
	}
	rest := raw[i:]
	// +N suffix: '+' followed by digits at the end. The value itself is matched lazily, so the
	// first '+' that starts such a suffix ends it.
	end := len(rest)
	for k := 0; k < len(rest); k++ {
		if rest[k] != '+' {
			continue
		}
		d := k + 1
		for d < len(rest) && rest[d] >= '0' && rest[d] <= '9' {
			d++
		}
		if d == len(rest) {
			end = k
			spec.Children = true
			if d > k+1 {
				n, err := strconv.Atoi(rest[k+1 : d])
				if err != nil {
					return fail(i+k+1, "child depth is too large", "a small number after '+'")
				}
				spec.ChildrenDepth = n
			}
			break
		}
	}
	body := rest[:end]
	if spec.ChildrensParents && spec.Children {
		return fail(i+end, "the @ prefix and the + suffix cannot be combined", "either @name or name+")
	}
	// method[.args]: value — the method is made of word characters and dots.
	k := 0
	for k < len(body) && (isWordByte(body[k]) || body[k] == '.') {
		k++
	}
	if k > 0 && k < len(body) && body[k] == ':' {
		parts := strings.Split(body[:k], ".")
		spec.Method = parts[0]
		spec.MethodArgs = parts[1:]
		spec.Value = body[k+1:]
		if !isSelectorMethod(spec.Method) {
			return fail(i, fmt.Sprintf("%q is not a valid method name", spec.Method), "one of "+methodList())
		}
		if spec.Method == "config" && (len(spec.MethodArgs) == 0 || slicesContainsEmpty(spec.MethodArgs)) {
			return fail(i, "config needs a key", "config.<key>:value, like config.materialized:table")
		}
		if spec.Method != "config" && len(spec.MethodArgs) > 0 {
			return fail(i+len(parts[0]), fmt.Sprintf("method %q takes no arguments", spec.Method), spec.Method+":value")
		}
	} else {
		spec.Value = body
		spec.Method = defaultMethod(body)
	}
	if spec.Value == "" {
		pos := i + k
		if spec.Method != "" && k < len(body) {
			pos++
		}
		return fail(pos, "nothing to select", "a name, path or method:value")
	}
	if err := checkEnumValue(spec); err != "" {
		return fail(i+k+1, err, enumExpected(spec.Method))
	}
	return spec, nil
}

func slicesContainsEmpty(l []string) bool {
	for _, s := range l {
		if s == "" {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// defaultMethod is dbt's choice when no method is given.
func defaultMethod(v string) string {
	if strings.ContainsAny(v, `/\`) {
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

// ResourceTypes are dbt's node types, as used by resource_type: and --resource-type.
var ResourceTypes = []string{"model", "seed", "snapshot", "test", "unit_test", "source", "exposure", "metric", "semantic_model", "saved_query", "analysis", "operation", "sql_operation", "function"}

func enumExpected(method string) string {
	switch method {
	case "resource_type":
		return strings.Join(ResourceTypes, ", ")
	case "test_type":
		return "generic, singular, unit or data"
	case "version":
		return "latest, prerelease, old or none"
	case "state":
		return "new, old, modified, unmodified, modified.body, modified.configs, modified.relation, modified.persisted_descriptions, modified.contract"
	}
	return ""
}

func checkEnumValue(spec SelectorSpec) string {
	v := spec.Value
	switch spec.Method {
	case "resource_type":
		for _, t := range ResourceTypes {
			if t == v {
				return ""
			}
		}
		return fmt.Sprintf("%q is not a resource type", v)
	case "test_type":
		switch v {
		case "generic", "schema", "singular", "data", "unit":
			return ""
		}
		return fmt.Sprintf("%q is not a test type", v)
	case "version":
		switch v {
		case "latest", "prerelease", "old", "none":
			return ""
		}
		return fmt.Sprintf("%q is not a version selector", v)
	case "state":
		switch v {
		case "new", "old", "modified", "unmodified", "modified.body", "modified.configs", "modified.relation",
			"modified.persisted_descriptions", "modified.contract":
			return ""
		case "modified.macros":
			return "state:modified.macros is not supported by datatui (it needs macro bodies from both manifests)"
		}
		return fmt.Sprintf("%q is not a state", v)
	case "source_status":
		return "source_status: is not supported by datatui (it needs sources.json from dbt source freshness)"
	case "source":
		if strings.Count(v, ".") > 2 {
			return "sources are written source_name, source_name.table or package.source_name.table"
		}
	case "exposure", "metric", "semantic_model", "saved_query":
		if strings.Count(v, ".") > 1 {
			return spec.Method + " values are written name or package.name"
		}
	}
	return ""
}

// String writes the spec back in dbt's syntax.
func (s SelectorSpec) String() string { return s.Raw }
