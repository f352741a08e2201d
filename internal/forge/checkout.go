package forge

import (
	"context"
	"errors"
	"fmt"

	"github.com/datatui/datatui/internal/git"
)

// DirtyTreeError refuses a checkout that would carry uncommitted work onto another branch.
type DirtyTreeError = git.DirtyTreeError

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
	if err := git.RequireClean(ctx, g, root); err != nil {
		return "", err
	}
	if git.CurrentBranch(ctx, g, root) == pr.HeadRef {
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
	if git.BranchExists(ctx, g, root, branch) {
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
