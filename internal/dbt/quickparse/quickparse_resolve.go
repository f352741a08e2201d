package quickparse

import (
	"fmt"
	"github.com/datatui/datatui/internal/dbt"
	"os"
	"path/filepath"
	"strings"
)

// This file turns the quick parse's refs and sources into edges, and checks the result.

// macroDeps follows the macros a file calls (transitively, through adapter.dispatch too) and
// returns the refs and sources they contain. dbt records those as the node's dependencies when
// it renders the macros while parsing.
func (q *quickParser) macroDeps(calls []string) ([]RefCall, []SourceCall) {
	if len(q.macros) == 0 || len(calls) == 0 {
		return nil, nil
	}
	var refs []RefCall
	var srcs []SourceCall
	seen := map[string]bool{}
	queue := append([]string(nil), calls...)
	for len(queue) > 0 && len(seen) < 1000 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		var ms []macroInfo
		if d, ok := strings.CutPrefix(name, "dispatch:"); ok {
			for mname, l := range q.macros {
				if mname == "default__"+d || strings.HasSuffix(mname, "__"+d) {
					ms = append(ms, l...)
				}
			}
		} else {
			ms = q.macros[name]
		}
		for _, m := range ms {
			refs = append(refs, m.refs...)
			srcs = append(srcs, m.sources...)
			queue = append(queue, m.calls...)
		}
	}
	return refs, srcs
}

// resolve turns each node's refs and sources into DependsOn unique ids. A ref or source that
// points at nothing in the project or its packages becomes an edge to an "unresolved"
// placeholder node, with a warning naming the file and line.
func (q *quickParser) resolve() {
	for i := range q.nodes {
		p := &q.pend[i]
		var deps []string
		where := func(files []string, lines []int, k int) string {
			file := p.file
			if k < len(files) && files[k] != "" {
				file = files[k] + " (called from " + p.file + ")"
			}
			if k < len(lines) && lines[k] > 0 {
				return fmt.Sprintf("%s line %d", file, lines[k])
			}
			return file
		}
		for k, r := range p.refs {
			id, problem := q.resolveRef(p.pkg, r)
			if problem != "" {
				q.warnAt(where(p.refFiles, p.refLines, k), problem)
				id = q.placeholder("ref", r.String(), r.Name+versionSuffix(r.Version), r.Package)
			}
			deps = appendUnique(deps, id)
			if n := &q.nodes[i]; n.ResourceType == "test" && !p.onSource && k == p.attachTo {
				n.AttachedNode = id
			}
		}
		for k, s := range p.sources {
			id, problem := q.resolveSource(p.pkg, s)
			if problem != "" {
				q.warnAt(where(p.srcFiles, p.srcLines, k), problem)
				id = q.placeholder("source", s.String(), s.Source+"."+s.Table, "")
			}
			deps = appendUnique(deps, id)
		}
		if !p.rendered {
			// Refs inside called macros, for files read literally: added when they resolve,
			// silently otherwise (a macro's refs often depend on its arguments).
			n := &q.nodes[i]
			mrefs, msrcs := q.macroDeps(p.calls)
			for _, r := range mrefs {
				if id, problem := q.resolveRef(p.pkg, r); problem == "" && id != n.UniqueID {
					deps = appendUnique(deps, id)
				}
			}
			for _, s := range msrcs {
				if id, problem := q.resolveSource(p.pkg, s); problem == "" {
					deps = appendUnique(deps, id)
				}
			}
		}
		for _, d := range q.resolveSemantic(p) {
			deps = appendUnique(deps, d)
		}
		q.nodes[i].DependsOn = deps
	}
}

func versionSuffix(v string) string {
	if v == "" {
		return ""
	}
	return ".v" + v
}

func (q *quickParser) warnAt(where, msg string) {
	q.warnings = append(q.warnings, where+": "+msg)
}

// ResourceUnresolved is the resource type of placeholder nodes: what a ref() or source()
// names when nothing in the project or its packages has that name. They are no dbt nodes:
// selectors never select them.
const ResourceUnresolved = "unresolved"

// placeholder returns the unique id of the placeholder node for an unresolved ref or source,
// creating it on first use.
func (q *quickParser) placeholder(kind, call, name, pkg string) string {
	id := "unresolved." + kind + "." + name
	if pkg != "" {
		id = "unresolved." + kind + "." + pkg + "." + name
	}
	if _, ok := q.ids[id]; ok {
		return id
	}
	n := dbt.Node{UniqueID: id, Name: name, ResourceType: ResourceUnresolved, Package: pkg,
		Description: call + " names nothing in the project or its packages; dbt fails to compile it until it exists",
		Config:      dbt.NodeConfig{Enabled: true}}
	q.ids[id] = len(q.nodes)
	q.nodes = append(q.nodes, n)
	q.pend = append(q.pend, pending{attachTo: -1, rendered: true})
	return id
}

func appendUnique(l []string, s string) []string {
	if containsStr(l, s) {
		return l
	}
	return append(l, s)
}

func (q *quickParser) resolveRef(from *project, r RefCall) (string, string) {
	// dbt's search order (manifest._packages_to_search): the package named, else the root
	// project, then the node's own package, then any package.
	var keys []string
	if r.Package != "" {
		keys = []string{r.Package + "." + r.Name}
	} else {
		keys = append(keys, q.root.name+"."+r.Name)
		if from != nil && from != q.root {
			keys = append(keys, from.name+"."+r.Name)
		}
		keys = append(keys, r.Name)
	}
	for _, k := range keys {
		cands := q.byName[k]
		if len(cands) == 0 {
			continue
		}
		want := r.Version
		if want == "" {
			want = q.latest[q.nodes[cands[0]].Package+"."+r.Name]
		}
		for _, c := range cands {
			if q.nodes[c].Version == want {
				return q.nodes[c].UniqueID, ""
			}
		}
		if r.Version != "" {
			return "", fmt.Sprintf("%s: model %q has no version %s", r, r.Name, r.Version)
		}
		return q.nodes[cands[0]].UniqueID, ""
	}
	if r.Package != "" && r.Package != q.root.name && !isDir(filepath.Join(q.root.dir, q.root.packagesPath, r.Package)) {
		return "", fmt.Sprintf("%s: package %q is not installed (run dbt deps); shown as an unresolved node", r, r.Package)
	}
	return "", fmt.Sprintf("%s points at no model, seed or snapshot of the project or its packages (dbt fails to compile it); shown as an unresolved node", r)
}

func (q *quickParser) resolveSource(from *project, s SourceCall) (string, string) {
	if from != nil {
		if i, ok := q.sources[from.name+"."+s.Source+"."+s.Table]; ok {
			return q.nodes[i].UniqueID, ""
		}
	}
	if i, ok := q.sources[s.Source+"."+s.Table]; ok {
		return q.nodes[i].UniqueID, ""
	}
	return "", fmt.Sprintf("%s is not declared in any sources: YAML of the project or its packages (dbt fails to compile it); shown as an unresolved node", s)
}

// keptNodes drops disabled nodes, and tests of disabled nodes (dbt disables those too).
func (q *quickParser) keptNodes() []dbt.Node {
	disabled := map[string]bool{}
	for i := range q.nodes {
		if q.pend[i].disabled {
			disabled[q.nodes[i].UniqueID] = true
		}
	}
	out := make([]dbt.Node, 0, len(q.nodes))
	for i := range q.nodes {
		n := q.nodes[i]
		if q.pend[i].disabled {
			continue
		}
		if n.ResourceType == "test" && n.TestMetadata != nil {
			skip := false
			for _, d := range n.DependsOn {
				skip = skip || disabled[d]
			}
			if skip {
				continue
			}
		}
		if n.ResourceType == "unit_test" && len(n.DependsOn) > 0 && disabled[n.DependsOn[0]] {
			continue
		}
		out = append(out, n)
	}
	return out
}

// findCycle returns one dependency cycle as "a → b → a" using node names, or "".
func findCycle(g *dbt.Graph) string {
	const (
		white = iota
		grey
		black
	)
	color := make([]uint8, g.Len())
	parent := make([]int32, g.Len())
	for start := range g.Nodes {
		if color[start] != white {
			continue
		}
		// Iterative DFS over children: stack of (node, next child position).
		type frame struct{ n, k int }
		stack := []frame{{start, 0}}
		color[start] = grey
		parent[start] = -1
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			ch := g.Children(top.n)
			if top.k >= len(ch) {
				color[top.n] = black
				stack = stack[:len(stack)-1]
				continue
			}
			c := int(ch[top.k])
			top.k++
			switch color[c] {
			case white:
				color[c] = grey
				parent[c] = int32(top.n)
				stack = append(stack, frame{c, 0})
			case grey:
				// Found a back edge top.n → c: walk parents from top.n back to c.
				path := []string{g.Nodes[c].Name}
				for x := top.n; x != c && x >= 0; x = int(parent[x]) {
					path = append(path, g.Nodes[x].Name)
				}
				path = append(path, g.Nodes[c].Name)
				// path is c, …, c reversed along parents; print in dependency order.
				for l, r := 0, len(path)-1; l < r; l, r = l+1, r-1 {
					path[l], path[r] = path[r], path[l]
				}
				return strings.Join(path, " → ")
			}
		}
	}
	return ""
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}
