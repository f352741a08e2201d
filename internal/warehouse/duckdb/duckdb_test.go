package duckdb

import (
	"context"
	"crypto/sha256"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/warehouse"
)

var clonedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

// miniWarehouse builds prod, clone and sandbox files from testdata/mini in a temp dir.
func miniWarehouse(t *testing.T) (dir string, w *Warehouse) {
	t.Helper()
	dir = t.TempDir()
	dbttest.CopyTree(t, "testdata/mini", dir)
	buildMini(t, dir)
	w, err := New(Options{SandboxPath: filepath.Join(dir, "warehouse", "sandbox.duckdb"), Warehouse: demoPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	return dir, w
}

// buildMini builds warehouse/prod.duckdb from dir's seeds, the clone from prod and the
// sandbox from the clone (cloned at clonedAt), with a left-over schema offers_v1.
func buildMini(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	wh := filepath.Join(dir, "warehouse")
	if err := os.MkdirAll(wh, 0o755); err != nil {
		t.Fatal(err)
	}
	prod, clone, sandbox := filepath.Join(wh, "prod.duckdb"), filepath.Join(wh, "clone.duckdb"), filepath.Join(wh, "sandbox.duckdb")
	if err := CreateFromSeeds(ctx, filepath.Join(dir, "seeds"), prod, nil); err != nil {
		t.Fatal(err)
	}
	if err := CloneFile(ctx, prod, clone, "", "prod", clonedAt); err != nil {
		t.Fatal(err)
	}
	if err := CloneFile(ctx, clone, sandbox, "", "clone", clonedAt); err != nil {
		t.Fatal(err)
	}
	if err := ExecFile(ctx, sandbox, []string{`CREATE SCHEMA "offers_v1"`, `CREATE TABLE "offers_v1"."offer_redemptions_old" AS SELECT 5001 AS offer_id`}); err != nil {
		t.Fatal(err)
	}
}

func demoPolicy() config.Warehouse {
	w := config.Default().Warehouse
	w.ProdDatabase, w.CloneDatabase, w.SandboxPattern = "prod", "clone", "sandbox_{user}"
	w.Protected = []string{"raw_landing"}
	return w
}

func objectNames(objs []warehouse.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Schema+"."+o.Name+":"+o.Kind)
	}
	return out
}

func TestListMini(t *testing.T) {
	ctx := context.Background()
	_, w := miniWarehouse(t)
	schemas, err := w.ListSchemas(ctx, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range schemas {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "offers_v1,raw" {
		t.Errorf("schemas %s", got)
	}
	objs, err := w.ListObjects(ctx, "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"offers_v1.offer_redemptions_old:table", "raw.orders:table", "raw.people:table"}
	if got := objectNames(objs); !slices.Equal(got, want) {
		t.Errorf("objects %v, want %v", got, want)
	}
	for _, o := range objs {
		if o.Name == "orders" && (o.Rows != 3 || o.Database != "sandbox" || o.Bytes != -1) {
			t.Errorf("orders %+v", o)
		}
	}
	db, err := w.Database(ctx, "SANDBOX")
	if err != nil {
		t.Fatal(err)
	}
	if !db.Created.Equal(clonedAt) || db.Origin != "clone" || db.Bytes <= 0 || db.Name != "sandbox" {
		t.Errorf("sandbox %+v", db)
	}
	dbs, err := w.ListDatabases(ctx)
	if err != nil || len(dbs) != 3 {
		t.Fatalf("databases %+v %v", dbs, err)
	}
	if _, err := w.Database(ctx, "nope"); !errors.Is(err, warehouse.ErrNotFound) {
		t.Errorf("missing database: %v", err)
	}
	if _, err := w.ListObjects(ctx, "nope"); !errors.Is(err, warehouse.ErrNotFound) {
		t.Errorf("listing a missing database: %v", err)
	}
	id, err := w.Identity(ctx)
	if err != nil || id.Engine != "duckdb" || id.Database != "sandbox" {
		t.Errorf("identity %+v %v", id, err)
	}
}

// mark adds a table only the current sandbox has, to tell an old sandbox from a new one.
func mark(t *testing.T, path string) {
	t.Helper()
	conn, err := open(path, false)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Exec(`CREATE SCHEMA scratch; CREATE TABLE scratch.marker AS SELECT 42 AS answer; CHECKPOINT`); err != nil {
		t.Fatal(err)
	}
}

func hasSchema(t *testing.T, w *Warehouse, name string) bool {
	t.Helper()
	schemas, err := w.ListSchemas(context.Background(), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(schemas, func(s warehouse.Schema) bool { return s.Name == name })
}

func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(dir, "warehouse"))
	var out []string
	for _, e := range entries {
		if strings.Contains(e.Name(), "refresh-") || strings.HasSuffix(e.Name(), ".wal.old") || strings.Contains(e.Name(), ".tmp") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestRefreshReplacesSandbox(t *testing.T) {
	ctx := context.Background()
	dir, w := miniWarehouse(t)
	mark(t, w.SandboxPath())
	if !hasSchema(t, w, "scratch") {
		t.Fatal("marker missing")
	}
	before := time.Now().Add(-time.Second)
	if err := w.Refresh(ctx, "sandbox"); err != nil {
		t.Fatal(err)
	}
	if hasSchema(t, w, "scratch") || hasSchema(t, w, "offers_v1") || !hasSchema(t, w, "raw") {
		t.Error("sandbox is not a copy of the clone after refresh")
	}
	db, err := w.Database(ctx, "sandbox")
	if err != nil || db.Created.Before(before) || db.Origin != "clone" {
		t.Errorf("after refresh %+v %v", db, err)
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temp files left: %v", l)
	}
}

func TestRefreshCreatesMissingSandbox(t *testing.T) {
	_, w := miniWarehouse(t)
	os.Remove(w.SandboxPath())
	if err := w.Refresh(context.Background(), "sandbox"); err != nil {
		t.Fatal(err)
	}
	if !hasSchema(t, w, "raw") {
		t.Error("no sandbox after refresh")
	}
}

func TestInterruptedRefreshKeepsOldSandbox(t *testing.T) {
	dir, w := miniWarehouse(t)
	mark(t, w.SandboxPath())
	// Cancelled at the last moment: the copy is complete but not yet renamed into place.
	ctx, cancel := context.WithCancel(context.Background())
	hookBeforeRename = cancel
	t.Cleanup(func() { hookBeforeRename = nil })
	err := w.Refresh(ctx, "sandbox")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	hookBeforeRename = nil
	if !hasSchema(t, w, "scratch") {
		t.Error("the old sandbox was lost by an interrupted refresh")
	}
	db, _ := w.Database(context.Background(), "sandbox")
	if !db.Created.Equal(clonedAt) {
		t.Errorf("clone date changed by an interrupted refresh: %v", db.Created)
	}
	// Cancelled before it started.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	if err := w.Refresh(ctx2, "sandbox"); err == nil {
		t.Error("a cancelled refresh succeeded")
	}
	if !hasSchema(t, w, "scratch") {
		t.Error("the old sandbox was lost by a cancelled refresh")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("temp files left: %v", l)
	}
}

func fileHash(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestGuardRefusesWrites proves prod, the clone, protected databases and other people's
// sandboxes are never written, even when profiles.yml's dev target points at them.
func TestGuardRefusesWrites(t *testing.T) {
	ctx := context.Background()
	dir, w := miniWarehouse(t)
	wh := filepath.Join(dir, "warehouse")
	prodHash, cloneHash := fileHash(t, filepath.Join(wh, "prod.duckdb")), fileHash(t, filepath.Join(wh, "clone.duckdb"))
	for _, db := range []string{"prod", "PROD", `"prod"`, "clone", "raw_landing", "sandbox_BOB", "other", ""} {
		var re *warehouse.RefusedError
		if err := w.Refresh(ctx, db); !errors.As(err, &re) {
			t.Errorf("Refresh(%q) = %v, want refused", db, err)
		}
		if err := w.DropSchema(ctx, db, "raw"); !errors.As(err, &re) {
			t.Errorf("DropSchema(%q) = %v, want refused", db, err)
		}
	}
	// The dev target pointing at prod's file: its database is "prod", which is refused.
	for _, f := range []string{"prod.duckdb", "clone.duckdb"} {
		bad, err := New(Options{SandboxPath: filepath.Join(wh, f), Warehouse: demoPolicy()})
		if err != nil {
			t.Fatal(err)
		}
		name := DatabaseName(f)
		if err := bad.Refresh(ctx, name); err == nil || !strings.Contains(err.Error(), "refusing to write "+name) {
			t.Errorf("%s as dev target: %v", f, err)
		}
		if err := bad.DropSchema(ctx, name, "raw"); err == nil {
			t.Errorf("%s as dev target: drop allowed", f)
		}
	}
	// A dev file named differently but being prod's file (a symlink) is refused by file identity.
	link := filepath.Join(wh, "mine.duckdb")
	if err := os.Symlink(filepath.Join(wh, "prod.duckdb"), link); err != nil {
		t.Fatal(err)
	}
	linked, _ := New(Options{SandboxPath: link, Warehouse: demoPolicy()})
	if err := linked.Refresh(ctx, "mine"); err == nil || !strings.Contains(err.Error(), "is the production database's file") {
		t.Errorf("symlink to prod: %v", err)
	}
	if fileHash(t, filepath.Join(wh, "prod.duckdb")) != prodHash || fileHash(t, filepath.Join(wh, "clone.duckdb")) != cloneHash {
		t.Error("prod or clone changed")
	}
}

func TestDropSchema(t *testing.T) {
	ctx := context.Background()
	_, w := miniWarehouse(t)
	if err := w.DropSchema(ctx, "sandbox", "offers_v1"); err != nil {
		t.Fatal(err)
	}
	if hasSchema(t, w, "offers_v1") || !hasSchema(t, w, "raw") {
		t.Error("drop schema did not drop exactly offers_v1")
	}
	if err := w.DropSchema(ctx, "sandbox", "main"); err == nil {
		t.Error("dropping main was allowed")
	}
	if err := w.DropSchema(ctx, "sandbox", `no"such`); err == nil || !strings.Contains(err.Error(), `no"such`) {
		t.Errorf("dropping a missing schema: %v", err)
	}
}

func TestNewNeedsAFile(t *testing.T) {
	for _, p := range []string{"", ":memory:"} {
		if _, err := New(Options{SandboxPath: p}); err == nil || !strings.Contains(err.Error(), "set-up-your-environment") {
			t.Errorf("%q: %v", p, err)
		}
	}
}

// TestColumnsAndPreview: columns in order with DuckDB's types; a preview reads the sandbox's
// own file only, read-only, and is refused for prod, the clone and a file that merely has
// the sandbox's name.
func TestColumnsAndPreview(t *testing.T) {
	ctx := context.Background()
	dir, w := miniWarehouse(t)
	cols, err := w.Columns(ctx, "sandbox", "raw", "orders")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+" "+c.Type)
	}
	// The seed's header, with the types DuckDB's CSV reader gave them.
	if want := []string{"id BIGINT", "customer VARCHAR", "amount_cents BIGINT"}; !slices.Equal(got, want) {
		t.Errorf("columns %q, want %q", got, want)
	}
	before := fileHash(t, w.SandboxPath())
	p, err := w.Preview(ctx, "sandbox", "raw", "orders", 2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Columns, []string{"id", "customer", "amount_cents"}) || len(p.Rows) != 2 || p.Warehouse != "" {
		t.Fatalf("preview %+v", p)
	}
	if r := p.Rows[0]; *r[0] != "1" || *r[1] != "ann" || *r[2] != "1200" {
		t.Errorf("first row %q %q %q", *r[0], *r[1], *r[2])
	}
	if fileHash(t, w.SandboxPath()) != before {
		t.Error("the preview changed the sandbox file")
	}
	for _, db := range []string{"prod", "clone", "raw_landing", "sandbox_bob"} {
		var re *warehouse.RefusedError
		if _, err := w.Preview(ctx, db, "raw", "orders", 2); !errors.As(err, &re) || re.Op != "read" || !strings.HasPrefix(err.Error(), "refusing to read "+db) {
			t.Errorf("preview of %s: %v", db, err)
		}
	}
	// A second engine whose sandbox name maps (through Files) to prod's file.
	w2, err := New(Options{SandboxPath: filepath.Join(dir, "warehouse", "sandbox.duckdb"), Warehouse: demoPolicy(),
		Files: map[string]string{"SANDBOX2": filepath.Join(dir, "warehouse", "prod.duckdb")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w2.Preview(ctx, "sandbox2", "raw", "orders", 1); err == nil {
		t.Error("a preview of prod's file through another name was allowed")
	}
}
