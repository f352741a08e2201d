package ops

import (
	"errors"
	"strings"

	"github.com/datatui/datatui/internal/config"
)

// dbtCommands are dbt's subcommands; the first argument that is one of them is the command.
func isDBTCommand(s string) bool {
	switch s {
	case "build", "run", "test", "compile", "seed", "snapshot", "deps", "debug", "docs", "retry",
		"ls", "list", "parse", "clean", "show", "source", "run-operation", "init", "clone", "freshness":
		return true
	}
	return false
}

// needsTarget reports whether a command connects to the warehouse (and so must be pinned to
// the sandbox target). deps, clean and init never do.
func needsTarget(command string) bool {
	switch command {
	case "", "deps", "clean", "init":
		return false
	}
	return true
}

// CommandOf returns the dbt subcommand in args ("build"), "docs generate" for docs.
func CommandOf(args []string) string {
	for i, a := range args {
		if isDBTCommand(a) {
			if (a == "docs" || a == "source") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				return a + " " + args[i+1]
			}
			return a
		}
	}
	return ""
}

// SelectionOf returns the --select (-s, -m, --models) values of args, space-separated.
func SelectionOf(args []string) string {
	var sel []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--select" || a == "-s" || a == "-m" || a == "--models":
			for i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				sel = append(sel, args[i])
			}
		case strings.HasPrefix(a, "--select="), strings.HasPrefix(a, "--models="):
			_, v, _ := strings.Cut(a, "=")
			sel = append(sel, v)
		}
	}
	return strings.Join(sel, " ")
}

// flagValue returns the value of a --flag value / --flag=value argument.
func flagValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}

// PrepareArgs checks args against the target guard and returns what dbt is given: the args
// without any --log-format, plus `--log-format json`, plus `--target <sandbox>` when the command
// needs a target and none was named. A --target (or -t) that is not the sandbox target nor in
// datatui.yml's allowed targets is refused.
func PrepareArgs(args []string, cfg config.DBT) ([]string, error) {
	command := CommandOf(args)
	if len(args) == 0 {
		return nil, errors.New("no dbt command given (for example: build --select my_model)")
	}
	out := make([]string, 0, len(args)+4)
	hasTarget := false
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--target" || a == "-t":
			if i+1 >= len(args) {
				return nil, errors.New(a + " needs a target name")
			}
			t := args[i+1]
			if !cfg.TargetAllowed(t) {
				return nil, &TargetError{Target: t, Sandbox: cfg.Target}
			}
			hasTarget = true
			out = append(out, a, t)
			i++
		case strings.HasPrefix(a, "--target="):
			t := strings.TrimPrefix(a, "--target=")
			if !cfg.TargetAllowed(t) {
				return nil, &TargetError{Target: t, Sandbox: cfg.Target}
			}
			hasTarget = true
			out = append(out, a)
		case a == "--log-format":
			i++ // dropped with its value: datatui needs JSON
		case strings.HasPrefix(a, "--log-format="):
		default:
			out = append(out, a)
		}
	}
	if !hasTarget && needsTarget(command) && cfg.Target != "" {
		out = append(out, "--target", cfg.Target)
	}
	return append(out, "--log-format", "json"), nil
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
