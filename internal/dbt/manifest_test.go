package dbt

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/dbt/jsonscan"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestLoadFixtureManifests loads every real manifest; the expected counts were taken from the
// files with jq (members of nodes, sources, exposures, metrics, semantic_models, saved_queries,
// unit_tests, functions, plus disabled ids not also enabled).
func TestLoadFixtureManifests(t *testing.T) {
	cases := []struct {
		path            string
		total, disabled int
		models          int
		schema          int
	}{
		{"dbt-logs/openlineage/duckdb-test-singular-dbt1.10.15/manifest.json", 122, 0, 15, 12},
		{"dbt-logs/openlineage/postgres-build-dbt1.8.2/manifest.json", 30, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-run-failed-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-run-ok-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-seed-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-snapshot-dbt1.8.2/manifest.json", 29, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-test-dbt1.8.2/manifest.json", 30, 0, 5, 12},
		{"dbt-logs/openlineage/postgres-test-source-dbt1.8.2/manifest.json", 32, 0, 5, 12},
		{"dbt-logs/openlineage/snowflake-run-failed-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/snowflake-run-ok-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/snowflake-seed-dbt1.8.2/manifest.json", 28, 0, 5, 12},
		{"dbt-logs/openlineage/snowflake-snapshot-dbt1.8.2/manifest.json", 29, 0, 5, 12},
		{"manifests/fivetran-hubspot-dbt1.8/manifest.json", 373, 10, 133, 12},
		{"manifests/jaffle-shop-dbt1.11/manifest.json", 84, 0, 13, 12},
		{"manifests/tuva-dbt1.7/manifest.json", 435, 4, 297, 11},
		{"manifests/schema-versions/v1/manifest.json", 1, 0, 1, 1},
		{"manifests/schema-versions/v2/manifest.json", 1, 0, 1, 2},
		{"manifests/schema-versions/v3/manifest.json", 1, 0, 1, 3},
		{"manifests/schema-versions/v4/manifest.json", 2, 0, 1, 4},
		{"manifests/schema-versions/v5/manifest.json", 2, 0, 1, 5},
		{"manifests/schema-versions/v6/manifest.json", 2, 0, 1, 6},
		{"manifests/schema-versions/v7/manifest.json", 19, 9, 1, 7},
		{"manifests/schema-versions/v8/manifest.json", 19, 9, 1, 8},
		{"manifests/schema-versions/v9/manifest.json", 19, 9, 1, 9},
		{"manifests/schema-versions/v10/manifest.json", 24, 9, 2, 10},
		{"manifests/schema-versions/v11/manifest.json", 24, 9, 2, 11},
		{"manifests/schema-versions/v12/manifest.json", 24, 9, 2, 12},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			g, err := LoadManifest(fixtures.Path(t, c.path), LoadOptions{CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			disabled, models := 0, 0
			for _, n := range g.Nodes {
				if n.Disabled {
					disabled++
					if len(g.Parents(mustIndex(t, g, n.UniqueID))) != 0 {
						t.Errorf("disabled %s has edges", n.UniqueID)
					}
				} else if n.ResourceType == "model" {
					models++
				}
			}
			if g.Len() != c.total || disabled != c.disabled || models != c.models || g.Origin.SchemaVersion != c.schema {
				t.Errorf("got %d nodes, %d disabled, %d models, v%d; want %d, %d, %d, v%d", g.Len(), disabled, models, g.Origin.SchemaVersion, c.total, c.disabled, c.models, c.schema)
			}
			if g.Origin.Kind != OriginManifest || g.Origin.DBTVersion == "" || len(g.Origin.Warnings) != 0 {
				t.Errorf("origin = %+v", g.Origin)
			}
			// Edges follow depends_on: every model of a real manifest has a unique id and a name.
			for _, n := range g.Nodes {
				if n.Name == "" || n.ResourceType == "" || n.Package == "" {
					t.Errorf("incomplete node %+v", n)
					break
				}
			}
		})
	}
}

func mustIndex(t testing.TB, g *Graph, id string) int {
	t.Helper()
	i, ok := g.Index(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return i
}

func TestFixtureDetails(t *testing.T) {
	// Tuva's root project is input_layer while its models come from the_tuva_project.
	g, err := LoadManifest(fixtures.Path(t, "manifests/tuva-dbt1.7/manifest.json"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Origin.ProjectName != "input_layer" || g.Origin.DBTVersion != "1.7.8" {
		t.Errorf("origin = %+v", g.Origin)
	}
	// v1 manifests name SQL raw_sql; Graph.SQL finds it.
	v1 := fixtures.Path(t, "manifests/schema-versions/v1/manifest.json")
	g1, err := LoadManifest(v1, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if sql, err := g1.SQL(g1.Nodes[0].UniqueID, false); err != nil || sql == "" {
		t.Errorf("v1 raw SQL = %q, %v", sql, err)
	}
	// Catalog types merge into columns.
	jp := fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/manifest.json")
	gj, err := LoadManifest(jp, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cat, err := LoadCatalog(filepath.Join(filepath.Dir(jp), "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	gj.MergeCatalog(cat)
	c := gj.Node("model.jaffle_shop.customers")
	if c == nil || len(c.Columns) == 0 || c.Columns[0].Name != "customer_id" || c.Columns[0].DataType != "VARCHAR" {
		t.Errorf("customers columns = %+v", c)
	}
}

func TestRunResultsFixtures(t *testing.T) {
	cases := []struct {
		path    string
		schema  int
		results int
		id      string
		status  string
	}{
		{"manifests/schema-versions/run-results/run_results.v4.json", 4, -1, "", ""},
		{"manifests/schema-versions/run-results/run_results.v5.json", 5, -1, "", ""},
		{"manifests/schema-versions/run-results/run_results.v6.json", 6, -1, "", ""},
		{"run-results/jaffle-shop-build-dbt1.9.0.run_results.json", 6, -1, "operation.elementary.elementary-on-run-start-0", "success"},
		{"run-results/jaffle-shop-build-error-dbt1.0.0.run_results.json", 4, -1, "", ""},
	}
	for _, c := range cases {
		rr, err := LoadRunResults(fixtures.Path(t, c.path))
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if rr.SchemaVersion != c.schema || len(rr.Results) == 0 || len(rr.ByID) == 0 {
			t.Errorf("%s: schema v%d, %d results", c.path, rr.SchemaVersion, len(rr.Results))
		}
		if c.id != "" && (rr.ByID[c.id] == nil || rr.ByID[c.id].Status != c.status) {
			t.Errorf("%s: %s = %+v", c.path, c.id, rr.ByID[c.id])
		}
	}
	rr, err := LoadRunResults(fixtures.Path(t, "run-results/jaffle-shop-build-error-dbt1.0.0.run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	errs := 0
	for _, r := range rr.Results {
		if r.Status == "error" {
			errs++
			if r.Message == "" {
				t.Errorf("error result %s has no message", r.UniqueID)
			}
		}
	}
	if errs == 0 {
		t.Error("the 1.0.0 build with an error has no error result")
	}
}

func TestShopManifestFields(t *testing.T) {
	g := loadShop(t)
	if g.Origin.ProjectName != "shop" || g.Origin.SchemaVersion != 12 || g.Origin.DBTVersion != "1.9.1" {
		t.Errorf("origin = %+v", g.Origin)
	}
	// analysis.shop.revenue_report depends on a model that does not exist.
	if len(g.Origin.Warnings) != 1 || !strings.Contains(g.Origin.Warnings[0], "1 dependency") {
		t.Errorf("warnings = %q", g.Origin.Warnings)
	}
	o := g.Node(dbttest.Orders)
	if o.Config.Materialized != "table" || o.Config.Group != "finance" || o.Config.Access != "public" || !o.ContractEnf || o.ContractChecksum != "k1" {
		t.Errorf("orders config = %+v", o.Config)
	}
	if o.Meta["owner"] != "finance-team" || o.Meta["tier"] != "1" || o.Owner != "finance-team" {
		t.Errorf("orders meta = %v owner %q", o.Meta, o.Owner)
	}
	if o.Config.Extra["docs.show"] != "true" || o.Config.Extra["persist_docs.relation"] != "true" || o.Config.Extra["contract.enforced"] != "true" {
		t.Errorf("orders extra = %v", o.Config.Extra)
	}
	if _, ok := o.Config.Extra["post-hook"]; ok {
		t.Error("empty lists should be left out of Extra")
	}
	if len(o.Columns) != 2 || o.Columns[0] != (Column{Name: "order_id", Description: "Primary key", DataType: "integer"}) {
		t.Errorf("orders columns = %+v", o.Columns)
	}
	if !slices.Equal(o.Tags, []string{"nightly", "finance"}) || !slices.Equal(o.FQN, []string{"shop", "marts", "orders"}) {
		t.Errorf("tags %v fqn %v", o.Tags, o.FQN)
	}
	if o.PatchPath != "shop://models/marts/_marts.yml" || o.Checksum != "c-orders" || o.UnrenderedHash == "" {
		t.Errorf("orders = %+v", o)
	}
	if o.UnrenderedRelation != "\x00\"marts\"\x00" {
		t.Errorf("unrendered relation = %q", o.UnrenderedRelation)
	}
	v := g.Node(dbttest.DimV3)
	if v.Version != "3" || v.LatestVersion != "2" || v.Name != "dim_customers" {
		t.Errorf("dim v3 = %+v", v)
	}
	rel := g.Node(dbttest.REL)
	if rel.TestMetadata == nil || rel.TestMetadata.Name != "relationships" || rel.TestMetadata.Column != "customer_id" || rel.AttachedNode != dbttest.Orders || rel.Config.Severity != "warn" {
		t.Errorf("relationships test = %+v %+v", rel, rel.TestMetadata)
	}
	if exp := g.Node(dbttest.EXP); exp.TestMetadata.Namespace != "dbt_utils" {
		t.Errorf("namespace = %q", exp.TestMetadata.Namespace)
	}
	e := g.Node(dbttest.Exposure)
	if e.Owner != "Ana" || e.ExposureType != "dashboard" || e.URL != "https://bi.example.com/kpis" || e.Label != "Weekly KPIs" {
		t.Errorf("exposure = %+v", e)
	}
	src := g.Node(dbttest.SrcOrders)
	if src.SourceName != "raw" || src.Name != "orders" || src.ResourceType != "source" || src.Description != "Raw orders" {
		t.Errorf("source = %+v", src)
	}
	legacy := g.Node("model.shop.legacy_orders")
	if legacy == nil || !legacy.Disabled || legacy.Config.Enabled {
		t.Fatalf("disabled model = %+v", legacy)
	}
	if k := mustIndex(t, g, dbttest.StgOrders); slices.Contains(g.Children(k), int32(mustIndex(t, g, "model.shop.legacy_orders"))) {
		t.Error("a disabled node is in the lineage")
	}
	// Edges come from depends_on even though parent_map is null.
	if got := len(g.Children(mustIndex(t, g, dbttest.Orders))); got != 8 {
		t.Errorf("orders has %d children, want 8", got)
	}
	// Nodes are ordered by unique id.
	if !slices.IsSortedFunc(g.Nodes, func(a, b Node) int { return strings.Compare(a.UniqueID, b.UniqueID) }) {
		t.Error("nodes are not sorted")
	}
}

func TestGraphSQL(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile(dbttest.ShopManifest(t))
	path := filepath.Join(dir, "target", "manifest.json")
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, src, 0o644)
	cache := filepath.Join(dir, "cache")
	for _, round := range []string{"cold", "cached"} {
		g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
		if err != nil {
			t.Fatal(err)
		}
		raw, err := g.SQL(dbttest.Orders, false)
		if err != nil || raw != "select * from {{ ref('stg_orders') }}" {
			t.Errorf("%s: raw = %q, %v", round, raw, err)
		}
		comp, err := g.SQL(dbttest.Orders, true)
		if err != nil || comp != "select * from analytics.dbt_dev.stg_orders" {
			t.Errorf("%s: compiled = %q, %v", round, comp, err)
		}
		if _, err := g.SQL(dbttest.Customers, true); err == nil || !strings.Contains(err.Error(), "dbt compile") {
			t.Errorf("%s: missing compiled SQL: %v", round, err)
		}
		if _, err := g.SQL("model.shop.nope", false); err == nil {
			t.Errorf("%s: unknown node accepted", round)
		}
	}
	// A rewritten manifest is reported rather than read at stale offsets.
	g, _ := LoadManifest(path, LoadOptions{})
	os.WriteFile(path, append([]byte(" "), src...), 0o644)
	if _, err := g.SQL(dbttest.Orders, false); err == nil || !strings.Contains(err.Error(), "changed") {
		t.Errorf("stale offsets: %v", err)
	}
}

func TestLoadManifestBadInput(t *testing.T) {
	dir := t.TempDir()
	good, _ := os.ReadFile(dbttest.ShopManifest(t))
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o644)
		return p
	}
	errCases := []struct {
		name, content, want string
	}{
		{"empty", "", "empty"},
		{"truncated", string(good[:len(good)/2]), "truncated"},
		{"not an object", `[1, 2]`, "a manifest is a JSON object"},
		{"bad literal", `{"metadata": {"dbt_version": tru}}`, "unexpected"},
		{"bad character", `{"metadata": {"dbt_version": @}}`, "unexpected"},
		{"mismatched", `{"nodes": {"model.a.b": {"name": "b"]}}`, "unexpected"},
		{"nodes not an object", `{"nodes": [1]}`, `"nodes" should be an object`},
		{"node not an object", `{"nodes": {"x": 1}}`, "should be objects"},
		{"trailing data", `{} {}`, "after the manifest"},
	}
	for _, c := range errCases {
		_, err := LoadManifest(write(c.name+".json", c.content), LoadOptions{})
		var je *jsonscan.Error
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		} else if c.name != "empty" && !errors.As(err, &je) {
			t.Errorf("%s: not a jsonscan.Error: %v", c.name, err)
		}
	}
	if _, err := LoadManifest(filepath.Join(dir, "missing.json"), LoadOptions{}); err == nil {
		t.Error("missing file accepted")
	}
	if _, err := LoadManifest(dir, LoadOptions{}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("folder: %v", err)
	}
	// The truncation offset points into the file.
	_, err := LoadManifest(write("cut.json", string(good[:1000])), LoadOptions{})
	var je *jsonscan.Error
	if !errors.As(err, &je) || je.Offset != 1000 {
		t.Errorf("truncated offset: %v", err)
	}

	okCases := []struct {
		name, content string
		nodes         int
		warning       string
	}{
		{"minimal", `{}`, 0, "no metadata.dbt_schema_version"},
		{"null maps", `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": null, "parent_map": null, "child_map": null, "disabled": null}`, 0, ""},
		{"future schema", `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v13.json"}, "nodes": {"model.p.a": {"unique_id": "model.p.a", "name": "a", "resource_type": "model", "package_name": "p", "fqn": ["p", "a"], "depends_on": {"nodes": ["model.p.gone"]}}}}`, 1, "unknown manifest schema"},
		{"wrong types tolerated", `{"nodes": {"model.p.a": {"unique_id": "model.p.a", "name": 5, "tags": "x", "fqn": null, "config": [], "columns": 3, "depends_on": "y", "checksum": "abc"}}}`, 1, ""},
		{"escapes", `{"nodes": {"model.p.\u00e9": {"unique_id": "model.p.\u00e9", "name": "caf\u00e9 \ud83d\ude00 \"q\" \\ \/", "resource_type": "model"}}}`, 1, ""},
		{"python float specials", `{"nodes": {"model.p.a": {"unique_id": "model.p.a", "name": "a", "meta": {"x": NaN, "y": -Infinity, "z": 1.5E+3}}}}`, 1, ""},
		{"old disabled list", `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v3.json"}, "disabled": [{"unique_id": "model.p.x", "name": "x", "resource_type": "model"}]}`, 1, ""},
	}
	for _, c := range okCases {
		g, err := LoadManifest(write(c.name+".json", c.content), LoadOptions{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if g.Len() != c.nodes {
			t.Errorf("%s: %d nodes", c.name, g.Len())
		}
		if c.warning != "" && (len(g.Origin.Warnings) == 0 || !strings.Contains(strings.Join(g.Origin.Warnings, "\n"), c.warning)) {
			t.Errorf("%s: warnings = %q", c.name, g.Origin.Warnings)
		}
	}
	g, _ := LoadManifest(write("esc.json", okCases[4].content), LoadOptions{})
	if n := g.Nodes[0]; n.UniqueID != "model.p.é" || n.Name != `café 😀 "q" \ /` {
		t.Errorf("escapes: %q %q", n.UniqueID, n.Name)
	}
}

func TestManifestCache(t *testing.T) {
	dir := t.TempDir()
	src, _ := os.ReadFile(dbttest.ShopManifest(t))
	path := filepath.Join(dir, "manifest.json")
	os.WriteFile(path, src, 0o644)
	cache := filepath.Join(dir, "cache")
	cold, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(cache, "*.idx"))
	if len(files) != 1 {
		t.Fatalf("cache files: %v", files)
	}
	if st, _ := os.Stat(files[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v", st.Mode())
	}
	warm, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	assertSameGraph(t, cold, warm)

	// Same size and modification time, different contents: the content hash catches it.
	st, _ := os.Stat(path)
	changed := strings.Replace(string(src), `"description": "One row per order."`, `"description": "One row per ORDER."`, 1)
	if len(changed) != len(src) {
		t.Fatal("edit changed the size")
	}
	os.WriteFile(path, []byte(changed), 0o644)
	os.Chtimes(path, st.ModTime(), st.ModTime())
	g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	if d := g.Node(dbttest.Orders).Description; d != "One row per ORDER." {
		t.Errorf("stale cache used: %q", d)
	}

	// A corrupt or truncated cache is rebuilt silently.
	for _, damage := range []func([]byte) []byte{
		func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b },
		func(b []byte) []byte { return b[:len(b)/3] },
		func([]byte) []byte { return []byte("garbage") },
	} {
		b, _ := os.ReadFile(files[0])
		os.WriteFile(files[0], damage(b), 0o600)
		g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
		if err != nil || g.Node(dbttest.Orders) == nil {
			t.Fatalf("corrupt cache: %v", err)
		}
	}
	// An unwritable cache folder only costs time.
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	if _, err := LoadManifest(path, LoadOptions{CacheDir: filepath.Join(blocker, "sub")}); err != nil {
		t.Errorf("unwritable cache: %v", err)
	}
	_ = time.Now
}

func assertSameGraph(t *testing.T, a, b *Graph) {
	t.Helper()
	if a.Len() != b.Len() {
		t.Fatalf("%d vs %d nodes", a.Len(), b.Len())
	}
	if a.Origin.ProjectName != b.Origin.ProjectName || a.Origin.SchemaVersion != b.Origin.SchemaVersion || a.Origin.DBTVersion != b.Origin.DBTVersion ||
		!slices.Equal(a.Origin.Warnings, b.Origin.Warnings) || !a.Origin.Built.Equal(b.Origin.Built) || a.Origin.Path != b.Origin.Path {
		t.Errorf("origin %+v vs %+v", a.Origin, b.Origin)
	}
	for i := range a.Nodes {
		x, y := a.Nodes[i], b.Nodes[i]
		if x.UniqueID != y.UniqueID || x.Name != y.Name || x.Description != y.Description || !slices.Equal(x.FQN, y.FQN) || !slices.Equal(x.Tags, y.Tags) ||
			!slices.Equal(x.DependsOn, y.DependsOn) || !slices.Equal(x.Columns, y.Columns) || x.Config.Materialized != y.Config.Materialized ||
			x.Disabled != y.Disabled || x.Version != y.Version || x.UnrenderedHash != y.UnrenderedHash || x.Owner != y.Owner ||
			len(x.Config.Extra) != len(y.Config.Extra) || len(x.Meta) != len(y.Meta) || (x.TestMetadata == nil) != (y.TestMetadata == nil) {
			t.Errorf("node %d differs:\n%+v\n%+v", i, x, y)
		}
		if !slices.Equal(a.Parents(i), b.Parents(i)) || !slices.Equal(a.Children(i), b.Children(i)) {
			t.Errorf("edges of %s differ", x.UniqueID)
		}
	}
}

func TestRunResultsAndCatalogTestdata(t *testing.T) {
	_, rr := loadShopProd(t)
	o := rr.ByID[dbttest.Orders]
	if o == nil || o.Status != "success" || o.ExecutionTime != 2.5 || o.RelationName != `"analytics"."dbt_dev"."orders"` || o.Started().IsZero() {
		t.Errorf("orders result = %+v", o)
	}
	nn := rr.ByID[dbttest.NN]
	if nn.Failures == nil || *nn.Failures != 3 || !strings.Contains(nn.Message, "Got 3 results") {
		t.Errorf("failed test = %+v", nn)
	}
	if rr.Command != "build" || rr.SchemaVersion != 6 || rr.ElapsedTime != 5.2 {
		t.Errorf("run = %+v", rr)
	}
	g := loadShop(t)
	cat, err := LoadCatalog(filepath.Join("testdata", "manifests", "shop", "catalog.json"))
	if err != nil {
		t.Fatal(err)
	}
	g.MergeCatalog(cat)
	want := []Column{{Name: "order_id", Description: "Primary key", DataType: "NUMBER"}, {Name: "customer_id", Description: "FK", DataType: "NUMBER"}, {Name: "AMOUNT", Description: "in dollars", DataType: "NUMBER(38,2)"}}
	if got := g.Node(dbttest.Orders).Columns; !slices.Equal(got, want) {
		t.Errorf("merged columns = %+v", got)
	}
	if _, err := ParseRunResults([]byte(`{"results": [`)); err == nil {
		t.Error("truncated run results accepted")
	}
	if _, err := ParseCatalog([]byte(`{`)); err == nil {
		t.Error("truncated catalog accepted")
	}
}

func TestUnrenderedConfigHash(t *testing.T) {
	doc := func(unrendered string) *Node {
		g, err := ParseManifest([]byte(`{"nodes": {"model.p.a": {"unique_id": "model.p.a", "name": "a", "resource_type": "model", "unrendered_config": `+unrendered+`}}}`), "m.json", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return &g.Nodes[0]
	}
	a := doc(`{"materialized": "table", "schema": "marts", "persist_docs": {"relation": true}}`)
	b := doc(`{"schema": "marts", "persist_docs": {"relation": true}, "materialized": "table"}`)
	c := doc(`{"materialized": "view", "schema": "marts"}`)
	if a.UnrenderedHash != b.UnrenderedHash {
		t.Error("key order changed the hash")
	}
	if a.UnrenderedHash == c.UnrenderedHash {
		t.Error("different configs hash the same")
	}
	if a.UnrenderedRelation != b.UnrenderedRelation || a.UnrenderedRelation != "\x00\"marts\"\x00" {
		t.Errorf("relation = %q", a.UnrenderedRelation)
	}
	if d := doc(`{}`); d.UnrenderedRelation != "" || d.UnrenderedHash == "" {
		t.Errorf("empty config: %+v", d)
	}
}
