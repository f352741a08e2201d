// Package prstatus is pull-request status for one workspace, the one service that both
// `datatui pr status` and the PR screen call: which repository and branch, signing in, the
// refresh with GitHub's verdict, why a check failed, re-running it, checking out a branch, the
// cached summary Home shows, and when a watcher is told. Fixes land once, and the CLI and the
// screen can never disagree. It is plain Go (no terminal UI); calls block, so the screen runs
// them in background tasks.
//
// In the demo workspace the service starts the demo's loopback server (package demo) and
// points the very same clients at it.
package prstatus

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/demo"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/workspace"
)

// Options tune a Service; the zero value is what users get.
type Options struct {
	// GitHub configures the GitHub client (tests point it at a fake).
	GitHub forge.Options
	// Keyring is where `datatui auth dbt-cloud login` keeps tokens (default: the OS keyring).
	Keyring credstore.Store
	// Git runs git for the branch, the remotes and checkouts (default: the git on PATH).
	Git git.Runner
	// Home holds ~/.dbt/dbt_cloud.yml (default: the user's home).
	Home string
	// Branch overrides the current git branch.
	Branch string
}

// Service is PR status for one workspace. It is safe for concurrent use.
type Service struct {
	ws   *workspace.Workspace
	cfg  *config.Config
	opts Options

	mu     sync.Mutex
	client *forge.Client
	target forge.Target
	demo   *demo.Server
}

// New returns the service for ws (nil: no workspace, defaults).
func New(ws *workspace.Workspace, opts Options) *Service {
	cfg := config.Default()
	if ws != nil && ws.Config != nil {
		cfg = ws.Config
	}
	if opts.Keyring == nil {
		opts.Keyring = credstore.OS()
	}
	return &Service{ws: ws, cfg: cfg, opts: opts}
}

// Demo reports whether the service serves the demo workspace's recorded data.
func (s *Service) Demo() bool { return s.ws != nil && s.ws.Demo }

// Config is the team's datatui.yml.
func (s *Service) Config() *config.Config { return s.cfg }

// Close stops the demo server, if one was started.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.demo != nil {
		err := s.demo.Close()
		s.demo = nil
		return err
	}
	return nil
}

// startDemo starts the loopback server once; callers hold s.mu.
func (s *Service) startDemo() (*demo.Server, error) {
	if s.demo == nil {
		d, err := demo.Start()
		if err != nil {
			return nil, fmt.Errorf("starting the demo's pull requests: %w", err)
		}
		s.demo = d
	}
	return s.demo, nil
}

// Target resolves the repository and branch; it is asked on every refresh, since the person
// may switch branches or set GH_REPO between two.
func (s *Service) Target(ctx context.Context) (forge.Target, error) {
	root := ""
	if s.ws != nil && s.ws.InGit {
		root = s.ws.Root
	}
	t, err := forge.ResolveTarget(ctx, s.opts.Git, s.cfg, root)
	if s.opts.Branch != "" {
		t.Branch = s.opts.Branch
	}
	return t, err
}

// github signs in once (again after GitHub refused the token).
func (s *Service) github(host string) (*forge.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	opts := s.opts.GitHub
	if opts.Host == "" {
		opts.Host = host
	}
	if s.Demo() {
		d, err := s.startDemo()
		if err != nil {
			return nil, err
		}
		opts.APIURL, opts.Token = d.APIURL(), demo.Token
	}
	c, err := forge.NewClient(opts)
	if err != nil {
		return nil, err
	}
	s.client = c
	return c, nil
}

// Refresh fetches the pull requests for filter, with the branch's PR. A refresh of the
// person's own PRs is saved as the summary Home shows.
func (s *Service) Refresh(ctx context.Context, filter forge.Filter) (*forge.Snapshot, error) {
	t, err := s.Target(ctx)
	if err != nil {
		return nil, err
	}
	c, err := s.github(t.Repo.Host)
	if err != nil {
		return nil, err
	}
	snap, err := c.FetchPRs(ctx, forge.Request{Repo: t.Repo, Filter: filter, Branch: t.Branch, RequiredChecks: t.RequiredChecks})
	var ae *forge.AuthError
	if errors.As(err, &ae) {
		// Sign in again next time: the person may have run gh auth login meanwhile.
		s.mu.Lock()
		s.client = nil
		s.mu.Unlock()
	}
	if err != nil {
		return nil, err
	}
	snap.Demo = s.Demo()
	s.mu.Lock()
	s.target = t
	s.mu.Unlock()
	if s.ws != nil && s.ws.StateDir != "" && filter == forge.FilterMine {
		// A failed write costs only Home's card.
		_ = forge.SaveSummary(s.ws.StateDir, forge.Summarise(snap))
	}
	return snap, nil
}

// Credentials are the person's dbt Cloud accounts (the demo's own in the demo), with
// warnings about sources that could not be read.
func (s *Service) Credentials() (dbtcloud.Credentials, []error) {
	if s.Demo() {
		s.mu.Lock()
		defer s.mu.Unlock()
		d, err := s.startDemo()
		if err != nil {
			return nil, []error{err}
		}
		return d.Credentials(), nil
	}
	return dbtcloud.Load(dbtcloud.Sources{Home: s.opts.Home, Keyring: s.opts.Keyring, TeamHost: s.cfg.DBTCloud.Host})
}

func (s *Service) deps() checklog.Deps {
	creds, _ := s.Credentials()
	s.mu.Lock()
	defer s.mu.Unlock()
	return checklog.Deps{GitHub: s.client, DBTCloud: s.cfg.DBTCloud, Credentials: creds}
}

// Explain loads why check ch of pr is in its state: the dbt Cloud run's steps, failing nodes
// and log, or the Actions job log's tail.
func (s *Service) Explain(ctx context.Context, pr forge.PR, ch forge.Check) (*checklog.Log, error) {
	return checklog.Load(ctx, s.deps(), pr, ch)
}

// Rerun re-runs check ch of pr and says what was started.
func (s *Service) Rerun(ctx context.Context, pr forge.PR, ch forge.Check) (string, error) {
	if s.Demo() {
		return "", errors.New("the demo's checks are recorded: nothing runs again")
	}
	return checklog.Rerun(ctx, s.deps(), pr, ch)
}

// Checkout switches the work tree to pr's branch.
func (s *Service) Checkout(ctx context.Context, pr forge.PR) (string, error) {
	if s.ws == nil || !s.ws.InGit {
		return "", errors.New("this workspace is not a git repository")
	}
	if s.Demo() {
		return "", errors.New("the demo's pull requests are recorded: their branches are not on any server to fetch from")
	}
	return forge.Checkout(ctx, s.opts.Git, s.ws.Root, pr)
}
