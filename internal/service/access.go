package service

import (
	"context"
	"errors"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engines"
)

// CheckAccess checks the project's source tables against the team's Terraform grants and,
// when the engine has roles and the session's grants were listed (liveErr nil), against those
// too — for `datatui whoami` and the Sandbox screen. The role checked is the session's when
// it is a contributor role, else datatui.yml's contributor role. It returns nil, nil when
// datatui.yml names no Terraform folder.
func (s *Services) CheckAccess(ctx context.Context, w warehouse.Warehouse, id warehouse.Identity, live []warehouse.Grant, liveErr error) (*access.Report, error) {
	if s.ws == nil {
		return nil, errNoProject
	}
	if s.ws.Config == nil || s.ws.Config.Terraform.Dir == "" {
		return nil, nil
	}
	e, _ := engines.Default().Lookup(w.Engine())
	in := access.Inputs{Policy: w.Policy(), Live: live, LiveKnown: e != nil && e.Roles && liveErr == nil}
	if warehouse.RoleKind(s.ws.Config.Warehouse, id.Role) == warehouse.RoleContributor {
		in.Role = id.Role
	}
	g, err := s.artifacts.Graph(ctx, artifacts.Options{})
	if err != nil {
		return nil, err
	}
	in.Graph = g
	r, err := access.Check(ctx, s.ws, in)
	if errors.Is(err, access.ErrNoTerraform) {
		return nil, nil
	}
	return r, err
}

// StartGrantRequest puts the work tree on the branch of a request for f and says where to
// edit (access.StartRequest, with the services' git).
func (s *Services) StartGrantRequest(ctx context.Context, f tfgrants.Finding) (access.Request, error) {
	return access.StartRequest(ctx, s.git, s.ws, f)
}
