// Package dbtcloud reads dbt Cloud CI runs through the Administrative API v2: the run behind a
// pull request's check, its steps with their logs, the failing nodes from the run's
// run_results.json, and re-running the CI job for a pull request.
package dbtcloud

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/forge/transfer"
	"github.com/datatui/datatui/internal/redact"
)

// EnvAPIURL sends every dbt Cloud request to one base URL instead of https://<host> (tests, a
// proxy); the token is still chosen by the run's host.
const EnvAPIURL = "DATATUI_DBT_CLOUD_API_URL"

// ErrNoToken says how to give datatui a token.
var ErrNoToken = errors.New("no dbt Cloud token: run `datatui auth dbt-cloud login`, or export " + EnvToken + " (with " + EnvAccountHost + " when your account is not on " + DefaultHost + "), or use the dbt Cloud CLI's ~/.dbt/dbt_cloud.yml; create the token in dbt Cloud under Account settings → API tokens")

// Run status codes.
const (
	StatusQueued    = 1
	StatusStarting  = 2
	StatusRunning   = 3
	StatusSuccess   = 10
	StatusError     = 20
	StatusCancelled = 30
)

// StatusName is the word for a status code.
func StatusName(code int) string {
	switch code {
	case StatusQueued:
		return "queued"
	case StatusStarting:
		return "starting"
	case StatusRunning:
		return "running"
	case StatusSuccess:
		return "success"
	case StatusError:
		return "error"
	case StatusCancelled:
		return "cancelled"
	}
	return fmt.Sprintf("status %d", code)
}

// StatusBucket maps a status code onto the check buckets (pass, fail, pending, cancel).
func StatusBucket(code int) string {
	switch code {
	case StatusSuccess:
		return "pass"
	case StatusError:
		return "fail"
	case StatusCancelled:
		return "cancel"
	}
	return "pending"
}

// Client calls one dbt Cloud host with that host's token.
type Client struct {
	host  string
	base  *url.URL
	token string
	http  *http.Client
}

// requestTimeout bounds the wait for an answer and every pause while reading one; a large
// run_results.json on a slow line is never cut off half-way.
const requestTimeout = 30 * time.Second

// NewClient builds a client for cred's host. The token goes to that host (or cred.BaseURL /
// DATATUI_DBT_CLOUD_API_URL standing in for it) and nowhere else.
func NewClient(cred Credential, hc *http.Client) (*Client, error) {
	if cred.Token == "" {
		return nil, ErrNoToken
	}
	host := NormalizeHost(cred.Host)
	if host == "" {
		host = DefaultHost
	}
	base := cred.BaseURL
	if base == "" {
		base = os.Getenv(EnvAPIURL)
	}
	if base == "" {
		base = "https://" + host
	}
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("dbt Cloud host %q is not a host name or an http(s) URL", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if hc == nil {
		hc = &http.Client{Transport: transfer.HeaderTimeout(nil, requestTimeout)}
	}
	redact.Add(cred.Token) // from here on, no output can show it
	return &Client{host: host, base: u, token: cred.Token, http: hc}, nil
}

// Host is the dbt Cloud host the client's token belongs to.
func (c *Client) Host() string { return c.host }

// APIError is a failed call, with dbt Cloud's own message when it sent one.
type APIError struct {
	Status  int
	Path    string
	Message string
}

func (e *APIError) Error() string {
	hint := ""
	switch e.Status {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = ": the token was refused; sign in again with `datatui auth dbt-cloud login` (it needs access to this account's jobs and runs)"
	case http.StatusNotFound:
		hint = ": check dbt_cloud.account_id / ci_job_id in datatui.yml and the dbt Cloud host"
	case http.StatusTooManyRequests:
		hint = ": dbt Cloud rate limit, try again in a minute"
	}
	msg := e.Message
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("dbt Cloud %s: HTTP %d %s%s", e.Path, e.Status, msg, hint)
}

type envelope struct {
	Status struct {
		Code             int    `json:"code"`
		IsSuccess        bool   `json:"is_success"`
		UserMessage      string `json:"user_message"`
		DeveloperMessage string `json:"developer_message"`
	} `json:"status"`
	Data  json.RawMessage `json:"data"`
	Extra json.RawMessage `json:"extra"`
}

// maxBody bounds a response; run_results.json of a big project is a few MB.
const maxBody = 64 << 20

// do calls path and decodes the envelope's data into out. Both the HTTP status and the
// envelope's status are checked: recorded responses show them disagreeing.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	_, err := c.call(ctx, method, path, query, body, out)
	return err
}

// call is do, returning the envelope's extra (paging) too.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body any, out any) (json.RawMessage, error) {
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.scrub(fmt.Errorf("dbt Cloud %s: %w", path, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, c.scrub(fmt.Errorf("dbt Cloud %s: %w", path, err))
	}
	var env envelope
	jsonErr := json.Unmarshal(data, &env)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := ""
		if jsonErr == nil {
			msg = strings.TrimSpace(env.Status.UserMessage + " " + env.Status.DeveloperMessage)
		}
		return nil, c.scrub(&APIError{Status: resp.StatusCode, Path: path, Message: msg})
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("dbt Cloud %s: the answer is not JSON (%v)", path, jsonErr)
	}
	if !env.Status.IsSuccess || (env.Status.Code != 0 && (env.Status.Code < 200 || env.Status.Code > 299)) {
		code := env.Status.Code
		if code == 0 || (code >= 200 && code <= 299) {
			code = resp.StatusCode
		}
		return nil, c.scrub(&APIError{Status: code, Path: path, Message: strings.TrimSpace(env.Status.UserMessage + " " + env.Status.DeveloperMessage)})
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return nil, fmt.Errorf("dbt Cloud %s: the answer has no data (%s)", path, strings.TrimSpace(env.Status.DeveloperMessage))
	}
	if out == nil {
		return env.Extra, nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return nil, fmt.Errorf("dbt Cloud %s: unexpected answer: %v", path, err)
	}
	return env.Extra, nil
}

// scrub removes the token and every other known secret from err (see redact).
func (c *Client) scrub(err error) error { return redact.Error(err) }

// includeRelated is passed as a JSON array literal, the way dbt Cloud's own tools do.
func includeRelated(items ...string) string {
	b, _ := json.Marshal(items)
	return string(b)
}

// GetRun fetches a run with its steps, trigger and job.
func (c *Client) GetRun(ctx context.Context, accountID, runID int64) (*Run, error) {
	var r Run
	q := url.Values{"include_related": {includeRelated("run_steps", "trigger", "job")}}
	if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/accounts/%d/runs/%d/", accountID, runID), q, nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// runsPerPage is the API's largest page; maxRunPages bounds the search (1,000 runs back).
const (
	runsPerPage = 100
	maxRunPages = 10
)

// FindPRRun pages through the CI job's runs, newest first, and returns the newest one
// triggered for pull request pr, preferring one built from sha. dbt Cloud has no pull-request
// filter, so the runs are filtered here; a busy job's PR run may be many pages back.
func (c *Client) FindPRRun(ctx context.Context, accountID, jobID int64, pr int, sha string) (*Run, error) {
	var found *Run
	seen := 0
	for page := 0; page < maxRunPages; page++ {
		q := url.Values{
			"job_definition_id": {strconv.FormatInt(jobID, 10)},
			"order_by":          {"-id"},
			"limit":             {strconv.Itoa(runsPerPage)},
			"offset":            {strconv.Itoa(page * runsPerPage)},
			"include_related":   {includeRelated("trigger", "job")},
		}
		var runs []Run
		extra, err := c.call(ctx, http.MethodGet, fmt.Sprintf("/api/v2/accounts/%d/runs/", accountID), q, nil, &runs)
		if err != nil {
			return nil, err
		}
		seen += len(runs)
		for i := range runs {
			r := &runs[i]
			if r.Trigger == nil || r.Trigger.GithubPullRequestID == nil || *r.Trigger.GithubPullRequestID != int64(pr) {
				continue
			}
			if sha != "" && (r.Trigger.GitSHA == sha || r.GitSHA == sha) {
				return c.GetRun(ctx, accountID, r.ID)
			}
			if found == nil {
				found = r
			}
		}
		var ex struct {
			Pagination struct {
				TotalCount int `json:"total_count"`
			} `json:"pagination"`
		}
		_ = json.Unmarshal(extra, &ex)
		if found != nil || len(runs) < runsPerPage || (ex.Pagination.TotalCount > 0 && seen >= ex.Pagination.TotalCount) {
			break
		}
	}
	if found == nil {
		return nil, fmt.Errorf("no dbt Cloud run of job %d for pull request #%d among its last %d runs", jobID, pr, seen)
	}
	return c.GetRun(ctx, accountID, found.ID)
}

// RunResults fetches the run_results.json of step (1-based; 0: the last step, as the API does).
// The failing step's own file names the failing nodes; a later step's may not exist.
func (c *Client) RunResults(ctx context.Context, accountID, runID int64, step int) (*RunResults, error) {
	u := *c.base
	u.Path = c.base.Path + fmt.Sprintf("/api/v2/accounts/%d/runs/%d/artifacts/run_results.json", accountID, runID)
	if step > 0 {
		u.RawQuery = url.Values{"step": {strconv.Itoa(step)}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Token "+c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.scrub(fmt.Errorf("dbt Cloud artifacts: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &APIError{Status: resp.StatusCode, Path: "artifacts/run_results.json"}
	}
	var rr RunResults
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&rr); err != nil {
		return nil, fmt.Errorf("run_results.json: %v", err)
	}
	return &rr, nil
}

// TriggerRequest is the body of POST …/jobs/{id}/run/.
type TriggerRequest struct {
	Cause               string `json:"cause"`
	GitSHA              string `json:"git_sha,omitempty"`
	GitBranch           string `json:"git_branch,omitempty"`
	GithubPullRequestID int    `json:"github_pull_request_id,omitempty"`
	SchemaOverride      string `json:"schema_override,omitempty"`
}

// PRTrigger is the request that re-runs a CI job for a pull request the way dbt Cloud's own CI
// does: same head commit and branch, the PR id, and the PR's temporary schema.
func PRTrigger(jobID int64, pr int, branch, sha string) TriggerRequest {
	return TriggerRequest{
		Cause:               fmt.Sprintf("Re-run from datatui for pull request #%d", pr),
		GitSHA:              sha,
		GitBranch:           branch,
		GithubPullRequestID: pr,
		SchemaOverride:      fmt.Sprintf("dbt_cloud_pr_%d_%d", jobID, pr),
	}
}

// TriggerJob starts a run of job and returns the queued run.
func (c *Client) TriggerJob(ctx context.Context, accountID, jobID int64, req TriggerRequest) (*Run, error) {
	var r Run
	if err := c.do(ctx, http.MethodPost, fmt.Sprintf("/api/v2/accounts/%d/jobs/%d/run/", accountID, jobID), nil, req, &r); err != nil {
		return nil, err
	}
	return &r, nil
}
