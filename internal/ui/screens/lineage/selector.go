package lineage

import (
	"github.com/datatui/datatui/internal/dbt"
)

// selectNodes evaluates a dbt selector with dbt's semantics (the selector engine of package
// dbt, including eager indirect selection of tests) for the live highlight of the selector
// prompt, and returns the matching node indexes as a set.
func selectNodes(d *projectData, expr string) (map[int]bool, error) {
	g := d.graph
	sel, err := dbt.ParseSelection([]string{expr}, nil)
	if err != nil {
		return nil, err
	}
	res, err := dbt.SelectNodes(g, sel, dbt.SelectOptions{ResourceTypes: []string{"all"}, State: d.state, Results: d.runs})
	if err != nil {
		return nil, err
	}
	set := make(map[int]bool, len(res.Indexes))
	for _, i := range res.Indexes {
		set[i] = true
	}
	return set, nil
}
