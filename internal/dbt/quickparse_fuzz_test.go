package dbt

import (
	"strings"
	"testing"
)

// FuzzExtractRefs feeds arbitrary model files to the ref/source/config extraction: it must
// never panic, never hang, and only report calls whose names appear in the input (once
// escapes are decoded: a name written with a backslash escape is its decoded value).
func FuzzExtractRefs(f *testing.F) {
	for _, s := range []string{
		"select * from {{ ref('a') }}",
		"{{ ref(\"pkg\", \"a\", v=2) }} {{ source('s', 't') }}",
		"{{ config(materialized='table', tags=['x', 'y'], meta={'a': [1, {'b': none}]}) }}",
		"{# {{ ref('x') }} #}{% raw %}{{ ref('y') }}{% endraw %}",
		"{% snapshot s %}{{ ref('z') }}{% endsnapshot %}",
		"{% for x in xs %}{{ ref(x) }}{% endfor %}",
		"{{ ref('a' ~ b) }} {{ ref(var('m')) }} {{ ref('",
		"{{ config(x=[1, 2,, ]) }} {{ config(y={'k' 'v'}) }} {{ ref(('a')) }}",
		"def model(dbt, s):\n    return dbt.ref('a') + dbt.source(\"\"\"s\"\"\", r't')",
		"{%",
		"{{",
		"{{ ref( }}",
		`{{ ref('a\tb') }} {{ source("s\x41", 't\\u') }}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		in := func(s string) bool {
			if strings.Contains(src, s) {
				return true
			}
			// Escapes decode to something else than their text: the name must then be a
			// decoded literal of the input.
			for _, lit := range stringLiterals(src) {
				if strings.Contains(lit, s) {
					return true
				}
			}
			return false
		}
		for _, ex := range []Extracted{ExtractSQL(src), ExtractPython(src)} {
			for _, r := range ex.Refs {
				if !in(r.Name) || !in(r.Package) {
					t.Fatalf("ref %+v not in the input", r)
				}
			}
			for _, s := range ex.Sources {
				if !in(s.Source) || !in(s.Table) {
					t.Fatalf("source %+v not in the input", s)
				}
			}
			for _, b := range ex.Blocks {
				if b.BodyStart > b.BodyEnd || b.BodyEnd > len(src) {
					t.Fatalf("block %+v out of range", b)
				}
			}
		}
	})
}

// stringLiterals decodes every quoted stretch of src both ways (Jinja and Python), for the
// fuzzer's check of decoded names.
func stringLiterals(src string) []string {
	var out []string
	for i := 0; i < len(src); i++ {
		if src[i] != '\'' && src[i] != '"' {
			continue
		}
		for _, python := range []bool{false, true} {
			for _, raw := range []bool{false, true} {
				if v, _, ok := lexString(src, i, python, raw); ok {
					out = append(out, v)
				}
			}
		}
	}
	return out
}
