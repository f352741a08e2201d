package access

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

func TestBranchName(t *testing.T) {
	for _, tc := range []struct {
		need tfgrants.Need
		want string
	}{
		{tfgrants.Need{Privilege: "SELECT", On: "TABLE", Database: "PROD", Schema: "RAW", Object: "CASHBACK_PAYOUTS"}, "access/contributor-select-prod-raw-cashback-payouts"},
		{tfgrants.Need{Privilege: "USAGE", On: "DATABASE", Database: "RAW"}, "access/contributor-usage-raw"},
		// Quoted and odd identifiers become characters every git host accepts.
		{tfgrants.Need{Privilege: "SELECT", On: "TABLE", Database: `"Raw DB"`, Schema: "a..b", Object: "~^:?*[\\"}, "access/contributor-select-raw-db-a-b"},
		{tfgrants.Need{Privilege: "SELECT", On: "TABLE", Database: "D", Schema: "S", Object: strings.Repeat("x", 200)}, "access/contributor-select-d-s-" + strings.Repeat("x", 80-len("contributor-select-d-s-"))},
	} {
		got := BranchName(tfgrants.Finding{Role: "CONTRIBUTOR", Need: tc.need})
		if got != tc.want {
			t.Errorf("BranchName(%+v) = %q, want %q", tc.need, got, tc.want)
		}
		if out, err := exec.Command("git", "check-ref-format", "--branch", got).CombinedOutput(); err != nil {
			t.Errorf("git refuses %q: %s", got, out)
		}
	}
}

// demoFinding opens a fresh demo (a real git repository on a feature branch with an
// uncommitted edit) and returns its one missing grant.
func demoFinding(t *testing.T) (*workspace.Workspace, tfgrants.Finding) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	ws, err := demo.Open(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(context.Background(), ws, Inputs{Policy: warehouse.Policy{Sandbox: "sandbox", Prod: "prod"}})
	if err != nil || len(r.Findings) != 1 {
		t.Fatalf("findings %+v, %v", r, err)
	}
	return ws, r.Findings[0]
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := git.Output(context.Background(), nil, dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// TestRequestInItsOwnFolder: uncommitted work stays where it is, the request gets a branch
// from origin's main in a work tree beside the repository, and asking again reuses it.
func TestRequestInItsOwnFolder(t *testing.T) {
	ws, f := demoFinding(t)
	ctx := context.Background()
	before := gitOut(t, ws.Root, "status", "--porcelain")
	r, err := StartRequest(ctx, nil, ws, f)
	if err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(filepath.Dir(ws.Root), filepath.Base(ws.Root)+"-access-transformer-select-prod-raw-cashback-payouts")
	if !r.Separate || !r.Created || r.Dir != want || r.Base != "origin/main" || r.Branch != "access/transformer-select-prod-raw-cashback-payouts" {
		t.Fatalf("request %+v", r)
	}
	if r.Path != filepath.Join(want, "terraform", "grants.tf") || r.Line != f.Where.Line {
		t.Errorf("edit %s:%d", r.Path, r.Line)
	}
	if got := gitOut(t, ws.Root, "status", "--porcelain"); got != before {
		t.Errorf("the person's work tree changed:\n%s\nwas\n%s", got, before)
	}
	if got := gitOut(t, ws.Root, "symbolic-ref", "--short", "HEAD"); got != demo.Branch {
		t.Errorf("the person's branch is now %s", got)
	}
	// The request starts from main: the feature branch's commit is not in it.
	if got, main := gitOut(t, r.Dir, "rev-parse", "HEAD"), gitOut(t, ws.Root, "rev-parse", "origin/main"); got != main {
		t.Errorf("request branch at %s, origin/main at %s", got, main)
	}
	again, err := StartRequest(ctx, nil, ws, f)
	if err != nil || again.Dir != r.Dir || again.Created || again.Switched {
		t.Fatalf("asked again: %+v, %v", again, err)
	}
	if !strings.Contains(again.Done(), "in its own folder") || !strings.Contains(r.Next(), "commit it there (in the request's folder)") {
		t.Errorf("done %q next %q", again.Done(), r.Next())
	}
}

// TestRequestSwitchesACleanTree: with nothing uncommitted the repository itself moves to the
// branch, as a PR checkout does; asking again finds it already there.
func TestRequestSwitchesACleanTree(t *testing.T) {
	ws, f := demoFinding(t)
	ctx := context.Background()
	gitOut(t, ws.Root, "stash", "--include-untracked")
	r, err := StartRequest(ctx, nil, ws, f)
	if err != nil {
		t.Fatal(err)
	}
	if r.Separate || !r.Created || r.Dir != ws.Root || r.Base != "origin/main" {
		t.Fatalf("request %+v", r)
	}
	if got := gitOut(t, ws.Root, "symbolic-ref", "--short", "HEAD"); got != r.Branch {
		t.Errorf("on %s", got)
	}
	again, err := StartRequest(ctx, nil, ws, f)
	if err != nil || again.Switched || again.Done() != "Already on "+r.Branch+"." {
		t.Fatalf("asked again: %+v, %v", again, err)
	}
	// Back on the feature branch, the existing request branch is switched to, not made again.
	gitOut(t, ws.Root, "switch", "--quiet", demo.Branch)
	back, err := StartRequest(ctx, nil, ws, f)
	if err != nil || !back.Switched || back.Created {
		t.Fatalf("switching back: %+v, %v", back, err)
	}
}

// TestRequestRefusals: no place in the Terraform, a folder in the way, no git repository.
func TestRequestRefusals(t *testing.T) {
	ws, f := demoFinding(t)
	ctx := context.Background()
	nowhere := f
	nowhere.Where = tfgrants.Location{}
	if _, err := StartRequest(ctx, nil, ws, nowhere); !errors.Is(err, ErrNowhereToEdit) {
		t.Errorf("no place: %v", err)
	}
	inTheWay := filepath.Join(filepath.Dir(ws.Root), filepath.Base(ws.Root)+"-"+strings.ReplaceAll(BranchName(f), "/", "-"))
	if err := os.Mkdir(inTheWay, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := StartRequest(ctx, nil, ws, f); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("a folder in the way: %v", err)
	}
	if git.BranchExists(ctx, nil, ws.Root, BranchName(f)) {
		t.Error("a refused request left a branch behind")
	}
	plain := *ws
	plain.InGit = false
	if _, err := StartRequest(ctx, nil, &plain, f); err == nil || !strings.Contains(err.Error(), "not a git repository") {
		t.Errorf("no git: %v", err)
	}
}
