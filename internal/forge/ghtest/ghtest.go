// Package ghtest is a loopback GitHub API (GraphQL and REST) and dbt Cloud API for tests. Its
// answers are shaped like the documented responses of both services, with data written for
// datatui's tests (testdata/), and it can play the failures real servers produce: 401, primary
// and secondary rate limits with their headers, and a 5xx followed by success.
//
// Behaviour is chosen by the token the client sends, so one server per test needs no set-up
// calls and CLI scripts choose a scenario with GH_TOKEN alone:
//
//	ghp_…           normal answers
//	…bad…           401 Bad credentials
//	…ratelimit…     403, X-RateLimit-Remaining: 0 and a reset one second ahead
//	…secondary…     429 with Retry-After: 1 (a secondary rate limit)
//	…flaky…         the first request fails with 502, later ones succeed
//	…settle…        running checks finish (success) after two GraphQL requests with that token
package ghtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed testdata
var testdata embed.FS

// Token is a valid token for the fake (it also serves as the "secret" tests grep for).
const Token = "ghp_datatuiTestSecret0123456789abcdef"

// Request is one request the fake received.
type Request struct {
	Method string
	Path   string
	// Auth is the Authorization header as received.
	Auth string
	// Vars are the GraphQL variables, for GraphQL requests.
	Vars map[string]any
	// Query is the GraphQL query text.
	Query string
	Body  string
}

// Server is the fake GitHub.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	data     dataset
	requests []Request
	graphqls int
	failed   map[string]bool // tokens whose first request already failed
	perToken map[string]int  // GraphQL requests per token, for the settle scenario
	queued   []canned
	now      func() time.Time
}

type canned struct {
	status  int
	headers map[string]string
	body    string
}

type dataset struct {
	Viewer              string            `json:"viewer"`
	Repo                string            `json:"repo"`
	ReviewRequested     []int             `json:"reviewRequested"`
	Refs                []string          `json:"refs"`
	ProtectionForbidden []int             `json:"protectionForbidden"`
	PullRequests        []json.RawMessage `json:"pullRequests"`
}

// New starts the fake GitHub with the default data set.
func New() *Server {
	s := &Server{failed: map[string]bool{}, perToken: map[string]int{}, now: time.Now}
	raw, err := testdata.ReadFile("testdata/github-prs.json")
	if err != nil {
		panic(err) // embedded at build time
	}
	if err := json.Unmarshal(raw, &s.data); err != nil {
		panic(err)
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// APIURL is the value for DATATUI_GITHUB_API_URL.
func (s *Server) APIURL() string { return s.URL + "/" }

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// GraphQLCount is the number of GraphQL requests answered (successfully or not).
func (s *Server) GraphQLCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.graphqls
}

// QueueError makes the next request fail with status, headers and a JSON body.
func (s *Server) QueueError(status int, headers map[string]string, body string) {
	s.mu.Lock()
	s.queued = append(s.queued, canned{status, headers, body})
	s.mu.Unlock()
}

// SetPullRequests replaces the pull requests (GraphQL PullRequest objects as JSON).
func (s *Server) SetPullRequests(prs []json.RawMessage) {
	s.mu.Lock()
	s.data.PullRequests = prs
	s.mu.Unlock()
}

// PullRequestJSON returns the stored pull request objects (to derive variants in tests).
func (s *Server) PullRequestJSON() []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.data.PullRequests)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: string(body)}
	isGraphQL := r.Method == http.MethodPost && r.URL.Path == "/graphql"
	if isGraphQL {
		var gq struct {
			Query     string         `json:"query"`
			Variables map[string]any `json:"variables"`
		}
		_ = json.Unmarshal(body, &gq)
		req.Vars, req.Query = gq.Variables, gq.Query
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	if isGraphQL {
		s.graphqls++
	}
	var queued *canned
	if len(s.queued) > 0 {
		queued = &s.queued[0]
		s.queued = s.queued[1:]
	}
	s.mu.Unlock()

	// Blob storage (where job logs redirect to) is another host for GitHub: it must never
	// receive the token.
	if strings.HasPrefix(r.URL.Path, "/_blobs/") {
		s.serveBlob(w, r)
		return
	}
	if queued != nil {
		for k, v := range queued.headers {
			w.Header().Set(k, v)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(queued.status)
		_, _ = io.WriteString(w, queued.body)
		return
	}
	token, _ := strings.CutPrefix(req.Auth, "token ")
	if !s.authorize(w, token) {
		return
	}
	now := s.now()
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4990")
	w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
	w.Header().Set("X-RateLimit-Used", "10")
	switch {
	case isGraphQL:
		w.Header().Set("X-RateLimit-Resource", "graphql")
		s.mu.Lock()
		s.perToken[token]++
		settle := strings.Contains(token, "settle") && s.perToken[token] > 2
		s.mu.Unlock()
		s.serveGraphQL(w, req, settle)
	case r.Method == http.MethodGet && jobLogsPath.MatchString(r.URL.Path):
		m := jobLogsPath.FindStringSubmatch(r.URL.Path)
		w.Header().Set("Location", s.URL+"/_blobs/actions-job-"+m[1]+".log?sig=short-lived")
		w.WriteHeader(http.StatusFound)
	case r.Method == http.MethodPost && jobRerunPath.MatchString(r.URL.Path):
		writeJSON(w, http.StatusCreated, map[string]any{})
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	}
}

var (
	jobLogsPath  = regexp.MustCompile(`^/repos/[^/]+/[^/]+/actions/jobs/(\d+)/logs$`)
	jobRerunPath = regexp.MustCompile(`^/repos/[^/]+/[^/]+/actions/jobs/(\d+)/rerun$`)
)

// authorize plays the token-chosen scenario; false when it already answered.
func (s *Server) authorize(w http.ResponseWriter, token string) bool {
	now := s.now()
	switch {
	case token == "":
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Requires authentication", "documentation_url": "https://docs.github.com/rest"})
		return false
	case strings.Contains(token, "bad"):
		writeJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
		return false
	case strings.Contains(token, "ratelimit"):
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Second).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]string{"message": "API rate limit exceeded for user ID 1.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})
		return false
	case strings.Contains(token, "secondary"):
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.", "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
		return false
	case strings.Contains(token, "flaky"):
		s.mu.Lock()
		first := !s.failed[token]
		s.failed[token] = true
		s.mu.Unlock()
		if first {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
			return false
		}
	}
	return true
}

func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		http.Error(w, "the GitHub token was sent to blob storage", http.StatusBadRequest)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/_blobs/")
	data, err := testdata.ReadFile("testdata/" + name)
	if err != nil || strings.Contains(name, "/") {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<Error><Code>BlobNotFound</Code></Error>")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(data)
}

func (s *Server) serveGraphQL(w http.ResponseWriter, req Request, settle bool) {
	for _, field := range []string{"statusCheckRollup", "rateLimit", "search(", "checkSuites"} {
		if !strings.Contains(req.Query, field) {
			writeJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": "the fake expects the query to ask for " + field}}})
			return
		}
	}
	s.mu.Lock()
	data := s.data
	s.mu.Unlock()

	str := func(k string) string { v, _ := req.Vars[k].(string); return v }
	search := str("search")
	first := 50
	if f, ok := req.Vars["first"].(float64); ok {
		first = int(f)
	}
	var nodes []any
	var errs []map[string]any
	for _, raw := range data.PullRequests {
		var head struct {
			Number int `json:"number"`
			Author struct {
				Login string `json:"login"`
			} `json:"author"`
		}
		_ = json.Unmarshal(raw, &head)
		switch {
		case strings.Contains(search, "author:@me") && head.Author.Login != data.Viewer:
			continue
		case strings.Contains(search, "review-requested:@me") && !slices.Contains(data.ReviewRequested, head.Number):
			continue
		}
		if len(nodes) == first {
			break
		}
		node := decode(raw, settle)
		if slices.Contains(data.ProtectionForbidden, head.Number) {
			errs = append(errs, map[string]any{"type": "FORBIDDEN", "message": "Resource not accessible by integration",
				"path": []any{"search", "nodes", len(nodes), "baseRef", "branchProtectionRule"}, "locations": []map[string]int{{"line": 14, "column": 14}}})
		}
		nodes = append(nodes, node)
	}
	out := map[string]any{
		"viewer":    map[string]any{"login": data.Viewer},
		"rateLimit": map[string]any{"limit": 5000, "cost": 1, "remaining": 4990, "resetAt": s.now().Add(time.Hour).UTC().Format(time.RFC3339)},
		"search":    map[string]any{"issueCount": len(nodes), "nodes": nodes},
	}
	if with, _ := req.Vars["withBranch"].(bool); with {
		branch := str("branch")
		var ref any
		if slices.Contains(data.Refs, branch) {
			ref = map[string]any{"name": branch}
		}
		var prNodes []any
		for _, raw := range data.PullRequests {
			var head struct {
				HeadRefName string `json:"headRefName"`
			}
			_ = json.Unmarshal(raw, &head)
			if head.HeadRefName == branch {
				prNodes = append(prNodes, decode(raw, settle))
				break
			}
		}
		out["repository"] = map[string]any{"ref": ref, "pullRequests": map[string]any{"nodes": emptyIfNil(prNodes)}}
	}
	resp := map[string]any{"data": out}
	if len(errs) > 0 {
		resp["errors"] = errs
	}
	writeJSON(w, http.StatusOK, resp)
}

func emptyIfNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// decode returns a PR object; with settle, running checks are shown finished and successful.
func decode(raw json.RawMessage, settle bool) any {
	if settle {
		raw = bytes.ReplaceAll(raw, []byte(`"status": "IN_PROGRESS"`), []byte(`"status": "COMPLETED"`))
		raw = bytes.ReplaceAll(raw, []byte(`"conclusion": null`), []byte(`"conclusion": "SUCCESS"`))
		raw = bytes.ReplaceAll(raw, []byte(`"state": "PENDING"`), []byte(`"state": "SUCCESS"`))
		raw = bytes.ReplaceAll(raw, []byte(`"status": "QUEUED"`), []byte(`"status": "COMPLETED"`))
	}
	var v any
	_ = json.Unmarshal(raw, &v)
	return v
}

// ReadTestdata returns one of the embedded payloads (for tests that build variants).
func ReadTestdata(name string) ([]byte, error) { return testdata.ReadFile("testdata/" + name) }

// DBTCloud is the fake dbt Cloud API v2.
type DBTCloud struct {
	*httptest.Server
	// Token is the token it accepts.
	Token string

	mu        sync.Mutex
	runs      map[int64][]byte
	runList   []byte
	artifacts map[int64][]byte
	trigger   []byte
	triggers  []string // request bodies of POST …/run/
	auths     []string
}

// DBTCloudToken is the token NewDBTCloud accepts.
const DBTCloudToken = "dbtc_datatuiTestSecret9876543210"

// NewDBTCloud starts the fake with datatui's own payloads: run 42 failed (with steps and
// run_results.json), 43 running, 44 succeeded, the CI job's run list and a trigger answer.
func NewDBTCloud() *DBTCloud {
	d := &DBTCloud{Token: DBTCloudToken, runs: map[int64][]byte{}, artifacts: map[int64][]byte{}}
	for _, id := range []int64{42, 43, 44} {
		d.runs[id], _ = testdata.ReadFile(fmt.Sprintf("testdata/dbtcloud-run-%d.json", id))
	}
	d.artifacts[42], _ = testdata.ReadFile("testdata/dbtcloud-run_results-42.json")
	d.runList, _ = testdata.ReadFile("testdata/dbtcloud-runs.json")
	d.trigger, _ = testdata.ReadFile("testdata/dbtcloud-trigger.json")
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	return d
}

// SetRun serves body (a whole envelope) for run id.
func (d *DBTCloud) SetRun(id int64, body []byte) {
	d.mu.Lock()
	d.runs[id] = body
	d.mu.Unlock()
}

// SetRunFile serves a file (for example a shared fixture) for run id.
func (d *DBTCloud) SetRunFile(id int64, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	d.SetRun(id, b)
	return nil
}

// SetTrigger serves body for job trigger requests.
func (d *DBTCloud) SetTrigger(body []byte) {
	d.mu.Lock()
	d.trigger = body
	d.mu.Unlock()
}

// Triggers returns the JSON bodies of the trigger requests received.
func (d *DBTCloud) Triggers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.triggers)
}

// Auths returns the Authorization headers received.
func (d *DBTCloud) Auths() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.auths)
}

var (
	runPath      = regexp.MustCompile(`^/api/v2/accounts/\d+/runs/(\d+)/$`)
	runsPath     = regexp.MustCompile(`^/api/v2/accounts/\d+/runs/$`)
	artifactPath = regexp.MustCompile(`^/api/v2/accounts/\d+/runs/(\d+)/artifacts/run_results\.json$`)
	triggerPath  = regexp.MustCompile(`^/api/v2/accounts/\d+/jobs/\d+/run/$`)
)

func envelopeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"status": map[string]any{"code": status, "is_success": false, "user_message": msg, "developer_message": msg}, "data": nil})
}

func (d *DBTCloud) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	d.mu.Lock()
	d.auths = append(d.auths, r.Header.Get("Authorization"))
	d.mu.Unlock()
	if r.Header.Get("Authorization") != "Token "+d.Token && r.Header.Get("Authorization") != "Bearer "+d.Token {
		envelopeError(w, http.StatusUnauthorized, "Invalid token.")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && runPath.MatchString(p):
		id, _ := strconv.ParseInt(runPath.FindStringSubmatch(p)[1], 10, 64)
		if inc := r.URL.Query().Get("include_related"); !strings.Contains(inc, `"run_steps"`) {
			envelopeError(w, http.StatusBadRequest, "the fake expects include_related with run_steps")
			return
		}
		b, ok := d.runs[id]
		if !ok {
			envelopeError(w, http.StatusNotFound, "Run not found.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case r.Method == http.MethodGet && runsPath.MatchString(p):
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(d.runList)
	case r.Method == http.MethodGet && artifactPath.MatchString(p):
		id, _ := strconv.ParseInt(artifactPath.FindStringSubmatch(p)[1], 10, 64)
		b, ok := d.artifacts[id]
		if !ok {
			envelopeError(w, http.StatusNotFound, "Artifact not found.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case r.Method == http.MethodPost && triggerPath.MatchString(p):
		var req map[string]any
		if json.Unmarshal(body, &req) != nil || req["cause"] == nil {
			envelopeError(w, http.StatusBadRequest, "cause is required")
			return
		}
		d.triggers = append(d.triggers, string(body))
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(d.trigger)
	default:
		envelopeError(w, http.StatusNotFound, "Not found.")
	}
}
