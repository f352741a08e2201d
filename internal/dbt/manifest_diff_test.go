package dbt

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestManifestScannerMatchesEncodingJSON decodes every manifest of the shared fixtures and of
// testdata twice: with the hand-written scanner (LoadManifest) and with encoding/json plus
// the rules written out plainly below. Both must give the same nodes, the same fields and the
// same adjacency.
func TestManifestScannerMatchesEncodingJSON(t *testing.T) {
	var files []string
	for _, root := range []string{fixtures.Path(t, "."), "testdata"} {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), "manifest") && strings.HasSuffix(d.Name(), ".json") {
				files = append(files, p)
			}
			return nil
		})
	}
	if len(files) < 30 {
		t.Fatalf("only %d manifests found", len(files))
	}
	for _, path := range files {
		rel, _ := filepath.Rel(filepath.Dir(filepath.Dir(path)), path)
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Skipf("not a JSON object: %v", err) // the scanner's error paths have their own tests
			}
			want := referenceNodes(t, raw)
			g, err := LoadManifest(path, LoadOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(g.Nodes) != len(want) {
				t.Errorf("%d nodes, encoding/json finds %d", len(g.Nodes), len(want))
			}
			for i := range g.Nodes {
				n := &g.Nodes[i]
				w, ok := want[n.UniqueID]
				if !ok {
					t.Errorf("%s is not in the manifest", n.UniqueID)
					continue
				}
				compareNode(t, n, w)
				// Adjacency: depends_on restricted to members of the graph, in order, once each.
				var parents []string
				if !w.Disabled {
					for _, d := range w.DependsOn {
						if p, ok := want[d]; ok && !p.Disabled && d != n.UniqueID && !slices.Contains(parents, d) {
							parents = append(parents, d)
						}
					}
				}
				var got []string
				for _, p := range g.Parents(i) {
					got = append(got, g.Nodes[p].UniqueID)
				}
				if !slices.Equal(got, parents) {
					t.Errorf("%s: parents %v, want %v", n.UniqueID, got, parents)
				}
			}
			// Children are the inverse of parents.
			for i := range g.Nodes {
				for _, c := range g.Children(i) {
					if !slices.Contains(g.Parents(int(c)), int32(i)) {
						t.Errorf("%s → %s is a child edge without the parent edge", g.Nodes[i].UniqueID, g.Nodes[c].UniqueID)
					}
				}
			}
		})
	}
}

// refNode is the part of a node the scanner keeps, decoded by encoding/json.
type refNode struct {
	UniqueID, Name, ResourceType, Package, Path, OriginalPath, PatchPath, Description string
	Database, Schema, Alias, SourceName, Version, Checksum                            string
	FQN, Tags, DependsOn, MacroDeps                                                   []string
	Disabled, Enabled                                                                 bool
	Materialized, CfgSchema, CfgDatabase, CfgAlias, Severity, Group, Access           string
	CfgTags                                                                           []string
	Extra                                                                             map[string]any
	Meta                                                                              map[string]any
	Columns                                                                           []string
	TestName, TestNamespace                                                           string
}

func referenceNodes(t *testing.T, raw map[string]json.RawMessage) map[string]refNode {
	out := map[string]refNode{}
	add := func(m map[string]any, disabled bool) {
		n := refFromMap(m, disabled)
		if n.UniqueID == "" {
			return
		}
		if prev, ok := out[n.UniqueID]; ok && !(prev.Disabled && !disabled) {
			return // the enabled definition, else the first disabled one
		}
		out[n.UniqueID] = n
	}
	for _, sec := range manifestSections {
		var m map[string]map[string]any
		if raw[sec] == nil || string(raw[sec]) == "null" {
			continue
		}
		if err := json.Unmarshal(raw[sec], &m); err != nil {
			t.Fatalf("%s: %v", sec, err)
		}
		for _, n := range m {
			add(n, false)
		}
	}
	if d := raw["disabled"]; d != nil {
		var byID map[string][]map[string]any
		var list []map[string]any
		if json.Unmarshal(d, &byID) == nil {
			ids := make([]string, 0, len(byID))
			for id := range byID {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			for _, id := range ids {
				for _, n := range byID[id] {
					add(n, true)
				}
			}
		} else if json.Unmarshal(d, &list) == nil {
			for _, n := range list {
				add(n, true)
			}
		}
	}
	return out
}

// text is the scanner's lenient string reading: null is "", other scalars their JSON text.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func strList(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		out := []string{}
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func refFromMap(m map[string]any, disabled bool) refNode {
	n := refNode{
		UniqueID: text(m["unique_id"]), Name: text(m["name"]), ResourceType: text(m["resource_type"]),
		Package: text(m["package_name"]), Path: text(m["path"]), OriginalPath: text(m["original_file_path"]),
		PatchPath: text(m["patch_path"]), Description: text(m["description"]), Database: text(m["database"]),
		Schema: text(m["schema"]), Alias: text(m["alias"]), SourceName: text(m["source_name"]),
		FQN: strList(m["fqn"]), Tags: strList(m["tags"]), Disabled: disabled, Enabled: !disabled,
	}
	if v, ok := m["version"]; ok && v != nil {
		n.Version = text(v)
	}
	if n.ResourceType == "" {
		n.ResourceType, _, _ = strings.Cut(n.UniqueID, ".")
	}
	switch c := m["checksum"].(type) {
	case string:
		n.Checksum = c
	case map[string]any:
		n.Checksum = text(c["checksum"])
	}
	if d, ok := m["depends_on"].(map[string]any); ok {
		n.DependsOn = strList(d["nodes"])
		n.MacroDeps = strList(d["macros"])
	}
	if cols, ok := m["columns"].(map[string]any); ok {
		for k, c := range cols {
			name := k
			if cm, ok := c.(map[string]any); ok && text(cm["name"]) != "" {
				name = text(cm["name"])
			}
			n.Columns = append(n.Columns, name)
		}
		sort.Strings(n.Columns)
	}
	if tm, ok := m["test_metadata"].(map[string]any); ok {
		n.TestName, n.TestNamespace = text(tm["name"]), text(tm["namespace"])
	}
	n.Extra = map[string]any{}
	var cfgMeta map[string]any
	if c, ok := m["config"].(map[string]any); ok {
		for k, v := range c {
			switch k {
			case "materialized":
				n.Materialized = text(v)
			case "schema":
				n.CfgSchema = text(v)
			case "database":
				n.CfgDatabase = text(v)
			case "alias":
				n.CfgAlias = text(v)
			case "enabled":
				n.Enabled = v == true
			case "severity":
				n.Severity = text(v)
			case "group":
				n.Group = text(v)
			case "access":
				n.Access = text(v)
			case "tags":
				n.CfgTags = strList(v)
			case "meta":
				cfgMeta, _ = v.(map[string]any)
			default:
				flattenInto(n.Extra, k, v)
			}
		}
	}
	if v := text(m["access"]); v != "" {
		n.Access = v
	}
	if v := text(m["group"]); v != "" {
		n.Group = v
	}
	if meta, ok := m["meta"].(map[string]any); ok && len(meta) > 0 {
		n.Meta = meta
	} else if len(cfgMeta) > 0 {
		n.Meta = cfgMeta
	}
	return n
}

// flattenInto flattens nested config objects with dots, leaving out nulls and empty lists.
func flattenInto(out map[string]any, key string, v any) {
	switch v := v.(type) {
	case nil:
	case map[string]any:
		for k, x := range v {
			if key == "contract" && k != "enforced" {
				if m, ok := x.(map[string]any); ok && len(m) == 0 {
					continue
				}
			}
			flattenInto(out, key+"."+k, x)
		}
	case []any:
		if len(v) > 0 {
			out[key] = v
		}
	default:
		out[key] = v
	}
}

func compareNode(t *testing.T, n *Node, w refNode) {
	t.Helper()
	field := func(name string, got, want any) {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %#v, encoding/json %#v", n.UniqueID, name, got, want)
		}
	}
	nilIfEmpty := func(l []string) []string {
		if len(l) == 0 {
			return nil
		}
		return l
	}
	field("name", n.Name, w.Name)
	field("resource_type", n.ResourceType, w.ResourceType)
	field("package_name", n.Package, w.Package)
	field("path", n.Path, w.Path)
	field("original_file_path", n.OriginalPath, w.OriginalPath)
	field("patch_path", n.PatchPath, w.PatchPath)
	field("description", n.Description, w.Description)
	field("database", n.Database, w.Database)
	field("schema", n.Schema, w.Schema)
	field("alias", n.Alias, w.Alias)
	field("source_name", n.SourceName, w.SourceName)
	field("version", n.Version, w.Version)
	field("checksum", n.Checksum, w.Checksum)
	field("fqn", nilIfEmpty(n.FQN), nilIfEmpty(w.FQN))
	field("tags", nilIfEmpty(n.Tags), nilIfEmpty(w.Tags))
	field("depends_on.nodes", nilIfEmpty(n.DependsOn), nilIfEmpty(w.DependsOn))
	field("depends_on.macros", nilIfEmpty(n.MacroDeps), nilIfEmpty(w.MacroDeps))
	field("disabled", n.Disabled, w.Disabled)
	field("config.enabled", n.Config.Enabled, w.Enabled)
	field("config.materialized", n.Config.Materialized, w.Materialized)
	field("config.schema", n.Config.Schema, w.CfgSchema)
	field("config.database", n.Config.Database, w.CfgDatabase)
	field("config.alias", n.Config.Alias, w.CfgAlias)
	field("config.severity", n.Config.Severity, w.Severity)
	field("config.group", n.Config.Group, w.Group)
	field("config.access", n.Config.Access, w.Access)
	field("config.tags", nilIfEmpty(n.Config.Tags), nilIfEmpty(w.CfgTags))
	// Other config values, typed back from their text and kind.
	got := map[string]any{}
	for k, v := range n.Config.Extra {
		x := TypedValue(v, n.Config.Kinds[k])
		if f, ok := x.(float64); ok && strings.HasPrefix(k, "contract.") {
			x = f
		}
		got[k] = x
	}
	field("config (other keys)", got, w.Extra)
	meta := map[string]any{}
	for k, v := range n.Meta {
		meta[k] = TypedValue(v, n.Config.Kinds["meta."+k])
	}
	wantMeta := w.Meta
	if wantMeta == nil {
		wantMeta = map[string]any{}
	}
	for k, v := range wantMeta {
		if v == nil {
			delete(wantMeta, k) // a null meta value is left out
		}
	}
	field("meta", meta, wantMeta)
	var cols []string
	for _, c := range n.Columns {
		cols = append(cols, c.Name)
	}
	sort.Strings(cols)
	field("columns", cols, w.Columns)
	var tn, tns string
	if n.TestMetadata != nil {
		tn, tns = n.TestMetadata.Name, n.TestMetadata.Namespace
	}
	field("test_metadata", [2]string{tn, tns}, [2]string{w.TestName, w.TestNamespace})
}
