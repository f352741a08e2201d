package onboard

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/redact"
)

// gitHubStep is the onboarding step "Git identity and GitHub access" (StepGitHub).
func (e *Env) gitHubStep() *Step {
	return &Step{
		Name: StepGitHub, Title: "Git identity and GitHub access",
		Explain: "Every commit carries your name and e-mail, and you open pull requests on GitHub, so git needs to know who you are and you need to be signed in with access to the team's repository.",
		Guide:   "set-up-your-environment", Anchor: "sign-in-to-github",
		Required: true, Timeout: 12 * time.Second,
		Check: e.checkGitHub,
		Fix:   e.fixGitIdentity, FixTitle: "Set your git name and e-mail",
		Fields: func() []Field {
			return []Field{
				{Key: "name", Title: "Your full name", Help: "Shown on your commits, e.g. Jane Doe"},
				{Key: "email", Title: "Your work e-mail", Help: "The e-mail of your GitHub account, so your commits are linked to you", Check: checkEmail},
			}
		},
	}
}

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
