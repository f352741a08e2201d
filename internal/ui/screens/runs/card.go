package runs

import (
	"context"
	"fmt"

	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is a Home card loader: the last three dbt runs from the history file (one small
// read, no dbt call).
func CardLines(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
	if ws == nil || ws.StateDir == "" {
		return []string{"No dbt runs yet."}, nil
	}
	hist, err := ops.LoadHistory(ws.StateDir, 3)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return []string{"No dbt runs yet: build your first model from the palette (ctrl+k → dbt build)."}, nil
	}
	lines := make([]string, 0, len(hist))
	for _, e := range hist {
		status := "success"
		switch {
		case e.Cancelled:
			status = "skipped"
		case e.ExitCode != 0:
			status = "error"
		case e.Counts.Warn > 0:
			status = "warn"
		}
		icon := ""
		if c != nil && c.Styles != nil {
			icon = c.Styles.StatusIcon(status) + " "
		}
		title := "dbt " + e.Command
		if e.Selection != "" {
			title += " " + e.Selection
		}
		lines = append(lines, fmt.Sprintf("%s%s · %s · %s", icon, title, e.Started.Local().Format("Jan 2 15:04"), e.Counts.Line()))
	}
	return lines, nil
}
