package lineage

import (
	"context"
	"errors"
	"fmt"

	"github.com/datatui/datatui/internal/dbt/selector"
)

// selection is what the selector prompt shows: the nodes a selector matches, in dbt ls's
// order (by unique id) and with dbt ls's resource types, and dbt's warnings.
type selection struct {
	// expr is the selector evaluated (to drop results of older keystrokes).
	expr string
	set  nodeSet
	list []int
	// notes are dbt's warnings (a criterion that matches nothing) and datatui's notes on
	// spots dbt accepts but that cannot be meant (with their position).
	notes []string
	// errCol is the 1-based position of a syntax error (0: none or unknown).
	errCol int
}

// selectNodes evaluates a dbt selector with dbt's semantics (the selector engine of package
// dbt, with eager indirect selection of tests), like `dbt ls --select expr`. It stops with
// ctx's error when ctx is done (a newer key made the evaluation stale).
func selectNodes(ctx context.Context, d *projectData, expr string) (selection, error) {
	g := d.graph
	sel, err := selector.ParseSelection([]string{expr}, nil)
	if err != nil {
		var se *selector.SelectorError
		if errors.As(err, &se) {
			return selection{errCol: se.Column()}, err
		}
		return selection{}, err
	}
	res, err := selector.SelectNodesContext(ctx, g, sel, selector.SelectOptions{State: d.state, Results: d.runs, Index: d.selIndex})
	if err != nil {
		return selection{}, err
	}
	// SelectNodes returns dbt ls's order (by unique id).
	s := selection{set: make(nodeSet, g.Len()), list: res.Indexes}
	for _, i := range res.Indexes {
		s.set[i] = true
	}
	for _, n := range sel.Notes {
		s.notes = append(s.notes, fmt.Sprintf("position %d: %s", n.Column(), n.Msg))
	}
	for _, u := range res.Unmatched {
		s.notes = append(s.notes, fmt.Sprintf("The selection criterion '%s' does not match any enabled nodes", u))
	}
	return s, nil
}

// nodeSet marks nodes by index; the nil set holds nothing.
type nodeSet []bool

func (s nodeSet) has(i int) bool { return i >= 0 && i < len(s) && s[i] }
