package quickparse

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
)

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
	m := dbtyaml.Map(v)
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
		if s := dbtyaml.Str(it.Value); s != "" || it.Value == nil {
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
	return dbtyaml.Str(v)
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
