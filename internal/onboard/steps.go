package onboard

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/redact"
)

// Step names, stable for `doctor --step`, the progress file and scripts.
const (
	StepTools      = "tools"
	StepGitHub     = "github"
	StepRepository = "repository"
	StepProfile    = "profile"
	StepWarehouse  = "warehouse"
	StepSandbox    = "sandbox"
	StepDeps       = "deps"
	StepDebug      = "debug"
	StepFirstBuild = "first-build"
	StepGuide      = "guide"
)

// dbtVersionTimeout bounds `dbt --version` inside the tools step (see checkTools).
const dbtVersionTimeout = 8 * time.Second

// GettingStartedGuide is the guide whose reading completes the last step.
const GettingStartedGuide = "getting-started"

// StepNames lists every step in order.
func StepNames() []string {
	return []string{StepTools, StepGitHub, StepRepository, StepProfile, StepWarehouse, StepSandbox, StepDeps, StepDebug, StepFirstBuild, StepGuide}
}

// Steps builds the onboarding steps for env, in the order a new contributor does them.
func Steps(env *Env) []*Step {
	return []*Step{
		{
			Name: StepTools, Title: "Install the tools",
			Explain: "git keeps the history of the project, dbt builds the models, an editor is where you change them. dbt must be a version this project supports, with the adapter for the team's warehouse.",
			Guide:   "set-up-your-environment", Anchor: "install-the-tools",
			Required: true, Timeout: 20 * time.Second,
			Check: env.checkTools,
			Fix:   env.fixTools, FixTitle: "Install dbt",
			Confirm: env.confirmInstall,
		},
		{
			Name: StepGitHub, Title: "Git identity and GitHub access",
			Explain: "Every commit carries your name and e-mail, and you open pull requests on GitHub, so git needs to know who you are and you need to be signed in with access to the team's repository.",
			Guide:   "set-up-your-environment", Anchor: "sign-in-to-github",
			Required: true, Timeout: 12 * time.Second,
			Check: env.checkGitHub,
			Fix:   env.fixGitIdentity, FixTitle: "Set your git name and e-mail",
			Fields: func() []Field {
				return []Field{
					{Key: "name", Title: "Your full name", Help: "Shown on your commits, e.g. Jane Doe"},
					{Key: "email", Title: "Your work e-mail", Help: "The e-mail of your GitHub account, so your commits are linked to you", Check: checkEmail},
				}
			},
		},
		{
			Name: StepRepository, Title: "The analytics repository",
			Explain:  "You work in your own clone of the team's repository, on a branch of your own, never directly on main.",
			Guide:    "branches-commits-and-pull-requests",
			Required: true, Timeout: 8 * time.Second,
			Check: env.checkRepository,
			Fix:   env.fixPreCommit, FixTitle: "Install the pre-commit hooks",
		},
		{
			Name: StepProfile, Title: "dbt profile for your sandbox",
			Explain: "dbt reads profiles.yml to know which warehouse to connect to and where to build. Your dev target must point at your own sandbox, so nothing you build can touch production.",
			Guide:   "set-up-your-environment", Anchor: profileAnchor(env.cfg().Onboarding.Adapter),
			Required: true, Timeout: 3 * time.Second,
			Check: env.checkProfile,
			Fix:   env.fixProfile, FixTitle: "Add your dev target to profiles.yml",
			Fields: env.profileFields, Preview: env.previewProfile,
		},
		{
			Name: StepWarehouse, Title: "Warehouse login and role",
			Explain:  "datatui and dbt log in with your profile. You should work with the contributor role: it can build in your sandbox and read production, and nothing more.",
			Guide:    "roles-and-permissions",
			Required: true, Timeout: 20 * time.Second,
			Needs: []string{StepProfile},
			Check: env.checkWarehouse,
		},
		{
			Name: StepSandbox, Title: "Your sandbox exists",
			Explain:  "Your sandbox is your own copy of the production data, cloned from the clone of prod. dbt builds your models there.",
			Guide:    "your-sandbox",
			Required: true, Timeout: 20 * time.Second,
			Needs: []string{StepWarehouse},
			Check: env.checkSandbox,
			Fix:   env.fixSandbox, FixTitle: "Create your sandbox (clone)",
		},
		{
			Name: StepDeps, Title: "dbt packages installed",
			Explain:  "The project uses dbt packages (shared macros and tests). `dbt deps` installs the versions the project pins.",
			Guide:    "running-dbt-in-your-sandbox",
			Required: true, Timeout: 3 * time.Second,
			Check: env.checkDeps,
			Fix:   env.fixDeps, FixTitle: "Run dbt deps",
		},
		{
			Name: StepDebug, Title: "dbt debug passes",
			Explain:  "`dbt debug` checks the project, the profile and the connection in one go: the last check before your first build.",
			Guide:    "running-dbt-in-your-sandbox",
			Required: true, Timeout: 60 * time.Second,
			Needs: []string{StepProfile},
			Check: env.checkDebug,
		},
		{
			Name: StepFirstBuild, Title: "Your first build",
			Explain:  "Build one small model in your sandbox: dbt runs its SQL and its tests. When this works, you are set up.",
			Guide:    GettingStartedGuide,
			Required: true, Timeout: 10 * time.Second,
			Needs: []string{StepSandbox, StepDeps, StepDebug},
			Check: env.checkFirstBuild,
			Fix:   env.fixFirstBuild, FixTitle: "Build your first model",
			Fields: env.firstBuildFields,
		},
		{
			Name: StepGuide, Title: "Read \"Getting started with dbt development\"",
			Explain:  "A short tour of how the team works: from editing a model to a merged pull request. It is marked done when you open it in the guide reader.",
			Guide:    GettingStartedGuide,
			Required: false, Timeout: time.Second,
			Check: env.checkGuide,
		},
	}
}

func (e *Env) cfg() *config.Config {
	if e.Workspace != nil && e.Workspace.Config != nil {
		return e.Workspace.Config
	}
	return config.Default()
}

func (e *Env) projectDir() string {
	if e.Workspace == nil {
		return ""
	}
	return e.Workspace.ProjectDir
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// runDBT runs dbt in the project folder without colours or usage statistics, so the output
// can be read and nothing leaves the machine but what the command itself needs. dbt is the
// one datatui runs: in the team's Docker image or through its wrapper when datatui.yml says
// so, else the dbt on PATH.
func (e *Env) runDBT(ctx context.Context, args ...string) (stdout, stderr []byte, err error) {
	quiet := []string{"DBT_USE_COLORS=false", "DBT_SEND_ANONYMOUS_USAGE_STATS=false"}
	exe := ""
	if !e.dbtElsewhere() {
		path, lerr := e.DBTPath()
		if lerr != nil {
			return nil, nil, &MissingToolError{Tool: "dbt"}
		}
		exe = path
	}
	l, lerr := ops.LaunchFor(e.cfg().DBT, exe, e.projectDir(), args, e.Environ, quiet, e.LookPath)
	if lerr != nil {
		var md *ops.MissingDockerError
		if errors.As(lerr, &md) {
			return nil, nil, &MissingToolError{Tool: md.CLI}
		}
		return nil, nil, lerr
	}
	env := append(append([]string(nil), e.Environ...), l.Env...)
	return e.Runner.Run(ctx, Command{Path: l.Path, Args: l.Args, Dir: e.projectDir(), Env: env})
}

// dbtElsewhere reports whether datatui.yml runs dbt in Docker or through a wrapper, rather
// than a dbt installed on the machine.
func (e *Env) dbtElsewhere() bool {
	d := e.cfg().DBT
	return d.Docker.Enabled() || len(d.Wrapper) > 0
}

// hasDBT reports whether the dbt datatui runs is there: docker for the team's image, the
// wrapper, or dbt on PATH.
func (e *Env) hasDBT() bool {
	d := e.cfg().DBT
	switch {
	case d.Docker.Enabled():
		return e.has(d.Docker.Executable())
	case len(d.Wrapper) > 0:
		return true
	}
	_, err := e.DBTPath()
	return err == nil
}

// adapter is the dbt adapter the team needs: datatui.yml's onboarding.adapter, else the
// type of the dev target when there is one.
func (e *Env) adapter() string {
	if a := e.cfg().Onboarding.Adapter; a != "" {
		return a
	}
	if st := e.readProjectProfile(); st.found {
		return st.t.get("type")
	}
	return ""
}

// ---- 1. tools ----

func (e *Env) checkTools(ctx context.Context) Result {
	var problems, warnings, found []string
	installable := false // a problem the fix repairs by installing dbt
	if path, err := e.LookPath("git"); err != nil {
		problems = append(problems, "git is not installed. Install it: "+e.installHint("git", ""))
	} else if out, _, err := e.Run(ctx, "", "git", "--version"); err != nil {
		problems = append(problems, fmt.Sprintf("git at %s does not run: %v", path, err))
	} else if v, err := ParseGitVersion(out); err != nil {
		problems = append(problems, err.Error())
	} else {
		found = append(found, "git "+v)
	}

	adapter := e.adapter()
	docker := e.cfg().DBT.Docker
	dockerProblem := ""
	if docker.Enabled() {
		dockerProblem = e.checkDocker(ctx, docker)
	}
	if _, err := e.DBTPath(); err != nil && !e.dbtElsewhere() {
		problems = append(problems, "dbt is not installed. Install it: "+e.dbtInstallHint(adapter))
		installable = true
	} else if dockerProblem != "" {
		problems = append(problems, dockerProblem)
	} else {
		// dbt --version asks PyPI for the latest release; offline that can hang, so it gets
		// part of the step's time and the package metadata answers when it runs out.
		budget := dbtVersionTimeout
		if dl, ok := ctx.Deadline(); ok {
			budget = min(budget, time.Until(dl)/2)
		}
		vctx, cancel := context.WithTimeout(ctx, budget)
		out, stderr, err := e.runDBT(vctx, "--version")
		timedOut := vctx.Err() != nil
		cancel()
		v, perr := ParseDBTVersion(out)
		if perr != nil && len(stderr) > 0 {
			v, perr = ParseDBTVersion(append(out, stderr...))
		}
		if timedOut && perr != nil && !e.dbtElsewhere() {
			path, _ := e.DBTPath()
			if dv, ok := dbtVersionFromDistInfo(path); ok {
				v, perr, err = dv, nil, nil
			}
		}
		switch {
		case timedOut && perr != nil:
			return unknown(strings.Join(found, ", "), "`dbt --version` did not answer in time")
		case perr != nil && err != nil:
			problems = append(problems, fmt.Sprintf("dbt is installed but `dbt --version` failed (%v): %s. Reinstall it: %s", err, firstLine(redact.String(string(stderr))), e.dbtInstallHint(adapter)))
			installable = !e.dbtElsewhere()
		case perr != nil:
			problems = append(problems, perr.Error()+". Reinstall dbt: "+e.dbtInstallHint(adapter))
			installable = !e.dbtElsewhere()
		default:
			desc := "dbt " + v.Core
			if v.Fusion {
				desc = "dbt Fusion " + v.Core
			}
			if docker.Enabled() {
				desc += " in " + docker.Image
			}
			if adapter != "" && !v.Fusion {
				if pv, ok := v.Plugins[adapter]; ok {
					desc += fmt.Sprintf(" (%s %s)", adapter, pv)
				} else {
					problems = append(problems, fmt.Sprintf("dbt has no %s adapter (installed: %s). Install it: %s", adapter, pluginList(v.Plugins), e.dbtInstallHint(adapter)))
					installable = !e.dbtElsewhere()
				}
			}
			found = append(found, desc)
			if vp := e.versionProblems(v.Core); len(vp) > 0 {
				problems = append(problems, vp...)
				installable = installable || !e.dbtElsewhere()
			}
		}
	}

	editor := e.Getenv("VISUAL")
	if editor == "" {
		editor = e.Getenv("EDITOR")
	}
	if editor == "" {
		for _, c := range []string{"code", "cursor", "subl", "nvim", "vim", "nano"} {
			if e.has(c) {
				editor = c
				break
			}
		}
	}
	if editor == "" {
		warnings = append(warnings, "no editor found: "+e.installHint("editor", ""))
	} else {
		found = append(found, "editor "+strings.Fields(editor)[0])
	}
	for _, tool := range e.cfg().Onboarding.Tools {
		if tool == "git" || tool == "dbt" {
			continue
		}
		if e.has(tool) {
			found = append(found, tool)
		} else {
			problems = append(problems, fmt.Sprintf("%s is required by the team (datatui.yml onboarding.tools) and not installed: %s", tool, e.installHint(tool, "")))
		}
	}
	checked := strings.Join(found, ", ")
	switch {
	case len(problems) > 0:
		return failFixableIf(installable, checked, strings.Join(append(problems, warnings...), "\n"))
	case len(warnings) > 0:
		return warn(checked, strings.Join(warnings, "\n"))
	}
	return ok(checked, "all tools installed")
}

// checkDocker checks what running dbt in the team's image needs: the docker CLI, a daemon that
// answers, and the image on this machine. It returns the problem, or "".
func (e *Env) checkDocker(ctx context.Context, d config.Docker) string {
	cli := d.Executable()
	if _, err := e.LookPath(cli); err != nil {
		return fmt.Sprintf("datatui.yml runs dbt in the Docker image %s, but %s is not installed. Install Docker (https://docs.docker.com/get-docker/) or ask your data team", d.Image, cli)
	}
	if _, stderr, err := e.Run(ctx, e.projectDir(), cli, "version", "--format", "{{.Server.Version}}"); err != nil {
		return fmt.Sprintf("%s is installed but its daemon does not answer (%s): start Docker, then check again", cli, firstLine(redact.String(orText(string(stderr), err.Error()))))
	}
	if _, stderr, err := e.Run(ctx, e.projectDir(), cli, "image", "inspect", "--format", "{{.Id}}", d.Image); err != nil {
		return fmt.Sprintf("the image %s is not on this machine (%s). Fetch it: %s pull %s", d.Image, firstLine(redact.String(orText(string(stderr), err.Error()))), cli, d.Image)
	}
	return ""
}

func pluginList(p map[string]string) string {
	if len(p) == 0 {
		return "none"
	}
	return strings.Join(sortedKeys(p), ", ")
}

// versionProblems checks dbt's version against dbt_project.yml's require-dbt-version and
// datatui.yml's onboarding.dbt_version.
func (e *Env) versionProblems(v string) []string {
	var problems []string
	type req struct{ where, constraint string }
	var reqs []req
	if pf, err := dbtyaml.ReadProjectFile(e.projectDir()); err == nil && pf.RequireDBT != "" {
		reqs = append(reqs, req{"dbt_project.yml require-dbt-version", pf.RequireDBT})
	}
	if c := e.cfg().Onboarding.DBTVersion; c != "" {
		reqs = append(reqs, req{"datatui.yml onboarding.dbt_version", c})
	}
	for _, r := range reqs {
		okv, err := SatisfiesConstraint(v, r.constraint)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: %v", r.where, err))
		case !okv:
			problems = append(problems, fmt.Sprintf("dbt %s does not satisfy %s %q. Install a matching version: %s", v, r.where, r.constraint, e.dbtInstallHint(e.adapter())))
		}
	}
	return problems
}

// ---- 2. git identity and GitHub ----

func (e *Env) checkGitHub(ctx context.Context) Result {
	if !e.has("git") {
		return blockedBy(StepTools, "git is not installed")
	}
	var problems, found []string
	name := e.gitConfig(ctx, "user.name")
	email := e.gitConfig(ctx, "user.email")
	identityMissing := name == "" || email == ""
	if identityMissing {
		problems = append(problems, "git does not know who you are. Run: git config --global user.name \"Your Name\" && git config --global user.email you@example.com (or let the fix set them)")
	} else {
		found = append(found, fmt.Sprintf("git identity %s <%s>", name, email))
	}

	host := e.cfg().GitHub.Host
	if host == "" {
		host = "github.com"
	}
	token, source := e.githubToken(ctx, host)
	if token == "" {
		how := "run: gh auth login"
		if !e.has("gh") {
			how = "install the GitHub CLI (" + e.installHint("gh", "") + "), then run: gh auth login"
		}
		problems = append(problems, fmt.Sprintf("not signed in to %s: %s (or export GH_TOKEN with a personal access token)", host, how))
		return failFixableIf(identityMissing, strings.Join(found, ", "), strings.Join(problems, "\n"))
	}
	found = append(found, "signed in to "+host+" ("+source+")")

	repo := e.cfg().GitHub.Repo
	if repo == "" {
		if remote := e.gitRemote(ctx); remote != "" {
			repo = repoFromRemote(remote)
		}
	}
	switch {
	case e.Workspace != nil && e.Workspace.Demo:
		found = append(found, "repository not checked: the demo's "+repo+" is an example")
	case repo == "":
		problems = append(problems, "no GitHub repository to check: set github.repo in datatui.yml or add an origin remote")
	default:
		status, err := e.canReadRepo(ctx, host, repo, token)
		switch {
		case err != nil:
			if p, ok := Explain(err); ok && len(problems) == 0 {
				r := unknown(strings.Join(found, ", "), fmt.Sprintf("Could not check access to %s. %s", repo, p.Sentence))
				r.Raw, r.Guide, r.Anchor = redact.String(err.Error()), p.Guide, p.Anchor
				return r
			}
			if len(problems) == 0 {
				return unknown(strings.Join(found, ", "), fmt.Sprintf("could not check access to %s: %v", repo, err))
			}
			problems = append(problems, fmt.Sprintf("could not check access to %s: %v", repo, err))
		case status == 200:
			found = append(found, "can read "+repo)
		case status == 401:
			p, _ := Explain(&HTTPStatusError{Service: "GitHub", Code: status})
			problems = append(problems, fmt.Sprintf("%s (the token came from %s)", p.Sentence, source))
		case status == 403 || status == 404:
			problems = append(problems, fmt.Sprintf("you cannot see %s on %s: ask the data team to add your GitHub account to the repository", repo, host))
		default:
			problems = append(problems, fmt.Sprintf("GitHub answered %d for %s", status, repo))
		}
	}
	if len(problems) > 0 {
		return failFixableIf(identityMissing, strings.Join(found, ", "), strings.Join(problems, "\n"))
	}
	return ok(strings.Join(found, ", "), "git identity set, signed in to GitHub")
}

func (e *Env) gitConfig(ctx context.Context, key string) string {
	out, _, err := e.Run(ctx, e.projectDir(), "git", "config", "--get", key)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func (e *Env) gitRemote(ctx context.Context) string {
	out, _, err := e.Run(ctx, e.projectDir(), "git", "remote", "get-url", "origin")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// checkEmail accepts one plain e-mail address (what git config user.email holds).
func checkEmail(v string) error {
	v = strings.TrimSpace(v)
	a, err := mail.ParseAddress(v)
	if err != nil || a.Address != v || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		return fmt.Errorf("%q is not an e-mail address: write it as name@example.com", v)
	}
	return nil
}

func (e *Env) fixGitIdentity(ctx context.Context, in Input) error {
	name, email := strings.TrimSpace(in["name"]), strings.TrimSpace(in["email"])
	if name == "" {
		return errors.New("enter your name")
	}
	if err := checkEmail(email); err != nil {
		return err
	}
	for _, kv := range [][2]string{{"user.name", name}, {"user.email", email}} {
		if _, stderr, err := e.Run(ctx, e.projectDir(), "git", "config", "--global", kv[0], kv[1]); err != nil {
			return fmt.Errorf("git config --global %s: %v %s", kv[0], err, strings.TrimSpace(string(stderr)))
		}
	}
	return nil
}

// ---- 3. repository ----

func (e *Env) checkRepository(ctx context.Context) Result {
	ws := e.Workspace
	if ws == nil {
		return fail("", "no dbt project found: run datatui inside your clone of the analytics repository")
	}
	want := e.cfg().GitHub.Repo
	cloneHint := "clone it: gh repo clone " + orText(want, "<owner>/<repo>")
	if !ws.InGit {
		return fail(ws.ProjectDir, ws.ProjectDir+" is not a git clone. "+cloneHint)
	}
	if !e.has("git") {
		r := blockedBy(StepTools, "git is not installed")
		r.Checked = ws.Root
		return r
	}
	var problems, found []string
	found = append(found, "clone at "+ws.Root)
	remote := e.gitRemote(ctx)
	switch {
	case remote == "":
		problems = append(problems, "the clone has no origin remote. "+cloneHint)
	case want != "" && !strings.EqualFold(repoFromRemote(remote), want):
		problems = append(problems, fmt.Sprintf("origin is %s, not the team's repository %s. %s", redact.String(remote), want, cloneHint))
	default:
		found = append(found, "origin "+redact.String(remote))
	}
	out, _, err := e.Run(ctx, ws.Root, "git", "symbolic-ref", "--short", "-q", "HEAD")
	branch := strings.TrimSpace(string(out))
	var notes []string
	switch {
	case err != nil || branch == "":
		problems = append(problems, "HEAD is detached (not on a branch): git switch -c <your-name>/<change>")
	case branch == e.cfg().GitHub.BaseBranch:
		found = append(found, "on "+branch)
		notes = append(notes, fmt.Sprintf("you are on %s: make a branch before you change models (git switch -c <your-name>/<change>)", branch))
	default:
		found = append(found, "on branch "+branch)
	}
	hooksMissing := false
	if fileExists(filepath.Join(ws.Root, ".pre-commit-config.yaml")) {
		hookOut, _, err := e.Run(ctx, ws.Root, "git", "rev-parse", "--git-path", "hooks/pre-commit")
		hook := strings.TrimSpace(string(hookOut))
		if hook != "" && !filepath.IsAbs(hook) {
			hook = filepath.Join(ws.Root, hook)
		}
		if err != nil || hook == "" || !fileExists(hook) {
			problems = append(problems, "the repository uses pre-commit hooks and they are not installed: run pre-commit install")
			hooksMissing = true
		} else {
			found = append(found, "pre-commit hooks installed")
		}
	}
	if len(problems) > 0 {
		return failFixableIf(hooksMissing, strings.Join(found, ", "), strings.Join(problems, "\n"))
	}
	if len(notes) > 0 {
		return ok(strings.Join(found, ", "), strings.Join(notes, "\n"))
	}
	return ok(strings.Join(found, ", "), "cloned, remote correct, on a branch")
}

func (e *Env) fixPreCommit(ctx context.Context, _ Input) error {
	if e.Workspace == nil || !fileExists(filepath.Join(e.Workspace.Root, ".pre-commit-config.yaml")) {
		return errors.New("nothing to fix here: the repository does not use pre-commit hooks; the other problems need you (see the detail)")
	}
	if !e.has("pre-commit") {
		return fmt.Errorf("pre-commit is not installed: %s", e.installHint("pre-commit", ""))
	}
	if _, stderr, err := e.Run(ctx, e.Workspace.Root, "pre-commit", "install"); err != nil {
		return fmt.Errorf("pre-commit install: %v %s", err, firstLine(string(stderr)))
	}
	return nil
}

func failFixableIf(fix bool, checked, detail string) Result {
	r := fail(checked, detail)
	r.Fixable = fix
	return r
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// repoFromRemote reads owner/name from a GitHub remote URL in any form git accepts.
func repoFromRemote(remote string) string {
	r := strings.TrimSpace(remote)
	r = strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		}
	} else if i := strings.IndexByte(r, ':'); i >= 0 {
		r = r[i+1:]
	}
	parts := strings.Split(r, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}
