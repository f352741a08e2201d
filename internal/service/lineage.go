package service

import (
	"context"
	"os"
	"path/filepath"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/dbt"
)

// Lineage is the project's graph and the artifacts that decorate it.
type Lineage struct {
	Graph *dbt.Graph
	// Catalog is target/catalog.json (column types); nil when dbt docs generate has not run.
	Catalog *dbt.Catalog
	// Runs is target/run_results.json (last status per node, result: selectors); nil when absent.
	Runs *dbt.RunResults
	// State is production's manifest (datatui.yml's dbt.prod_manifest) for state: selectors;
	// nil when none is configured or present.
	State *dbt.Graph
	// Warnings are artifacts that exist but could not be read; the graph is still usable.
	Warnings []string
}

// LoadLineage loads the graph and its artifacts through the shared store: a view asking
// after another gets what was loaded unless a file changed. fresh rereads the project (its
// files were edited).
func (s *Services) LoadLineage(ctx context.Context, fresh bool) (*Lineage, error) {
	if s.ws == nil {
		return nil, errNoProject
	}
	st := s.artifacts
	g, err := st.Graph(ctx, artifacts.Options{Fresh: fresh})
	if err != nil {
		return nil, err
	}
	l := &Lineage{Graph: g}
	if l.Catalog, err = st.Catalog(ctx); err != nil {
		l.Warnings = append(l.Warnings, err.Error()+"; regenerate it with dbt docs generate")
	}
	if l.Runs, err = st.RunResults(ctx); err != nil {
		l.Warnings = append(l.Warnings, "run_results.json: "+err.Error())
	}
	if dir := ProdStateDir(s.ws); dir != "" {
		p := filepath.Join(dir, "manifest.json")
		if _, err := os.Stat(p); err == nil {
			if l.State, err = st.Manifest(ctx, p); err != nil {
				l.Warnings = append(l.Warnings, "production manifest: "+err.Error())
			}
		}
	}
	return l, ctx.Err()
}
