package forge

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Policy is how often datatui asks GitHub for news.
type Policy struct {
	// Base is the normal interval (30 s).
	Base time.Duration
	// Fast is used while any check is running (10 s).
	Fast time.Duration
	// Idle is used when nothing runs and nothing changed for IdleAfter refreshes (2 min).
	Idle time.Duration
	// IdleAfter is how many unchanged refreshes make the view idle.
	IdleAfter int
	// MaxBackoff caps the wait after repeated errors (5 min).
	MaxBackoff time.Duration
	// Reserve is the part of the rate-limit budget datatui leaves for everything else the
	// user runs (gh, other tools): below it, polling stretches to last until the reset.
	Reserve int
}

// DefaultPolicy is 30 s, 10 s while checks run, 2 min when idle.
func DefaultPolicy() Policy {
	return Policy{Base: 30 * time.Second, Fast: 10 * time.Second, Idle: 2 * time.Minute, IdleAfter: 4,
		MaxBackoff: 5 * time.Minute, Reserve: 200}
}

// FixedPolicy polls every d (the CLI's --interval), still backing off on errors and limits.
func FixedPolicy(d time.Duration) Policy {
	p := DefaultPolicy()
	p.Base, p.Fast, p.Idle = d, d, d
	p.MaxBackoff = max(p.MaxBackoff, d)
	return p
}

// PollState is what the policy decides from.
type PollState struct {
	Now time.Time
	// Pending is true when any shown check still runs.
	Pending bool
	// Unchanged counts consecutive refreshes that brought nothing new.
	Unchanged int
	// Failures counts consecutive failed refreshes (0 after a success).
	Failures int
	// Err is the last refresh's error, if it failed.
	Err error
	// Rate is the last known budget.
	Rate RateLimit
}

// maxLimitWait caps waits derived from rate-limit headers.
const maxLimitWait = time.Hour + time.Minute

// Decision is when to refresh next, and why (shown in the status line when it is not the
// normal rhythm).
type Decision struct {
	Wait time.Duration
	// Reason is empty for the normal rhythm; otherwise it explains a back-off.
	Reason string
	// BackingOff is true when the wait is longer than usual because of an error or a limit.
	BackingOff bool
	// Stop is true when waiting cannot help (datatui cannot tell which repository to ask):
	// nothing is retried until the person fixes it and refreshes.
	Stop bool
}

// Next decides the wait before the next refresh. It is a pure function so every rule is
// table-tested:
//   - a configuration error (which repository?) stops: no timer can fix it;
//   - a rate-limit error waits for Retry-After or the reset time (at least a minute for a
//     secondary limit without either), doubling on repeats;
//   - other errors back off exponentially from the current interval, capped at MaxBackoff;
//   - otherwise Fast while anything runs, Idle after IdleAfter unchanged refreshes, else Base;
//   - a low remaining budget stretches the wait so the budget lasts until the reset.
func (p Policy) Next(s PollState) Decision {
	normal := p.Base
	switch {
	case s.Pending:
		normal = p.Fast
	case s.Unchanged >= p.IdleAfter && p.IdleAfter > 0:
		normal = p.Idle
	}
	var rl *RateLimitError
	var auth *AuthError
	var cfg *ConfigError
	switch {
	case errors.As(s.Err, &cfg):
		return Decision{Stop: true, Reason: "not retrying on its own: press r after fixing this"}
	case errors.As(s.Err, &rl):
		wait := rl.Wait
		if !rl.Reset.IsZero() {
			wait = max(wait, rl.Reset.Sub(s.Now)+time.Second)
		}
		if wait <= 0 {
			wait = time.Minute << min(max(s.Failures-1, 0), 3)
		}
		// GitHub's budgets refill hourly: a later reset is a broken header.
		wait = min(max(wait, normal), maxLimitWait)
		return Decision{Wait: wait, BackingOff: true,
			Reason: fmt.Sprintf("GitHub rate limit: next try in %s", roundWait(wait))}
	case errors.As(s.Err, &auth) || errors.Is(s.Err, ErrNotSignedIn):
		// Nothing changes until the user signs in again; poll rarely.
		wait := max(p.MaxBackoff, normal)
		return Decision{Wait: wait, BackingOff: true, Reason: "not signed in: refresh with r after signing in"}
	case s.Err != nil:
		wait := normal << min(max(s.Failures, 1), 8)
		wait = min(wait, max(p.MaxBackoff, normal))
		return Decision{Wait: wait, BackingOff: true,
			Reason: fmt.Sprintf("refresh failed %d× in a row: next try in %s", max(s.Failures, 1), roundWait(wait))}
	}
	if r := s.Rate; r.Known && r.Remaining <= p.Reserve && !r.Reset.IsZero() && r.Reset.After(s.Now) {
		left := min(r.Reset.Sub(s.Now), maxLimitWait)
		if r.Remaining <= 0 {
			return Decision{Wait: max(left+time.Second, normal), BackingOff: true,
				Reason: fmt.Sprintf("GitHub rate limit used up: next try in %s", roundWait(left))}
		}
		cost := max(r.Cost, 1)
		stretched := left / time.Duration(max(r.Remaining/cost, 1))
		if stretched > normal {
			return Decision{Wait: stretched, BackingOff: true,
				Reason: fmt.Sprintf("GitHub rate limit low (%d left): polling every %s", r.Remaining, roundWait(stretched))}
		}
	}
	return Decision{Wait: normal}
}

// roundWait prints a wait the way people say it: 20ms, 30s, 4m, 4m1s, 1h5m.
func roundWait(d time.Duration) string {
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 && h == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}

// Gate makes sure only one refresh is in flight and that a late answer to an older request is
// dropped. The UI and the CLI's --watch both use it.
type Gate struct {
	mu       sync.Mutex
	next     int
	inFlight int // request id, 0 when idle
}

// Begin starts a request and returns its id, or ok=false when one is already in flight.
func (g *Gate) Begin() (id int, ok bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight != 0 {
		return 0, false
	}
	g.next++
	g.inFlight = g.next
	return g.next, true
}

// End finishes request id and reports whether its answer is current (not stale).
func (g *Gate) End(id int) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if id == 0 || id != g.inFlight {
		return false
	}
	g.inFlight = 0
	return true
}

// Abandon forgets the request in flight (for example when the filter changes), so its answer
// will be dropped and a new request may start.
func (g *Gate) Abandon() {
	g.mu.Lock()
	g.inFlight = 0
	g.mu.Unlock()
}

// InFlight reports whether a request is running.
func (g *Gate) InFlight() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.inFlight != 0
}

// Tracker carries the poll state from one refresh to the next.
type Tracker struct {
	Policy    Policy
	failures  int
	unchanged int
	last      string
	rate      RateLimit
}

// Observe records a refresh's outcome and returns the decision for the next one. fingerprint
// summarises the result (see Snapshot.Fingerprint) so "nothing changed" can be detected.
func (t *Tracker) Observe(now time.Time, snap *Snapshot, err error) Decision {
	st := PollState{Now: now, Err: err}
	if err != nil {
		t.failures++
		st.Failures = t.failures
		st.Rate = t.rate
		return t.Policy.Next(st)
	}
	t.failures = 0
	fp := snap.Fingerprint()
	if fp == t.last {
		t.unchanged++
	} else {
		t.unchanged = 0
		t.last = fp
	}
	t.rate = snap.RateLimit
	st.Pending, st.Unchanged, st.Rate = snap.AnyPending(), t.unchanged, snap.RateLimit
	return t.Policy.Next(st)
}

// Fingerprint summarises what the screen shows, to tell whether a refresh changed anything.
func (s *Snapshot) Fingerprint() string {
	if s == nil {
		return ""
	}
	b := make([]byte, 0, 64*len(s.PRs))
	add := func(p PR) {
		b = fmt.Appendf(b, "%d|%s|%s|%s|%s|%t|%s|", p.Number, p.HeadSHA, p.ReviewDecision, p.Mergeable, p.MergeState, p.IsDraft, p.UpdatedAt.Format(time.RFC3339))
		for _, c := range p.Checks {
			b = fmt.Appendf(b, "%s=%s;", c.Name, c.State)
		}
		b = append(b, '\n')
	}
	for _, p := range s.PRs {
		add(p)
	}
	if s.BranchPR != nil {
		add(*s.BranchPR)
	}
	return string(b)
}

// Watch polls fetch until done reports true or ctx ends, following the policy; report is
// called after every refresh with the decision for the next one. It is the CLI's --watch loop.
func Watch(ctx context.Context, policy Policy, fetch func(context.Context) (*Snapshot, error),
	report func(snap *Snapshot, err error, next Decision) (done bool)) error {
	t := &Tracker{Policy: policy}
	for {
		snap, err := fetch(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		d := t.Observe(time.Now(), snap, err)
		if report(snap, err, d) {
			return nil
		}
		if d.Stop {
			return err
		}
		timer := time.NewTimer(d.Wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-timer.C:
		}
	}
}
