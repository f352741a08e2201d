package demo

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2" // the driver the DuckDB engine uses, to read the built file

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/duckdb"
)

// TestDemoWarehouse builds the embedded demo's warehouse and compares it with the project.
func TestDemoWarehouse(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	if err := BuildWarehouse(ctx, dir, WarehouseOptions{ClonedAt: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), MetaDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "datatui.yml"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := duckdb.New(duckdb.Options{SandboxPath: filepath.Join(dir, "warehouse", "sandbox.duckdb"), Warehouse: cfg.Warehouse})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := warehouse.Inspect(ctx, w, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := objectNames(snap.Objects)
	for _, want := range []string{"marts.dim_users:table", "raw.users:table", "reference.country_codes:table", "staging.stg_users:view"} {
		if !slices.Contains(got, want) {
			t.Errorf("sandbox lacks %s: %v", want, got)
		}
	}
	g, err := quickparse.QuickParse(dir)
	if err != nil {
		t.Fatal(err)
	}
	d := warehouse.Compare(g, snap, "main", dir)
	if !slices.Equal(d.Leftover, []string{"offers_v1"}) {
		t.Errorf("leftover %v", d.Leftover)
	}
	var missing []string
	for _, m := range d.Missing {
		missing = append(missing, m.Name)
	}
	if !slices.Contains(missing, "kpi_weekly") || slices.Contains(missing, "dim_users") || slices.Contains(missing, "users") {
		t.Errorf("missing %v", missing)
	}
	// The views work in the copy (they name no database).
	conn, err := sql.Open("duckdb", w.SandboxPath()+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRow("SELECT count(*) FROM staging.stg_users").Scan(&n); err != nil || n == 0 {
		t.Errorf("stg_users in the sandbox: %d %v", n, err)
	}
	// A second build keeps the files.
	before := fileSum(t, w.SandboxPath())
	if err := BuildWarehouse(ctx, dir, WarehouseOptions{MetaDir: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	if fileSum(t, w.SandboxPath()) != before {
		t.Error("BuildWarehouse rebuilt an existing sandbox")
	}
}

func fileSum(t *testing.T, p string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func objectNames(objs []warehouse.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.Schema+"."+o.Name+":"+o.Kind)
	}
	return out
}
