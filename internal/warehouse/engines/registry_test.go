package engines_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/engines"
	"github.com/datatui/datatui/internal/workspace"
)

// fakeWarehouse is the third engine's Warehouse: only what the test asks of it.
type fakeWarehouse struct {
	warehouse.Warehouse
	in engine.OpenInput
}

func (f *fakeWarehouse) Engine() string           { return "fakedb" }
func (f *fakeWarehouse) Policy() warehouse.Policy { return *f.in.Policy }
func (f *fakeWarehouse) Close() error             { return nil }

// fakeEngine is a third engine, described only by its descriptor.
func fakeEngine() *engine.Engine {
	return &engine.Engine{
		Type: "fakedb", Name: "FakeDB", Adapter: "dbt-fakedb-adapter",
		Guide: "set-up-your-environment", Anchor: "connect-dbt-to-fakedb",
		Settings: []engine.Setting{{Key: "database", Required: true}, {Key: "user"}, {Key: "token", Secret: true}},
		Form: engine.Form{
			Questions: []engine.Question{
				{Key: "user", Title: "Your FakeDB user", Default: func(fc engine.FormContext) string { return fc.Cur("user", "") }},
				{Key: "region", Title: "Region", Default: func(engine.FormContext) string { return "eu" }, Options: []engine.Option{{Value: "eu", Label: "Europe"}, {Value: "us", Label: "America"}}},
				{Key: "database", Title: "Sandbox database", Optional: true, HelpFor: func(fc engine.FormContext, in map[string]string) string {
					return "empty: " + fc.Warehouse.SandboxName(in["user"])
				}},
			},
			Settings: func(fc engine.FormContext, in map[string]string) ([]engine.KV, error) {
				db := in["database"]
				if db == "" {
					db = fc.Warehouse.SandboxName(in["user"])
				}
				return []engine.KV{{Key: "type", Value: "fakedb"}, {Key: "user", Value: in["user"]}, {Key: "region", Value: in["region"]}, {Key: "database", Value: db}}, nil
			},
		},
		Guard: func(in engine.GuardInput) (warehouse.Policy, warehouse.Write, error) {
			t := in.Target
			return warehouse.NewPolicy(in.Config, in.ConfigErr, t.User), warehouse.Write{Target: t.Name, Database: t.Database, ProfileUser: t.User}, nil
		},
		Place: func(t *profiles.Target) engine.Place { return engine.Place{Where: "fake database " + t.Database} },
		Open: func(_ context.Context, in engine.OpenInput) (warehouse.Warehouse, error) {
			return &fakeWarehouse{in: in}, nil
		},
	}
}

func registry() *engine.Registry {
	return engine.NewRegistry(append(engines.Default().Engines(), fakeEngine())...)
}

func project(t *testing.T, devDatabase string) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"dbt_project.yml": "name: shop\nprofile: shop\n",
		"profiles.yml":    "shop:\n  target: dev\n  outputs:\n    dev: {type: fakedb, user: ann, database: " + devDatabase + ", region: eu}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Default()
	cfg.Warehouse.ProdDatabase, cfg.Warehouse.SandboxPattern = "ANALYTICS", "SANDBOX_{user}"
	return &workspace.Workspace{Root: dir, ProjectDir: dir, Config: cfg, StateDir: t.TempDir()}
}

// TestThirdEngineNeedsOnlyItsDescriptor: an engine registered in a test, and nowhere else,
// is opened by connect with the write guard it describes, refused by that guard when it
// points at prod, asked for by onboarding's profile form (its questions, choices, help and
// the target it writes), explained by its guide section, and installed with its adapter
// package.
func TestThirdEngineNeedsOnlyItsDescriptor(t *testing.T) {
	reg := registry()
	ctx := context.Background()
	noEnv := func(string) (string, bool) { return "", false }

	// connect: a lookup, not a switch.
	w, tg, err := connect.Open(ctx, project(t, "SANDBOX_ANN"), connect.Options{Engines: reg, LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	if w.Engine() != "fakedb" || w.Policy().Sandbox != "SANDBOX_ANN" || tg.Extra["region"] != "eu" {
		t.Errorf("opened %s, policy %+v, target %+v", w.Engine(), w.Policy(), tg)
	}
	// Without the registration the same profile is refused, naming the engines there are.
	if _, _, err := connect.Open(ctx, project(t, "SANDBOX_ANN"), connect.Options{LookupEnv: noEnv}); err == nil || !strings.Contains(err.Error(), "only for snowflake and duckdb targets") {
		t.Errorf("unregistered: %v", err)
	}
	// The guard is the engine's: the dbt runner and the sandbox writes ask the same one.
	prof, err := profiles.LoadProfile(profiles.ProfilesOptions{ProjectDir: project(t, "ANALYTICS").ProjectDir, LookupEnv: noEnv})
	if err != nil {
		t.Fatal(err)
	}
	prod, _ := prof.Target("dev")
	p, write, err := reg.ForTarget(project(t, "x").Config, nil, prof, prod, "")
	if err != nil || p.Check(write) == nil {
		t.Errorf("a fakedb target on prod passes the guard: %v", err)
	}

	// onboarding: the profile step's form, fix, guide and install hint.
	ws := project(t, "SANDBOX_ANN")
	bin := t.TempDir()
	if err := os.WriteFile(filepath.Join(bin, "uv"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := &onboard.Env{Workspace: ws, Environ: []string{"PATH=" + bin, "HOME=" + t.TempDir()}, GOOS: "linux", Engines: reg}
	step, _ := onboard.Find(onboard.Steps(env), onboard.StepProfile)
	fields := step.Fields()
	var keys []string
	for _, f := range fields {
		keys = append(keys, f.Key)
	}
	if !slices.Equal(keys, []string{"user", "region", "database"}) || fields[0].Default != "ann" || fields[1].OptionLabel("us") != "America" ||
		fields[2].HelpWith(onboard.Input{"user": "bob"}) != "empty: SANDBOX_BOB" {
		t.Errorf("form %+v", fields)
	}
	spec, err := env.ProfileSpec(onboard.Input{"user": "ann", "region": "us"})
	if err != nil || len(spec.Fields) != 4 || spec.Fields[3] != (onboard.KV{Key: "database", Value: "SANDBOX_ANN"}) {
		t.Errorf("spec %+v %v", spec, err)
	}
	if _, err := env.ProfileSpec(onboard.Input{"user": "ann", "region": "us", "database": "ANALYTICS"}); err == nil ||
		!strings.Contains(err.Error(), "not writing the dev target with fake database ANALYTICS: it is the production database") {
		t.Errorf("prod: %v", err)
	}
	if r := step.RunCheck(ctx); r.Status != onboard.StatusOK || !strings.Contains(r.Detail, "builds in fake database SANDBOX_ANN") || r.Anchor != "connect-dbt-to-fakedb" {
		t.Errorf("check %+v", r)
	}
	// A team that names the engine in datatui.yml gets its guide before any profile exists.
	ws.Config.Onboarding.Adapter = "fakedb"
	if step, _ := onboard.Find(onboard.Steps(env), onboard.StepProfile); step.Anchor != "connect-dbt-to-fakedb" {
		t.Errorf("guide %s#%s", step.Guide, step.Anchor)
	}
	plan, err := env.PlanDBTInstall()
	if err != nil || plan.Plugin != "dbt-fakedb-adapter" || !strings.Contains(plan.Describe(), "--with dbt-fakedb-adapter") {
		t.Errorf("install %+v %v", plan, err)
	}
}
