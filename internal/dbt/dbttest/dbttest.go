// Package dbttest holds the dbt test fixtures that several packages' tests share: the shop
// manifests in internal/dbt/testdata and their unique ids, a dbt project built from a real
// jaffle-shop build's artifacts, and the part of a real manifest that tests compare against.
// It imports no datatui package, so internal/dbt's own tests can use it too.
package dbttest

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// testdata is internal/dbt/testdata, found from the repository's root.
func testdata(t testing.TB) string {
	t.Helper()
	repo := fixtures.Repo()
	if repo == "" {
		t.Fatal("dbttest: cannot tell where the repository is")
	}
	return filepath.Join(repo, "internal", "dbt", "testdata")
}

// Testdata is the path of rel (slash-separated) in internal/dbt/testdata.
func Testdata(t testing.TB, rel string) string {
	t.Helper()
	return filepath.Join(testdata(t), filepath.FromSlash(rel))
}

// CopyTree copies the tree at src into dst, writable (fixtures are read-only).
func CopyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CopyQuickProject copies testdata/quickproj (a dbt project with no target/) into dst.
func CopyQuickProject(t testing.TB, dst string) {
	t.Helper()
	CopyTree(t, Testdata(t, "quickproj"), dst)
}

// BuiltProject makes a dbt project folder whose target/ holds the named artifacts of a real
// jaffle-shop build (dbt 1.11: manifest.json, run_results.json, catalog.json), written after
// dbt_project.yml so the manifest is up to date.
func BuiltProject(t testing.TB, artifacts ...string) string {
	t.Helper()
	dir := t.TempDir()
	project := filepath.Join(dir, "dbt_project.yml")
	if err := os.WriteFile(project, []byte("name: jaffle_shop\nprofile: jaffle_shop\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(project, old, old); err != nil {
		t.Fatal(err)
	}
	for _, f := range artifacts {
		WriteArtifact(t, fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/"+f), filepath.Join(dir, "target", f))
	}
	return dir
}

// WriteArtifact copies from to to the way dbt writes an artifact: beside it, then renamed
// over it, so the file is new (a new identity) rather than changed in place.
func WriteArtifact(t testing.TB, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := to + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, to); err != nil {
		t.Fatal(err)
	}
}
