package prs

import (
	"context"
	"errors"
	"io/fs"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is a Home card loader: the pull requests as of the last refresh (by this screen or
// `datatui pr status`), read from the summary cached in the workspace's state folder. It makes
// no network call, so Home stays instant and spends none of the user's GitHub budget. It runs
// in a task and returns lines with roles; Home styles them.
func CardLines(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	if ws == nil {
		return nil, nil
	}
	sum, err := forge.LoadSummary(ws.StateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return []styles.Line{styles.Text("Open the PRs tab to load your pull requests and their checks.")}, nil
	}
	if err != nil {
		return nil, err
	}
	var lines []styles.Line
	if ws.Demo {
		// Labelled like the other cards the demo fills from recordings.
		lines = append(lines, styles.Line{styles.Dim("Demo data: recorded pull requests.")})
	}
	for _, l := range sum.Lines(5) {
		lines = append(lines, styles.Text(l))
	}
	return append(lines, styles.Line{styles.Dim("as of "), styles.Ago(sum.FetchedAt)}), nil
}
