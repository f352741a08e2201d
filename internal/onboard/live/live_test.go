package live

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/testutil/fixtures"
	"github.com/datatui/datatui/internal/workspace"
)

// TestDemoWarehouseSteps runs the warehouse and sandbox steps for real against the demo's
// local DuckDB files: login, the sandbox's existence, and creating it after it was deleted.
func TestDemoWarehouseSteps(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no git: the demo's history is not what this tests
	ws, err := demo.Discover(workspace.Options{StateHome: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	env := &onboard.Env{Workspace: ws, Environ: []string{"HOME=" + t.TempDir()}, GOOS: "linux", Runner: onboard.ExecRunner{}, Now: time.Now}
	Wire(env)
	steps := onboard.Steps(env)
	check := func(name string) onboard.Result {
		s, _ := onboard.Find(steps, name)
		return s.RunCheck(context.Background())
	}
	// Both at once, as the wizard runs them: the demo's files are built once.
	out := onboard.CheckAll(context.Background(), []*onboard.Step{mustFind(t, steps, onboard.StepWarehouse), mustFind(t, steps, onboard.StepSandbox)})
	if r := out[0].Result; r.Status != onboard.StatusOK || !strings.Contains(r.Checked, "duckdb") {
		t.Errorf("warehouse: %+v", r)
	}
	if r := out[1].Result; r.Status != onboard.StatusOK || !strings.Contains(r.Detail, "sandbox") {
		t.Errorf("sandbox: %+v", r)
	}

	// From here on the files exist: treat the folder as an ordinary dbt-duckdb project (the
	// demo would rebuild a missing sandbox by itself when opened).
	ws.Demo, ws.PrepareWarehouse = false, nil
	sandbox := filepath.Join(ws.ProjectDir, "warehouse", "sandbox.duckdb")
	if err := os.Remove(sandbox); err != nil {
		t.Fatal(err)
	}
	r := check(onboard.StepSandbox)
	if r.Status != onboard.StatusFail || !r.Fixable || !strings.Contains(r.Detail, "does not exist yet") {
		t.Fatalf("after delete: %+v", r)
	}
	s := mustFind(t, steps, onboard.StepSandbox)
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if r := check(onboard.StepSandbox); r.Status != onboard.StatusOK {
		t.Errorf("after fix: %+v", r)
	}
	if _, err := os.Stat(sandbox); err != nil {
		t.Error("sandbox file not created")
	}
}

func TestBrokenProfileIsAFailNotAPanic(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644)
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	env := &onboard.Env{Workspace: ws, Environ: []string{"HOME=" + t.TempDir()}, GOOS: "linux", Runner: onboard.ExecRunner{}}
	Wire(env)
	s := mustFind(t, onboard.Steps(env), onboard.StepWarehouse)
	if r := s.RunCheck(context.Background()); r.Status != onboard.StatusFail || !strings.Contains(r.Detail, "profiles.yml") {
		t.Errorf("no profile: %+v", r)
	}
}

func mustFind(t *testing.T, steps []*onboard.Step, name string) *onboard.Step {
	t.Helper()
	s, ok := onboard.Find(steps, name)
	if !ok {
		t.Fatalf("no step %s", name)
	}
	return s
}

// TestFirstBuildThroughTheRunner: the first-build fix runs dbt through datatui's runner,
// which builds against the sandbox target and keeps the run in the history.
func TestFirstBuildThroughTheRunner(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	os.MkdirAll(bin, 0o755)
	argsFile := filepath.Join(dir, "args.txt")
	dbtScript := "#!/bin/sh\necho \"$@\" > " + argsFile + "\nexit 0\n"
	if err := os.WriteFile(filepath.Join(bin, "dbt"), []byte(dbtScript), 0o755); err != nil {
		t.Fatal(err)
	}
	proj := filepath.Join(dir, "proj")
	os.MkdirAll(proj, 0o755)
	os.WriteFile(filepath.Join(proj, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "datatui.yml"), []byte("dbt:\n  starter_model: stg_users\n"), 0o644)
	os.WriteFile(filepath.Join(proj, "profiles.yml"), []byte("shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: sandbox.duckdb}\n"), 0o644)
	ws, err := workspace.Open(workspace.Options{Project: proj, StateHome: filepath.Join(dir, "state")})
	if err != nil {
		t.Fatal(err)
	}
	env := &onboard.Env{Workspace: ws, Environ: []string{"HOME=" + dir, "PATH=" + bin}, GOOS: "linux", Runner: onboard.ExecRunner{}, Now: time.Now}
	Wire(env)
	s := mustFind(t, onboard.Steps(env), onboard.StepFirstBuild)
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(argsFile)
	if got := string(b); !strings.Contains(got, "build --select stg_users") || !strings.Contains(got, "--target dev") {
		t.Errorf("dbt got %q", got)
	}
	if r := s.RunCheck(context.Background()); r.Status != onboard.StatusOK {
		t.Errorf("after the build: %+v", r)
	}

	// The dev target pointing at prod: the runner's guard refuses, dbt never starts.
	os.Remove(argsFile)
	os.WriteFile(filepath.Join(proj, "profiles.yml"), []byte("shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: analytics.duckdb}\n"), 0o644)
	if err := s.Fix(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "production database") {
		t.Errorf("build into prod: %v", err)
	}
	if _, err := os.Stat(argsFile); err == nil {
		t.Error("dbt was started against prod")
	}
	os.WriteFile(filepath.Join(proj, "profiles.yml"), []byte("shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: sandbox.duckdb}\n"), 0o644)

	os.WriteFile(filepath.Join(bin, "dbt"), []byte("#!/bin/sh\necho 'Runtime Error: Could not find profile named shop' >&2\nexit 2\n"), 0o755)
	err = s.Fix(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "Could not find profile named shop") {
		t.Errorf("failed build: %v", err)
	}
}

// TestDemoFirstBuildReplaysRealDBT: the first-build fix on the demo, without a starter model
// in the way, builds through datatui's runner (its write guard) with the dbt stand-in replaying
// a real dbt-duckdb build; the progress lines stream and the step passes.
func TestDemoFirstBuildReplaysRealDBT(t *testing.T) {
	rec := fixtures.Path(t, "real-dbt/demo-duckdb-build")
	bin := t.TempDir()
	if out, err := exec.Command("go", "build", "-o", filepath.Join(bin, "dbt"), "../../ops/testdata/fakedbt").CombinedOutput(); err != nil {
		t.Fatalf("building the dbt stand-in: %v\n%s", err, out)
	}
	ws, err := demo.Discover(workspace.Options{StateHome: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	env := &onboard.Env{Workspace: ws, Environ: []string{"HOME=" + t.TempDir(), "PATH=" + bin, "FAKEDBT_RECORDING=" + rec}, GOOS: "linux", Runner: onboard.ExecRunner{}, Now: time.Now}
	Wire(env)
	s, _ := onboard.Find(onboard.Steps(env), onboard.StepFirstBuild)
	fields := s.Fields()
	if len(fields) != 1 || fields[0].Default == "" {
		t.Fatalf("no model offered: %+v", fields)
	}
	var lines []string
	ctx := onboard.WithOutput(context.Background(), func(l string) { lines = append(lines, l) })
	if err := s.Fix(ctx, onboard.Input{"model": fields[0].Default}); err != nil {
		t.Fatalf("fix: %v\n%s", err, strings.Join(lines, "\n"))
	}
	out := strings.Join(lines, "\n")
	if !strings.Contains(out, "$ dbt build --select "+fields[0].Default) || !strings.Contains(out, "success model") || !strings.Contains(out, "done: ") {
		t.Errorf("progress not streamed:\n%s", out)
	}
	if r := s.RunCheck(context.Background()); r.Status != onboard.StatusOK {
		t.Errorf("after the build: %+v", r)
	}
}
