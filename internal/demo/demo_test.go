package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/workspace"
)

func demoFileString(t *testing.T, rel string) string {
	t.Helper()
	b, err := File(rel)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDemoProjectShape checks the embedded project is the realistic one the screens rely on:
// 15+ models across the layers, every model documented, tests, a snapshot, a singular test,
// an exposure, seeds read as sources.
func TestDemoProjectShape(t *testing.T) {
	files, err := Files()
	if err != nil {
		t.Fatal(err)
	}
	var models []string
	documented := map[string]bool{}
	var exposures, tests int
	for _, f := range files {
		switch {
		case strings.HasPrefix(f, "models/") && strings.HasSuffix(f, ".sql"):
			models = append(models, strings.TrimSuffix(path.Base(f), ".sql"))
		case strings.HasSuffix(f, ".yml") && (strings.HasPrefix(f, "models/") || strings.HasPrefix(f, "snapshots/")):
			var doc struct {
				Models []struct {
					Name        string `yaml:"name"`
					Description string `yaml:"description"`
					Columns     []struct {
						Tests []any `yaml:"data_tests"`
					} `yaml:"columns"`
				} `yaml:"models"`
				Exposures []struct {
					Type string `yaml:"type"`
				} `yaml:"exposures"`
			}
			if err := yaml.Unmarshal([]byte(demoFileString(t, f)), &doc); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for _, m := range doc.Models {
				if strings.TrimSpace(m.Description) != "" {
					documented[m.Name] = true
				}
				for _, c := range m.Columns {
					tests += len(c.Tests)
				}
			}
			exposures += len(doc.Exposures)
		}
	}
	if len(models) < 15 {
		t.Errorf("%d models, want 15 or more", len(models))
	}
	for _, m := range models {
		if !documented[m] {
			t.Errorf("model %s has no description in a schema file", m)
		}
	}
	for _, prefix := range []string{"stg_", "int_", "dim_", "fct_", "kpi_"} {
		if !slices.ContainsFunc(models, func(m string) bool { return strings.HasPrefix(m, prefix) }) {
			t.Errorf("no %s model", prefix)
		}
	}
	if tests < 30 || exposures < 1 {
		t.Errorf("%d column tests, %d exposures", tests, exposures)
	}
	for _, want := range []string{"dbt_project.yml", "profiles.yml", "datatui.yml", "README.md", ".gitignore",
		"snapshots/offers_snapshot.sql", "tests/assert_cashback_never_exceeds_amount.sql", "seeds/raw/users.csv",
		"models/marts/core/fct_transactions.sql", "models/marts/growth/kpi_weekly.sql"} {
		if !slices.Contains(files, want) {
			t.Errorf("missing %s", want)
		}
	}
	if !strings.Contains(demoFileString(t, "models/marts/core/fct_transactions.sql"), "materialized='incremental'") {
		t.Error("fct_transactions is not incremental")
	}
	if !strings.Contains(demoFileString(t, "models/staging/app/stg_users.sql"), "source('app', 'users')") {
		t.Error("stg_users does not read its source")
	}
	var total int
	for _, f := range files {
		total += len(demoFileString(t, f))
	}
	if total > 150_000 {
		t.Errorf("demo is %d bytes, keep it under 150 KB", total)
	}
}

func TestDemoSeedsAreSmallAndRectangular(t *testing.T) {
	files, _ := Files()
	for _, f := range files {
		if !strings.HasSuffix(f, ".csv") {
			continue
		}
		lines := strings.Split(strings.TrimSuffix(demoFileString(t, f), "\n"), "\n")
		if n := len(lines) - 1; n < 10 || n > 250 {
			t.Errorf("%s has %d rows", f, n)
		}
		cols := strings.Count(lines[0], ",")
		for i, l := range lines {
			if strings.Count(l, ",") != cols {
				t.Errorf("%s:%d has a different column count", f, i+1)
			}
		}
	}
}

func TestDemoConfigFiles(t *testing.T) {
	cfg, err := config.Parse("datatui.yml", []byte(demoFileString(t, "datatui.yml")))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GitHub.Repo != "example-org/cashback-analytics" || cfg.DBT.StarterModel != "stg_users" || cfg.Onboarding.Adapter != "duckdb" {
		t.Errorf("datatui.yml: %+v", cfg)
	}
	var project struct {
		Name    string `yaml:"name"`
		Profile string `yaml:"profile"`
	}
	if err := yaml.Unmarshal([]byte(demoFileString(t, "dbt_project.yml")), &project); err != nil || project.Name != "cashback" || project.Profile != "cashback" {
		t.Errorf("dbt_project.yml: %+v %v", project, err)
	}
	var profiles map[string]struct {
		Target  string `yaml:"target"`
		Outputs map[string]struct {
			Type string `yaml:"type"`
			Path string `yaml:"path"`
		} `yaml:"outputs"`
	}
	if err := yaml.Unmarshal([]byte(demoFileString(t, "profiles.yml")), &profiles); err != nil {
		t.Fatal(err)
	}
	p := profiles["cashback"]
	if p.Target != "dev" || p.Outputs["dev"].Type != "duckdb" || p.Outputs["dev"].Path != "warehouse/sandbox.duckdb" || p.Outputs["prod"].Path != "warehouse/prod.duckdb" {
		t.Errorf("profiles.yml: %+v", p)
	}
}

func TestDemoEditsApplyToEmbeddedFiles(t *testing.T) {
	for _, e := range demoEdits() {
		if n := strings.Count(demoFileString(t, e.file), e.onBranch); n != 1 {
			t.Errorf("%s: the branch's text appears %d times, want once", e.file, n)
		}
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	files, _ := Files()
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		out[f] = string(b)
	}
	return out
}

func TestWriteDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "project")
	kept, err := Write(dir)
	if err != nil || len(kept) != 0 {
		t.Fatalf("first write: %v kept=%v", err, kept)
	}
	files, _ := Files()
	for _, f := range files {
		if got := readTree(t, dir)[f]; got != demoFileString(t, f) {
			t.Fatalf("%s not written as embedded", f)
		}
	}

	// A second start changes nothing.
	kept, err = Write(dir)
	if err != nil || len(kept) != 0 {
		t.Fatalf("re-run: %v kept=%v", err, kept)
	}

	// A user's edit is kept, and reported on every start.
	edited := filepath.Join(dir, "models", "staging", "app", "stg_users.sql")
	if err := os.WriteFile(edited, []byte("select 1 as my_edit\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		kept, err = Write(dir)
		if err != nil || !slices.Equal(kept, []string{"models/staging/app/stg_users.sql"}) {
			t.Fatalf("edit: %v kept=%v", err, kept)
		}
		if b, _ := os.ReadFile(edited); string(b) != "select 1 as my_edit\n" {
			t.Fatal("user edit overwritten")
		}
	}

	// A deleted file comes back.
	readme := filepath.Join(dir, "README.md")
	os.Remove(readme)
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(readme); err != nil {
		t.Fatal("deleted file not restored")
	}
}

// TestWriteDemoAppliesUpdates simulates a file written by an older datatui (recorded in the
// written list, unedited since): the new embedded version replaces it.
func TestWriteDemoAppliesUpdates(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	const rel = "models/marts/core/dim_merchants.sql"
	old := []byte("-- version from an older datatui\nselect 1\n")
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(rel)), old, 0o644); err != nil {
		t.Fatal(err)
	}
	listPath := filepath.Join(dir, writtenList)
	var list map[string]string
	b, _ := os.ReadFile(listPath)
	if err := json.Unmarshal(b, &list); err != nil {
		t.Fatal(err)
	}
	list[rel] = hash(old)
	b, _ = json.Marshal(list)
	os.WriteFile(listPath, b, 0o644)

	kept, err := Write(dir)
	if err != nil || len(kept) != 0 {
		t.Fatalf("%v kept=%v", err, kept)
	}
	if readTree(t, dir)[rel] != demoFileString(t, rel) {
		t.Fatal("unedited old file not updated")
	}
}

func TestWriteDemoDamagedListKeepsFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, writtenList), []byte("{not json"), 0o644)
	p := filepath.Join(dir, "README.md")
	os.WriteFile(p, []byte("mine\n"), 0o644)
	kept, err := Write(dir)
	if err != nil || !slices.Equal(kept, []string{"README.md"}) {
		t.Fatalf("%v kept=%v", err, kept)
	}
	if b, _ := os.ReadFile(p); string(b) != "mine\n" {
		t.Fatal("file overwritten although datatui cannot tell who wrote it")
	}
}

// hermeticGit points git at an empty HOME and no system config, so the user's settings
// (signing, hooks, default branch) cannot change what the test sees.
func hermeticGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
}

func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestOpenDemoInitialisesGit(t *testing.T) {
	hermeticGit(t)
	state := t.TempDir()
	ws, err := Open(state, "demo")
	if err != nil {
		t.Fatal(err)
	}
	dir := ws.Root
	if !ws.InGit || ws.Notice != "demo" {
		t.Fatalf("InGit=%v notice=%q", ws.InGit, ws.Notice)
	}
	if got := gitT(t, dir, "branch", "--show-current"); got != Branch {
		t.Errorf("branch %q", got)
	}
	if got := gitT(t, dir, "status", "--porcelain"); got != "M models/marts/growth/kpi_weekly.sql" {
		t.Errorf("status:\n%s", got)
	}
	// The demo's warehouse files are built beside their final name on first start, while Home
	// already reads git status: they are not the user's changes.
	building := []string{"prod.duckdb.building", "prod.duckdb.building.wal"}
	for _, f := range building {
		if err := os.WriteFile(filepath.Join(dir, "warehouse", f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if got := gitT(t, dir, "status", "--porcelain"); got != "M models/marts/growth/kpi_weekly.sql" {
		t.Errorf("status while the warehouse is built:\n%s", got)
	}
	for _, f := range building {
		os.Remove(filepath.Join(dir, "warehouse", f))
	}
	if got := gitT(t, dir, "log", "--format=%an|%s", "main..HEAD"); got != "datatui demo|Add hours_to_redeem to fct_offer_redemptions" {
		t.Errorf("branch commits: %q", got)
	}
	if got := gitT(t, dir, "diff", "--name-only", "main", "HEAD"); got != "models/marts/growth/_growth.yml\nmodels/marts/growth/fct_offer_redemptions.sql" {
		t.Errorf("committed change touches:\n%s", got)
	}
	if gitT(t, dir, "rev-parse", "origin/main") != gitT(t, dir, "rev-parse", "main") {
		t.Error("origin/main does not point at main")
	}
	if got := gitT(t, dir, "remote", "get-url", "origin"); got != Remote {
		t.Errorf("origin %q", got)
	}
	// main has the project without the branch's changes.
	onMain := gitT(t, dir, "show", "main:models/marts/growth/fct_offer_redemptions.sql")
	if strings.Contains(onMain, "hours_to_redeem") || !strings.Contains(onMain, "first_transacted_at") {
		t.Error("main holds the branch's change")
	}
	// The working tree is exactly the embedded project, so the next start sees no edits.
	files, _ := Files()
	tree := readTree(t, dir)
	for _, f := range files {
		if tree[f] != demoFileString(t, f) {
			t.Errorf("%s differs from the embedded file", f)
		}
	}
	head := gitT(t, dir, "rev-parse", "HEAD")
	ws2, err := Open(state, "demo")
	if err != nil || ws2.Notice != "demo" {
		t.Fatalf("second start: %v %q", err, ws2.Notice)
	}
	if gitT(t, dir, "rev-parse", "HEAD") != head || gitT(t, dir, "status", "--porcelain") != "M models/marts/growth/kpi_weekly.sql" {
		t.Error("second start changed the repository")
	}
	// Fixed author dates make the history identical on every machine.
	if got := gitT(t, dir, "log", "-1", "--format=%aI", "main"); got != "2026-11-20T10:00:00Z" && got != "2026-11-20T10:00:00+00:00" {
		t.Errorf("main date %q", got)
	}
}

func TestOpenDemoWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	ws, err := Open(t.TempDir(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if ws.InGit || !strings.Contains(ws.Notice, "git is not installed") {
		t.Errorf("InGit=%v notice=%q", ws.InGit, ws.Notice)
	}
	if _, err := os.Stat(filepath.Join(ws.Root, "dbt_project.yml")); err != nil {
		t.Error("project not written")
	}
	if err := InitGit(context.Background(), nil, ws.Root); !errors.Is(err, ErrGitMissing) {
		t.Errorf("InitGit = %v", err)
	}
}

// TestInitDemoGitRollsBack uses a git stand-in that fails on commit: the folder must be left
// without .git, with its files untouched and no temporary folder beside it, so the next start
// can try again.
func TestInitDemoGitRollsBack(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("shell script stand-in")
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nfor a; do case $a in commit) echo 'fatal: disk full' >&2; exit 1;; esac; done\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	parent := t.TempDir()
	dir := filepath.Join(parent, "project")
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	err := InitGit(context.Background(), nil, dir)
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "git commit") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".git")); !errors.Is(err, os.ErrNotExist) {
		t.Error(".git left behind")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 1 {
		t.Errorf("left beside the project: %v", entries)
	}
	tree := readTree(t, dir)
	for _, e := range demoEdits() {
		if !bytes.Equal([]byte(tree[e.file]), []byte(demoFileString(t, e.file))) {
			t.Errorf("%s changed", e.file)
		}
	}
	ws, err := Open(t.TempDir(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if ws.InGit || !strings.Contains(ws.Notice, "could not set up the demo's git history") {
		t.Errorf("InGit=%v notice=%q", ws.InGit, ws.Notice)
	}
}

// BenchmarkOpenDemoWarm is the cost the demo adds to every start after the first: compare the
// embedded files with the folder, read datatui.yml. It must stay far below the 100 ms budget.
func BenchmarkOpenDemoWarm(b *testing.B) {
	b.Setenv("PATH", b.TempDir())
	state := b.TempDir()
	if _, err := Open(state, "demo"); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(state, "demo"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestDemoSourcesJSONMovesToNowAndYieldsToRealRuns(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2027, 3, 4, 15, 30, 0, 0, time.UTC)
	if err := writeDemoArtifacts(dir, now); err != nil {
		t.Fatal(err)
	}
	sf, err := dbt.LoadSourceFreshness(filepath.Join(dir, "target"))
	if err != nil {
		t.Fatal(err)
	}
	tx := sf.ByID["source.cashback.app.transactions"]
	if tx == nil || now.Sub(tx.SnapshottedAt).Round(time.Minute) != 2*time.Hour || tx.Age.Round(time.Hour) != 26*time.Hour || tx.Status != "error" {
		t.Fatalf("transactions %+v", tx)
	}
	// A sources.json from a real dbt run is the person's: never replaced.
	real := []byte(`{"metadata": {"invocation_id": "abc"}, "results": []}`)
	if err := os.WriteFile(filepath.Join(dir, "target", "sources.json"), real, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := writeDemoArtifacts(dir, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "target", "sources.json")); !bytes.Equal(b, real) {
		t.Errorf("a real sources.json was replaced: %s", b)
	}
}

func TestDiscoverFallsBackToDemo(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no git: this test is about the fallback, not the history
	empty := t.TempDir()
	state := t.TempDir()
	ws, err := Discover(workspace.Options{Start: empty, StateHome: state}, false)
	if err != nil {
		t.Fatal(err)
	}
	if !ws.Demo || ws.ProjectDir != filepath.Join(state, "demo", "project") {
		t.Fatalf("not the demo: %+v", ws)
	}
	if !strings.Contains(ws.Notice, "No dbt project here") || !strings.Contains(ws.Notice, "--project") {
		t.Errorf("notice does not say why and what to do: %q", ws.Notice)
	}
	if ws.ConfigPath != filepath.Join(ws.ProjectDir, "datatui.yml") || ws.Config.GitHub.Repo != "example-org/cashback-analytics" {
		t.Errorf("demo datatui.yml not loaded: %q %+v", ws.ConfigPath, ws.Config.GitHub)
	}
	if ws.StateDir != filepath.Join(state, "demo", "state") {
		t.Errorf("StateDir = %q", ws.StateDir)
	}
}

func TestDiscoverDemoFlag(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	repo := t.TempDir()
	if err := os.WriteFile(filepath.Join(repo, "dbt_project.yml"), []byte("name: a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ws, err := Discover(workspace.Options{Start: repo, StateHome: t.TempDir()}, true)
	if err != nil || !ws.Demo || !strings.HasPrefix(ws.Notice, "Demo workspace") {
		t.Fatalf("--demo ignored: %v %+v", err, ws)
	}
}
