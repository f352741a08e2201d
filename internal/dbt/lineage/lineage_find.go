package lineage

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/textdist"
)

// FindNode resolves what a user typed to name one node: a unique id ("model.shop.orders"), a
// name ("orders"), a source ("raw.users" or "source:raw.users"), a model version
// ("dim_users.v2"; a bare versioned name means its latest version), a file path or file name
// ("models/orders.sql", "orders.sql"), or a selector-ish spelling with graph operators
// ("+orders+", "2+orders", "@orders"), which are ignored. When several nodes share the name
// the model (then seed, snapshot, source, exposure) wins, as in dbt's ref(). It returns -1 and
// up to five close names when nothing matches.
func FindNode(g *dbt.Graph, query string) (int, []string) {
	q := stripGraphOperators(strings.TrimSpace(query))
	if q == "" {
		return -1, nil
	}
	if i, ok := g.Index(q); ok {
		return i, nil
	}
	method := ""
	if k := strings.IndexByte(q, ':'); k > 0 {
		method, q = q[:k], q[k+1:]
	}
	names := nameMatcher(method, q)
	if names == nil {
		return -1, ClosestNames(g, q, 5)
	}
	var best []int
	for i := range g.Nodes {
		if names(&g.Nodes[i]) {
			best = append(best, i)
		}
	}
	if len(best) == 0 {
		return -1, ClosestNames(g, q, 5)
	}
	sort.SliceStable(best, func(a, b int) bool { return preferred(&g.Nodes[best[a]], &g.Nodes[best[b]]) })
	return best[0], nil
}

// nameMatcher is whether a node is named q, the way method (a selector method, or "" for
// none) names nodes; nil for a method that names no node this way.
func nameMatcher(method, q string) func(n *dbt.Node) bool {
	switch method {
	case "source":
		return func(n *dbt.Node) bool {
			return n.ResourceType == "source" && (n.SourceName+"."+n.Name == q || n.Package+"."+n.SourceName+"."+n.Name == q)
		}
	case "exposure", "metric", "semantic_model", "saved_query", "unit_test":
		return func(n *dbt.Node) bool { return n.ResourceType == method && n.Name == q }
	case "path", "file", "", "fqn":
		return func(n *dbt.Node) bool { return namedBy(n, q) }
	}
	return nil
}

// namedBy reports whether q names n: its name, display name or versioned name, its file
// (path, or file name for SQL), or its fqn.
func namedBy(n *dbt.Node, q string) bool {
	switch {
	case n.Name == q, DisplayName(n) == q,
		n.Version != "" && n.Name+"_v"+n.Version == q,
		n.OriginalPath != "" && n.OriginalPath == q && n.ResourceType != "test" && n.ResourceType != "source" && n.ResourceType != "exposure",
		strings.Contains(q, ".") && strings.HasSuffix(q, ".sql") && path.Base(n.OriginalPath) == q,
		len(n.FQN) > 1 && strings.Join(n.FQN, ".") == q:
		return true
	}
	return false
}

// preferred orders nodes sharing a name as dbt's ref() does: enabled first, then by type
// (model, seed, snapshot, source, exposure), the latest version of a versioned model first.
func preferred(na, nb *dbt.Node) bool {
	if na.Disabled != nb.Disabled {
		return nb.Disabled
	}
	if ra, rb := typeRank(na.ResourceType), typeRank(nb.ResourceType); ra != rb {
		return ra < rb
	}
	if na.Version != nb.Version {
		return dbt.VersionLess(nb.Version, na.Version)
	}
	return na.UniqueID < nb.UniqueID
}

// stripGraphOperators removes selector graph operators: "@x", "+x", "2+x", "x+", "x+3".
func stripGraphOperators(q string) string {
	q = strings.TrimPrefix(q, "@")
	if k := strings.IndexByte(q, '+'); k >= 0 && strings.Trim(q[:k], "0123456789") == "" {
		q = q[k+1:]
	}
	if k := strings.LastIndexByte(q, '+'); k >= 0 && strings.Trim(q[k+1:], "0123456789") == "" {
		q = q[:k]
	}
	return q
}

func typeRank(t string) int {
	switch t {
	case "model":
		return 0
	case "seed":
		return 1
	case "snapshot":
		return 2
	case "source":
		return 3
	case "exposure":
		return 4
	case "test":
		return 9
	}
	return 5
}

// ClosestNames returns up to n node names closest to q (edit distance, then names containing q),
// for "did you mean" messages.
func ClosestNames(g *dbt.Graph, q string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	seen := map[string]bool{}
	var cands []cand
	lq := strings.ToLower(q)
	limit := max(2, len(q)/2)
	for i := range g.Nodes {
		nd := &g.Nodes[i]
		if nd.ResourceType == "test" || nd.Disabled {
			continue
		}
		name := DisplayName(nd)
		if seen[name] {
			continue
		}
		seen[name] = true
		ln := strings.ToLower(name)
		d, ok := 0, false
		if strings.Contains(ln, lq) || strings.Contains(lq, ln) {
			// One holds the other: their edit distance is the difference of their lengths,
			// which counts less when the name only adds to what was typed.
			if delta := abs(len(ln) - len(lq)); delta > 0 {
				d = 1 + delta/4
			}
			ok = d <= limit
		} else {
			d, ok = textdist.Within(lq, ln, limit)
		}
		if ok {
			cands = append(cands, cand{name, d})
		}
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].d != cands[b].d {
			return cands[a].d < cands[b].d
		}
		return cands[a].name < cands[b].name
	})
	out := []string{}
	for k := 0; k < len(cands) && k < n; k++ {
		out = append(out, cands[k].name)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// NodeNotFoundError explains a FindNode miss.
func NodeNotFoundError(query string, suggestions []string) error {
	if len(suggestions) == 0 {
		return fmt.Errorf("no node matches %q; try a model name, a unique id or a file path", query)
	}
	return fmt.Errorf("no node matches %q; closest: %s", query, strings.Join(suggestions, ", "))
}

// NodeSelector returns a dbt selector that selects exactly this node: "orders",
// "dim_users.v2", "source:raw.users", "exposure:weekly_kpis". Names are qualified with their
// package when the node comes from a package ("dbt_utils.some_model" is fqn-prefix syntax).
func NodeSelector(g *dbt.Graph, n *dbt.Node) string {
	switch n.ResourceType {
	case "source":
		return "source:" + n.SourceName + "." + n.Name
	case "exposure", "metric", "semantic_model", "saved_query":
		return n.ResourceType + ":" + n.Name
	case "unit_test":
		return "unit_test:" + n.Name
	}
	name := n.Name
	if n.Version != "" {
		name += ".v" + n.Version
	}
	if g != nil && g.Origin.ProjectName != "" && n.Package != "" && n.Package != g.Origin.ProjectName {
		name = n.Package + "." + name
	}
	return name
}
