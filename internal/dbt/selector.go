package dbt

import (
	"encoding/json"
	"fmt"
	"math/bits"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
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
	State *Graph
	// Results are the previous run's results for result: selectors (run_results.json in --state).
	Results *RunResults
	// ProjectDir is the project root (where dbt_project.yml is); path: values given as absolute
	// paths inside it are made relative to it, like dbt does from the project folder.
	ProjectDir string
}

// SelectResult is what Select found.
type SelectResult struct {
	// Indexes are the selected node indexes, ordered by unique id.
	Indexes []int
	// Unmatched are the --select criteria that matched no enabled node (dbt warns about each).
	Unmatched []string
}

// IDs returns the selected unique ids, sorted.
func (r *SelectResult) IDs(g *Graph) []string {
	out := make([]string, len(r.Indexes))
	for k, i := range r.Indexes {
		out[k] = g.Nodes[i].UniqueID
	}
	return out
}

// Select evaluates a selection over g with dbt's semantics and returns the sorted unique ids.
func Select(g *Graph, sel *Selection, opts SelectOptions) ([]string, error) {
	r, err := SelectNodes(g, sel, opts)
	if err != nil {
		return nil, err
	}
	return r.IDs(g), nil
}

// SelectNodes is Select returning node indexes and the criteria that matched nothing.
func SelectNodes(g *Graph, sel *Selection, opts SelectOptions) (*SelectResult, error) {
	if sel == nil {
		sel = &Selection{}
	}
	ev := &evaluator{g: g, opts: opts, n: len(g.Nodes)}
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
	excDirect, excIndirect, err := ev.union(sel.Exclude, IndirectEager, false, nil)
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

	for i := range g.Nodes {
		if !direct.has(i) {
			continue
		}
		if t := g.Nodes[i].ResourceType; types != nil && !types[t] {
			continue
		}
		res.Indexes = append(res.Indexes, i)
	}
	if !slices.IsSortedFunc(res.Indexes, func(a, b int) int { return strings.Compare(g.Nodes[a].UniqueID, g.Nodes[b].UniqueID) }) {
		sort.Slice(res.Indexes, func(a, b int) bool { return g.Nodes[res.Indexes[a]].UniqueID < g.Nodes[res.Indexes[b]].UniqueID })
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
	g    *Graph
	opts SelectOptions
	n    int
	mode string
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
		sel.or(ev.walk(matched, depthOf(spec.ParentsDepth), true))
	}
	if spec.Children {
		sel.or(ev.walk(matched, depthOf(spec.ChildrenDepth), false))
	}
	if mode == IndirectEmpty {
		return sel, newBitset(ev.n), nil
	}
	d, i := ev.expand(sel, mode)
	return d, i, nil
}

func depthOf(d int) int {
	if d <= 0 {
		return -1
	}
	return d
}

// walk returns the ancestors (up) or descendants of the set, up to depth generations (-1: all),
// not including the set itself unless reachable from another member.
func (ev *evaluator) walk(from bitset, depth int, up bool) bitset {
	out := newBitset(ev.n)
	var frontier []int
	from.each(func(i int) { frontier = append(frontier, i) })
	next := ev.g.Children
	if up {
		next = ev.g.Parents
	}
	for gen := 0; len(frontier) > 0 && (depth < 0 || gen < depth); gen++ {
		var nf []int
		for _, i := range frontier {
			for _, j := range next(i) {
				if !out.has(int(j)) {
					out.set(int(j))
					nf = append(nf, int(j))
				}
			}
		}
		frontier = nf
	}
	return out
}

func isTestType(t string) bool { return t == "test" || t == "unit_test" }

// expand adds the tests that depend on selected nodes (dbt's expand_selection).
func (ev *evaluator) expand(sel bitset, mode string) (bitset, bitset) {
	g := ev.g
	direct := sel.clone()
	indirect := newBitset(ev.n)
	var withParents bitset
	if mode == IndirectBuildable {
		withParents = ev.walk(sel, -1, true)
		withParents.or(sel)
		for i := range g.Nodes {
			if g.Nodes[i].ResourceType == "source" {
				withParents.set(i)
			}
		}
	}
	sel.each(func(i int) {
		for _, c := range g.Children(i) {
			ci := int(c)
			if !isTestType(g.Nodes[ci].ResourceType) || direct.has(ci) {
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
	n := &ev.g.Nodes[i]
	if len(ev.g.Parents(i)) != len(uniqueStrings(n.DependsOn)) {
		return false
	}
	for _, p := range ev.g.Parents(i) {
		if !set.has(int(p)) {
			return false
		}
	}
	return true
}

func uniqueStrings(l []string) []string {
	if len(l) < 2 {
		return l
	}
	seen := make(map[string]bool, len(l))
	out := l[:0:0]
	for _, s := range l {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// incorporate adds indirectly selected tests whose parents are now all selected (cautious) or
// selected or upstream (buildable); dbt's incorporate_indirect_nodes.
func (ev *evaluator) incorporate(direct, indirect bitset, mode string) bitset {
	if direct.equal(indirect) {
		return direct
	}
	out := direct.clone()
	switch mode {
	case IndirectCautious:
		indirect.each(func(i int) {
			if isTestType(ev.g.Nodes[i].ResourceType) && ev.parentsIn(i, direct) {
				out.set(i)
			}
		})
	case IndirectBuildable:
		withParents := ev.walk(direct, -1, true)
		withParents.or(direct)
		indirect.each(func(i int) {
			if isTestType(ev.g.Nodes[i].ResourceType) && ev.parentsIn(i, withParents) {
				out.set(i)
			}
		})
	}
	return out
}

// match returns the enabled nodes a spec's method selects (before graph operators).
func (ev *evaluator) match(spec SelectorSpec) (bitset, error) {
	g := ev.g
	out := newBitset(ev.n)
	var pred func(n *Node) bool
	v := spec.Value
	switch spec.Method {
	case "fqn":
		pred = func(n *Node) bool { return n.ResourceType != "source" && fqnMatch(n, v) }
	case "tag":
		pred = func(n *Node) bool {
			for _, t := range n.Tags {
				if fnmatch(t, v) {
					return true
				}
			}
			return false
		}
	case "path":
		if filepath.IsAbs(v) && ev.opts.ProjectDir != "" {
			if rel, err := filepath.Rel(ev.opts.ProjectDir, v); err == nil && !strings.HasPrefix(rel, "..") {
				v = rel
			}
		}
		pat := cleanPathPattern(v)
		pred = func(n *Node) bool { return pathMatch(n, pat) }
	case "file":
		pred = func(n *Node) bool {
			if n.OriginalPath == "" {
				return false
			}
			base := path.Base(n.OriginalPath)
			stem := strings.TrimSuffix(base, path.Ext(base))
			return fnmatch(base, v) || fnmatch(stem, v)
		}
	case "package":
		pat := v
		if pat == "this" {
			pat = g.Origin.ProjectName
		}
		pred = func(n *Node) bool { return fnmatch(n.Package, pat) }
	case "source":
		pkg, src, table := "*", "*", "*"
		switch parts := strings.Split(v, "."); len(parts) {
		case 1:
			src = parts[0]
		case 2:
			src, table = parts[0], parts[1]
		default:
			pkg, src, table = parts[0], parts[1], parts[2]
		}
		pred = func(n *Node) bool {
			return n.ResourceType == "source" && fnmatch(n.Package, pkg) && fnmatch(n.SourceName, src) && fnmatch(n.Name, table)
		}
	case "exposure", "metric", "semantic_model", "saved_query":
		typ := spec.Method
		pkg, name := "*", v
		if parts := strings.SplitN(v, ".", 2); len(parts) == 2 {
			pkg, name = parts[0], parts[1]
		}
		pred = func(n *Node) bool { return n.ResourceType == typ && fnmatch(n.Package, pkg) && fnmatch(n.Name, name) }
	case "unit_test":
		parts := strings.Split(v, ".")
		pred = func(n *Node) bool {
			if n.ResourceType != "unit_test" {
				return false
			}
			switch len(parts) {
			case 1:
				return fnmatch(n.Name, parts[0])
			case 2:
				return fnmatch(n.Package, parts[0]) && fnmatch(n.Name, parts[1])
			default:
				model := unitTestModel(n)
				return fnmatch(n.Package, parts[0]) && fnmatch(model, strings.Join(parts[1:len(parts)-1], ".")) && fnmatch(n.Name, parts[len(parts)-1])
			}
		}
	case "resource_type":
		pred = func(n *Node) bool { return n.ResourceType == v }
	case "config":
		pred = configMatcher(spec.MethodArgs, v)
	case "test_type":
		pred = func(n *Node) bool {
			switch v {
			case "generic", "schema":
				return n.ResourceType == "test" && n.TestMetadata != nil
			case "singular":
				return n.ResourceType == "test" && n.TestMetadata == nil
			case "data":
				return n.ResourceType == "test"
			default: // unit
				return n.ResourceType == "unit_test"
			}
		}
	case "test_name":
		pred = func(n *Node) bool {
			if n.ResourceType == "test" && n.TestMetadata != nil {
				return fnmatch(n.TestMetadata.Name, v)
			}
			return n.ResourceType == "unit_test" && fnmatch(n.Name, v)
		}
	case "group":
		pred = func(n *Node) bool { return n.Config.Group != "" && fnmatch(n.Config.Group, v) }
	case "access":
		pred = func(n *Node) bool { return n.ResourceType == "model" && n.Config.Access == v }
	case "version":
		pred = func(n *Node) bool { return n.ResourceType == "model" && versionMatch(n, v) }
	case "state":
		if ev.opts.State == nil {
			return nil, fmt.Errorf("%s needs a comparison manifest: pass --state DIR (a folder with the production manifest.json)", spec.Raw)
		}
		pred = stateMatcher(ev.opts.State, v)
	case "result":
		if ev.opts.Results == nil {
			return nil, fmt.Errorf("%s needs the previous run's results: pass --state DIR with a run_results.json", spec.Raw)
		}
		res := ev.opts.Results
		pred = func(n *Node) bool {
			r, ok := res.ByID[n.UniqueID]
			return ok && r.Status == v
		}
	default:
		return nil, &SelectorError{Arg: spec.Raw, Msg: fmt.Sprintf("%q is not a valid method name", spec.Method), Expected: "one of " + methodList()}
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if !n.Disabled && pred(n) {
			out.set(i)
		}
	}
	return out, nil
}

// unitTestModel is the model a unit test tests: unit_test.<pkg>.<model>.<name>.
func unitTestModel(n *Node) string {
	s := strings.TrimPrefix(n.UniqueID, "unit_test."+n.Package+".")
	return strings.TrimSuffix(s, "."+n.Name)
}

// fqnMatch is dbt's QualifiedNameSelectorMethod: against the fqn and the fqn without its
// package.
func fqnMatch(n *Node, sel string) bool {
	if len(n.FQN) == 0 {
		return false
	}
	versioned := n.Version != ""
	return fqnSelected(n.FQN, sel, versioned) || (len(n.FQN) > 1 && fqnSelected(n.FQN[1:], sel, versioned))
}

func fqnSelected(fqn []string, sel string, versioned bool) bool {
	if versioned && len(fqn) >= 2 {
		parts := strings.Split(sel, ".")
		if fqn[len(fqn)-2] == sel || fqn[len(fqn)-2]+"_"+fqn[len(fqn)-1] == sel {
			return true
		}
		if len(parts) >= 2 && fqn[len(fqn)-2] == parts[len(parts)-2] && fqn[len(fqn)-1] == parts[len(parts)-1] {
			return true
		}
	} else if fqn[len(fqn)-1] == sel {
		return true
	}
	if sel == "*" {
		return true
	}
	var flat []string
	for _, seg := range fqn {
		if strings.IndexByte(seg, '.') < 0 {
			flat = append(flat, seg)
		} else {
			flat = append(flat, strings.Split(seg, ".")...)
		}
	}
	parts := strings.Split(sel, ".")
	if len(flat) < len(parts) {
		return false
	}
	for i, p := range parts {
		if strings.ContainsAny(p, "*?[]") {
			return fnmatch(strings.Join(flat[i:], "."), strings.Join(parts[i:], "."))
		}
		if flat[i] != p {
			return false
		}
	}
	return true
}

// cleanPathPattern normalises a path: value (relative to the project root, slash-separated).
func cleanPathPattern(v string) string {
	v = strings.ReplaceAll(v, `\`, "/")
	v = strings.TrimPrefix(v, "./")
	for len(v) > 1 && strings.HasSuffix(v, "/") {
		v = strings.TrimSuffix(v, "/")
	}
	return v
}

// pathMatch is dbt's PathSelectorMethod without the filesystem: the pattern is matched with
// pathlib glob rules against the node's file, every folder above it, and its YAML patch file.
func pathMatch(n *Node, pat string) bool {
	if n.OriginalPath != "" {
		p := n.OriginalPath
		if globPath(pat, p) {
			return true
		}
		for {
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p = p[:i]
			if globPath(pat, p) {
				return true
			}
		}
		if pat == "." {
			return true
		}
	}
	if n.PatchPath != "" {
		if _, after, ok := strings.Cut(n.PatchPath, "://"); ok && globPath(pat, after) {
			return true
		}
	}
	return false
}

// globPath matches a slash-separated path against a pathlib-style glob: '*', '?' and '[…]'
// within one segment, '**' for any number of segments.
func globPath(pat, p string) bool {
	return globSegs(strings.Split(pat, "/"), strings.Split(p, "/"))
}

func globSegs(pat, segs []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for k := 0; k <= len(segs); k++ {
				if globSegs(pat[1:], segs[k:]) {
					return true
				}
			}
			return false
		}
		if len(segs) == 0 || !fnmatch(segs[0], pat[0]) {
			return false
		}
		pat, segs = pat[1:], segs[1:]
	}
	return len(segs) == 0
}

// fnmatch is Python's fnmatch.fnmatchcase: '*' matches anything (including '/'), '?' one
// character, '[seq]' / '[!seq]' a set with ranges; there is no escape character.
func fnmatch(name, pat string) bool {
	if !strings.ContainsAny(pat, "*?[") {
		return name == pat
	}
	if pat == "*" {
		return true
	}
	// Iterative matching with backtracking to the last '*'.
	n, p := []rune(name), []rune(pat)
	ni, pi := 0, 0
	starP, starN := -1, 0
	for ni < len(n) {
		if pi < len(p) {
			switch p[pi] {
			case '*':
				starP, starN = pi, ni
				pi++
				continue
			case '?':
				ni++
				pi++
				continue
			case '[':
				if ok, next, valid := matchClass(p, pi, n[ni]); valid {
					if ok {
						ni++
						pi = next
						continue
					}
				} else if n[ni] == '[' {
					ni++
					pi++
					continue
				}
			default:
				if p[pi] == n[ni] {
					ni++
					pi++
					continue
				}
			}
		}
		if starP >= 0 {
			starN++
			ni = starN
			pi = starP + 1
			continue
		}
		return false
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchClass matches c against the class starting at p[i] == '['. valid is false when the
// class is not closed (Python then treats '[' literally).
func matchClass(p []rune, i int, c rune) (ok bool, next int, valid bool) {
	j := i + 1
	neg := false
	if j < len(p) && p[j] == '!' {
		neg = true
		j++
	}
	start := j
	if j < len(p) && p[j] == ']' {
		j++
	}
	for j < len(p) && p[j] != ']' {
		j++
	}
	if j >= len(p) {
		return false, 0, false
	}
	set := p[start:j]
	for k := 0; k < len(set); k++ {
		if k+2 < len(set) && set[k+1] == '-' {
			if set[k] <= c && c <= set[k+2] {
				ok = true
			}
			k += 2
			continue
		}
		if set[k] == c {
			ok = true
		}
	}
	return ok != neg, j + 1, true
}

// configMatcher is dbt's ConfigSelectorMethod: exact comparison of the config value at the
// dotted key path; lists match by membership; "true"/"false" match booleans case-insensitively;
// config.severity compares case-insensitively.
func configMatcher(keys []string, v string) func(n *Node) bool {
	key := strings.Join(keys, ".")
	eq := func(a string) bool {
		if a == v {
			return true
		}
		lv := strings.ToLower(v)
		if (lv == "true" || lv == "false") && a == lv {
			return true
		}
		return key == "severity" && strings.EqualFold(a, v)
	}
	inList := func(l []string) bool {
		for _, x := range l {
			if eq(x) {
				return true
			}
		}
		return false
	}
	return func(n *Node) bool {
		c := &n.Config
		switch key {
		case "materialized":
			return c.Materialized != "" && eq(c.Materialized)
		case "schema":
			return c.Schema != "" && eq(c.Schema)
		case "database":
			return c.Database != "" && eq(c.Database)
		case "alias":
			return c.Alias != "" && eq(c.Alias)
		case "enabled":
			return eq(strconv.FormatBool(c.Enabled))
		case "severity":
			return c.Severity != "" && eq(c.Severity)
		case "group":
			return c.Group != "" && eq(c.Group)
		case "access":
			return c.Access != "" && eq(c.Access)
		case "tags":
			return inList(c.Tags)
		}
		if strings.HasPrefix(key, "meta.") && n.Meta != nil {
			if val, ok := lookupNested(n.Meta, strings.TrimPrefix(key, "meta.")); ok {
				return valueMatches(val, eq, inList)
			}
		}
		if val, ok := c.Extra[key]; ok {
			return valueMatches(val, eq, inList)
		}
		return false
	}
}

// valueMatches compares a stored config value: JSON lists by membership, scalars exactly.
func valueMatches(val string, eq func(string) bool, inList func([]string) bool) bool {
	if strings.HasPrefix(val, "[") {
		var l []any
		if json.Unmarshal([]byte(val), &l) == nil {
			s := make([]string, 0, len(l))
			for _, x := range l {
				switch x := x.(type) {
				case string:
					s = append(s, x)
				case bool:
					s = append(s, strconv.FormatBool(x))
				case float64:
					s = append(s, strconv.FormatFloat(x, 'f', -1, 64))
				}
			}
			return inList(s)
		}
	}
	return eq(val)
}

// lookupNested finds a.b.c in a flattened map whose nested values are JSON objects.
func lookupNested(m map[string]string, key string) (string, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	first, rest, ok := strings.Cut(key, ".")
	if !ok {
		return "", false
	}
	raw, ok := m[first]
	if !ok || !strings.HasPrefix(raw, "{") {
		return "", false
	}
	var obj map[string]any
	if json.Unmarshal([]byte(raw), &obj) != nil {
		return "", false
	}
	var cur any = obj
	for _, k := range strings.Split(rest, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		cur, ok = mm[k]
		if !ok {
			return "", false
		}
	}
	switch x := cur.(type) {
	case string:
		return x, true
	case nil:
		return "", false
	default:
		b, _ := json.Marshal(x)
		return string(b), true
	}
}

// versionMatch is dbt's VersionSelectorMethod.
func versionMatch(n *Node, v string) bool {
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
// StateSelectorMethod). Differences in upstream macros are not detected.
func stateMatcher(state *Graph, v string) func(n *Node) bool {
	old := func(n *Node) *Node {
		p := state.Node(n.UniqueID)
		if p == nil || p.Disabled {
			return nil
		}
		return p
	}
	return func(n *Node) bool {
		p := old(n)
		switch v {
		case "new":
			return p == nil
		case "old":
			return p != nil
		case "modified":
			return p == nil || NodeModified(n, p)
		case "unmodified":
			return p != nil && !NodeModified(n, p)
		case "modified.body":
			return p == nil || !sameBody(n, p)
		case "modified.configs":
			return p == nil || n.UnrenderedHash != p.UnrenderedHash
		case "modified.relation":
			return p == nil || n.UnrenderedRelation != p.UnrenderedRelation
		case "modified.persisted_descriptions":
			return p == nil || !samePersistedDescriptions(n, p)
		case "modified.contract":
			return p == nil || !sameContract(n, p)
		}
		return false
	}
}

// NodeModified reports whether n differs from its previous definition p the way dbt's
// state:modified sees it: body, configs, persisted descriptions, fqn, relation or contract.
func NodeModified(n, p *Node) bool {
	return !sameBody(n, p) || n.UnrenderedHash != p.UnrenderedHash || !samePersistedDescriptions(n, p) ||
		!slices.Equal(n.FQN, p.FQN) || n.UnrenderedRelation != p.UnrenderedRelation || !sameContract(n, p)
}

func sameBody(n, p *Node) bool { return n.Checksum == p.Checksum }

func sameContract(n, p *Node) bool {
	if !n.ContractEnf && !p.ContractEnf {
		return true
	}
	return n.ContractEnf == p.ContractEnf && n.ContractChecksum == p.ContractChecksum
}

func samePersistedDescriptions(n, p *Node) bool {
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
func Upstream(g *Graph, i, depth int) []int { return neighbours(g, i, depth, true) }

// Downstream returns the indexes of node i's descendants up to depth generations (negative:
// all), ordered by unique id.
func Downstream(g *Graph, i, depth int) []int { return neighbours(g, i, depth, false) }

func neighbours(g *Graph, i, depth int, up bool) []int {
	if i < 0 || i >= g.Len() || depth == 0 {
		return nil
	}
	ev := &evaluator{g: g, n: g.Len()}
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
