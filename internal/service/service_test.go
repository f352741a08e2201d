package service

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/workspace"
)

// builtWorkspace is a workspace whose dbt project holds a real jaffle-shop build's artifacts.
func builtWorkspace(t *testing.T) *workspace.Workspace {
	dir := dbttest.BuiltProject(t, "manifest.json", "run_results.json")
	return &workspace.Workspace{Root: dir, ProjectDir: dir, StateDir: t.TempDir(), Config: config.Default()}
}

// TestLoadLineage: a broken catalog.json is a warning beside a usable graph; production's
// manifest (datatui.yml's dbt.prod_manifest, relative to the repository) is loaded for
// state: selectors; a second load is served from the shared store.
func TestLoadLineage(t *testing.T) {
	ws := builtWorkspace(t)
	if err := os.WriteFile(filepath.Join(ws.ProjectDir, "target", "catalog.json"), []byte(`{"nodes": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	prod := filepath.Join(ws.Root, "prod-state")
	if err := os.MkdirAll(prod, 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(ws.ProjectDir, "target", "manifest.json"))
	if err := os.WriteFile(filepath.Join(prod, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	ws.Config.DBT.ProdManifest = "prod-state"
	s := New(ws, Options{})
	l, err := s.LoadLineage(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if l.Graph == nil || l.Runs == nil || l.State == nil || l.Catalog != nil {
		t.Fatalf("lineage %+v", l)
	}
	if len(l.Warnings) != 1 || !strings.Contains(l.Warnings[0], "catalog") || !strings.Contains(l.Warnings[0], "dbt docs generate") {
		t.Fatalf("warnings %q", l.Warnings)
	}
	if _, err := s.LoadLineage(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	if n := s.Artifacts().Loads(); n[artifacts.KindGraph] != 1 || n[artifacts.KindManifest] != 1 || n[artifacts.KindRunResults] != 1 {
		t.Fatalf("loads %v", n)
	}
	if _, err := New(nil, Options{}).LoadLineage(context.Background(), false); err == nil {
		t.Fatal("no workspace loaded a lineage")
	}
}

func TestProdStateDir(t *testing.T) {
	ws := &workspace.Workspace{Root: "/repo", Config: config.Default()}
	if got := ProdStateDir(ws); got != "" {
		t.Fatalf("unset: %q", got)
	}
	ws.Config.DBT.ProdManifest = "state/prod"
	if got := ProdStateDir(ws); got != filepath.Join("/repo", "state", "prod") {
		t.Fatalf("relative: %q", got)
	}
	ws.Config.DBT.ProdManifest = "/abs/prod"
	if got := ProdStateDir(ws); got != "/abs/prod" {
		t.Fatalf("absolute: %q", got)
	}
}

// TestDBTRunnerAsksTheSession: the runner every caller gets identifies the session before the
// write guard decides (a runner without it would judge by the profile's names alone).
func TestDBTRunnerAsksTheSession(t *testing.T) {
	r := New(builtWorkspace(t), Options{}).DBT()
	if r.Identify == nil || r.Dir == "" {
		t.Fatalf("runner %+v", r)
	}
}
