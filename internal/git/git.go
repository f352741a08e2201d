// Package git is the one way datatui runs the git executable. Every package that needs git
// (the work tree's state, the repository's remotes, a PR checkout, what a branch changes, the
// demo's history) takes a Runner, so tests replace git with gittest.Fake, which asserts the
// exact argv and replays recorded output, instead of building repositories or putting stand-in
// scripts on PATH.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Cmd is one git invocation.
type Cmd struct {
	// Dir is the folder git runs in (its work tree, unless Args say otherwise).
	Dir string
	// Args follow the executable: global options, then the subcommand and its arguments.
	Args []string
	// Env is added to the process environment (KEY=value), after datatui's own settings.
	Env []string
	// Stdin is fed to git; nil gives it no input.
	Stdin []byte
}

// Runner runs git. Implementations must be safe to call from several goroutines.
type Runner interface {
	// Run returns git's standard output. A failure is an *Error (git ran and exited non-zero,
	// or could not start), ErrNotInstalled, or the context's error when it was cancelled.
	Run(ctx context.Context, c Cmd) ([]byte, error)
}

// ErrNotInstalled means the git executable is not on PATH.
var ErrNotInstalled = errors.New("git is not installed (not found on PATH)")

// Error is a git command that failed.
type Error struct {
	// Subcommand is the git command that failed ("status", "commit").
	Subcommand string
	// Stderr is what git said, trimmed.
	Stderr string
	// Code is git's exit status, or -1 when it did not exit by itself (it could not start,
	// or was killed).
	Code int
	// Err is the process's error (an *exec.ExitError, or why it could not start).
	Err error
}

func (e *Error) Error() string {
	msg := e.Stderr
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return "git " + e.Subcommand + ": " + msg
}

func (e *Error) Unwrap() error { return e.Err }

// Subcommand names the git command in args: the first argument that is not a global option
// (-c and -C take the next argument as their value).
func Subcommand(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-c" || a == "-C":
			i++
		case strings.HasPrefix(a, "-"):
		default:
			return a
		}
	}
	return ""
}

// Or returns r, or the system's git when r is nil: the zero value of every option struct
// that holds a Runner runs the real git.
func Or(r Runner) Runner {
	if r == nil {
		return System()
	}
	return r
}

// System is the git on PATH.
func System() Runner { return Exec{} }

// Exec runs a git executable as a child process.
type Exec struct {
	// Path is the executable; empty means "git" looked up on PATH.
	Path string
}

// Run runs git. It never takes git's optional locks (GIT_OPTIONAL_LOCKS=0): datatui reads
// while the person works in the same repository, and a background `git status` must not make
// their own git commands fail on a held index.lock.
func (x Exec) Run(ctx context.Context, c Cmd) ([]byte, error) {
	path := x.Path
	if path == "" {
		path = "git"
	}
	resolved, err := exec.LookPath(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotInstalled, err)
	}
	cmd := exec.CommandContext(ctx, resolved, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(append(os.Environ(), "GIT_OPTIONAL_LOCKS=0"), c.Env...)
	if c.Stdin != nil {
		cmd.Stdin = bytes.NewReader(c.Stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		code := -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
		return nil, &Error{Subcommand: Subcommand(c.Args), Stderr: strings.TrimSpace(errb.String()), Code: code, Err: err}
	}
	return out.Bytes(), nil
}

// Output runs git in dir and returns its standard output with surrounding space trimmed,
// for the many commands whose answer is one line.
func Output(ctx context.Context, r Runner, dir string, args ...string) (string, error) {
	out, err := Or(r).Run(ctx, Cmd{Dir: dir, Args: args})
	return strings.TrimSpace(string(out)), err
}
