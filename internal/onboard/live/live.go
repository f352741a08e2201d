// Package live connects the onboarding checks to datatui's warehouse layer: the warehouse
// login, the sandbox's existence and creating it by cloning (through the write guard every
// warehouse write goes through). It is a package of its own so that the onboarding checks
// and their tests do not link the database drivers.
package live

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
)

// Wire sets env's Login, Sandbox and CreateSandbox from the workspace's dev target, and RunDBT
// to datatui's dbt runner.
func Wire(env *onboard.Env) {
	if env == nil || env.Workspace == nil {
		return
	}
	ws := env.Workspace
	// Opening the demo builds its DuckDB files the first time; the hooks run concurrently,
	// so opening is serialised. Each hook opens and closes its own connection, so a profile
	// fixed in between is picked up by the next check.
	var mu sync.Mutex
	var target *profiles.Target // the last target opened, for its notes
	open := func(ctx context.Context) (warehouse.Warehouse, error) {
		mu.Lock()
		defer mu.Unlock()
		w, t, err := connect.Open(ctx, ws, connect.Options{LookupEnv: env.LookupEnv, Engines: env.Engines})
		target = t
		return w, err
	}
	now := env.Now
	if now == nil {
		now = time.Now
	}
	env.Login = func(ctx context.Context) (onboard.Identity, error) {
		w, err := open(ctx)
		if err != nil {
			return onboard.Identity{}, explain(err)
		}
		defer w.Close()
		id, err := w.Identity(ctx)
		mu.Lock()
		notes := connect.Notes(env.Engines, target)
		mu.Unlock()
		return onboard.Identity{Engine: id.Engine, User: id.User, Role: id.Role, Database: id.Database, Notes: notes}, explain(err)
	}
	env.Sandbox = func(ctx context.Context) (onboard.SandboxInfo, error) {
		w, err := open(ctx)
		if err != nil {
			return onboard.SandboxInfo{}, explain(err)
		}
		defer w.Close()
		// The sandbox is named from the session's own login, known once it has logged in.
		if _, err := w.Identity(ctx); err != nil {
			return onboard.SandboxInfo{}, explain(err)
		}
		p := w.Policy()
		name := p.Sandbox
		if name == "" && p.ReadOnly != "" {
			return onboard.SandboxInfo{}, errors.New(p.ReadOnly + "; " + p.ReadOnlyFix)
		}
		if name == "" {
			return onboard.SandboxInfo{}, errors.New("datatui cannot tell your sandbox's name: your user name has no letters or digits left after normalising")
		}
		db, err := w.Database(ctx, name)
		if errors.Is(err, warehouse.ErrNotFound) {
			return onboard.SandboxInfo{Name: name}, nil
		}
		if err != nil {
			return onboard.SandboxInfo{Name: name}, explain(err)
		}
		return onboard.SandboxInfo{Name: name, Exists: true, Detail: describe(db, now())}, nil
	}
	env.CreateSandbox = func(ctx context.Context) error {
		w, err := open(ctx)
		if err != nil {
			return err
		}
		defer w.Close()
		// Refresh calls the write guard before sending anything.
		return w.Refresh(ctx, w.Policy().Sandbox)
	}
	env.RunDBT = func(ctx context.Context, args []string) error {
		// The runner's write guard resolves the target dbt will use with the onboarding's
		// environment and refuses a target that writes anywhere but the sandbox.
		r := ops.ForWorkspace(ws)
		if !r.DBT.Docker.Enabled() && len(r.DBT.Wrapper) == 0 { // in Docker or through the team's wrapper, the runner starts those
			p, err := env.DBTPath()
			if err != nil {
				return &onboard.MissingToolError{Tool: "dbt"}
			}
			r.Executable = p
		}
		r.Env, r.Engines = env.Environ, env.Engines
		r.Identify = func(ctx context.Context, t *profiles.Target) (string, error) {
			return connect.SessionUser(ctx, env.Engines, t, nil)
		}
		out := onboard.Output(ctx)
		res := r.Run(ctx, args, func(ev ops.Event) { progressLine(ev, out) })
		if res.Err != nil && res.Fatal != "" && !strings.Contains(res.Err.Error(), res.Fatal) {
			return fmt.Errorf("%v: %s", res.Err, res.Fatal)
		}
		return res.Err
	}
}

// progressLine turns the runner's events into the lines the wizard shows while dbt runs.
func progressLine(ev ops.Event, out func(string)) {
	switch ev := ev.(type) {
	case ops.Started:
		out("$ " + strings.Join(append([]string{filepath.Base(ev.Executable)}, ev.Args...), " "))
	case ops.NodeResult:
		if ev.Status == "running" {
			out(fmt.Sprintf("… %s %s", ev.ResourceType, ev.Name))
			return
		}
		l := fmt.Sprintf("%s %s %s (%.1fs)", ev.Status, ev.ResourceType, ev.Name, ev.Elapsed.Seconds())
		if ev.Message != "" && ev.Status != "success" && ev.Status != "pass" {
			l += ": " + ev.Message
		}
		out(l)
	case ops.Done:
		if ev.Summary.Total > 0 {
			out(fmt.Sprintf("done: %d passed, %d warned, %d failed, %d skipped", ev.Summary.Pass, ev.Summary.Warn, ev.Summary.Error, ev.Summary.Skip))
		}
	}
}

func describe(db warehouse.Database, now time.Time) string {
	s := "your sandbox exists: " + db.Name
	if !db.Created.IsZero() {
		days := int(now.Sub(db.Created).Hours() / 24)
		s += ", created " + warehouse.Ago(days)
	}
	if db.Origin != "" {
		s += fmt.Sprintf(" (cloned from %s)", db.Origin)
	}
	return s
}
