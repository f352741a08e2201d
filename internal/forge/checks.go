// Package forge talks to GitHub for the pull-request screen and `datatui pr status`: it finds the
// repository, signs in the way the gh CLI does, fetches the user's open pull requests with their
// checks in one GraphQL request, and decides honestly whether a pull request is ready to merge.
//
// Everything here is plain Go (no terminal UI) so the CLI and the TUI share it.
package forge

import (
	"fmt"
	"strings"
	"time"
)

// Bucket groups check states the way `gh pr checks` does, so people who know gh read datatui
// the same way.
type Bucket string

// The buckets, in the order summaries list them.
const (
	BucketPass     Bucket = "pass"
	BucketFail     Bucket = "fail"
	BucketPending  Bucket = "pending"
	BucketSkipping Bucket = "skipping"
	BucketCancel   Bucket = "cancel"
)

// Check kinds: GitHub has check runs (Actions, apps) and commit statuses (older integrations,
// often dbt Cloud); a queued workflow has a check suite but no run yet.
const (
	KindCheckRun      = "check_run"
	KindStatusContext = "status_context"
	KindCheckSuite    = "check_suite"
)

// Check is one check of a pull request's head commit.
type Check struct {
	Kind string `json:"kind"`
	// Name is the check run's name or the status context.
	Name string `json:"name"`
	// Workflow is the Actions workflow a check run belongs to, when there is one.
	Workflow string `json:"workflow,omitempty"`
	// App is the slug of the GitHub App that created a check run ("github-actions").
	App string `json:"app,omitempty"`
	// State is GitHub's raw state: a check run's conclusion (or status while not completed),
	// a status context's state.
	State       string    `json:"state"`
	Bucket      Bucket    `json:"bucket"`
	StartedAt   time.Time `json:"startedAt,omitzero"`
	CompletedAt time.Time `json:"completedAt,omitzero"`
	// Link is the details URL (check run) or target URL (status).
	Link        string `json:"link,omitempty"`
	Description string `json:"description,omitempty"`
	// Required is GitHub's isRequired(pullRequestNumber:): branch protection or a ruleset
	// requires this check to pass before this pull request merges.
	Required bool `json:"required"`
}

// Duration is how long the check ran, up to now while it still runs; 0 when unknown.
func (c Check) Duration(now time.Time) time.Duration {
	if c.StartedAt.IsZero() {
		return 0
	}
	end := c.CompletedAt
	if end.IsZero() {
		if c.Bucket != BucketPending {
			return 0
		}
		end = now
	}
	if end.Before(c.StartedAt) {
		return 0
	}
	return end.Sub(c.StartedAt)
}

// CheckRunBucket maps a check run's status and conclusion to a bucket.
func CheckRunBucket(status, conclusion string) Bucket {
	if !strings.EqualFold(status, "COMPLETED") {
		return BucketPending
	}
	return stateBucket(conclusion)
}

// StatusContextBucket maps a commit status state to a bucket.
func StatusContextBucket(state string) Bucket { return stateBucket(state) }

func stateBucket(state string) Bucket {
	switch strings.ToUpper(state) {
	case "SUCCESS":
		return BucketPass
	case "SKIPPED", "NEUTRAL":
		return BucketSkipping
	case "ERROR", "FAILURE", "TIMED_OUT", "ACTION_REQUIRED", "STARTUP_FAILURE", "STALE":
		return BucketFail
	case "CANCELLED":
		return BucketCancel
	default: // PENDING, EXPECTED, QUEUED, IN_PROGRESS, WAITING, REQUESTED, ""
		return BucketPending
	}
}

// Counts tallies checks per bucket.
type Counts struct {
	Pass     int `json:"pass"`
	Fail     int `json:"fail"`
	Pending  int `json:"pending"`
	Skipping int `json:"skipping"`
	Cancel   int `json:"cancel"`
}

// Tally counts checks per bucket.
func Tally(checks []Check) Counts {
	var c Counts
	for _, ch := range checks {
		switch ch.Bucket {
		case BucketPass:
			c.Pass++
		case BucketFail:
			c.Fail++
		case BucketSkipping:
			c.Skipping++
		case BucketCancel:
			c.Cancel++
		default:
			c.Pending++
		}
	}
	return c
}

// Total is the number of checks counted.
func (c Counts) Total() int { return c.Pass + c.Fail + c.Pending + c.Skipping + c.Cancel }

// Summary is gh's summary line: "1 cancelled, 2 failing, 3 successful, 0 skipped, and 1 pending checks".
func (c Counts) Summary() string {
	return fmt.Sprintf("%d cancelled, %d failing, %d successful, %d skipped, and %d pending checks",
		c.Cancel, c.Fail, c.Pass, c.Skipping, c.Pending)
}

// Outcome is the overall result of a set of checks.
type Outcome string

const (
	OutcomePassed  Outcome = "passed"
	OutcomeFailed  Outcome = "failed"
	OutcomePending Outcome = "pending"
	// OutcomeNone means no check has reported.
	OutcomeNone Outcome = "none"
)

// Outcome decides the overall result: anything failed or cancelled is a failure (a cancelled
// required check blocks the merge as surely as a failed one), then anything still running is
// pending, else passed.
func (c Counts) Outcome() Outcome {
	switch {
	case c.Total() == 0:
		return OutcomeNone
	case c.Fail+c.Cancel > 0:
		return OutcomeFailed
	case c.Pending > 0:
		return OutcomePending
	default:
		return OutcomePassed
	}
}
