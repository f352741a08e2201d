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
//	…unknown…       the first pull-request details say mergeability is not computed (UNKNOWN)
//
// The answers come from package replay, the same server the demo workspace uses. When GitHub's
// published schema is among the shared fixtures, every GraphQL document the fake receives is
// validated against it first, so no test passes with a query GitHub would refuse.
package ghtest

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/forge/replay"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/testutil/fixtures"
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
	gh *replay.GitHub

	mu       sync.Mutex
	requests []Request
	graphqls int
	failed   map[string]bool // tokens whose first request already failed
	perToken map[string]int  // GraphQL requests per token, for the settle scenario
	details  map[string]int  // detail requests per token, for the unknown scenario
	queued   []canned
	now      func() time.Time
}

type canned struct {
	status  int
	headers map[string]string
	body    string
}

// New starts the fake GitHub with the default data set.
func New() *Server {
	data, logs, err := Dataset()
	if err != nil {
		panic(err) // embedded at build time
	}
	s := &Server{gh: replay.NewGitHub(data, logs), failed: map[string]bool{}, perToken: map[string]int{}, details: map[string]int{}, now: time.Now}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Dataset is the recorded GitHub the fake serves: acme/analytics's pull requests
// (testdata/github-prs.json) and the Actions job logs (testdata/actions-job-*.log).
func Dataset() (replay.GitHubData, map[string][]byte, error) {
	var data replay.GitHubData
	raw, err := testdata.ReadFile("testdata/github-prs.json")
	if err != nil {
		return data, nil, err
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		return data, nil, err
	}
	logs := map[string][]byte{}
	entries, _ := testdata.ReadDir("testdata")
	for _, e := range entries {
		if id, ok := strings.CutPrefix(e.Name(), "actions-job-"); ok {
			logs[strings.TrimSuffix(id, ".log")], _ = testdata.ReadFile("testdata/" + e.Name())
		}
	}
	return data, logs, nil
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
func (s *Server) SetPullRequests(prs []json.RawMessage) { s.gh.SetPullRequests(prs) }

// PullRequestJSON returns the stored pull request objects (to derive variants in tests).
func (s *Server) PullRequestJSON() []json.RawMessage { return s.gh.PullRequests() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := Request{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: string(body)}
	var gq replay.GraphQLRequest
	isGraphQL := r.Method == http.MethodPost && r.URL.Path == "/graphql"
	if isGraphQL {
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
	// receive the token (replay refuses it).
	if strings.HasPrefix(r.URL.Path, "/_blobs/") {
		s.gh.ServeHTTP(w, r)
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
	if !isGraphQL {
		s.gh.ServeHTTP(w, r)
		return
	}
	w.Header().Set("X-RateLimit-Resource", "graphql")
	if err := validate(gq); err != nil {
		replay.WriteJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": err.Error()}}})
		return
	}
	s.mu.Lock()
	s.perToken[token]++
	settle := strings.Contains(token, "settle") && s.perToken[token] > 4
	detail := strings.Contains(gq.Query, "query DatatuiPullRequests(")
	if detail {
		s.details[token]++
	}
	unknown := strings.Contains(token, "unknown") && detail && s.details[token] == 1
	s.mu.Unlock()
	s.gh.ServeGraphQL(w, gq, func(raw []byte) []byte {
		if settle {
			raw = settled(raw)
		}
		if unknown {
			raw = mergeStatePattern.Re().ReplaceAll(raw, []byte(`"mergeStateStatus": "UNKNOWN"`))
		}
		return raw
	})
}

var mergeStatePattern = lazyre.New(`"mergeStateStatus": "[A-Z_]+"`)

// validate checks a GraphQL request against GitHub's schema when the shared fixtures are
// present (they are in CI); without them the recorded answers alone are the check.
func validate(gq replay.GraphQLRequest) error {
	root := fixtures.Root()
	if root == "" {
		return nil
	}
	schema, err := LoadSchema(filepath.Join(root, filepath.FromSlash(SchemaPath)))
	if err != nil {
		return fmt.Errorf("loading GitHub's schema: %v", err)
	}
	return ValidateQuery(schema, gq.Query, gq.Variables)
}

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

func writeJSON(w http.ResponseWriter, status int, v any) { replay.WriteJSON(w, status, v) }

// settled shows running checks finished and successful.
func settled(raw []byte) []byte {
	raw = bytes.ReplaceAll(raw, []byte(`"status": "IN_PROGRESS"`), []byte(`"status": "COMPLETED"`))
	raw = bytes.ReplaceAll(raw, []byte(`"conclusion": null`), []byte(`"conclusion": "SUCCESS"`))
	raw = bytes.ReplaceAll(raw, []byte(`"state": "PENDING"`), []byte(`"state": "SUCCESS"`))
	raw = bytes.ReplaceAll(raw, []byte(`"status": "QUEUED"`), []byte(`"status": "COMPLETED"`))
	return raw
}

// ReadTestdata returns one of the embedded payloads (for tests that build variants).
func ReadTestdata(name string) ([]byte, error) { return testdata.ReadFile("testdata/" + name) }

// DBTCloud is the fake dbt Cloud API v2 (package replay's, with the requests recorded).
type DBTCloud struct {
	*httptest.Server
	*replay.DBTCloud

	mu       sync.Mutex
	requests []DBTRequest
	answers  map[string][]byte
}

// DBTRequest is one request the fake dbt Cloud received, with its body.
type DBTRequest struct {
	*http.Request
	Payload []byte
}

// DBTCloudToken is the token NewDBTCloud accepts.
const DBTCloudToken = "dbtc_datatuiTestSecret9876543210"

// DBTCloudDataset is datatui's own recorded account 1001: run 42 failed in step 4 (with
// run_results.json), 43 running, 44 succeeded, all runs of CI job 12345, and a trigger answer.
func DBTCloudDataset() (replay.DBTCloudData, error) {
	var d replay.DBTCloudData
	list, err := testdata.ReadFile("testdata/dbtcloud-runs.json")
	if err != nil {
		return d, err
	}
	var env struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(list, &env); err != nil {
		return d, err
	}
	d.Runs = env.Data
	for _, id := range []int{42, 43, 44} {
		b, err := testdata.ReadFile(fmt.Sprintf("testdata/dbtcloud-run-%d.json", id))
		if err != nil {
			return d, err
		}
		d.Runs = append(d.Runs, b)
	}
	rr, err := testdata.ReadFile("testdata/dbtcloud-run_results-42.json")
	if err != nil {
		return d, err
	}
	d.Artifacts = map[string][]byte{"42/4/run_results.json": rr}
	d.Trigger, err = testdata.ReadFile("testdata/dbtcloud-trigger.json")
	return d, err
}

// NewDBTCloud starts the fake with DBTCloudDataset.
func NewDBTCloud() *DBTCloud {
	data, err := DBTCloudDataset()
	if err != nil {
		panic(err) // embedded at build time
	}
	inner, err := replay.NewDBTCloud(data, DBTCloudToken)
	if err != nil {
		panic(err)
	}
	d := &DBTCloud{DBTCloud: inner, answers: map[string][]byte{}}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		d.mu.Lock()
		d.requests = append(d.requests, DBTRequest{Request: r.Clone(r.Context()), Payload: body})
		canned, ok := d.answers[r.URL.Path]
		d.mu.Unlock()
		if ok {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(canned)
			return
		}
		inner.ServeHTTP(w, r)
	}))
	return d
}

// SetAnswer serves body as is (HTTP 200) for path, whatever it holds: recorded envelopes whose
// status disagrees with the HTTP status, answers without data.
func (d *DBTCloud) SetAnswer(path string, body []byte) {
	d.mu.Lock()
	d.answers[path] = body
	d.mu.Unlock()
}

// Requests returns the requests received (method, URL with query, headers, body).
func (d *DBTCloud) Requests() []DBTRequest {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.requests)
}

// Auths returns the Authorization headers received.
func (d *DBTCloud) Auths() []string {
	var out []string
	for _, r := range d.Requests() {
		out = append(out, r.Header.Get("Authorization"))
	}
	return out
}
