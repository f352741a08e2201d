// Package connect opens the warehouse a workspace's dbt target points at: it reads
// profiles.yml, picks the target datatui.yml names (dbt.target) and builds the engine for its
// type. The demo workspace's local DuckDB files are built here on first use.
package connect

import (
	"context"
	"io"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/duckdb"
	"github.com/datatui/datatui/internal/warehouse/snowflake"
	"github.com/datatui/datatui/internal/workspace"
)

// Options steer Open; all optional.
type Options struct {
	// ProfilesDir is an explicit --profiles-dir.
	ProfilesDir string
	// Target overrides datatui.yml's dbt.target.
	Target string
	// LookupEnv reads environment variables for env_var() (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// DriverLog receives the Snowflake driver's own log (default discarded).
	DriverLog io.Writer
}

// Open returns the warehouse of ws's dev target (or opts.Target, which must be the dev
// target or one of datatui.yml's dbt.allowed_targets) and the target itself (secrets inside
// are redacted when printed). The engine's write guard is built from the same profile, so
// it knows every other target's file; with a broken datatui.yml it refuses every write.
// Nothing is sent to the engine yet.
func Open(ctx context.Context, ws *workspace.Workspace, opts Options) (warehouse.Warehouse, *profiles.Target, error) {
	if ws.Demo {
		if err := duckdb.BuildDemo(ctx, ws.ProjectDir, duckdb.DemoOptions{MetaDir: ws.StateDir}); err != nil {
			return nil, nil, err
		}
	}
	prof, err := profiles.LoadProfile(profiles.ProfilesOptions{ProfilesDir: opts.ProfilesDir, ProjectDir: ws.ProjectDir, LookupEnv: opts.LookupEnv})
	if err != nil {
		return nil, nil, warehouse.Errorf("%v", err)
	}
	name := opts.Target
	if name == "" && ws.Config != nil {
		name = ws.Config.DBT.Target
	}
	if name == "" {
		name = prof.DefaultTarget
	}
	t, err := prof.Target(name)
	if err != nil {
		return nil, nil, warehouse.Errorf("%v", err)
	}
	policy, write, err := warehouse.ForTarget(ws.Config, ws.ConfigErr, prof, t, ws.ProjectDir)
	if err != nil {
		return nil, t, err
	}
	if err := policy.CheckTarget(t.Name, "target "+t.Name); err != nil {
		return nil, t, err
	}
	cfg := ws.Config.Warehouse
	switch t.Type {
	case "duckdb":
		files := map[string]string{}
		for _, n := range prof.TargetNames() {
			if typ, p, err := prof.TargetFile(n); err == nil && typ == "duckdb" && p != "" {
				p = warehouse.DuckDBFileOf(ws.ProjectDir, p)
				files[duckdb.DatabaseName(p)] = p
			}
		}
		w, err := duckdb.New(duckdb.Options{SandboxPath: write.File, Warehouse: cfg, Files: files, MetaDir: ws.StateDir, Policy: &policy, Target: t.Name})
		return w, t, err
	default: // snowflake: ForTarget refuses every other type
		w, err := snowflake.New(snowflake.Options{Target: t, Warehouse: cfg, DriverLog: opts.DriverLog, Policy: &policy})
		return w, t, err
	}
}

// Notes lists what the target asks of dbt that datatui's own connection does not do, for
// doctor to say.
func Notes(t *profiles.Target) []string {
	if t != nil && t.Type == "snowflake" {
		return snowflake.Notes(t, nil)
	}
	return nil
}

// SessionUser logs in with a Snowflake target and returns who the session runs as
// (CURRENT_USER()), for the dbt runner's guard when the profile's user: does not decide it.
func SessionUser(ctx context.Context, t *profiles.Target, driverLog io.Writer) (string, error) {
	w, err := snowflake.New(snowflake.Options{Target: t, DriverLog: driverLog})
	if err != nil {
		return "", err
	}
	defer w.Close()
	id, err := w.Identity(ctx)
	return id.User, err
}
