// Package selector answers dbt's node selection syntax over a graph as dbt does: --select and
// --exclude with graph operators, methods (tag:, path:, state:modified…), intersections,
// indirect test selection and selectors.yml definitions. Tested against dbt-core's own
// answers in the shared fixtures.
package selector

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
)

// Indirect selection modes (--indirect-selection).
const (
	IndirectEager     = "eager"
	IndirectCautious  = "cautious"
	IndirectBuildable = "buildable"
	IndirectEmpty     = "empty"
)

// ListResourceTypes are the types `dbt ls` lists by default; "all" adds analyses.
var ListResourceTypes = []string{"model", "snapshot", "seed", "test", "source", "exposure", "metric", "saved_query", "semantic_model", "unit_test", "function"}

// SelectOptions steer Select.
type SelectOptions struct {
	// ResourceTypes keeps only these types (like --resource-type); empty = all types that
	// dbt ls lists by default. "all" adds analyses; "default" is the default list.
	ResourceTypes []string
	// ExcludeResourceTypes drops these types (--exclude-resource-type).
	ExcludeResourceTypes []string
	// Indirect is the --indirect-selection mode (default eager).
	Indirect string
	// State is the comparison manifest for state: selectors (--state).
	State *dbt.Graph
	// Results are the previous run's results for result: selectors (run_results.json in --state).
	Results *dbt.RunResults
	// ProjectDir is the project root (where dbt_project.yml is); path: values given as absolute
	// paths inside it are made relative to it, like dbt does from the project folder.
	ProjectDir string
	// DBTVersion is the dbt version whose selection rules apply ("1.8.8"); empty: the version
	// that wrote the graph's manifest, or the newest rules for a quick parse. dbt before 1.9
	// does not let tag:, path:, file:, package:, resource_type:, state: or result: find saved
	// queries, and drops graph operators under --indirect-selection empty.
	DBTVersion string
	// Index is the graph's PrepareSelect, for callers that evaluate many selectors on one
	// graph (the selector prompt, on every key): it saves sorting the result by unique id and
	// finding the graph's members on each evaluation. Nil computes both each time.
	Index *SelectIndex
}

// SelectIndex is what every evaluation on one graph needs and that does not depend on the
// selector: the nodes in unique-id order (dbt ls's order) and dbt's selection-graph members.
type SelectIndex struct {
	g      *dbt.Graph
	byID   []int32
	member bitset
	// fqns and fqnVersioned are each node's fqn and whether it is a versioned model, and
	// fqnMembers the members fqn: may select (not sources), side by side: the fqn method
	// scans them for every node on every key, and a Node is ~700 bytes of cache misses.
	fqns         [][]string
	fqnVersioned bitset
	fqnMembers   bitset
}

// PrepareSelect computes g's SelectIndex (a sort of every unique id: do it once per graph,
// off the UI goroutine).
func PrepareSelect(g *dbt.Graph) *SelectIndex {
	n := len(g.Nodes)
	ix := &SelectIndex{g: g, byID: make([]int32, n), member: members(graphView{g}),
		fqns: make([][]string, n), fqnVersioned: newBitset(n), fqnMembers: newBitset(n)}
	for i := range ix.byID {
		ix.byID[i] = int32(i)
		nd := &g.Nodes[i]
		ix.fqns[i] = nd.FQN
		if nd.Version != "" {
			ix.fqnVersioned.set(i)
		}
		if ix.member.has(i) && nd.ResourceType != "source" {
			ix.fqnMembers.set(i)
		}
	}
	slices.SortFunc(ix.byID, func(a, b int32) int { return strings.Compare(g.Nodes[a].UniqueID, g.Nodes[b].UniqueID) })
	return ix
}

// SelectResult is what Select found.
type SelectResult struct {
	// Indexes are the selected node indexes, ordered by unique id.
	Indexes []int
	// Unmatched are the --select criteria that matched no enabled node (dbt warns about each).
	Unmatched []string
}

// IDs returns the selected unique ids, sorted.
func (r *SelectResult) IDs(g *dbt.Graph) []string {
	out := make([]string, len(r.Indexes))
	for k, i := range r.Indexes {
		out[k] = g.Nodes[i].UniqueID
	}
	return out
}

// Select evaluates a selection over g with dbt's semantics and returns the sorted unique ids.
func Select(g *dbt.Graph, sel *Selection, opts SelectOptions) ([]string, error) {
	r, err := SelectNodes(g, sel, opts)
	if err != nil {
		return nil, err
	}
	return r.IDs(g), nil
}

// SelectNodes is Select returning node indexes and the criteria that matched nothing.
func SelectNodes(g *dbt.Graph, sel *Selection, opts SelectOptions) (*SelectResult, error) {
	return SelectNodesContext(context.Background(), g, sel, opts)
}

// SelectNodesContext is SelectNodes that stops with ctx's error once ctx is done, so an
// evaluation nobody waits for any more (an older keystroke's) stops using the CPU.
func SelectNodesContext(ctx context.Context, g *dbt.Graph, sel *Selection, opts SelectOptions) (*SelectResult, error) {
	if sel == nil {
		sel = &Selection{}
	}
	if opts.Index != nil && opts.Index.g != g {
		return nil, fmt.Errorf("internal error: the select index belongs to another graph")
	}
	return selectFrom(ctx, graphView{g}, sel, opts)
}

// selectFrom evaluates a selection over a view of the nodes.
func selectFrom(ctx context.Context, v view, sel *Selection, opts SelectOptions) (*SelectResult, error) {
	if sel == nil {
		sel = &Selection{}
	}
	ev := newEvaluator(v, opts)
	ev.ctx = ctx
	switch opts.Indirect {
	case "", IndirectEager:
		ev.mode = IndirectEager
	case IndirectCautious, IndirectBuildable, IndirectEmpty:
		ev.mode = opts.Indirect
	default:
		return nil, fmt.Errorf("--indirect-selection %q: expected eager, cautious, buildable or empty", opts.Indirect)
	}
	types, err := typeFilter(opts.ResourceTypes, opts.ExcludeResourceTypes)
	if err != nil {
		return nil, err
	}
	res := &SelectResult{}
	include := sel.Include
	expectExists := true
	if include == nil {
		include = defaultInclude()
		expectExists = false
	}
	incDirect, incIndirect, err := ev.union(include, ev.mode, expectExists, res)
	if err != nil {
		return nil, err
	}
	// Since dbt 1.4 the exclusions are expanded with the same --indirect-selection mode.
	excDirect, excIndirect, err := ev.union(sel.Exclude, ev.mode, false, nil)
	if err != nil {
		return nil, err
	}
	// Difference, with the same bookkeeping dbt does for tests selected indirectly.
	direct := incDirect.clone()
	direct.andNot(excDirect)
	indirect := incDirect.clone()
	indirect.or(incIndirect)
	exc := excDirect.clone()
	exc.or(excIndirect)
	indirect.andNot(exc)
	direct = ev.incorporate(direct, indirect, ev.mode)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	keep := func(i int) {
		// The set first: most nodes are not selected, and reading a node costs a cache miss.
		if direct.has(i) && (types == nil || types[v.resourceType(i)]) {
			res.Indexes = append(res.Indexes, i)
		}
	}
	order := v.byID()
	if opts.Index != nil {
		order = opts.Index.byID
	}
	if order != nil {
		for _, i := range order {
			keep(int(i))
		}
		return res, nil
	}
	direct.each(keep)
	byID := func(a, b int) int { return strings.Compare(v.uniqueID(a), v.uniqueID(b)) }
	if !slices.IsSortedFunc(res.Indexes, byID) {
		slices.SortFunc(res.Indexes, byID)
	}
	return res, nil
}

func defaultInclude() SelectorUnion {
	var u SelectorUnion
	for _, m := range []string{"fqn", "source", "exposure", "metric", "semantic_model", "saved_query"} {
		u = append(u, []SelectorSpec{{Raw: m + ":*", Method: m, Value: "*"}})
	}
	return u
}

func typeFilter(include, exclude []string) (map[string]bool, error) {
	valid := map[string]bool{"all": true, "default": true}
	for _, t := range ResourceTypes {
		valid[t] = true
	}
	out := map[string]bool{}
	if len(include) == 0 {
		include = []string{"default"}
	}
	for _, t := range include {
		if !valid[t] {
			return nil, fmt.Errorf("--resource-type %q: expected one of all, default, %s", t, strings.Join(ResourceTypes, ", "))
		}
		switch t {
		case "default":
			for _, d := range ListResourceTypes {
				out[d] = true
			}
		case "all":
			for _, d := range ListResourceTypes {
				out[d] = true
			}
			out["analysis"] = true
		default:
			out[t] = true
		}
	}
	for _, t := range exclude {
		if !valid[t] {
			return nil, fmt.Errorf("--exclude-resource-type %q: expected one of %s", t, strings.Join(ResourceTypes, ", "))
		}
		delete(out, t)
	}
	return out, nil
}

// bitset is a set of node indexes.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(uint(i)&63)) != 0 }
func (b bitset) set(i int)      { b[i>>6] |= 1 << (uint(i) & 63) }
func (b bitset) clone() bitset  { return slices.Clone(b) }
func (b bitset) or(o bitset) {
	for k := range b {
		b[k] |= o[k]
	}
}
func (b bitset) and(o bitset) {
	for k := range b {
		b[k] &= o[k]
	}
}
func (b bitset) andNot(o bitset) {
	for k := range b {
		b[k] &^= o[k]
	}
}
func (b bitset) equal(o bitset) bool { return slices.Equal(b, o) }
func (b bitset) empty() bool {
	for _, w := range b {
		if w != 0 {
			return false
		}
	}
	return true
}

// each calls fn for every member in index order.
func (b bitset) each(fn func(i int)) {
	for k, w := range b {
		for w != 0 {
			t := bits.TrailingZeros64(w)
			fn(k*64 + t)
			w &= w - 1
		}
	}
}

type evaluator struct {
	ctx context.Context
	v   view
	// g is the decoded graph, nil over columns (state: needs it).
	g    *dbt.Graph
	opts SelectOptions
	n    int
	mode string
	// before19 applies the rules of dbt 1.8 and older (see SelectOptions.DBTVersion).
	before19 bool
	// member holds the nodes of dbt's selection graph (selector.py _is_graph_member): enabled
	// nodes, sources, metrics… (config.enabled) and every exposure. Others are neither matched
	// nor traversed.
	member bitset
}

func newEvaluator(v view, opts SelectOptions) *evaluator {
	ev := &evaluator{ctx: context.Background(), v: v, g: v.graph(), opts: opts, n: v.size()}
	version := opts.DBTVersion
	if version == "" {
		version = v.dbtVersion()
	}
	ev.before19 = VersionBefore(version, 1, 9)
	if opts.Index != nil {
		ev.member = opts.Index.member
	} else {
		ev.member = v.members()
	}
	return ev
}

// members is the set of the selection-graph members (isGraphMember).
func members(v view) bitset {
	m := newBitset(v.size())
	for i := range v.size() {
		if v.member(i) {
			m.set(i)
		}
	}
	return m
}

// VersionBefore reports whether a dbt version ("1.8.8", "1.10.0b2") is older than major.minor;
// false when it cannot be read.
func VersionBefore(v string, major, minor int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "="), ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	mi, err2 := strconv.Atoi(strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	if err1 != nil || err2 != nil {
		return false
	}
	return ma < major || ma == major && mi < minor
}

// union evaluates a union of intersections, returning the direct and indirect sets like
// dbt's select_nodes_recursively.
func (ev *evaluator) union(u SelectorUnion, mode string, expectExists bool, res *SelectResult) (bitset, bitset, error) {
	direct, indirect := newBitset(ev.n), newBitset(ev.n)
	for _, group := range u {
		var gd, gi bitset
		for k, spec := range group {
			d, i, err := ev.criterion(spec, mode)
			if err != nil {
				return nil, nil, err
			}
			di := d.clone()
			di.or(i)
			if k == 0 {
				gd, gi = d, di
			} else {
				gd.and(d)
				gi.and(di)
			}
		}
		if len(group) > 1 {
			gd = ev.incorporate(gd, gi, mode)
		}
		if expectExists && res != nil && gd.empty() {
			raw := make([]string, len(group))
			for k, s := range group {
				raw[k] = s.Raw
			}
			res.Unmatched = append(res.Unmatched, strings.Join(raw, ","))
		}
		gdi := gd.clone()
		gdi.or(gi)
		direct.or(gd)
		indirect.or(gdi)
	}
	return ev.incorporate(direct, indirect, mode), indirect, nil
}

// criterion evaluates one spec: method matches, graph operators, then indirect test selection.
func (ev *evaluator) criterion(spec SelectorSpec, mode string) (bitset, bitset, error) {
	matched, err := ev.match(spec)
	if err != nil {
		return nil, nil, err
	}
	if err := ev.ctx.Err(); err != nil {
		return nil, nil, err
	}
	if mode == IndirectEmpty && ev.before19 {
		// dbt 1.8 returned the matched nodes before applying the graph operators.
		return matched, newBitset(ev.n), nil
	}
	sel := matched
	if spec.ChildrensParents || spec.Parents || spec.Children {
		sel = matched.clone()
	}
	if spec.ChildrensParents {
		down := ev.walk(matched, -1, false)
		down.or(matched)
		sel.or(down)
		sel.or(ev.walk(down, -1, true))
	}
	if spec.Parents {
		sel.or(ev.walk(matched, spec.ParentsDepth, true))
	}
	if spec.Children {
		sel.or(ev.walk(matched, spec.ChildrenDepth, false))
	}
	if mode == IndirectEmpty {
		return sel, newBitset(ev.n), nil
	}
	d, i := ev.expand(sel, mode)
	return d, i, nil
}

// walk returns the ancestors (up) or descendants of the set, up to depth generations (-1: all),
// not including the set itself unless reachable from another member.
func (ev *evaluator) walk(from bitset, depth int, up bool) bitset {
	out := newBitset(ev.n)
	var frontier []int
	from.each(func(i int) { frontier = append(frontier, i) })
	next := ev.v.children
	if up {
		next = ev.v.parents
	}
	for gen := 0; len(frontier) > 0 && (depth < 0 || gen < depth); gen++ {
		var nf []int
		for _, i := range frontier {
			for _, j := range next(i) {
				if !out.has(int(j)) && ev.member.has(int(j)) {
					out.set(int(j))
					nf = append(nf, int(j))
				}
			}
		}
		frontier = nf
	}
	return out
}

// canSelectIndirectly is dbt's can_select_indirectly: tests and unit tests.
func canSelectIndirectly(t string) bool { return t == "test" || t == "unit_test" }

// expand adds the tests that depend on selected nodes (dbt's expand_selection).
func (ev *evaluator) expand(sel bitset, mode string) (bitset, bitset) {
	v := ev.v
	direct := sel.clone()
	indirect := newBitset(ev.n)
	var withParents bitset
	if mode == IndirectBuildable {
		withParents = ev.walk(sel, -1, true)
		withParents.or(sel)
		for i := range ev.n {
			if v.resourceType(i) == "source" {
				withParents.set(i)
			}
		}
	}
	sel.each(func(i int) {
		for _, c := range v.children(i) {
			ci := int(c)
			if !ev.member.has(ci) || !canSelectIndirectly(v.resourceType(ci)) || direct.has(ci) {
				continue
			}
			switch {
			case mode == IndirectEager || ev.parentsIn(ci, sel):
				direct.set(ci)
			case mode == IndirectBuildable && ev.parentsIn(ci, withParents):
				direct.set(ci)
			default:
				indirect.set(ci)
			}
		}
	})
	return direct, indirect
}

// parentsIn reports whether every parent of node i is in set. Dangling parents (not in the
// graph) count as not selected, like dbt's depends_on check.
func (ev *evaluator) parentsIn(i int, set bitset) bool {
	if !ev.v.parentsComplete(i) {
		return false
	}
	for _, p := range ev.v.parents(i) {
		if !set.has(int(p)) {
			return false
		}
	}
	return true
}

// incorporate adds indirectly selected tests whose parents are now all selected (cautious) or
// selected or upstream (buildable); dbt's incorporate_indirect_nodes, which looks at data tests
// only (unit tests live outside manifest.nodes).
func (ev *evaluator) incorporate(direct, indirect bitset, mode string) bitset {
	if direct.equal(indirect) {
		return direct
	}
	out := direct.clone()
	switch mode {
	case IndirectCautious:
		indirect.each(func(i int) {
			if ev.v.resourceType(i) == "test" && ev.parentsIn(i, direct) {
				out.set(i)
			}
		})
	case IndirectBuildable:
		withParents := ev.walk(direct, -1, true)
		withParents.or(direct)
		indirect.each(func(i int) {
			if ev.v.resourceType(i) == "test" && ev.parentsIn(i, withParents) {
				out.set(i)
			}
		})
	}
	return out
}

// versionMatch is dbt's VersionSelectorMethod.
func versionMatch(n *dbt.Node, v string) bool {
	switch v {
	case "none":
		return n.Version == ""
	case "latest":
		return n.Version != "" && n.Version == n.LatestVersion
	case "prerelease":
		return n.Version != "" && n.LatestVersion != "" && compareVersions(n.Version, n.LatestVersion) > 0
	case "old":
		return n.Version != "" && n.LatestVersion != "" && compareVersions(n.Version, n.LatestVersion) < 0
	}
	return false
}

// compareVersions compares model versions numerically when both are numbers, else as text.
func compareVersions(a, b string) int {
	fa, ea := strconv.ParseFloat(a, 64)
	fb, eb := strconv.ParseFloat(b, 64)
	if ea == nil && eb == nil {
		switch {
		case fa < fb:
			return -1
		case fa > fb:
			return 1
		}
		return 0
	}
	return strings.Compare(a, b)
}

// stateMatcher compares nodes with the same unique id in the state manifest (dbt's
// StateSelectorMethod), including changes of the macros a node calls (directly or through
// other macros) when both manifests list their macros.
func stateMatcher(g, state *dbt.Graph, v string) (func(n *dbt.Node) bool, error) {
	old := func(n *dbt.Node) *dbt.Node {
		p := state.Node(n.UniqueID)
		if p == nil || p.Disabled {
			return nil
		}
		return p
	}
	macros := macroChanges(g, state)
	if v == "modified.macros" && macros == nil {
		return nil, fmt.Errorf("state:modified.macros needs the macros of both manifests, and %s has none", map[bool]string{true: "the comparison manifest", false: "this project's graph"}[g.Macros != nil])
	}
	differs := modifiedPart(v)
	return func(n *dbt.Node) bool {
		p := old(n)
		switch v {
		case "new":
			return p == nil
		case "old":
			return p != nil
		case "modified":
			return p == nil || NodeModified(n, p) || macros.affects(g, n)
		case "unmodified":
			return p != nil && !NodeModified(n, p) && !macros.affects(g, n)
		case "modified.macros":
			return macros.affects(g, n)
		}
		return differs != nil && (p == nil || differs(n, p))
	}, nil
}

// modifiedPart is one of state:modified's subselectors (body, configs, relation, persisted
// descriptions, contract): whether n differs from its previous definition p in that part.
// It is nil for any other value.
func modifiedPart(v string) func(n, p *dbt.Node) bool {
	switch v {
	case "modified.body":
		return func(n, p *dbt.Node) bool { return !sameBody(n, p) }
	case "modified.configs":
		return func(n, p *dbt.Node) bool { return n.UnrenderedHash != p.UnrenderedHash }
	case "modified.relation":
		return func(n, p *dbt.Node) bool { return n.UnrenderedRelation != p.UnrenderedRelation }
	case "modified.persisted_descriptions":
		return func(n, p *dbt.Node) bool { return !samePersistedDescriptions(n, p) }
	case "modified.contract":
		return func(n, p *dbt.Node) bool { return !sameContract(n, p) }
	}
	return nil
}

// changedMacros are the macros whose SQL differs between two manifests, or that exist in only
// one of them (dbt's _macros_modified), with memoised answers per macro.
type changedMacros struct {
	changed map[string]bool
	reaches map[string]bool
}

// macroChanges compares the macros of both graphs; nil when either has none recorded.
func macroChanges(g, state *dbt.Graph) *changedMacros {
	if g.Macros == nil || state.Macros == nil {
		return nil
	}
	c := &changedMacros{changed: map[string]bool{}, reaches: map[string]bool{}}
	for id, m := range g.Macros {
		if o, ok := state.Macros[id]; !ok || o.Checksum != m.Checksum {
			c.changed[id] = true
		}
	}
	for id := range state.Macros {
		if _, ok := g.Macros[id]; !ok {
			c.changed[id] = true
		}
	}
	return c
}

// affects reports whether node n calls a changed macro, directly or through other macros.
func (c *changedMacros) affects(g *dbt.Graph, n *dbt.Node) bool {
	if c == nil || len(c.changed) == 0 {
		return false
	}
	visiting := map[string]bool{}
	var reaches func(id string) bool
	reaches = func(id string) bool {
		if r, ok := c.reaches[id]; ok {
			return r
		}
		if visiting[id] {
			return false
		}
		visiting[id] = true
		r := c.changed[id]
		for _, d := range g.Macros[id].DependsOn {
			if r {
				break
			}
			r = reaches(d)
		}
		c.reaches[id] = r
		return r
	}
	for _, id := range n.MacroDeps {
		if reaches(id) {
			return true
		}
	}
	return false
}

// NodeModified reports whether n differs from its previous definition p the way dbt's
// state:modified sees it: body, configs, persisted descriptions, fqn, relation or contract.
func NodeModified(n, p *dbt.Node) bool {
	return !sameBody(n, p) || n.UnrenderedHash != p.UnrenderedHash || !samePersistedDescriptions(n, p) ||
		!slices.Equal(n.FQN, p.FQN) || n.UnrenderedRelation != p.UnrenderedRelation || !sameContract(n, p)
}

func sameBody(n, p *dbt.Node) bool { return n.Checksum == p.Checksum }

func sameContract(n, p *dbt.Node) bool {
	if !n.ContractEnf && !p.ContractEnf {
		return true
	}
	return n.ContractEnf == p.ContractEnf && n.ContractChecksum == p.ContractChecksum
}

func samePersistedDescriptions(n, p *dbt.Node) bool {
	relation := n.Config.Extra["persist_docs.relation"] == "true" || p.Config.Extra["persist_docs.relation"] == "true"
	columns := n.Config.Extra["persist_docs.columns"] == "true" || p.Config.Extra["persist_docs.columns"] == "true"
	if relation && n.Description != p.Description {
		return false
	}
	if columns {
		if len(n.Columns) != len(p.Columns) {
			return false
		}
		pd := make(map[string]string, len(p.Columns))
		for _, c := range p.Columns {
			pd[c.Name] = c.Description
		}
		for _, c := range n.Columns {
			if d, ok := pd[c.Name]; !ok || d != c.Description {
				return false
			}
		}
	}
	return true
}

// Upstream returns the indexes of node i's ancestors up to depth generations (negative: all),
// ordered by unique id. Disabled nodes have no edges and so never appear.
func Upstream(g *dbt.Graph, i, depth int) []int { return neighbours(g, i, depth, true) }

// Downstream returns the indexes of node i's descendants up to depth generations (negative:
// all), ordered by unique id.
func Downstream(g *dbt.Graph, i, depth int) []int { return neighbours(g, i, depth, false) }

func neighbours(g *dbt.Graph, i, depth int, up bool) []int {
	if i < 0 || i >= g.Len() || depth == 0 {
		return nil
	}
	ev := newEvaluator(graphView{g}, SelectOptions{})
	start := newBitset(g.Len())
	start.set(i)
	set := ev.walk(start, depth, up)
	var out []int
	set.each(func(j int) {
		if j != i {
			out = append(out, j)
		}
	})
	if !slices.IsSortedFunc(out, func(a, b int) int { return strings.Compare(g.Nodes[a].UniqueID, g.Nodes[b].UniqueID) }) {
		sort.Slice(out, func(a, b int) bool { return g.Nodes[out[a]].UniqueID < g.Nodes[out[b]].UniqueID })
	}
	return out
}
