package impact

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, path, old, repl string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s lacks %q", path, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, repl, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func names(ns []ImpactNode) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.UniqueID)
	}
	return out
}

func TestImpactFromGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	repo := t.TempDir()
	proj := filepath.Join(repo, "analytics")
	dbttest.CopyQuickProject(t, proj)
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("# repo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, repo, "init", "-q", "-b", "main")
	gitRun(t, repo, "add", "-A")
	gitRun(t, repo, "commit", "-q", "-m", "base")
	gitRun(t, repo, "checkout", "-q", "-b", "feature")
	// Committed on the branch: a model's SQL and a file outside the project.
	appendFile(t, filepath.Join(proj, "models/staging/stg_payments.sql"), "where amount > 0\n")
	appendFile(t, filepath.Join(repo, "README.md"), "more\n")
	gitRun(t, repo, "commit", "-q", "-am", "change payments")
	// Uncommitted: a macro (no node) and a model's properties YAML.
	appendFile(t, filepath.Join(proj, "macros/cents_to_dollars.sql"), "\n")
	// In the properties file, one description and one test change: only their nodes count,
	// not everything else the file describes.
	editFile(t, filepath.Join(proj, "models/marts/_marts.yml"), "Revenue per order in euros.", "Revenue per order, in euros.")
	editFile(t, filepath.Join(proj, "models/marts/_marts.yml"), "url: https://bi.example.com/dashboards/7", "url: https://bi.example.com/dashboards/8")
	editFile(t, filepath.Join(proj, "models/marts/_marts.yml"), "          - not_null\n", "          - not_null\n          - unique\n")
	// Untracked: a new model.
	if err := os.WriteFile(filepath.Join(proj, "models/marts/new_model.sql"), []byte("select * from {{ ref('stg_users') }}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Work on main moved on after the branch: not part of this branch's changes.
	g, err := quickparse.QuickParse(proj)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: proj, BaseBranch: "main"})
	if err != nil {
		t.Fatal(err)
	}
	if im.Base != "main" || im.MergeBase == "" {
		t.Errorf("base = %q merge base %q", im.Base, im.MergeBase)
	}
	wantFiles := []string{"macros/cents_to_dollars.sql", "models/marts/_marts.yml", "models/marts/new_model.sql", "models/staging/stg_payments.sql"}
	if !reflect.DeepEqual(im.ChangedFiles, wantFiles) {
		t.Errorf("changed files = %v", im.ChangedFiles)
	}
	if !reflect.DeepEqual(im.Unmapped, []string{"macros/cents_to_dollars.sql"}) {
		t.Errorf("unmapped = %v", im.Unmapped)
	}
	changed := names(im.Changed)
	wantChanged := []string{
		"exposure.quickproj.weekly_kpis", "model.quickproj.fct_revenue", "model.quickproj.new_model", "model.quickproj.stg_payments",
		"test.quickproj.unique_dim_users_v1_user_id", "test.quickproj.unique_dim_users_v2_user_id",
	}
	if !reflect.DeepEqual(changed, wantChanged) {
		t.Errorf("changed = %v, want %v (dim_users, its not_null tests and the unit test kept their definitions)", changed, wantChanged)
	}
	for _, n := range im.Changed {
		if n.UniqueID == "model.quickproj.fct_revenue" && !reflect.DeepEqual(n.Reasons, []string{"git: models/marts/_marts.yml (properties)"}) {
			t.Errorf("fct_revenue reasons = %v", n.Reasons)
		}
	}
	down := names(im.Downstream)
	for _, id := range []string{"analysis.quickproj.revenue_by_month", "test.quickproj.assert_revenue_positive", "unit_test.quickproj.fct_revenue.revenue_converts_currency"} {
		if !slices.Contains(down, id) {
			t.Errorf("downstream lacks %s: %v", id, down)
		}
	}
	for _, n := range im.Downstream {
		if n.UniqueID == "analysis.quickproj.revenue_by_month" && !reflect.DeepEqual(n.Reasons, []string{"downstream of fct_revenue"}) {
			t.Errorf("revenue_by_month reasons = %v", n.Reasons)
		}

	}
	if !reflect.DeepEqual(names(im.Exposures), []string{"exposure.quickproj.weekly_kpis"}) {
		t.Errorf("exposures = %v", names(im.Exposures))
	}
	for _, s := range []string{"stg_payments+", "new_model+", "fct_revenue+", "exposure:weekly_kpis"} {
		if !strings.Contains(" "+im.Selector+" ", " "+s+" ") {
			t.Errorf("selector %q lacks %q", im.Selector, s)
		}
	}

	// On the base branch itself only uncommitted changes count.
	gitRun(t, repo, "stash", "-u", "-q")
	gitRun(t, repo, "checkout", "-q", "main")
	im, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: proj})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.ChangedFiles) != 0 || len(im.Changed) != 0 || im.Base != "main" {
		t.Errorf("clean main: %+v", im)
	}
	// A missing base branch is a warning, not an error.
	im, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: proj, BaseBranch: "develop"})
	if err != nil || len(im.Warnings) == 0 || !strings.Contains(im.Warnings[0], `"develop" not found`) {
		t.Errorf("missing base: %v %v", err, im.Warnings)
	}
}

func TestImpactOutsideGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	dbttest.CopyQuickProject(t, dir)
	g, err := quickparse.QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_CEILING_DIRECTORIES", filepath.Dir(dir))
	_, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir})
	if err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("err = %v", err)
	}
	_, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir, Git: git.Exec{Path: filepath.Join(dir, "no-such-git")}})
	if err == nil || !strings.Contains(err.Error(), "git is not installed") {
		t.Errorf("err = %v", err)
	}
	_, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir, SkipGit: true, StateDir: dir})
	if err == nil || !strings.Contains(err.Error(), "no manifest.json") {
		t.Errorf("err = %v", err)
	}
}

func TestManifestStaleAndLoadProject(t *testing.T) {
	dir := t.TempDir()
	dbttest.CopyQuickProject(t, dir)
	if mt, newer, stale := project.ManifestStale(dir); !mt.IsZero() || newer != "" || stale {
		t.Errorf("no manifest: %v %q %v", mt, newer, stale)
	}
	g, err := project.LoadProject(dir, dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginQuickParse || g.Origin.Stale {
		t.Fatalf("no manifest → quick parse: %v %+v", err, g.Origin)
	}
	manifest := filepath.Join(dir, "target", "manifest.json")
	if err := os.MkdirAll(filepath.Dir(manifest), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(manifest, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_ = os.Chtimes(p, old, old)
		}
		return nil
	})
	if _, newer, stale := project.ManifestStale(dir); stale {
		t.Errorf("fresh manifest reported stale because of %s", newer)
	}
	now := time.Now()
	if err := os.Chtimes(filepath.Join(dir, "models/staging/stg_users.sql"), now, now); err != nil {
		t.Fatal(err)
	}
	mt, newer, stale := project.ManifestStale(dir)
	if !stale || newer != "models/staging/stg_users.sql" || !mt.Equal(old) {
		t.Errorf("stale = %v %q %v", stale, newer, mt)
	}
	// Files under target/ and dbt_packages/ never make the manifest stale.
	if err := os.Chtimes(filepath.Join(dir, "models/staging/stg_users.sql"), old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "target", "compiled.sql"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, newer, stale := project.ManifestStale(dir); stale {
		t.Errorf("target/ made the manifest stale: %s", newer)
	}
	if err := os.Chtimes(filepath.Join(dir, "models/staging/stg_users.sql"), now, now); err != nil {
		t.Fatal(err)
	}
	g, err = project.LoadProject(dir, dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginQuickParse || !strings.Contains(g.Origin.Warnings[0], "target/manifest.json is older than models/staging/stg_users.sql") {
		t.Errorf("stale manifest → quick parse with a warning: %v %+v", err, g.Origin)
	}
}

// projectFromManifest writes the models of a real manifest (raw_code at original_file_path) and
// its sources into dir, so a quick parse of dir can be compared with the manifest.
func projectFromManifest(t *testing.T, m *dbttest.FixtureManifest, dir string) {
	t.Helper()
	// Each model's materialization goes into dbt_project.yml under its fqn, as a project would
	// configure it, so the quick parse sees the same configs as the manifest.
	type tree map[string]any
	root := tree{}
	for _, n := range m.Nodes {
		if n.ResourceType != "model" || n.Package != m.Metadata.ProjectName {
			continue
		}
		cur := root
		for _, part := range n.FQN {
			next, ok := cur[part].(tree)
			if !ok {
				next = tree{}
				cur[part] = next
			}
			cur = next
		}
		cur["+materialized"] = n.Config.Materialized
	}
	var proj strings.Builder
	proj.WriteString("name: " + m.Metadata.ProjectName + "\nmodels:\n")
	var write func(t tree, depth int)
	write = func(t tree, depth int) {
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			switch v := t[k].(type) {
			case string:
				proj.WriteString(strings.Repeat("  ", depth) + k + ": " + v + "\n")
			case tree:
				proj.WriteString(strings.Repeat("  ", depth) + k + ":\n")
				write(v, depth+1)
			}
		}
	}
	write(root, 1)
	files := map[string]string{"dbt_project.yml": proj.String()}
	var y strings.Builder
	y.WriteString("sources:\n")
	bySource := map[string][]string{}
	for _, s := range m.Sources {
		bySource[s.SourceName] = append(bySource[s.SourceName], s.Name)
	}
	for src, tables := range bySource {
		y.WriteString("  - name: " + src + "\n    tables:\n")
		for _, tb := range tables {
			y.WriteString("      - name: " + tb + "\n")
		}
	}
	files["models/_sources_from_manifest.yml"] = y.String()
	for _, n := range m.Nodes {
		if n.ResourceType == "model" && n.Package == m.Metadata.ProjectName {
			files[n.Path] = n.RawCode + "\n"
		}
	}
	for p, c := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestImpactAgainstProductionManifest(t *testing.T) {
	manifest := fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/manifest.json")
	m := dbttest.ReadFixtureManifest(t, "manifests/jaffle-shop-dbt1.11/manifest.json")
	dir := t.TempDir()
	projectFromManifest(t, m, dir)
	state := t.TempDir()
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(state, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := quickparse.QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err := ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir, StateDir: state, SkipGit: true})
	if err != nil {
		t.Fatal(err)
	}
	if !im.StateCompared {
		t.Fatal("state not compared")
	}
	for _, n := range im.Changed {
		if n.ResourceType == "model" {
			t.Errorf("unchanged project reports %s as %v", n.UniqueID, n.Reasons)
		}
	}
	// Edit one model and add another: modified.body and new, and everything downstream.
	appendFile(t, filepath.Join(dir, "models/staging/stg_orders.sql"), "-- edited\n")
	if err := os.WriteFile(filepath.Join(dir, "models/marts/brand_new.sql"), []byte("select * from {{ ref('orders') }}"), 0o644); err != nil {
		t.Fatal(err)
	}
	g, err = quickparse.QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	im, err = ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir, StateDir: state, SkipGit: true})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string][]string{}
	for _, n := range im.Changed {
		if n.ResourceType == "model" {
			reasons[n.UniqueID] = n.Reasons
		}
	}
	want := map[string][]string{
		"model.jaffle_shop.stg_orders": {"state:modified.body"},
		"model.jaffle_shop.brand_new":  {"state:new"},
	}
	if !reflect.DeepEqual(reasons, want) {
		t.Errorf("changed models = %v, want %v", reasons, want)
	}
	if !slices.Contains(names(im.Downstream), "model.jaffle_shop.orders") || im.Selector != "state:modified+" {
		t.Errorf("downstream %v selector %q", names(im.Downstream), im.Selector)
	}
}

func TestLoadProjectPrefersFreshManifest(t *testing.T) {
	manifest := fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/manifest.json")
	m := dbttest.ReadFixtureManifest(t, "manifests/jaffle-shop-dbt1.11/manifest.json")
	dir := t.TempDir()
	projectFromManifest(t, m, dir)
	old := time.Now().Add(-time.Hour)
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			_ = os.Chtimes(p, old, old)
		}
		return nil
	})
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.MkdirAll(target, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	g, err := project.LoadProject(dir, dbt.LoadOptions{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginManifest || g.Origin.Stale {
		t.Fatalf("fresh manifest: %v %+v", err, g.Origin)
	}
	now := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "models/staging/stg_orders.sql"), now, now); err != nil {
		t.Fatal(err)
	}
	g, err = project.LoadProject(dir, dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginQuickParse {
		t.Fatalf("stale manifest → quick parse: %v %+v", err, g.Origin)
	}
	g, err = project.LoadProject(dir, dbt.LoadOptions{PreferManifest: true})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginManifest || !g.Origin.Stale {
		t.Fatalf("PreferManifest: %v %+v", err, g.Origin)
	}
	// A corrupt manifest falls back to the quick parse with a warning.
	if err := os.WriteFile(filepath.Join(target, "manifest.json"), []byte(`{"nodes": {`), 0o644); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	_ = os.Chtimes(filepath.Join(target, "manifest.json"), future, future)
	g, err = project.LoadProject(dir, dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.Kind != dbt.OriginQuickParse || !strings.Contains(g.Origin.Warnings[0], "could not be read") {
		t.Fatalf("corrupt manifest: %v %+v", err, g.Origin)
	}
}

func TestImpactStateWithManifests(t *testing.T) {
	path := fixtures.Path(t, "manifests/tuva-dbt1.7/manifest.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	state := t.TempDir()
	if err := os.WriteFile(filepath.Join(state, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	prod, err := dbt.LoadManifest(filepath.Join(state, "manifest.json"), dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The branch edits one root-project file: its checksum changes.
	var target *dbt.Node
	for i := range prod.Nodes {
		n := &prod.Nodes[i]
		if (n.ResourceType == "model" || n.ResourceType == "seed") && n.Package == prod.Origin.ProjectName && n.Checksum != "" && len(prod.Children(i)) > 0 {
			target = n
			break
		}
	}
	if target == nil {
		t.Skip("no root-project node with children in the fixture")
	}
	edited := strings.Replace(string(b), target.Checksum, strings.Repeat("0", len(target.Checksum)), 1)
	cur, err := dbt.ParseManifest([]byte(edited), "manifest.json", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	im, err := ComputeImpact(context.Background(), cur, ImpactOptions{StateDir: state, SkipGit: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(im.Changed); !reflect.DeepEqual(got, []string{target.UniqueID}) {
		t.Errorf("changed = %v, want [%s]", got, target.UniqueID)
	}
	if len(im.Downstream) == 0 || im.Selector != "state:modified+" {
		t.Errorf("downstream %v selector %q", names(im.Downstream), im.Selector)
	}
}

// TestImpactComparesLikeWithLike quick-parses jaffle-shop (the tree real dbt parsed) against
// that parse's manifest as production: configs written in Jinja are compared after rendering,
// the ones only dbt can render are skipped and reported, and nothing unchanged is flagged.
func TestImpactComparesLikeWithLike(t *testing.T) {
	dir := t.TempDir()
	dbttest.CopyTree(t, fixtures.Path(t, "projects/jaffle-shop"), dir)
	state := t.TempDir()
	dbttest.CopyTree(t, filepath.Dir(fixtures.Path(t, "real-dbt/jaffle-parse/manifest.json")), state)
	editFile(t, filepath.Join(dir, "dbt_project.yml"), "      +materialized: view", "      +materialized: \"{{ 'view' if var('staging_as_views', true) else 'table' }}\"")
	editFile(t, filepath.Join(dir, "dbt_project.yml"), "      +materialized: table", "      +materialized: table\n      +schema: \"{{ target.name }}_marts\"")
	run := func() *Impact {
		g, err := quickparse.QuickParse(dir)
		if err != nil {
			t.Fatal(err)
		}
		im, err := ComputeImpact(context.Background(), g, ImpactOptions{ProjectDir: dir, StateDir: state, SkipGit: true})
		if err != nil {
			t.Fatal(err)
		}
		return im
	}
	im := run()
	for _, n := range im.Changed {
		t.Errorf("unchanged %s reported as %v", n.UniqueID, n.Reasons)
	}
	skipped := strings.Join(im.Skipped, "\n")
	if !strings.Contains(skipped, "state:modified.configs not compared for 7 nodes whose configs only dbt can render: customers (schema)") ||
		!strings.Contains(skipped, "state:modified.macros") {
		t.Errorf("skipped checks:\n%s", skipped)
	}
	// A rendered config that really differs is still found.
	editFile(t, filepath.Join(dir, "dbt_project.yml"), "var('staging_as_views', true)", "var('staging_as_views', false)")
	im = run()
	got := map[string][]string{}
	for _, n := range im.Changed {
		got[n.Name] = n.Reasons
	}
	if len(got) != 6 || !reflect.DeepEqual(got["stg_orders"], []string{"state:modified.configs"}) {
		t.Errorf("changed = %v, want the 6 staging models' configs", got)
	}
}
