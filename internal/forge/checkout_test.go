package forge

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/git/gittest"
)

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "init.defaultBranch=main"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestCheckout(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	base := t.TempDir()
	origin := filepath.Join(base, "origin")
	work := filepath.Join(base, "work")
	runGit(t, base, "init", "-q", "origin")
	runGit(t, origin, "commit", "-q", "--allow-empty", "-m", "first")
	runGit(t, origin, "branch", "feature/ltv")
	runGit(t, base, "clone", "-q", origin, work)

	ctx := context.Background()
	pr := PR{Number: 101, HeadRef: "feature/ltv"}

	// A dirty tree is refused, and the refusal says why.
	if err := os.WriteFile(filepath.Join(work, "model.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Checkout(ctx, nil, work, pr)
	var dirty *DirtyTreeError
	if !errors.As(err, &dirty) || !strings.Contains(err.Error(), "model.sql") || !strings.Contains(err.Error(), "commit or stash") {
		t.Fatalf("dirty tree: %v", err)
	}
	if b := runGit(t, work, "branch", "--show-current"); b != "main" {
		t.Fatalf("branch changed to %s", b)
	}
	os.Remove(filepath.Join(work, "model.sql"))

	msg, err := Checkout(ctx, nil, work, pr)
	if err != nil || !strings.Contains(msg, "new branch feature/ltv") {
		t.Fatalf("checkout: %q %v", msg, err)
	}
	if b := runGit(t, work, "branch", "--show-current"); b != "feature/ltv" {
		t.Fatalf("on %s", b)
	}
	if msg, _ := Checkout(ctx, nil, work, pr); !strings.Contains(msg, "Already on") {
		t.Fatalf("again: %q", msg)
	}
	runGit(t, work, "switch", "-q", "main")
	if msg, err := Checkout(ctx, nil, work, pr); err != nil || !strings.Contains(msg, "your local branch") {
		t.Fatalf("existing local branch: %q %v", msg, err)
	}
	if _, err := Checkout(ctx, nil, work, PR{Number: 9, HeadRef: "nope"}); err == nil || !strings.Contains(err.Error(), "fetching nope") {
		t.Fatalf("missing branch: %v", err)
	}
}

func TestResolveTarget(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	runGit(t, dir, "init", "-q", "-b", "feature/x")
	ctx := context.Background()
	cfg := config.Default()

	if _, err := ResolveTarget(ctx, nil, cfg, dir); err == nil || !strings.Contains(err.Error(), "github.repo") {
		t.Fatalf("no remote: %v", err)
	}
	runGit(t, dir, "remote", "add", "origin", "git@github-work:acme/analytics.git")
	tg, err := ResolveTarget(ctx, nil, cfg, dir)
	if err != nil || tg.Repo != (Repo{"github.com", "acme", "analytics"}) || tg.Branch != "feature/x" || tg.BaseBranch != "main" {
		t.Fatalf("ssh alias: %+v %v", tg, err)
	}
	cfg.GitHub.Repo = "data/dbt"
	cfg.GitHub.Host = "ghe.corp.example"
	cfg.GitHub.RequiredChecks = []string{"ci"}
	tg, err = ResolveTarget(ctx, nil, cfg, dir)
	if err != nil || tg.Repo != (Repo{"ghe.corp.example", "data", "dbt"}) || tg.RequiredChecks[0] != "ci" {
		t.Fatalf("from datatui.yml: %+v %v", tg, err)
	}
	cfg.GitHub.Repo = "nope"
	if _, err := ResolveTarget(ctx, nil, cfg, dir); err == nil || !strings.Contains(err.Error(), "datatui.yml github.repo") {
		t.Fatalf("bad repo: %v", err)
	}
}

// TestCheckoutThroughRunner replays git's answers: a modified file (whose status line starts
// with a space) is named in the refusal, and a fork's branch, missing on origin, is fetched
// through the pull request's ref and switched to from FETCH_HEAD — nothing else is run.
func TestCheckoutThroughRunner(t *testing.T) {
	ctx := context.Background()
	pr := PR{Number: 42, HeadRef: "ana/fix-ltv"}

	dirty := gittest.New(t)
	dirty.Expect("status", "--porcelain").In("/repo").Stdout(" M models/ltv.sql\n?? notes.txt\n")
	_, err := Checkout(ctx, dirty, "/repo", pr)
	var de *DirtyTreeError
	if !errors.As(err, &de) || !slices.Equal(de.Changed, []string{"models/ltv.sql", "notes.txt"}) {
		t.Fatalf("dirty: %v", err)
	}

	fork := gittest.New(t)
	fork.Expect("status", "--porcelain")
	fork.Expect("symbolic-ref", "--quiet", "--short", "HEAD").Stdout("main\n")
	fork.Expect("fetch", "--quiet", "origin", "refs/heads/ana/fix-ltv:refs/remotes/origin/ana/fix-ltv").Fail(128, "fatal: couldn't find remote ref refs/heads/ana/fix-ltv")
	fork.Expect("fetch", "--quiet", "origin", "refs/pull/42/head")
	fork.Expect("rev-parse", "--verify", "--quiet", "refs/heads/ana/fix-ltv").Fail(1, "")
	fork.Expect("switch", "--quiet", "-c", "ana/fix-ltv", "FETCH_HEAD")
	msg, err := Checkout(ctx, fork, "/repo", pr)
	if err != nil || msg != "Switched to a new branch ana/fix-ltv from the pull request." {
		t.Fatalf("fork: %q %v", msg, err)
	}
}

// TestResolveTargetWithoutGit: with no git and no configured repository the answer is the
// person's to give, said as a ConfigError; the branch is simply unknown.
func TestResolveTargetWithoutGit(t *testing.T) {
	t.Setenv(EnvRepo, "")
	t.Setenv(EnvHost, "")
	tg, err := ResolveTarget(context.Background(), gittest.New(t).NotInstalled(), config.Default(), "/repo")
	var ce *ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "github.repo") || tg.Branch != "" {
		t.Fatalf("target %+v, err %v", tg, err)
	}
}
