// Package gitstate reads the state of a git work tree (branch, upstream, ahead/behind, changed
// files, last commit) through a git.Runner. It never writes.
package gitstate

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/git"
)

// State is a snapshot of a work tree.
type State struct {
	Branch   string   `json:"branch"`             // "" when detached
	Detached bool     `json:"detached,omitempty"` // HEAD is not on a branch
	Upstream string   `json:"upstream,omitempty"` // e.g. origin/main
	Ahead    int      `json:"ahead"`
	Behind   int      `json:"behind"`
	Changed  []Change `json:"changed,omitempty"`
	Head     string   `json:"head,omitempty"`    // short hash
	Subject  string   `json:"subject,omitempty"` // last commit's subject
	When     string   `json:"when,omitempty"`    // "3 hours ago"
	Remote   string   `json:"remote,omitempty"`  // origin URL
}

// Change is one changed path.
type Change struct {
	Path string `json:"path"`
	// Kind is modified, added, deleted, renamed, untracked or conflict.
	Kind string `json:"kind"`
	// Staged is true when the change is in the index.
	Staged bool `json:"staged,omitempty"`
}

// ErrNoGit means the git executable is not installed.
var ErrNoGit = errors.New("git is not installed (see the guide set-up-your-environment)")

// Read returns the state of the work tree at dir, asking r (nil: the git on PATH).
func Read(ctx context.Context, r git.Runner, dir string) (State, error) {
	r = git.Or(r)
	out, err := r.Run(ctx, git.Cmd{Dir: dir, Args: []string{"status", "--porcelain=v2", "--branch", "--untracked-files=normal"}})
	if errors.Is(err, git.ErrNotInstalled) {
		return State{}, ErrNoGit
	}
	if err != nil {
		return State{}, err
	}
	st := ParseStatus(out)
	if log, err := r.Run(ctx, git.Cmd{Dir: dir, Args: []string{"log", "-1", "--format=%h%x00%s%x00%cr"}}); err == nil {
		parts := strings.SplitN(strings.TrimRight(string(log), "\n"), "\x00", 3)
		if len(parts) == 3 {
			st.Head, st.Subject, st.When = parts[0], parts[1], parts[2]
		}
	}
	if url, err := git.Output(ctx, r, dir, "remote", "get-url", "origin"); err == nil {
		st.Remote = url
	}
	return st, nil
}

// ParseStatus parses `git status --porcelain=v2 --branch` output.
func ParseStatus(out []byte) State {
	var st State
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.HasPrefix(line, "# branch.head "):
			st.Branch = strings.TrimPrefix(line, "# branch.head ")
			if st.Branch == "(detached)" {
				st.Branch, st.Detached = "", true
			}
		case strings.HasPrefix(line, "# branch.upstream "):
			st.Upstream = strings.TrimPrefix(line, "# branch.upstream ")
		case strings.HasPrefix(line, "# branch.ab "):
			for _, f := range strings.Fields(strings.TrimPrefix(line, "# branch.ab ")) {
				n, _ := strconv.Atoi(f[1:])
				if f[0] == '+' {
					st.Ahead = n
				} else {
					st.Behind = n
				}
			}
		case strings.HasPrefix(line, "1 "), strings.HasPrefix(line, "2 "):
			fields := strings.SplitN(line, " ", 9)
			if len(fields) < 9 {
				continue
			}
			path := fields[8]
			if line[0] == '2' {
				// "2 XY sub mH mI mW hH hI Xscore path\torigPath": one more field.
				more := strings.SplitN(line, " ", 10)
				if len(more) == 10 {
					path = strings.SplitN(more[9], "\t", 2)[0]
				}
			}
			st.Changed = append(st.Changed, Change{Path: path, Kind: kindOf(fields[1], line[0] == '2'), Staged: fields[1][0] != '.'})
		case strings.HasPrefix(line, "u "):
			fields := strings.SplitN(line, " ", 11)
			st.Changed = append(st.Changed, Change{Path: fields[len(fields)-1], Kind: "conflict"})
		case strings.HasPrefix(line, "? "):
			st.Changed = append(st.Changed, Change{Path: strings.TrimPrefix(line, "? "), Kind: "untracked"})
		}
	}
	return st
}

func kindOf(xy string, renamed bool) string {
	if renamed {
		return "renamed"
	}
	for _, c := range xy {
		switch c {
		case 'A':
			return "added"
		case 'D':
			return "deleted"
		}
	}
	return "modified"
}
