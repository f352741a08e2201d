package sandbox

import (
	"context"
	"time"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is the Home card: the cached sandbox summary (no round trip to the warehouse).
func CardLines(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
	if ws == nil {
		return nil, nil
	}
	sum, ok := warehouse.ReadSummary(ws.StateDir, time.Now())
	if !ok {
		return []string{"Open the Sandbox tab to see what your sandbox holds and how old it is."}, nil
	}
	lines := []string{sum.Line()}
	if sum.RoleKind == warehouse.RoleAdmin {
		lines = append(lines, "You used the admin role "+sum.Role+"; the team works with its contributor role.")
	}
	if c != nil && c.Styles != nil {
		lines = append(lines, c.Styles.Muted.Render("as of "+sum.Taken.Local().Format("Jan 2 15:04")))
	}
	return lines, nil
}
