// Package oncall answers "who do I ask, and is something already on fire?" for one workspace:
// who is on call now on the team's PagerDuty schedule and until when, and the open incidents of
// the data services (loads, builds) named in datatui.yml. `datatui oncall`, Home and the PR
// screen all call it, so they say the same thing.
//
// In the demo workspace it starts the demo's loopback PagerDuty (package pagerduty/pddemo) and
// points the very same client at it.
package oncall

import (
	"context"
	"errors"
	"fmt"
	"github.com/datatui/datatui/internal/lazyre"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/workspace"
)

// Keyring is the part of the OS keyring the service reads (datatui's credential store
// satisfies it).
type Keyring interface {
	Get(service, key string) (string, error)
}

// Options tune a Service; the zero value is what users get.
type Options struct {
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Keyring holds tokens stored with `datatui auth pagerduty login` (nil: not consulted).
	Keyring Keyring
	// Now tells the time (time.Now when nil).
	Now func() time.Time
}

// Service answers for one workspace. It is safe for concurrent use.
type Service struct {
	ws   *workspace.Workspace
	cfg  config.PagerDuty
	opts Options

	mu   sync.Mutex
	demo *pddemo.Server
}

// New returns the service for ws (nil: defaults, nothing configured).
func New(ws *workspace.Workspace, opts Options) *Service {
	cfg := config.Default().PagerDuty
	if ws != nil && ws.Config != nil {
		cfg = ws.Config.PagerDuty
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Service{ws: ws, cfg: cfg, opts: opts}
}

// Configured reports whether datatui.yml names a schedule or services.
func (s *Service) Configured() bool { return s.cfg.Configured() }

// Demo reports whether the answers are the demo's recorded data.
func (s *Service) Demo() bool { return s.ws != nil && s.ws.Demo }

// Close stops the demo server, if one was started.
func (s *Service) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.demo == nil {
		return nil
	}
	err := s.demo.Close()
	s.demo = nil
	return err
}

// ErrNotConfigured means datatui.yml names no PagerDuty schedule or service.
var ErrNotConfigured = errors.New("datatui.yml names no PagerDuty schedule or services (pagerduty.schedule, pagerduty.services)")

// Person is someone on call.
type Person struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	// Level is the escalation level (1 is paged first).
	Level int `json:"escalation_level"`
	// Since and Until bound the shift; nil for someone always on call.
	Since *time.Time `json:"since,omitempty"`
	Until *time.Time `json:"until,omitempty"`
	URL   string     `json:"url,omitempty"`
}

// Report is the answer.
type Report struct {
	// Demo is set when the report is the demo's recorded data.
	Demo bool `json:"demo"`
	// Schedule is the schedule asked about ("" when none is configured).
	Schedule    string `json:"schedule,omitempty"`
	ScheduleURL string `json:"schedule_url,omitempty"`
	// OnCall are the people on call now, level 1 first.
	OnCall []Person `json:"oncall"`
	// Services are the services whose incidents were asked for.
	Services []string `json:"services"`
	// Incidents are their open (triggered or acknowledged) incidents, newest first.
	Incidents []pagerduty.Incident `json:"incidents"`
	// Warnings are problems that left part of the report out.
	Warnings  []string  `json:"warnings,omitempty"`
	CheckedAt time.Time `json:"checked_at"`
}

// First is the person to ask first (level 1), false when nobody is on call.
func (r *Report) First() (Person, bool) {
	if r == nil || len(r.OnCall) == 0 {
		return Person{}, false
	}
	return r.OnCall[0], true
}

// client makes the PagerDuty client: the demo's loopback server in the demo, else the API
// URL from DATATUI_PAGERDUTY_API_URL (default PagerDuty's) with the person's token.
func (s *Service) client() (*pagerduty.Client, error) {
	if s.Demo() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.demo == nil {
			d, err := pddemo.Start(s.opts.Now())
			if err != nil {
				return nil, fmt.Errorf("starting the demo's PagerDuty: %w", err)
			}
			s.demo = d
		}
		return pagerduty.New(pagerduty.Options{BaseURL: s.demo.URL(), Token: pddemo.Token})
	}
	base := strings.TrimSpace(s.opts.Getenv(pagerduty.EnvAPIURL))
	tok, err := Token(s.opts.Getenv, s.opts.Keyring, base)
	if err != nil {
		return nil, err
	}
	return pagerduty.New(pagerduty.Options{BaseURL: base, Token: tok})
}

// Token finds the person's PagerDuty token: PAGERDUTY_TOKEN, else the keyring entry for the
// API host (api.pagerduty.com unless base names another).
func Token(getenv func(string) string, kr Keyring, base string) (string, error) {
	if t := strings.TrimSpace(getenv(pagerduty.EnvToken)); t != "" {
		redact.Add(t) // every token found is kept out of all output
		return t, nil
	}
	if kr == nil {
		return "", pagerduty.ErrNoToken
	}
	t, err := kr.Get(pagerduty.KeyringService, KeyringKey(base))
	if err != nil || strings.TrimSpace(t) == "" {
		return "", pagerduty.ErrNoToken
	}
	t = strings.TrimSpace(t)
	redact.Add(t)
	return t, nil
}

// KeyringKey is the keyring key of the token for an API base URL: its host.
func KeyringKey(base string) string {
	if base == "" {
		base = pagerduty.DefaultAPIURL
	}
	h := strings.TrimPrefix(strings.TrimPrefix(base, "https://"), "http://")
	h, _, _ = strings.Cut(h, "/")
	return strings.ToLower(h)
}

// pagerDutyID is the form of PagerDuty object ids ("PQ1A2B3"); anything else is a name.
var pagerDutyID = lazyre.New(`^P[A-Z0-9]{6}$`)

// Check asks PagerDuty now.
func (s *Service) Check(ctx context.Context) (*Report, error) {
	if !s.Configured() {
		return nil, ErrNotConfigured
	}
	c, err := s.client()
	if err != nil {
		return nil, err
	}
	r := &Report{Demo: s.Demo(), OnCall: []Person{}, Services: []string{}, Incidents: []pagerduty.Incident{}, CheckedAt: s.opts.Now()}
	var failures []error
	if s.cfg.Schedule != "" {
		if err := s.onCall(ctx, c, r); err != nil {
			failures = append(failures, err)
		}
	}
	if len(s.cfg.Services) > 0 {
		if err := s.incidents(ctx, c, r); err != nil {
			failures = append(failures, err)
		}
	}
	// Half an answer is still worth showing; none at all is an error.
	wanted := 0
	if s.cfg.Schedule != "" {
		wanted++
	}
	if len(s.cfg.Services) > 0 {
		wanted++
	}
	if len(failures) == wanted {
		return nil, errors.Join(failures...)
	}
	for _, f := range failures {
		r.Warnings = append(r.Warnings, f.Error())
	}
	return r, nil
}

func (s *Service) onCall(ctx context.Context, c *pagerduty.Client, r *Report) error {
	sched, err := resolveSchedule(ctx, c, s.cfg.Schedule)
	if err != nil {
		return err
	}
	r.Schedule, r.ScheduleURL = firstNonEmpty(sched.Name, sched.Summary, sched.ID), sched.HTMLURL
	ocs, err := c.OnCalls(ctx, []string{sched.ID})
	if err != nil {
		return err
	}
	r.OnCall = people(ocs)
	return nil
}

// people turns /oncalls entries into one Person per user, at the user's lowest level: a user is
// listed once per escalation policy and level that uses the schedule.
func people(ocs []pagerduty.OnCall) []Person {
	byUser := map[string]*Person{}
	var order []string
	for _, oc := range ocs {
		p := byUser[oc.User.ID]
		if p == nil {
			p = &Person{Name: oc.User.DisplayName(), Email: oc.User.Email, Level: oc.EscalationLevel, Since: oc.Start, Until: oc.End, URL: oc.User.HTMLURL}
			byUser[oc.User.ID] = p
			order = append(order, oc.User.ID)
			continue
		}
		if oc.EscalationLevel < p.Level {
			p.Level, p.Since, p.Until = oc.EscalationLevel, oc.Start, oc.End
		}
	}
	out := make([]Person, 0, len(order))
	for _, id := range order {
		out = append(out, *byUser[id])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Level < out[j].Level })
	return out
}

func resolveSchedule(ctx context.Context, c *pagerduty.Client, want string) (pagerduty.Schedule, error) {
	if pagerDutyID.MatchString(want) {
		// An id needs no look-up, but its name reads better: ask, and fall back to the id.
		if all, err := c.Schedules(ctx, ""); err == nil {
			for _, s := range all {
				if s.ID == want {
					return s, nil
				}
			}
		}
		return pagerduty.Schedule{ID: want}, nil
	}
	found, err := c.Schedules(ctx, want)
	if err != nil {
		return pagerduty.Schedule{}, err
	}
	var names []string
	for _, s := range found {
		if strings.EqualFold(s.Name, want) {
			return s, nil
		}
		names = append(names, s.Name)
	}
	if len(names) == 0 {
		return pagerduty.Schedule{}, fmt.Errorf("PagerDuty has no schedule named %q that this token can see (pagerduty.schedule in datatui.yml)", want)
	}
	return pagerduty.Schedule{}, fmt.Errorf("PagerDuty has no schedule named exactly %q (similar: %s); use its name or id (pagerduty.schedule in datatui.yml)", want, strings.Join(names, ", "))
}

func (s *Service) incidents(ctx context.Context, c *pagerduty.Client, r *Report) error {
	var ids []string
	var all []pagerduty.Service
	var missing []string
	for _, want := range s.cfg.Services {
		if pagerDutyID.MatchString(want) {
			ids = append(ids, want)
			r.Services = append(r.Services, want)
			continue
		}
		if all == nil {
			var err error
			if all, err = c.Services(ctx, ""); err != nil {
				return err
			}
		}
		i := slices.IndexFunc(all, func(sv pagerduty.Service) bool { return strings.EqualFold(sv.Name, want) })
		if i < 0 {
			missing = append(missing, want)
			continue
		}
		ids = append(ids, all[i].ID)
		r.Services = append(r.Services, all[i].Name)
	}
	if len(missing) > 0 {
		r.Warnings = append(r.Warnings, fmt.Sprintf("PagerDuty has no service named %s that this token can see (pagerduty.services in datatui.yml)", quoteAll(missing)))
	}
	if len(ids) == 0 {
		return fmt.Errorf("none of the PagerDuty services in datatui.yml was found: %s", quoteAll(missing))
	}
	in, err := c.OpenIncidents(ctx, ids)
	if err != nil {
		return err
	}
	r.Incidents = in
	return nil
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// IncidentState is how an incident stands, as every view says it: "2 h ago, acknowledged by
// Sam Rivera" or "2 h ago, not acknowledged yet".
func IncidentState(in pagerduty.Incident, now time.Time) string {
	s := dbt.FormatAge(now.Sub(in.CreatedAt)) + " ago"
	switch by := in.AcknowledgedBy(); {
	case in.Status == "acknowledged" && by != "":
		return s + ", acknowledged by " + by
	case in.Status == "triggered":
		return s + ", not acknowledged yet"
	}
	return s + ", " + in.Status
}
