package forge_test

import (
	"context"
	"errors"
	"os/exec"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/forge"
)

// gitRepo makes a repository with the given git config lines (key value).
func gitRepo(t *testing.T, config ...[2]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	run("init", "-q", "-b", "feature/x")
	for _, kv := range config {
		run("config", kv[0], kv[1])
	}
	return dir
}

// TestRepositoryChoiceLikeGh: GH_REPO, then datatui.yml, then the set-default remote, then
// upstream before origin; GH_HOST names the host an SSH alias hides.
func TestRepositoryChoiceLikeGh(t *testing.T) {
	fork := [][2]string{{"remote.origin.url", "git@github.com:ana/analytics.git"}, {"remote.upstream.url", "https://github.com/acme/analytics.git"}}
	tests := []struct {
		name   string
		env    map[string]string
		cfg    string
		config [][2]string
		want   string
		source string
	}{
		{"origin alone", nil, "", fork[:1], "github.com/ana/analytics", "git remote origin"},
		{"upstream before origin in a fork", nil, "", fork, "github.com/acme/analytics", "git remote upstream"},
		{"gh repo set-default wins over upstream", nil, "", append(fork, [2]string{"remote.origin.gh-resolved", "base"}), "github.com/ana/analytics", "git remote origin (gh repo set-default)"},
		{"older gh recorded the resolved name", nil, "", append(fork[:1:1], [2]string{"remote.origin.gh-resolved", "acme/analytics"}), "github.com/acme/analytics", "git remote origin (gh repo set-default)"},
		{"datatui.yml before the remotes", nil, "team/warehouse", fork, "github.com/team/warehouse", "datatui.yml"},
		{"GH_REPO before everything", map[string]string{"GH_REPO": "octo/other"}, "team/warehouse", fork, "github.com/octo/other", "GH_REPO"},
		{"GH_REPO with a host", map[string]string{"GH_REPO": "ghe.corp.example/data/dbt"}, "", nil, "ghe.corp.example/data/dbt", "GH_REPO"},
		{"GH_HOST for an SSH alias", map[string]string{"GH_HOST": "ghe.corp.example"}, "", [][2]string{{"remote.origin.url", "work:data/dbt.git"}}, "ghe.corp.example/data/dbt", "git remote origin"},
		{"a non-GitHub remote is skipped", nil, "", [][2]string{{"remote.backup.url", "/srv/git/x.git"}, {"remote.mirror.url", "https://github.com/acme/analytics"}}, "github.com/acme/analytics", "git remote mirror"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GH_REPO", tc.env["GH_REPO"])
			t.Setenv("GH_HOST", tc.env["GH_HOST"])
			dir := gitRepo(t, tc.config...)
			cfg := config.Default()
			cfg.GitHub.Repo = tc.cfg
			got, err := forge.ResolveTarget(context.Background(), nil, cfg, dir)
			if err != nil {
				t.Fatal(err)
			}
			if r := got.Repo.Host + "/" + got.Repo.FullName(); r != tc.want || got.Source != tc.source || got.Branch != "feature/x" {
				t.Fatalf("got %s from %q on %q, want %s from %q", r, got.Source, got.Branch, tc.want, tc.source)
			}
		})
	}
}

func TestRepositoryConfigErrors(t *testing.T) {
	t.Setenv("GH_HOST", "")
	for name, tc := range map[string]struct {
		repoEnv string
		config  [][2]string
	}{
		"no remote":        {"", nil},
		"only a local one": {"", [][2]string{{"remote.origin.url", "/srv/git/analytics.git"}}},
		"a broken GH_REPO": {"just-a-name", nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv("GH_REPO", tc.repoEnv)
			_, err := forge.ResolveTarget(context.Background(), nil, config.Default(), gitRepo(t, tc.config...))
			var ce *forge.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a ConfigError, got %v", err)
			}
		})
	}
}
