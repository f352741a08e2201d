// Package quickparse builds the project's graph from its files without running dbt: the SQL
// and Python models with their ref/source/config calls (through a Jinja evaluator of its own,
// kept because dbt's own is Python), properties YAML, seeds, snapshots, semantic models and
// installed packages, so lineage matches what is on disk before dbt has parsed it.
package quickparse

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/goccy/go-yaml"
)

// QuickParse builds the project's graph from its files, without dbt and without a manifest:
// dbt_project.yml (paths and folder-level configs), models (.sql and .py), properties YAML
// (descriptions, columns, generic tests, sources, exposures, unit tests, versions), seeds,
// snapshots, singular tests and analyses. Installed packages under dbt_packages/ are read the
// same way so refs into them resolve.
//
// Unique ids and fqns follow dbt's rules, with one difference: generic tests' unique ids have no
// trailing hash (dbt's "test.shop.not_null_orders_id.a1b2c3d4e5" is "test.shop.not_null_orders_id"
// here), because dbt hashes parts of its internal state that the files do not hold. Test names
// themselves (not_null_orders_id, accepted_values_orders_status__a__b, source_unique_raw_users_id)
// are the ones dbt gives.
//
// Jinja that cannot be read without rendering it (ref(var('x')), refs built in loops) and other
// per-file problems are reported in Origin.Warnings, never as an error; so are refs to missing
// models and dependency cycles. Only a missing or unreadable dbt_project.yml is an error.
//
// The target dbt would use (profiles.yml, as dbt finds it, with DBT_TARGET) fills `target`
// in the Jinja it renders; without a profile, conditions on the target keep every branch.
func QuickParse(projectDir string) (*dbt.Graph, error) {
	return QuickParseWith(projectDir, QuickParseOptions{Target: profileTarget(projectDir)})
}

// QuickParseWith is QuickParse with the --vars and target dbt would be run with.
func QuickParseWith(projectDir string, opts QuickParseOptions) (*dbt.Graph, error) {
	root, err := readProject(projectDir)
	if err != nil {
		return nil, err
	}
	q := &quickParser{root: root, byName: map[string][]int{}, latest: map[string]string{}, sources: map[string]int{}, ids: map[string]int{},
		opts: opts, target: opts.Target, projects: []*project{root}, macroDefs: map[*project]map[string]*macroDef{}}
	q.loadPackages()
	files := make([]projectFiles, len(q.projects))
	for k, p := range q.projects {
		files[k] = q.listFiles(p)
	}
	// Every project's macros first: models call them.
	for k, p := range q.projects {
		for _, rel := range files[k].macros {
			q.readMacros(p, rel)
		}
	}
	for k, p := range q.projects {
		q.parseProject(p, files[k])
	}
	q.applyVersions()
	q.finishConfigs()
	q.resolve()
	nodes := q.keptNodes()
	sort.Slice(nodes, func(i, j int) bool { return nodes[i].UniqueID < nodes[j].UniqueID })
	g := dbt.NewGraph(nodes, dbt.Origin{Kind: dbt.OriginQuickParse, Path: root.dir, Built: time.Now(), ProjectName: root.name})
	g.Origin.Warnings = append(q.warnings, g.Origin.Warnings...)
	if cyc := findCycle(g); cyc != "" {
		g.Origin.Warnings = append(g.Origin.Warnings, "dependency cycle: "+cyc+" (dbt refuses to run a project with a cycle)")
	}
	return g, nil
}

// project is one dbt project: the root project or an installed package.
type project struct {
	dir           string
	name          string
	isPackage     bool
	prefix        string // where its files are, relative to the root project ("dbt_packages/util/")
	modelPaths    []string
	seedPaths     []string
	snapshotPaths []string
	testPaths     []string
	analysisPaths []string
	macroPaths    []string
	targetPath    string
	packagesPath  string
	config        yaml.MapSlice // the whole file, for models:/seeds:/… folder configs
}

// readProject reads dbt_project.yml (dbtyaml.ReadProjectFile).
func readProject(dir string) (*project, error) {
	f, err := dbtyaml.ReadProjectFile(dir)
	if err != nil {
		return nil, err
	}
	return &project{dir: f.Dir, name: f.Name, config: f.Config, modelPaths: f.ModelPaths, seedPaths: f.SeedPaths,
		snapshotPaths: f.SnapshotPaths, testPaths: f.TestPaths, analysisPaths: f.AnalysisPaths, macroPaths: f.MacroPaths,
		targetPath: f.TargetPath, packagesPath: f.PackagesPath}, nil
}

// pendingOf is what a node read from a file still needs resolved.
func pendingOf(p *project, rel, resource string, ex Extracted) pending {
	return pending{file: p.prefix + rel, refs: ex.Refs, sources: ex.Sources, refLines: ex.RefLines, srcLines: ex.SourceLines,
		refFiles: ex.RefFiles, srcFiles: ex.SourceFiles, fileCfg: ex.Config, unrendered: ex.UnknownConfig, pkg: p,
		resource: resource, calls: ex.Calls, rendered: ex.Rendered}
}

// pending is what a node still needs resolved once every file is read.
type pending struct {
	file    string // project-relative file, for warnings
	refs    []RefCall
	sources []SourceCall
	// refLines / srcLines are the lines of the calls (0 unknown); refFiles / srcFiles the
	// macro files they were made in ("" for the node's file).
	refLines, srcLines []int
	refFiles, srcFiles []string
	// rendered: the file was evaluated, so refs made inside its macros are in refs already.
	rendered bool
	// unrendered are config keys whose values only dbt can compute.
	unrendered []string
	fileCfg    map[string]any // config() in the file: highest precedence
	ymlCfg     map[string]any // config: in properties YAML
	attachTo   int            // for generic tests: index in refs/sources of the tested node (-1 none)
	onSource   bool           // the tested node is sources[attachTo]
	pkg        *project
	// folder is the node's path below its resource folder (for project-level configs).
	resource string // models, seeds, snapshots, data_tests, sources, analyses, exposures, unit_tests
	disabled bool
	// calls are the macros the file calls; refs inside them are dependencies too.
	calls []string
	// measures and metrics are the semantic-layer names a metric or saved query reads.
	measures, metrics []string
}

// macroInfo is what one {% macro %} block refers to.
type macroInfo struct {
	pkg     *project
	refs    []RefCall
	sources []SourceCall
	calls   []string
}

type quickParser struct {
	root *project
	// projects are the root project and the packages it uses, root first.
	projects []*project
	// macroDefs are each project's macros by name, for the Jinja evaluator.
	macroDefs map[*project]map[string]*macroDef
	opts      QuickParseOptions
	// target is what `target` holds (empty: unknown).
	target   map[string]any
	ids      map[string]int // unique id → node index
	nodes    []dbt.Node
	pend     []pending
	warnings []string
	// byName maps "pkg.name" and "name" of models, seeds and snapshots to node indexes (several
	// for versioned models).
	byName map[string][]int
	// latest maps "pkg.name" of a versioned model to its latest version.
	latest map[string]string
	// sources maps "pkg.source.table" and "source.table" to node indexes.
	sources map[string]int
	// versions declared in YAML, applied after every file is read: key "pkg.name".
	versionDecls []versionDecl
	// macros by name, from every project's macro-paths.
	macros map[string][]macroInfo
	// measures maps "pkg.measure" to its semantic model; metrics "pkg.metric" to the metric.
	measures map[string]int
	metrics  map[string]int
}

type versionDecl struct {
	pkg    *project
	name   string
	file   string
	latest string
	vers   []versionEntry
}

type versionEntry struct {
	v         string
	definedIn string
	entry     yaml.MapSlice
}

func (q *quickParser) warn(file, msg string) {
	if file == "" {
		q.warnings = append(q.warnings, msg)
		return
	}
	q.warnings = append(q.warnings, file+": "+msg)
}

func (q *quickParser) add(n dbt.Node, p pending) int {
	q.ids[n.UniqueID] = len(q.nodes)
	q.nodes = append(q.nodes, n)
	if p.attachTo == 0 && len(p.refs) == 0 && len(p.sources) == 0 {
		p.attachTo = -1
	}
	q.pend = append(q.pend, p)
	return len(q.nodes) - 1
}

func (q *quickParser) register(i int) {
	n := &q.nodes[i]
	for _, k := range []string{n.Package + "." + n.Name, n.Name} {
		q.byName[k] = append(q.byName[k], i)
	}
}

// projectFiles are a project's files by resource folder, relative to the project.
type projectFiles struct {
	models, seeds, snapshots, tests, analyses, macros []string
	ymls                                              []ymlFile
}

type ymlFile struct{ rel, root string }

// roots maps each file to its resource folder.
func (f *projectFiles) root(p *project, rel string) string {
	for _, group := range [][]string{p.modelPaths, p.seedPaths, p.snapshotPaths, p.testPaths, p.analysisPaths, p.macroPaths} {
		if r := rootOf(rel, group); r != "" {
			return r
		}
	}
	return ""
}

// listFiles walks one project's resource folders.
func (q *quickParser) listFiles(p *project) projectFiles {
	var f projectFiles
	walk := func(roots []string, fn func(rel, root string)) {
		for _, r := range roots {
			base := filepath.Join(p.dir, filepath.FromSlash(r))
			_ = filepath.WalkDir(base, func(pth string, d fs.DirEntry, err error) error {
				if err != nil {
					return nil
				}
				name := d.Name()
				if d.IsDir() {
					if pth != base && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "__pycache__") {
						return filepath.SkipDir
					}
					return nil
				}
				rel, err := filepath.Rel(p.dir, pth)
				if err != nil {
					return nil
				}
				fn(filepath.ToSlash(rel), r)
				return nil
			})
		}
	}
	seenYML := map[string]bool{}
	addYML := func(rel, root string) {
		if (strings.HasSuffix(rel, ".yml") || strings.HasSuffix(rel, ".yaml")) && !seenYML[rel] {
			seenYML[rel] = true
			f.ymls = append(f.ymls, ymlFile{rel, root})
		}
	}
	walk(p.modelPaths, func(rel, root string) {
		if strings.HasSuffix(rel, ".sql") || strings.HasSuffix(rel, ".py") {
			f.models = append(f.models, rel)
		} else {
			addYML(rel, root)
		}
	})
	walk(p.seedPaths, func(rel, root string) {
		if strings.HasSuffix(strings.ToLower(rel), ".csv") {
			f.seeds = append(f.seeds, rel)
		} else {
			addYML(rel, root)
		}
	})
	walk(p.snapshotPaths, func(rel, root string) {
		if strings.HasSuffix(rel, ".sql") {
			f.snapshots = append(f.snapshots, rel)
		} else {
			addYML(rel, root)
		}
	})
	walk(p.testPaths, func(rel, root string) {
		if strings.HasSuffix(rel, ".sql") {
			f.tests = append(f.tests, rel)
		} else {
			addYML(rel, root)
		}
	})
	walk(p.analysisPaths, func(rel, root string) {
		if strings.HasSuffix(rel, ".sql") {
			f.analyses = append(f.analyses, rel)
		} else {
			addYML(rel, root)
		}
	})
	walk(p.macroPaths, func(rel, root string) {
		if strings.HasSuffix(rel, ".sql") {
			f.macros = append(f.macros, rel)
		} else {
			addYML(rel, root)
		}
	})
	// Generic tests defined in the test folders ({% test %} blocks) are macros too.
	for _, rel := range f.tests {
		if strings.Contains(rel, "/generic/") {
			f.macros = append(f.macros, rel)
		}
	}
	return f
}

// parseProject reads one project's nodes.
func (q *quickParser) parseProject(p *project, f projectFiles) {
	for _, rel := range f.models {
		q.parseModel(p, rel, f.root(p, rel), strings.HasSuffix(rel, ".py"))
	}
	for _, rel := range f.seeds {
		q.parseSeed(p, rel, f.root(p, rel))
	}
	for _, rel := range f.snapshots {
		q.parseSnapshots(p, rel, f.root(p, rel))
	}
	for _, rel := range f.tests {
		q.parseSingularTest(p, rel, f.root(p, rel))
	}
	for _, rel := range f.analyses {
		q.parseAnalysis(p, rel, f.root(p, rel))
	}
	for _, y := range f.ymls {
		q.parseProperties(p, y.rel, y.root)
	}
}

// parseMacros records the refs, sources and macro calls of each macro in a macro file.
func (q *quickParser) parseMacros(p *project, rel string) {
	src, _, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	for _, b := range ExtractSQL(src).Blocks {
		if b.Kind != "macro" || b.Name == "" {
			continue
		}
		body := ExtractSQL(src[b.BodyStart:b.BodyEnd])
		if q.macros == nil {
			q.macros = map[string][]macroInfo{}
		}
		q.macros[b.Name] = append(q.macros[b.Name], macroInfo{pkg: p, refs: body.Refs, sources: body.Sources, calls: body.Calls})
	}
}

// readSource reads a file and its dbt checksum (sha256 of the stripped contents, as dbt does).
func readSource(p *project, rel string) (string, string, error) {
	b, err := os.ReadFile(filepath.Join(p.dir, filepath.FromSlash(rel)))
	if err != nil {
		return "", "", err
	}
	s := string(b)
	sum := sha256.Sum256([]byte(strings.TrimSpace(s)))
	return s, hex.EncodeToString(sum[:]), nil
}

// fqnDirs returns the folders of rel below its resource root: models/staging/x.sql → [staging].
func fqnDirs(rel, root string) []string {
	r := strings.TrimPrefix(rel, root+"/")
	dir := path.Dir(r)
	if dir == "." || dir == "" {
		return nil
	}
	return strings.Split(dir, "/")
}

func stem(rel string) string {
	b := path.Base(rel)
	return strings.TrimSuffix(b, path.Ext(b))
}

func fqnOf(pkg string, dirs []string, names ...string) []string {
	out := make([]string, 0, 1+len(dirs)+len(names))
	out = append(out, pkg)
	out = append(out, dirs...)
	return append(out, names...)
}

func (q *quickParser) fileWarnings(rel string, ex Extracted) {
	for _, u := range ex.Unresolved {
		if strings.HasPrefix(u, "config(") {
			q.warn(rel, u+" is computed when dbt renders the file; the quick lineage uses the folder's configs instead")
			continue
		}
		if ex.Rendered {
			q.warn(rel, u)
			continue
		}
		q.warn(rel, u+" is computed when dbt renders the file; this dependency is not in the quick lineage (run dbt parse for the full picture)")
	}
	if len(ex.UnknownConfig) > 0 {
		q.warn(rel, "config "+strings.Join(ex.UnknownConfig, ", ")+" is computed from what only dbt knows (the target, the warehouse); the quick lineage does not use it")
	}
	if n := len(ex.Undecided); n > 0 {
		list := ex.Undecided
		if n > 3 {
			list = append(list[:3:3], fmt.Sprintf("%d more", n-3))
		}
		q.warn(rel, dbt.Plural(n, "condition", "conditions")+" only dbt can decide (it depends on the target, the warehouse or unknown macros): "+strings.Join(list, "; ")+"; the quick lineage keeps every branch")
	}
}

func (q *quickParser) parseModel(p *project, rel, root string, python bool) {
	src, sum, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	var ex Extracted
	if python {
		ex = ExtractPython(src)
	} else {
		ex = q.renderFile(p, rel, src, nil)
	}
	q.fileWarnings(p.prefix+rel, ex)
	name := stem(rel)
	n := dbt.Node{
		UniqueID: "model." + p.name + "." + name, Name: name, ResourceType: "model", Package: p.name,
		Path: strings.TrimPrefix(rel, root+"/"), OriginalPath: rel, FQN: fqnOf(p.name, fqnDirs(rel, root), name),
		Checksum: sum, Alias: name,
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	i := q.add(n, pendingOf(p, rel, "models", ex))
	q.register(i)
}

// duplicate reports (and warns about) a second node with the same unique id, which dbt rejects.
func (q *quickParser) duplicate(id, rel string) bool {
	if i, ok := q.ids[id]; ok {
		q.warn(rel, fmt.Sprintf("%s is defined twice (also in %s); dbt refuses duplicate names, so this file is left out", id, q.nodes[i].OriginalPath))
		return true
	}
	return false
}

func (q *quickParser) parseSeed(p *project, rel, root string) {
	_, sum, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	name := stem(rel)
	n := dbt.Node{
		UniqueID: "seed." + p.name + "." + name, Name: name, ResourceType: "seed", Package: p.name,
		Path: strings.TrimPrefix(rel, root+"/"), OriginalPath: rel, FQN: fqnOf(p.name, fqnDirs(rel, root), name),
		Checksum: sum, Alias: name,
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	q.register(q.add(n, pending{file: p.prefix + rel, pkg: p, resource: "seeds"}))
}

func (q *quickParser) parseSnapshots(p *project, rel, root string) {
	src, sum, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	type block struct {
		name string
		ex   Extracted
	}
	var blocks []block
	found := false
	if tree, err := parseTemplate(src); err == nil {
		for _, n := range tree {
			if b, ok := n.(*tBlock); ok && b.kind == "snapshot" {
				found = true
				blocks = append(blocks, block{b.name, q.renderFile(p, rel, src, b.body)})
			}
		}
	} else {
		q.warn(p.prefix+rel, q.syntaxMessage(src, err))
		for _, b := range ExtractSQL(src).Blocks {
			if b.Kind == "snapshot" {
				found = true
				blocks = append(blocks, block{b.Name, ExtractSQL(src[b.BodyStart:b.BodyEnd])})
			}
		}
	}
	for _, b := range blocks {
		if b.name == "" {
			q.warn(p.prefix+rel, "a {% snapshot %} block has no name")
			continue
		}
		body := b.ex
		q.fileWarnings(p.prefix+rel, body)
		n := dbt.Node{
			UniqueID: "snapshot." + p.name + "." + b.name, Name: b.name, ResourceType: "snapshot", Package: p.name,
			Path: strings.TrimPrefix(rel, root+"/"), OriginalPath: rel, FQN: fqnOf(p.name, fqnDirs(rel, root), stem(rel), b.name),
			Checksum: sum, Alias: b.name,
		}
		if q.duplicate(n.UniqueID, p.prefix+rel) {
			continue
		}
		q.register(q.add(n, pendingOf(p, rel, "snapshots", body)))
	}
	if !found && strings.TrimSpace(src) != "" {
		q.warn(p.prefix+rel, "no {% snapshot name %} block in this snapshot file, so it defines nothing")
	}
}

func (q *quickParser) parseSingularTest(p *project, rel, root string) {
	src, sum, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	for _, b := range ExtractSQL(src).Blocks {
		if b.Kind == "test" || b.Kind == "macro" || b.Kind == "materialization" {
			return // a generic test definition (tests/generic/…) or macros, not a test
		}
	}
	ex := q.renderFile(p, rel, src, nil)
	q.fileWarnings(p.prefix+rel, ex)
	name := stem(rel)
	n := dbt.Node{
		UniqueID: "test." + p.name + "." + name, Name: name, ResourceType: "test", Package: p.name,
		Path: strings.TrimPrefix(rel, root+"/"), OriginalPath: rel, FQN: fqnOf(p.name, fqnDirs(rel, root), name),
		Checksum: sum, Alias: name,
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	pd := pendingOf(p, rel, "data_tests", ex)
	pd.attachTo = -1
	q.add(n, pd)
}

func (q *quickParser) parseAnalysis(p *project, rel, root string) {
	src, sum, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	ex := q.renderFile(p, rel, src, nil)
	q.fileWarnings(p.prefix+rel, ex)
	name := stem(rel)
	n := dbt.Node{
		UniqueID: "analysis." + p.name + "." + name, Name: name, ResourceType: "analysis", Package: p.name,
		Path: strings.TrimPrefix(rel, root+"/"), OriginalPath: rel, FQN: fqnOf(p.name, append([]string{"analysis"}, fqnDirs(rel, root)...), name),
		Checksum: sum, Alias: name,
	}
	if q.duplicate(n.UniqueID, p.prefix+rel) {
		return
	}
	q.add(n, pendingOf(p, rel, "analyses", ex))
}
