package lineage

import (
	"context"
	"fmt"
	"strings"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
)

// CardLines summarises the project's graph for the Home dashboard's Lineage card: what it
// holds, where it comes from, and whether anything could not be read. It runs in a task and
// returns lines with roles; Home styles them (and keeps the manifest's age current). The graph
// comes from the shared store, so the card and the screen load it once between them.
func CardLines(ctx context.Context, svc *service.Services) ([]styles.Line, error) {
	if svc.Workspace() == nil {
		return nil, errNoWorkspace
	}
	g, err := svc.Artifacts().Graph(ctx, artifacts.Options{})
	if err != nil {
		return nil, err
	}
	return cardLines(g), nil
}

func cardLines(g *dbt.Graph) []styles.Line {
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
			parts = append(parts, text.Plural(n, t, t+"s"))
		}
	}
	if len(parts) == 0 {
		parts = []string{"no models yet"}
	}
	src := styles.Text("From a quick parse of the project files (no up-to-date manifest).")
	if g.Origin.Kind != dbt.OriginQuickParse {
		src = styles.Line{styles.Plain("From the dbt manifest, written "), styles.Ago(g.Origin.Built), styles.Plain(".")}
		if g.Origin.Stale {
			src = append(src, styles.Plain(" Files changed since: run dbt parse."))
		}
	}
	lines := []styles.Line{styles.Text(strings.Join(parts, " · ")), src}
	if n := len(g.Origin.Warnings); n > 0 {
		lines = append(lines, styles.Line{styles.Warn(text.Plural(n, "warning", "warnings") + ": some lineage may be missing.")})
	}
	if i := defaultRoot(g); i >= 0 {
		// The busiest model is a good first thing to look at.
		ups, downs := len(g.Parents(i)), len(g.Children(i))
		lines = append(lines, styles.Text(fmt.Sprintf("Busiest: %s (%s, %s)", lineage.DisplayName(&g.Nodes[i]), text.Plural(ups, "parent", "parents"), text.Plural(downs, "child", "children"))))
	}
	return lines
}
