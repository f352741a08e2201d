package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// grantsAsCode checks the project's source tables against the team's Terraform (and the
// session's grants where the engine has roles), for whoami. nil, "" when the team keeps no
// Terraform in datatui.yml.
func grantsAsCode(ctx context.Context, ws *workspace.Workspace, w warehouse.Warehouse, id warehouse.Identity, live []warehouse.Grant, liveErr error) (*access.Report, string) {
	in := access.Inputs{Policy: w.Policy(), Live: live, LiveKnown: w.Engine() != "duckdb" && liveErr == nil}
	if warehouse.RoleKind(ws.Config.Warehouse, id.Role) == warehouse.RoleContributor {
		in.Role = id.Role
	}
	r, err := access.Check(ctx, ws, in)
	if errors.Is(err, access.ErrNoTerraform) {
		return nil, ""
	}
	if err != nil {
		return nil, err.Error()
	}
	return r, ""
}

func printGrantsAsCode(w io.Writer, r *access.Report) {
	fmt.Fprintf(w, "Terraform  %s\n", r.Summary)
	for _, f := range r.Findings {
		fmt.Fprintf(w, "Missing    %s\n", f.Message())
	}
	if len(r.Findings) == 0 && r.Checked > 0 {
		fmt.Fprintf(w, "Access     %s can read all %d source tables of the project\n", r.Role, r.Checked)
	}
}
