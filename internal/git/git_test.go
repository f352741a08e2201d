package git_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/git/gittest"
)

func TestSubcommand(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"status", "--porcelain"}, "status"},
		{[]string{"-C", "/x", "log", "-1"}, "log"},
		{[]string{"--git-dir=/g", "--work-tree=/w", "-c", "commit.gpgsign=false", "commit", "-m", "x"}, "commit"},
		{[]string{"--version"}, ""},
	} {
		if got := git.Subcommand(tc.args); got != tc.want {
			t.Errorf("Subcommand(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}

// TestExec runs the real git: its output, its failure as an *Error naming the subcommand with
// git's own first line, and the missing executable as ErrNotInstalled.
func TestExec(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ctx := context.Background()
	dir := t.TempDir()
	out, err := git.Output(ctx, git.System(), dir, "init", "--quiet", "--initial-branch=trunk")
	if err != nil || out != "" {
		t.Fatalf("init: %q %v", out, err)
	}
	if out, err := git.Output(ctx, nil, dir, "symbolic-ref", "--short", "HEAD"); err != nil || out != "trunk" {
		t.Fatalf("symbolic-ref = %q, %v", out, err)
	}
	_, err = git.Output(ctx, nil, dir, "rev-parse", "--verify", "no-such-ref")
	var ge *git.Error
	if !errors.As(err, &ge) || ge.Subcommand != "rev-parse" || ge.Code != 128 || !strings.HasPrefix(err.Error(), "git rev-parse: fatal:") {
		t.Fatalf("err = %#v (%v)", err, err)
	}
	_, err = git.Exec{Path: filepath.Join(dir, "no-such-git")}.Run(ctx, git.Cmd{Dir: dir, Args: []string{"status"}})
	if !errors.Is(err, git.ErrNotInstalled) {
		t.Fatalf("missing git: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := git.System().Run(cctx, git.Cmd{Dir: dir, Args: []string{"status"}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// TestExecEnvAndStdin: the caller's environment is added after datatui's own, and stdin is fed.
func TestExecEnvAndStdin(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	out, err := git.System().Run(context.Background(), git.Cmd{Dir: dir, Args: []string{"hash-object", "--stdin"}, Stdin: []byte("hello\n")})
	if err != nil || strings.TrimSpace(string(out)) != "ce013625030ba8dba906f756967f9e9ca394464a" {
		t.Fatalf("hash-object = %q, %v", out, err)
	}
	out, err = git.System().Run(context.Background(), git.Cmd{Dir: dir, Args: []string{"var", "GIT_AUTHOR_IDENT"}, Env: []string{"GIT_AUTHOR_NAME=Ana", "GIT_AUTHOR_EMAIL=ana@example.com"}})
	if err != nil || !strings.HasPrefix(string(out), "Ana <ana@example.com>") {
		t.Fatalf("var = %q, %v", out, err)
	}
}

func TestFake(t *testing.T) {
	f := gittest.New(t)
	f.Expect("status", "--porcelain").In("/repo").Stdout(" M a.sql\n")
	f.Expect("fetch", "origin").Fail(128, "fatal: could not read from remote repository\nmore")
	out, err := git.Output(context.Background(), f, "/repo", "status", "--porcelain")
	if err != nil || out != "M a.sql" {
		t.Fatalf("status = %q, %v", out, err)
	}
	_, err = git.Output(context.Background(), f, "/repo", "fetch", "origin")
	var ge *git.Error
	if !errors.As(err, &ge) || ge.Code != 128 || err.Error() != "git fetch: fatal: could not read from remote repository" {
		t.Fatalf("fetch err = %v", err)
	}
	if calls := f.Calls(); len(calls) != 2 || calls[1].Args[0] != "fetch" {
		t.Fatalf("calls = %v", calls)
	}
	missing := gittest.New(t).NotInstalled()
	if _, err := missing.Run(context.Background(), git.Cmd{Args: []string{"status"}}); !errors.Is(err, git.ErrNotInstalled) {
		t.Fatalf("not installed: %v", err)
	}
}

// TestFakeFailsTheTest: an invocation nobody expected and an expectation never used both fail
// the test that owns the fake.
func TestFakeFailsTheTest(t *testing.T) {
	rec := &recorder{TB: t}
	func() {
		inner := &cleanupTB{recorder: rec}
		f := gittest.New(inner)
		f.Expect("log", "-1")
		_, _ = f.Run(context.Background(), git.Cmd{Args: []string{"push", "--force"}})
		inner.runCleanups()
	}()
	if len(rec.errors) != 2 || !strings.Contains(rec.errors[0], "git push --force") || !strings.Contains(rec.errors[1], "git log -1 was expected") {
		t.Fatalf("errors = %q", rec.errors)
	}
}

type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, strings.TrimSpace(fmt.Sprintf(format, args...)))
}

func (r *recorder) Helper() {}

type cleanupTB struct {
	*recorder
	cleanups []func()
}

func (c *cleanupTB) Cleanup(f func()) { c.cleanups = append(c.cleanups, f) }

func (c *cleanupTB) runCleanups() {
	for i := len(c.cleanups) - 1; i >= 0; i-- {
		c.cleanups[i]()
	}
}
