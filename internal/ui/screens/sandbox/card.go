package sandbox

import (
	"context"
	"time"

	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is the Home card: the cached sandbox summary (no round trip to the warehouse). It
// runs in a task and returns lines with roles; Home styles them.
func CardLines(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	if ws == nil {
		return nil, nil
	}
	sum, ok := warehouse.ReadSummary(ws.StateDir, time.Now())
	if !ok {
		return []styles.Line{styles.Text("Open the Sandbox tab to see what your sandbox holds and how old it is.")}, nil
	}
	lines := []styles.Line{styles.Text(sum.Line())}
	if sum.RoleKind == warehouse.RoleAdmin {
		lines = append(lines, styles.Text("You used the admin role "+sum.Role+"; the team works with its contributor role."))
	}
	return append(lines, styles.Line{styles.Dim("as of "), styles.Ago(sum.Taken)}), nil
}
