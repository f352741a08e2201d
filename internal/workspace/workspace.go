// Package workspace finds the analytics repository datatui works on: the git root, the dbt
// project inside it (the folder holding dbt_project.yml), the team's datatui.yml, and the
// per-repository state folder. When there is no project it falls back to the embedded demo
// workspace (see demo.go).
package workspace

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/datatui/datatui/internal/config"
)

// Workspace is what datatui knows about the repository it was started in.
type Workspace struct {
	// Root is the git work tree root, or ProjectDir when the project is not in git.
	Root string
	// ProjectDir holds dbt_project.yml.
	ProjectDir string
	// InGit reports whether Root is a git work tree.
	InGit bool
	// Demo is true for the embedded demo workspace.
	Demo bool
	// Config is the team's datatui.yml (defaults when there is none).
	Config *config.Config
	// ConfigPath is the datatui.yml that was read, or "" when defaults are used.
	ConfigPath string
	// ConfigErr is datatui.yml's error when it has one (Config then holds the defaults):
	// datatui still reads, but writes nothing until it is fixed.
	ConfigErr error
	// StateDir is this repository's folder under the user's state dir (created on demand).
	StateDir string
	// Notice is a one-line message for the status bar (for example why the demo opened).
	Notice string
	// PrepareWarehouse, when set, is work the warehouse needs before it is first opened
	// (the demo builds its local DuckDB files); connect.Open runs it.
	PrepareWarehouse func(ctx context.Context) error
}

// Options steer discovery.
type Options struct {
	// Start is the folder to search from (default: the current directory).
	Start string
	// Project is an explicit --project folder; discovery does not fall back to the demo then.
	Project string
	// ConfigFile is an explicit --config file for datatui.yml.
	ConfigFile string
	// StateHome overrides the state root (default: $XDG_STATE_HOME/datatui).
	StateHome string
}

// ErrNoProject means no dbt_project.yml was found from the start folder upwards.
var ErrNoProject = errors.New("no dbt project found (no dbt_project.yml in this folder or above it)")

// Open discovers the workspace: the dbt project at or above opts.Start (or opts.Project),
// the git root above it, datatui.yml. With no project found it returns ErrNoProject
// (demo.Discover then opens the demo workspace).
func Open(opts Options) (*Workspace, error) {
	stateHome := opts.StateHome
	if stateHome == "" {
		stateHome = StateHome()
	}
	start := opts.Start
	if opts.Project != "" {
		start = opts.Project
	}
	if start == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		start = wd
	}
	start, err := filepath.Abs(start)
	if err != nil {
		return nil, err
	}
	projectDir, err := findUp(start, "dbt_project.yml")
	if err != nil {
		if opts.Project != "" {
			return nil, fmt.Errorf("%s: %w", opts.Project, ErrNoProject)
		}
		return nil, err
	}
	ws := &Workspace{ProjectDir: projectDir, Root: projectDir}
	if gitRoot, err := findUp(projectDir, ".git"); err == nil {
		ws.Root, ws.InGit = gitRoot, true
	}
	// StateDir is set before the config is read: a broken datatui.yml still leaves a usable
	// workspace (with defaults) whose state folder works.
	ws.StateDir = filepath.Join(stateHome, "repos", repoKey(ws.Root))
	return ws, ws.LoadConfig(opts.ConfigFile)
}

// LoadConfig reads datatui.yml from the explicit file, the repository root or the project dir.
// A broken file is returned as an error alongside a usable workspace with the defaults, so the
// caller can show the error and keep going.
func (ws *Workspace) LoadConfig(explicit string) (err error) {
	defer func() { ws.ConfigErr = err }()
	candidates := []string{filepath.Join(ws.Root, config.FileName), filepath.Join(ws.ProjectDir, config.FileName)}
	if explicit != "" {
		candidates = []string{explicit}
	}
	for _, p := range candidates {
		cfg, err := config.Load(p)
		if errors.Is(err, fs.ErrNotExist) {
			if explicit != "" {
				ws.Config = cfg
				return fmt.Errorf("--config %s: %w", explicit, err)
			}
			continue
		}
		ws.Config, ws.ConfigPath = cfg, p
		return err
	}
	ws.Config = config.Default()
	return nil
}

// findUp returns the nearest folder at or above dir that contains name.
func findUp(dir, name string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoProject
		}
		dir = parent
	}
}

// repoKey names a repository's state folder: its base name plus a short hash of the full path,
// so two clones of the same repo keep separate progress and caches.
func repoKey(root string) string {
	sum := sha256.Sum256([]byte(root))
	return filepath.Base(root) + "-" + hex.EncodeToString(sum[:])[:10]
}

// StateHome is datatui's state root: $XDG_STATE_HOME/datatui, else ~/.local/state/datatui,
// else a folder in the temp dir.
func StateHome() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "datatui")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "datatui")
	}
	return filepath.Join(os.TempDir(), "datatui-state")
}

// EnsureStateDir creates the workspace's state folder (0700: it may hold cached names of
// databases and people) and returns it.
func (ws *Workspace) EnsureStateDir() (string, error) {
	return ws.StateDir, os.MkdirAll(ws.StateDir, 0o700)
}

// Path joins elements onto the project dir.
func (ws *Workspace) Path(elem ...string) string {
	return filepath.Join(append([]string{ws.ProjectDir}, elem...)...)
}

// TargetDir is the dbt project's target/ folder where artifacts live.
func (ws *Workspace) TargetDir() string { return ws.Path("target") }
