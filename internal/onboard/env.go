package onboard

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/engines"
	"github.com/datatui/datatui/internal/workspace"
)

// Env is everything a step looks at outside the process: the workspace, the environment
// variables (HOME, PATH, tokens), the commands it runs, the clock and the network. The
// checks never read the process environment directly, so tests run them against a temporary
// HOME and a PATH of stand-in tools.
type Env struct {
	// Workspace is the repository being onboarded.
	Workspace *workspace.Workspace
	// Environ is the environment, as os.Environ returns it. Commands run with exactly this.
	Environ []string
	// GOOS picks install commands ("linux", "darwin", "windows").
	GOOS string
	// Runner runs commands (default: ExecRunner).
	Runner Runner
	// Now is the clock.
	Now func() time.Time
	// HTTP is the client for the GitHub check (default: 10 s timeout).
	HTTP *http.Client

	// Login connects to the warehouse with the dev target and says who is logged in. It is
	// provided by the warehouse layer; nil means this build cannot check it.
	Login func(ctx context.Context) (Identity, error)
	// Sandbox reports the user's sandbox (from the warehouse layer); nil: cannot check.
	Sandbox func(ctx context.Context) (SandboxInfo, error)
	// CreateSandbox creates the sandbox by cloning, through the sandbox feature's guarded
	// path; nil: this build cannot.
	CreateSandbox func(ctx context.Context) error
	// RunDBT runs a dbt command through datatui's runner (sandbox target enforced, the run
	// kept in the run history). nil: the fixes run the dbt executable directly.
	RunDBT func(ctx context.Context, args []string) error
	// Engines are the warehouse engines the profile step knows: their form, guard, guide
	// section and dbt adapter (default engines.Default()).
	Engines *engine.Registry
}

func (e *Env) engines() *engine.Registry {
	if e.Engines != nil {
		return e.Engines
	}
	return engines.Default()
}

// Identity is who the warehouse says we are.
type Identity struct {
	Engine   string // snowflake, duckdb
	User     string
	Role     string
	Database string
	// Notes say what the profile asks of dbt that datatui's connection does not do.
	Notes []string
}

// SandboxInfo describes the user's sandbox.
type SandboxInfo struct {
	Name   string
	Exists bool
	// Detail is optional extra facts ("cloned 3 days ago from ANALYTICS_CLONE").
	Detail string
}

// NewEnv describes the real machine: the process environment, os/exec, the wall clock.
func NewEnv(ws *workspace.Workspace) *Env {
	return &Env{
		Workspace: ws,
		Environ:   os.Environ(),
		GOOS:      runtime.GOOS,
		Runner:    ExecRunner{},
		Now:       time.Now,
		HTTP:      &http.Client{Timeout: 10 * time.Second},
	}
}

// Getenv returns the value of key in Environ ("" when unset).
func (e *Env) Getenv(key string) string {
	v, _ := e.LookupEnv(key)
	return v
}

// LookupEnv reports key's value in Environ and whether it is set. The last entry wins, like
// os/exec does with duplicates.
func (e *Env) LookupEnv(key string) (string, bool) {
	val, found := "", false
	for _, kv := range e.Environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if k == key || (e.GOOS == "windows" && strings.EqualFold(k, key)) {
			val, found = v, true
		}
	}
	return val, found
}

// Home is the user's home folder (HOME, or USERPROFILE on Windows).
func (e *Env) Home() string {
	if h := e.Getenv("HOME"); h != "" {
		return h
	}
	return e.Getenv("USERPROFILE")
}

// ErrNotFound means an executable is not on PATH.
var ErrNotFound = errors.New("not found on PATH")

// LookPath finds an executable on Environ's PATH (not the process's), so tests control which
// tools exist.
func (e *Env) LookPath(name string) (string, error) {
	exts := []string{""}
	if e.GOOS == "windows" {
		exts = strings.Split(strings.ToLower(e.Getenv("PATHEXT")), ";")
		if len(exts) == 1 && exts[0] == "" {
			exts = []string{".com", ".exe", ".bat", ".cmd"}
		}
	}
	for _, dir := range filepath.SplitList(e.Getenv("PATH")) {
		if dir == "" {
			continue // an empty entry means the current folder; never run tools from there
		}
		for _, ext := range exts {
			p := filepath.Join(dir, name+ext)
			st, err := os.Stat(p)
			if err != nil || st.IsDir() {
				continue
			}
			if e.GOOS != "windows" && st.Mode().Perm()&0o111 == 0 {
				continue
			}
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Run runs a tool found on PATH in dir and returns its output. stdout and stderr are kept
// apart because tools print versions and errors to either.
func (e *Env) Run(ctx context.Context, dir, name string, args ...string) (stdout, stderr []byte, err error) {
	path, err := e.LookPath(name)
	if err != nil {
		return nil, nil, &MissingToolError{Tool: name}
	}
	return e.Runner.Run(ctx, Command{Path: path, Args: args, Dir: dir, Env: e.Environ})
}

// MissingToolError says which tool a check needed and did not find.
type MissingToolError struct{ Tool string }

func (m *MissingToolError) Error() string { return m.Tool + " is not installed (not found on PATH)" }

// Command is one process to run.
type Command struct {
	Path string
	Args []string
	Dir  string
	Env  []string
}

// Runner runs a command to completion. Implementations must stop the process when ctx ends.
type Runner interface {
	Run(ctx context.Context, c Command) (stdout, stderr []byte, err error)
}

// ExecRunner runs commands with os/exec.
type ExecRunner struct{}

// Run implements Runner.
func (ExecRunner) Run(ctx context.Context, c Command) ([]byte, []byte, error) {
	cmd := exec.CommandContext(ctx, c.Path, c.Args...)
	cmd.Dir, cmd.Env = c.Dir, c.Env
	cmd.WaitDelay = 2 * time.Second // a tool's children holding the pipes must not hang us
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	return out.Bytes(), errb.Bytes(), err
}

// fileExists reports whether p is an existing file or folder.
func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil || !errors.Is(err, fs.ErrNotExist)
}
