package prs

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/cli/go-gh/v2/pkg/browser"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/workspace"
)

// Backend is everything the screen does outside the terminal. Its methods run inside tasks
// (never in Update or View) and must be safe to call from several goroutines.
type Backend interface {
	Refresh(ctx context.Context, filter forge.Filter) (*forge.Snapshot, error)
	LoadLog(ctx context.Context, pr forge.PR, ch forge.Check) (*checklog.Log, error)
	Rerun(ctx context.Context, pr forge.PR, ch forge.Check) (string, error)
	Checkout(ctx context.Context, pr forge.PR) (string, error)
	Open(url string) error
}

// live is the Backend that talks to GitHub (go-gh), dbt Cloud and git.
type live struct {
	ws   *workspace.Workspace
	cfg  *config.Config
	opts forge.Options
	// branch overrides the current git branch (tests).
	branch string

	mu     sync.Mutex
	client *forge.Client
	target forge.Target
}

func newLive(ws *workspace.Workspace, opts forge.Options) *live {
	cfg := config.Default()
	if ws != nil && ws.Config != nil {
		cfg = ws.Config
	}
	return &live{ws: ws, cfg: cfg, opts: opts}
}

// errDemo explains why the demo workspace has no pull requests.
var errDemo = errors.New("the demo workspace has no GitHub repository: run datatui inside your analytics repository to see your pull requests")

// setup resolves the repository and branch (every refresh: the user may switch branches) and
// signs in once.
func (l *live) setup(ctx context.Context) (*forge.Client, forge.Target, error) {
	if l.ws != nil && l.ws.Demo {
		return nil, forge.Target{}, errDemo
	}
	root := ""
	if l.ws != nil && l.ws.InGit {
		root = l.ws.Root
	}
	target, err := forge.ResolveTarget(ctx, l.cfg, root)
	if err != nil {
		return nil, target, err
	}
	if l.branch != "" {
		target.Branch = l.branch
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.target = target
	if l.client == nil {
		opts := l.opts
		if opts.Host == "" {
			opts.Host = target.Repo.Host
		}
		c, err := forge.NewClient(opts)
		if err != nil {
			return nil, target, err
		}
		l.client = c
	}
	return l.client, target, nil
}

func (l *live) Refresh(ctx context.Context, filter forge.Filter) (*forge.Snapshot, error) {
	c, target, err := l.setup(ctx)
	if err != nil {
		return nil, err
	}
	snap, err := c.Refresh(ctx, target, filter)
	if err != nil {
		var ae *forge.AuthError
		if errors.As(err, &ae) {
			// Sign in again on the next refresh (the user may have run gh auth login).
			l.mu.Lock()
			l.client = nil
			l.mu.Unlock()
		}
		return nil, err
	}
	if l.ws != nil && l.ws.StateDir != "" && filter == forge.FilterMine {
		_ = forge.SaveSummary(l.ws.StateDir, forge.Summarise(snap, target.RequiredChecks))
	}
	return snap, nil
}

func (l *live) deps() checklog.Deps {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := checklog.Deps{GitHub: l.client, DBTCloud: l.cfg.DBTCloud}
	d.DBTToken, _ = dbtcloud.TokenFromEnv()
	return d
}

func (l *live) LoadLog(ctx context.Context, pr forge.PR, ch forge.Check) (*checklog.Log, error) {
	return checklog.Load(ctx, l.deps(), pr, ch)
}

func (l *live) Rerun(ctx context.Context, pr forge.PR, ch forge.Check) (string, error) {
	return checklog.Rerun(ctx, l.deps(), pr, ch)
}

func (l *live) Checkout(ctx context.Context, pr forge.PR) (string, error) {
	if l.ws == nil || !l.ws.InGit {
		return "", errors.New("this workspace is not a git repository")
	}
	return forge.Checkout(ctx, l.ws.Root, pr)
}

// Open uses gh's browser rules: GH_BROWSER, gh's configured browser, BROWSER, then the
// system's opener (xdg-open, open, start).
func (l *live) Open(url string) error {
	return browser.New("", io.Discard, io.Discard).Browse(url)
}
