package warehousetest

import (
	"context"
	"errors"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/warehouse"
)

var refreshedAt = time.Date(2026, 12, 1, 8, 30, 0, 0, time.UTC)

func text(s string) *string { return &s }

func table(name string, rows ...[]*string) Object {
	return Object{Object: warehouse.Object{Name: name, Kind: warehouse.KindTable, Rows: int64(len(rows)), Bytes: 1024},
		Columns: []warehouse.Column{{Name: "ID", Type: "NUMBER(38,0)"}, {Name: "NOTE", Type: "VARCHAR", Nullable: true}},
		Data:    rows}
}

func newDB(name, owner string, schemas ...Schema) Database {
	return Database{Database: warehouse.Database{Name: name, Bytes: -1}, MarkedOwner: owner, Schemas: schemas}
}

func schema(name string, objs ...Object) Schema {
	return Schema{Schema: warehouse.Schema{Name: name}, Objects: objs}
}

// teamSeed is a shared warehouse as a team has it: ann's sandbox, bob's, prod, its clone and
// a protected landing database, under datatui.yml's sandbox pattern.
func teamSeed() Seed {
	policy := warehouse.PolicyFor(config.Warehouse{ProdDatabase: "ANALYTICS", CloneDatabase: "ANALYTICS_CLONE", Protected: []string{"RAW"}, SandboxPattern: "SANDBOX_{user}"}, "ann")
	policy.Targets = []string{"dev"}
	orders := table("ORDERS", []*string{text("1"), text("first")}, []*string{text("2"), nil}, []*string{text("3"), text("third")})
	return Seed{
		Engine: "snowflake", Policy: policy, Target: "dev",
		Identity: warehouse.Identity{Engine: "snowflake", User: "ann", Role: "TRANSFORMER", Warehouse: "TRANSFORMING"},
		Grants:   []warehouse.Grant{{Privilege: "USAGE", GrantedOn: "DATABASE", Name: "SANDBOX_ANN", Grantee: "TRANSFORMER"}},
		Databases: []Database{
			newDB("SANDBOX_ANN", "ann", schema("MARTS", orders), schema("OLD_BRANCH", table("LEFTOVER"))),
			newDB("ANALYTICS_CLONE", "", schema("MARTS", orders), schema("STAGING", table("STG_ORDERS"))),
			newDB("ANALYTICS", "", schema("MARTS", orders)),
			newDB("RAW", "", schema("SHOP", table("ORDERS"))),
			newDB("SANDBOX_BOB", "bob", schema("MARTS", orders)),
		},
		Now: func() time.Time { return refreshedAt },
	}
}

// contents is everything w lists, to tell whether a call changed anything.
func contents(t *testing.T, w *Warehouse) map[string]any {
	t.Helper()
	ctx := context.Background()
	out := map[string]any{}
	dbs, err := w.ListDatabases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out["databases"] = dbs
	for _, d := range dbs {
		schemas, err1 := w.ListSchemas(ctx, d.Name)
		objs, err2 := w.ListObjects(ctx, d.Name)
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		out[d.Name+" schemas"], out[d.Name+" objects"] = schemas, objs
	}
	return out
}

func schemaNames(t *testing.T, w *Warehouse, db string) []string {
	t.Helper()
	schemas, err := w.ListSchemas(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range schemas {
		out = append(out, s.Name)
	}
	return out
}

// TestNotFound: a database the warehouse does not hold is warehouse.ErrNotFound in every call
// that names one; a schema or table it does not hold is an error of kind missing.
func TestNotFound(t *testing.T) {
	seed := teamSeed()
	seed.Databases = seed.Databases[1:] // ann's sandbox does not exist yet
	w := New(seed)
	ctx := context.Background()
	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Database", func() error { _, err := w.Database(ctx, "NOSUCH"); return err }()},
		{"ListSchemas", func() error { _, err := w.ListSchemas(ctx, "NOSUCH"); return err }()},
		{"ListObjects", func() error { _, err := w.ListObjects(ctx, "NOSUCH"); return err }()},
		{"LastAltered", func() error { _, err := w.LastAltered(ctx, "NOSUCH"); return err }()},
		{"Columns", func() error { _, err := w.Columns(ctx, "NOSUCH", "MARTS", "ORDERS"); return err }()},
		// The read guard allows the sandbox, which is not there.
		{"Preview", func() error { _, err := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 5); return err }()},
		// The guard allows ann's sandbox, so the drop finds it missing.
		{"DropSchema", w.DropSchema(ctx, "SANDBOX_ANN", "MARTS")},
	} {
		if !errors.Is(tc.err, warehouse.ErrNotFound) {
			t.Errorf("%s of a missing database: %v", tc.call, tc.err)
		}
	}
	for _, tc := range []struct {
		call string
		err  error
	}{
		{"Columns of a missing table", func() error { _, err := w.Columns(ctx, "ANALYTICS", "MARTS", "NOSUCH"); return err }()},
		{"Columns in a missing schema", func() error { _, err := w.Columns(ctx, "ANALYTICS", "NOSUCH", "ORDERS"); return err }()},
	} {
		var we *warehouse.Error
		if !errors.As(tc.err, &we) || we.Kind != warehouse.KindMissing || we.Guide != warehouse.GuideSandbox {
			t.Errorf("%s: %v", tc.call, tc.err)
		}
	}
	// The refresh makes the sandbox; then a missing schema is missing.
	if err := w.Refresh(ctx, "SANDBOX_ANN"); err != nil {
		t.Fatal(err)
	}
	var we *warehouse.Error
	if err := w.DropSchema(ctx, "SANDBOX_ANN", "NOSUCH"); !errors.As(err, &we) || we.Kind != warehouse.KindMissing || !errors.Is(err, warehouse.ErrNotFound) {
		t.Errorf("dropping a missing schema: %v", err)
	}
	if _, err := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "NOSUCH", 5); !errors.As(err, &we) || we.Kind != warehouse.KindMissing {
		t.Errorf("preview of a missing table: %v", err)
	}
}

// TestCancelled: every call returns the context's error once it is done, and a cancelled
// write changes nothing.
func TestCancelled(t *testing.T) {
	w := New(teamSeed())
	before := contents(t, w)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		call string
		fn   func() error
	}{
		{"Identity", func() error { _, err := w.Identity(ctx); return err }},
		{"ListDatabases", func() error { _, err := w.ListDatabases(ctx); return err }},
		{"Database", func() error { _, err := w.Database(ctx, "SANDBOX_ANN"); return err }},
		{"ListSchemas", func() error { _, err := w.ListSchemas(ctx, "SANDBOX_ANN"); return err }},
		{"ListObjects", func() error { _, err := w.ListObjects(ctx, "SANDBOX_ANN"); return err }},
		{"LastAltered", func() error { _, err := w.LastAltered(ctx, "SANDBOX_ANN"); return err }},
		{"Columns", func() error { _, err := w.Columns(ctx, "SANDBOX_ANN", "MARTS", "ORDERS"); return err }},
		{"Preview", func() error { _, err := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 5); return err }},
		{"Grants", func() error { _, err := w.Grants(ctx); return err }},
		{"Refresh", func() error { return w.Refresh(ctx, "SANDBOX_ANN") }},
		{"DropSchema", func() error { return w.DropSchema(ctx, "SANDBOX_ANN", "OLD_BRANCH") }},
	} {
		if err := tc.fn(); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", tc.call, err)
		}
	}
	deadline, stop := context.WithDeadline(context.Background(), time.Now().Add(-time.Minute))
	defer stop()
	if err := w.DropSchema(deadline, "SANDBOX_ANN", "OLD_BRANCH"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("drop past its deadline: %v", err)
	}
	if after := contents(t, w); !reflect.DeepEqual(before, after) {
		t.Errorf("a cancelled write changed the warehouse:\nbefore %v\nafter  %v", before, after)
	}
}

// TestWritesAskTheGuard: Refresh and DropSchema are refused by the guard for every database
// that is not the user's own sandbox, for a sandbox whose owner mark names someone else, and
// under a read-only policy, with the guard's own error; nothing changes.
func TestWritesAskTheGuard(t *testing.T) {
	for _, tc := range []struct {
		name   string
		db     string
		change func(*Seed)
		reason string
	}{
		{"prod", "ANALYTICS", nil, "it is the production database"},
		{"prod in lower case", "analytics", nil, "it is the production database"},
		{"the clone", "ANALYTICS_CLONE", nil, "it is the clone sandboxes are refreshed from"},
		{"a protected database", "RAW", nil, "it is protected"},
		{"another user's sandbox", "SANDBOX_BOB", nil, "it is not your sandbox (yours is SANDBOX_ANN)"},
		{"a database nobody has", "SCRATCH", nil, "it is not your sandbox"},
		{"the sandbox, marked as another login's", "SANDBOX_ANN", func(s *Seed) { s.Database("SANDBOX_ANN").MarkedOwner = "ann.lee" }, "it belongs to ann.lee, not to you (ann)"},
		{"the sandbox, without an owner mark", "SANDBOX_ANN", func(s *Seed) { s.Database("SANDBOX_ANN").MarkedOwner = "" }, "carries no owner mark"},
		{"the sandbox, under a broken datatui.yml", "SANDBOX_ANN", func(s *Seed) { s.Policy.ReadOnly = "datatui.yml has an error" }, "datatui.yml has an error"},
		{"the sandbox, through another target", "SANDBOX_ANN", func(s *Seed) { s.Target = "prod" }, "target prod is not your sandbox target dev"},
		{"the sandbox, as someone the profile is not", "SANDBOX_ANN", func(s *Seed) { s.ProfileUser = "bob" }, "profiles.yml says user bob, but the session logs in as ann"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seed := teamSeed()
			if tc.change != nil {
				tc.change(&seed)
			}
			w := New(seed)
			before := contents(t, w)
			ctx := context.Background()
			for call, err := range map[string]error{"Refresh": w.Refresh(ctx, tc.db), "DropSchema": w.DropSchema(ctx, tc.db, "MARTS")} {
				var re *warehouse.RefusedError
				if !errors.As(err, &re) || re.Op != "" || !strings.Contains(err.Error(), tc.reason) {
					t.Errorf("%s(%s): %v, want a refusal saying %q", call, tc.db, err, tc.reason)
				}
			}
			if after := contents(t, w); !reflect.DeepEqual(before, after) {
				t.Errorf("a refused write changed the warehouse:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// TestDuckDBWritesAskTheGuardByFile: with the DuckDB guard the sandbox is the dev target's
// file, and a database whose file is prod's is refused whatever it is called.
func TestDuckDBWritesAskTheGuardByFile(t *testing.T) {
	dir := t.TempDir()
	file := func(name string) string { return filepath.Join(dir, name+warehouse.DuckDBExt) }
	cfg := &config.Config{Warehouse: config.Warehouse{ProdDatabase: "prod", CloneDatabase: "clone"}, DBT: config.DBT{Target: "dev"}}
	seed := Demo(DemoOptions{Policy: warehouse.DuckDBPolicy(cfg, nil, file("sandbox"), nil), Target: "dev", User: "ann", Dir: dir, ClonedAt: refreshedAt})
	ctx := context.Background()
	if err := New(seed).DropSchema(ctx, "sandbox", "offers_v1"); err != nil {
		t.Fatalf("drop in the sandbox: %v", err)
	}
	seed.Database("sandbox").Path = file("prod")
	w := New(seed)
	var re *warehouse.RefusedError
	if err := w.DropSchema(ctx, "sandbox", "offers_v1"); !errors.As(err, &re) || !strings.Contains(err.Error(), "it is the production database's file") {
		t.Errorf("drop in a sandbox that is prod's file: %v", err)
	}
	if err := w.DropSchema(ctx, "sandbox", "main"); !errors.As(err, &re) || !strings.Contains(err.Error(), "schema main is DuckDB's own") {
		t.Errorf("drop of DuckDB's main schema: %v", err)
	}
	if names := schemaNames(t, w, "sandbox"); !strings.Contains(strings.Join(names, " "), "offers_v1") {
		t.Errorf("a refused drop dropped: %v", names)
	}
}

// TestPreviewOnlyInTheSandbox: a preview reads the user's own sandbox, and anything else is
// refused by the read guard as a read.
func TestPreviewOnlyInTheSandbox(t *testing.T) {
	w := New(teamSeed())
	ctx := context.Background()
	for _, db := range []string{"ANALYTICS", "ANALYTICS_CLONE", "RAW", "SANDBOX_BOB", "NOSUCH"} {
		var re *warehouse.RefusedError
		if _, err := w.Preview(ctx, db, "MARTS", "ORDERS", 5); !errors.As(err, &re) || re.Op != "read" || !strings.Contains(err.Error(), "refusing to read "+db) {
			t.Errorf("preview of %s: %v", db, err)
		}
	}
	for _, tc := range []struct {
		n    int
		rows int
	}{{5, 3}, {2, 2}, {0, 1}, {-1, 1}} {
		p, err := w.Preview(ctx, "sandbox_ann", "marts", "orders", tc.n)
		if err != nil {
			t.Fatalf("preview of %d rows: %v", tc.n, err)
		}
		if len(p.Rows) != tc.rows || !reflect.DeepEqual(p.Columns, []string{"ID", "NOTE"}) || p.Warehouse != "TRANSFORMING" {
			t.Errorf("preview of %d rows: %+v", tc.n, p)
		}
	}
	// A read-only policy still reads.
	seed := teamSeed()
	seed.Policy.ReadOnly = "datatui.yml has an error"
	p, err := New(seed).Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 5)
	if err != nil || len(p.Rows) != 3 || p.Rows[1][1] != nil || *p.Rows[2][1] != "third" {
		t.Errorf("preview under a read-only policy: %+v %v", p, err)
	}
}

// TestRefreshAndDrop: a drop removes the schema and everything in it; a refresh makes the
// sandbox a copy of the clone, cloned now and marked as the session user's, whatever happens
// to the clone afterwards.
func TestRefreshAndDrop(t *testing.T) {
	w := New(teamSeed())
	ctx := context.Background()
	if err := w.DropSchema(ctx, "SANDBOX_ANN", "old_branch"); err != nil {
		t.Fatal(err)
	}
	if got := schemaNames(t, w, "SANDBOX_ANN"); !reflect.DeepEqual(got, []string{"MARTS"}) {
		t.Errorf("after the drop: %v", got)
	}
	if err := w.Refresh(ctx, "SANDBOX_ANN"); err != nil {
		t.Fatal(err)
	}
	if got := schemaNames(t, w, "SANDBOX_ANN"); !reflect.DeepEqual(got, []string{"MARTS", "STAGING"}) {
		t.Errorf("after the refresh: %v", got)
	}
	d, err := w.Database(ctx, "SANDBOX_ANN")
	if err != nil || !d.Created.Equal(refreshedAt) || d.Origin != "ANALYTICS_CLONE" {
		t.Errorf("refreshed sandbox: %+v %v", d, err)
	}
	objs, _ := w.ListObjects(ctx, "SANDBOX_ANN")
	for _, o := range objs {
		if o.Database != "SANDBOX_ANN" {
			t.Errorf("object %s is listed in %s", o.Key(), o.Database)
		}
	}
	// The copy is the sandbox's own: dropping from it leaves the clone whole.
	if err := w.DropSchema(ctx, "SANDBOX_ANN", "STAGING"); err != nil {
		t.Fatal(err)
	}
	if got := schemaNames(t, w, "ANALYTICS_CLONE"); !reflect.DeepEqual(got, []string{"MARTS", "STAGING"}) {
		t.Errorf("the clone after a drop in the sandbox: %v", got)
	}
	// A sandbox that does not exist yet is made, marked as ann's, so she can change it.
	seed := teamSeed()
	seed.Databases = seed.Databases[1:]
	w = New(seed)
	if err := w.Refresh(ctx, "sandbox_ann"); err != nil {
		t.Fatal(err)
	}
	if d, err := w.Database(ctx, "SANDBOX_ANN"); err != nil || d.Name != "SANDBOX_ANN" || d.Origin != "ANALYTICS_CLONE" {
		t.Errorf("the new sandbox: %+v %v", d, err)
	}
	if err := w.DropSchema(ctx, "SANDBOX_ANN", "STAGING"); err != nil {
		t.Errorf("drop in the new sandbox: %v", err)
	}
	// Without a clone there is nothing to refresh from.
	seed = teamSeed()
	seed.Databases = seed.Databases[:1]
	if err := New(seed).Refresh(ctx, "SANDBOX_ANN"); !errors.Is(err, warehouse.ErrNotFound) {
		t.Errorf("refresh without the clone: %v", err)
	}
}

// TestNothingShared: neither the seed a Warehouse was made from nor what it answers can
// change what it holds.
func TestNothingShared(t *testing.T) {
	seed := teamSeed()
	w := New(seed)
	ctx := context.Background()
	before := contents(t, w)
	seed.Databases[0].Schemas[0].Objects[0].Name = "CHANGED"
	*seed.Databases[0].Schemas[0].Objects[0].Data[0][1] = "changed"
	seed.Policy.Protected[0] = "CHANGED"
	p, err := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 5)
	if err != nil {
		t.Fatal(err)
	}
	if *p.Rows[0][1] != "first" {
		t.Errorf("the seed's rows changed the warehouse's: %q", *p.Rows[0][1])
	}
	*p.Rows[0][1] = "changed"
	cols, _ := w.Columns(ctx, "SANDBOX_ANN", "MARTS", "ORDERS")
	cols[0].Name = "CHANGED"
	w.Policy().Protected[0] = "CHANGED"
	if p, _ := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 5); *p.Rows[0][1] != "first" {
		t.Errorf("a preview's rows are the warehouse's own: %q", *p.Rows[0][1])
	}
	if cols, _ := w.Columns(ctx, "SANDBOX_ANN", "MARTS", "ORDERS"); cols[0].Name != "ID" {
		t.Errorf("the columns answered are the warehouse's own: %v", cols)
	}
	if err := w.Refresh(ctx, "RAW"); err == nil {
		t.Error("changing the seed's or the answer's protected names unprotected RAW")
	}
	if after := contents(t, w); !reflect.DeepEqual(before, after) {
		t.Errorf("the warehouse changed:\nbefore %v\nafter  %v", before, after)
	}
}

// TestConcurrentUse: reads, drops and refreshes from several goroutines at once (run with
// -race), ending in a consistent sandbox.
func TestConcurrentUse(t *testing.T) {
	w := New(teamSeed())
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 50 {
				switch i % 4 {
				case 0:
					_ = w.Refresh(ctx, "SANDBOX_ANN")
				case 1:
					_ = w.DropSchema(ctx, "SANDBOX_ANN", "MARTS")
				case 2:
					_, _ = w.ListObjects(ctx, "SANDBOX_ANN")
					_, _ = w.Preview(ctx, "SANDBOX_ANN", "MARTS", "ORDERS", 2)
				default:
					_, _ = w.ListDatabases(ctx)
					_, _ = w.Columns(ctx, "SANDBOX_ANN", "MARTS", "ORDERS")
				}
			}
		})
	}
	wg.Wait()
	if err := w.Refresh(ctx, "SANDBOX_ANN"); err != nil {
		t.Fatal(err)
	}
	if got := schemaNames(t, w, "SANDBOX_ANN"); !reflect.DeepEqual(got, []string{"MARTS", "STAGING"}) {
		t.Errorf("after it all and a refresh: %v", got)
	}
}

// TestOnlyTestsImportIt: no file of the product imports this package, so the product can never
// end up on a warehouse that is not there.
func TestOnlyTestsImportIt(t *testing.T) {
	const self = "github.com/datatui/datatui/internal/warehouse/warehousetest"
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("the module's root is not %s: %v", root, err)
	}
	here, _ := filepath.Abs(".")
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && p != root:
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || filepath.Dir(p) == here:
			return nil
		}
		f, err := parser.ParseFile(fset, p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			if strings.Trim(imp.Path.Value, `"`) == self {
				t.Errorf("%s imports the in-memory warehouse; only tests may", p)
			}
		}
		return nil
	})
	if err != nil || checked < 100 {
		t.Fatalf("checked %d files: %v", checked, err)
	}
}

// TestDemoSeedsAreFresh: each Demo seed is its own, so a test changing one leaves the next
// test's alone.
func TestDemoSeedsAreFresh(t *testing.T) {
	first := Demo(DemoOptions{})
	for _, d := range first.Databases {
		d.Schemas[0].Objects[0].Columns[0].Name = "changed"
		*d.Schemas[0].Objects[0].Data[0][0] = "changed"
		d.Schemas[0].Name = "changed"
	}
	first.Database("sandbox").Schemas = nil
	second := Demo(DemoOptions{})
	for _, d := range second.Databases {
		if s := d.Schemas[0]; s.Name == "changed" || s.Objects[0].Columns[0].Name == "changed" || *s.Objects[0].Data[0][0] == "changed" {
			t.Errorf("%s: a change to an earlier seed shows", d.Name)
		}
	}
	if len(second.Database("sandbox").Schemas) != len(second.Database("prod").Schemas)+1 {
		t.Errorf("the sandbox holds %d schemas, prod %d", len(second.Database("sandbox").Schemas), len(second.Database("prod").Schemas))
	}
}
