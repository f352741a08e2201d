package onboard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/redact"
)

// installHint returns the exact command that installs tool on this OS, given which Python
// installers are present. dbt is installed through uv, pipx or a virtual environment of
// datatui's, in that order of preference, because those keep dbt apart from other Python
// software.
func (e *Env) installHint(tool, adapter string) string {
	switch tool {
	case "git":
		switch e.GOOS {
		case "darwin":
			return "xcode-select --install"
		case "windows":
			return "winget install --id Git.Git -e"
		default:
			return "sudo apt install git"
		}
	case "gh":
		switch e.GOOS {
		case "darwin":
			return "brew install gh"
		case "windows":
			return "winget install --id GitHub.cli -e"
		default:
			return "sudo apt install gh"
		}
	case "dbt":
		return e.dbtInstallHint(adapter)
	case "uv":
		switch e.GOOS {
		case "darwin":
			return "brew install uv"
		case "windows":
			return "winget install --id astral-sh.uv -e"
		default:
			return "curl -LsSf https://astral.sh/uv/install.sh | sh"
		}
	case "pre-commit":
		if _, err := e.LookPath("uv"); err == nil {
			return "uv tool install pre-commit"
		}
		return "pipx install pre-commit"
	case "code", "editor":
		return "set $EDITOR to your editor (for example: export EDITOR=\"code --wait\")"
	}
	return fmt.Sprintf("install %s and make sure it is on your PATH", tool)
}

// dbtInstallHint says how to install dbt: the fix does it, and the commands it runs.
func (e *Env) dbtInstallHint(adapter string) string {
	plan, err := e.planDBTInstall(adapter)
	if err != nil {
		return err.Error()
	}
	return "the fix runs " + plan.Describe()
}

func (e *Env) has(tool string) bool {
	_, err := e.LookPath(tool)
	return err == nil
}

// Installers, in the order they are preferred.
const (
	InstallerUV   = "uv"
	InstallerPipx = "pipx"
	InstallerVenv = "venv"
)

// DBTInstall is how datatui installs dbt for the user: the commands, exactly as they run.
type DBTInstall struct {
	// Installer is uv, pipx or venv (a virtual environment in datatui's data folder).
	Installer string
	// Adapter is the dbt adapter installed with dbt-core, and AdapterFrom where it was read.
	Adapter, AdapterFrom string
	// Plugin is the adapter's Python package (dbt-snowflake).
	Plugin string
	// Core is the dbt-core requirement ("dbt-core==1.9.4", "dbt-core>=1.8.0,<2.0.0").
	Core string
	// Commands run one after the other; the first that fails stops the install.
	Commands []Command
}

// Describe is the commands as a person would type them, joined by "&&".
func (p DBTInstall) Describe() string {
	parts := make([]string, len(p.Commands))
	for i, c := range p.Commands {
		parts[i] = c.String()
	}
	return strings.Join(parts, " && ")
}

// String is the command as typed in a shell, its arguments quoted where a shell needs it.
func (c Command) String() string {
	words := append([]string{c.Path}, c.Args...)
	for i, w := range words {
		if w == "" || strings.ContainsAny(w, " \t\n'\"\\$`<>|&;()*?[]{}!#~=") && !plainArgRe.MatchString(w) {
			words[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
	}
	return strings.Join(words, " ")
}

// plainArgRe matches a requirement such as dbt-core==1.9.4, which a shell takes as it is.
var plainArgRe = lazyre.New(`^[A-Za-z0-9._/:-]+(==[A-Za-z0-9.]+)?$`)

// PlanDBTInstall says how the tools step's fix would install dbt here.
func (e *Env) PlanDBTInstall() (DBTInstall, error) { return e.planDBTInstall(e.adapter()) }

func (e *Env) planDBTInstall(adapter string) (DBTInstall, error) {
	p := DBTInstall{Adapter: adapter, AdapterFrom: "the type of your profile's dev target"}
	if a := e.cfg().Onboarding.Adapter; a != "" && a == adapter {
		p.AdapterFrom = "datatui.yml onboarding.adapter"
	}
	if p.Adapter == "" {
		if d := e.engines().Default(); d != nil {
			p.Adapter = d.Type
		}
		p.AdapterFrom = "the team's warehouse (no profile yet to read it from)"
		if e.Workspace != nil && e.Workspace.Demo {
			p.Adapter, p.AdapterFrom = "duckdb", "the demo's local DuckDB warehouse"
		}
	}
	if !adapterRe.MatchString(p.Adapter) {
		return p, fmt.Errorf("the adapter %q is not a dbt adapter name", p.Adapter)
	}
	core, err := e.coreRequirement()
	if err != nil {
		return p, err
	}
	p.Core = core
	// The engine names its adapter's package; for a type datatui has no engine for, dbt's
	// own naming rule (dbt-<type>) still installs the adapter dbt needs.
	plugin := "dbt-" + p.Adapter
	if eng, err := e.engines().Lookup(p.Adapter); err == nil && eng.Adapter != "" {
		plugin = eng.Adapter
	}
	p.Plugin = plugin
	switch {
	case e.has("uv"):
		p.Installer = InstallerUV
		p.Commands = []Command{{Path: "uv", Args: []string{"tool", "install", core, "--with", plugin}}}
	case e.has("pipx"):
		p.Installer = InstallerPipx
		p.Commands = []Command{
			{Path: "pipx", Args: []string{"install", core}},
			{Path: "pipx", Args: []string{"inject", "dbt-core", plugin}},
		}
	default:
		python := ""
		for _, name := range []string{"python3", "python"} {
			if e.has(name) {
				python = name
				break
			}
		}
		venv := ops.ManagedVenv(e.Getenv)
		if python == "" || venv == "" {
			return p, fmt.Errorf("datatui installs dbt with uv, pipx or Python's venv, and none is here: install uv (%s), then check again", e.installHint("uv", ""))
		}
		p.Installer = InstallerVenv
		// The venv's own python runs pip: never the system pip, never pip install --user,
		// which current Debian and Ubuntu refuse (PEP 668).
		venvPython := filepath.Join(venv, "bin", "python")
		if e.GOOS == "windows" {
			venvPython = filepath.Join(venv, "Scripts", "python.exe")
		}
		p.Commands = []Command{
			{Path: python, Args: []string{"-m", "venv", venv}},
			{Path: venvPython, Args: []string{"-m", "pip", "install", core, plugin}},
		}
	}
	return p, nil
}

var (
	adapterRe    = lazyre.New(`^[a-z][a-z0-9_-]*$`)
	bareVersion  = lazyre.New(`^[0-9]+(\.[0-9]+)*([a-z]+[0-9]*)?$`)
	clauseOpRe   = lazyre.New(`^(>=|<=|==|!=|~=|>|<)\s*[0-9][0-9a-z.]*$`)
	requireSpace = lazyre.New(`\s+`)
)

// coreRequirement is the dbt-core requirement from datatui.yml's onboarding.dbt_version (a
// version, or a constraint pip reads as it is), else dbt_project.yml's require-dbt-version.
func (e *Env) coreRequirement() (string, error) {
	c := strings.TrimSpace(e.cfg().Onboarding.DBTVersion)
	where := "datatui.yml onboarding.dbt_version"
	if c == "" {
		if pf, err := dbtyaml.ReadProjectFile(e.projectDir()); err == nil && pf.RequireDBT != "" {
			c, where = pf.RequireDBT, "dbt_project.yml require-dbt-version"
		}
	}
	if c == "" {
		return "dbt-core", nil
	}
	if bareVersion.MatchString(c) {
		return "dbt-core==" + c, nil
	}
	var clauses []string
	for _, cl := range strings.Split(c, ",") {
		cl = requireSpace.ReplaceAllString(strings.TrimSpace(cl), "")
		if cl == "" {
			continue
		}
		if !clauseOpRe.MatchString(cl) {
			return "", fmt.Errorf("%s %q is not a version or a constraint like >=1.8.0,<2.0.0", where, c)
		}
		clauses = append(clauses, cl)
	}
	return "dbt-core" + strings.Join(clauses, ","), nil
}

// outputKey carries the function a long fix streams its output lines to.
type outputKey struct{}

// WithOutput returns a context whose fixes stream each line of their output to line (an
// install's progress, a build's). line may be called from several goroutines, one at a time.
func WithOutput(ctx context.Context, line func(string)) context.Context {
	var mu sync.Mutex
	return context.WithValue(ctx, outputKey{}, func(s string) {
		mu.Lock()
		defer mu.Unlock()
		line(s)
	})
}

// Output is the line function of ctx (one that drops the lines when there is none).
func Output(ctx context.Context) func(string) {
	if f, ok := ctx.Value(outputKey{}).(func(string)); ok {
		return f
	}
	return func(string) {}
}

// installTail is how many lines of a failed command's output the error keeps.
const installTail = 40

// fixTools installs dbt (the only tool datatui installs) with the plan shown to the user,
// streaming the installers' output, and stops at the first command that fails with its
// output in the error.
func (e *Env) fixTools(ctx context.Context, _ Input) error {
	if e.dbtElsewhere() {
		return errors.New("datatui.yml runs dbt in Docker or through the team's wrapper: there is no dbt to install here")
	}
	plan, err := e.PlanDBTInstall()
	if err != nil {
		return err
	}
	out := Output(ctx)
	for _, c := range plan.Commands {
		out("$ " + c.String())
		path := c.Path
		if !filepath.IsAbs(path) {
			if path, err = e.LookPath(c.Path); err != nil {
				return &MissingToolError{Tool: c.Path}
			}
		}
		var tail []string
		keep := func(l string) {
			l = redact.String(l)
			out(l)
			tail = append(tail, l)
			if len(tail) > installTail {
				tail = tail[1:]
			}
		}
		if err := streamCommand(ctx, Command{Path: path, Args: c.Args, Dir: e.Home(), Env: e.Environ}, keep); err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("%s: cancelled", c.String())
			}
			return fmt.Errorf("%s failed (%v):\n%s", c.String(), err, strings.Join(tail, "\n"))
		}
	}
	if _, err := e.DBTPath(); err != nil {
		// uv and pipx put dbt in a bin folder of their own, which may not be on PATH yet.
		hint := "pipx ensurepath"
		if plan.Installer == InstallerUV {
			hint = "uv tool update-shell"
		}
		return fmt.Errorf("%s installed dbt, but its folder is not on your PATH: run %s, open a new terminal and start datatui again", plan.Installer, hint)
	}
	return nil
}

// streamCommand runs c and hands each line of its output (stdout and stderr, as they come) to
// line.
func streamCommand(ctx context.Context, c Command, line func(string)) error {
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	cmd.WaitDelay = 2 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		pw.Close()
		return err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			// Installers redraw progress bars with carriage returns: the last frame counts.
			l := sc.Text()
			if i := strings.LastIndexByte(strings.TrimRight(l, "\r"), '\r'); i >= 0 {
				l = l[i+1:]
			}
			line(strings.TrimRight(l, "\r"))
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Wait()
	pw.Close()
	<-done
	return err
}

// DBTPath is the dbt datatui runs on this machine: dbt on PATH, else the one onboarding
// installed in datatui's virtual environment (ops.FindDBT finds the same one).
func (e *Env) DBTPath() (string, error) {
	if p, err := e.LookPath("dbt"); err == nil {
		return p, nil
	}
	if p := ops.ManagedDBT(e.Getenv, e.GOOS); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() && (e.GOOS == "windows" || st.Mode().Perm()&0o111 != 0) {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// confirmInstall is the question before the install: the commands, and where dbt ends up.
func (e *Env) confirmInstall() (Confirmation, error) {
	plan, err := e.PlanDBTInstall()
	if err != nil {
		return Confirmation{}, err
	}
	c := Confirmation{Title: "Install dbt with " + plan.Installer + "?", Verb: "install"}
	c.Lines = append(c.Lines, fmt.Sprintf("%s with the %s adapter (from %s). datatui will run:", plan.Core, plan.Adapter, plan.AdapterFrom))
	for _, cmd := range plan.Commands {
		c.Lines = append(c.Lines, "  "+cmd.String())
	}
	if plan.Installer == InstallerVenv {
		c.Lines = append(c.Lines, "The virtual environment is datatui's own: datatui runs the dbt in it; nothing else on your machine changes.")
	} else {
		c.Lines = append(c.Lines, plan.Installer+" keeps dbt apart from your other Python software.")
	}
	return c, nil
}
