package runs

import (
	"context"

	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is a Home card loader: the last three dbt runs from the history file (one small
// read, no dbt call). It runs in a task and returns lines with roles; Home styles them.
func CardLines(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	if ws == nil || ws.StateDir == "" {
		return []styles.Line{styles.Text("No dbt runs yet.")}, nil
	}
	hist, err := ops.LoadHistory(ws.StateDir, 3)
	if err != nil {
		return nil, err
	}
	if len(hist) == 0 {
		return []styles.Line{styles.Text("No dbt runs yet: build your first model from the palette (ctrl+k → dbt build).")}, nil
	}
	lines := make([]styles.Line, 0, len(hist))
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
		title := "dbt " + e.Command
		if e.Selection != "" {
			title += " " + e.Selection
		}
		lines = append(lines, styles.Line{styles.Icon(status), styles.Plain(" " + title + " · "), styles.Ago(e.Started), styles.Plain(" · " + e.Counts.Line())})
	}
	return lines, nil
}
