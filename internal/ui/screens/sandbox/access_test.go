package sandbox

import (
	"context"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/git"
)

// TestAskForAGrant: the demo's contributor role lacks SELECT on one source table; the header
// says so, A lists it with its place in the Terraform, and enter — after saying what it does —
// puts the request on a branch of its own (in a folder beside the repository, since the demo
// has an uncommitted edit) and opens the Terraform file at that line in the editor.
func TestAskForAGrant(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	h := newHarness(t)
	if err := demo.InitGit(context.Background(), nil, h.ws.Root); err != nil {
		t.Fatal(err)
	}
	h.ws.InGit = true
	desk := &desktop.Recorder{}
	h.c.Desktop = desk
	h.start()
	if v := h.view(120, 40); !strings.Contains(v, "! TRANSFORMER lacks 1 grant the project's sources need (A: where to ask for them)") {
		t.Fatalf("header:\n%s", v)
	}
	h.key("A")
	if h.m.level != levelAccess || h.m.accList.Len() != 1 {
		t.Fatalf("access list: level %d, %d", h.m.level, h.m.accList.Len())
	}
	t.Run("access", h.d.Goldens)
	h.key("enter")
	if h.m.dialog == nil {
		t.Fatal("no confirmation before switching branches")
	}
	t.Run("confirm_request", h.d.Goldens)
	h.key("y")
	if h.m.err != nil {
		t.Fatalf("request: %v", h.m.err)
	}
	branch := "access/transformer-select-prod-raw-cashback-payouts"
	dir := filepath.Join(filepath.Dir(h.ws.Root), filepath.Base(h.ws.Root)+"-access-transformer-select-prod-raw-cashback-payouts")
	if got := desk.Edited(); !slices.Equal(got, []string{filepath.Join(dir, "terraform", "grants.tf")}) || desk.Lines()[0] != 26 {
		t.Fatalf("edited %q at %v", got, desk.Lines())
	}
	if got := git.WorktreeOf(context.Background(), nil, h.ws.Root, branch); got != dir {
		t.Errorf("the request's work tree is %q", got)
	}
	if got := git.CurrentBranch(context.Background(), nil, h.ws.Root); got != demo.Branch {
		t.Errorf("the person's work tree moved to %s", got)
	}
	h.d.Send(requestEditedMsg{req: *h.m.request})
	if s := h.lastStatus(); !strings.Contains(s, "in its own folder "+dir) || !strings.Contains(s, "then commit it there (in the request's folder) and open a pull request") {
		t.Errorf("status after the editor: %q", s)
	}
	if v := h.view(120, 40); !strings.Contains(v, "Add the grant in terraform/grants.tf:26") || !strings.Contains(v, "› SELECT    PROD.RAW.CASHBACK_PAYOUTS") {
		t.Errorf("the access list does not say what is next:\n%s", v)
	}
	h.key("esc")
	if h.m.level != levelSchemas {
		t.Errorf("esc went to level %d", h.m.level)
	}
}
