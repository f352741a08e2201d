package prs

import (
	"context"
	"io"

	"github.com/cli/go-gh/v2/pkg/browser"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/prstatus"
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

// live is the Backend of the real services: the PR-status service `datatui pr status` uses
// too (in the demo it serves the demo's recorded data through the same clients), plus the
// browser.
type live struct {
	*prstatus.Service
}

func newLive(ws *workspace.Workspace, opts prstatus.Options) *live {
	return &live{Service: prstatus.New(ws, opts)}
}

func (l *live) LoadLog(ctx context.Context, pr forge.PR, ch forge.Check) (*checklog.Log, error) {
	return l.Explain(ctx, pr, ch)
}

// Open uses gh's browser rules: GH_BROWSER, gh's configured browser, BROWSER, then the
// system's opener (xdg-open, open, start).
func (l *live) Open(url string) error {
	return browser.New("", io.Discard, io.Discard).Browse(url)
}
