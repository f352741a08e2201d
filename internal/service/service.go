// Package service is the operations that both a CLI command and a TUI screen perform, written
// once: loading the lineage (the graph with its run results, catalog and production state),
// listing the sandbox and comparing it with the project, describing one of its tables,
// checking the role's grants and starting a grant request. Pull requests have their own
// service (forge/prstatus), handed out here on the same git (PRStatus). A command calls
// these and formats the answer; a screen calls them inside a task and draws it. Neither
// builds its own clients: the warehouse, git and the loaded artifacts come from here, one
// Services per workspace, handed to screens through common.Common.
package service

import (
	"context"
	"path/filepath"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/workspace"
)

// Connector opens the workspace's warehouse on its dev target.
type Connector func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error)

// Options tune Services; the zero value is what users get.
type Options struct {
	// Git runs git (default: the git on PATH).
	Git git.Runner
	// Connect opens the warehouse (default: connect.Open on the target datatui.yml names).
	Connect Connector
}

// Services are the operations on one workspace. They are safe for concurrent use.
type Services struct {
	ws        *workspace.Workspace
	artifacts *artifacts.Store
	git       git.Runner
	connect   Connector
}

// New returns the services of ws (which may be nil: every operation then says there is no
// project).
func New(ws *workspace.Workspace, opts Options) *Services {
	s := &Services{ws: ws, git: git.Or(opts.Git), connect: opts.Connect}
	if s.connect == nil {
		s.connect = func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
			return connect.Open(ctx, ws, connect.Options{})
		}
	}
	if ws != nil {
		s.artifacts = artifacts.New(ws.ProjectDir, ws.StateDir)
	} else {
		s.artifacts = artifacts.New("", "")
	}
	return s
}

// Workspace is the workspace the services work on (nil when none is open).
func (s *Services) Workspace() *workspace.Workspace { return s.ws }

// Artifacts is the one owner of the dbt artifacts loaded for this workspace.
func (s *Services) Artifacts() *artifacts.Store { return s.artifacts }

// Git is the git runner.
func (s *Services) Git() git.Runner { return s.git }

// OpenWarehouse connects to the workspace's warehouse on its dev target.
func (s *Services) OpenWarehouse(ctx context.Context) (warehouse.Warehouse, *profiles.Target, error) {
	if s.ws == nil {
		return nil, nil, errNoProject
	}
	return s.connect(ctx, s.ws)
}

// ProdStateDir is the folder of production's manifest.json that datatui.yml's
// dbt.prod_manifest names (relative to the repository root), or "".
func ProdStateDir(ws *workspace.Workspace) string {
	if ws == nil || ws.Config == nil || ws.Config.DBT.ProdManifest == "" {
		return ""
	}
	p := ws.Config.DBT.ProdManifest
	if !filepath.IsAbs(p) {
		p = filepath.Join(ws.Root, p)
	}
	return p
}

type errString string

func (e errString) Error() string { return string(e) }

const errNoProject = errString("no dbt project is open")

// DBT is the runner of dbt for the workspace: datatui.yml's settings, the sandbox target
// pinned, and the write guard asked with the session's real identity (the user the warehouse
// says it is) before dbt starts. `datatui run`, `datatui freshness` and the Runs screen use it.
func (s *Services) DBT() *ops.Runner {
	r := ops.ForWorkspace(s.ws)
	r.Identify = func(ctx context.Context, t *profiles.Target) (string, error) {
		return connect.SessionUser(ctx, nil, t, nil)
	}
	return r
}
