package service

import (
	"context"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
)

// SandboxListing is what the sandbox holds and how it compares with the project.
type SandboxListing struct {
	Snapshot *warehouse.Snapshot
	// Databases are the databases beside the sandbox (asked for with InspectOptions.Databases).
	Databases []warehouse.Database
	// Drift is the project's models missing or outdated in the sandbox, and schemas no model
	// uses; nil when the project could not be read (Warnings says why).
	Drift *warehouse.Drift
	// NewerLoads are the source tables loaded since the sandbox was copied, from the last
	// `dbt source freshness` (target/sources.json); empty when none or when unknown.
	NewerLoads []dbt.FreshnessResult
	// TargetSchema is the dev target's schema (dbt's generate_schema_name base).
	TargetSchema string
	Warnings     []string
}

// InspectOptions say how much to list.
type InspectOptions struct {
	// Databases also lists the databases the session can see.
	Databases bool
	// Progress receives each level as it is listed (may be nil).
	Progress func(warehouse.Progress)
}

// InspectSandbox lists the sandbox through w (on target t), compares it with the project's
// graph and saves the listing for the next instant first paint.
func (s *Services) InspectSandbox(ctx context.Context, w warehouse.Warehouse, t *profiles.Target, opts InspectOptions) (*SandboxListing, error) {
	if s.ws == nil {
		return nil, errNoProject
	}
	snap, err := warehouse.Inspect(ctx, w, s.ws.Config, opts.Progress)
	if err != nil {
		return nil, err
	}
	l := &SandboxListing{Snapshot: snap, TargetSchema: t.Schema}
	if opts.Databases {
		if l.Databases, err = w.ListDatabases(ctx); err != nil {
			return nil, err
		}
	}
	if g, err := s.artifacts.Graph(ctx, artifacts.Options{}); err == nil {
		d := warehouse.Compare(g, snap, t.Schema, s.ws.ProjectDir)
		l.Drift = &d
	} else {
		l.Warnings = append(l.Warnings, "The project could not be read to compare it with the sandbox: "+err.Error())
	}
	if sf, err := s.artifacts.Sources(ctx, ""); err == nil && snap.Exists {
		l.NewerLoads = warehouse.NewerLoads(snap.Sandbox.Created, sf)
	}
	if dir, err := s.ws.EnsureStateDir(); err == nil {
		_ = warehouse.SaveSnapshot(dir, snap) // only the next first paint depends on it
	}
	return l, nil
}

// DescribeTable is one sandbox table's columns, the dbt node that builds it and its last run,
// and with rows > 0 its first rows (a read the guard allows in the sandbox only).
func (s *Services) DescribeTable(ctx context.Context, w warehouse.Warehouse, t *profiles.Target, o warehouse.Object, rows int) (*warehouse.TableDetail, error) {
	if s.ws == nil {
		return nil, errNoProject
	}
	// Without a graph or run results the table is still described, without its builder.
	g, _ := s.artifacts.Graph(ctx, artifacts.Options{})
	rr, _ := s.artifacts.RunResults(ctx)
	return warehouse.Describe(ctx, w, o, g, rr, t.Schema, rows)
}
