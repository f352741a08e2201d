package duckdb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/warehouse"
)

// TestOwnerMark: a refresh marks the sandbox file as the user's; a file marked as another
// account's is neither refreshed nor changed, and prod and the clone stay as they were.
func TestOwnerMark(t *testing.T) {
	ctx := context.Background()
	dir, w := miniWarehouse(t)
	wh := filepath.Join(dir, "warehouse")
	sandbox := filepath.Join(wh, "sandbox.duckdb")
	if err := w.Refresh(ctx, "sandbox"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(ownerPath(sandbox))
	if err != nil || warehouse.OwnerOf(string(b)) != osUser() {
		t.Fatalf("mark %q %v, want %s's", b, err, osUser())
	}
	if err := os.WriteFile(ownerPath(sandbox), []byte(warehouse.OwnerMark("someone-else")), 0o600); err != nil {
		t.Fatal(err)
	}
	prodHash, cloneHash, sandboxHash := fileHash(t, filepath.Join(wh, "prod.duckdb")), fileHash(t, filepath.Join(wh, "clone.duckdb")), fileHash(t, sandbox)
	var re *warehouse.RefusedError
	for name, err := range map[string]error{"refresh": w.Refresh(ctx, "sandbox"), "drop": w.DropSchema(ctx, "sandbox", "raw")} {
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "it belongs to someone-else") {
			t.Errorf("%s of someone else's file: %v", name, err)
		}
	}
	if fileHash(t, sandbox) != sandboxHash || fileHash(t, filepath.Join(wh, "prod.duckdb")) != prodHash || fileHash(t, filepath.Join(wh, "clone.duckdb")) != cloneHash {
		t.Error("a refused write changed a file")
	}
	// Without a mark the file's own account decides: this account's file is the user's.
	os.Remove(ownerPath(sandbox))
	if got := ownerOf(sandbox, "me"); got != "me" {
		t.Errorf("unmarked own file belongs to %q", got)
	}
}

// TestDropSchemaByFileIdentity: the dev file is a hard link to prod under its own name:
// dropping a schema is refused and prod keeps it.
func TestDropSchemaByFileIdentity(t *testing.T) {
	ctx := context.Background()
	dir, _ := miniWarehouse(t)
	wh := filepath.Join(dir, "warehouse")
	mine := filepath.Join(wh, "mine.duckdb")
	if err := os.Link(filepath.Join(wh, "prod.duckdb"), mine); err != nil {
		t.Fatal(err)
	}
	w, err := New(Options{SandboxPath: mine, Warehouse: demoPolicy()})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.DropSchema(ctx, "mine", "raw"); err == nil || !strings.Contains(err.Error(), "the production database's file") {
		t.Errorf("drop through a hard link to prod: %v", err)
	}
	p, _ := New(Options{SandboxPath: filepath.Join(wh, "prod.duckdb"), Warehouse: demoPolicy()})
	schemas, err := p.ListSchemas(ctx, "prod")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range schemas {
		found = found || s.Name == "raw"
	}
	if !found {
		t.Error("prod lost its raw schema")
	}
}
