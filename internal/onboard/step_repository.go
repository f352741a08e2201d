package onboard

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/redact"
)

// repositoryStep is the onboarding step "The analytics repository" (StepRepository).
func (e *Env) repositoryStep() *Step {
	return &Step{
		Name: StepRepository, Title: "The analytics repository",
		Explain:  "You work in your own clone of the team's repository, on a branch of your own, never directly on main.",
		Guide:    "branches-commits-and-pull-requests",
		Required: true, Timeout: 8 * time.Second,
		Check: e.checkRepository,
		Fix:   e.fixPreCommit, FixTitle: "Install the pre-commit hooks",
	}
}

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
