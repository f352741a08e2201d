package quickparse

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/goccy/go-yaml"
)

// This file reads properties YAML for the quick parse: descriptions, columns, generic tests,
// sources, exposures, unit tests and model versions.

// parseProperties reads a properties (schema) YAML file.
func (q *quickParser) parseProperties(p *project, rel, root string) {
	raw, err := dbtyaml.Read(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	doc := dbtyaml.Map(raw)
	if doc == nil {
		return
	}
	dirs := fqnDirs(rel, root)
	patch := p.name + "://" + rel
	for _, kind := range [...][2]string{{"models", "model"}, {"seeds", "seed"}, {"snapshots", "snapshot"}, {"analyses", "analysis"}} {
		for _, e := range dbtyaml.List(dbtyaml.Get(doc, kind[0])) {
			q.patchNode(p, rel, patch, dirs, kind[1], dbtyaml.Map(e))
		}
	}
	// Properties of singular tests (data_tests: in dbt 1.8+, tests: before).
	for _, kind := range []string{"data_tests", "tests"} {
		for _, e := range dbtyaml.List(dbtyaml.Get(doc, kind)) {
			em := dbtyaml.Map(e)
			name := dbtyaml.Str(dbtyaml.Get(em, "name"))
			i, ok := q.ids["test."+p.name+"."+name]
			if !ok {
				q.warn(p.prefix+rel, fmt.Sprintf("test %q is described here but there is no such singular test", name))
				continue
			}
			q.applyProperties(i, rel, patch, dirs, em, nil)
		}
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "sources")) {
		q.parseSource(p, rel, dirs, dbtyaml.Map(e))
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "exposures")) {
		q.parseExposure(p, rel, dirs, dbtyaml.Map(e))
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "unit_tests")) {
		q.parseUnitTest(p, rel, dirs, dbtyaml.Map(e))
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "semantic_models")) {
		q.parseSemanticModel(p, rel, dirs, dbtyaml.Map(e))
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "metrics")) {
		q.parseMetric(p, rel, dirs, dbtyaml.Map(e))
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(doc, "saved_queries")) {
		q.parseSavedQuery(p, rel, dirs, dbtyaml.Map(e))
	}
}

// findLocal returns the node of resource type res named name in package p, or -1.
func (q *quickParser) findLocal(p *project, res, name string) int {
	for _, i := range q.byName[p.name+"."+name] {
		if q.nodes[i].ResourceType == res {
			return i
		}
	}
	return -1
}

func (q *quickParser) patchNode(p *project, rel, patch string, dirs []string, res string, e yaml.MapSlice) {
	name := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if name == "" {
		if e != nil {
			q.warn(p.prefix+rel, "an entry without a name: is ignored")
		}
		return
	}
	if vers := dbtyaml.List(dbtyaml.Get(e, "versions")); res == "model" && len(vers) > 0 {
		d := versionDecl{pkg: p, name: name, file: rel, latest: dbtyaml.Str(dbtyaml.Get(e, "latest_version"))}
		for _, v := range vers {
			vm := dbtyaml.Map(v)
			ve := versionEntry{v: dbtyaml.Str(dbtyaml.Get(vm, "v")), definedIn: dbtyaml.Str(dbtyaml.Get(vm, "defined_in")), entry: vm}
			if ve.v == "" {
				q.warn(p.prefix+rel, "a version of "+name+" has no v:")
				continue
			}
			d.vers = append(d.vers, ve)
		}
		q.versionDecls = append(q.versionDecls, d)
		// The shared properties (description, columns, tests) are applied per version later.
		return
	}
	i := q.findLocal(p, res, name)
	if i < 0 && res == "snapshot" && dbtyaml.Has(e, "relation") {
		i = q.yamlSnapshot(p, rel, dirs, name, e)
	}
	if i < 0 {
		q.warn(p.prefix+rel, fmt.Sprintf("%s %q is described here but there is no %s file for it", res, name, res))
		return
	}
	q.applyProperties(i, rel, patch, dirs, e, nil)
}

// yamlSnapshot creates a snapshot defined only in YAML (dbt 1.9+: relation: ref('x')).
func (q *quickParser) yamlSnapshot(p *project, rel string, dirs []string, name string, e yaml.MapSlice) int {
	ex := ExtractSQL("{{ " + dbtyaml.Str(dbtyaml.Get(e, "relation")) + " }}")
	q.fileWarnings(p.prefix+rel, ex)
	n := dbt.Node{
		UniqueID: "snapshot." + p.name + "." + name, Name: name, ResourceType: "snapshot", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, stem(rel), name), Alias: name,
	}
	i := q.add(n, pending{file: p.prefix + rel, refs: ex.Refs, sources: ex.Sources, pkg: p, resource: "snapshots"})
	q.register(i)
	return i
}

// applyProperties sets what a properties entry says about node i and creates its generic tests.
// shared is the model-level entry of a versioned model (its version entry is e).
func (q *quickParser) applyProperties(i int, rel, patch string, dirs []string, e, shared yaml.MapSlice) {
	n := &q.nodes[i]
	n.PatchPath = patch
	get := func(k string) any {
		if v := dbtyaml.Get(e, k); v != nil {
			return v
		}
		return dbtyaml.Get(shared, k)
	}
	if d := dbtyaml.Str(get("description")); d != "" {
		n.Description = d
	}
	cfg := map[string]any{}
	for _, src := range []yaml.MapSlice{shared, e} {
		for _, it := range dbtyaml.Map(dbtyaml.Get(src, "config")) {
			mergeConfig(cfg, fmt.Sprint(it.Key), it.Value)
		}
		// Property-level keys that are configs in dbt (older projects put them at the top).
		for _, k := range []string{"tags", "meta", "access", "group", "docs"} {
			if v := dbtyaml.Get(src, k); v != nil {
				mergeConfig(cfg, k, v)
			}
		}
	}
	q.pend[i].ymlCfg = cfg
	cols := dbtyaml.List(get("columns"))
	if shared != nil && dbtyaml.Has(e, "columns") {
		cols = dbtyaml.List(dbtyaml.Get(e, "columns"))
	}
	n.Columns = n.Columns[:0]
	target := RefCall{Package: n.Package, Name: n.Name, Version: n.Version}
	testTarget := n.Name
	if n.Version != "" {
		testTarget = n.Name + "_v" + n.Version
	}
	for _, c := range cols {
		cm := dbtyaml.Map(c)
		if cm == nil {
			continue
		}
		col := dbt.Column{Name: dbtyaml.Str(dbtyaml.Get(cm, "name")), Description: dbtyaml.Str(dbtyaml.Get(cm, "description")), DataType: dbtyaml.Str(dbtyaml.Get(cm, "data_type"))}
		if col.Name == "" {
			continue
		}
		// genericTest appends to q.nodes, so the node is addressed by index, not kept as a pointer.
		q.nodes[i].Columns = append(q.nodes[i].Columns, col)
		for _, t := range append(dbtyaml.List(dbtyaml.Get(cm, "data_tests")), dbtyaml.List(dbtyaml.Get(cm, "tests"))...) {
			q.genericTest(q.pend[i].pkg, rel, dirs, t, col.Name, testTarget, &target, nil)
		}
	}
	for _, t := range append(dbtyaml.List(get("data_tests")), dbtyaml.List(get("tests"))...) {
		q.genericTest(q.pend[i].pkg, rel, dirs, t, "", testTarget, &target, nil)
	}
}

// testConfigArgs are the generic test arguments dbt treats as configs, not as arguments.
func isTestConfigArg(k string) bool {
	switch k {
	case "severity", "tags", "enabled", "where", "limit", "warn_if", "error_if", "fail_calc",
		"store_failures", "store_failures_as", "meta", "database", "schema", "alias":
		return true
	}
	return false
}

// genericTest creates the node of one generic test entry (`- unique`, `- relationships: {…}`)
// on a model/seed/snapshot (ref) or a source table (src).
// testEntry is one generic test entry of a properties file, read.
type testEntry struct {
	name, namespace string // not_null; dbt_utils for dbt_utils.expression_is_true
	full, short     string // the test node's name and alias
	args            yaml.MapSlice
	cfg             map[string]any
}

// TestName is the name dbt gives the generic test a properties entry defines (`- unique`,
// `- relationships: {…}`) on column (or "") of targetName (a model, seed or snapshot) or of the
// source table src; ok is false when the entry defines no test.
func TestName(entry any, column, targetName string, src *SourceCall) (name string, ok bool) {
	te, problem := parseTestEntry(entry, column, targetName, src)
	return te.full, problem == ""
}

// parseTestEntry reads a test entry (`- unique`, `- relationships: {…}`) on column (or "") of
// targetName (a model, seed or snapshot) or of the source table src, and names the test the
// way dbt does. problem says why an entry defines no test.
func parseTestEntry(entry any, column, targetName string, src *SourceCall) (te testEntry, problem string) {
	var testName string
	te.cfg = map[string]any{}
	custom := ""
	switch e := entry.(type) {
	case string:
		testName = e
	case yaml.MapSlice:
		body := e
		if tn := dbtyaml.Str(dbtyaml.Get(e, "test_name")); tn != "" {
			testName = tn
		} else if len(e) >= 1 {
			testName = fmt.Sprint(e[0].Key)
			body = dbtyaml.Map(e[0].Value)
		}
		for _, it := range body {
			k := fmt.Sprint(it.Key)
			switch {
			case k == "test_name" || k == "description":
			case k == "name":
				custom = dbtyaml.Str(it.Value)
			case k == "config":
				for _, c := range dbtyaml.Map(it.Value) {
					mergeConfig(te.cfg, fmt.Sprint(c.Key), c.Value)
				}
			case k == "arguments":
				te.args = append(te.args, dbtyaml.Map(it.Value)...)
			case isTestConfigArg(k):
				mergeConfig(te.cfg, k, it.Value)
			default:
				te.args = append(te.args, it)
			}
		}
	default:
		return te, "a test entry that is neither a name nor a mapping is ignored"
	}
	if testName == "" {
		return te, "a test entry without a test name is ignored"
	}
	if k := strings.IndexByte(testName, '.'); k >= 0 {
		te.namespace, testName = testName[:k], testName[k+1:]
	}
	te.name = testName
	if column != "" {
		te.args = append(te.args, yaml.MapItem{Key: "column_name", Value: column})
	}
	ident := testName
	if te.namespace != "" {
		ident = te.namespace + "_" + testName
	}
	if src != nil {
		ident = "source_" + ident + "_" + src.Source + "_" + src.Table
	} else {
		ident = ident + "_" + targetName
	}
	te.full, te.short = synthesizeTestName(ident, te.args)
	if custom != "" {
		te.full, te.short = custom, custom
	}
	return te, ""
}

func (q *quickParser) genericTest(pkg *project, rel string, dirs []string, entry any, column, targetName string, ref *RefCall, src *SourceCall) {
	te, problem := parseTestEntry(entry, column, targetName, src)
	if problem != "" {
		q.warn(pkg.prefix+rel, problem)
		return
	}
	args, cfg, full, short, testName, namespace := te.args, te.cfg, te.full, te.short, te.name, te.namespace
	pkgName := pkg.name
	p := pending{file: pkg.prefix + rel, ymlCfg: cfg, resource: "data_tests", attachTo: 0, pkg: pkg}
	if src != nil {
		p.sources = []SourceCall{*src}
		p.onSource = true
	} else {
		p.refs = []RefCall{*ref}
	}
	// Arguments that name other nodes (relationships' to: ref('x')) are dependencies too.
	for _, it := range args {
		if s, ok := it.Value.(string); ok && (strings.Contains(s, "ref(") || strings.Contains(s, "source(")) {
			ex := ExtractSQL("{{ " + s + " }}")
			p.refs = append(p.refs, ex.Refs...)
			p.sources = append(p.sources, ex.Sources...)
		}
	}
	n := dbt.Node{
		UniqueID: "test." + pkgName + "." + full, Name: full, ResourceType: "test", Package: pkgName,
		Path: short + ".sql", OriginalPath: rel, FQN: fqnOf(pkgName, dirs, full), Alias: short,
		TestMetadata: &dbt.TestMetadata{Name: testName, Namespace: namespace, Column: column},
	}
	if _, dup := q.ids[n.UniqueID]; dup {
		// dbt's hash suffix tells apart tests that differ only in config; a counter does here.
		n.UniqueID += fmt.Sprintf(".%d", len(q.nodes))
	}
	q.add(n, p)
}

// synthesizeTestName builds dbt's name for a generic test: the identifier plus its arguments
// (sorted by name; mapping values and list items flattened; non-identifier characters folded to
// "_"; joined with "__"). The short name (the test's alias) truncates names of 64 characters or
// more to 30 characters plus the md5 of the full name.
func synthesizeTestName(ident string, args yaml.MapSlice) (full, short string) {
	sorted := append(yaml.MapSlice(nil), args...)
	sort.SliceStable(sorted, func(i, j int) bool { return fmt.Sprint(sorted[i].Key) < fmt.Sprint(sorted[j].Key) })
	var parts []string
	for _, it := range sorted {
		if fmt.Sprint(it.Key) == "model" {
			continue
		}
		switch v := it.Value.(type) {
		case yaml.MapSlice:
			for _, x := range v {
				parts = append(parts, cleanTestArg(pyStr(x.Value)))
			}
		case []any:
			for _, x := range v {
				parts = append(parts, cleanTestArg(pyStr(x)))
			}
		default:
			parts = append(parts, cleanTestArg(pyStr(v)))
		}
	}
	full = ident + "_" + strings.Join(parts, "__")
	short = full
	if len(full) >= 64 {
		sum := md5.Sum([]byte(full))
		short = ident[:min(30, len(ident))] + "_" + hex.EncodeToString(sum[:])
	}
	return full, short
}

func (q *quickParser) parseSource(p *project, rel string, dirs []string, e yaml.MapSlice) {
	srcName := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if srcName == "" {
		q.warn(p.prefix+rel, "a source without a name: is ignored")
		return
	}
	srcCfg := map[string]any{}
	for _, it := range dbtyaml.Map(dbtyaml.Get(e, "config")) {
		mergeConfig(srcCfg, fmt.Sprint(it.Key), it.Value)
	}
	for _, k := range []string{"tags", "meta"} {
		if v := dbtyaml.Get(e, k); v != nil {
			mergeConfig(srcCfg, k, v)
		}
	}
	schema := dbtyaml.Str(dbtyaml.Get(e, "schema"))
	if schema == "" {
		schema = srcName
	}
	for _, t := range dbtyaml.List(dbtyaml.Get(e, "tables")) {
		tm := dbtyaml.Map(t)
		table := dbtyaml.Str(dbtyaml.Get(tm, "name"))
		if table == "" {
			continue
		}
		cfg := map[string]any{}
		for k, v := range srcCfg {
			cfg[k] = v
		}
		for _, it := range dbtyaml.Map(dbtyaml.Get(tm, "config")) {
			mergeConfig(cfg, fmt.Sprint(it.Key), it.Value)
		}
		for _, k := range []string{"tags", "meta"} {
			if v := dbtyaml.Get(tm, k); v != nil {
				mergeConfig(cfg, k, v)
			}
		}
		ident := dbtyaml.Str(dbtyaml.Get(tm, "identifier"))
		if ident == "" {
			ident = table
		}
		n := dbt.Node{
			UniqueID: "source." + p.name + "." + srcName + "." + table, Name: table, ResourceType: "source", Package: p.name,
			Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, srcName, table), SourceName: srcName,
			Description: dbtyaml.Str(dbtyaml.Get(tm, "description")), Database: dbtyaml.Str(dbtyaml.Get(e, "database")), Schema: schema, Alias: ident,
		}
		if n.Description == "" {
			n.Description = dbtyaml.Str(dbtyaml.Get(e, "description"))
		}
		if q.duplicate(n.UniqueID, p.prefix+rel) {
			continue
		}
		i := q.add(n, pending{file: p.prefix + rel, ymlCfg: cfg, pkg: p, resource: "sources", attachTo: -1})
		q.sources[p.name+"."+srcName+"."+table] = i
		if _, ok := q.sources[srcName+"."+table]; !ok {
			q.sources[srcName+"."+table] = i
		}
		sc := SourceCall{Source: srcName, Table: table}
		for _, c := range dbtyaml.List(dbtyaml.Get(tm, "columns")) {
			cm := dbtyaml.Map(c)
			col := dbt.Column{Name: dbtyaml.Str(dbtyaml.Get(cm, "name")), Description: dbtyaml.Str(dbtyaml.Get(cm, "description")), DataType: dbtyaml.Str(dbtyaml.Get(cm, "data_type"))}
			if col.Name == "" {
				continue
			}
			q.nodes[i].Columns = append(q.nodes[i].Columns, col)
			for _, tt := range append(dbtyaml.List(dbtyaml.Get(cm, "data_tests")), dbtyaml.List(dbtyaml.Get(cm, "tests"))...) {
				q.genericTest(p, rel, dirs, tt, col.Name, "", nil, &sc)
			}
		}
		for _, tt := range append(dbtyaml.List(dbtyaml.Get(tm, "data_tests")), dbtyaml.List(dbtyaml.Get(tm, "tests"))...) {
			q.genericTest(p, rel, dirs, tt, "", "", nil, &sc)
		}
	}
}

func (q *quickParser) parseExposure(p *project, rel string, dirs []string, e yaml.MapSlice) {
	name := dbtyaml.Str(dbtyaml.Get(e, "name"))
	if name == "" {
		q.warn(p.prefix+rel, "an exposure without a name: is ignored")
		return
	}
	owner := dbtyaml.Map(dbtyaml.Get(e, "owner"))
	n := dbt.Node{
		UniqueID: "exposure." + p.name + "." + name, Name: name, ResourceType: "exposure", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, name), Description: dbtyaml.Str(dbtyaml.Get(e, "description")),
		ExposureType: dbtyaml.Str(dbtyaml.Get(e, "type")), URL: dbtyaml.Str(dbtyaml.Get(e, "url")), Label: dbtyaml.Str(dbtyaml.Get(e, "label")),
		Owner: dbtyaml.Str(dbtyaml.Get(owner, "name")),
	}
	if n.Owner == "" {
		n.Owner = dbtyaml.Str(dbtyaml.Get(owner, "email"))
	}
	var refs []RefCall
	var srcs []SourceCall
	for _, d := range dbtyaml.List(dbtyaml.Get(e, "depends_on")) {
		ex := ExtractSQL("{{ " + dbtyaml.Str(d) + " }}")
		q.fileWarnings(p.prefix+rel, ex)
		refs = append(refs, ex.Refs...)
		srcs = append(srcs, ex.Sources...)
	}
	cfg := map[string]any{}
	for _, it := range dbtyaml.Map(dbtyaml.Get(e, "config")) {
		mergeConfig(cfg, fmt.Sprint(it.Key), it.Value)
	}
	for _, k := range []string{"tags", "meta"} {
		if v := dbtyaml.Get(e, k); v != nil {
			mergeConfig(cfg, k, v)
		}
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	q.add(n, pending{file: p.prefix + rel, refs: refs, sources: srcs, ymlCfg: cfg, pkg: p, resource: "exposures", attachTo: -1})
}

func (q *quickParser) parseUnitTest(p *project, rel string, dirs []string, e yaml.MapSlice) {
	name, model := dbtyaml.Str(dbtyaml.Get(e, "name")), dbtyaml.Str(dbtyaml.Get(e, "model"))
	if name == "" || model == "" {
		q.warn(p.prefix+rel, "a unit test needs name: and model:")
		return
	}
	n := dbt.Node{
		UniqueID: "unit_test." + p.name + "." + model + "." + name, Name: name, ResourceType: "unit_test", Package: p.name,
		Path: rel, OriginalPath: rel, FQN: fqnOf(p.name, dirs, model, name), Description: dbtyaml.Str(dbtyaml.Get(e, "description")),
	}
	cfg := map[string]any{}
	for _, it := range dbtyaml.Map(dbtyaml.Get(e, "config")) {
		mergeConfig(cfg, fmt.Sprint(it.Key), it.Value)
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	q.add(n, pending{file: p.prefix + rel, refs: []RefCall{{Name: model}}, ymlCfg: cfg, pkg: p, resource: "unit_tests", attachTo: 0})
}

// applyVersions turns model files into model versions as declared in YAML
// (dim_customers_v2.sql → model.shop.dim_customers.v2) and applies the version entries.
func (q *quickParser) applyVersions() {
	for _, d := range q.versionDecls {
		latest := d.latest
		if latest == "" {
			for _, v := range d.vers {
				if latest == "" || dbt.VersionLess(latest, v.v) {
					latest = v.v
				}
			}
		}
		key := d.pkg.name + "." + d.name
		q.latest[key] = latest
		shared := q.versionShared(d)
		patch := d.pkg.name + "://" + d.file
		for _, v := range d.vers {
			file := v.definedIn
			if file == "" {
				file = d.name + "_v" + v.v
			}
			i := q.findLocal(d.pkg, "model", file)
			if i < 0 && v.v == latest {
				// The latest version may live in the unsuffixed file (dim_customers.sql).
				i = q.findLocal(d.pkg, "model", d.name)
			}
			if i < 0 {
				q.warn(d.pkg.prefix+d.file, fmt.Sprintf("version %s of model %q has no file %s.sql", v.v, d.name, file))
				continue
			}
			n := &q.nodes[i]
			q.unregister(i)
			n.Name, n.Version = d.name, v.v
			delete(q.ids, n.UniqueID)
			n.UniqueID = "model." + d.pkg.name + "." + d.name + ".v" + v.v
			q.ids[n.UniqueID] = i
			n.FQN = append(n.FQN[:len(n.FQN)-1:len(n.FQN)-1], d.name, "v"+v.v)
			n.Alias = d.name + "_v" + v.v // dbt's default alias for every version
			q.register(i)
			dirs := fqnDirs(d.file, rootOf(d.file, d.pkg.modelPaths))
			q.applyProperties(i, d.file, patch, dirs, v.entry, shared)
		}
	}
}

// versionShared returns the model-level entry of a versioned model (re-read from its file) so
// version entries inherit its description, columns and tests.
func (q *quickParser) versionShared(d versionDecl) yaml.MapSlice {
	raw, err := dbtyaml.Read(filepath.Join(d.pkg.dir, filepath.FromSlash(d.file)))
	if err != nil {
		return nil
	}
	for _, e := range dbtyaml.List(dbtyaml.Get(dbtyaml.Map(raw), "models")) {
		if m := dbtyaml.Map(e); dbtyaml.Str(dbtyaml.Get(m, "name")) == d.name {
			out := make(yaml.MapSlice, 0, len(m))
			for _, it := range m {
				if k := fmt.Sprint(it.Key); k != "versions" {
					out = append(out, it)
				}
			}
			return out
		}
	}
	return nil
}

func rootOf(rel string, roots []string) string {
	for _, r := range roots {
		if strings.HasPrefix(rel, r+"/") {
			return r
		}
	}
	return ""
}

func (q *quickParser) unregister(i int) {
	n := &q.nodes[i]
	for _, k := range []string{n.Package + "." + n.Name, n.Name} {
		l := q.byName[k]
		for j, x := range l {
			if x == i {
				q.byName[k] = append(l[:j:j], l[j+1:]...)
				break
			}
		}
	}
}
