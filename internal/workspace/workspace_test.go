package workspace

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
)

// writeFiles creates files (slash paths relative to dir) with the given contents.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenWalksUpToProjectAndGitRoot(t *testing.T) {
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		".git/HEAD":                          "ref: refs/heads/main\n",
		"datatui.yml":                        "warehouse:\n  sandbox_pattern: DEV_{user}\n",
		"analytics/dbt_project.yml":          "name: a\nprofile: a\n",
		"analytics/models/staging/stg_x.sql": "select 1\n",
	})
	state := t.TempDir()
	ws, err := Open(Options{Start: filepath.Join(repo, "analytics", "models", "staging"), StateHome: state})
	if err != nil {
		t.Fatal(err)
	}
	if ws.ProjectDir != filepath.Join(repo, "analytics") || ws.Root != repo || !ws.InGit || ws.Demo {
		t.Fatalf("got %+v", ws)
	}
	if ws.ConfigPath != filepath.Join(repo, "datatui.yml") || ws.Config.Warehouse.SandboxPattern != "DEV_{user}" {
		t.Errorf("config not read from the repository root: %q %+v", ws.ConfigPath, ws.Config.Warehouse)
	}
	if !strings.HasPrefix(ws.StateDir, filepath.Join(state, "repos", filepath.Base(repo)+"-")) {
		t.Errorf("StateDir = %q", ws.StateDir)
	}
	if ws.Path("models", "x.sql") != filepath.Join(repo, "analytics", "models", "x.sql") || ws.TargetDir() != filepath.Join(repo, "analytics", "target") {
		t.Error("Path/TargetDir")
	}
	dir, err := ws.EnsureStateDir()
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("state dir %v %v", st, err)
	}
}

func TestOpenProjectWithoutGitOrConfig(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"dbt_project.yml": "name: a\n"})
	ws, err := Open(Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if ws.Root != dir || ws.InGit || ws.ConfigPath != "" || ws.Config.DBT.Target != "dev" {
		t.Fatalf("got %+v", ws)
	}
}

func TestOpenConfigInProjectDir(t *testing.T) {
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		".git/HEAD":             "x",
		"dbt/dbt_project.yml":   "name: a\n",
		"dbt/datatui.yml":       "dbt:\n  starter_model: stg_orders\n",
		"dbt/models/.gitignore": "",
	})
	ws, err := Open(Options{Start: filepath.Join(repo, "dbt", "models"), StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if ws.Config.DBT.StarterModel != "stg_orders" {
		t.Errorf("datatui.yml beside dbt_project.yml not read: %q", ws.ConfigPath)
	}
}

func TestOpenExplicitProjectWithoutDBTProjectFails(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(Options{Project: dir, StateHome: t.TempDir()})
	if !errors.Is(err, ErrNoProject) || ws != nil {
		t.Fatalf("want ErrNoProject and no workspace, got %v %+v", err, ws)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("error does not name the folder: %v", err)
	}
}

func TestOpenBrokenConfigNamesFileLineAndKey(t *testing.T) {
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"dbt_project.yml": "name: a\n",
		"datatui.yml":     "version: 1\nwarehouse:\n  prod_database: PROD\n  sandbox_patern: X_{user}\n",
	})
	ws, err := Open(Options{Start: repo, StateHome: t.TempDir()})
	var cerr *config.Error
	if !errors.As(err, &cerr) {
		t.Fatalf("want *config.Error, got %v", err)
	}
	want := filepath.Join(repo, "datatui.yml") + ":4: warehouse.sandbox_patern: unknown key"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q, want prefix %q", err, want)
	}
	// The workspace is still usable with the defaults, state folder included.
	if ws == nil || ws.Config == nil || ws.Config.DBT.Target != "dev" || ws.StateDir == "" {
		t.Fatalf("unusable workspace alongside the error: %+v", ws)
	}
}

func TestOpenExplicitConfigFile(t *testing.T) {
	repo := t.TempDir()
	writeFiles(t, repo, map[string]string{
		"dbt_project.yml": "name: a\n",
		"datatui.yml":     "dbt:\n  starter_model: from_repo\n",
		"other.yml":       "dbt:\n  starter_model: from_flag\n",
	})
	ws, err := Open(Options{Start: repo, ConfigFile: filepath.Join(repo, "other.yml"), StateHome: t.TempDir()})
	if err != nil || ws.Config.DBT.StarterModel != "from_flag" {
		t.Fatalf("--config not used: %v %+v", err, ws)
	}
	ws, err = Open(Options{Start: repo, ConfigFile: filepath.Join(repo, "missing.yml"), StateHome: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "--config") || ws == nil || ws.Config == nil {
		t.Fatalf("missing --config file: %v %+v", err, ws)
	}
}

func TestOpenWithoutProjectSaysSo(t *testing.T) {
	if _, err := Open(Options{Start: t.TempDir(), StateHome: t.TempDir()}); !errors.Is(err, ErrNoProject) {
		t.Fatalf("no project: %v", err)
	}
}

func TestRepoKeySeparatesClones(t *testing.T) {
	a, b := repoKey("/home/x/analytics"), repoKey("/tmp/analytics")
	if a == b || !strings.HasPrefix(a, "analytics-") || len(a) != len("analytics-")+10 {
		t.Errorf("repoKey: %q %q", a, b)
	}
}

func TestStateHome(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg")
	if got := StateHome(); got != filepath.Join("/xdg", "datatui") {
		t.Errorf("StateHome = %q", got)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", "/home/u")
	if got := StateHome(); got != filepath.Join("/home/u", ".local", "state", "datatui") {
		t.Errorf("StateHome = %q", got)
	}
}
