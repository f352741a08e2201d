package access

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/workspace"
)

// Request is a grant request being written: the branch it goes on, the work tree it is
// written in and the place in the team's Terraform where the grant belongs.
type Request struct {
	// Branch is the request's branch; Created is set when datatui made it just now and
	// Switched when a work tree moved onto it (false: it was already there).
	Branch   string `json:"branch"`
	Created  bool   `json:"created"`
	Switched bool   `json:"switched"`
	// Base is what a new branch started from (origin's default branch, else HEAD).
	Base string `json:"base,omitempty"`
	// Dir is the work tree the request is written in: the repository itself, or — when it
	// has uncommitted changes — a folder of its own beside it (Separate), so the person's work
	// in progress stays where it is and out of the request.
	Dir      string `json:"dir"`
	Separate bool   `json:"separate"`
	// Path is the Terraform file (absolute, in Dir) and Line the line to put the cursor on;
	// Where says it the way the person reads it ("terraform/grants.tf:26").
	Path  string `json:"path"`
	Line  int    `json:"line"`
	Where string `json:"where"`
	// Message is the finding the request is for.
	Message string `json:"message"`
}

// Done says what happened to the work tree, in a sentence.
func (r Request) Done() string {
	switch {
	case r.Separate && r.Created:
		return fmt.Sprintf("Made a new branch %s (from %s) in its own folder %s, so your uncommitted changes stay where they are.", r.Branch, r.Base, r.Dir)
	case r.Separate:
		return fmt.Sprintf("The request's branch %s is in its own folder %s.", r.Branch, r.Dir)
	case r.Created:
		return fmt.Sprintf("Switched to a new branch %s (from %s).", r.Branch, r.Base)
	case r.Switched:
		return fmt.Sprintf("Switched to %s.", r.Branch)
	}
	return fmt.Sprintf("Already on %s.", r.Branch)
}

// Next is what the person does after the editor closes.
func (r Request) Next() string {
	where := "then commit it"
	if r.Separate {
		where = "then commit it there (in the request's folder)"
	}
	return fmt.Sprintf("Add the grant in %s, %s and open a pull request for the data team to review (guide: roles-and-permissions).", r.Where, where)
}

// BranchName is the branch a request for f goes on: "access/" and what is asked for, in the
// characters every git host accepts ("access/transformer-select-prod-raw-payments").
func BranchName(f tfgrants.Finding) string {
	parts := []string{f.Role, f.Need.Privilege, f.Need.Database, f.Need.Schema, f.Need.Object}
	var b strings.Builder
	for _, p := range parts {
		for _, r := range strings.ToLower(p) {
			switch {
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
				b.WriteRune(r)
			default:
				b.WriteByte('-')
			}
		}
		b.WriteByte('-')
	}
	name := strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return r == '-' }), "-")
	if len(name) > 80 {
		name = strings.TrimRight(name[:80], "-")
	}
	return "access/" + name
}

// ErrNowhereToEdit means the team's Terraform has no place for the grant yet.
var ErrNowhereToEdit = errors.New("the team's Terraform grants this role nothing yet, so there is no file to add the grant to: ask the data team where access is granted")

// StartRequest puts a work tree on the request's branch — made from origin's default branch
// when git knows it, else from HEAD — and says which line of the Terraform to edit. A clean
// repository switches to the branch, as gh's checkout does; one with uncommitted changes
// keeps them and gets the branch in a folder of its own beside it (git worktree), since the
// changes must not travel into the request's pull request and a contributor should not have
// to know git stash to ask for a grant. The caller opens the editor; nothing here writes a
// file but git's own.
func StartRequest(ctx context.Context, g git.Runner, ws *workspace.Workspace, f tfgrants.Finding) (Request, error) {
	if f.Where.File == "" {
		return Request{}, ErrNowhereToEdit
	}
	if ws == nil || ws.Root == "" || !ws.InGit {
		return Request{}, errors.New("this workspace is not a git repository, so there is no branch to ask on")
	}
	r := Request{Branch: BranchName(f), Dir: ws.Root, Line: f.Where.Line, Where: f.Where.Where(), Message: f.Message()}
	if err := r.onBranch(ctx, g, ws.Root); err != nil {
		return Request{}, err
	}
	r.Path = filepath.Join(r.Dir, filepath.FromSlash(f.Where.File))
	if _, err := os.Stat(r.Path); err != nil {
		// The file may not exist on the branch the request started from (a Terraform folder
		// added on the branch the person was on).
		return r, fmt.Errorf("%s is not on %s: %w", r.Where, r.Branch, err)
	}
	return r, nil
}

// onBranch gets a work tree onto r.Branch and sets r.Dir to it.
func (r *Request) onBranch(ctx context.Context, g git.Runner, root string) error {
	if git.CurrentBranch(ctx, g, root) == r.Branch {
		return nil
	}
	exists := git.BranchExists(ctx, g, root, r.Branch)
	if !exists {
		r.Base = baseRef(ctx, g, root)
	}
	r.Switched, r.Created = true, !exists
	err := git.RequireClean(ctx, g, root)
	var dirty *git.DirtyTreeError
	switch {
	case errors.As(err, &dirty):
		return r.inOwnFolder(ctx, g, root, exists)
	case err != nil:
		return err
	case exists:
		_, err = git.Output(ctx, g, root, "switch", "--quiet", r.Branch)
	default:
		_, err = git.Output(ctx, g, root, "switch", "--quiet", "--no-track", "-c", r.Branch, r.Base)
	}
	return err
}

// inOwnFolder puts the request's branch in a work tree of its own: the one git already has
// for it, else a new folder beside the repository named after the branch.
func (r *Request) inOwnFolder(ctx context.Context, g git.Runner, root string, exists bool) error {
	r.Separate = true
	if dir := git.WorktreeOf(ctx, g, root, r.Branch); dir != "" {
		r.Dir, r.Switched, r.Created = dir, false, false
		return nil
	}
	r.Dir = filepath.Join(filepath.Dir(root), filepath.Base(root)+"-"+strings.ReplaceAll(r.Branch, "/", "-"))
	if _, err := os.Lstat(r.Dir); err == nil {
		return fmt.Errorf("%s already exists and is not the request's work tree: move it away, or commit or stash your changes so the request can use this folder", r.Dir)
	}
	args := []string{"worktree", "add", "--quiet"}
	if exists {
		args = append(args, r.Dir, r.Branch)
	} else {
		args = append(args, "--no-track", "-b", r.Branch, r.Dir, r.Base)
	}
	_, err := git.Output(ctx, g, root, args...)
	return err
}

// baseRef is what a new request branch starts from: origin's default branch (origin/HEAD,
// else origin/main or origin/master), so the request holds the grant and nothing of the
// branch the person is on; HEAD when the repository has no such remote branch.
func baseRef(ctx context.Context, g git.Runner, root string) string {
	if base, err := git.Output(ctx, g, root, "rev-parse", "--abbrev-ref", "--verify", "--quiet", "origin/HEAD"); err == nil && base != "" {
		return base
	}
	for _, ref := range []string{"origin/main", "origin/master"} {
		if _, err := git.Output(ctx, g, root, "rev-parse", "--verify", "--quiet", "refs/remotes/"+ref); err == nil {
			return ref
		}
	}
	return "HEAD"
}
