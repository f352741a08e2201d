package forge

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
)

func git(t *testing.T, dir string, args ...string) string {
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
	git(t, base, "init", "-q", "origin")
	git(t, origin, "commit", "-q", "--allow-empty", "-m", "first")
	git(t, origin, "branch", "feature/ltv")
	git(t, base, "clone", "-q", origin, work)

	ctx := context.Background()
	pr := PR{Number: 101, HeadRef: "feature/ltv"}

	// A dirty tree is refused, and the refusal says why.
	if err := os.WriteFile(filepath.Join(work, "model.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Checkout(ctx, work, pr)
	var dirty *DirtyTreeError
	if !errors.As(err, &dirty) || !strings.Contains(err.Error(), "model.sql") || !strings.Contains(err.Error(), "commit or stash") {
		t.Fatalf("dirty tree: %v", err)
	}
	if b := git(t, work, "branch", "--show-current"); b != "main" {
		t.Fatalf("branch changed to %s", b)
	}
	os.Remove(filepath.Join(work, "model.sql"))

	msg, err := Checkout(ctx, work, pr)
	if err != nil || !strings.Contains(msg, "new branch feature/ltv") {
		t.Fatalf("checkout: %q %v", msg, err)
	}
	if b := git(t, work, "branch", "--show-current"); b != "feature/ltv" {
		t.Fatalf("on %s", b)
	}
	if msg, _ := Checkout(ctx, work, pr); !strings.Contains(msg, "Already on") {
		t.Fatalf("again: %q", msg)
	}
	git(t, work, "switch", "-q", "main")
	if msg, err := Checkout(ctx, work, pr); err != nil || !strings.Contains(msg, "your local branch") {
		t.Fatalf("existing local branch: %q %v", msg, err)
	}
	if _, err := Checkout(ctx, work, PR{Number: 9, HeadRef: "nope"}); err == nil || !strings.Contains(err.Error(), "fetching nope") {
		t.Fatalf("missing branch: %v", err)
	}
}

func TestResolveTarget(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "feature/x")
	ctx := context.Background()
	cfg := config.Default()

	if _, err := ResolveTarget(ctx, cfg, dir); err == nil || !strings.Contains(err.Error(), "github.repo") {
		t.Fatalf("no remote: %v", err)
	}
	git(t, dir, "remote", "add", "origin", "git@github-work:acme/analytics.git")
	tg, err := ResolveTarget(ctx, cfg, dir)
	if err != nil || tg.Repo != (Repo{"github.com", "acme", "analytics"}) || tg.Branch != "feature/x" || tg.BaseBranch != "main" {
		t.Fatalf("ssh alias: %+v %v", tg, err)
	}
	cfg.GitHub.Repo = "data/dbt"
	cfg.GitHub.Host = "ghe.corp.example"
	cfg.GitHub.RequiredChecks = []string{"ci"}
	tg, err = ResolveTarget(ctx, cfg, dir)
	if err != nil || tg.Repo != (Repo{"ghe.corp.example", "data", "dbt"}) || tg.RequiredChecks[0] != "ci" {
		t.Fatalf("from datatui.yml: %+v %v", tg, err)
	}
	cfg.GitHub.Repo = "nope"
	if _, err := ResolveTarget(ctx, cfg, dir); err == nil || !strings.Contains(err.Error(), "datatui.yml github.repo") {
		t.Fatalf("bad repo: %v", err)
	}
}
