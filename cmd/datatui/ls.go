package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/workspace"
)

// lsDefaultKeys are the JSON keys dbt ls prints when --output-keys is not given.
var lsDefaultKeys = []string{"alias", "config", "depends_on", "name", "original_file_path", "package_name", "resource_type", "source_name", "tags", "unique_id"}

// lsAllKeys are every key --output-keys accepts.
var lsAllKeys = []string{"access", "alias", "columns", "config", "database", "depends_on", "description", "fqn", "group", "latest_version", "meta", "name", "original_file_path", "package_name", "patch_path", "path", "relation_name", "resource_type", "schema", "source_name", "tags", "unique_id", "version"}

type lsFlags struct {
	selects, models, model, exclude []string
	resourceTypes, exclTypes        []string
	state, indirect                 string
	output, outputKeys              string
	manifest                        string
	asJSON                          bool
}

func newLsCmd(a *app) *cobra.Command {
	var fl lsFlags
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the dbt nodes a selector picks, like dbt ls (no dbt needed)",
		Long: `List the resources of the dbt project that a selection picks, with dbt's exact selection
rules, in milliseconds and without dbt or Python.

The graph comes from the project's target/manifest.json (or --manifest FILE); its decoded index
is cached under datatui's state folder and reused while the manifest is unchanged. Without a
manifest the project files are quick-parsed (generic tests then have no hash suffix in their
unique ids).

Selection (same syntax as dbt): --select/-s (aliases --models/-m), --exclude, each repeatable
and space-separated (union) with commas for intersection; methods fqn (default), path, file,
tag, package, source, exposure, metric, semantic_model, saved_query, unit_test,
resource_type, config.<key>, test_type, test_name, group, access, version, state, result;
graph operators +, N+, +N, @. state: and result: compare with --state DIR (a folder with a
manifest.json and, for result:, a run_results.json). Tests attached to selected nodes are
added as --indirect-selection says (eager by default, or cautious, buildable, empty).

Output, sorted by unique id: --output selector (default), name, path or json (one JSON object
per line; --json is the same). JSON keys default to alias, config, depends_on, name,
original_file_path, package_name, resource_type, source_name, tags, unique_id; pick others with
--output-keys a,b from: ` + strings.Join(lsAllKeys, ", ") + `.
config holds materialized, schema, database, alias, enabled, severity, group, access, tags and
every other config key flattened with dots (docs.show); depends_on is {"nodes": [...]}.

When nothing matches, "No nodes selected!" goes to stderr and the exit status is 0.
Exit status 2: an invalid selector, an unknown method or another usage error.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runLs(&fl) },
	}
	f := cmd.Flags()
	f.StringArrayVarP(&fl.selects, "select", "s", nil, "nodes to select (dbt selector syntax; repeatable)")
	f.StringArrayVarP(&fl.models, "models", "m", nil, "same as --select")
	f.StringArrayVar(&fl.model, "model", nil, "same as --select")
	_ = f.MarkHidden("model")
	f.StringArrayVar(&fl.exclude, "exclude", nil, "nodes to leave out (selector syntax; repeatable)")
	f.StringArrayVar(&fl.resourceTypes, "resource-type", nil, "only these resource types (repeatable; all, default, model, test, source…)")
	f.StringArrayVar(&fl.exclTypes, "exclude-resource-type", nil, "leave out these resource types (repeatable)")
	f.StringVar(&fl.state, "state", os.Getenv("DBT_STATE"), "folder with the manifest.json (and run_results.json) to compare with, for state: and result:")
	def := os.Getenv("DBT_INDIRECT_SELECTION")
	if def == "" {
		def = dbt.IndirectEager
	}
	f.StringVar(&fl.indirect, "indirect-selection", def, "tests of selected nodes: eager, cautious, buildable or empty")
	f.StringVar(&fl.output, "output", "selector", "output format: selector, name, path or json")
	f.StringVar(&fl.outputKeys, "output-keys", "", "comma-separated keys for --output json")
	f.StringVar(&fl.manifest, "manifest", "", "read this manifest.json instead of the project's")
	f.BoolVar(&fl.asJSON, "json", false, "same as --output json")
	return cmd
}

func (a *app) runLs(fl *lsFlags) error {
	if fl.asJSON {
		fl.output = "json"
	}
	switch fl.output {
	case "selector", "name", "path", "json":
	default:
		return withCode(2, fmt.Errorf("--output %q: use selector, name, path or json", fl.output))
	}
	keys := lsDefaultKeys
	if fl.outputKeys != "" {
		keys = nil
		for _, k := range strings.Split(fl.outputKeys, ",") {
			k = strings.TrimSpace(k)
			if k == "" {
				continue
			}
			if sort.SearchStrings(lsAllKeys, k) == len(lsAllKeys) || lsAllKeys[sort.SearchStrings(lsAllKeys, k)] != k {
				return withCode(2, fmt.Errorf("--output-keys: unknown key %q; available: %s", k, strings.Join(lsAllKeys, ", ")))
			}
			keys = append(keys, k)
		}
	}
	selects := append(append(append([]string{}, fl.selects...), fl.models...), fl.model...)
	sel, err := dbt.ParseSelection(selects, fl.exclude)
	if err != nil {
		return withCode(2, err)
	}
	g, cacheDir, projectDir, err := a.lsGraph(fl.manifest)
	if err != nil {
		return err
	}
	opts := dbt.SelectOptions{ResourceTypes: fl.resourceTypes, ExcludeResourceTypes: fl.exclTypes, Indirect: fl.indirect, ProjectDir: projectDir}
	if fl.state != "" {
		st, err := os.Stat(fl.state)
		if err != nil || !st.IsDir() {
			return withCode(2, fmt.Errorf("--state %s: not a folder; give the folder holding the comparison manifest.json", fl.state))
		}
		if p := filepath.Join(fl.state, "manifest.json"); fileExists(p) {
			if opts.State, err = dbt.LoadManifest(p, dbt.LoadOptions{CacheDir: cacheDir}); err != nil {
				return fmt.Errorf("--state: %w", err)
			}
		}
		if p := filepath.Join(fl.state, "run_results.json"); fileExists(p) {
			if opts.Results, err = dbt.LoadRunResults(p); err != nil {
				return fmt.Errorf("--state: %w", err)
			}
		}
	}
	res, err := dbt.SelectNodes(g, sel, opts)
	if err != nil {
		return withCode(2, err)
	}
	for _, u := range res.Unmatched {
		fmt.Fprintf(a.stderr, "datatui: warning: the selection criterion '%s' does not match any enabled nodes\n", u)
	}
	if len(res.Indexes) == 0 {
		fmt.Fprintln(a.stderr, "No nodes selected!")
		return nil
	}
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	for _, i := range res.Indexes {
		n := &g.Nodes[i]
		switch fl.output {
		case "selector":
			io.WriteString(w, lsSelector(n))
		case "name":
			io.WriteString(w, lsName(n))
		case "path":
			io.WriteString(w, n.OriginalPath)
		case "json":
			b, err := json.Marshal(lsJSON(n, keys))
			if err != nil {
				return err
			}
			w.Write(b)
		}
		w.WriteByte('\n')
	}
	return w.Flush()
}

// lsGraph loads the graph ls lists: --manifest, else the project's manifest, else a quick
// parse of the project. It also returns the index cache folder and the project folder ("" when
// a manifest is read outside a project).
func (a *app) lsGraph(manifest string) (*dbt.Graph, string, string, error) {
	if manifest != "" {
		cache := filepath.Join(workspace.StateHome(), "cache")
		project := ""
		if a.project != "" || a.demo {
			if ws, _ := a.workspace(); ws != nil && ws.StateDir != "" {
				cache = filepath.Join(ws.StateDir, "cache")
				project = ws.ProjectDir
			}
		}
		g, err := dbt.LoadManifest(manifest, dbt.LoadOptions{CacheDir: cache})
		return g, cache, project, err
	}
	ws, err := a.workspace()
	if ws == nil {
		return nil, "", "", err
	}
	cache := ""
	if ws.StateDir != "" {
		cache = filepath.Join(ws.StateDir, "cache")
	}
	path := dbt.ManifestPath(ws.ProjectDir)
	if fileExists(path) {
		g, err := dbt.LoadManifest(path, dbt.LoadOptions{CacheDir: cache})
		return g, cache, ws.ProjectDir, err
	}
	g, qerr := dbt.QuickParse(ws.ProjectDir)
	if qerr != nil {
		return nil, "", "", errors.Join(fmt.Errorf("no target/manifest.json in %s: run dbt parse, or pass --manifest FILE", ws.ProjectDir), qerr)
	}
	fmt.Fprintln(a.stderr, "datatui: no target/manifest.json; listing from a quick parse of the project files (run dbt parse for dbt's own view)")
	return g, cache, ws.ProjectDir, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// lsName is dbt's search_name: source_name.table for sources, name.vN for model versions.
func lsName(n *dbt.Node) string {
	switch {
	case n.ResourceType == "source":
		return n.SourceName + "." + n.Name
	case n.ResourceType == "model" && n.Version != "":
		return n.Name + ".v" + n.Version
	}
	return n.Name
}

// lsSelector is what dbt ls prints by default: a selector that picks exactly this node.
func lsSelector(n *dbt.Node) string {
	switch n.ResourceType {
	case "source":
		return "source:" + n.Package + "." + n.SourceName + "." + n.Name
	case "exposure", "metric", "semantic_model", "saved_query":
		return n.ResourceType + ":" + n.Package + "." + n.Name
	case "unit_test":
		model := strings.TrimSuffix(strings.TrimPrefix(n.UniqueID, "unit_test."+n.Package+"."), "."+n.Name)
		return "unit_test:" + n.Package + "." + model + "." + n.Name
	}
	return strings.Join(n.FQN, ".")
}

func lsJSON(n *dbt.Node, keys []string) map[string]any {
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		switch k {
		case "access":
			out[k] = nullable(n.Config.Access)
		case "alias":
			out[k] = nullable(n.Alias)
		case "columns":
			cols := n.Columns
			if cols == nil {
				cols = []dbt.Column{}
			}
			out[k] = cols
		case "config":
			out[k] = lsConfig(&n.Config)
		case "database":
			out[k] = nullable(n.Database)
		case "depends_on":
			deps := n.DependsOn
			if deps == nil {
				deps = []string{}
			}
			out[k] = map[string]any{"nodes": deps}
		case "description":
			out[k] = n.Description
		case "fqn":
			out[k] = nonNil(n.FQN)
		case "group":
			out[k] = nullable(n.Config.Group)
		case "latest_version":
			out[k] = nullable(n.LatestVersion)
		case "meta":
			m := n.Meta
			if m == nil {
				m = map[string]string{}
			}
			out[k] = m
		case "name":
			out[k] = n.Name
		case "original_file_path":
			out[k] = n.OriginalPath
		case "package_name":
			out[k] = n.Package
		case "patch_path":
			out[k] = nullable(n.PatchPath)
		case "path":
			out[k] = n.Path
		case "relation_name":
			out[k] = nullable(n.RelationName)
		case "resource_type":
			out[k] = n.ResourceType
		case "schema":
			out[k] = nullable(n.Schema)
		case "source_name":
			if n.ResourceType == "source" {
				out[k] = n.SourceName
			}
		case "tags":
			out[k] = nonNil(n.Tags)
		case "unique_id":
			out[k] = n.UniqueID
		case "version":
			out[k] = nullable(n.Version)
		}
	}
	return out
}

func lsConfig(c *dbt.NodeConfig) map[string]any {
	m := make(map[string]any, 10+len(c.Extra))
	for k, v := range c.Extra {
		m[k] = v
	}
	m["enabled"] = c.Enabled
	m["tags"] = nonNil(c.Tags)
	for k, v := range map[string]string{"materialized": c.Materialized, "schema": c.Schema, "database": c.Database, "alias": c.Alias, "severity": c.Severity, "group": c.Group, "access": c.Access} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
