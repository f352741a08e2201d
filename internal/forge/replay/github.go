// Package replay serves recorded GitHub (GraphQL and REST) and dbt Cloud API v2 answers on a
// loopback address. The demo workspace starts one so its PR screen works offline through the
// very clients that talk to the real services; the tests' fakes (package ghtest) are built on
// it too, so the demo and the tests exercise the same path.
package replay

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/lazyre"
)

// GitHubData is one repository's open pull requests as GitHub's GraphQL API returns them
// (PullRequest objects; each check carries its isRequired answer), with the viewer, the
// branches that exist, and the pull requests whose review was requested from the viewer.
type GitHubData struct {
	Viewer          string            `json:"viewer"`
	Repo            string            `json:"repo"`
	ReviewRequested []int             `json:"reviewRequested"`
	Refs            []string          `json:"refs"`
	PullRequests    []json.RawMessage `json:"pullRequests"`
}

// GitHub answers GraphQL queries over GitHubData, Actions job logs (through a redirect to a
// blob URL that refuses the token, as GitHub's storage does) and job re-runs.
type GitHub struct {
	mu   sync.Mutex
	data GitHubData
	logs map[string][]byte // job id → log text
	now  func() time.Time
}

// NewGitHub serves data; logs maps Actions job ids to their log text.
func NewGitHub(data GitHubData, logs map[string][]byte) *GitHub {
	if logs == nil {
		logs = map[string][]byte{}
	}
	return &GitHub{data: data, logs: logs, now: time.Now}
}

// SetPullRequests replaces the recorded pull requests.
func (g *GitHub) SetPullRequests(prs []json.RawMessage) {
	g.mu.Lock()
	g.data.PullRequests = prs
	g.mu.Unlock()
}

// PullRequests returns the recorded pull requests.
func (g *GitHub) PullRequests() []json.RawMessage {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.data.PullRequests)
}

// GraphQLRequest is a decoded POST /graphql body.
type GraphQLRequest struct {
	Query     string         `json:"query"`
	Variables map[string]any `json:"variables"`
}

var (
	jobLogsPath  = lazyre.New(`^/repos/[^/]+/[^/]+/actions/jobs/(\d+)/logs$`)
	jobRerunPath = lazyre.New(`^/repos/[^/]+/[^/]+/actions/jobs/(\d+)/rerun$`)
)

// ServeHTTP answers one request.
func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/graphql":
		var req GraphQLRequest
		body, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(body, &req); err != nil {
			WriteJSON(w, http.StatusBadRequest, map[string]any{"message": "Problems parsing JSON"})
			return
		}
		g.ServeGraphQL(w, req, nil)
	case strings.HasPrefix(r.URL.Path, "/_blobs/"):
		g.serveBlob(w, r)
	case r.Method == http.MethodGet && jobLogsPath.MatchString(r.URL.Path):
		id := jobLogsPath.FindStringSubmatch(r.URL.Path)[1]
		// An absolute URL on this server's own address: for the client it is another host
		// than the API's, as GitHub's blob storage is, so the token must not follow.
		w.Header().Set("Location", "http://"+r.Host+"/_blobs/actions-job-"+id+".log?sig=short-lived")
		w.WriteHeader(http.StatusFound)
	case r.Method == http.MethodPost && jobRerunPath.MatchString(r.URL.Path):
		WriteJSON(w, http.StatusCreated, map[string]any{})
	default:
		WriteJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"})
	}
}

// ServeGraphQL answers one query; tweak, when set, rewrites each pull request's JSON first
// (the tests use it to make running checks finish, or mergeability not computed yet).
func (g *GitHub) ServeGraphQL(w http.ResponseWriter, req GraphQLRequest, tweak func([]byte) []byte) {
	g.mu.Lock()
	data := g.data
	now := g.now()
	g.mu.Unlock()
	prs := make([]map[string]any, 0, len(data.PullRequests))
	for _, raw := range data.PullRequests {
		if tweak != nil {
			raw = tweak(raw)
		}
		var pr map[string]any
		if json.Unmarshal(raw, &pr) == nil {
			pr["__typename"] = "PullRequest"
			prs = append(prs, pr)
		}
	}
	resolve := func(parent map[string]any, field string, args map[string]any) (any, bool) {
		return resolveGitHub(data, prs, now, parent, field, args)
	}
	out, err := Execute(req.Query, req.Variables, resolve)
	if err != nil {
		WriteJSON(w, http.StatusOK, map[string]any{"errors": []map[string]any{{"message": err.Error()}}})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"data": out})
}

func resolveGitHub(data GitHubData, prs []map[string]any, now time.Time, parent map[string]any, field string, args map[string]any) (any, bool) {
	str := func(k string) string { s, _ := args[k].(string); return s }
	number := func(pr map[string]any) int { n, _ := asInt(pr["number"]); return n }
	if IsRoot(parent) {
		switch field {
		case "viewer":
			return map[string]any{"__typename": "User", "login": data.Viewer}, true
		case "rateLimit":
			return map[string]any{"limit": 5000, "cost": 1, "remaining": 4990, "used": 10, "resetAt": now.Add(time.Hour).UTC().Format(time.RFC3339)}, true
		case "repository":
			if !strings.EqualFold(str("owner")+"/"+str("name"), data.Repo) {
				return nil, true
			}
			return map[string]any{"__typename": "Repository", "nameWithOwner": data.Repo}, true
		case "search":
			q := str("query")
			var nodes []any
			for _, pr := range prs {
				author, _ := pr["author"].(map[string]any)
				switch {
				case !strings.Contains(q, "repo:"+data.Repo):
					continue
				case strings.Contains(q, "author:@me") && (author == nil || author["login"] != data.Viewer):
					continue
				case strings.Contains(q, "review-requested:@me") && !slices.Contains(data.ReviewRequested, number(pr)):
					continue
				}
				nodes = append(nodes, pr)
			}
			conn, _ := page(map[string]any{"nodes": emptyIfNil(nodes)}, args)
			conn["issueCount"] = len(nodes)
			return conn, true
		}
		return nil, false
	}
	if parent["__typename"] == "Repository" {
		switch field {
		case "ref":
			name := strings.TrimPrefix(str("qualifiedName"), "refs/heads/")
			if slices.Contains(data.Refs, name) {
				return map[string]any{"__typename": "Ref", "name": name, "prefix": "refs/heads/"}, true
			}
			return nil, true
		case "pullRequest":
			want, _ := asInt(args["number"])
			for _, pr := range prs {
				if number(pr) == want {
					return pr, true
				}
			}
			return nil, true
		case "pullRequests":
			var nodes []any
			for _, pr := range prs {
				if head := str("headRefName"); head == "" || pr["headRefName"] == head {
					nodes = append(nodes, pr)
				}
			}
			conn, _ := page(map[string]any{"nodes": emptyIfNil(nodes)}, args)
			return conn, true
		}
	}
	if field == "latestOpinionatedReviews" && args["writersOnly"] == true {
		conn, _ := parent[field].(map[string]any)
		nodes, _ := conn["nodes"].([]any)
		var writers []any
		for _, n := range nodes {
			if r, ok := n.(map[string]any); ok && r["authorCanPushToRepository"] != false {
				writers = append(writers, r)
			}
		}
		out, _ := page(map[string]any{"nodes": emptyIfNil(writers)}, args)
		return out, true
	}
	return nil, false
}

func emptyIfNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

func (g *GitHub) serveBlob(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		http.Error(w, "the GitHub token was sent to blob storage", http.StatusBadRequest)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/_blobs/")
	id := strings.TrimSuffix(strings.TrimPrefix(name, "actions-job-"), ".log")
	g.mu.Lock()
	data, ok := g.logs[id]
	g.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, "<Error><Code>BlobNotFound</Code></Error>")
		return
	}
	w.Header().Set("Content-Type", "text/plain")
	_, _ = w.Write(data)
}

// WriteJSON writes v as a JSON answer.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
