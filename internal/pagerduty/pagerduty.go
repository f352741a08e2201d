// Package pagerduty is a small client for PagerDuty's REST API v2: who is on call on a
// schedule (/oncalls), the open incidents of some services (/incidents), and finding a schedule
// or a service by name (/schedules, /services). It sends `Authorization: Token token=…` and
// PagerDuty's versioned Accept header, follows PagerDuty's offset pagination (limit, offset,
// more) to the end, and turns PagerDuty's error bodies into errors that say what to do.
//
// The client only reads. Its token is the person's own, sent to the API URL it was made for
// and never written anywhere.
package pagerduty

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/redact"
)

// Where the client's settings come from.
const (
	// EnvToken is the API token datatui reads first: the variable PagerDuty's own Terraform
	// provider reads, so a team that manages PagerDuty with Terraform already has it.
	EnvToken = "PAGERDUTY_TOKEN"
	// EnvAPIURL points the client at another API base (a test server).
	EnvAPIURL = "DATATUI_PAGERDUTY_API_URL"
	// DefaultAPIURL is PagerDuty's US service region; EU accounts use https://api.eu.pagerduty.com.
	DefaultAPIURL = "https://api.pagerduty.com"
	// KeyringService is the OS keyring service datatui keeps PagerDuty tokens under, one per
	// API host.
	KeyringService = "datatui pagerduty"
	// accept is PagerDuty's versioned media type for API v2.
	accept = "application/vnd.pagerduty+json;version=2"
	// pageLimit is the largest page PagerDuty serves.
	pageLimit = 100
	// maxPages bounds a listing, so a server that always says "more" cannot loop forever.
	maxPages = 50
)

// Client talks to one PagerDuty API base URL with one token.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// Options configure a Client.
type Options struct {
	// BaseURL is the API base (default DefaultAPIURL).
	BaseURL string
	// Token is the REST API key (a user or general access token).
	Token string
	// HTTP is the HTTP client (default: one with a 20 s timeout).
	HTTP *http.Client
}

// ErrNoToken means no PagerDuty token was found.
var ErrNoToken = errors.New("no PagerDuty token: export " + EnvToken + " (a PagerDuty REST API key, read-only is enough), or store one with datatui auth pagerduty login")

// New returns a client for opts.
func New(opts Options) (*Client, error) {
	if strings.TrimSpace(opts.Token) == "" {
		return nil, ErrNoToken
	}
	redact.Add(strings.TrimSpace(opts.Token)) // from here on, no output can show it
	raw := opts.BaseURL
	if raw == "" {
		raw = DefaultAPIURL
	}
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("PagerDuty API URL %q is not an http(s) URL", raw)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		// A token must not cross the network in clear text; plain http is for local test servers.
		return nil, fmt.Errorf("PagerDuty API URL %q: plain http is only allowed on this machine (127.0.0.1, localhost)", raw)
	}
	hc := opts.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	// Never follow a redirect to another host with the token.
	c := *hc
	c.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if req.URL.Host != u.Host {
			return fmt.Errorf("PagerDuty redirected to %s: not following it with your token", req.URL.Host)
		}
		if len(via) >= 5 {
			return errors.New("too many redirects")
		}
		return nil
	}
	return &Client{base: u, token: strings.TrimSpace(opts.Token), http: &c}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || host == "127.0.0.1" || host == "::1"
}

// Host is the API host the client sends its token to.
func (c *Client) Host() string { return c.base.Host }

// Ref is PagerDuty's reference to another object (a *_reference): its id and summary.
type Ref struct {
	ID      string `json:"id"`
	Type    string `json:"type,omitempty"`
	Summary string `json:"summary,omitempty"`
	HTMLURL string `json:"html_url,omitempty"`
}

// User is a PagerDuty user: a reference, or the full object with include[]=users.
type User struct {
	ID       string `json:"id"`
	Type     string `json:"type,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	HTMLURL  string `json:"html_url,omitempty"`
}

// DisplayName is the user's name, else the reference's summary, else the id.
func (u User) DisplayName() string {
	switch {
	case u.Name != "":
		return u.Name
	case u.Summary != "":
		return u.Summary
	}
	return u.ID
}

// OnCall is one entry of /oncalls: a user on call for an escalation policy at a level,
// through a schedule (nil when the policy names the user directly).
type OnCall struct {
	User             User `json:"user"`
	Schedule         *Ref `json:"schedule"`
	EscalationPolicy Ref  `json:"escalation_policy"`
	EscalationLevel  int  `json:"escalation_level"`
	// Start and End are nil for someone always on call (no schedule).
	Start *time.Time `json:"start"`
	End   *time.Time `json:"end"`
}

// Incident is one entry of /incidents.
type Incident struct {
	ID             string    `json:"id"`
	IncidentNumber int       `json:"incident_number"`
	Title          string    `json:"title"`
	Summary        string    `json:"summary,omitempty"`
	Status         string    `json:"status"` // triggered, acknowledged, resolved
	Urgency        string    `json:"urgency,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
	HTMLURL        string    `json:"html_url,omitempty"`
	Service        Ref       `json:"service"`
	Assignments    []struct {
		At       time.Time `json:"at"`
		Assignee Ref       `json:"assignee"`
	} `json:"assignments"`
	Acknowledgements []struct {
		At           time.Time `json:"at"`
		Acknowledger Ref       `json:"acknowledger"`
	} `json:"acknowledgements"`
	LastStatusChangeAt time.Time `json:"last_status_change_at"`
}

// AcknowledgedBy names who acknowledged the incident (the latest), "" when nobody has.
func (in Incident) AcknowledgedBy() string {
	if n := len(in.Acknowledgements); n > 0 {
		return in.Acknowledgements[n-1].Acknowledger.Summary
	}
	return ""
}

// Assignees names who the incident is assigned to.
func (in Incident) Assignees() []string {
	var out []string
	for _, a := range in.Assignments {
		out = append(out, a.Assignee.Summary)
	}
	return out
}

// Schedule is one entry of /schedules.
type Schedule struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Summary  string `json:"summary,omitempty"`
	TimeZone string `json:"time_zone,omitempty"`
	HTMLURL  string `json:"html_url,omitempty"`
}

// Service is one entry of /services.
type Service struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary,omitempty"`
	Status  string `json:"status,omitempty"`
	HTMLURL string `json:"html_url,omitempty"`
}

// OnCalls lists who is on call now through the given schedules (all levels, users included).
func (c *Client) OnCalls(ctx context.Context, scheduleIDs []string) ([]OnCall, error) {
	q := url.Values{}
	for _, id := range scheduleIDs {
		q.Add("schedule_ids[]", id)
	}
	q.Add("include[]", "users")
	return list[OnCall](ctx, c, "/oncalls", "oncalls", q)
}

// OpenIncidents lists the triggered and acknowledged incidents of the given services (of every
// service the token sees when none is given), newest first as PagerDuty sorts them.
func (c *Client) OpenIncidents(ctx context.Context, serviceIDs []string) ([]Incident, error) {
	q := url.Values{}
	q.Add("statuses[]", "triggered")
	q.Add("statuses[]", "acknowledged")
	for _, id := range serviceIDs {
		q.Add("service_ids[]", id)
	}
	q.Set("sort_by", "created_at:desc")
	return list[Incident](ctx, c, "/incidents", "incidents", q)
}

// Schedules lists the schedules whose name matches query (all when query is "").
func (c *Client) Schedules(ctx context.Context, query string) ([]Schedule, error) {
	q := url.Values{}
	if query != "" {
		q.Set("query", query)
	}
	return list[Schedule](ctx, c, "/schedules", "schedules", q)
}

// Services lists the services whose name matches query (all when query is "").
func (c *Client) Services(ctx context.Context, query string) ([]Service, error) {
	q := url.Values{}
	if query != "" {
		q.Set("query", query)
	}
	return list[Service](ctx, c, "/services", "services", q)
}

// page is PagerDuty's classic pagination envelope.
type page struct {
	Limit  int  `json:"limit"`
	Offset int  `json:"offset"`
	More   bool `json:"more"`
}

// list fetches every page of a listing: the items are under key, the envelope says whether
// there are more.
func list[T any](ctx context.Context, c *Client, path, key string, q url.Values) ([]T, error) {
	var out []T
	offset := 0
	for range maxPages {
		q.Set("limit", strconv.Itoa(pageLimit))
		q.Set("offset", strconv.Itoa(offset))
		body, err := c.get(ctx, path, q)
		if err != nil {
			return nil, err
		}
		var env page
		var items map[string]json.RawMessage
		if err := json.Unmarshal(body, &env); err != nil {
			return nil, fmt.Errorf("PagerDuty %s: the answer is not PagerDuty's JSON: %v", path, err)
		}
		if err := json.Unmarshal(body, &items); err != nil {
			return nil, fmt.Errorf("PagerDuty %s: the answer is not PagerDuty's JSON: %v", path, err)
		}
		raw, ok := items[key]
		if !ok {
			return nil, fmt.Errorf("PagerDuty %s: the answer has no %q list", path, key)
		}
		var got []T
		if err := json.Unmarshal(raw, &got); err != nil {
			return nil, fmt.Errorf("PagerDuty %s: %v", path, err)
		}
		out = append(out, got...)
		if !env.More || len(got) == 0 {
			return out, nil
		}
		offset += len(got)
	}
	return out, fmt.Errorf("PagerDuty %s: more than %d pages; showing the first %d entries", path, maxPages, len(out))
}

// APIError is an error answer of the API.
type APIError struct {
	Status  int
	Code    int
	Message string
	Errors  []string
	// RetryAfter is how long to wait before asking again (429), when PagerDuty says.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	msg := e.Message
	if len(e.Errors) > 0 {
		msg += ": " + strings.Join(e.Errors, "; ")
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	switch e.Status {
	case http.StatusUnauthorized:
		return fmt.Sprintf("PagerDuty refused the token (401 %s): check %s or run datatui auth pagerduty login again", msg, EnvToken)
	case http.StatusForbidden:
		return fmt.Sprintf("PagerDuty: this token may not read that (403 %s)", msg)
	case http.StatusTooManyRequests:
		wait := ""
		if e.RetryAfter > 0 {
			wait = fmt.Sprintf("; try again in %s", e.RetryAfter.Round(time.Second))
		}
		return fmt.Sprintf("PagerDuty is rate-limiting this token (429)%s", wait)
	}
	return fmt.Sprintf("PagerDuty answered %d: %s", e.Status, msg)
}

// maxBody bounds what is read of one answer.
const maxBody = 8 << 20

func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := *c.base
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("Authorization", "Token token="+c.token)
	req.Header.Set("User-Agent", "datatui")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// url.Error quotes the URL, which holds no secret; the cause is what matters.
			return nil, fmt.Errorf("PagerDuty %s: %v", path, ue.Err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("PagerDuty %s: %v", path, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, apiError(resp, body)
	}
	return body, nil
}

func apiError(resp *http.Response, body []byte) *APIError {
	e := &APIError{Status: resp.StatusCode}
	var doc struct {
		Error struct {
			Message string   `json:"message"`
			Code    int      `json:"code"`
			Errors  []string `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		// A server may echo what it was sent (the token among it): its words are redacted
		// before they become an error that anything could print or log.
		e.Message, e.Code = redact.String(doc.Error.Message), doc.Error.Code
		for _, m := range doc.Error.Errors {
			e.Errors = append(e.Errors, redact.String(m))
		}
	}
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
		e.RetryAfter = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(resp.Header.Get("Retry-After")); err == nil {
		e.RetryAfter = time.Until(t)
	}
	return e
}
