package dbtcloud

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Run is a dbt Cloud run (RunResponse), with the fields datatui shows.
type Run struct {
	ID                int64    `json:"id"`
	AccountID         int64    `json:"account_id"`
	ProjectID         int64    `json:"project_id"`
	JobDefinitionID   int64    `json:"job_definition_id"`
	Status            int      `json:"status"`
	StatusHumanized   string   `json:"status_humanized"`
	StatusMessage     *string  `json:"status_message"`
	GitBranch         string   `json:"git_branch"`
	GitSHA            string   `json:"git_sha"`
	Href              string   `json:"href"`
	InProgress        bool     `json:"in_progress"`
	IsComplete        bool     `json:"is_complete"`
	IsSuccess         bool     `json:"is_success"`
	IsError           bool     `json:"is_error"`
	IsCancelled       bool     `json:"is_cancelled"`
	CreatedAt         Time     `json:"created_at"`
	StartedAt         Time     `json:"started_at"`
	FinishedAt        Time     `json:"finished_at"`
	Duration          string   `json:"duration"`
	DurationHumanized string   `json:"duration_humanized"`
	Trigger           *Trigger `json:"trigger"`
	Job               *Job     `json:"job"`
	Steps             []Step   `json:"run_steps"`
	ArtifactsSaved    bool     `json:"artifacts_saved"`
}

// Trigger is why a run started.
type Trigger struct {
	Cause               string `json:"cause"`
	CauseCategory       string `json:"cause_category"`
	GitBranch           string `json:"git_branch"`
	GitSHA              string `json:"git_sha"`
	GithubPullRequestID *int64 `json:"github_pull_request_id"`
	SchemaOverride      string `json:"schema_override"`
}

// Job is the job definition a run belongs to (its id is the run's job_definition_id).
type Job struct {
	Name         string   `json:"name"`
	JobType      string   `json:"job_type"`
	ExecuteSteps []string `json:"execute_steps"`
}

// Step is one step of a run (clone, profile, one per dbt command). The API description gives
// a step two shapes — RunStep inside a run, RunStepResponse from /steps/{id}/ — and only the
// latter has timings; they are read when present, and a step without them shows no duration.
type Step struct {
	ID                int64  `json:"id"`
	Index             int    `json:"index"`
	Name              string `json:"name"`
	Status            int    `json:"status"`
	StatusHumanized   string `json:"status_humanized"`
	Logs              string `json:"logs"`
	StartedAt         Time   `json:"started_at"`
	FinishedAt        Time   `json:"finished_at"`
	Duration          string `json:"duration"`
	DurationHumanized string `json:"duration_humanized"`
}

// Elapsed is the step's duration: from its timestamps, else its "HH:MM:SS" duration field.
func (s Step) Elapsed() time.Duration {
	if !s.StartedAt.IsZero() && !s.FinishedAt.IsZero() && !s.FinishedAt.Before(s.StartedAt.Time) {
		return s.FinishedAt.Sub(s.StartedAt.Time)
	}
	return ParseHMS(s.Duration)
}

// Elapsed is the run's duration.
func (r *Run) Elapsed() time.Duration {
	if !r.StartedAt.IsZero() && !r.FinishedAt.IsZero() {
		return r.FinishedAt.Sub(r.StartedAt.Time)
	}
	return ParseHMS(r.Duration)
}

// JobName is the job's name, or "job <id>".
func (r *Run) JobName() string {
	if r.Job != nil && r.Job.Name != "" {
		return r.Job.Name
	}
	return fmt.Sprintf("job %d", r.JobDefinitionID)
}

// FailingStep is the first step with status Error, or nil.
func (r *Run) FailingStep() *Step {
	steps := append([]Step(nil), r.Steps...)
	sort.SliceStable(steps, func(i, j int) bool { return steps[i].Index < steps[j].Index })
	for i := range steps {
		if steps[i].Status == StatusError {
			return &steps[i]
		}
	}
	return nil
}

// ParseHMS reads dbt Cloud's "00:43:20" durations (0 when malformed).
func ParseHMS(s string) time.Duration {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) != 3 {
		return 0
	}
	var total time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		f, err := strconv.ParseFloat(parts[i], 64)
		if err != nil || f < 0 {
			return 0
		}
		total += time.Duration(f * float64(unit))
	}
	return total
}

// Time reads dbt Cloud's timestamps, which come as RFC 3339 or as Python's
// "2022-10-12 07:00:02.401579+00:00", or null.
type Time struct{ time.Time }

var timeLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05-07:00", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999"}

// UnmarshalJSON accepts null, "" and the layouts above; anything else is left zero rather than
// failing the whole run (a timestamp is not worth losing the logs over).
func (t *Time) UnmarshalJSON(b []byte) error {
	var s *string
	if err := json.Unmarshal(b, &s); err != nil || s == nil || *s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, l := range timeLayouts {
		if v, err := time.Parse(l, *s); err == nil {
			t.Time = v
			return nil
		}
	}
	t.Time = time.Time{}
	return nil
}

// RunRef identifies a run from a dbt Cloud link.
type RunRef struct {
	Host      string
	AccountID int64
	ProjectID int64
	RunID     int64
}

// ParseRunURL reads the run links dbt Cloud posts to GitHub and shows in its UI:
// https://<host>/deploy/<account>/projects/<project>/runs/<run>/, the older
// /next/deploy/… form, and #/accounts/<a>/projects/<p>/runs/<r>/ fragments.
func ParseRunURL(raw string) (RunRef, bool) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" {
		return RunRef{}, false
	}
	path := u.Path
	if u.Fragment != "" {
		path += "/" + u.Fragment
	}
	parts := strings.FieldsFunc(path, func(r rune) bool { return r == '/' })
	ref := RunRef{Host: strings.ToLower(u.Hostname())}
	for i := 0; i+1 < len(parts); i++ {
		n, err := strconv.ParseInt(parts[i+1], 10, 64)
		if err != nil || n <= 0 {
			continue
		}
		switch parts[i] {
		case "deploy", "accounts":
			ref.AccountID = n
		case "projects":
			ref.ProjectID = n
		case "runs":
			ref.RunID = n
		}
	}
	return ref, ref.AccountID > 0 && ref.RunID > 0
}

// IsCloudURL reports whether a check's link points at dbt Cloud: a known dbt Cloud access URL
// (cloud.getdbt.com, *.getdbt.com, *.dbt.com) or the configured host.
func IsCloudURL(raw, configuredHost string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if c := strings.ToLower(strings.TrimSpace(configuredHost)); c != "" {
		if cu, err := url.Parse(c); err == nil && cu.Host != "" {
			c = cu.Hostname()
		}
		if h == c {
			return true
		}
	}
	return h == "cloud.getdbt.com" || strings.HasSuffix(h, ".getdbt.com") || h == "dbt.com" || strings.HasSuffix(h, ".dbt.com")
}

// TailLines returns the last n lines of a step log.
func TailLines(log string, n int) []string {
	log = strings.TrimRight(strings.ReplaceAll(log, "\r\n", "\n"), "\n")
	if log == "" || n <= 0 {
		return nil
	}
	lines := strings.Split(log, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// RunResults is the part of run_results.json datatui reads.
type RunResults struct {
	Results []struct {
		UniqueID      string  `json:"unique_id"`
		Status        string  `json:"status"`
		Message       *string `json:"message"`
		ExecutionTime float64 `json:"execution_time"`
		Failures      *int    `json:"failures"`
	} `json:"results"`
}

// FailingNode is a node that errored or failed in a run.
type FailingNode struct {
	UniqueID string        `json:"unique_id"`
	Status   string        `json:"status"`
	Message  string        `json:"message"`
	Took     time.Duration `json:"took"`
}

// FailingNodes lists the nodes whose status is error, fail or runtime error, in file order.
func FailingNodes(rr *RunResults) []FailingNode {
	if rr == nil {
		return nil
	}
	var out []FailingNode
	for _, r := range rr.Results {
		switch strings.ToLower(r.Status) {
		case "error", "fail", "runtime error":
			msg := ""
			if r.Message != nil {
				msg = strings.TrimSpace(*r.Message)
			}
			out = append(out, FailingNode{UniqueID: r.UniqueID, Status: strings.ToLower(r.Status), Message: msg,
				Took: time.Duration(r.ExecutionTime * float64(time.Second))})
		}
	}
	return out
}
