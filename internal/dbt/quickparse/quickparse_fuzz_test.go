package quickparse

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

// FuzzRenderModel renders arbitrary model files with dbt's parse context: parsing and
// evaluation must never panic or hang (loops and macro recursion are bounded), and every
// dependency found must be a ref or source call of the input.
func FuzzRenderModel(f *testing.F) {
	for _, s := range []string{
		"select * from {{ ref('a') }}",
		"{% if var('x', []) != [] %}{{ ref('a') }}{% else %}{{ source('s', 't') }}{% endif %}",
		"{% for i in range(3) %}{{ ref('m' ~ i) }}{% endfor %}",
		"{% macro m(x) %}{{ return(m(x)) }}{% endmacro %}{{ m(1) }}",
		"{% set ns = namespace(a=1) %}{% set ns.a = ns.a + 1 %}{{ ns.a }}",
		"{% for x in target.things %}{% if x > 1 %}{{ ref(x) }}{% endif %}{% endfor %}",
		"{{ config(enabled=var('e', True)) }}{{ {'a': [1, {'b': none}]}['a'][1].b | default('z') }}",
		"{% set l = [] %}{% for i in range(10) %}{% do l.append(i) %}{% endfor %}{{ l | join(',') }}",
		"{% call statement('x') %}{{ ref('q') }}{% endcall %}{{ adapter.dispatch('m')() }}",
		"{{ (1 if a else 2) ~ 'x' | upper }} {{ 'a\\tb' }} {{ x is defined and x is not none }}",
		"{% for a, b in [[1, 2]] %}{{ a }}{% else %}none{% endfor %}{% raw %}{{ ref('no') }}{% endraw %}",
		"{% if %}", "{{", "{{ ref( }}", "{% for %}{% endif %}", "{% macro %}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		nodes, err := parseTemplate(src)
		if err != nil {
			return
		}
		q := &quickParser{root: &project{name: "p"}, macroDefs: map[*project]map[string]*macroDef{}}
		q.projects = []*project{q.root}
		for _, n := range nodes {
			if m, ok := n.(*tMacro); ok {
				if q.macroDefs[q.root] == nil {
					q.macroDefs[q.root] = map[string]*macroDef{}
				}
				q.macroDefs[q.root][m.name] = &macroDef{name: m.name, pkg: q.root, node: m, src: src}
			}
		}
		ev := newEvaluatorJ(&jinjaEnv{q: q, pkg: q.root, vars: func(string) (any, bool) { return nil, false }})
		if _, err := ev.render("m.sql", src, nodes); err != nil && err != errJinjaBudget {
			t.Fatal(err)
		}
		if !strings.Contains(src, "ref") && !strings.Contains(src, "source") {
			if len(ev.rec.deps) > 0 {
				t.Fatalf("dependencies %+v from a file without ref or source", ev.rec.deps)
			}
		}
	})
}
