package prs

import (
	"context"
	"errors"
	"io/fs"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is a Home card loader: the pull requests as of the last refresh (by this screen or
// `datatui pr status`), read from the summary cached in the workspace's state folder. It makes
// no network call, so Home stays instant and spends none of the user's GitHub budget.
func CardLines(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
	if ws == nil || ws.Demo {
		return []string{"The demo workspace has no GitHub repository."}, nil
	}
	sum, err := forge.LoadSummary(ws.StateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{"Open the PRs tab to load your pull requests and their checks."}, nil
	}
	if err != nil {
		return nil, err
	}
	lines := sum.Lines(5)
	if c != nil && c.Styles != nil {
		lines = append(lines, c.Styles.Muted.Render("as of "+sum.FetchedAt.Local().Format("Jan 2 15:04")))
	}
	return lines, nil
}
