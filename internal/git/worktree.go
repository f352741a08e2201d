package git

import (
	"context"
	"fmt"
	"strings"
)

// DirtyTreeError refuses a branch switch that would carry uncommitted work onto another
// branch (and so into another pull request).
type DirtyTreeError struct {
	// Changed are the paths git status lists, in its order.
	Changed []string
}

func (e *DirtyTreeError) Error() string {
	first := "files"
	if len(e.Changed) > 0 {
		first = e.Changed[0]
	}
	more := ""
	if len(e.Changed) > 1 {
		more = fmt.Sprintf(" and %d more", len(e.Changed)-1)
	}
	return fmt.Sprintf("you have uncommitted changes (%s%s): commit or stash them first, so switching branches cannot mix them into another pull request", first, more)
}

// Changed lists the paths with uncommitted changes in the work tree at root (untracked files
// included), as `git status --porcelain` names them.
func Changed(ctx context.Context, r Runner, root string) ([]string, error) {
	// Not trimmed: the first line's status column may start with a space (" M file").
	out, err := Or(r).Run(ctx, Cmd{Dir: root, Args: []string{"status", "--porcelain"}})
	if err != nil {
		return nil, err
	}
	var changed []string
	for _, l := range strings.Split(string(out), "\n") {
		if len(l) > 3 {
			changed = append(changed, strings.TrimSpace(l[3:]))
		}
	}
	if len(changed) == 0 && len(strings.TrimSpace(string(out))) > 0 {
		changed = []string{"files"}
	}
	return changed, nil
}

// RequireClean returns a *DirtyTreeError when the work tree at root has uncommitted changes.
func RequireClean(ctx context.Context, r Runner, root string) error {
	changed, err := Changed(ctx, r, root)
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		return &DirtyTreeError{Changed: changed}
	}
	return nil
}

// CurrentBranch is the branch HEAD is on ("" on a detached HEAD).
func CurrentBranch(ctx context.Context, r Runner, root string) string {
	b, err := Output(ctx, r, root, "symbolic-ref", "--quiet", "--short", "HEAD")
	if err != nil {
		return ""
	}
	return b
}

// BranchExists says whether the local branch name exists.
func BranchExists(ctx context.Context, r Runner, root, name string) bool {
	_, err := Output(ctx, r, root, "rev-parse", "--verify", "--quiet", "refs/heads/"+name)
	return err == nil
}

// WorktreeOf is the folder of the work tree that has branch checked out ("" when none does),
// from `git worktree list --porcelain`.
func WorktreeOf(ctx context.Context, r Runner, root, branch string) string {
	out, err := Or(r).Run(ctx, Cmd{Dir: root, Args: []string{"worktree", "list", "--porcelain"}})
	if err != nil {
		return ""
	}
	dir := ""
	for _, l := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(l, "worktree "):
			dir = strings.TrimPrefix(l, "worktree ")
		case l == "branch refs/heads/"+branch:
			return dir
		}
	}
	return ""
}
