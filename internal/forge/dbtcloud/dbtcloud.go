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
)

// EnvToken holds the dbt Cloud API token (a personal access token or a service token).
const EnvToken = "DBT_CLOUD_API_TOKEN"

// EnvAPIURL overrides the API base URL (tests, proxies); the configured host is used otherwise.
const EnvAPIURL = "DATATUI_DBT_CLOUD_API_URL"

// ErrNoToken says how to give datatui a token. The OS keyring is not read: no keyring library
// is part of datatui, so the environment variable is the one source.
var ErrNoToken = errors.New("no dbt Cloud token: create one in dbt Cloud (Account settings → API tokens → Personal tokens) and `export " + EnvToken + "=…`")

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

// Client calls one dbt Cloud host.
type Client struct {
	base  *url.URL
	token string
	http  *http.Client
}

// NewClient builds a client for host ("cloud.getdbt.com", "emea.dbt.com", or a full URL for
// tests). The token is sent only to that host, never to a host taken from a check's link.
func NewClient(host, token string, hc *http.Client) (*Client, error) {
	if token == "" {
		return nil, ErrNoToken
	}
	if override := os.Getenv(EnvAPIURL); override != "" {
		host = override
	}
	if host == "" {
		host = "cloud.getdbt.com"
	}
	if !strings.Contains(host, "://") {
		host = "https://" + host
	}
	u, err := url.Parse(host)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("dbt Cloud host %q is not a host name or an http(s) URL", host)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{base: u, token: token, http: hc}, nil
}

// TokenFromEnv returns DBT_CLOUD_API_TOKEN or ErrNoToken.
func TokenFromEnv() (string, error) {
	if t := strings.TrimSpace(os.Getenv(EnvToken)); t != "" {
		return t, nil
	}
	return "", ErrNoToken
}

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
		hint = ": check " + EnvToken + " (the token needs access to this account's jobs and runs)"
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
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Token "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.scrub(fmt.Errorf("dbt Cloud %s: %w", path, err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return c.scrub(fmt.Errorf("dbt Cloud %s: %w", path, err))
	}
	var env envelope
	jsonErr := json.Unmarshal(data, &env)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := ""
		if jsonErr == nil {
			msg = strings.TrimSpace(env.Status.UserMessage + " " + env.Status.DeveloperMessage)
		}
		return c.scrub(&APIError{Status: resp.StatusCode, Path: path, Message: msg})
	}
	if jsonErr != nil {
		return fmt.Errorf("dbt Cloud %s: the answer is not JSON (%v)", path, jsonErr)
	}
	if !env.Status.IsSuccess || (env.Status.Code != 0 && (env.Status.Code < 200 || env.Status.Code > 299)) {
		code := env.Status.Code
		if code == 0 || (code >= 200 && code <= 299) {
			code = resp.StatusCode
		}
		return c.scrub(&APIError{Status: code, Path: path, Message: strings.TrimSpace(env.Status.UserMessage + " " + env.Status.DeveloperMessage)})
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		return fmt.Errorf("dbt Cloud %s: the answer has no data (%s)", path, strings.TrimSpace(env.Status.DeveloperMessage))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("dbt Cloud %s: unexpected answer: %v", path, err)
	}
	return nil
}

func (c *Client) scrub(err error) error {
	if err == nil || !strings.Contains(err.Error(), c.token) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), c.token, "[token]"))
}

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

// FindPRRun lists the CI job's recent runs and returns the newest one triggered for pull
// request pr, preferring one built from sha. dbt Cloud has no pull-request filter, so the
// runs are filtered here.
func (c *Client) FindPRRun(ctx context.Context, accountID, jobID int64, pr int, sha string) (*Run, error) {
	q := url.Values{
		"job_definition_id": {strconv.FormatInt(jobID, 10)},
		"order_by":          {"-id"},
		"limit":             {"30"},
		"include_related":   {includeRelated("trigger", "job")},
	}
	var runs []Run
	if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/api/v2/accounts/%d/runs/", accountID), q, nil, &runs); err != nil {
		return nil, err
	}
	var found *Run
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
	if found == nil {
		return nil, fmt.Errorf("no dbt Cloud run of job %d for pull request #%d among the last 30 runs", jobID, pr)
	}
	return c.GetRun(ctx, accountID, found.ID)
}

// RunResults fetches the run's run_results.json (of the last step).
func (c *Client) RunResults(ctx context.Context, accountID, runID int64) (*RunResults, error) {
	u := *c.base
	u.Path = c.base.Path + fmt.Sprintf("/api/v2/accounts/%d/runs/%d/artifacts/run_results.json", accountID, runID)
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
