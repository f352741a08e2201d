package quickparse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/datatui/datatui/internal/dbt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func quickProj(t *testing.T) *dbt.Graph {
	t.Helper()
	g, err := QuickParse("../testdata/quickproj")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// TestQuickParseEdges checks every node and edge of the test project against expectations
// written by hand from its files.
func TestQuickParseEdges(t *testing.T) {
	g := quickProj(t)
	want := map[string][]string{
		"analysis.quickproj.revenue_by_month":                                      {"model.quickproj.fct_revenue"},
		"exposure.quickproj.weekly_kpis":                                           {"model.quickproj.dim_users.v2", "model.quickproj.fct_revenue", "source.quickproj.app.offers"},
		"model.quickproj.dim_users.v1":                                             {"model.quickproj.stg_users"},
		"model.quickproj.dim_users.v2":                                             {"model.quickproj.stg_orders", "model.quickproj.stg_users"},
		"model.quickproj.dynamic_upstream":                                         {"model.quickproj.stg_users"}, // ref(var('upstream_model', 'stg_users'))
		"model.quickproj.fct_revenue":                                              {"model.quickproj.stg_orders", "model.quickproj.stg_payments", "seed.quickproj.currency_rates"},
		"model.quickproj.stg_offers":                                               {"source.quickproj.app.offers"},
		"model.quickproj.stg_orders":                                               {"seed.quickproj.raw_countries", "source.quickproj.app.orders"},
		"model.quickproj.stg_payments":                                             {"model.quickproj.stg_users", "source.quickproj.shop.payments"},
		"model.quickproj.stg_users":                                                {"source.quickproj.app.users"},
		"model.quickproj.user_report":                                              {"model.quickproj.dim_users.v1", "model.quickproj.dim_users.v2", "unresolved.ref.a", "unresolved.ref.b"}, // {% for name in ['a', 'b'] %}{{ ref(name) }}
		"unresolved.ref.a":                                                         {},
		"unresolved.ref.b":                                                         {},
		"seed.quickproj.currency_rates":                                            {},
		"seed.quickproj.raw_countries":                                             {},
		"snapshot.quickproj.users_snapshot":                                        {"source.quickproj.app.users"},
		"source.quickproj.app.offers":                                              {},
		"source.quickproj.app.orders":                                              {},
		"source.quickproj.app.users":                                               {},
		"source.quickproj.shop.payments":                                           {},
		"test.quickproj.accepted_values_stg_orders_status__placed__shipped":        {"model.quickproj.stg_orders"},
		"test.quickproj.assert_revenue_positive":                                   {"model.quickproj.fct_revenue"},
		"test.quickproj.dbt_utils_expression_is_true_fct_revenue_amount_eur_0":     {"model.quickproj.fct_revenue"},
		"test.quickproj.not_null_dim_users_v1_user_id":                             {"model.quickproj.dim_users.v1"},
		"test.quickproj.not_null_dim_users_v2_user_id":                             {"model.quickproj.dim_users.v2"},
		"test.quickproj.not_null_stg_users_user_id":                                {"model.quickproj.stg_users"},
		"test.quickproj.relationships_stg_orders_user_id__user_id__ref_stg_users_": {"model.quickproj.stg_orders", "model.quickproj.stg_users"},
		"test.quickproj.source_not_null_app_users_id":                              {"source.quickproj.app.users"},
		"test.quickproj.source_unique_app_users_id":                                {"source.quickproj.app.users"},
		"test.quickproj.unique_stg_orders_order_id":                                {"model.quickproj.stg_orders"},
		"test.quickproj.unique_stg_users_user_id":                                  {"model.quickproj.stg_users"},
		"unit_test.quickproj.fct_revenue.revenue_converts_currency":                {"model.quickproj.fct_revenue"},
	}
	got := map[string][]string{}
	for i := range g.Nodes {
		var deps []string
		for _, p := range g.Parents(i) {
			deps = append(deps, g.Nodes[p].UniqueID)
		}
		sort.Strings(deps)
		if deps == nil {
			deps = []string{}
		}
		got[g.Nodes[i].UniqueID] = deps
	}
	for id, w := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("missing node %s", id)
			continue
		}
		if !reflect.DeepEqual(got[id], w) {
			t.Errorf("%s depends on %v, want %v", id, got[id], w)
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("unexpected node %s", id)
		}
	}
}

func TestQuickParseDetails(t *testing.T) {
	g := quickProj(t)
	if g.Origin.Kind != dbt.OriginQuickParse || g.Origin.ProjectName != "quickproj" || g.Origin.Built.IsZero() {
		t.Errorf("origin = %+v", g.Origin)
	}
	node := func(id string) *dbt.Node {
		t.Helper()
		n := g.Node(id)
		if n == nil {
			t.Fatalf("no node %s", id)
		}
		return n
	}
	fct := node("model.quickproj.fct_revenue")
	if !reflect.DeepEqual(fct.FQN, []string{"quickproj", "marts", "finance", "fct_revenue"}) {
		t.Errorf("fqn = %v", fct.FQN)
	}
	if fct.Config.Materialized != "table" || !reflect.DeepEqual(fct.Tags, []string{"finance"}) {
		t.Errorf("folder config not applied: %+v tags %v", fct.Config, fct.Tags)
	}
	if fct.Meta["owner"] != "finance-team" || fct.Meta["tier"] != "gold" || fct.Owner != "finance-team" {
		t.Errorf("meta = %v owner %q", fct.Meta, fct.Owner)
	}
	if fct.Description != "Revenue per order in euros." || len(fct.Columns) != 2 || fct.Columns[0].DataType != "bigint" {
		t.Errorf("properties not applied: %q %+v", fct.Description, fct.Columns)
	}
	if fct.OriginalPath != "models/marts/finance/fct_revenue.sql" || fct.Path != "marts/finance/fct_revenue.sql" || fct.PatchPath != "quickproj://models/marts/_marts.yml" {
		t.Errorf("paths = %q %q %q", fct.OriginalPath, fct.Path, fct.PatchPath)
	}
	raw, _ := os.ReadFile("../testdata/quickproj/models/marts/finance/fct_revenue.sql")
	sum := sha256.Sum256([]byte(strings.TrimSpace(string(raw))))
	if fct.Checksum != hex.EncodeToString(sum[:]) {
		t.Errorf("checksum = %s", fct.Checksum)
	}
	orders := node("model.quickproj.stg_orders")
	if orders.Config.Materialized != "incremental" || orders.Config.Schema != "staging" || orders.Config.Extra["unique_key"] != "order_id" {
		t.Errorf("stg_orders config = %+v", orders.Config)
	}
	if !reflect.DeepEqual(orders.Tags, []string{"staging", "orders", "hourly"}) {
		t.Errorf("tags should accumulate project, properties and file: %v", orders.Tags)
	}
	if py := node("model.quickproj.stg_offers"); py.Config.Materialized != "table" || !containsStr(py.Tags, "python") {
		t.Errorf("python config = %+v", py.Config)
	}
	v1 := node("model.quickproj.dim_users.v1")
	if v1.Name != "dim_users" || v1.Version != "1" || !reflect.DeepEqual(v1.FQN, []string{"quickproj", "marts", "dim_users", "v1"}) || v1.Alias != "dim_users_v1" {
		t.Errorf("version = %+v", v1)
	}
	if v1.Description != "Users with their order counts." {
		t.Errorf("versions inherit the model's description: %q", v1.Description)
	}
	av := node("test.quickproj.accepted_values_stg_orders_status__placed__shipped")
	if av.TestMetadata == nil || av.TestMetadata.Name != "accepted_values" || av.TestMetadata.Column != "status" || av.AttachedNode != "model.quickproj.stg_orders" || av.Config.Severity != "warn" {
		t.Errorf("accepted_values test = %+v %+v", av, av.TestMetadata)
	}
	if !reflect.DeepEqual(av.FQN, []string{"quickproj", "staging", "accepted_values_stg_orders_status__placed__shipped"}) || av.OriginalPath != "models/staging/_staging.yml" {
		t.Errorf("test fqn/path = %v %s", av.FQN, av.OriginalPath)
	}
	ex := node("test.quickproj.dbt_utils_expression_is_true_fct_revenue_amount_eur_0")
	if ex.TestMetadata.Namespace != "dbt_utils" || ex.TestMetadata.Name != "expression_is_true" {
		t.Errorf("namespaced test = %+v", ex.TestMetadata)
	}
	if st := node("test.quickproj.source_unique_app_users_id"); st.AttachedNode != "" {
		t.Errorf("source tests have no attached node, got %q", st.AttachedNode)
	}
	src := node("source.quickproj.shop.payments")
	if src.SourceName != "shop" || src.Schema != "shop" || src.Alias != "payments_v3" || !reflect.DeepEqual(src.FQN, []string{"quickproj", "staging", "shop", "payments"}) {
		t.Errorf("source = %+v", src)
	}
	if u := node("source.quickproj.app.users"); u.Schema != "app_raw" || u.Description != "One row per registered user." {
		t.Errorf("source users = %+v", u)
	}
	exp := node("exposure.quickproj.weekly_kpis")
	if exp.ExposureType != "dashboard" || exp.Owner != "Finance Team" || exp.Label != "Weekly KPIs" || exp.URL == "" {
		t.Errorf("exposure = %+v", exp)
	}
	snap := node("snapshot.quickproj.users_snapshot")
	if !reflect.DeepEqual(snap.FQN, []string{"quickproj", "users_snapshot", "users_snapshot"}) || snap.Config.Materialized != "snapshot" {
		t.Errorf("snapshot = %+v", snap)
	}
	if seed := node("seed.quickproj.currency_rates"); seed.Config.Schema != "raw" || !reflect.DeepEqual(seed.FQN, []string{"quickproj", "lookups", "currency_rates"}) {
		t.Errorf("seed = %+v", seed)
	}
	if a := node("analysis.quickproj.revenue_by_month"); !reflect.DeepEqual(a.FQN, []string{"quickproj", "analysis", "revenue_by_month"}) {
		t.Errorf("analysis fqn = %v", a.FQN)
	}
	if g.Node("model.quickproj.disabled_model") != nil {
		t.Error("disabled models are not in the graph")
	}
	if g.Node("test.quickproj.is_positive") != nil {
		t.Error("generic test definitions under tests/generic are not tests")
	}
	warnings := g.Origin.Warnings
	wantWarn := []string{
		"models/marts/user_report.sql line 5: ref('a') points at no model, seed or snapshot",
		"models/marts/user_report.sql line 5: ref('b') points at no model, seed or snapshot",
	}
	if len(warnings) != len(wantWarn) {
		t.Fatalf("warnings = %q", warnings)
	}
	for k, w := range wantWarn {
		if !strings.HasPrefix(warnings[k], w) {
			t.Errorf("warning %d = %q, want prefix %q", k, warnings[k], w)
		}
	}
}

// writeProject writes files (path → content) into a temp project.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestQuickParseBadInput(t *testing.T) {
	if _, err := QuickParse(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no dbt_project.yml") {
		t.Errorf("missing project: %v", err)
	}
	dir := writeProject(t, map[string]string{"dbt_project.yml": "name: [unclosed\n"})
	if _, err := QuickParse(dir); err == nil || !strings.Contains(err.Error(), "invalid YAML") {
		t.Errorf("broken dbt_project.yml: %v", err)
	}
	dir = writeProject(t, map[string]string{"dbt_project.yml": "version: 1\n"})
	if _, err := QuickParse(dir); err == nil || !strings.Contains(err.Error(), "no name") {
		t.Errorf("nameless project: %v", err)
	}
	cases := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"cycle", map[string]string{
			"models/a.sql": "select * from {{ ref('b') }}",
			"models/b.sql": "select * from {{ ref('c') }}",
			"models/c.sql": "select * from {{ ref('a') }}",
		}, []string{"dependency cycle: a → c → b → a"}},
		{"broken yaml is a warning", map[string]string{
			"models/a.sql":      "select 1",
			"models/schema.yml": "models:\n  - name: a\n   description: [\n",
		}, []string{"models/schema.yml: invalid YAML"}},
		{"missing ref and source", map[string]string{
			"models/a.sql": "select * from {{ ref('nope') }} join {{ source('x', 'y') }}",
		}, []string{"models/a.sql line 1: ref('nope') points at no model", "models/a.sql line 1: source('x', 'y') is not declared"}},
		{"uninstalled package", map[string]string{
			"models/a.sql": "select * from {{ ref('dbt_date', 'dates') }}",
		}, []string{"package \"dbt_date\" is not installed (run dbt deps)"}},
		{"duplicate names", map[string]string{
			"models/a.sql":   "select 1",
			"models/x/a.sql": "select 2",
		}, []string{"model.p.a is defined twice"}},
		{"described but missing", map[string]string{
			"models/schema.yml": "models:\n  - name: ghost\n",
		}, []string{"models/schema.yml: model \"ghost\" is described here but there is no model file"}},
		{"snapshot without block", map[string]string{
			"snapshots/s.sql": "select 1",
		}, []string{"snapshots/s.sql: no {% snapshot name %} block"}},
		{"bad version", map[string]string{
			"models/a.sql":      "select * from {{ ref('b', v=9) }}",
			"models/b_v1.sql":   "select 1",
			"models/schema.yml": "models:\n  - name: b\n    versions:\n      - v: 1\n",
		}, []string{"model \"b\" has no version 9"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"dbt_project.yml": "name: p\n"}
			for k, v := range tc.files {
				files[k] = v
			}
			g, err := QuickParse(writeProject(t, files))
			if err != nil {
				t.Fatal(err)
			}
			all := strings.Join(g.Origin.Warnings, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("warnings %q lack %q", all, w)
				}
			}
		})
	}
}

func TestQuickParsePackagesAndPaths(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":               "name: shop\nmodel-paths: [transform]\npackages-install-path: deps\nmodels:\n  util:\n    +materialized: table\n",
		"transform/orders.sql":          "select * from {{ ref('util', 'calendar') }} join {{ ref('helper') }}",
		"deps/util/dbt_project.yml":     "name: util\nmodels:\n  util:\n    +tags: [from_package]\n",
		"deps/util/models/calendar.sql": "select 1",
		"deps/util/models/helper.sql":   "select 2",
	})
	g, err := QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	o := g.Node("model.shop.orders")
	if o == nil || o.OriginalPath != "transform/orders.sql" {
		t.Fatalf("custom model-paths: %+v", o)
	}
	if !reflect.DeepEqual(o.DependsOn, []string{"model.util.calendar", "model.util.helper"}) {
		t.Errorf("refs into a package = %v (warnings %q)", o.DependsOn, g.Origin.Warnings)
	}
	cal := g.Node("model.util.calendar")
	if cal.Package != "util" || cal.OriginalPath != "models/calendar.sql" || cal.Config.Materialized != "table" || !containsStr(cal.Tags, "from_package") {
		t.Errorf("package model = %+v", cal)
	}
}

func TestSynthesizeTestName(t *testing.T) {
	ms := func(kv ...any) []any { return kv }
	_ = ms
	cases := []struct {
		ident       string
		args        map[string]any
		full, short string
	}{
		{"not_null_orders", map[string]any{"column_name": "order_id"}, "not_null_orders_order_id", "not_null_orders_order_id"},
		{"accepted_values_customers", map[string]any{"values": []any{"new", "returning"}, "column_name": "customer_type"}, "accepted_values_customers_customer_type__new__returning", "accepted_values_customers_customer_type__new__returning"},
		{"relationships_orders", map[string]any{"to": "ref('stg_customers')", "field": "customer_id", "column_name": "customer_id"}, "relationships_orders_customer_id__customer_id__ref_stg_customers_", "relationships_orders_0389c224a99a98c0b58aedb753f052f0"},
		{"dbt_utils_expression_is_true_stg_orders", map[string]any{"expression": "order_total - tax_paid = subtotal"}, "dbt_utils_expression_is_true_stg_orders_order_total_tax_paid_subtotal", "dbt_utils_expression_is_true_s_fc9f3efa92425b23fb62ee5a96c17e3f"},
		{"accepted_values_t", map[string]any{"values": []any{true, nil, 1.5, uint64(2)}, "column_name": "c"}, "accepted_values_t_c__True__None__1_5__2", "accepted_values_t_c__True__None__1_5__2"},
	}
	for _, tc := range cases {
		full, short := synthesizeTestName(tc.ident, asMapSlice(tc.args))
		if full != tc.full || short != tc.short {
			t.Errorf("%s: got %q %q, want %q %q", tc.ident, full, short, tc.full, tc.short)
		}
	}
}

func TestExtractSQL(t *testing.T) {
	cases := []struct {
		name       string
		src        string
		refs       []RefCall
		sources    []SourceCall
		config     map[string]any
		unresolved int
	}{
		{"single quotes", "select * from {{ ref('a') }}", []RefCall{{Name: "a"}}, nil, nil, 0},
		{"double quotes and spaces", "{{ref( \"a\" )}}", []RefCall{{Name: "a"}}, nil, nil, 0},
		{"package", "{{ ref('pkg', 'a') }}", []RefCall{{Package: "pkg", Name: "a"}}, nil, nil, 0},
		{"version v", "{{ ref('a', v=2) }}", []RefCall{{Name: "a", Version: "2"}}, nil, nil, 0},
		{"version kw string", "{{ ref('a', version='3') }}", []RefCall{{Name: "a", Version: "3"}}, nil, nil, 0},
		{"whitespace control", "{{- ref('a') -}} {%- set x = ref('b') -%}", []RefCall{{Name: "a"}, {Name: "b"}}, nil, nil, 0},
		{"multiline source", "{{ source(\n 'raw',\n 'users'\n) }}", nil, []SourceCall{{"raw", "users"}}, nil, 0},
		{"source kwargs", "{{ source(source_name='raw', table_name='t') }}", nil, []SourceCall{{"raw", "t"}}, nil, 0},
		{"jinja comment skipped", "{# {{ ref('x') }} #} {{ ref('y') }}", []RefCall{{Name: "y"}}, nil, nil, 0},
		{"sql comment kept", "-- depends_on: {{ ref('x') }}", []RefCall{{Name: "x"}}, nil, nil, 0},
		{"raw block skipped", "{% raw %}{{ ref('x') }}{% endraw %}{{ ref('y') }}", []RefCall{{Name: "y"}}, nil, nil, 0},
		{"string containing braces", "{{ ref('a') ~ '}}' }} {{ ref('b') }}", []RefCall{{Name: "a"}, {Name: "b"}}, nil, nil, 0},
		{"var", "{{ ref(var('m')) }}", nil, nil, nil, 1},
		{"concat", "{{ ref('stg_' ~ name) }}", nil, nil, nil, 1},
		{"loop variable", "{% for t in ['a'] %}{{ source('raw', t) }}{% endfor %}", nil, nil, nil, 1},
		{"not dbt's ref", "{{ adapter.ref('x') }} {{ my_ref('y') }}", nil, nil, nil, 0},
		{"config", "{{ config(materialized='table', tags=['a', 'b'], schema=\"s\", enabled=true, meta={'owner': 'x'}) }}", nil, nil,
			map[string]any{"materialized": "table", "tags": []any{"a", "b"}, "schema": "s", "enabled": true, "meta": map[string]any{"owner": "x"}}, 0},
		{"config tags string", "{{ config(tags='nightly') }}", nil, nil, map[string]any{"tags": "nightly"}, 0},
		{"config computed", "{{ config(materialized=var('mat', 'view'), alias=this.name) }}", nil, nil, nil, 1},
		{"unterminated", "{{ ref('a'", []RefCall{{Name: "a"}}, nil, nil, 0},
		{"unterminated comment", "{# {{ ref('a') }}", nil, nil, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ex := ExtractSQL(tc.src)
			if !reflect.DeepEqual(ex.Refs, tc.refs) || !reflect.DeepEqual(ex.Sources, tc.sources) || !reflect.DeepEqual(ex.Config, tc.config) || len(ex.Unresolved) != tc.unresolved {
				t.Errorf("got refs %v sources %v config %v unresolved %q", ex.Refs, ex.Sources, ex.Config, ex.Unresolved)
			}
		})
	}
}

func TestExtractPython(t *testing.T) {
	src := `
import pandas as pd

def model(dbt, session):
    dbt.config(materialized="table")
    # dbt.ref("commented")
    a = dbt.ref("a")
    b = dbt.ref('pkg', 'b', v=2)
    c = dbt.source("raw", "c")
    doc = """dbt.ref("in_docstring")"""
    d = dbt.ref(f"stg_{name}")
    return ref("not_dbt")
`
	ex := ExtractPython(src)
	want := []RefCall{{Name: "a"}, {Package: "pkg", Name: "b", Version: "2"}}
	if !reflect.DeepEqual(ex.Refs, want) || !reflect.DeepEqual(ex.Sources, []SourceCall{{"raw", "c"}}) || ex.Config["materialized"] != "table" || len(ex.Unresolved) != 1 {
		t.Errorf("got %+v", ex)
	}
}

func TestExtractBlocks(t *testing.T) {
	src := "{% snapshot a %}select {{ ref('x') }}{% endsnapshot %}\n{%- snapshot b -%}{{ source('s','t') }}{%- endsnapshot -%}"
	ex := ExtractSQL(src)
	if len(ex.Blocks) != 2 || ex.Blocks[0].Name != "a" || ex.Blocks[1].Name != "b" {
		t.Fatalf("blocks = %+v", ex.Blocks)
	}
	a := ExtractSQL(src[ex.Blocks[0].BodyStart:ex.Blocks[0].BodyEnd])
	if !reflect.DeepEqual(a.Refs, []RefCall{{Name: "x"}}) {
		t.Errorf("block a refs = %v", a.Refs)
	}
}

func TestQuickParseFollowsMacros(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":   "name: p\n",
		"models/a.sql":      "select 1",
		"models/b.sql":      "select 2",
		"models/c.sql":      "select 3",
		"models/report.sql": "select * from {{ enrich('x') }} {{ cross_db() }}",
		"macros/enrich.sql": "{% macro enrich(t) %}{{ helper() }} join {{ ref('a') }}{% endmacro %}\n{% macro helper() %}{{ ref('b') }}{% endmacro %}",
		"macros/cross.sql":  "{% macro cross_db() %}{{ return(adapter.dispatch('cross_db', 'p')()) }}{% endmacro %}\n{% macro default__cross_db() %}{{ ref('c') }}{% endmacro %}\n{% macro unused() %}{{ ref('nope') }}{% endmacro %}",
	})
	g, err := QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string{}, g.Node("model.p.report").DependsOn...)
	sort.Strings(got)
	if want := []string{"model.p.a", "model.p.b", "model.p.c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("deps through macros = %v, want %v", got, want)
	}
	if len(g.Origin.Warnings) != 0 {
		t.Errorf("warnings = %q", g.Origin.Warnings)
	}
}

// BenchmarkQuickParse parses a generated project of 2,000 models (each reading two earlier
// models or a source) with one properties file per 100 models.
func BenchmarkQuickParse(b *testing.B) {
	dir := b.TempDir()
	write := func(rel, content string) {
		full := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	write("dbt_project.yml", "name: big\nmodels:\n  big:\n    +materialized: view\n")
	write("models/sources.yml", "sources:\n  - name: raw\n    tables:\n      - name: events\n")
	const n = 2000
	for i := 0; i < n; i++ {
		var sql string
		if i < 10 {
			sql = "select * from {{ source('raw', 'events') }}"
		} else {
			sql = fmt.Sprintf("{{ config(materialized='table', tags=['t%d']) }}\nselect * from {{ ref('m%04d') }} join {{ ref(\"m%04d\") }} using (id)\n", i%7, i/2, i-1)
		}
		write(fmt.Sprintf("models/f%02d/m%04d.sql", i/100, i), sql)
	}
	for f := 0; f < n/100; f++ {
		var y strings.Builder
		y.WriteString("models:\n")
		for i := f * 100; i < (f+1)*100; i++ {
			fmt.Fprintf(&y, "  - name: m%04d\n    description: Model %d.\n    columns:\n      - name: id\n        data_tests: [unique, not_null]\n", i, i)
		}
		write(fmt.Sprintf("models/f%02d/schema.yml", f), y.String())
	}
	for b.Loop() {
		g, err := QuickParse(dir)
		if err != nil || g.Len() < 3*n {
			b.Fatalf("%v %d", err, g.Len())
		}
	}
}

func TestQuickParseSemanticLayer(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"dbt_project.yml":   "name: p\n",
		"models/orders.sql": "select 1",
		"models/orders.yml": `
semantic_models:
  - name: orders_sm
    model: ref('orders')
    measures:
      - name: order_total
        agg: sum
      - name: order_count
        agg: count
metrics:
  - name: order_total
    type: simple
    type_params:
      measure: order_total
  - name: orders
    type: simple
    type_params:
      measure:
        name: order_count
  - name: avg_order
    type: ratio
    type_params:
      numerator: order_total
      denominator: {name: orders}
  - name: total_growth
    type: derived
    type_params:
      expr: a - b
      metrics:
        - name: order_total
        - name: orders
          offset_window: 1 month
  - name: broken
    type: simple
    type_params:
      measure: nope
saved_queries:
  - name: order_metrics
    query_params:
      metrics: [orders, avg_order]
`,
	})
	g, err := QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"semantic_model.p.orders_sm":  {"model.p.orders"},
		"metric.p.order_total":        {"semantic_model.p.orders_sm"},
		"metric.p.orders":             {"semantic_model.p.orders_sm"},
		"metric.p.avg_order":          {"metric.p.order_total", "metric.p.orders"},
		"metric.p.total_growth":       {"metric.p.order_total", "metric.p.orders"},
		"saved_query.p.order_metrics": {"metric.p.avg_order", "metric.p.orders"},
	}
	for id, w := range want {
		n := g.Node(id)
		if n == nil {
			t.Errorf("missing %s", id)
			continue
		}
		got := append([]string{}, n.DependsOn...)
		sort.Strings(got)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s depends on %v, want %v", id, got, w)
		}
	}
	if len(g.Origin.Warnings) != 1 || !strings.Contains(g.Origin.Warnings[0], `measure "nope" is not defined`) {
		t.Errorf("warnings = %q", g.Origin.Warnings)
	}
}
