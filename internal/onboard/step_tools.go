package onboard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/redact"
)

// dbtVersionTimeout bounds `dbt --version` inside the tools step (see checkTools).
const dbtVersionTimeout = 8 * time.Second

// toolsStep is the onboarding step "Install the tools" (StepTools).
func (e *Env) toolsStep() *Step {
	return &Step{
		Name: StepTools, Title: "Install the tools",
		Explain: "git keeps the history of the project, dbt builds the models, an editor is where you change them. dbt must be a version this project supports, with the adapter for the team's warehouse.",
		Guide:   "set-up-your-environment", Anchor: "install-the-tools",
		Required: true, Timeout: 20 * time.Second,
		Check: e.checkTools,
		Fix:   e.fixTools, FixTitle: "Install dbt",
		Confirm: e.confirmInstall,
	}
}

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
