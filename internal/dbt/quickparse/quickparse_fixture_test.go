package quickparse

import (
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/dbt/dbttest"
)

// TestGenericTestNamesMatchDBT rebuilds the name and alias of every generic test in real
// manifests from its test_metadata and compares them with what dbt wrote.
func TestGenericTestNamesMatchDBT(t *testing.T) {
	for _, rel := range []string{
		"manifests/jaffle-shop-dbt1.11/manifest.json",
		"manifests/fivetran-hubspot-dbt1.8/manifest.json",
		"manifests/tuva-dbt1.7/manifest.json",
		"dbt-logs/openlineage/duckdb-test-singular-dbt1.10.15/manifest.json",
	} {
		t.Run(filepath.Base(filepath.Dir(rel)), func(t *testing.T) {
			m := dbttest.ReadFixtureManifest(t, rel)
			checked := 0
			for id, n := range m.Nodes {
				if n.TestMetadata == nil {
					continue
				}
				ident := n.TestMetadata.Name
				if n.TestMetadata.Namespace != "" {
					ident = n.TestMetadata.Namespace + "_" + ident
				}
				if n.Attached != "" {
					target, ok := m.Nodes[n.Attached]
					if !ok {
						continue
					}
					ident += "_" + target.Name
				} else {
					var src string
					for _, d := range n.DependsOn.Nodes {
						if s, ok := m.Sources[d]; ok {
							src = s.SourceName + "_" + s.Name
						}
					}
					if src == "" {
						continue
					}
					ident = "source_" + ident + "_" + src
				}
				if !strings.HasPrefix(n.Name, ident) {
					continue // a test with a custom name:
				}
				var args yaml.MapSlice
				keys := make([]string, 0, len(n.TestMetadata.Kwargs))
				for k := range n.TestMetadata.Kwargs {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					var v any
					if err := yaml.UnmarshalWithOptions(n.TestMetadata.Kwargs[k], &v, yaml.UseOrderedMap()); err != nil {
						t.Fatal(err)
					}
					args = append(args, yaml.MapItem{Key: k, Value: v})
				}
				full, short := synthesizeTestName(ident, args)
				if full != n.Name || short != n.Alias {
					t.Errorf("%s: synthesized %q / %q, dbt wrote %q / %q", id, full, short, n.Name, n.Alias)
				}
				checked++
			}
			if checked == 0 {
				t.Fatal("no generic tests checked")
			}
			t.Logf("%d generic test names match", checked)
		})
	}
}

// TestQuickParseMatchesManifest writes the SQL files recorded in real manifests (raw_code at
// original_file_path) plus their sources, quick-parses them, and compares every model's,
// snapshot's and singular test's dependencies with dbt's.
func TestQuickParseMatchesManifest(t *testing.T) {
	// Tuva enables its marts with vars (tuva_marts_enabled, clinical_enabled) that its wrapper
	// project sets, and chooses refs in {% if var(...) %} branches: with those vars the
	// quick parse takes dbt's branches.
	for _, tc := range []struct {
		rel        string
		mismatches int
		vars       map[string]any
	}{
		{"manifests/jaffle-shop-dbt1.11/manifest.json", 0, nil},
		{"manifests/tuva-dbt1.7/manifest.json", 0, map[string]any{"tuva_marts_enabled": true, "clinical_enabled": true}},
		{"dbt-logs/openlineage/duckdb-test-singular-dbt1.10.15/manifest.json", 0, nil},
	} {
		rel := tc.rel
		t.Run(filepath.Base(filepath.Dir(rel)), func(t *testing.T) {
			m := dbttest.ReadFixtureManifest(t, rel)
			project := m.Metadata.ProjectName
			// Each package goes where dbt deps would put it, with its resource folders.
			base := func(pkg string) string {
				if pkg == project {
					return ""
				}
				return "dbt_packages/" + pkg + "/"
			}
			files := map[string]string{}
			paths := map[string]map[string]map[string]bool{} // pkg → key → folders
			addPath := func(pkg, key, file string) {
				if paths[pkg] == nil {
					paths[pkg] = map[string]map[string]bool{}
				}
				if paths[pkg][key] == nil {
					paths[pkg][key] = map[string]bool{}
				}
				paths[pkg][key][strings.SplitN(file, "/", 2)[0]] = true
			}
			sources := map[string]map[string][]string{}
			for _, s := range m.Sources {
				if sources[s.Package] == nil {
					sources[s.Package] = map[string][]string{}
				}
				sources[s.Package][s.SourceName] = append(sources[s.Package][s.SourceName], s.Name)
				addPath(s.Package, "model-paths", s.Path)
			}
			want := map[string][]string{}
			for id, n := range m.Nodes {
				// A resource folder outside the project (tuva's seed-paths: ["../seeds"]) is
				// written inside it, so the files stay in the temporary project.
				n.Path = strings.ReplaceAll(n.Path, "../", "parent_dir/")
				key := ""
				switch {
				case n.ResourceType == "model" && n.RawCode != "":
					key = "model-paths"
					files[base(n.Package)+n.Path] = n.RawCode
				case n.ResourceType == "seed":
					key = "seed-paths"
					files[base(n.Package)+n.Path] = "id\n1\n"
				case n.ResourceType == "test" && n.TestMetadata == nil && n.RawCode != "":
					key = "test-paths"
					files[base(n.Package)+n.Path] = n.RawCode
				default:
					continue
				}
				addPath(n.Package, key, n.Path)
				deps := []string{}
				for _, d := range n.DependsOn.Nodes {
					if !strings.HasPrefix(d, "macro.") {
						deps = append(deps, d)
					}
				}
				sort.Strings(deps)
				want[id] = deps
			}
			// Macros, several to a file, so refs made inside them can be followed.
			for _, mac := range m.Macros {
				if _, ok := paths[mac.Package]; !ok || !strings.HasPrefix(mac.Path, "macros/") {
					continue
				}
				files[base(mac.Package)+mac.Path] += mac.MacroSQL + "\n"
			}
			for pkg, keys := range paths {
				var y strings.Builder
				y.WriteString("name: " + pkg + "\n")
				for key, dirs := range keys {
					var l []string
					for d := range dirs {
						l = append(l, `"`+d+`"`)
					}
					sort.Strings(l)
					y.WriteString(key + ": [" + strings.Join(l, ", ") + "]\n")
				}
				files[base(pkg)+"dbt_project.yml"] = y.String()
				var sy strings.Builder
				sy.WriteString("sources:\n")
				for src, tables := range sources[pkg] {
					sy.WriteString("  - name: " + src + "\n    tables:\n")
					for _, tb := range tables {
						sy.WriteString("      - name: " + tb + "\n")
					}
				}
				modelDir := "models"
				for d := range keys["model-paths"] {
					modelDir = d
				}
				files[base(pkg)+modelDir+"/_fixture_sources.yml"] = sy.String()
			}
			dir := writeProject(t, files)
			g, err := QuickParseWith(dir, QuickParseOptions{Vars: tc.vars})
			if err != nil {
				t.Fatal(err)
			}
			unresolved := 0
			for _, w := range g.Origin.Warnings {
				if strings.Contains(w, "is computed when dbt renders") {
					unresolved++
					if unresolved < 4 {
						t.Log(w)
					}
				}
			}
			mismatches := 0
			for id, w := range want {
				n := g.Node(id)
				if n == nil {
					t.Errorf("quick parse lacks %s", id)
					continue
				}
				got := append([]string{}, n.DependsOn...)
				sort.Strings(got)
				if !reflect.DeepEqual(got, w) {
					mismatches++
					t.Logf("%s: quick parse %v, dbt %v", id, got, w)
				}
			}
			if mismatches > tc.mismatches {
				t.Errorf("%d nodes differ from dbt's dependencies, want at most %d", mismatches, tc.mismatches)
			}
			t.Logf("%d nodes compared, %d mismatches, %d unresolved Jinja warnings", len(want), mismatches, unresolved)
		})
	}
}
