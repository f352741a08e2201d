package quickparse

import (
	"fmt"
	"sort"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/goccy/go-yaml"
)

// This file combines configs for the quick parse the way dbt does: dbt_project.yml folder
// configs, then properties YAML, then config() in the file.

// finishConfigs merges project folder configs, properties configs and in-file config() into
// each node's NodeConfig (in dbt's order of precedence) and marks disabled nodes.
func (q *quickParser) finishConfigs() {
	for i := range q.nodes {
		n := &q.nodes[i]
		p := &q.pend[i]
		cfg := map[string]any{}
		unrendered := map[string]bool{}
		for _, k := range p.unrendered {
			unrendered[k] = true
		}
		// The root project's dbt_project.yml wins over a package's own. Values written in
		// Jinja are rendered like dbt renders dbt_project.yml (var() sees --vars only).
		proj := map[string]any{}
		if p.pkg != nil && p.pkg != q.root && p.pkg.config != nil {
			projectFolderConfig(proj, p.pkg.config, p.resource, n.FQN)
		}
		projectFolderConfig(proj, q.root.config, p.resource, n.FQN)
		for k, v := range proj {
			if r, ok := q.renderValue(p.pkg, v, true); ok {
				cfg[k] = r
			} else {
				unrendered[k] = true
			}
		}
		for _, layer := range []map[string]any{p.ymlCfg, p.fileCfg} {
			keys := make([]string, 0, len(layer))
			for k := range layer {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				v, ok := q.renderValue(p.pkg, layer[k], false)
				if !ok {
					unrendered[k] = true
					continue
				}
				delete(unrendered, k)
				mergeConfig(cfg, k, v)
			}
		}
		for k := range unrendered {
			delete(cfg, k)
			n.Unrendered = append(n.Unrendered, k)
		}
		sort.Strings(n.Unrendered)
		if unrendered["enabled"] {
			q.warn(p.file, n.UniqueID+": enabled is computed from what only dbt knows (the target, the warehouse); the quick lineage keeps the node")
		}
		n.Config = toNodeConfig(cfg, defaultMaterialization(n.ResourceType))
		if n.ResourceType == "test" && n.Config.Severity == "" {
			n.Config.Severity = "ERROR"
		}
		n.Tags = n.Config.Tags
		if meta := flattenMeta(cfg["meta"]); meta != nil {
			n.Meta = meta
			if n.Owner == "" {
				n.Owner = meta["owner"]
			}
		}
		if n.Config.Alias != "" {
			n.Alias = n.Config.Alias
		}
		n.ContractEnf = ybool(dbtyaml.Get(asMapSlice(cfg["contract"]), "enforced"), false)
		p.disabled = !n.Config.Enabled
		n.Disabled = p.disabled
	}
}

func defaultMaterialization(res string) string {
	switch res {
	case "model", "analysis":
		return "view"
	case "seed", "snapshot", "test":
		return res
	case "unit_test":
		return "unit"
	}
	return ""
}

func asMapSlice(v any) yaml.MapSlice {
	switch v := v.(type) {
	case yaml.MapSlice:
		return v
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make(yaml.MapSlice, 0, len(v))
		for _, k := range keys {
			out = append(out, yaml.MapItem{Key: k, Value: v[k]})
		}
		return out
	}
	return nil
}

// isDictConfig lists config keys whose values are mappings, so that a mapping under such a key
// in dbt_project.yml is read as a config and not as a sub-folder.
func isDictConfig(k string) bool {
	switch k {
	case "meta", "docs", "persist_docs", "contract", "grants", "quoting", "column_types", "freshness", "labels", "snowflake_warehouse_config":
		return true
	}
	return false
}

// projectFolderConfig applies the configs of dbt_project.yml's resource section (models:,
// seeds:, …) along the node's fqn: the project key, then each folder, then the node's own name.
func projectFolderConfig(cfg map[string]any, projectYAML yaml.MapSlice, resource string, fqn []string) {
	sections := []string{resource}
	if resource == "data_tests" {
		sections = []string{"tests", "data_tests"}
	}
	for _, sec := range sections {
		cur := dbtyaml.Map(dbtyaml.Get(projectYAML, sec))
		applyLevel(cfg, cur)
		for _, part := range fqn {
			sub := dbtyaml.Map(dbtyaml.Get(cur, part))
			if sub == nil {
				sub = dbtyaml.Map(dbtyaml.Get(cur, "+"+part))
				if sub == nil || isDictConfig(part) {
					break
				}
			}
			applyLevel(cfg, sub)
			cur = sub
		}
	}
}

// applyLevel merges the config keys of one level of a dbt_project.yml resource section.
func applyLevel(cfg map[string]any, level yaml.MapSlice) {
	for _, it := range level {
		k := fmt.Sprint(it.Key)
		if strings.HasPrefix(k, "+") {
			mergeConfig(cfg, k[1:], it.Value)
			continue
		}
		if _, isMap := it.Value.(yaml.MapSlice); isMap && !isDictConfig(k) {
			continue // a folder
		}
		mergeConfig(cfg, k, it.Value)
	}
}

// mergeConfig sets one config key the way dbt combines config layers: tags accumulate, meta
// mappings merge, everything else is replaced.
func mergeConfig(cfg map[string]any, k string, v any) {
	k = strings.TrimPrefix(k, "+")
	switch k {
	case "tags":
		prev, _ := cfg[k].([]string)
		for _, t := range dbtyaml.Strings(v) {
			if !containsStr(prev, t) {
				prev = append(prev, t)
			}
		}
		cfg[k] = prev
	case "meta":
		prev := asMapSlice(cfg[k])
		out := append(yaml.MapSlice(nil), prev...)
		for _, it := range asMapSlice(v) {
			replaced := false
			for j := range out {
				if fmt.Sprint(out[j].Key) == fmt.Sprint(it.Key) {
					out[j].Value, replaced = it.Value, true
				}
			}
			if !replaced {
				out = append(out, it)
			}
		}
		cfg[k] = out
	default:
		cfg[k] = v
	}
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// toNodeConfig turns a merged config mapping into NodeConfig; keys without a field are kept
// in Extra as text, so config.<key> selectors can match them.
func toNodeConfig(cfg map[string]any, defMat string) dbt.NodeConfig {
	nc := dbt.NodeConfig{Materialized: defMat, Enabled: true}
	for k, v := range cfg {
		switch k {
		case "materialized":
			if s := dbtyaml.Str(v); s != "" {
				nc.Materialized = s
			}
		case "schema":
			nc.Schema = dbtyaml.Str(v)
		case "database":
			nc.Database = dbtyaml.Str(v)
		case "alias":
			nc.Alias = dbtyaml.Str(v)
		case "enabled":
			nc.Enabled = ybool(v, true)
		case "severity":
			nc.Severity = dbtyaml.Str(v)
		case "group":
			nc.Group = dbtyaml.Str(v)
		case "access":
			nc.Access = dbtyaml.Str(v)
		case "tags":
			nc.Tags, _ = v.([]string)
		case "meta":
		default:
			s := dbtyaml.Str(v)
			if s == "" && v != nil {
				s = pyStr(v)
			}
			if nc.Extra == nil {
				nc.Extra = map[string]string{}
			}
			nc.Extra[k] = s
		}
	}
	return nc
}
