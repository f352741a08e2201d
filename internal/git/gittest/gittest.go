// Package gittest is a git.Runner for tests: it answers only the invocations a test expects,
// with the exact argv, and replays the output recorded for each. An unexpected invocation
// fails the test with its argv; an expectation left unused fails it at cleanup.
package gittest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/datatui/datatui/internal/git"
)

// Fake is a git.Runner that replays expected invocations.
type Fake struct {
	t       testing.TB
	mu      sync.Mutex
	expects []*Call
	calls   []git.Cmd
	missing bool
}

// Call is one expected invocation and its answer.
type Call struct {
	dir    string
	args   []string
	stdout string
	stderr string
	code   int
	times  int // 0: any number of times (at least once)
	used   int
}

// New returns a Fake whose unused expectations fail t when the test ends.
func New(t testing.TB) *Fake {
	f := &Fake{t: t}
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, e := range f.expects {
			if e.used == 0 {
				t.Errorf("git %s was expected but never run", strings.Join(e.args, " "))
			}
		}
	})
	return f
}

// NotInstalled makes every invocation fail as if git were not on PATH.
func (f *Fake) NotInstalled() *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.missing = true
	return f
}

// Expect adds an invocation with exactly args (in any folder) that prints nothing and succeeds.
func (f *Fake) Expect(args ...string) *Call {
	c := &Call{args: args}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.expects = append(f.expects, c)
	return c
}

// In requires the invocation to run in dir.
func (c *Call) In(dir string) *Call { c.dir = dir; return c }

// Stdout sets what git prints on standard output.
func (c *Call) Stdout(s string) *Call { c.stdout = s; return c }

// Fail makes git print stderr and exit with code.
func (c *Call) Fail(code int, stderr string) *Call { c.code, c.stderr = code, stderr; return c }

// Once lets the invocation match one time only (the next identical one needs its own Expect).
func (c *Call) Once() *Call { c.times = 1; return c }

// Calls are the invocations run so far, in order.
func (f *Fake) Calls() []git.Cmd {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Run answers c from the expectations: the first unexhausted one with the same argv (and
// folder, when it names one).
func (f *Fake) Run(ctx context.Context, c git.Cmd) ([]byte, error) {
	f.t.Helper()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	if f.missing {
		return nil, git.ErrNotInstalled
	}
	for _, e := range f.expects {
		if !slices.Equal(e.args, c.Args) || (e.dir != "" && e.dir != c.Dir) || (e.times > 0 && e.used >= e.times) {
			continue
		}
		e.used++
		if e.code != 0 {
			return nil, &git.Error{Subcommand: git.Subcommand(c.Args), Stderr: strings.TrimSpace(e.stderr), Code: e.code, Err: fmt.Errorf("exit status %d", e.code)}
		}
		return []byte(e.stdout), nil
	}
	f.t.Errorf("unexpected git invocation in %s: git %s", c.Dir, strings.Join(c.Args, " "))
	return nil, &git.Error{Subcommand: git.Subcommand(c.Args), Stderr: "unexpected invocation (gittest)", Code: 128, Err: errors.New("exit status 128")}
}
