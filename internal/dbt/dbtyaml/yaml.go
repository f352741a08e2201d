// Package dbtyaml reads YAML the way dbt does: files with a byte-order mark, mappings in
// their written order (the names dbt gives generic tests depend on it), scalars turned into
// text as dbt turns them, and dbt_project.yml itself (ReadProjectFile), the one reader of that
// file in datatui.
package dbtyaml

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/safeyaml"
)

// Values are decoded with yaml.UseOrderedMap: mappings are yaml.MapSlice (key order matters for
// the names dbt gives generic tests), sequences []any, scalars string/uint64/int64/float64/bool/nil.

// Read decodes a YAML file keeping mapping order.
func Read(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var v any
	if err := safeyaml.Unmarshal(TrimBOM(b), &v, yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", FirstLine(err.Error()))
	}
	return v, nil
}

// FirstLine is the first line of a message (the YAML decoder's quote the source below it).
func FirstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// Map returns v as a mapping, or nil.
func Map(v any) yaml.MapSlice {
	m, _ := v.(yaml.MapSlice)
	return m
}

// Get returns the value of key in a mapping.
func Get(m yaml.MapSlice, key string) any {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return it.Value
		}
	}
	return nil
}

// Has tells whether a mapping has key (even with a null value).
func Has(m yaml.MapSlice, key string) bool {
	for _, it := range m {
		if k, ok := it.Key.(string); ok && k == key {
			return true
		}
	}
	return false
}

// Str returns a scalar as text, as dbt stringifies it ("" for mappings, sequences and null).
func Str(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool:
		if v {
			return "true"
		}
		return "false"
	case int:
		return strconv.Itoa(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case uint64:
		return strconv.FormatUint(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return ""
	}
}

// TrimBOM drops a UTF-8 byte-order mark (as some Windows editors save) at the start of a YAML
// file: dbt reads such files, and the YAML decoder would take the mark for part of the first key.
func TrimBOM(data []byte) []byte { return bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) }

// List returns a sequence, or nil.
func List(v any) []any {
	l, _ := v.([]any)
	return l
}

// Strings reads a string or a list of strings (dbt accepts both for tags).
func Strings(v any) []string {
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
			if s := Str(x); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
