package forge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/datatui/datatui/internal/git"
)

// DirtyTreeError refuses a checkout that would carry uncommitted work onto another branch.
type DirtyTreeError struct {
	Changed []string
}

func (e *DirtyTreeError) Error() string {
	first := e.Changed[0]
	more := ""
	if len(e.Changed) > 1 {
		more = fmt.Sprintf(" and %d more", len(e.Changed)-1)
	}
	return fmt.Sprintf("you have uncommitted changes (%s%s): commit or stash them first, so switching branches cannot mix them into another pull request", first, more)
}

// Checkout switches the work tree at root to the PR's head branch: it refuses when the tree
// has uncommitted changes, fetches the branch from origin, then switches to the local branch
// (creating it to track origin's when it does not exist). A branch from a fork is fetched
// through the pull request's ref. It runs git through g (nil: the git on PATH) and returns a
// sentence saying what happened.
func Checkout(ctx context.Context, g git.Runner, root string, pr PR) (string, error) {
	if pr.HeadRef == "" {
		return "", errors.New("the pull request has no head branch")
	}
	if root == "" {
		return "", errors.New("this workspace is not a git repository")
	}
	// Not trimmed: the first line's status column may start with a space (" M file").
	status, err := git.Or(g).Run(ctx, git.Cmd{Dir: root, Args: []string{"status", "--porcelain"}})
	if err != nil {
		return "", err
	}
	if len(status) > 0 {
		var changed []string
		for _, l := range strings.Split(string(status), "\n") {
			if len(l) > 3 {
				changed = append(changed, strings.TrimSpace(l[3:]))
			}
		}
		if len(changed) == 0 {
			changed = []string{"files"}
		}
		return "", &DirtyTreeError{Changed: changed}
	}
	if cur, err := git.Output(ctx, g, root, "symbolic-ref", "--quiet", "--short", "HEAD"); err == nil && cur == pr.HeadRef {
		return fmt.Sprintf("Already on %s.", pr.HeadRef), nil
	}
	branch := pr.HeadRef
	fetched := true
	if _, err := git.Output(ctx, g, root, "fetch", "--quiet", "origin", "refs/heads/"+branch+":refs/remotes/origin/"+branch); err != nil {
		// A fork's branch is not on origin; GitHub keeps every PR's head at refs/pull/N/head.
		if _, err2 := git.Output(ctx, g, root, "fetch", "--quiet", "origin", fmt.Sprintf("refs/pull/%d/head", pr.Number)); err2 != nil {
			return "", fmt.Errorf("fetching %s from origin: %v", branch, err)
		}
		fetched = false
	}
	if _, err := git.Output(ctx, g, root, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch); err == nil {
		if _, err := git.Output(ctx, g, root, "switch", "--quiet", branch); err != nil {
			return "", err
		}
		return fmt.Sprintf("Switched to %s (your local branch; pull to update it).", branch), nil
	}
	if fetched {
		if _, err := git.Output(ctx, g, root, "switch", "--quiet", "-c", branch, "--track", "origin/"+branch); err != nil {
			return "", err
		}
	} else if _, err := git.Output(ctx, g, root, "switch", "--quiet", "-c", branch, "FETCH_HEAD"); err != nil {
		return "", err
	}
	return fmt.Sprintf("Switched to a new branch %s from the pull request.", branch), nil
}
