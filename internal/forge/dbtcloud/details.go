package dbtcloud

import (
	"context"
	"errors"
	"fmt"
)

// Details is what the PR screen shows for a dbt Cloud check: the run, its steps, the first
// failing step's log tail and the failing nodes.
type Details struct {
	Run          *Run          `json:"run"`
	FailingStep  *Step         `json:"failingStep,omitempty"`
	LogTail      []string      `json:"logTail,omitempty"`
	FailingNodes []FailingNode `json:"failingNodes,omitempty"`
	// NodesErr says why the failing nodes are missing (no artifacts, fetch failed).
	NodesErr string `json:"nodesError,omitempty"`
}

// LogTailLines is how much of the failing step's log is kept.
const LogTailLines = 60

// LoadDetails fetches run runID and, when it failed, the failing nodes from run_results.json.
func (c *Client) LoadDetails(ctx context.Context, accountID, runID int64) (*Details, error) {
	run, err := c.GetRun(ctx, accountID, runID)
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, accountID, run), nil
}

// LoadPRDetails finds the CI job's run for a pull request (when no check links to it) and
// loads its details.
func (c *Client) LoadPRDetails(ctx context.Context, accountID, jobID int64, pr int, sha string) (*Details, error) {
	if accountID == 0 || jobID == 0 {
		return nil, errors.New("dbt_cloud.account_id and dbt_cloud.ci_job_id are not set in datatui.yml")
	}
	run, err := c.FindPRRun(ctx, accountID, jobID, pr, sha)
	if err != nil {
		return nil, err
	}
	return c.complete(ctx, accountID, run), nil
}

func (c *Client) complete(ctx context.Context, accountID int64, run *Run) *Details {
	d := &Details{Run: run}
	if st := run.FailingStep(); st != nil {
		d.FailingStep = st
		d.LogTail = TailLines(st.Logs, LogTailLines)
	}
	if run.Status != StatusError {
		return d
	}
	if !run.ArtifactsSaved {
		d.NodesErr = "the run saved no artifacts, so the failing nodes are only in the log"
		return d
	}
	step := 0
	if d.FailingStep != nil {
		step = d.FailingStep.Index
	}
	rr, err := c.RunResults(ctx, accountID, run.ID, step)
	if err != nil {
		d.NodesErr = fmt.Sprintf("run_results.json: %v", err)
		return d
	}
	d.FailingNodes = FailingNodes(rr)
	return d
}
