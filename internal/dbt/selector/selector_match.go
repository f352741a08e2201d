package selector

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
)

// This file holds the selector methods (dbt-core graph/selector_methods.py): which nodes each
// method looks at and how it compares.

// inNodesSection reports whether nodes of this type live in manifest.nodes (dbt's
// parsed_nodes): the types config., group:, access: and version: look at.
func inNodesSection(t string) bool {
	switch t {
	case "model", "seed", "snapshot", "test", "analysis", "operation", "sql_operation", "rpc":
		return true
	}
	return false
}

// match returns the graph members a spec's method selects (before graph operators).
func (ev *evaluator) match(spec SelectorSpec) (bitset, error) {
	if ix := ev.opts.Index; ix != nil && spec.Method == "fqn" {
		return ev.matchFQN(ix, newFQNPattern(spec.Value))
	}
	pred, err := ev.predicate(spec)
	if err != nil {
		return nil, err
	}
	// dbt 1.8's all_nodes() leaves saved queries out of the methods that search every type.
	skipSavedQueries := false
	switch spec.Method {
	case "tag", "path", "file", "package", "resource_type", "state", "result":
		skipSavedQueries = ev.before19
	}
	fields, _ := methodFields(spec)
	read := ev.v.reader(fields)
	keep := func(i int) bool {
		return pred(read(i)) && !(skipSavedQueries && ev.v.resourceType(i) == "saved_query")
	}
	out := newBitset(ev.n)
	if cand := ev.v.candidates(spec); cand != nil {
		// Only the members the view could not rule out are read.
		cand.and(ev.member)
		n := 0
		var err error
		cand.each(func(i int) {
			if n++; n&4095 == 0 && err == nil {
				err = ev.ctx.Err()
			}
			if err == nil && keep(i) {
				out.set(i)
			}
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	}
	for i := range ev.n {
		if i&4095 == 4095 && ev.ctx.Err() != nil {
			return nil, ev.ctx.Err()
		}
		if ev.member.has(i) && keep(i) {
			out.set(i)
		}
	}
	return out, nil
}

// predicate is spec's method as a test of one node.
func (ev *evaluator) predicate(spec SelectorSpec) (func(n *dbt.Node) bool, error) {
	v := spec.Value
	switch spec.Method {
	case "fqn":
		pat := newFQNPattern(v)
		return func(n *dbt.Node) bool { return n.ResourceType != "source" && fqnMatch(n, pat) }, nil
	case "tag":
		return tagPredicate(v), nil
	case "path":
		return ev.pathPredicate(v), nil
	case "file":
		return func(n *dbt.Node) bool { return fileMatch(n.OriginalPath, v) }, nil
	case "package":
		return ev.packagePredicate(v), nil
	case "source":
		return sourcePredicate(v), nil
	case "exposure", "metric", "semantic_model", "saved_query", "unit_test":
		return namedPredicate(spec.Method, v), nil
	case "resource_type":
		return func(n *dbt.Node) bool { return n.ResourceType == v }, nil
	case "config":
		return configMatcher(spec.MethodArgs, v), nil
	case "test_type":
		return testTypePredicate(testTypeOf(v)), nil
	case "test_name":
		return testNamePredicate(v), nil
	case "group", "access", "version":
		return governancePredicate(spec.Method, v), nil
	case "state":
		return ev.statePredicate(spec)
	case "result":
		return ev.resultPredicate(spec)
	}
	return nil, &SelectorError{Arg: spec.Raw, Msg: fmt.Sprintf("%q is not a valid method name", spec.Method), Expected: "one of " + methodList()}
}

// governancePredicate matches model governance: group:, access: and version:.
func governancePredicate(method, v string) func(n *dbt.Node) bool {
	switch method {
	case "group":
		group := compileGlob(v)
		return func(n *dbt.Node) bool {
			return (inNodesSection(n.ResourceType) || n.ResourceType == "metric") && n.Config.Group != "" && group.match(n.Config.Group)
		}
	case "access":
		return func(n *dbt.Node) bool { return n.ResourceType == "model" && n.Config.Access == v }
	}
	return func(n *dbt.Node) bool { return n.ResourceType == "model" && versionMatch(n, v) }
}

func tagPredicate(pat string) func(n *dbt.Node) bool {
	tag := compileGlob(pat)
	return func(n *dbt.Node) bool {
		for _, t := range n.Tags {
			if tag.match(t) {
				return true
			}
		}
		return false
	}
}

// pathPredicate matches a node's file or folder; an absolute path inside the project is
// taken relative to it.
func (ev *evaluator) pathPredicate(v string) func(n *dbt.Node) bool {
	if filepath.IsAbs(v) && ev.opts.ProjectDir != "" {
		if rel, err := filepath.Rel(ev.opts.ProjectDir, v); err == nil && !strings.HasPrefix(rel, "..") {
			v = rel
		}
	}
	pat := cleanPathPattern(v)
	return func(n *dbt.Node) bool { return pathMatch(n, pat) }
}

// packagePredicate matches a node's package; "this" is the root project.
func (ev *evaluator) packagePredicate(pat string) func(n *dbt.Node) bool {
	if pat == "this" && ev.v.projectName() != "" {
		pat = ev.v.projectName()
	}
	pkg := compileGlob(pat)
	return func(n *dbt.Node) bool { return pkg.match(n.Package) }
}

// sourcePredicate matches source:src, source:src.table or source:pkg.src.table.
func sourcePredicate(v string) func(n *dbt.Node) bool {
	pkg, src, table := "*", "*", "*"
	switch parts := strings.Split(v, "."); len(parts) {
	case 1:
		src = parts[0]
	case 2:
		src, table = parts[0], parts[1]
	default:
		pkg, src, table = parts[0], parts[1], parts[2]
	}
	pkgGlob, srcGlob, tableGlob := compileGlob(pkg), compileGlob(src), compileGlob(table)
	return func(n *dbt.Node) bool {
		return n.ResourceType == "source" && pkgGlob.match(n.Package) && srcGlob.match(n.SourceName) && tableGlob.match(n.Name)
	}
}

// namedPredicate matches the members of one type by name or pkg.name (exposure:, metric:…).
func namedPredicate(typ, v string) func(n *dbt.Node) bool {
	pkg, name := "*", v
	if parts := strings.SplitN(v, ".", 2); len(parts) == 2 {
		pkg, name = parts[0], parts[1]
	}
	pkgGlob, nameGlob := compileGlob(pkg), compileGlob(name)
	return func(n *dbt.Node) bool {
		return n.ResourceType == typ && pkgGlob.match(n.Package) && nameGlob.match(n.Name)
	}
}

// testTypePredicate matches tests of a kind testTypeOf named: generic, singular, data, unit.
func testTypePredicate(kind string) func(n *dbt.Node) bool {
	return func(n *dbt.Node) bool {
		switch kind {
		case "generic":
			return n.ResourceType == "test" && n.TestMetadata != nil
		case "singular":
			return n.ResourceType == "test" && n.TestMetadata == nil
		case "data":
			return n.ResourceType == "test"
		default: // unit
			return n.ResourceType == "unit_test"
		}
	}
}

// testNamePredicate matches a generic test's macro name, or a unit test's own name.
func testNamePredicate(v string) func(n *dbt.Node) bool {
	name := compileGlob(v)
	return func(n *dbt.Node) bool {
		if n.ResourceType == "test" && n.TestMetadata != nil {
			return name.match(n.TestMetadata.Name)
		}
		return n.ResourceType == "unit_test" && name.match(n.Name)
	}
}

func (ev *evaluator) statePredicate(spec SelectorSpec) (func(n *dbt.Node) bool, error) {
	if ev.g == nil {
		return nil, ErrNeedsGraph
	}
	if ev.opts.State == nil {
		return nil, fmt.Errorf("%s needs a comparison manifest: pass --state DIR (a folder with the production manifest.json)", spec.Raw)
	}
	p, err := stateMatcher(ev.g, ev.opts.State, spec.Value)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", spec.Raw, err)
	}
	return p, nil
}

func (ev *evaluator) resultPredicate(spec SelectorSpec) (func(n *dbt.Node) bool, error) {
	if ev.opts.Results == nil {
		return nil, fmt.Errorf("%s needs the previous run's results: pass --state DIR with a run_results.json", spec.Raw)
	}
	res, v := ev.opts.Results, spec.Value
	return func(n *dbt.Node) bool {
		r, ok := res.ByID[n.UniqueID]
		return ok && r.Status == v
	}, nil
}

// fqnPattern is an fqn: selector value split once, so matching a node allocates nothing.
type fqnPattern struct {
	raw   string
	parts []string // raw split on '.'
	// wild is the index of the first part with a wildcard (dbt slurps the rest with fnmatch
	// from there), or -1.
	wild int
	rest string // parts[wild:] joined with '.', the fnmatch pattern
	// tail is the last two parts joined with '_', what a versioned model's last two fqn parts
	// are compared with (dim.v2 and dim_v2 both name dim v2).
	tail string
}

func newFQNPattern(sel string) *fqnPattern {
	p := &fqnPattern{raw: sel, parts: strings.Split(sel, "."), wild: -1}
	for i, part := range p.parts {
		if strings.ContainsAny(part, "*?[]") {
			p.wild = i
			p.rest = strings.Join(p.parts[i:], ".")
			break
		}
	}
	tail := p.parts
	if len(tail) > 2 {
		tail = tail[len(tail)-2:]
	}
	p.tail = strings.Join(tail, "_")
	return p
}

// fqnMatch is dbt's QualifiedNameSelectorMethod: against the fqn and the fqn without its
// package.
func fqnMatch(n *dbt.Node, p *fqnPattern) bool { return p.matches(n.FQN, n.Version != "") }

func (p *fqnPattern) matches(fqn []string, versioned bool) bool {
	if len(fqn) == 0 {
		return false
	}
	return p.selected(fqn, versioned) || (len(fqn) > 1 && p.selected(fqn[1:], versioned))
}

// matchFQN is the fqn method's match over the index's compact copy of the fqns.
func (ev *evaluator) matchFQN(ix *SelectIndex, p *fqnPattern) (bitset, error) {
	out := newBitset(ev.n)
	for i, fqn := range ix.fqns {
		if i&4095 == 4095 && ev.ctx.Err() != nil {
			return nil, ev.ctx.Err()
		}
		if ix.fqnMembers.has(i) && p.matches(fqn, ix.fqnVersioned.has(i)) {
			out.set(i)
		}
	}
	return out, nil
}

// selected is dbt's is_selected_node. dbt flattens the fqn (a dot inside a part separates
// namespaces too) before comparing part by part; the flat parts are walked in place here.
func (p *fqnPattern) selected(fqn []string, versioned bool) bool {
	if versioned && len(fqn) >= 2 {
		name, version := fqn[len(fqn)-2], fqn[len(fqn)-1]
		if name == p.raw {
			return true
		}
		if len(p.tail) == len(name)+1+len(version) && strings.HasPrefix(p.tail, name) &&
			p.tail[len(name)] == '_' && strings.HasSuffix(p.tail, version) {
			return true
		}
	} else if fqn[len(fqn)-1] == p.raw {
		return true
	}
	if len(p.parts) > len(fqn) { // dotted parts may still make the flat fqn long enough
		flatLen := len(fqn)
		for _, seg := range fqn {
			flatLen += strings.Count(seg, ".")
		}
		if flatLen < len(p.parts) {
			return false
		}
	}
	// Walk the flat parts: seg indexes fqn, off is where the current flat part starts in it.
	seg, off := 0, 0
	for i, part := range p.parts {
		if i == p.wild {
			if p.rest == "*" { // fnmatch's * takes any text, dots included
				return true
			}
			return fnmatch(strings.Join(fqn[seg:], ".")[off:], p.rest)
		}
		// The flat part is part when s starts with it up to a dot or the end (parts hold no
		// dots); testing that reads only len(part) bytes of s, which matters on every node.
		s := fqn[seg][off:]
		if !strings.HasPrefix(s, part) || len(s) > len(part) && s[len(part)] != '.' {
			return false
		}
		if len(s) == len(part) {
			seg, off = seg+1, 0
		} else {
			off += len(part) + 1
		}
	}
	return true
}

// slashPath turns a path written on Windows (models\staging\x.sql, as a manifest made there
// holds) into the slash form paths are matched in.
func slashPath(p string) string {
	if strings.IndexByte(p, '\\') < 0 {
		return p
	}
	return strings.ReplaceAll(p, `\`, "/")
}

// cleanPathPattern normalises a path: value (relative to the project root, slash-separated).
func cleanPathPattern(v string) string {
	v = slashPath(v)
	v = strings.TrimPrefix(v, "./")
	for len(v) > 1 && strings.HasSuffix(v, "/") {
		v = strings.TrimSuffix(v, "/")
	}
	return v
}

// pathMatch is dbt's PathSelectorMethod without the filesystem: the pattern is matched with
// pathlib glob rules against the node's file, every folder above it, and its YAML patch file.
// Node paths written on Windows are matched in their slash form.
func pathMatch(n *dbt.Node, pat string) bool {
	if n.OriginalPath != "" {
		p := slashPath(n.OriginalPath)
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
		if _, after, ok := strings.Cut(n.PatchPath, "://"); ok && globPath(pat, slashPath(after)) {
			return true
		}
	}
	return false
}

// fileMatch is dbt's FileSelectorMethod: the file's name or stem. dbt on Linux and macOS takes
// a Windows path (models\x.sql) as one name, so that name matches; so does the name after the
// last backslash, as dbt on Windows reads it.
func fileMatch(original, pat string) bool {
	if original == "" {
		return false
	}
	nameMatch := func(p string) bool {
		base := path.Base(p)
		return fnmatch(base, pat) || fnmatch(strings.TrimSuffix(base, path.Ext(base)), pat)
	}
	if nameMatch(original) {
		return true
	}
	return strings.IndexByte(original, '\\') >= 0 && nameMatch(slashPath(original))
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

// glob is an fnmatch pattern classified once, before the nodes are walked: most patterns are
// a plain name (compared as a string) or "*".
type glob struct {
	pat          string
	literal, any bool
}

func compileGlob(pat string) glob {
	return glob{pat: pat, literal: !strings.ContainsAny(pat, "*?["), any: pat == "*"}
}

func (g glob) match(name string) bool {
	switch {
	case g.literal:
		return name == g.pat
	case g.any:
		return true
	}
	return fnmatchGlob(name, g.pat)
}

// fnmatch is Python's fnmatch.fnmatchcase: '*' matches anything (including '/'), '?' one
// character, '[seq]' / '[!seq]' a set with ranges; there is no escape character. (dbt calls
// fnmatch.fnmatch, which is the same on Linux and macOS.)
func fnmatch(name, pat string) bool { return compileGlob(pat).match(name) }

// fnmatchGlob is fnmatch of a pattern with a wildcard.
func fnmatchGlob(name, pat string) bool {
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

// configMatcher is dbt's ConfigSelectorMethod. It looks at the nodes of manifest.nodes and at
// sources only, walks the config along the dotted keys and compares the value found with the
// selector text the way Python does (see configText).
func configMatcher(keys []string, v string) func(n *dbt.Node) bool {
	if len(keys) == 0 || slicesContainsEmpty(keys) {
		// config:x compares the whole config object with a string: never equal.
		return func(*dbt.Node) bool { return false }
	}
	key := strings.Join(keys, ".")
	want := configText{v: v, foldCase: key == "severity"}
	field := configField(key)
	return func(n *dbt.Node) bool {
		if !inNodesSection(n.ResourceType) && n.ResourceType != "source" {
			return false
		}
		c := &n.Config
		switch {
		case field != nil:
			f := field(c)
			return f != "" && want.str(f)
		case key == "enabled":
			return want.boolean(c.Enabled)
		case key == "tags":
			return want.strs(c.Tags)
		}
		if sub, ok := strings.CutPrefix(key, "meta."); ok && n.Meta != nil {
			if val, ok := lookupNested(n.Meta, c.Kinds, "meta.", sub); ok {
				return want.typed(val)
			}
			return false
		}
		if val, ok := c.Extra[key]; ok {
			return want.typed(dbt.TypedValue(val, c.Kinds[key]))
		}
		return false
	}
}

// configField reads the config key that the graph keeps as a string field, or is nil for
// any other key.
func configField(key string) func(c *dbt.NodeConfig) string {
	switch key {
	case "materialized":
		return func(c *dbt.NodeConfig) string { return c.Materialized }
	case "schema":
		return func(c *dbt.NodeConfig) string { return c.Schema }
	case "database":
		return func(c *dbt.NodeConfig) string { return c.Database }
	case "alias":
		return func(c *dbt.NodeConfig) string { return c.Alias }
	case "severity":
		return func(c *dbt.NodeConfig) string { return c.Severity }
	case "group":
		return func(c *dbt.NodeConfig) string { return c.Group }
	case "access":
		return func(c *dbt.NodeConfig) string { return c.Access }
	}
	return nil
}

// configText is a config: selector's text compared with config values the way Python does: a
// string must be equal (case-insensitively for config.severity), a boolean matches
// "true"/"false" in any case, a list matches when it holds such a value, and numbers, objects
// and nulls never match (config.lookback:1 does not select lookback: 1).
type configText struct {
	v        string
	foldCase bool
}

func (t configText) str(a string) bool { return a == t.v || t.foldCase && strings.EqualFold(a, t.v) }

func (t configText) boolean(b bool) bool {
	return b && strings.EqualFold(t.v, "true") || !b && strings.EqualFold(t.v, "false")
}

func (t configText) scalar(x any) bool {
	switch x := x.(type) {
	case string:
		return t.str(x)
	case bool:
		return t.boolean(x)
	}
	return false
}

func (t configText) typed(x any) bool {
	if l, ok := x.([]any); ok {
		for _, e := range l {
			if t.scalar(e) {
				return true
			}
		}
		return false
	}
	return t.scalar(x)
}

func (t configText) strs(l []string) bool {
	for _, s := range l {
		if t.str(s) {
			return true
		}
	}
	return false
}

// lookupNested finds a.b.c in a flattened map whose nested values are JSON objects, with its
// JSON type (kinds holds the kind of the map's non-string values under prefix+key).
func lookupNested(m, kinds map[string]string, prefix, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return dbt.TypedValue(v, kinds[prefix+key]), true
	}
	first, rest, ok := strings.Cut(key, ".")
	if !ok {
		return nil, false
	}
	raw, ok := m[first]
	if !ok || kinds[prefix+first] != dbt.KindObject {
		return nil, false
	}
	var cur any
	if json.Unmarshal([]byte(raw), &cur) != nil {
		return nil, false
	}
	for _, k := range strings.Split(rest, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		cur, ok = mm[k]
		if !ok {
			return nil, false
		}
	}
	return cur, cur != nil
}
