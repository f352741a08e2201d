package forge

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/git"
)

// Target is what a refresh needs to know about the workspace: the repository, the current
// branch and the team's settings.
type Target struct {
	Repo Repo
	// Source says where the repository came from: "GH_REPO", "datatui.yml", "git remote upstream"…
	Source         string
	Branch         string
	BaseBranch     string
	RequiredChecks []string
}

// ConfigError means datatui cannot tell which repository (or host) to ask: only the person can
// fix it, so it is never retried on a timer, and `pr status` gives it an exit code of its own.
type ConfigError struct{ Reason string }

func (e *ConfigError) Error() string {
	return "cannot tell which GitHub repository this is: " + e.Reason
}

// Environment variables gh reads, read the same way.
const (
	EnvRepo = "GH_REPO"
	EnvHost = "GH_HOST"
)

// ResolveTarget finds the repository the way gh does — GH_REPO first, then datatui.yml's
// github.repo (the team's own answer), then the git remote `gh repo set-default` marked
// (remote.<name>.gh-resolved), then upstream before origin (a fork's clone has both, and pull
// requests live upstream), then any other remote — and the current branch of the work tree at
// root (empty when detached or not a git repository). GH_HOST is the host when neither GH_REPO
// nor the remote names a real one. git runs through g (nil: the git on PATH).
func ResolveTarget(ctx context.Context, g git.Runner, cfg *config.Config, root string) (Target, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	t := Target{BaseBranch: orDefault(cfg.GitHub.BaseBranch, "main"), RequiredChecks: cfg.GitHub.RequiredChecks}
	host := orDefault(strings.TrimSpace(os.Getenv(EnvHost)), cfg.GitHub.Host)
	hasGit := false
	if root != "" {
		b, err := git.Output(ctx, g, root, "symbolic-ref", "--quiet", "--short", "HEAD")
		hasGit = !errors.Is(err, git.ErrNotInstalled)
		if err == nil {
			t.Branch = b
		}
	}
	if v := strings.TrimSpace(os.Getenv(EnvRepo)); v != "" {
		r, err := parseRepoWithHost(v, host)
		if err != nil {
			return t, &ConfigError{Reason: fmt.Sprintf("%s=%q: %v (use OWNER/REPO or HOST/OWNER/REPO)", EnvRepo, v, err)}
		}
		t.Repo, t.Source = r, EnvRepo
		return t, nil
	}
	if cfg.GitHub.Repo != "" {
		r, err := ParseRepo(host, cfg.GitHub.Repo)
		if err != nil {
			return t, &ConfigError{Reason: fmt.Sprintf("datatui.yml github.repo: %v", err)}
		}
		t.Repo, t.Source = r, config.FileName
		return t, nil
	}
	if !hasGit {
		return t, &ConfigError{Reason: "set github.repo (owner/name) in datatui.yml, or export GH_REPO=owner/name"}
	}
	remotes, err := readRemotes(ctx, g, root)
	if err != nil {
		return t, &ConfigError{Reason: fmt.Sprintf("%v: set github.repo in datatui.yml, or export GH_REPO", err)}
	}
	r, name, err := chooseRemote(remotes, host)
	if err != nil {
		return t, &ConfigError{Reason: err.Error() + ": set github.repo in datatui.yml, or export GH_REPO=owner/name"}
	}
	t.Repo, t.Source = r, "git remote "+name
	return t, nil
}

// parseRepoWithHost reads GH_REPO's [HOST/]OWNER/REPO.
func parseRepoWithHost(v, host string) (Repo, error) {
	parts := strings.Split(strings.Trim(v, "/"), "/")
	switch len(parts) {
	case 2:
		return ParseRepo(host, v)
	case 3:
		return ParseRepo(strings.ToLower(parts[0]), parts[1]+"/"+parts[2])
	}
	if strings.Contains(v, "://") || strings.Contains(v, "@") {
		return ParseRemote(v)
	}
	return Repo{}, fmt.Errorf("not OWNER/REPO")
}

// remote is one git remote: its URL and what `gh repo set-default` recorded for it.
type remote struct {
	name, url, resolved string
}

// readRemotes lists the remotes with one git call.
func readRemotes(ctx context.Context, g git.Runner, root string) ([]remote, error) {
	out, err := git.Output(ctx, g, root, "config", "--get-regexp", `^remote\..*\.(url|gh-resolved)$`)
	if err != nil {
		// git config exits 1 when nothing matches: there is no remote at all.
		return nil, fmt.Errorf("the repository has no git remote")
	}
	byName := map[string]*remote{}
	var order []string
	for _, line := range strings.Split(out, "\n") {
		key, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		key = strings.TrimPrefix(key, "remote.")
		dot := strings.LastIndex(key, ".")
		if dot <= 0 {
			continue
		}
		name, field := key[:dot], key[dot+1:]
		r := byName[name]
		if r == nil {
			r = &remote{name: name}
			byName[name] = r
			order = append(order, name)
		}
		switch field {
		case "url":
			if r.url == "" { // the first url is the one git fetches from
				r.url = strings.TrimSpace(value)
			}
		case "gh-resolved":
			r.resolved = strings.TrimSpace(value)
		}
	}
	out2 := make([]remote, 0, len(order))
	for _, n := range order {
		out2 = append(out2, *byName[n])
	}
	return out2, nil
}

// chooseRemote applies gh's order: the set-default remote, upstream, github, origin, then
// the others by name.
func chooseRemote(remotes []remote, host string) (Repo, string, error) {
	rank := func(name string) int {
		switch name {
		case "upstream":
			return 0
		case "github":
			return 1
		case "origin":
			return 2
		}
		return 3
	}
	slices.SortStableFunc(remotes, func(a, b remote) int {
		if ra, rb := rank(a.name), rank(b.name); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.name, b.name)
	})
	var firstErr error
	var parsed []struct {
		r    remote
		repo Repo
	}
	for _, rm := range remotes {
		repo, err := ParseRemote(rm.url)
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if !strings.Contains(repo.Host, ".") || (host != "" && host != "github.com" && repo.Host != host) {
			// An SSH alias (github-work:org/repo) names no real host: GH_HOST or the config says.
			repo.Host = orDefault(host, "github.com")
		}
		parsed = append(parsed, struct {
			r    remote
			repo Repo
		}{rm, repo})
	}
	for _, p := range parsed {
		switch res := p.r.resolved; {
		case res == "base":
			return p.repo, p.r.name + " (gh repo set-default)", nil
		case strings.Contains(res, "/"):
			if r, err := ParseRepo(p.repo.Host, res); err == nil {
				return r, p.r.name + " (gh repo set-default)", nil
			}
		}
	}
	if len(parsed) > 0 {
		return parsed[0].repo, parsed[0].r.name, nil
	}
	if firstErr != nil {
		return Repo{}, "", firstErr
	}
	return Repo{}, "", fmt.Errorf("the repository has no git remote")
}
