package gitstate

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
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
	st, err := Read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if st.Branch != "main" || st.Subject != "first model" || len(st.Changed) != 1 || st.Changed[0].Kind != "modified" {
		t.Fatalf("unexpected state: %+v", st)
	}
}
