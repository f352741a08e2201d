package gitstate

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/datatui/datatui/internal/git/gittest"
)

func TestParseStatus(t *testing.T) {
	out := "# branch.oid 1234\n# branch.head feature/x\n# branch.upstream origin/feature/x\n# branch.ab +2 -1\n" +
		"1 .M N... 100644 100644 100644 aaa bbb models/a.sql\n" +
		"1 A. N... 000000 100644 100644 000 ccc models/new.sql\n" +
		"2 R. N... 100644 100644 100644 ddd eee R100 models/renamed.sql\tmodels/old.sql\n" +
		"? notes.txt\n"
	got := ParseStatus([]byte(out))
	want := State{Branch: "feature/x", Upstream: "origin/feature/x", Ahead: 2, Behind: 1, Changed: []Change{
		{Path: "models/a.sql", Kind: "modified"},
		{Path: "models/new.sql", Kind: "added", Staged: true},
		{Path: "models/renamed.sql", Kind: "renamed", Staged: true},
		{Path: "notes.txt", Kind: "untracked"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseStatus:\n got %+v\nwant %+v", got, want)
	}
	if d := ParseStatus([]byte("# branch.head (detached)\n")); !d.Detached || d.Branch != "" {
		t.Fatalf("detached head not recognised: %+v", d)
	}
}

func TestReadRealRepo(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("select 1"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("add", "a.sql")
	run("commit", "-q", "-m", "first model")
	if err := os.WriteFile(filepath.Join(dir, "a.sql"), []byte("select 2"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err := Read(context.Background(), nil, dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Branch != "main" || st.Subject != "first model" || len(st.Changed) != 1 || st.Changed[0].Kind != "modified" {
		t.Fatalf("unexpected state: %+v", st)
	}
}

// TestReadThroughRunner replays git's answers: a repository without an origin still has its
// branch and last commit, and no git at all is ErrNoGit.
func TestReadThroughRunner(t *testing.T) {
	f := gittest.New(t)
	f.Expect("status", "--porcelain=v2", "--branch", "--untracked-files=normal").In("/repo").
		Stdout("# branch.oid 0123\n# branch.head feature/x\n1 .M N... 100644 100644 100644 aa bb models/a.sql\n")
	f.Expect("log", "-1", "--format=%h%x00%s%x00%cr").Stdout("0123abc\x00Add a\x002 hours ago\n")
	f.Expect("remote", "get-url", "origin").Fail(2, "error: No such remote 'origin'")
	st, err := Read(context.Background(), f, "/repo")
	if err != nil || st.Branch != "feature/x" || st.Head != "0123abc" || st.When != "2 hours ago" || st.Remote != "" ||
		len(st.Changed) != 1 || st.Changed[0].Path != "models/a.sql" {
		t.Fatalf("state %+v, err %v", st, err)
	}
	if _, err := Read(context.Background(), gittest.New(t).NotInstalled(), "/repo"); !errors.Is(err, ErrNoGit) {
		t.Fatalf("no git: %v", err)
	}
}
