package quickparse

import (
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/selector"
	"slices"
	"sort"
	"strings"
	"testing"
)

// parentsOf returns a node's parents' unique ids, sorted.
func parentsOf(t *testing.T, g *dbt.Graph, id string) []string {
	t.Helper()
	i, ok := g.Index(id)
	if !ok {
		t.Fatalf("no node %s; nodes: %v", id, nodeIDs(g))
	}
	var out []string
	for _, p := range g.Parents(i) {
		out = append(out, g.Nodes[p].UniqueID)
	}
	sort.Strings(out)
	return out
}

func nodeIDs(g *dbt.Graph) []string {
	var out []string
	for i := range g.Nodes {
		out = append(out, g.Nodes[i].UniqueID)
	}
	return out
}

func hasWarning(g *dbt.Graph, parts ...string) bool {
	for _, w := range g.Origin.Warnings {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(w, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// Cases of dbt's parse-time rendering, each a small project: what dbt makes of it follows from
// how dbt renders (var() and its precedence, execute = false, config.get returning "").
func TestQuickParseRendersLikeDBT(t *testing.T) {
	type want struct {
		node    string
		parents []string
		absent  bool
	}
	cases := []struct {
		name  string
		files map[string]string
		opts  QuickParseOptions
		want  []want
		warn  [][]string // each: parts one warning must contain
		quiet bool       // no warnings at all
	}{
		{
			name: "var holding a ref, from the root project",
			files: map[string]string{
				"dbt_project.yml":             "name: p\nvars:\n  contact_list: \"{{ ref('stg_contact_list') }}\"\n",
				"models/stg_contact_list.sql": "select 1",
				"models/contacts.sql":         "select * from {{ var('contact_list') }}",
			},
			want:  []want{{node: "model.p.contacts", parents: []string{"model.p.stg_contact_list"}}},
			quiet: true,
		},
		{
			name: "a ref named by a var default",
			files: map[string]string{
				"dbt_project.yml":  "name: p\n",
				"models/stg_x.sql": "select 1",
				"models/y.sql":     "select * from {{ ref(var('upstream', 'stg_x')) }}",
			},
			want:  []want{{node: "model.p.y", parents: []string{"model.p.stg_x"}}},
			quiet: true,
		},
		{
			name: "package vars: its own, scoped in its own project, overridden by the root",
			files: map[string]string{
				"dbt_project.yml":                  "name: p\nvars:\n  pkg:\n    second: \"{{ ref('b') }}\"\n",
				"dbt_packages/pkg/dbt_project.yml": "name: pkg\nvars:\n  first: \"{{ ref('a') }}\"\n  pkg:\n    second: \"{{ ref('a') }}\"\n",
				"dbt_packages/pkg/models/a.sql":    "select 1",
				"dbt_packages/pkg/models/b.sql":    "select 1",
				"dbt_packages/pkg/models/uses.sql": "select * from {{ var('first') }} join {{ var('second') }}",
			},
			want:  []want{{node: "model.pkg.uses", parents: []string{"model.pkg.a", "model.pkg.b"}}},
			quiet: true,
		},
		{
			name: "--vars win over the projects'",
			files: map[string]string{
				"dbt_project.yml": "name: p\nvars:\n  up: a\n",
				"models/a.sql":    "select 1",
				"models/b.sql":    "select 1",
				"models/c.sql":    "select * from {{ ref(var('up')) }}",
			},
			opts: QuickParseOptions{Vars: map[string]any{"up": "b"}},
			want: []want{{node: "model.p.c", parents: []string{"model.p.b"}}},
		},
		{
			name: "enabled from a var, in config() and in dbt_project.yml",
			files: map[string]string{
				"dbt_project.yml":    "name: p\nseeds:\n  p:\n    +enabled: \"{{ var('load_source_data', false) }}\"\n",
				"seeds/raw.csv":      "id\n1\n",
				"snapshots/s.sql":    "{% snapshot s %}{{ config(enabled=var('snapshots_enabled', False) == true, strategy='check') }}select 1{% endsnapshot %}",
				"models/on.sql":      "{{ config(enabled=var('on_enabled', true)) }} select 1",
				"models/off.sql":     "{{ config(enabled=var('off_enabled', false)) }} select 1",
				"models/uses_on.sql": "select * from {{ ref('on') }}",
				"models/schema.yml":  "models:\n  - name: off\n    columns:\n      - name: id\n        tests: [not_null]\n",
			},
			want: []want{
				{node: "seed.p.raw", absent: true},
				{node: "snapshot.p.s", absent: true},
				{node: "model.p.off", absent: true},
				{node: "test.p.not_null_off_id", absent: true},
				{node: "model.p.uses_on", parents: []string{"model.p.on"}},
			},
			quiet: true,
		},
		{
			name: "{% if %} on vars and literals takes dbt's branch",
			files: map[string]string{
				"dbt_project.yml": "name: p\nvars:\n  sources_list: []\n  mode: incremental\n",
				"models/a.sql":    "select 1",
				"models/b.sql":    "select 1",
				"models/c.sql":    "select 1",
				"models/d.sql": `{% if var('sources_list', []) != [] %}{{ ref('a') }}{% elif var('mode') == 'full' %}{{ ref('b') }}{% else %}{{ ref('c') }}{% endif %}
{% if execute %}{{ ref('a') }}{% endif %}{% if is_incremental() %}{{ ref('b') }}{% endif %}
{% if config.get('materialized') == 'table' %}{{ ref('a') }}{% endif %}`,
			},
			want:  []want{{node: "model.p.d", parents: []string{"model.p.c"}}},
			quiet: true,
		},
		{
			name: "a condition only dbt can decide keeps every branch and says so",
			files: map[string]string{
				"dbt_project.yml": "name: p\n",
				"models/a.sql":    "select 1",
				"models/b.sql":    "select 1",
				"models/c.sql":    "select 1\n{% if target.name == 'prod' %}\n{{ ref('a') }}\n{% else %}\n{{ ref('b') }}\n{% endif %}",
			},
			want: []want{{node: "model.p.c", parents: []string{"model.p.a", "model.p.b"}}},
			warn: [][]string{{"models/c.sql", "{% if target.name == 'prod' %} (line 2)", "keeps every branch"}},
		},
		{
			name: "the target, when known, decides",
			files: map[string]string{
				"dbt_project.yml": "name: p\n",
				"models/a.sql":    "select 1",
				"models/b.sql":    "select 1",
				"models/c.sql":    "{% if target.name == 'prod' %}{{ ref('a') }}{% else %}{{ ref('b') }}{% endif %}",
			},
			opts:  QuickParseOptions{Target: map[string]any{"name": "dev", "type": "snowflake"}},
			want:  []want{{node: "model.p.c", parents: []string{"model.p.b"}}},
			quiet: true,
		},
		{
			name: "macros: package namespaces, return(), loops over var lists, dispatch",
			files: map[string]string{
				"dbt_project.yml":                   "name: p\nvars:\n  parts: ['a', 'b']\n",
				"models/a.sql":                      "select 1",
				"models/b.sql":                      "select 1",
				"models/c.sql":                      "select 1",
				"models/d.sql":                      "select 1",
				"dbt_packages/util/dbt_project.yml": "name: util\n",
				"dbt_packages/util/macros/m.sql":    "{% macro pick(name) %}{{ return(ref(name)) }}{% endmacro %}\n{% macro enabled_vars(vars) %}{% for v in vars %}{% if var(v, True) == False %}{{ return(False) }}{% endif %}{% endfor %}{{ return(True) }}{% endmacro %}\n{% macro union(x) %}{{ return(adapter.dispatch('union', 'util')(x)) }}{% endmacro %}\n{% macro default__union(x) %}{{ ref(x) }}{% endmacro %}",
				"models/union_all.sql":              "{% for p in var('parts') %}select * from {{ util.pick(p) }}{% if not loop.last %} union all {% endif %}{% endfor %}",
				"models/maybe.sql":                  "{{ config(enabled=util.enabled_vars(['feature_x'])) }} select * from {{ ref('c') }}",
				"models/dispatched.sql":             "select * from {{ util.union('d') }}",
			},
			want: []want{
				{node: "model.p.union_all", parents: []string{"model.p.a", "model.p.b"}},
				{node: "model.p.maybe", parents: []string{"model.p.c"}},
				{node: "model.p.dispatched", parents: []string{"model.p.d"}},
			},
			quiet: true,
		},
		{
			name: "local packages, and a project whose models all live in one (local: ../)",
			files: map[string]string{
				"dbt_project.yml":                    "name: pkg\nvars:\n  pkg:\n    thing: \"{{ ref('stg') }}\"\n",
				"models/stg.sql":                     "select * from {{ source('raw', 't') }}",
				"models/final.sql":                   "select * from {{ var('thing') }}",
				"models/src.yml":                     "sources:\n  - name: raw\n    tables:\n      - name: t\n",
				"integration_tests/dbt_project.yml":  "name: it\nseeds:\n  it:\n    +schema: raw\n",
				"integration_tests/packages.yml":     "packages:\n  - local: ../\n",
				"integration_tests/seeds/t_data.csv": "id\n1\n",
			},
			want:  nil, // checked below, from integration_tests
			quiet: true,
		},
		{
			name: "a ref to nothing: an unresolved placeholder, with the file and line",
			files: map[string]string{
				"dbt_project.yml":    "name: p\n",
				"macros/m.sql":       "{% macro from_arg(name) %}{{ ref(name) }}{% endmacro %}",
				"models/a.sql":       "select 1\nfrom {{ ref('missing_model') }}\njoin {{ source('nope', 't') }}",
				"models/b.sql":       "select * from {{ from_arg(target.schema) }}",
				"models/wrapped.sql": "select * from {{ ref('wrapper_project', 'orders') }}",
			},
			want: []want{
				{node: "model.p.a", parents: []string{"unresolved.ref.missing_model", "unresolved.source.nope.t"}},
				{node: "model.p.b", parents: nil},
				{node: "model.p.wrapped", parents: []string{"unresolved.ref.wrapper_project.orders"}},
			},
			warn: [][]string{
				{"models/a.sql line 2", "ref('missing_model')", "unresolved"},
				{"models/a.sql line 3", "source('nope', 't')", "unresolved"},
				{"models/b.sql", "ref(name) in macro from_arg", "macros/m.sql line 1", "only known when dbt renders"},
				{"models/wrapped.sql line 1", `package "wrapper_project" is not installed`},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, dir := quickParseTree(t, c.files, c.opts)
			if c.files["integration_tests/packages.yml"] != "" {
				var err error
				g, err = QuickParse(dir + "/integration_tests")
				if err != nil {
					t.Fatal(err)
				}
				c.want = []want{
					{node: "model.pkg.final", parents: []string{"model.pkg.stg"}},
					{node: "model.pkg.stg", parents: []string{"source.pkg.raw.t"}},
					{node: "seed.it.t_data"},
				}
				if g.Origin.ProjectName != "it" {
					t.Errorf("root project %q", g.Origin.ProjectName)
				}
			}
			for _, w := range c.want {
				if w.absent {
					if n := g.Node(w.node); n != nil && !n.Disabled {
						t.Errorf("%s should be disabled, as dbt leaves it out", w.node)
					}
					continue
				}
				if got := parentsOf(t, g, w.node); !slices.Equal(got, w.parents) {
					t.Errorf("%s depends on %v, want %v", w.node, got, w.parents)
				}
			}
			for _, parts := range c.warn {
				if !hasWarning(g, parts...) {
					t.Errorf("no warning with %q in:\n%s", parts, strings.Join(g.Origin.Warnings, "\n"))
				}
			}
			if c.quiet && len(g.Origin.Warnings) > 0 {
				t.Errorf("unexpected warnings:\n%s", strings.Join(g.Origin.Warnings, "\n"))
			}
		})
	}
}

// Placeholders are no dbt nodes: selectors never find them.
func TestUnresolvedPlaceholdersAreNotSelected(t *testing.T) {
	g, _ := quickParseTree(t, map[string]string{
		"dbt_project.yml": "name: p\n",
		"models/a.sql":    "select * from {{ ref('gone') }}",
	}, QuickParseOptions{})
	if n := g.Node("unresolved.ref.gone"); n == nil || n.ResourceType != ResourceUnresolved {
		t.Fatalf("placeholder = %+v", n)
	}
	for _, s := range []string{"+a", "gone", "fqn:*", "resource_type:unresolved"} {
		sel, err := selector.ParseSelection([]string{s}, nil)
		if err != nil {
			continue
		}
		ids, err := selector.Select(g, sel, selector.SelectOptions{ResourceTypes: []string{"all"}})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(ids, "unresolved.ref.gone") {
			t.Errorf("%s selected the placeholder", s)
		}
	}
}

// QuickParse fills `target` from the profile dbt would use, so conditions on the target are
// decided like dbt decides them; DBT_TARGET picks another output.
func TestQuickParseUsesTheProfileTarget(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml": "name: p\nprofile: shop\n",
		"profiles.yml":    "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n    prod:\n      type: snowflake\n      account: x\n      user: u\n      password: \"{{ env_var('NO_SUCH_SECRET', 'x') }}\"\n      database: d\n      schema: s\n",
		"models/a.sql":    "select 1",
		"models/b.sql":    "select 1",
		"models/c.sql":    "{% if target.type == 'snowflake' %}{{ ref('a') }}{% else %}{{ ref('b') }}{% endif %}",
	})
	t.Setenv("DBT_PROFILES_DIR", dir)
	for target, want := range map[string]string{"": "model.p.b", "prod": "model.p.a"} {
		t.Setenv("DBT_TARGET", target)
		g, err := QuickParse(dir)
		if err != nil {
			t.Fatal(err)
		}
		if got := parentsOf(t, g, "model.p.c"); !slices.Equal(got, []string{want}) {
			t.Errorf("target %q: c depends on %v, want %s", target, got, want)
		}
	}
}
