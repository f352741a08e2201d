package forge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/cli/go-gh/v2/pkg/api"
	"github.com/cli/go-gh/v2/pkg/auth"

	"github.com/datatui/datatui/internal/forge/transfer"
	"github.com/datatui/datatui/internal/redact"
)

// EnvAPIURL overrides the GitHub API base URL (for GitHub Enterprise proxies and tests). It is
// the folder under which `graphql` and the REST paths live, like https://api.github.com/.
const EnvAPIURL = "DATATUI_GITHUB_API_URL"

// localHost is go-gh's host that stays on plain http; an API URL override is reached through it.
const localHost = "github.localhost"

// Options configure a Client.
type Options struct {
	// Host is github.com or a GitHub Enterprise host (default: GH_HOST, else github.com).
	Host string
	// Token is the token to use; empty means resolve it like gh does (GH_TOKEN, GITHUB_TOKEN,
	// GH_ENTERPRISE_TOKEN, gh's stored login).
	Token string
	// APIURL overrides the API base (default: $DATATUI_GITHUB_API_URL).
	APIURL string
	// TokenForHost resolves a token (default: go-gh's auth.TokenForHost). Tests replace it so
	// no real gh login is consulted.
	TokenForHost func(host string) (token, source string)
	// Transport is the HTTP transport under go-gh's (default: http.DefaultTransport).
	Transport http.RoundTripper
	// Timeout bounds each request (default 30 s); log downloads are bounded by inactivity
	// instead (see JobLogTail), so a long log is never cut off.
	Timeout time.Duration
	// MergeabilityRetries is how often a refresh asks again for PRs whose mergeability GitHub
	// has not computed yet (default 3; negative: never), MergeabilityDelay how long it waits
	// before each (default 2 s).
	MergeabilityRetries int
	MergeabilityDelay   time.Duration
}

// Client is a GitHub API client built on go-gh. It is safe for concurrent use.
type Client struct {
	host        string
	tokenSource string
	token       string
	gql         *api.GraphQLClient
	rest        *api.RESTClient

	// unknownRetries and unknownDelay: see Options.MergeabilityRetries.
	unknownRetries int
	unknownDelay   time.Duration
	// logs downloads job logs without an overall timeout.
	logs *api.RESTClient

	mu   sync.Mutex
	rate RateLimit
}

// NewClient resolves the host and the token and builds the go-gh clients. It returns
// ErrNotSignedIn when no token is found.
func NewClient(opts Options) (*Client, error) {
	host := opts.Host
	if host == "" {
		host, _ = auth.DefaultHost()
	}
	token, source := opts.Token, "option"
	if token == "" {
		resolve := opts.TokenForHost
		if resolve == nil {
			resolve = auth.TokenForHost
		}
		token, source = resolve(host)
	}
	if token == "" {
		return nil, ErrNotSignedIn
	}
	apiURL := opts.APIURL
	if apiURL == "" {
		apiURL = os.Getenv(EnvAPIURL)
	}
	transport := opts.Transport
	if transport == nil {
		transport = http.DefaultTransport
	}
	timeout := opts.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	redact.Add(token) // from here on, no output can show it
	c := &Client{host: host, token: token, tokenSource: source, unknownRetries: 3, unknownDelay: 2 * time.Second}
	if opts.MergeabilityRetries != 0 {
		c.unknownRetries = max(opts.MergeabilityRetries, 0)
	}
	if opts.MergeabilityDelay > 0 {
		c.unknownDelay = opts.MergeabilityDelay
	}
	ghOpts := api.ClientOptions{
		Host:         host,
		AuthToken:    token,
		Timeout:      timeout,
		LogIgnoreEnv: true, // GH_DEBUG would print request headers, token included
		Headers:      map[string]string{"User-Agent": "datatui"},
	}
	if apiURL != "" {
		base, err := url.Parse(apiURL)
		if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
			return nil, fmt.Errorf("%s=%q is not an http(s) URL", EnvAPIURL, apiURL)
		}
		if !strings.HasSuffix(base.Path, "/") {
			base.Path += "/"
		}
		// go-gh sends github.localhost requests to http://api.github.localhost/…, with the
		// token; the rewrite sends exactly those to the override and nothing else.
		ghOpts.Host = localHost
		transport = &rewriteTransport{from: "api." + localHost, base: base, next: transport}
	}
	ghOpts.Transport = &rateTransport{client: c, next: transport}
	var err error
	if c.gql, err = api.NewGraphQLClient(ghOpts); err != nil {
		return nil, scrub(err, token)
	}
	if c.rest, err = api.NewRESTClient(ghOpts); err != nil {
		return nil, scrub(err, token)
	}
	// A job log of many MB takes longer than any fixed timeout on a slow line: it is bounded
	// by the time to the first byte and by inactivity instead (see transfer).
	logOpts := ghOpts
	logOpts.Timeout = 0
	logOpts.Transport = transfer.HeaderTimeout(ghOpts.Transport, timeout)
	if c.logs, err = api.NewRESTClient(logOpts); err != nil {
		return nil, scrub(err, token)
	}
	return c, nil
}

// Host is the GitHub host the client signs in to.
func (c *Client) Host() string { return c.host }

// TokenSource says where the token came from (GH_TOKEN, oauth_token, gh…), never the token.
func (c *Client) TokenSource() string { return c.tokenSource }

// RateLimit is the budget reported by the last response.
func (c *Client) RateLimit() RateLimit {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rate
}

func (c *Client) noteRate(rl RateLimit) {
	if !rl.Known {
		return
	}
	c.mu.Lock()
	c.rate = rl
	c.mu.Unlock()
}

// graphql runs one query and decodes data into out. GraphQL errors whose path is in ignore
// (for example a branch protection rule the token may not read) are tolerated.
func (c *Client) graphql(ctx context.Context, query string, vars map[string]any, out any, tolerate func(api.GraphQLErrorItem) bool) error {
	err := c.gql.DoWithContext(ctx, query, vars, out)
	return c.mapError(err, tolerate)
}

// mapError turns go-gh errors into forge's typed errors, with the token scrubbed.
func (c *Client) mapError(err error, tolerate func(api.GraphQLErrorItem) bool) error {
	if err == nil {
		return nil
	}
	var he *api.HTTPError
	if errors.As(err, &he) {
		if typed := classifyHTTP(he.StatusCode, he.Headers, he.Message, c.host, time.Now()); typed != nil {
			return typed
		}
		return scrub(fmt.Errorf("GitHub: %s", strings.SplitN(he.Message, "\n", 2)[0]), c.token)
	}
	var ge *api.GraphQLError
	if errors.As(err, &ge) {
		var left []api.GraphQLErrorItem
		for _, item := range ge.Errors {
			if item.Type == "RATE_LIMITED" {
				rl := c.RateLimit()
				return &RateLimitError{Status: 200, Reset: rl.Reset}
			}
			if tolerate != nil && tolerate(item) {
				continue
			}
			left = append(left, item)
		}
		if len(left) == 0 {
			return nil
		}
		return scrub(&api.GraphQLError{Errors: left}, c.token)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return scrub(fmt.Errorf("GitHub: %w", err), c.token)
}

// rewriteTransport sends requests for one host to an override base URL.
type rewriteTransport struct {
	from string
	base *url.URL
	next http.RoundTripper
}

func (t *rewriteTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.EqualFold(req.URL.Host, t.from) {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	u := *t.base
	u.Path = t.base.Path + strings.TrimPrefix(req.URL.Path, "/")
	u.RawQuery = req.URL.RawQuery
	r.URL = &u
	r.Host = u.Host
	return t.next.RoundTrip(r)
}

// rateTransport records the rate-limit headers of every response.
type rateTransport struct {
	client *Client
	next   http.RoundTripper
}

func (t *rateTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err == nil {
		t.client.noteRate(rateLimitFromHeaders(resp.Header))
	}
	return resp, err
}

// restPost issues a POST with a JSON body and discards the response body.
func (c *Client) restPost(ctx context.Context, path string, body io.Reader) error {
	resp, err := c.rest.RequestWithContext(ctx, http.MethodPost, path, body)
	if err != nil {
		return c.mapError(err, nil)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Body.Close()
}
