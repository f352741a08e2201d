package onboard

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
)

// Starter is a model a first build can start with: one whose parents are all sources or
// seeds, so it builds without building anything else first.
type Starter struct {
	Name string
	// Why says why it was picked, for the person choosing.
	Why string
	// lines is the size of its SQL, the first thing "small" means here.
	lines int
	mat   string
}

// StarterCandidates lists the root project's models that build on their own (every parent a
// source or a seed; not ephemeral, which dbt does not build), smallest first: views and
// tables before incremental models, then fewer lines of SQL, then by name.
func StarterCandidates(g *dbt.Graph, projectDir string) []Starter {
	if g == nil {
		return nil
	}
	root := ""
	if pf, err := dbtyaml.ReadProjectFile(projectDir); err == nil {
		root = pf.Name
	}
	var out []Starter
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if n.ResourceType != "model" || n.Disabled || (root != "" && n.Package != root) || n.Config.Materialized == "ephemeral" {
			continue
		}
		parents := g.Parents(i)
		if len(parents) == 0 {
			continue // a model of literals teaches little about sources and refs
		}
		var from []string
		allRaw := true
		for _, p := range parents {
			pn := &g.Nodes[p]
			switch pn.ResourceType {
			case "source":
				from = append(from, "source "+pn.SourceName+"."+pn.Name)
			case "seed":
				from = append(from, "seed "+pn.Name)
			default:
				allRaw = false
			}
		}
		if !allRaw {
			continue
		}
		lines := sqlLines(projectDir, n.OriginalPath)
		mat := cmp.Or(n.Config.Materialized, "view")
		why := fmt.Sprintf("it reads only %s, so it builds on its own", strings.Join(from, ", "))
		if lines > 0 {
			why += fmt.Sprintf("; a %s of %d lines of SQL", mat, lines)
		} else {
			why += "; a " + mat
		}
		out = append(out, Starter{Name: n.Name, Why: why, lines: lines, mat: mat})
	}
	rank := func(mat string) int {
		switch mat {
		case "view", "table":
			return 0
		}
		return 1
	}
	slices.SortStableFunc(out, func(a, b Starter) int {
		return cmp.Or(cmp.Compare(rank(a.mat), rank(b.mat)), cmp.Compare(a.lines, b.lines), cmp.Compare(a.Name, b.Name))
	})
	return out
}

func sqlLines(projectDir, rel string) int {
	if rel == "" {
		return 0
	}
	data, err := os.ReadFile(filepath.Join(projectDir, filepath.FromSlash(rel)))
	if err != nil {
		return 0
	}
	n := 0
	for _, l := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(l) != "" {
			n++
		}
	}
	return n
}
