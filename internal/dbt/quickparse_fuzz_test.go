package dbt

import (
	"strings"
	"testing"
)

// FuzzExtractRefs feeds arbitrary model files to the ref/source/config extraction: it must
// never panic, never hang, and only report calls whose names appear in the input.
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
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, ex := range []Extracted{ExtractSQL(src), ExtractPython(src)} {
			for _, r := range ex.Refs {
				if !strings.Contains(src, r.Name) || !strings.Contains(src, r.Package) {
					t.Fatalf("ref %+v not in the input", r)
				}
			}
			for _, s := range ex.Sources {
				if !strings.Contains(src, s.Source) || !strings.Contains(src, s.Table) {
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
