package quickparse

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/safeyaml"
)

// This file connects the quick parser to the Jinja evaluator: the packages a project uses,
// their macros, dbt's vars, dbt_project.yml values written in Jinja, and rendering a node's
// file to find its dependencies and configs.

// QuickParseOptions steer QuickParseWith.
type QuickParseOptions struct {
	// Vars are the --vars dbt will be given; they win over every project's vars.
	Vars map[string]any
	// Target is what `target` holds in dbt's context (name, type, schema, database…), when
	// known; without it conditions on the target keep every branch.
	Target map[string]any
}

// profileTarget is what dbt's `target` holds for the project: the profile's target (DBT_TARGET
// or its default) from the profiles.yml dbt would read. Only names and places are kept, never
// credentials; nil when there is no usable profile.
func profileTarget(projectDir string) map[string]any {
	t, _ := TargetContext(profiles.ProfilesOptions{ProjectDir: projectDir}, "")
	return t
}

// TargetContext is what dbt's `target` holds when dbt is run with these profile options and
// --target (empty: DBT_TARGET, else the profile's default), for QuickParseOptions.Target. Only
// names and places are kept, never credentials; nil with the reason when there is no usable
// profile or target.
func TargetContext(opts profiles.ProfilesOptions, target string) (map[string]any, error) {
	prof, err := profiles.LoadProfile(opts)
	if err != nil {
		return nil, err
	}
	if target == "" {
		target = os.Getenv("DBT_TARGET")
	}
	t, err := prof.Target(target)
	if err != nil {
		return nil, err
	}
	out := map[string]any{"name": t.Name, "target_name": t.Name, "profile_name": t.Profile, "type": t.Type}
	for k, v := range map[string]string{"schema": t.Schema, "database": t.Database, "user": t.User, "role": t.Role, "warehouse": t.Warehouse, "account": t.Account} {
		if v != "" {
			out[k] = v
		}
	}
	if t.Threads > 0 {
		out["threads"] = int64(t.Threads)
	}
	return out, nil
}

// ParseCLIVars reads a --vars value as dbt does (config/utils.py parse_cli_yaml_string): a
// YAML mapping, in YAML or JSON syntax (an empty value is YAML's null, which dbt refuses too).
func ParseCLIVars(s string) (map[string]any, error) {
	var v any
	if err := safeyaml.Unmarshal([]byte(s), &v, yaml.UseOrderedMap()); err != nil {
		return nil, fmt.Errorf("the --vars argument is not valid YAML: %v", yamlErrorLine(err))
	}
	m, ok := v.(yaml.MapSlice)
	if !ok {
		return nil, fmt.Errorf("the --vars argument must be a YAML dictionary, but was of type '%s'", pythonTypeName(v))
	}
	out := make(map[string]any, len(m))
	for _, it := range m {
		out[fmt.Sprint(it.Key)] = it.Value
	}
	return out, nil
}

// yamlErrorLine is the first line of a YAML error (the library adds the source with a caret).
func yamlErrorLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return strings.TrimSpace(msg)
}

// pythonTypeName names a decoded YAML value's type the way dbt's message does.
func pythonTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case string:
		return "str"
	case bool:
		return "bool"
	case int64, uint64, int:
		return "int"
	case float64:
		return "float"
	case []any:
		return "list"
	}
	return fmt.Sprintf("%T", v)
}

// packageEntry is one entry of packages.yml / dependencies.yml.
type packageEntry struct {
	local string // local: path
	name  string // hub package (org/name), git URL or tarball, for messages
}

// readPackageList reads the packages a project declares.
func readPackageList(dir string) []packageEntry {
	var out []packageEntry
	for _, f := range []string{"packages.yml", "dependencies.yml"} {
		raw, err := dbtyaml.Read(filepath.Join(dir, f))
		if err != nil {
			continue
		}
		for _, e := range dbtyaml.List(dbtyaml.Get(dbtyaml.Map(raw), "packages")) {
			m := dbtyaml.Map(e)
			switch {
			case dbtyaml.Str(dbtyaml.Get(m, "local")) != "":
				out = append(out, packageEntry{local: dbtyaml.Str(dbtyaml.Get(m, "local"))})
			case dbtyaml.Str(dbtyaml.Get(m, "package")) != "":
				out = append(out, packageEntry{name: dbtyaml.Str(dbtyaml.Get(m, "package"))})
			case dbtyaml.Str(dbtyaml.Get(m, "git")) != "":
				out = append(out, packageEntry{name: dbtyaml.Str(dbtyaml.Get(m, "git"))})
			case dbtyaml.Str(dbtyaml.Get(m, "tarball")) != "":
				out = append(out, packageEntry{name: dbtyaml.Str(dbtyaml.Get(m, "tarball"))})
			}
		}
	}
	return out
}

// loadPackages finds the packages dbt would load: local: packages of packages.yml (and
// dependencies.yml) and everything installed under the packages folder.
func (q *quickParser) loadPackages() {
	root := q.root
	seen := map[string]string{root.name: root.dir}
	seenDir := map[string]bool{}
	if real, err := filepath.EvalSymlinks(root.dir); err == nil {
		seenDir[real] = true
	}
	add := func(dir, label string) {
		real, err := filepath.EvalSymlinks(dir)
		if err != nil {
			real = dir
		}
		if seenDir[real] {
			return
		}
		seenDir[real] = true
		pkg, err := readProject(dir)
		if err != nil {
			q.warn(label, err.Error())
			return
		}
		if prev, dup := seen[pkg.name]; dup {
			if pkg.name != root.name {
				q.warn(label, fmt.Sprintf("package %q is also in %s; dbt refuses two packages of one name, so this one is left out", pkg.name, prev))
			}
			return
		}
		seen[pkg.name] = dir
		pkg.isPackage = true
		if rel, err := filepath.Rel(root.dir, dir); err == nil {
			pkg.prefix = filepath.ToSlash(rel) + "/"
		}
		q.projects = append(q.projects, pkg)
	}
	for _, e := range readPackageList(root.dir) {
		if e.local == "" {
			continue
		}
		dir := e.local
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root.dir, dir)
		}
		if !fileExists(filepath.Join(dir, "dbt_project.yml")) {
			q.warn("packages.yml", fmt.Sprintf("local package %s has no dbt_project.yml", e.local))
			continue
		}
		add(filepath.Clean(dir), filepath.ToSlash(e.local))
	}
	installed := 0
	if dir := filepath.Join(root.dir, root.packagesPath); isDir(dir) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			pdir := filepath.Join(dir, e.Name())
			if !isDir(pdir) || !fileExists(filepath.Join(pdir, "dbt_project.yml")) {
				continue
			}
			installed++
			add(pdir, filepath.ToSlash(filepath.Join(root.packagesPath, e.Name())))
		}
	}
	remote := 0
	for _, e := range readPackageList(root.dir) {
		if e.local == "" {
			remote++
		}
	}
	if remote > 0 && installed == 0 {
		q.warn("packages.yml", fmt.Sprintf("%s not installed (run dbt deps); refs into them show as unresolved", dbt.Plural(remote, "package is", "packages are")))
	}
}

func (q *quickParser) projectByName(name string) *project {
	for _, p := range q.projects {
		if p.name == name {
			return p
		}
	}
	return nil
}

// macroIn returns the macro name of package p.
func (q *quickParser) macroIn(p *project, name string) *macroDef {
	return q.macroDefs[p][name]
}

// macrosOf lists package p's macros, by name.
func (q *quickParser) macrosOf(p *project) []*macroDef {
	m := q.macroDefs[p]
	out := make([]*macroDef, 0, len(m))
	for _, d := range m {
		out = append(out, d)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].name < out[b].name })
	return out
}

// dispatchOrder is the root project's dispatch search order for a macro namespace.
func (q *quickParser) dispatchOrder(ns string) []*project {
	for _, e := range dbtyaml.List(dbtyaml.Get(q.root.config, "dispatch")) {
		m := dbtyaml.Map(e)
		if dbtyaml.Str(dbtyaml.Get(m, "macro_namespace")) != ns {
			continue
		}
		var out []*project
		for _, name := range dbtyaml.Strings(dbtyaml.Get(m, "search_order")) {
			if p := q.projectByName(name); p != nil {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}

// readMacros parses a macro file and registers its macros (and generic tests, as test_<name>).
func (q *quickParser) readMacros(p *project, rel string) {
	src, _, err := readSource(p, rel)
	if err != nil {
		q.warn(p.prefix+rel, err.Error())
		return
	}
	nodes, err := parseTemplate(src)
	if err != nil {
		q.warn(p.prefix+rel, q.syntaxMessage(src, err))
		// The literal extractor still finds the refs inside its macros.
		q.parseMacros(p, rel)
		return
	}
	if q.macroDefs[p] == nil {
		q.macroDefs[p] = map[string]*macroDef{}
	}
	for _, n := range nodes {
		switch n := n.(type) {
		case *tMacro:
			q.macroDefs[p][n.name] = &macroDef{name: n.name, pkg: p, node: n, file: p.prefix + rel, src: src}
		case *tBlock:
			if n.kind == "test" && n.name != "" {
				q.macroDefs[p]["test_"+n.name] = &macroDef{name: "test_" + n.name, pkg: p, node: &tMacro{name: n.name, body: n.body}, file: p.prefix + rel, src: src}
			}
		}
	}
	q.parseMacros(p, rel)
}

func (q *quickParser) syntaxMessage(src string, err error) string {
	if te, ok := err.(*tmplError); ok {
		return fmt.Sprintf("Jinja syntax error at line %d: %s (dbt fails to parse this file)", strings.Count(src[:min(te.pos, len(src))], "\n")+1, te.msg)
	}
	return err.Error()
}

// varsFor returns dbt's var lookup for nodes of package p: the package's own vars (global,
// then scoped to it), then the root project's (global, then scoped to p), then --vars; the last
// found wins.
func (q *quickParser) varsFor(p *project) func(string) (any, bool) {
	layers := []yaml.MapSlice{}
	add := func(proj *project) {
		vars := dbtyaml.Map(dbtyaml.Get(proj.config, "vars"))
		global := yaml.MapSlice{}
		for _, it := range vars {
			k := fmt.Sprint(it.Key)
			if m := dbtyaml.Map(it.Value); m != nil && q.projectByName(k) != nil {
				continue // scoped to a project
			}
			global = append(global, it)
		}
		layers = append(layers, global, dbtyaml.Map(dbtyaml.Get(vars, p.name)))
	}
	if p != q.root {
		add(p)
	}
	add(q.root)
	return func(name string) (any, bool) {
		if v, ok := q.opts.Vars[name]; ok {
			return fromYAML(v), true
		}
		for i := len(layers) - 1; i >= 0; i-- {
			for _, it := range layers[i] {
				if fmt.Sprint(it.Key) == name {
					return fromYAML(it.Value), true
				}
			}
		}
		return nil, false
	}
}

// projectVars is what var() sees while dbt reads dbt_project.yml: --vars only.
func (q *quickParser) projectVars(string) func(string) (any, bool) {
	return func(name string) (any, bool) {
		v, ok := q.opts.Vars[name]
		if ok {
			return fromYAML(v), true
		}
		return nil, false
	}
}

// renderValue renders a dbt_project.yml or properties value written in Jinja the way dbt's
// native renderer does (a lone {{ expr }} gives the expression's value, other text is read as
// a Python literal when it is one). ok is false when only dbt can know the value.
func (q *quickParser) renderValue(p *project, v any, projectFile bool) (any, bool) {
	s, isStr := v.(string)
	if !isStr || !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
		return v, true
	}
	nodes, err := parseTemplate(s)
	if err != nil {
		return v, false
	}
	env := &jinjaEnv{q: q, pkg: p, vars: q.varsFor(p), plainVars: true}
	if projectFile {
		env.vars = q.projectVars(p.name)
	}
	ev := newEvaluatorJ(env)
	if len(nodes) == 1 {
		if o, ok := nodes[0].(tOutput); ok {
			ev.frames = append(ev.frames, &callFrame{})
			val := ev.eval(o.e, newScope(ev.globals))
			if isUnknown(val) {
				return v, false
			}
			if str, isS := val.(string); isS {
				return pyLiteral(str), true
			}
			return toPlain(val), true
		}
	}
	out, err := ev.render("", s, nodes)
	if err != nil || isUnknown(out) {
		return v, false
	}
	return pyLiteral(out.(string)), true
}

// pyLiteral reads text as Python's ast.literal_eval would for the simple literals configs
// hold (True, False, None, numbers); other text stays text.
func pyLiteral(s string) any {
	switch strings.TrimSpace(s) {
	case "True":
		return true
	case "False":
		return false
	case "None":
		return nil
	}
	t := strings.TrimSpace(s)
	if n, err := strconv.ParseInt(t, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(t, 64); err == nil && strings.ContainsAny(t, ".eE") {
		return f
	}
	return s
}

// renderFile evaluates a node's Jinja (or a snapshot block's body) in dbt's parse context and
// returns what it found, as the literal extractor would. When the file does not parse or is too
// complex, the literal extractor's result is returned with a warning.
func (q *quickParser) renderFile(p *project, rel, src string, nodes []tnode) Extracted {
	env := &jinjaEnv{q: q, pkg: p, vars: q.varsFor(p)}
	ev := newEvaluatorJ(env)
	if nodes == nil {
		var err error
		nodes, err = parseTemplate(src)
		if err != nil {
			q.warn(p.prefix+rel, q.syntaxMessage(src, err))
			return ExtractSQL(src)
		}
	}
	if _, err := ev.render(p.prefix+rel, src, nodes); err != nil {
		q.warn(p.prefix+rel, err.Error()+"; its dependencies are read from the literal ref() and source() calls")
		return ExtractSQL(src)
	}
	ex := Extracted{Rendered: true}
	for _, d := range ev.rec.deps {
		if d.isSrc {
			ex.Sources = append(ex.Sources, d.src)
			ex.SourceLines = append(ex.SourceLines, d.line)
			if d.file != p.prefix+rel {
				ex.SourceFiles = append(ex.SourceFiles, d.file)
			} else {
				ex.SourceFiles = append(ex.SourceFiles, "")
			}
			continue
		}
		ex.Refs = append(ex.Refs, d.ref)
		ex.RefLines = append(ex.RefLines, d.line)
		if d.file != p.prefix+rel {
			ex.RefFiles = append(ex.RefFiles, d.file)
		} else {
			ex.RefFiles = append(ex.RefFiles, "")
		}
	}
	if len(ev.rec.config.keys) > 0 {
		ex.Config = map[string]any{}
		for _, k := range ev.rec.config.keys {
			v := ev.rec.config.m[k]
			if isUnknown(v) {
				ex.UnknownConfig = append(ex.UnknownConfig, k)
				continue
			}
			ex.Config[k] = toPlain(v)
		}
	}
	for _, n := range ev.rec.unresolved {
		text, why, _ := strings.Cut(n.text, "|")
		n.text = text
		ex.Unresolved = append(ex.Unresolved, noteText(n, p.prefix+rel)+": "+why+", so this dependency is not in the quick lineage")
	}
	seen := map[string]bool{}
	for _, n := range ev.rec.undecided {
		t := noteText(n, p.prefix+rel)
		if !seen[t] {
			seen[t] = true
			ex.Undecided = append(ex.Undecided, t)
		}
	}
	return ex
}

// noteText is a note with its place: "line 4" in the file itself, "macros/x.sql line 9"
// elsewhere.
func noteText(n jnote, file string) string {
	where := fmt.Sprintf("line %d", n.line)
	if n.file != "" && n.file != file {
		where = n.file + " line " + strconv.Itoa(n.line)
	}
	if n.line == 0 {
		where = n.file
	}
	return n.text + " (" + where + ")"
}
