package dbt

import (
	"errors"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// fuzzManifest is a small manifest with one of each kind of node, the fuzzers' seed: small
// seeds keep them fast; the full test manifests are covered by the unit tests.
var fuzzManifest = []byte(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json", "project_name": "p"},
 "nodes": {"model.p.a": {"unique_id": "model.p.a", "name": "a", "resource_type": "model", "package_name": "p", "fqn": ["p", "a"],
  "config": {"materialized": "table", "meta": {"o": 1}, "docs": {"show": true}, "tags": ["x"]}, "columns": {"id": {"name": "id", "description": "d"}},
  "depends_on": {"nodes": ["source.p.s.t"]}, "raw_code": "select 1", "unrendered_config": {"schema": "s"}, "checksum": {"checksum": "c"}},
  "test.p.t": {"unique_id": "test.p.t", "name": "t", "resource_type": "test", "test_metadata": {"name": "unique", "kwargs": {"column_name": "id"}},
  "depends_on": {"nodes": ["model.p.a"]}}},
 "sources": {"source.p.s.t": {"unique_id": "source.p.s.t", "name": "t", "source_name": "s", "resource_type": "source"}},
 "exposures": {"exposure.p.e": {"unique_id": "exposure.p.e", "name": "e", "owner": {"name": "n"}, "type": "dashboard", "depends_on": {"nodes": ["model.p.a"]}}},
 "disabled": {"model.p.d": [{"unique_id": "model.p.d", "name": "d"}]}, "parent_map": null}`)

func FuzzLoadManifest(f *testing.F) {
	good := fuzzManifest
	f.Add(good)
	f.Add(good[:len(good)/2])
	for _, s := range []string{`{}`, `[]`, ``, `{"nodes": null}`, `{"nodes": {"a": {"unique_id": "a", "depends_on": {"nodes": ["a", "a"]}}}}`,
		`{"disabled": [{"unique_id": "x"}]}`, `{"disabled": {"x": [{"unique_id": "x"}]}}`, `{"nodes": {"a": {"name": "\ud800"}}}`,
		`{"nodes": {"a": {"unrendered_config": {"b": [1, {"c": null}], "a": "\u0041"}}}}`, `{"metadata": {"dbt_schema_version": "v99"}}`,
		`{"nodes": {"a": {"columns": {"c": {"name": 1}}}}}`, `{"a": tru}`, `{"a": "\`, `{"a": [}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := ParseManifest(data, "fuzz.json", time.Time{})
		if err != nil {
			var je *jsonscan.Error
			if errors.As(err, &je) && (je.Offset < 0 || je.Offset > int64(len(data))) {
				t.Fatalf("offset %d outside the input (%d bytes)", je.Offset, len(data))
			}
			return
		}
		for i := range g.Nodes {
			for _, p := range g.Parents(i) {
				if int(p) >= g.Len() {
					t.Fatal("edge out of range")
				}
			}
		}
		// The decoded index survives the cache format.
		buf := appendCache(nil, &cacheHeader{racy: true}, newCacheWriter(g.Len()).encode(g))
		r := &cacheReader{b: buf}
		if _, ok := r.header(); !ok || r.graph("fuzz.json", int64(len(data)), time.Time{}) == nil {
			t.Fatal("cache rejected")
		}
	})
}
