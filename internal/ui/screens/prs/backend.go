package prs

import (
	"context"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/prstatus"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/service"
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
	// WhoToAsk is who is on call for the data now (nil when datatui.yml names no PagerDuty
	// schedule or services): a failing build says whom to ask.
	WhoToAsk(ctx context.Context) (*oncall.Report, error)
}

// live is the Backend of the real services: the PR-status service `datatui pr status` uses
// too (in the demo it serves the demo's recorded data through the same clients), plus the
// person's browser.
type live struct {
	*prstatus.Service
	ws      *workspace.Workspace
	keyring credstore.Store
	desktop desktop.Opener
}

func newLive(svc *service.Services, opts prstatus.Options, d desktop.Opener) *live {
	kr := opts.Keyring
	if kr == nil {
		kr = credstore.OS()
	}
	return &live{Service: svc.PRStatus(opts), ws: svc.Workspace(), keyring: kr, desktop: d}
}

// WhoToAsk asks the same on-call service `datatui oncall` and Home's card ask.
func (l *live) WhoToAsk(ctx context.Context) (*oncall.Report, error) {
	svc := oncall.New(l.ws, oncall.Options{Keyring: l.keyring})
	defer svc.Close()
	if !svc.Configured() {
		return nil, nil
	}
	return svc.Check(ctx)
}

func (l *live) LoadLog(ctx context.Context, pr forge.PR, ch forge.Check) (*checklog.Log, error) {
	return l.Explain(ctx, pr, ch)
}

// Open opens url with the shared desktop opener (gh's browser rules in the product).
func (l *live) Open(url string) error {
	return l.desktop.Browse(url)
}
