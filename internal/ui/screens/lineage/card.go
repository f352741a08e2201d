package lineage

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines summarises the project's graph for the Home dashboard's Lineage card: what it
// holds, where it comes from, and whether anything could not be read. It runs in a task.
func CardLines(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
	if ws == nil {
		return nil, errNoWorkspace
	}
	cache := ""
	if ws.StateDir != "" {
		cache = filepath.Join(ws.StateDir, "cache")
	}
	g, err := dbt.LoadProject(ws.ProjectDir, dbt.LoadOptions{CacheDir: cache})
	if err != nil {
		return nil, err
	}
	return cardLines(g, time.Now(), c), nil
}

func cardLines(g *dbt.Graph, now time.Time, c *common.Common) []string {
	counts := map[string]int{}
	for i := range g.Nodes {
		if !g.Nodes[i].Disabled {
			counts[g.Nodes[i].ResourceType]++
		}
	}
	order := []string{"model", "source", "seed", "snapshot", "exposure", "test"}
	var parts []string
	for _, t := range order {
		if n := counts[t]; n > 0 {
			word := t + "s"
			if n == 1 {
				word = t
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, word))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no models yet"}
	}
	var src string
	if g.Origin.Kind == dbt.OriginQuickParse {
		src = "From a quick parse of the project files (no up-to-date manifest)."
	} else {
		src = "From the dbt manifest, written " + humanAge(now.Sub(g.Origin.Built)) + "."
		if g.Origin.Stale {
			src += " Files changed since: run dbt parse."
		}
	}
	lines := []string{strings.Join(parts, " · "), src}
	if n := len(g.Origin.Warnings); n > 0 {
		w := fmt.Sprintf("%d warning(s): some lineage may be missing.", n)
		if c != nil && c.Styles != nil {
			w = c.Styles.Warning.Render(w)
		}
		lines = append(lines, w)
	}
	if i := defaultRoot(g); i >= 0 {
		// The busiest model is a good first thing to look at.
		ups, downs := len(g.Parents(i)), len(g.Children(i))
		lines = append(lines, fmt.Sprintf("Busiest: %s (%d parents, %d children)", dbt.DisplayName(&g.Nodes[i]), ups, downs))
	}
	return lines
}
