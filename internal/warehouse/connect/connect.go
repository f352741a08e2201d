// Package connect opens the warehouse a workspace's dbt target points at: it reads
// profiles.yml, picks the target datatui.yml names (dbt.target), and builds the engine the
// registry (internal/warehouse/engines) has for its type.
package connect

import (
	"context"
	"fmt"
	"io"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/engines"
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
	// DriverLog receives the driver's own log (default discarded).
	DriverLog io.Writer
	// Engines is the engine registry (default engines.Default()).
	Engines *engine.Registry
}

func (o Options) engines() *engine.Registry {
	if o.Engines != nil {
		return o.Engines
	}
	return engines.Default()
}

// Open returns the warehouse of ws's dev target (or opts.Target, which must be the dev
// target or one of datatui.yml's dbt.allowed_targets) and the target itself (secrets inside
// are redacted when printed). The engine's write guard is built from the same profile, so
// it knows every other target's file; with a broken datatui.yml it refuses every write.
// A workspace that must prepare its warehouse first (the demo builds its local files) does
// it here, on first use. Nothing is sent to the engine yet.
func Open(ctx context.Context, ws *workspace.Workspace, opts Options) (warehouse.Warehouse, *profiles.Target, error) {
	if ws.PrepareWarehouse != nil {
		if err := ws.PrepareWarehouse(ctx); err != nil {
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
	reg := opts.engines()
	policy, write, err := reg.ForTarget(ws.Config, ws.ConfigErr, prof, t, ws.ProjectDir)
	if err != nil {
		return nil, t, err
	}
	if err := policy.CheckTarget(t.Name, "target "+t.Name); err != nil {
		return nil, t, err
	}
	eng, err := reg.Lookup(t.Type)
	if err == nil && eng.Open == nil {
		err = fmt.Errorf("datatui cannot open a %s warehouse itself (dbt can run on it)", t.Type)
	}
	if err != nil {
		return nil, t, warehouse.Errorf("%v", err)
	}
	w, err := eng.Open(ctx, engine.OpenInput{Target: t, Profile: prof, Policy: &policy, Write: write, Warehouse: ws.Config.Warehouse,
		ProjectDir: ws.ProjectDir, StateDir: ws.StateDir, DriverLog: opts.DriverLog})
	return w, t, err
}

// Notes lists what the target asks of dbt that datatui's own connection does not do, for
// doctor to say.
func Notes(reg *engine.Registry, t *profiles.Target) []string {
	if t == nil {
		return nil
	}
	if reg == nil {
		reg = engines.Default()
	}
	if e, err := reg.Lookup(t.Type); err == nil && e.Notes != nil {
		return e.Notes(t)
	}
	return nil
}

// SessionUser logs in with target t and returns who the session runs as, for the dbt
// runner's guard when the profile's user: does not decide it.
func SessionUser(ctx context.Context, reg *engine.Registry, t *profiles.Target, driverLog io.Writer) (string, error) {
	if reg == nil {
		reg = engines.Default()
	}
	e, err := reg.Lookup(t.Type)
	if err != nil {
		return "", err
	}
	if e.SessionUser == nil {
		return "", fmt.Errorf("datatui cannot ask a %s session who it runs as", t.Type)
	}
	return e.SessionUser(ctx, t, driverLog)
}
