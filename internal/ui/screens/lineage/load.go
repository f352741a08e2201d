package lineage

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/dbt/selector"
	"github.com/datatui/datatui/internal/service"
)

// projectData is what one load produces: the graph plus the artifacts that decorate it.
type projectData struct {
	graph *dbt.Graph
	// types maps unique id → column name (lower case) → warehouse type, from catalog.json.
	types map[string]map[string]string
	// runs is target/run_results.json (nil when absent): last run status per node, and what
	// result: selectors read.
	runs *dbt.RunResults
	// sources is target/sources.json (nil when dbt source freshness has not run), and
	// staleUp the most severe stale source upstream of each node built from one.
	sources *dbt.SourceFreshness
	staleUp map[int]dbt.FreshnessResult
	// state is the production manifest (datatui.yml's dbt.prod_manifest) for state: selectors.
	state *dbt.Graph
	// search holds, per node, the text the finder matches: name, path, tags, description.
	search []string
	// finder is the finder's precomputed keys.
	finder *finderIndex
	// selIndex is what every evaluation of the selector prompt shares (dbt ls's order).
	selIndex *selector.SelectIndex
	// unresolved counts the placeholder nodes of refs to nothing (counted once, not per frame).
	unresolved int
	// artifactWarnings are problems reading catalog.json or run_results.json.
	artifactWarnings []string
}

// loadProject loads the graph and the target folder's catalog and run results through the
// shared services (fresh: reread the project files). It runs in a task.
func loadProject(ctx context.Context, svc *service.Services, fresh bool) (*projectData, error) {
	l, err := svc.LoadLineage(ctx, fresh)
	if err != nil {
		return nil, err
	}
	d := &projectData{runs: l.Runs, state: l.State, artifactWarnings: l.Warnings}
	if l.Catalog != nil {
		d.types = columnTypes(l.Catalog)
	}
	if sf, err := svc.Artifacts().Sources(ctx, ""); err == nil {
		d.sources = sf
	} else if !errors.Is(err, dbt.ErrNoSources) {
		d.artifactWarnings = append(d.artifactWarnings, err.Error())
	}
	d.index(l.Graph)
	return d, nil
}

// newProjectData is the data of a graph alone (no artifacts).
func newProjectData(g *dbt.Graph) *projectData {
	d := &projectData{}
	d.index(g)
	return d
}

// index sets the graph and precomputes what every keystroke reads.
func (d *projectData) index(g *dbt.Graph) {
	d.graph = g
	d.search = searchTexts(g)
	d.finder = newFinderIndex(g, d.search)
	d.selIndex = selector.PrepareSelect(g)
	d.staleUp = dbt.StaleUpstream(g, d.sources)
	d.unresolved = 0
	for i := range g.Nodes {
		if g.Nodes[i].ResourceType == quickparse.ResourceUnresolved {
			d.unresolved++
		}
	}
}

// searchTexts builds the finder's haystack once per load so filtering on each key press only
// runs the fuzzy matcher.
func searchTexts(g *dbt.Graph) []string {
	out := make([]string, g.Len())
	for i := range g.Nodes {
		n := &g.Nodes[i]
		var b strings.Builder
		b.WriteString(lineage.DisplayName(n))
		b.WriteString(" ")
		b.WriteString(n.OriginalPath)
		for _, t := range n.Tags {
			b.WriteString(" #")
			b.WriteString(t)
		}
		if n.Description != "" {
			desc := n.Description
			if len(desc) > 120 {
				desc = desc[:120]
			}
			b.WriteString(" ")
			b.WriteString(strings.ReplaceAll(desc, "\n", " "))
		}
		out[i] = b.String()
	}
	return out
}

// columnTypes are catalog.json's column types by unique id, keyed by lower-case column name
// for the details pane.
func columnTypes(c *dbt.Catalog) map[string]map[string]string {
	out := make(map[string]map[string]string, len(c.Columns))
	for id, cols := range c.Columns {
		types := make(map[string]string, len(cols))
		for _, col := range cols {
			types[strings.ToLower(col.Name)] = col.Type
		}
		out[id] = types
	}
	return out
}

// sqlRequest says which SQL to show for a node.
type sqlRequest struct {
	projectDir string
	graph      *dbt.Graph
	node       dbt.Node
	compiled   bool
}

// loadSQL reads a node's raw or compiled SQL: from the manifest when the graph came from one
// (Graph.SQL), else raw SQL from the node's file and compiled SQL from
// target/compiled/<package>/<path>, which dbt compile/run/build write.
func loadSQL(req sqlRequest) (string, error) {
	n := req.node
	code, err := req.graph.SQL(n.UniqueID, req.compiled)
	if err == nil || !req.compiled {
		return code, err
	}
	if n.OriginalPath == "" {
		return "", err
	}
	target := filepath.Dir(project.ManifestPath(req.projectDir))
	rel := n.OriginalPath
	if n.TestMetadata != nil && n.Path != "" {
		rel = filepath.ToSlash(filepath.Join(filepath.Dir(n.OriginalPath), n.Path))
	}
	p := filepath.Join(target, "compiled", n.Package, filepath.FromSlash(rel))
	b, ferr := os.ReadFile(p)
	if os.IsNotExist(ferr) {
		return "", fmt.Errorf("no compiled SQL yet: run dbt compile --select %s", lineage.NodeSelector(req.graph, &n))
	}
	if ferr != nil {
		return "", ferr
	}
	return string(b), nil
}
