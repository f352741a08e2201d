package quickparse

import (
	"fmt"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/goccy/go-yaml"
)

// The semantic layer's YAML (dbt 1.6+): semantic models read a model, metrics read the semantic
// models that define their measures or other metrics, saved queries read metrics. Their edges
// are resolved after every file is read, by measure and metric name within the package.

func (q *quickParser) parseSemanticModel(p *project, rel string, dirs []string, e yaml.MapSlice) {
	name := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if name == "" {
		q.warn(p.prefix+rel, "a semantic model without a name: is ignored")
		return
	}
	ex := ExtractSQL("{{ " + dbtyaml.Str(dbtyaml.Get(e, "model")) + " }}")
	q.fileWarnings(p.prefix+rel, ex)
	n := dbt.Node{
		UniqueID: "semantic_model." + p.name + "." + name, Name: name, ResourceType: "semantic_model", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, name), Description: dbtyaml.Str(dbtyaml.Get(e, "description")),
		Label: dbtyaml.Str(dbtyaml.Get(e, "label")),
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	i := q.add(n, pending{file: p.prefix + rel, refs: ex.Refs, sources: ex.Sources, ymlCfg: configOf(e), pkg: p, resource: "semantic_models", attachTo: -1})
	for _, m := range dbtyaml.List(dbtyaml.Get(e, "measures")) {
		if mn := dbtyaml.Str(dbtyaml.Get(dbtyaml.Map(m), "name")); mn != "" {
			if q.measures == nil {
				q.measures = map[string]int{}
			}
			q.measures[p.name+"."+mn] = i
		}
	}
}

// nameOf reads a metric or measure reference written as a name or as {name: …}.
func nameOf(v any) string {
	if s := dbtyaml.Str(v); s != "" {
		return s
	}
	return dbtyaml.Str(dbtyaml.Get(dbtyaml.Map(v), "name"))
}

func (q *quickParser) parseMetric(p *project, rel string, dirs []string, e yaml.MapSlice) {
	name := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if name == "" {
		q.warn(p.prefix+rel, "a metric without a name: is ignored")
		return
	}
	tp := dbtyaml.Map(dbtyaml.Get(e, "type_params"))
	var measures, metrics []string
	add := func(l *[]string, v any) {
		if s := nameOf(v); s != "" {
			*l = append(*l, s)
		}
	}
	add(&measures, dbtyaml.Get(tp, "measure"))
	add(&metrics, dbtyaml.Get(tp, "numerator"))
	add(&metrics, dbtyaml.Get(tp, "denominator"))
	add(&metrics, dbtyaml.Get(tp, "metric"))
	for _, m := range dbtyaml.List(dbtyaml.Get(tp, "metrics")) {
		add(&metrics, m)
	}
	ctp := dbtyaml.Map(dbtyaml.Get(tp, "conversion_type_params"))
	add(&measures, dbtyaml.Get(ctp, "base_measure"))
	add(&measures, dbtyaml.Get(ctp, "conversion_measure"))
	n := dbt.Node{
		UniqueID: "metric." + p.name + "." + name, Name: name, ResourceType: "metric", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, name), Description: dbtyaml.Str(dbtyaml.Get(e, "description")),
		Label: dbtyaml.Str(dbtyaml.Get(e, "label")),
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	i := q.add(n, pending{file: p.prefix + rel, ymlCfg: configOf(e), pkg: p, resource: "metrics", attachTo: -1, measures: measures, metrics: metrics})
	if q.metrics == nil {
		q.metrics = map[string]int{}
	}
	q.metrics[p.name+"."+name] = i
}

func (q *quickParser) parseSavedQuery(p *project, rel string, dirs []string, e yaml.MapSlice) {
	name := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if name == "" {
		q.warn(p.prefix+rel, "a saved query without a name: is ignored")
		return
	}
	var metrics []string
	for _, m := range dbtyaml.List(dbtyaml.Get(dbtyaml.Map(dbtyaml.Get(e, "query_params")), "metrics")) {
		if s := nameOf(m); s != "" {
			metrics = append(metrics, s)
		}
	}
	n := dbt.Node{
		UniqueID: "saved_query." + p.name + "." + name, Name: name, ResourceType: "saved_query", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, name), Description: dbtyaml.Str(dbtyaml.Get(e, "description")),
		Label: dbtyaml.Str(dbtyaml.Get(e, "label")),
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	q.add(n, pending{file: p.prefix + rel, ymlCfg: configOf(e), pkg: p, resource: "saved_queries", attachTo: -1, metrics: metrics})
}

// configOf reads an entry's config: mapping (plus tags/meta at the top, as older YAML has them).
func configOf(e yaml.MapSlice) map[string]any {
	cfg := map[string]any{}
	for _, it := range dbtyaml.Map(dbtyaml.Get(e, "config")) {
		mergeConfig(cfg, fmt.Sprint(it.Key), it.Value)
	}
	for _, k := range []string{"tags", "meta"} {
		if v := dbtyaml.Get(e, k); v != nil {
			mergeConfig(cfg, k, v)
		}
	}
	return cfg
}

// resolveSemantic turns measure and metric names into dependencies.
func (q *quickParser) resolveSemantic(p *pending) (deps []string) {
	for _, m := range p.measures {
		if i, ok := q.measures[p.pkg.name+"."+m]; ok {
			deps = appendUnique(deps, q.nodes[i].UniqueID)
		} else {
			q.warn(p.file, fmt.Sprintf("measure %q is not defined by any semantic model", m))
		}
	}
	for _, m := range p.metrics {
		if i, ok := q.metrics[p.pkg.name+"."+m]; ok {
			deps = appendUnique(deps, q.nodes[i].UniqueID)
		} else {
			q.warn(p.file, fmt.Sprintf("metric %q is not defined", m))
		}
	}
	return deps
}
