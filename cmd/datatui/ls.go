package main

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unsafe"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/dbt/quickparse"
	"github.com/datatui/datatui/internal/dbt/selector"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/textdist"
	"github.com/datatui/datatui/internal/workspace"
)

// lsDefaultKeys are the JSON keys dbt ls prints when --output-keys is not given (ListTask
// ALLOWED_KEYS), in the order dbt writes a model's.
var lsDefaultKeys = []string{"name", "resource_type", "package_name", "original_file_path", "unique_id", "alias", "source_name", "config", "tags", "depends_on"}

// lsAllKeys are every key datatui can print with --output-keys.
var lsAllKeys = []string{"access", "alias", "columns", "config", "database", "depends_on", "description", "fqn", "group", "latest_version", "meta", "name", "original_file_path", "package_name", "patch_path", "path", "relation_name", "resource_type", "schema", "source_name", "tags", "unique_id", "version"}

type lsFlags struct {
	selects, models, exclude    []string
	resourceTypes, exclTypes    []string
	state, indirect             string
	output, logFormat, manifest string
	outputKeys                  []string
	asJSON, quiet, help         bool
	// What a quick parse renders the project's Jinja with, as dbt would parse it.
	vars, target, profilesDir, profile string
	varsSet                            bool
}

// lsMultiOptions are the dbt ls options that take several values (dbt's click MultiOption):
// each occurrence reads its value split on spaces, then every following argument up to the
// next one that starts with "-". `-s a b --exclude c d` selects a and b and excludes c and d.
var lsMultiOptions = map[string]string{
	"-s": "select", "--select": "select",
	"-m": "models", "--models": "models", "--model": "models",
	"--exclude":       "exclude",
	"--resource-type": "resource-type", "--resource-types": "resource-type",
	"--exclude-resource-type": "exclude-resource-type", "--exclude-resource-types": "exclude-resource-type",
	"--output-keys": "output-keys",
}

// expandMultiOptions rewrites dbt-style multi-value options into one --flag=value per value,
// which the flag parser understands.
func expandMultiOptions(args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		name, value, explicit := a, "", false
		if k := strings.IndexByte(a, '='); k > 0 && strings.HasPrefix(a, "--") {
			name, value, explicit = a[:k], a[k+1:], true
		} else if len(a) > 2 && (a[:2] == "-s" || a[:2] == "-m") {
			name, value, explicit = a[:2], a[2:], true
		}
		flag, ok := lsMultiOptions[name]
		if !ok {
			out = append(out, a)
			continue
		}
		if !explicit {
			if i+1 >= len(args) {
				out = append(out, a) // the flag parser reports the missing value
				continue
			}
			i++
			value = args[i]
		}
		values := []string{value}
		for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
			i++
			values = append(values, args[i])
		}
		for _, v := range values {
			out = append(out, "--"+flag+"="+v)
		}
	}
	return out
}

const lsLong = `List the resources of the dbt project that a selection picks, with dbt's exact selection
rules, in milliseconds and without dbt or Python.

The graph comes from the project's target/manifest.json (or --manifest FILE); its decoded index
is cached under datatui's state folder and reused while the manifest is unchanged, and so is the
last listing, printed again when the same question is asked of the same manifest. Without a
manifest the project files are quick-parsed (generic tests then have no hash suffix in their
unique ids).

Selection (same syntax and options as dbt ls): --select/-s, --exclude, each taking several
values like dbt (-s a b --exclude c), space-separated (union) with commas for intersection;
--models/-m selects like --select but lists models only (and cannot be combined with --select
or --resource-type, as in dbt). Methods: fqn (default), path, file, tag, package, source,
exposure, metric, semantic_model, saved_query, unit_test, resource_type, config.<key>,
test_type, test_name, group, access, version, state, result; graph operators +, N+, +N, @.
state: and result: compare with --state DIR (a folder with a manifest.json and, for result:, a
run_results.json). Tests attached to selected nodes are added as --indirect-selection says
(eager by default, or cautious, buildable, empty), for --select and --exclude alike.
--resource-type / --exclude-resource-type take the values dbt does (default: model, snapshot,
seed, test, source, exposure, metric, saved_query, semantic_model, unit_test, function; all adds
analyses); DBT_RESOURCE_TYPES, DBT_EXCLUDE_RESOURCE_TYPES, DBT_INDIRECT_SELECTION and
DBT_STATE are read like dbt reads them.

Output, sorted by unique id: --output selector (default), name, path or json (one JSON object
per line; --json is the same). JSON keys default to dbt's: name, resource_type, package_name,
original_file_path, unique_id, alias, source_name, config, tags, depends_on; pick others with
--output-keys a b (space-separated like dbt; config.materialized reaches inside) from: ` + "KEYS" + `.
config holds the node's non-empty config values; depends_on is {"nodes": [...]}.
--log-format json writes every line as a dbt log event (ListCmdOut, and the warnings as
NoNodesForSelectionCriteria / NoNodesSelected); --quiet/-q leaves out the warnings.

Without target/manifest.json (or --manifest) the project files are quick-parsed the way dbt
parses them: with --vars (a YAML mapping, as dbt takes it) and the target dbt would use
(--target/-t, DBT_TARGET, --profile, --profiles-dir, DBT_PROFILES_DIR). What only dbt can
decide, and refs to nothing, are reported per file on stderr. A manifest holds the answer of
the parse that wrote it, so these options do not change it (ls says so).

A criterion that matches nothing gets dbt's warning on stderr; so do spots dbt accepts but that
cannot select anything (an empty criterion, "config:x" without a key), with their position.
When nothing matches, "No nodes selected!" goes to stderr and the exit status is 0.
Exit status 2: an invalid selector, an unknown method or another usage error.`

func newLsCmd(a *app) *cobra.Command {
	var fl lsFlags
	cmd := &cobra.Command{
		Use:     "ls",
		Aliases: []string{"list"},
		Short:   "List the dbt nodes a selector picks, like dbt ls (no dbt needed)",
		Long:    strings.Replace(lsLong, "KEYS", strings.Join(lsAllKeys, ", "), 1),
		// Flags are parsed in RunE, after dbt's multi-value options are expanded.
		DisableFlagParsing: true,
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			return a.completeSelectArgs(args, toComplete)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			cmd.DisableFlagParsing = false // ParseFlags does nothing while it is set
			if err := cmd.ParseFlags(expandMultiOptions(args)); err != nil {
				if errors.Is(err, pflag.ErrHelp) {
					return cmd.Help()
				}
				return withCode(2, err)
			}
			if fl.help {
				return cmd.Help()
			}
			if a.jq != "" {
				return withCode(2, errors.New("--jq: ls prints what dbt ls prints; use --output json and pipe it to jq"))
			}
			if rest := cmd.Flags().Args(); len(rest) > 0 {
				return withCode(2, fmt.Errorf("unexpected argument %q: selectors follow -s/--select or --exclude", rest[0]))
			}
			if err := a.setupLogging(); err != nil {
				return err
			}
			fl.varsSet = cmd.Flags().Changed("vars")
			return a.runLs(&fl)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&fl.selects, "select", "s", nil, "nodes to select (dbt selector syntax; several values)")
	f.StringArrayVarP(&fl.models, "models", "m", nil, "like --select, listing models only")
	f.StringArrayVar(&fl.exclude, "exclude", nil, "nodes to leave out (selector syntax; several values)")
	f.StringArrayVar(&fl.resourceTypes, "resource-type", envList("DBT_RESOURCE_TYPES"), "only these resource types (all, default, model, test, source…)")
	f.StringArrayVar(&fl.exclTypes, "exclude-resource-type", envList("DBT_EXCLUDE_RESOURCE_TYPES"), "leave out these resource types")
	f.StringVar(&fl.state, "state", os.Getenv("DBT_STATE"), "folder with the manifest.json (and run_results.json) to compare with, for state: and result:")
	def := os.Getenv("DBT_INDIRECT_SELECTION")
	if def == "" {
		def = selector.IndirectEager
	}
	f.StringVar(&fl.indirect, "indirect-selection", def, "tests of selected nodes: eager, cautious, buildable or empty")
	f.StringVar(&fl.output, "output", "selector", "output format: selector, name, path or json")
	f.StringArrayVar(&fl.outputKeys, "output-keys", nil, "keys for --output json (space-separated)")
	f.StringVar(&fl.manifest, "manifest", "", "read this manifest.json instead of the project's")
	f.StringVar(&fl.logFormat, "log-format", envOr("DBT_LOG_FORMAT", "default"), "text, default or json (each line a dbt log event)")
	f.StringVar(&fl.vars, "vars", "", "dbt's --vars (a YAML mapping) for a quick parse of the project")
	f.StringVarP(&fl.target, "target", "t", "", "dbt's --target for a quick parse (default: DBT_TARGET, else the profile's)")
	f.StringVar(&fl.profilesDir, "profiles-dir", "", "folder holding profiles.yml, for the target of a quick parse (default: as dbt finds it)")
	f.StringVar(&fl.profile, "profile", "", "profile to use instead of dbt_project.yml's, for a quick parse")
	f.BoolVarP(&fl.quiet, "quiet", "q", os.Getenv("DBT_QUIET") == "true" || os.Getenv("DBT_QUIET") == "1", "print only the nodes, no warnings")
	f.BoolVar(&fl.asJSON, "json", false, "same as --output json")
	f.BoolVarP(&fl.help, "help", "h", false, "help for ls")
	for _, hidden := range []string{"model"} {
		f.StringArrayVar(&fl.models, hidden, nil, "same as --models")
		_ = f.MarkHidden(hidden)
	}
	return cmd
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// envList reads a space-separated list from the environment, as dbt reads its multi-value
// options' variables.
func envList(name string) []string {
	return strings.Fields(os.Getenv(name))
}

// lsTypes checks and normalises --resource-type values like dbt's case-insensitive choices.
func lsTypes(flag string, values []string, allowed []string) ([]string, error) {
	var out []string
	for _, v := range values {
		for _, t := range strings.Fields(v) {
			t = strings.ToLower(t)
			if !slices.Contains(allowed, t) {
				return nil, withCode(2, fmt.Errorf("--%s %q: expected one of %s", flag, t, strings.Join(allowed, ", ")))
			}
			out = append(out, t)
		}
	}
	return out, nil
}

func (a *app) runLs(fl *lsFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	opts, err := fl.typeOptions()
	if err != nil {
		return err
	}
	selects := fl.selects
	if len(fl.models) > 0 {
		selects, opts.ResourceTypes = fl.models, []string{"model"}
	}
	sel, err := selector.ParseSelection(selects, fl.exclude)
	if err != nil {
		return withCode(2, err)
	}
	var qopts quickparse.QuickParseOptions
	if fl.varsSet {
		if qopts.Vars, err = quickparse.ParseCLIVars(fl.vars); err != nil {
			return withCode(2, err)
		}
	}
	src, err := a.lsSource(fl)
	if err != nil {
		return err
	}
	question := lsQuestion(fl, src)
	if question != nil {
		if done, err := a.replayLs(src, question); done {
			return err
		}
	}
	opts.Indirect, opts.ProjectDir = fl.indirect, src.projectDir
	if done, err := a.lsFromColumns(fl, sel, opts, src, question); done {
		return err
	}
	g, err := a.lsGraph(fl, src, qopts)
	if err != nil {
		return err
	}
	defer g.WaitCache()
	if err := lsState(fl.state, src.cacheDir, &opts); err != nil {
		return err
	}
	res, err := selector.SelectNodes(g, sel, opts)
	if err != nil {
		return withCode(2, err)
	}
	return a.printLs(fl, lsGraphNodes{g}, sel, res, src, question)
}

// check refuses the options dbt ls refuses: an unknown --output or --log-format, and --models
// with --select or --resource-type (task/list.py: --models is --select restricted to models).
func (fl *lsFlags) check() error {
	if fl.asJSON {
		fl.output = "json"
	}
	fl.output = strings.ToLower(fl.output)
	switch fl.output {
	case "selector", "name", "path", "json":
	default:
		return withCode(2, fmt.Errorf("--output %q: use selector, name, path or json", fl.output))
	}
	switch fl.logFormat {
	case "text", "default", "json", "debug":
	default:
		return withCode(2, fmt.Errorf("--log-format %q: use text, default, json or debug", fl.logFormat))
	}
	if len(fl.models) > 0 && len(fl.selects) > 0 {
		return withCode(2, errors.New(`"models" and "select" are mutually exclusive arguments`))
	}
	if len(fl.models) > 0 && len(fl.resourceTypes) > 0 {
		return withCode(2, errors.New(`"models" and "resource_type" are mutually exclusive arguments`))
	}
	return nil
}

// typeOptions are the selection's --resource-type and --exclude-resource-type.
func (fl *lsFlags) typeOptions() (selector.SelectOptions, error) {
	include, err := lsTypes("resource-type", fl.resourceTypes, append(slices.Clone(selector.ResourceTypes), "default", "all"))
	if err != nil {
		return selector.SelectOptions{}, err
	}
	exclude, err := lsTypes("exclude-resource-type", fl.exclTypes, selector.ResourceTypes)
	if err != nil {
		return selector.SelectOptions{}, err
	}
	return selector.SelectOptions{ResourceTypes: include, ExcludeResourceTypes: exclude}, nil
}

// keys are the --output-keys, or dbt's default keys.
func (fl *lsFlags) keys() []string {
	var keys []string
	for _, v := range fl.outputKeys {
		keys = append(keys, strings.Fields(v)...)
	}
	if len(keys) == 0 {
		return lsDefaultKeys
	}
	return keys
}

// outputKeyNote says why an --output-keys key will be missing from every line, or "" for a
// key datatui prints (or a key inside one). dbt prints whatever keys a node has, so a key datatui does not keep
// (checksum, raw_code…) is one where the two differ; a comma or a typo gives {} in both.
func outputKeyNote(k string) string {
	if top, _, _ := strings.Cut(k, "."); slices.Contains(lsAllKeys, top) {
		return "" // a key, or a key inside one (config.materialized): see lsJSON
	}
	if strings.Contains(k, ",") {
		return fmt.Sprintf("--output-keys %q is one key: keys are separated by spaces, as in dbt (--output-keys %s)", k, strings.Join(strings.FieldsFunc(k, func(r rune) bool { return r == ',' }), " "))
	}
	best, bestD := "", 3 // the nearest key within 2 edits
	for _, known := range lsAllKeys {
		if d, near := textdist.Within(k, known, bestD-1); near {
			best, bestD = known, d
		}
	}
	if best != "" {
		return fmt.Sprintf("--output-keys %q: datatui prints no such key; did you mean %s?", k, best)
	}
	return fmt.Sprintf("--output-keys %q: datatui does not keep that key, so it is left out where dbt ls would print a node's own (the keys datatui prints: datatui ls --help)", k)
}

// lsState loads --state's comparison manifest and run results, for state: and result:.
func lsState(state, cacheDir string, opts *selector.SelectOptions) error {
	if state == "" {
		return nil
	}
	st, err := os.Stat(state)
	if err != nil || !st.IsDir() {
		return withCode(2, fmt.Errorf("--state %s: not a folder; give the folder holding the comparison manifest.json", state))
	}
	if p := filepath.Join(state, "manifest.json"); fileExists(p) {
		if opts.State, err = dbt.LoadManifest(p, dbt.LoadOptions{CacheDir: cacheDir, OneShot: true}); err != nil {
			return fmt.Errorf("--state: %w", err)
		}
	}
	if p := filepath.Join(state, "run_results.json"); fileExists(p) {
		if opts.Results, err = dbt.LoadRunResults(p); err != nil {
			return fmt.Errorf("--state: %w", err)
		}
	}
	return nil
}

// printLs prints the selection's warnings as dbt does, then one line per selected node in
// the --output format.
//
// With a question (see lsQuestion) the output is kept as the answer to it, unless a warning
// was printed or cleaning changed anything.
func (a *app) printLs(fl *lsFlags, nodes lsNodes, sel *selector.Selection, res *selector.SelectResult, src lsSource, question []byte) error {
	var stdout io.Writer = redact.Unwrap(a.stdout)
	var answer *dbt.AnswerWriter
	if question != nil {
		var err error
		if answer, err = nodes.newAnswer(src.cacheDir, question); err == nil {
			stdout = io.MultiWriter(stdout, answer)
		}
	}
	// Buffered for speed, so each line is cleaned by lsWriter (secrets, terminal safety)
	// rather than by the stream's per-write layers, which a 64 KB buffer would cut mid-line.
	out := &lsWriter{w: bufio.NewWriterSize(stdout, 64<<10), stderr: a.stderr, json: fl.logFormat == "json", quiet: fl.quiet}
	err := out.list(fl, nodes, sel, res)
	switch {
	case answer == nil:
		if question != nil && (out.changed || out.py.changed) {
			dbt.ForgetAnswer(src.manifest, src.cacheDir) // no listing of it that cleaning changes stays on disk
		}
	case err == nil && !out.warned && !out.changed && !out.py.changed:
		// Keeping the answer only saves the next start some time.
		_ = answer.Keep()
	default:
		answer.Discard()
	}
	return err
}

// list writes the selection's warnings and lines.
func (out *lsWriter) list(fl *lsFlags, nodes lsNodes, sel *selector.Selection, res *selector.SelectResult) error {
	g := nodes.graph() // nil over columns, which answer neither --output json nor suggestions
	if fl.output == "json" {
		for _, k := range fl.keys() {
			if note := outputKeyNote(k); note != "" {
				out.warn("", nil, "datatui: warning: "+note)
			}
		}
	}
	if w := nodes.schemaWarning(); w != "" {
		// A manifest of a schema datatui does not know may hold what it cannot read, so the
		// listing may not be dbt's.
		out.warn("", nil, "datatui: warning: "+w)
	}
	for _, n := range sel.Notes {
		out.warn("", nil, "datatui: warning: "+n.Note())
	}
	for _, u := range res.Unmatched {
		out.warn("NoNodesForSelectionCriteria", map[string]any{"spec_raw": u}, fmt.Sprintf("The selection criterion '%s' does not match any enabled nodes", u))
		if !out.json {
			// Only a bare name gets suggestions (see bareName); nothing is looked for otherwise.
			if name := bareName(u); name != "" && g != nil {
				if near := lineage.ClosestNames(g, name, 3); len(near) > 0 {
					out.warn("", nil, "datatui: did you mean "+strings.Join(near, ", ")+"?")
				}
			}
		}
	}
	if len(res.Indexes) == 0 {
		out.warn("NoNodesSelected", map[string]any{}, "No nodes selected!")
		return out.flush()
	}
	keys := fl.keys()
	var buf []byte // each selector line is built here, not in a string of its own
	for _, i := range res.Indexes {
		n := nodes.node(i)
		switch fl.output {
		case "selector":
			buf = appendSelector(buf[:0], n)
			// A view of buf, not a copy: line has written it out (cleaned) before buf is reused.
			out.line(unsafe.String(unsafe.SliceData(buf), len(buf)))
		case "name":
			out.line(lineage.DisplayName(n))
		case "path":
			out.line(n.OriginalPath)
		case "json":
			out.cleanLine(out.py.encode(lsJSON(g, n, keys)))
		}
	}
	return out.flush()
}

// bareName is the node name a criterion names without a method ("kpi_weeky" in
// "2+kpi_weeky+"), or "" when it uses a method, a path, a wildcard or several parts, where
// a close name would be a guess.
func bareName(criterion string) string {
	name := strings.TrimPrefix(criterion, "@")
	if i := strings.Index(name, "+"); i >= 0 && strings.Trim(name[:i], "0123456789") == "" {
		name = name[i+1:] // "+name", "2+name"
	}
	if i := strings.LastIndex(name, "+"); i >= 0 && strings.Trim(name[i+1:], "0123456789") == "" {
		name = name[:i] // "name+", "name+2"
	}
	if name == "" || strings.ContainsAny(name, ":/\\*?[,.") {
		return ""
	}
	return name
}

// lsWriter writes ls's lines and warnings, as plain text or as dbt's JSON log events.
type lsWriter struct {
	w          *bufio.Writer
	stderr     io.Writer
	json       bool
	quiet      bool
	invocation string
	// py writes the nodes' JSON lines.
	py pyEncoder
	// warned: a warning was printed; changed: cleaning changed a line. Either keeps the
	// listing from being kept as an answer (see printLs).
	warned, changed bool
}

// event writes one line in the shape of dbt's --log-format json events.
func (o *lsWriter) event(name, code, level, msg string, data map[string]any) {
	if o.invocation == "" {
		var b [16]byte
		_, _ = rand.Read(b[:])
		h := hex.EncodeToString(b[:])
		o.invocation = h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	}
	ev := orderedMap{
		{"data", data},
		{"info", orderedMap{{"category", ""}, {"code", code}, {"extra", map[string]any{}}, {"invocation_id", o.invocation},
			{"level", level}, {"msg", msg}, {"name", name}, {"pid", os.Getpid()}, {"thread", "MainThread"},
			{"ts", time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")}}},
	}
	o.w.Write(o.py.encode(ev))
	o.w.WriteByte('\n')
}

func (o *lsWriter) line(s string) {
	if o.json {
		o.event("ListCmdOut", "Z049", "info", s, map[string]any{"msg": s})
		return
	}
	c := termsafe.Line(redact.Scrub(s))
	o.changed = o.changed || c != s
	o.w.WriteString(c)
	o.w.WriteByte('\n')
}

// cleanLine writes a node's JSON from the pyEncoder, which has cleaned every key and value
// already (by redact.JSON's rules) and escaped every control character: cleaning the whole
// line again would cost time and change nothing.
func (o *lsWriter) cleanLine(js []byte) {
	if o.json {
		o.line(string(js))
		return
	}
	o.w.Write(js)
	o.w.WriteByte('\n')
}

// warn reports a warning; name is its dbt event ("" for datatui's own notes).
func (o *lsWriter) warn(name string, data map[string]any, msg string) {
	if o.quiet {
		return
	}
	o.warned = true
	if o.json && name != "" {
		code := map[string]string{"NoNodesForSelectionCriteria": "M030", "NoNodesSelected": "Q038"}[name]
		o.event(name, code, "warn", msg, data)
		return
	}
	if name == "NoNodesForSelectionCriteria" {
		msg = "datatui: warning: t" + strings.TrimPrefix(msg, "T")
	}
	fmt.Fprintln(o.stderr, msg)
}

func (o *lsWriter) flush() error { return o.w.Flush() }

// lsSource is what ls lists: a manifest and the index cache folder it is read through, or,
// without a manifest, the project to quick-parse.
type lsSource struct {
	manifest   string // "" for a quick parse
	cacheDir   string
	projectDir string // "" when a manifest is read outside a project
}

// lsSource finds what ls lists: --manifest, else the project's manifest, else the project's
// files.
func (a *app) lsSource(fl *lsFlags) (lsSource, error) {
	if fl.manifest != "" {
		src := lsSource{manifest: fl.manifest, cacheDir: filepath.Join(workspace.StateHome(), "cache")}
		if a.projectDir() != "" || a.demo {
			if ws, _ := a.workspace(); ws != nil && ws.StateDir != "" {
				src.cacheDir = filepath.Join(ws.StateDir, "cache")
				src.projectDir = ws.ProjectDir
			}
		}
		return src, nil
	}
	ws, err := a.workspace()
	if ws == nil {
		return lsSource{}, err
	}
	src := lsSource{projectDir: ws.ProjectDir}
	if ws.StateDir != "" {
		src.cacheDir = filepath.Join(ws.StateDir, "cache")
	}
	if path := project.ManifestPath(ws.ProjectDir); fileExists(path) {
		src.manifest = path
	}
	return src, nil
}

// parseFlags reports options that change only a quick parse: a manifest holds the answer of
// the parse that wrote it, and dbt ls would parse again.
func (fl *lsFlags) parseFlags() bool {
	return fl.varsSet || fl.target != "" || fl.profilesDir != "" || fl.profile != ""
}

// lsGraph loads the graph ls lists from src: the manifest, else a quick parse of the project
// rendered with qopts and the target dbt would use.
func (a *app) lsGraph(fl *lsFlags, src lsSource, qopts quickparse.QuickParseOptions) (*dbt.Graph, error) {
	if src.manifest != "" {
		if fl.parseFlags() && !fl.quiet {
			fmt.Fprintf(a.stderr, "datatui: warning: %s is what dbt's last parse wrote; --vars, --target, --profile and --profiles-dir change only a quick parse (run dbt parse with them for dbt's answer)\n", src.manifest)
		}
		// The index cache is encoded on the other core while ls selects and prints (runLs waits
		// for it before it returns), and ls keeps the graph until it exits.
		return dbt.LoadManifest(src.manifest, dbt.LoadOptions{CacheDir: src.cacheDir, WriteCacheAside: true, OneShot: true})
	}
	// Without a usable profile, conditions on the target keep every branch; a target or
	// profile asked for by name must exist, as dbt requires.
	var err error
	qopts.Target, err = quickparse.TargetContext(profiles.ProfilesOptions{ProjectDir: src.projectDir, ProfilesDir: fl.profilesDir, Profile: fl.profile}, fl.target)
	if err != nil && (fl.target != "" || fl.profile != "" || fl.profilesDir != "") {
		return nil, withCode(2, err)
	}
	g, qerr := quickparse.QuickParseWith(src.projectDir, qopts)
	if qerr != nil {
		return nil, errors.Join(fmt.Errorf("no target/manifest.json in %s: run dbt parse, or pass --manifest FILE", src.projectDir), qerr)
	}
	fmt.Fprintln(a.stderr, "datatui: no target/manifest.json; listing from a quick parse of the project files (run dbt parse for dbt's own view)")
	if !fl.quiet {
		// What the quick parse could not know or found broken, per file, as lineage says it.
		printWarnings(a.stderr, g.Origin.Warnings)
	}
	return g, nil
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// appendSelector appends what dbt ls prints by default: a selector that picks exactly this
// node (ListTask.generate_selectors).
func appendSelector(b []byte, n *dbt.Node) []byte {
	switch n.ResourceType {
	case "source":
		b = append(append(append(b, "source:"...), n.Package...), '.')
		return append(append(append(b, n.SourceName...), '.'), n.Name...)
	case "exposure", "metric", "semantic_model", "saved_query", "unit_test":
		b = append(append(append(append(b, n.ResourceType...), ':'), n.Package...), '.')
		b = append(b, n.Name...)
		if n.ResourceType == "unit_test" && n.Version != "" {
			b = append(append(b, "_v"...), n.Version...)
		}
		return b
	}
	for k, part := range n.FQN {
		if k > 0 {
			b = append(b, '.')
		}
		b = append(b, part...)
	}
	return b
}

// lsJSON is a node as dbt ls --output json writes it, with keys in the order asked for; keys
// the node does not have are left out, like dbt does, and "config.materialized" reaches into
// the config.
func lsJSON(g *dbt.Graph, n *dbt.Node, keys []string) orderedMap {
	out := make(orderedMap, 0, len(keys))
	add := func(k string, v any) {
		out = append(out, struct {
			k string
			v any
		}{k, v})
	}
	for _, k := range keys {
		top, sub, nested := strings.Cut(k, ".")
		v, ok := lsValue(g, n, top)
		if !ok {
			continue
		}
		if nested {
			for _, part := range strings.Split(sub, ".") {
				m, isMap := v.(map[string]any)
				if !isMap {
					ok = false
					break
				}
				if v, ok = m[part]; !ok {
					break
				}
			}
			if !ok || v == nil {
				continue
			}
		}
		add(k, v)
	}
	return out
}

// inNodes reports the resource types dbt keeps in manifest.nodes, whose JSON has an alias.
func inNodes(t string) bool {
	return slices.Contains([]string{"model", "seed", "snapshot", "test", "analysis", "operation", "sql_operation"}, t)
}

// lsValue is one top-level key of a node's dbt ls JSON; false when dbt's JSON of such a node
// has no such key.
func lsValue(g *dbt.Graph, n *dbt.Node, k string) (any, bool) {
	switch k {
	case "columns", "config", "depends_on", "meta":
		return lsNested(g, n, k)
	case "database", "schema", "alias", "relation_name", "source_name":
		return lsWhere(n, k)
	case "access", "group", "version", "latest_version":
		return lsGovernance(n, k)
	case "description":
		return n.Description, true
	case "fqn":
		return nonNil(n.FQN), true
	case "name":
		return n.Name, true
	case "original_file_path":
		return n.OriginalPath, true
	case "package_name":
		return n.Package, true
	case "patch_path":
		return nullable(n.PatchPath), n.ResourceType != "source"
	case "path":
		return n.Path, true
	case "resource_type":
		return n.ResourceType, true
	case "tags":
		return nonNil(n.Tags), n.ResourceType != "semantic_model" && n.ResourceType != "unit_test" && n.ResourceType != "saved_query"
	case "unique_id":
		return n.UniqueID, true
	}
	return nil, false
}

// lsWhere is one of the keys that say where a node is in the warehouse.
func lsWhere(n *dbt.Node, k string) (any, bool) {
	switch k {
	case "database":
		return nullable(n.Database), true
	case "schema":
		return nullable(n.Schema), true
	case "alias":
		return nullable(n.Alias), inNodes(n.ResourceType)
	case "relation_name":
		return nullable(n.RelationName), true
	}
	return n.SourceName, n.ResourceType == "source"
}

// lsGovernance is one of the model governance keys: access, group, version, latest_version.
func lsGovernance(n *dbt.Node, k string) (any, bool) {
	switch k {
	case "access":
		return nullable(n.Config.Access), n.ResourceType == "model"
	case "group":
		return nullable(n.Config.Group), true
	case "version":
		return nullable(n.Version), n.ResourceType == "model"
	}
	return nullable(n.LatestVersion), n.ResourceType == "model"
}

// lsNested is one of the keys of a node's dbt ls JSON that hold an object: columns, config,
// depends_on, meta.
func lsNested(g *dbt.Graph, n *dbt.Node, k string) (any, bool) {
	switch k {
	case "columns":
		cols := n.Columns
		if cols == nil {
			cols = []dbt.Column{}
		}
		m := make(map[string]any, len(cols))
		for _, c := range cols {
			m[c.Name] = map[string]any{"name": c.Name, "description": c.Description, "data_type": nullable(c.DataType)}
		}
		return m, true
	case "config":
		return lsConfig(&n.Config, n.ResourceType, selector.VersionBefore(g.Origin.DBTVersion, 1, 9)), true
	case "depends_on":
		deps := n.DependsOn
		if deps == nil {
			deps = []string{}
		}
		return map[string]any{"nodes": deps}, n.ResourceType != "source" && n.ResourceType != "exposure" || len(deps) > 0
	}
	m := map[string]any{}
	for k, v := range n.Meta {
		m[k] = lsTyped(v, n.Config.Kinds["meta."+k])
	}
	return m, true
}

// lsConfig is a node's config as JSON: the known fields, and the other values typed again and
// nested again (docs.show → {"docs": {"show": …}}).
// dbt before 1.9 has no enabled key in unit tests' configs.
func lsConfig(c *dbt.NodeConfig, resourceType string, before19 bool) map[string]any {
	m := make(map[string]any, 10+len(c.Extra))
	for k, v := range c.Extra {
		val := lsTyped(v, c.Kinds[k])
		parts := strings.Split(k, ".")
		cur := m
		for _, p := range parts[:len(parts)-1] {
			next, ok := cur[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				cur[p] = next
			}
			cur = next
		}
		cur[parts[len(parts)-1]] = val
	}
	if resourceType != "unit_test" || !before19 {
		m["enabled"] = c.Enabled
	}
	if resourceType != "source" && resourceType != "metric" && resourceType != "semantic_model" && resourceType != "saved_query" {
		m["tags"] = nonNil(c.Tags)
	}
	for k, v := range map[string]string{"materialized": c.Materialized, "schema": c.Schema, "database": c.Database, "alias": c.Alias, "severity": c.Severity, "group": c.Group, "access": c.Access} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// lsTyped is a config or meta value kept as text (kind says which JSON kind it was) as dbt ls
// prints it. Numbers keep the manifest's text: dbt wrote the manifest with Python's json.dumps
// and prints ls with it again, so a float reads back and prints as it was written (1.0 stays
// 1.0, 1e-07 stays 1e-07), where a float64 would print 1 and 1e-7. Text that is not JSON is
// null, as in dbt.TypedValue.
func lsTyped(text, kind string) any {
	if kind == "" {
		return text
	}
	return jsonValue([]byte(text))
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
