// Package dbtsynth writes SYNTHETIC dbt manifests of any size, for benchmarks of datatui's
// manifest index and selector engine. The projects they describe do not exist; the shape
// (sections, keys, SQL and docs volume per node) follows real dbt 1.8 manifests.
package dbtsynth

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Options size the manifest.
type Options struct {
	// Models is the number of models; each gets one generic test, so nodes ≈ 2×Models.
	Models int
	// SQLBytes is the approximate size of each model's raw and compiled SQL (default 4000).
	SQLBytes int
	// Columns per model (default 8).
	Columns int
}

// Write writes a manifest.json (schema v12) with opts.Models models in five layers: each model
// reads up to three models of earlier layers (layer 0 reads sources), so lineage is deep and
// wide like a real monorepo's.
func Write(w io.Writer, opts Options) error {
	if opts.SQLBytes <= 0 {
		opts.SQLBytes = 4000
	}
	if opts.Columns <= 0 {
		opts.Columns = 8
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	sql := strings.Repeat("select customer_id, sum(amount) as total_amount from {{ ref('upstream') }} where status != 'cancelled' group by 1\n", opts.SQLBytes/110+1)
	p(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "dbt_version": "1.8.3", "generated_at": "2026-01-01T00:00:00Z", "invocation_id": "00000000-0000-0000-0000-000000000000", "env": {}, "project_name": "bench", "adapter_type": "snowflake", "generated_by": "dbtsynth (synthetic)"},` + "\n")
	p(`"nodes": {`)
	const layers = 5
	perLayer := max(1, opts.Models/layers)
	for i := 0; i < opts.Models; i++ {
		layer := min(i/perLayer, layers-1)
		var deps []string
		if layer == 0 {
			deps = []string{fmt.Sprintf(`"source.bench.raw.t%d"`, i%50)}
		} else {
			lo := (layer - 1) * perLayer
			for k := 0; k < 3; k++ {
				j := lo + (i*7+k*13)%perLayer
				d := fmt.Sprintf(`"model.bench.m%d"`, j)
				if k == 0 || !strings.Contains(strings.Join(deps, ","), d) {
					deps = append(deps, d)
				}
			}
		}
		if i > 0 {
			p(",\n")
		}
		p(`"model.bench.m%d": {"database": "analytics", "schema": "layer%d", "name": "m%d", "resource_type": "model", "package_name": "bench", "path": "layer%d/m%d.sql", "original_file_path": "models/layer%d/m%d.sql", "unique_id": "model.bench.m%d", "fqn": ["bench", "layer%d", "m%d"], "alias": "m%d", "checksum": {"name": "sha256", "checksum": "%064x"}, `,
			i, layer, i, layer, i, layer, i, i, layer, i, i, i*2654435761)
		p(`"config": {"enabled": true, "alias": null, "schema": "layer%d", "database": null, "tags": ["layer%d"], "meta": {"owner": "team%d"}, "group": null, "materialized": "%s", "incremental_strategy": null, "persist_docs": {}, "post-hook": [], "pre-hook": [], "quoting": {}, "column_types": {}, "full_refresh": null, "unique_key": null, "on_schema_change": "ignore", "on_configuration_change": "apply", "grants": {}, "packages": [], "docs": {"show": true, "node_color": null}, "contract": {"enforced": false, "alias_types": true}, "access": "protected"}, `,
			layer, layer, i%20, [...]string{"view", "table", "incremental", "table", "ephemeral"}[i%5])
		p(`"tags": ["layer%d"], "description": "Model %d of layer %d: one row per customer and day, with the totals the finance team reports on.", "columns": {`, layer, i, layer)
		for c := 0; c < opts.Columns; c++ {
			if c > 0 {
				p(", ")
			}
			p(`"col_%d": {"name": "col_%d", "description": "Column %d of model %d, documented for the data catalog.", "meta": {}, "data_type": null, "constraints": [], "quote": null, "tags": []}`, c, c, c, i)
		}
		p(`}, "meta": {"owner": "team%d"}, "group": null, "docs": {"show": true, "node_color": null}, "patch_path": "bench://models/layer%d/_layer%d.yml", "build_path": null, "unrendered_config": {"materialized": "table", "schema": "layer%d"}, "created_at": 1700000000.0, "relation_name": "analytics.layer%d.m%d", `, i%20, layer, layer, layer, layer, i)
		p(`"raw_code": %q, "language": "sql", "refs": [], "sources": [], "metrics": [], "depends_on": {"macros": ["macro.dbt.run_query"], "nodes": [%s]}, "compiled_path": "target/compiled/bench/models/layer%d/m%d.sql", "compiled": true, "compiled_code": %q, "extra_ctes_injected": true, "extra_ctes": [], "contract": {"enforced": false, "alias_types": true, "checksum": null}, "access": "protected", "constraints": [], "version": null, "latest_version": null, "deprecation_date": null}`,
			sql, strings.Join(deps, ", "), layer, i, strings.ReplaceAll(sql, "{{ ref('upstream') }}", "analytics.upstream.table"))
		p(",\n")
		p(`"test.bench.not_null_m%d_col_0.%010x": {"database": "analytics", "schema": "dbt_test__audit", "name": "not_null_m%d_col_0", "resource_type": "test", "package_name": "bench", "path": "not_null_m%d_col_0.sql", "original_file_path": "models/layer%d/_layer%d.yml", "unique_id": "test.bench.not_null_m%d_col_0.%010x", "fqn": ["bench", "layer%d", "not_null_m%d_col_0"], "alias": "not_null_m%d_col_0", "checksum": {"name": "none", "checksum": ""}, "config": {"enabled": true, "alias": null, "schema": "dbt_test__audit", "database": null, "tags": [], "meta": {}, "group": null, "materialized": "test", "severity": "ERROR", "store_failures": null, "store_failures_as": null, "where": null, "limit": null, "fail_calc": "count(*)", "warn_if": "!= 0", "error_if": "!= 0"}, "tags": [], "description": "", "columns": {}, "meta": {}, "group": null, "docs": {"show": true, "node_color": null}, "patch_path": null, "build_path": null, "unrendered_config": {}, "created_at": 1700000000.0, "relation_name": null, "raw_code": "{{ test_not_null(**_dbt_generic_test_kwargs) }}", "language": "sql", "refs": [{"name": "m%d", "package": null, "version": null}], "sources": [], "metrics": [], "depends_on": {"macros": ["macro.dbt.test_not_null"], "nodes": ["model.bench.m%d"]}, "compiled_path": null, "contract": {"enforced": false, "alias_types": true, "checksum": null}, "column_name": "col_0", "file_key_name": "models.m%d", "attached_node": "model.bench.m%d", "test_metadata": {"name": "not_null", "kwargs": {"column_name": "col_0", "model": "{{ get_where_subquery(ref('m%d')) }}"}, "namespace": null}}`,
			i, i, i, i, layer, layer, i, i, layer, i, i, i, i, i, i, i)
	}
	p("},\n")
	p(`"sources": {`)
	for s := 0; s < 50; s++ {
		if s > 0 {
			p(",\n")
		}
		p(`"source.bench.raw.t%d": {"database": "raw", "schema": "raw", "name": "t%d", "resource_type": "source", "package_name": "bench", "path": "models/layer0/_sources.yml", "original_file_path": "models/layer0/_sources.yml", "unique_id": "source.bench.raw.t%d", "fqn": ["bench", "layer0", "raw", "t%d"], "source_name": "raw", "source_description": "", "loader": "", "identifier": "t%d", "quoting": {}, "loaded_at_field": null, "freshness": {"warn_after": {"count": null, "period": null}, "error_after": {"count": null, "period": null}, "filter": null}, "external": null, "description": "Raw table %d", "columns": {}, "meta": {}, "source_meta": {}, "tags": [], "config": {"enabled": true}, "patch_path": null, "unrendered_config": {}, "relation_name": "raw.raw.t%d", "created_at": 1700000000.0}`, s, s, s, s, s, s, s)
	}
	p("},\n")
	p(`"macros": {"macro.dbt.run_query": {"name": "run_query", "resource_type": "macro", "package_name": "dbt", "macro_sql": "{%% macro run_query(sql) %%}{%% endmacro %%}"}}, "docs": {}, "exposures": {}, "metrics": {}, "groups": {}, "selectors": {}, "disabled": {}, "parent_map": null, "child_map": null, "group_map": {}, "saved_queries": {}, "semantic_models": {}, "unit_tests": {}}` + "\n")
	return bw.Flush()
}
