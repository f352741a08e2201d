// Package connect opens the warehouse a workspace's dbt target points at: it reads
// profiles.yml, picks the target datatui.yml names (dbt.target) and builds the engine for its
// type. The demo workspace's local DuckDB files are built here on first use.
package connect

import (
	"context"
	"io"
	"path/filepath"

	"github.com/datatui/datatui/internal/dbt"
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

// Open returns the warehouse of ws's dev target and the target itself (secrets inside are
// redacted when printed). Nothing is sent to the engine yet.
func Open(ctx context.Context, ws *workspace.Workspace, opts Options) (warehouse.Warehouse, *dbt.Target, error) {
	if ws.Demo {
		if err := duckdb.BuildDemo(ctx, ws.ProjectDir, duckdb.DemoOptions{MetaDir: ws.StateDir}); err != nil {
			return nil, nil, err
		}
	}
	prof, err := dbt.LoadProfile(dbt.ProfilesOptions{ProfilesDir: opts.ProfilesDir, ProjectDir: ws.ProjectDir, LookupEnv: opts.LookupEnv})
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
	cfg := ws.Config.Warehouse
	switch t.Type {
	case "duckdb":
		files := map[string]string{}
		for _, n := range prof.TargetNames() {
			if o, err := prof.Target(n); err == nil && o.Type == "duckdb" && o.Path != "" {
				p := resolve(ws.ProjectDir, o.Path)
				files[duckdb.DatabaseName(p)] = p
			}
		}
		w, err := duckdb.New(duckdb.Options{SandboxPath: resolve(ws.ProjectDir, t.Path), Warehouse: cfg, Files: files, MetaDir: ws.StateDir})
		return w, t, err
	case "snowflake":
		w, err := snowflake.New(snowflake.Options{Target: t, Warehouse: cfg, DriverLog: opts.DriverLog})
		return w, t, err
	}
	return nil, t, warehouse.Errorf("profiles.yml target %s is type %s; datatui's sandbox tools support snowflake and duckdb", t.Name, t.Type)
}

func resolve(dir, p string) string {
	if p == "" || p == ":memory:" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
