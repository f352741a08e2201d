package ops

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/warehouse"
)

// This file reads dbt's command line the way dbt's own CLI (click, dbt-core's
// core/dbt/cli/main.py and params.py, 1.5–1.11) reads it, because the target pin and the
// write guard depend on knowing exactly which token is the subcommand and which is an
// option's value: `--log-path deps build` is a build whose log path is "deps".
//
// click's rules that matter here: options of a group (dbt itself, `docs`, `source`) come
// before its subcommand, and the first other token is the subcommand; an option that takes a
// value takes the next token whatever it looks like (or the text after "=", or the rest of a
// short option: -tprod); short flags combine (-xt prod); a repeated option keeps its last
// value; dbt's multi-value options (--select, --exclude…) also take every following token
// until one that starts like one of their own names ("-" for --select/-s, "--" for
// --exclude); and dbt refuses an option given both before and after the subcommand.

type optKind int

const (
	flagOpt  optKind = iota // takes no value (--full-refresh, --no-partial-parse, -x)
	valueOpt                // takes one value (--target prod, --target=prod, -tprod)
	multiOpt                // dbt's MultiOption: one value, then more up to the next option
)

// option is one option of dbt's CLI.
type option struct {
	name string // canonical spelling, "--target"
	kind optKind
	// stop is the prefix that ends a multiOpt's values: "-" when it has a short name.
	stop string
}

// optTable maps every spelling (--target, -t, --no-debug) to its option.
type optTable map[string]*option

// opts builds a table from specs "F --debug/--no-debug -d", "V --target -t", "M --select -s".
func opts(specs ...string) optTable {
	t := optTable{}
	for _, spec := range specs {
		f := strings.Fields(spec)
		o := &option{stop: "--"}
		switch f[0] {
		case "F":
			o.kind = flagOpt
		case "V":
			o.kind = valueOpt
		case "M":
			o.kind = multiOpt
		}
		for _, names := range f[1:] {
			for _, n := range strings.Split(names, "/") {
				if o.name == "" {
					o.name = n
				}
				if !strings.HasPrefix(n, "--") {
					o.stop = "-"
				}
				t[n] = o
			}
		}
	}
	return t
}

func (t optTable) with(more optTable) optTable {
	out := optTable{}
	for k, v := range t {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// command is one dbt subcommand (or group) with its own options.
type command struct {
	opts optTable
	// subs are a group's subcommands.
	subs map[string]*command
	// args is how many positional arguments it takes.
	args int
}

// dbtCLI returns dbt's command tree (dbt-core 1.11's main.py; older versions accept a subset).
// It is built on first use, not at process start (a sync.Once, not sync.OnceValue, whose call
// at package level would itself be start-up work).
func dbtCLI() *command {
	dbtCLIOnce.Do(func() { dbtCLITree = buildDBTCLI() })
	return dbtCLITree
}

var (
	dbtCLIOnce sync.Once
	dbtCLITree *command
)

func buildDBTCLI() *command {
	// globalOpts are dbt's global_flags, accepted at every level (dbt, docs, source and every
	// subcommand). The hidden --deprecated-* options dbt accepts only from environment variables
	// are left out: on a command line dbt refuses them, and so does datatui.
	globalOpts := opts(
		"F -h --help",
		"F --cache-selected-only/--no-cache-selected-only",
		"F --debug/--no-debug -d",
		"F --defer/--no-defer",
		"V --defer-state",
		"F --fail-fast/--no-fail-fast -x",
		"F --favor-state/--no-favor-state",
		"V --indirect-selection",
		"F --log-cache-events/--no-log-cache-events",
		"V --log-file-max-bytes",
		"V --log-format",
		"V --log-format-file",
		"V --log-level",
		"V --log-level-file",
		"V --log-path",
		"F --macro-debugging/--no-macro-debugging",
		"F --partial-parse/--no-partial-parse",
		"V --partial-parse-file-path",
		"F --partial-parse-file-diff/--no-partial-parse-file-diff",
		"F --populate-cache/--no-populate-cache",
		"F --print/--no-print",
		"V --printer-width",
		"V --profile",
		"F --quiet/--no-quiet -q",
		"V --record-timing-info -r",
		"F --send-anonymous-usage-stats/--no-send-anonymous-usage-stats",
		"F --single-threaded/--no-single-threaded",
		"F --show-all-deprecations/--no-show-all-deprecations",
		"V --state",
		"F --static-parser/--no-static-parser",
		"V --target -t",
		"F --use-colors/--no-use-colors",
		"F --use-colors-file/--no-use-colors-file",
		"F --use-experimental-parser/--no-use-experimental-parser",
		"F --version -V -v",
		"F --version-check/--no-version-check",
		"F --warn-error",
		"V --warn-error-options",
		"F --write-json/--no-write-json",
		"F --use-fast-test-edges/--no-use-fast-test-edges",
		"F --upload-to-artifacts-ingest-api/--no-upload-to-artifacts-ingest-api",
	)
	// Options several subcommands share.
	projectOpts := opts("V --profiles-dir", "V --project-dir", "V --target-path", "V --vars")
	selectOpts := opts("M --select -s --models -m --model", "M --exclude", "V --selector")
	runOpts := projectOpts.with(selectOpts).with(opts("V --threads", "V --sqlparse"))
	typeOpts := opts("M --resource-types --resource-type", "M --exclude-resource-types --exclude-resource-type")
	leaf := func(t optTable, args int) *command { return &command{opts: globalOpts.with(t), args: args} }
	cli := &command{opts: globalOpts.with(opts("F --show-resource-report/--no-show-resource-report")), subs: map[string]*command{
		"build": leaf(runOpts.with(typeOpts).with(opts("F --empty/--no-empty", "V --event-time-start", "V --event-time-end",
			"F --export-saved-queries/--no-export-saved-queries", "F --include-saved-query/--no-include-saved-query",
			"F --full-refresh -f", "V --sample", "F --show", "F --store-failures")), 0),
		"clean": leaf(projectOpts.with(opts("F --clean-project-files-only/--no-clean-project-files-only")), 0),
		"docs": {opts: globalOpts, subs: map[string]*command{
			"generate": leaf(runOpts.with(opts("F --compile/--no-compile", "F --empty-catalog", "F --static")), 0),
			"serve":    leaf(projectOpts.with(opts("F --browser/--no-browser", "V --host", "V --port")), 0),
		}},
		"compile": leaf(runOpts.with(opts("F --full-refresh -f", "V --output", "F --introspect/--no-introspect", "F --empty/--no-empty",
			"V --inline", "F --inject-ephemeral-ctes/--no-inject-ephemeral-ctes")), 0),
		"show": leaf(runOpts.with(opts("F --full-refresh -f", "V --output", "V --limit", "F --introspect/--no-introspect",
			"V --inline", "V --inline-direct")), 0),
		"debug":         leaf(opts("V --profiles-dir", "V --project-dir", "V --vars", "F --connection", "F --config-dir"), 0),
		"deps":          leaf(opts("V --profiles-dir", "V --project-dir", "V --vars", "V --source", "F --lock", "F --upgrade", "V --add-package"), 0),
		"init":          leaf(opts("V --profiles-dir", "V --project-dir", "V --vars", "F --skip-profile-setup -s"), 1),
		"list":          leaf(projectOpts.with(selectOpts).with(typeOpts).with(opts("V --output", "M --output-keys")), 0),
		"parse":         leaf(projectOpts.with(opts("V --threads")), 0),
		"run":           leaf(runOpts.with(opts("F --full-refresh -f", "F --empty/--no-empty", "V --event-time-start", "V --event-time-end", "V --sample")), 0),
		"retry":         leaf(projectOpts.with(opts("V --threads", "F --full-refresh -f")), 0),
		"clone":         leaf(runOpts.with(typeOpts).with(opts("F --full-refresh -f")), 0),
		"run-operation": leaf(projectOpts.with(opts("V --args", "V --threads")), 1),
		"seed":          leaf(runOpts.with(opts("F --full-refresh -f", "F --show")), 0),
		"snapshot":      leaf(runOpts.with(opts("F --empty/--no-empty")), 0),
		"source": {opts: globalOpts, subs: map[string]*command{
			"freshness":          leaf(runOpts.with(opts("V --output -o")), 0),
			"snapshot-freshness": leaf(runOpts.with(opts("V --output -o")), 0),
		}},
		"test": leaf(runOpts.with(typeOpts).with(opts("F --store-failures")), 0),
	}}
	cli.subs["ls"] = cli.subs["list"]
	return cli
}

// Use is one option as given on the command line.
type Use struct {
	// Name is the option's canonical spelling ("--target" for -t and --target=…).
	Name string
	// Spelled is how it was written ("-t", "--no-debug").
	Spelled string
	// Values are its values (one for a value option, several for --select a b).
	Values []string
	// Level is where it was given: 0 before the subcommand, 1 after it (2 after
	// `docs generate`'s "generate").
	Level int
}

// Value is the option's (first) value.
func (u Use) Value() string {
	if len(u.Values) == 0 {
		return ""
	}
	return u.Values[0]
}

// piece is a run of arguments that belongs to one option use (use >= 0) or is a command
// name or positional argument (use == -1).
type piece struct {
	args []string
	use  int
}

// Args is dbt's command line as dbt's CLI reads it.
type Args struct {
	// Command is the subcommand: "build", "docs generate", "source freshness"; "" when none
	// was given (dbt --version).
	Command string
	// Uses are the options given, in order.
	Uses   []Use
	pieces []piece
}

// ArgsError is a command line dbt would not accept, or datatui cannot read safely.
type ArgsError struct{ Msg string }

func (e *ArgsError) Error() string { return e.Msg }

func argsErr(format string, a ...any) error { return &ArgsError{Msg: fmt.Sprintf(format, a...)} }

// ParseArgs reads args as dbt's CLI does. An option datatui does not know is an error: it
// cannot tell whether it takes a value, and so which token dbt takes for the subcommand.
func ParseArgs(args []string) (*Args, error) {
	p := &Args{}
	cur, level := dbtCLI(), 0
	var path []string
	positional := 0
	use := func(o *option, spelled string, vals []string, toks []string) {
		p.Uses = append(p.Uses, Use{Name: o.name, Spelled: spelled, Values: vals, Level: level})
		p.pieces = append(p.pieces, piece{args: toks, use: len(p.Uses) - 1})
	}
	where := func() string {
		if len(path) == 0 {
			return "before the subcommand"
		}
		return "for dbt " + strings.Join(path, " ")
	}
	unknown := func(name string) error {
		if cur.subs != nil {
			for _, sub := range dbtCLI().subs {
				if sub.opts[name] != nil {
					return argsErr("dbt does not accept %s %s: give it after the subcommand", name, where())
				}
			}
		}
		return argsErr("dbt option %s is not known %s (datatui reads dbt 1.5–1.11's options, so it can tell which argument is the subcommand)", name, where())
	}
	// more takes a multi option's further values, as dbt's MultiOption does.
	more := func(i int, o *option) (vals []string, next int) {
		for next = i; next < len(args) && !strings.HasPrefix(args[next], o.stop); next++ {
			vals = append(vals, args[next])
		}
		return vals, next
	}
	for i := 0; i < len(args); {
		a := args[i]
		switch {
		case a == "--":
			return nil, argsErr("a bare -- in dbt's arguments is not supported (datatui could not tell options from arguments after it)")
		case strings.HasPrefix(a, "--"):
			name, val, hasVal := strings.Cut(a, "=")
			o := cur.opts[name]
			if o == nil {
				return nil, unknown(name)
			}
			switch o.kind {
			case flagOpt:
				if hasVal {
					return nil, argsErr("dbt option %s does not take a value", name)
				}
				use(o, name, nil, []string{a})
				i++
			default:
				toks := []string{a}
				if !hasVal {
					if i+1 >= len(args) {
						return nil, argsErr("dbt option %s needs a value", name)
					}
					val = args[i+1]
					toks = append(toks, val)
				}
				i += len(toks)
				vals := []string{val}
				if o.kind == multiOpt {
					vals = strings.Split(val, " ")
					var extra []string
					extra, i = more(i, o)
					vals = append(vals, extra...)
					toks = append(toks, extra...)
				}
				use(o, name, vals, toks)
			}
		case len(a) > 1 && a[0] == '-':
			i++
			for j := 1; j < len(a); j++ {
				name := "-" + a[j:j+1]
				o := cur.opts[name]
				if o == nil {
					return nil, unknown(name)
				}
				if o.kind == flagOpt {
					use(o, name, nil, []string{name})
					continue
				}
				val, toks := a[j+1:], []string{name + a[j+1:]}
				if val == "" {
					if i >= len(args) {
						return nil, argsErr("dbt option %s needs a value", name)
					}
					val = args[i]
					toks = []string{name, val}
					i++
				}
				vals := []string{val}
				if o.kind == multiOpt {
					vals = strings.Split(val, " ")
					var extra []string
					extra, i = more(i, o)
					vals = append(vals, extra...)
					toks = append(toks, extra...)
				}
				use(o, name, vals, toks)
				break
			}
		default:
			i++
			p.pieces = append(p.pieces, piece{args: []string{a}, use: -1})
			if cur.subs != nil {
				sub := cur.subs[a]
				if sub == nil {
					return nil, argsErr("%q is not a dbt command %s", a, where())
				}
				path = append(path, a)
				cur, level = sub, level+1
				continue
			}
			if positional++; positional > cur.args {
				return nil, argsErr("dbt %s takes no argument %q (selections go after --select)", strings.Join(path, " "), a)
			}
		}
	}
	if len(path) > 0 && cur.subs != nil {
		return nil, argsErr("dbt %s needs a subcommand", path[0])
	}
	p.Command = strings.Join(path, " ")
	return p, nil
}

// Find returns the uses of the option named name (its canonical spelling).
func (p *Args) Find(name string) []Use {
	var out []Use
	for _, u := range p.Uses {
		if u.Name == name {
			out = append(out, u)
		}
	}
	return out
}

// Last is the value dbt uses for a single-value option (the last one given); "" when absent.
func (p *Args) Last(name string) string {
	uses := p.Find(name)
	if len(uses) == 0 {
		return ""
	}
	return uses[len(uses)-1].Value()
}

// Without returns the arguments with every use of the named options removed (combined
// short flags are split, which dbt reads the same way).
func (p *Args) Without(names ...string) []string {
	var out []string
	for _, pc := range p.pieces {
		if pc.use >= 0 && slices.Contains(names, p.Uses[pc.use].Name) {
			continue
		}
		out = append(out, pc.args...)
	}
	return out
}

// flagValue is the value dbt uses for the option spelled flag ("--target-path", "-o") in
// args: the last one given, read as dbt's CLI reads it; "" when absent or unreadable.
func flagValue(args []string, flag string) string {
	p, err := ParseArgs(args)
	if err != nil {
		return ""
	}
	return p.Last(canonical(dbtCLI(), flag))
}

// canonical is the canonical spelling of an option spelled flag anywhere in c's tree.
func canonical(c *command, flag string) string {
	if o := c.opts[flag]; o != nil {
		return o.name
	}
	for _, sub := range c.subs {
		if n := canonical(sub, flag); n != flag {
			return n
		}
	}
	return flag
}

// Command kinds: what a dbt command needs from the warehouse.
const (
	// kindNoProfile commands read no profile (deps, clean, init, and dbt --version/--help).
	kindNoProfile = iota
	// kindProfile commands read the profile but never connect (parse, ls, docs serve).
	kindProfile
	// kindConnects commands connect with the target, and may write through it.
	kindConnects
)

func commandKind(command string) int {
	switch command {
	case "", "deps", "clean", "init":
		return kindNoProfile
	case "parse", "list", "ls", "docs serve":
		return kindProfile
	}
	return kindConnects
}

// CommandOf returns the dbt subcommand in args ("build", "docs generate"); "" when there is
// none or args cannot be read.
func CommandOf(args []string) string {
	p, err := ParseArgs(args)
	if err != nil {
		return ""
	}
	return p.Command
}

// SelectionOf returns the --select (-s, -m, --models) values of args, space-separated.
func SelectionOf(args []string) string {
	p, err := ParseArgs(args)
	if err != nil {
		return ""
	}
	var sel []string
	for _, u := range p.Find("--select") {
		for _, v := range u.Values {
			if v != "" {
				sel = append(sel, v)
			}
		}
	}
	return strings.Join(sel, " ")
}

// PrepareArgs checks args' targets and returns what dbt is given: args without any
// --log-format or --target, then `--target <target>` for a command that reads the profile,
// then `--log-format json`. The target is the last one args name, or datatui.yml's sandbox
// target; an empty one, or one that is neither the sandbox target nor in dbt.allowed_targets,
// is refused, as is a target given both before and after the subcommand (dbt refuses that).
func PrepareArgs(args []string, cfg config.DBT) ([]string, error) {
	plan, err := planArgs(args, cfg)
	if err != nil {
		return nil, err
	}
	return append(plan.args, "--log-format", "json"), nil
}

// plan is a dbt command line ready to start.
type plan struct {
	parsed *Args
	// target is the pinned target ("" when the command reads no profile).
	target string
	// args are what dbt is given, without the final `--log-format json`.
	args []string
}

func planArgs(args []string, cfg config.DBT) (*plan, error) {
	if len(args) == 0 {
		return nil, errors.New("no dbt command given (for example: build --select my_model)")
	}
	p, err := ParseArgs(args)
	if err != nil {
		return nil, err
	}
	guard := warehouse.NewPolicy(&config.Config{DBT: cfg}, nil, "")
	uses := p.Find("--target")
	for _, u := range uses {
		if !guard.TargetAllowed(u.Value()) {
			return nil, &TargetError{Target: u.Value(), Sandbox: cfg.Target}
		}
		if u.Level != uses[0].Level {
			return nil, argsErr("--target is given both before and after the subcommand; dbt refuses that, give it once")
		}
	}
	pl := &plan{parsed: p, args: p.Without("--target", "--log-format")}
	if commandKind(p.Command) != kindNoProfile {
		pl.target = cfg.Target
		if len(uses) > 0 {
			pl.target = uses[len(uses)-1].Value()
		}
		if strings.TrimSpace(pl.target) == "" {
			return nil, &TargetError{Target: pl.target, Sandbox: cfg.Target}
		}
		pl.args = append(pl.args, "--target", pl.target)
	}
	return pl, nil
}

// Op is a common operation on a selection.
type Op string

const (
	OpBuild    Op = "build"
	OpRun      Op = "run"
	OpTest     Op = "test"
	OpCompile  Op = "compile"
	OpSeed     Op = "seed"
	OpSnapshot Op = "snapshot"
)

// Scope widens a selection with dbt's graph operators.
type Scope int

const (
	// Only the selected nodes.
	Only Scope = iota
	// WithUpstream adds everything the selection depends on ("+orders").
	WithUpstream
	// WithDownstream adds everything that depends on the selection ("orders+").
	WithDownstream
	// WithBoth adds both ("+orders+").
	WithBoth
)

// ScopeSelector applies scope to one selector ("orders" → "+orders+").
func ScopeSelector(sel string, scope Scope) string {
	if sel == "" {
		return sel
	}
	if (scope == WithUpstream || scope == WithBoth) && !strings.HasPrefix(sel, "+") && !strings.HasPrefix(sel, "@") {
		sel = "+" + sel
	}
	if (scope == WithDownstream || scope == WithBoth) && !strings.HasSuffix(sel, "+") {
		sel += "+"
	}
	return sel
}

// SelectionArgs builds `dbt <op> --select …` for selectors (empty: the whole project).
func SelectionArgs(op Op, scope Scope, selectors ...string) []string {
	args := []string{string(op)}
	var sel []string
	for _, s := range selectors {
		if s = strings.TrimSpace(s); s != "" {
			sel = append(sel, ScopeSelector(s, scope))
		}
	}
	if len(sel) > 0 {
		args = append(args, "--select")
		args = append(args, sel...)
	}
	return args
}

// DepsArgs installs packages.yml's packages.
func DepsArgs() []string { return []string{"deps"} }

// DebugArgs checks the profile and the warehouse connection.
func DebugArgs() []string { return []string{"debug"} }

// DocsGenerateArgs writes the catalog and the docs site.
func DocsGenerateArgs() []string { return []string{"docs", "generate"} }

// RetryArgs re-runs what failed in the last run. `dbt retry` (1.6+) reads the previous
// run_results.json; older dbt gets the equivalent state selection.
func RetryArgs(hasRetry bool) []string {
	if hasRetry {
		return []string{"retry"}
	}
	return []string{"build", "--select", "result:error+", "result:fail+", "--state", "target"}
}

// SupportsRetry reports whether a dbt version ("1.8.2", "2.0.0-preview.1") has `dbt retry`.
func SupportsRetry(version string) bool {
	major, minor, ok := parseVersion(version)
	if !ok {
		return true // unknown: assume a current dbt
	}
	return major > 1 || major == 1 && minor >= 6
}

func parseVersion(v string) (major, minor int, ok bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "=")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return 0, 0, false
	}
	var err error
	if major, err = atoi(parts[0]); err != nil {
		return 0, 0, false
	}
	if minor, err = atoi(parts[1]); err != nil {
		return 0, 0, false
	}
	return major, minor, true
}

func atoi(s string) (int, error) {
	n := 0
	if s == "" {
		return 0, errors.New("empty")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("not a number")
		}
		n = n*10 + int(c-'0')
		if n > 1<<20 {
			return 0, errors.New("too large")
		}
	}
	return n, nil
}
