package impact

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/safeyaml"
)

// This file compares two versions of a properties YAML file definition by definition, so that
// editing one model's description marks that model, not every node the file describes.

// propertyFingerprints returns a fingerprint of every definition in a properties file, keyed
// by what it defines: "model:orders", "source:raw.users", "test:not_null_orders_id",
// "exposure:weekly"… A definition's fingerprint covers its own properties only: the generic
// tests written under a model are definitions of their own.
func propertyFingerprints(data []byte) (map[string]string, error) {
	var raw any
	if err := safeyaml.Unmarshal(data, &raw, yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("invalid YAML: %s", dbtyaml.FirstLine(err.Error()))
	}
	doc := dbtyaml.Map(raw)
	fp := fingerprints{}
	fp.nodes(doc)
	for _, kind := range []string{"data_tests", "tests"} {
		for _, e := range dbtyaml.List(dbtyaml.Get(doc, kind)) {
			if name := dbtyaml.Str(dbtyaml.Get(dbtyaml.Map(e), "name")); name != "" {
				fp.put("test:"+name, e)
			}
		}
	}
	fp.sources(doc)
	for _, kind := range [...][2]string{{"exposures", "exposure"}, {"metrics", "metric"}, {"semantic_models", "semantic_model"},
		{"saved_queries", "saved_query"}, {"unit_tests", "unit_test"}} {
		for _, e := range dbtyaml.List(dbtyaml.Get(doc, kind[0])) {
			if name := dbtyaml.Str(dbtyaml.Get(dbtyaml.Map(e), "name")); name != "" {
				fp.put(kind[1]+":"+name, e)
			}
		}
	}
	return fp, nil
}

// fingerprints are the definitions of a properties file by key.
type fingerprints map[string]string

func (fp fingerprints) put(key string, v any) { fp[key] = fingerprint(v) }

// tests adds the generic tests written under entry (on its columns and on itself) for the
// node target, or for the source table src.
func (fp fingerprints) tests(entry yaml.MapSlice, target string, src *quickparse.SourceCall) {
	add := func(list []any, column string) {
		for _, t := range list {
			if name, ok := quickparse.TestName(t, column, target, src); ok {
				fp.put("test:"+name, []any{column, target, t})
			}
		}
	}
	for _, c := range dbtyaml.List(dbtyaml.Get(entry, "columns")) {
		cm := dbtyaml.Map(c)
		add(append(dbtyaml.List(dbtyaml.Get(cm, "data_tests")), dbtyaml.List(dbtyaml.Get(cm, "tests"))...), dbtyaml.Str(dbtyaml.Get(cm, "name")))
	}
	add(append(dbtyaml.List(dbtyaml.Get(entry, "data_tests")), dbtyaml.List(dbtyaml.Get(entry, "tests"))...), "")
}

// nodes adds the models, seeds, snapshots and analyses, and their tests (per version for a
// versioned model).
func (fp fingerprints) nodes(doc yaml.MapSlice) {
	for _, kind := range [...][2]string{{"models", "model"}, {"seeds", "seed"}, {"snapshots", "snapshot"}, {"analyses", "analysis"}} {
		for _, e := range dbtyaml.List(dbtyaml.Get(doc, kind[0])) {
			em := dbtyaml.Map(e)
			name := dbtyaml.Str(dbtyaml.Get(em, "name"))
			if name == "" {
				continue
			}
			fp.put(kind[1]+":"+name, withoutTests(em))
			vers := dbtyaml.List(dbtyaml.Get(em, "versions"))
			if len(vers) == 0 {
				fp.tests(em, name, nil)
				continue
			}
			for _, v := range vers {
				vm := dbtyaml.Map(v)
				fp.tests(versionEntry(em, vm), name+"_v"+dbtyaml.Str(dbtyaml.Get(vm, "v")), nil)
			}
		}
	}
}

// versionEntry is the model entry em as version vm sees it: the model's columns and tests
// unless the version lists its own.
func versionEntry(em, vm yaml.MapSlice) yaml.MapSlice {
	ownTests := func(k string) bool { return k == "columns" || k == "tests" || k == "data_tests" }
	entry := yaml.MapSlice{}
	for _, it := range em {
		if k := fmt.Sprint(it.Key); k != "versions" && !(dbtyaml.Has(vm, k) && ownTests(k)) {
			entry = append(entry, it)
		}
	}
	for _, it := range vm {
		if ownTests(fmt.Sprint(it.Key)) {
			entry = append(entry, it)
		}
	}
	return entry
}

// sources adds each source table (with its source's shared properties) and its tests.
func (fp fingerprints) sources(doc yaml.MapSlice) {
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "sources")) {
		sm := dbtyaml.Map(e)
		srcName := dbtyaml.Str(dbtyaml.Get(sm, "name"))
		shared := yaml.MapSlice{}
		for _, it := range sm {
			if fmt.Sprint(it.Key) != "tables" {
				shared = append(shared, it)
			}
		}
		for _, t := range dbtyaml.List(dbtyaml.Get(sm, "tables")) {
			tm := dbtyaml.Map(t)
			table := dbtyaml.Str(dbtyaml.Get(tm, "name"))
			if table == "" {
				continue
			}
			fp.put("source:"+srcName+"."+table, []any{shared, withoutTests(tm)})
			fp.tests(tm, "", &quickparse.SourceCall{Source: srcName, Table: table})
		}
	}
}

// propertyKey is the key of a node's definition in propertyFingerprints.
func propertyKey(n *dbt.Node) string {
	switch n.ResourceType {
	case "source":
		return "source:" + n.SourceName + "." + n.Name
	case "test":
		return "test:" + n.Name
	}
	return n.ResourceType + ":" + n.Name
}

// withoutTests is an entry without the tests written under it (at its level and its columns').
func withoutTests(e yaml.MapSlice) yaml.MapSlice {
	out := make(yaml.MapSlice, 0, len(e))
	for _, it := range e {
		switch fmt.Sprint(it.Key) {
		case "tests", "data_tests":
			continue
		case "columns":
			var cols []any
			for _, c := range dbtyaml.List(it.Value) {
				cm := dbtyaml.Map(c)
				if cm == nil {
					cols = append(cols, c)
					continue
				}
				col := yaml.MapSlice{}
				for _, ci := range cm {
					if k := fmt.Sprint(ci.Key); k != "tests" && k != "data_tests" {
						col = append(col, ci)
					}
				}
				cols = append(cols, col)
			}
			out = append(out, yaml.MapItem{Key: it.Key, Value: cols})
			continue
		}
		out = append(out, it)
	}
	return out
}

// fingerprint hashes a YAML value; mapping key order does not matter (dbt reads mappings as
// dicts), sequence order does.
func fingerprint(v any) string {
	b, _ := json.Marshal(canonical(v))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:12])
}

func canonical(v any) any {
	switch v := v.(type) {
	case yaml.MapSlice:
		m := make(map[string]any, len(v))
		for _, it := range v {
			m[fmt.Sprint(it.Key)] = canonical(it.Value)
		}
		return m
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = canonical(x)
		}
		return out
	}
	return v
}
