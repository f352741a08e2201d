package dbt

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
)

// YAML values decoded with yaml.UseOrderedMap: mappings are yaml.MapSlice (key order matters for
// the names dbt gives generic tests), sequences []any, scalars string/uint64/int64/float64/bool/nil.

// readYAML decodes a YAML file keeping mapping order.
func readYAML(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := yaml.UnmarshalWithOptions(TrimBOM(b), &v, yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", firstLine(err.Error()))
	}
	return v, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// ymap returns v as a mapping, or nil.
func ymap(v any) yaml.MapSlice {
	m, _ := v.(yaml.MapSlice)
	return m
}

// yget returns the value of key in a mapping.
func yget(m yaml.MapSlice, key string) any {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return it.Value
		}
	}
	return nil
}

func yhas(m yaml.MapSlice, key string) bool {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return true
		}
	}
	return false
}

// ystr returns a scalar as a string ("" for mappings, sequences and null).
func ystr(v any) string { return scalarString(v) }

// ylist returns a sequence, or nil.
func ylist(v any) []any {
	l, _ := v.([]any)
	return l
}

// ystrings reads a string or a list of strings (dbt accepts both for tags).
func ystrings(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s := ystr(x); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// ybool reads a boolean, accepting the strings "true"/"false" that Jinja-rendered YAML yields.
func ybool(v any, def bool) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(v)); err == nil {
			return b
		}
	}
	return def
}

// flattenMeta renders a meta mapping as strings for display (nested values as compact text).
func flattenMeta(v any) map[string]string {
	m := ymap(v)
	if m == nil {
		if gm, ok := v.(map[string]any); ok {
			keys := make([]string, 0, len(gm))
			for k := range gm {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				m = append(m, yaml.MapItem{Key: k, Value: gm[k]})
			}
		}
	}
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for _, it := range m {
		k := fmt.Sprint(it.Key)
		if s := ystr(it.Value); s != "" || it.Value == nil {
			out[k] = s
		} else {
			out[k] = pyStr(it.Value)
		}
	}
	return out
}

// pyStr renders a value like Python's str(), which is what dbt uses when it builds generic
// test names from their arguments.
func pyStr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return s
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = pyRepr(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case yaml.MapSlice:
		parts := make([]string, len(v))
		for i, it := range v {
			parts[i] = pyRepr(it.Key) + ": " + pyRepr(it.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return scalarString(v)
}

func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		return "'" + strings.ReplaceAll(s, "'", `\'`) + "'"
	}
	return pyStr(v)
}

// cleanTestArg replaces each run of characters other than [0-9a-zA-Z_] with one "_", as dbt
// does when it builds generic test names.
func cleanTestArg(s string) string {
	var b strings.Builder
	run := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isIdentPart(c) {
			b.WriteByte(c)
			run = false
			continue
		}
		if !run {
			b.WriteByte('_')
			run = true
		}
	}
	return b.String()
}
