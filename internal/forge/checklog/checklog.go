// Package checklog explains a check: for a dbt Cloud check it loads the run's steps, the
// failing step's log and the failing nodes; for a GitHub Actions job it loads the log's tail.
// The PR screen and `datatui pr status --logs` share it.
package checklog

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
)

// Kind of log.
const (
	KindDBTCloud = "dbt_cloud"
	KindActions  = "actions"
	KindNone     = "none"
)

// Log is what is known about why a check is in its state.
type Log struct {
	Kind string `json:"kind"`
	// DBT is set for dbt Cloud checks.
	DBT *dbtcloud.Details `json:"dbtCloud,omitempty"`
	// Lines is the Actions job log's tail.
	Lines []string `json:"lines,omitempty"`
	// Note explains why nothing more could be shown.
	Note string `json:"note,omitempty"`
}

// Deps are the clients a load may use.
type Deps struct {
	GitHub *forge.Client
	// DBTCloud settings from datatui.yml (host, account, CI job).
	DBTCloud config.DBTCloud
	// Credentials are the user's dbt Cloud accounts; a run's host picks one.
	Credentials dbtcloud.Credentials
	// HTTP is the client for dbt Cloud (nil: the default, bounded by pauses).
	HTTP *http.Client
}

// ActionsTailLines is how much of an Actions log is shown.
const ActionsTailLines = 80

// Classify decides where a check's details live. The link decides first: an Actions job link
// is an Actions job whatever its name (a job named "dbt-build" is still Actions), a dbt Cloud
// run link is dbt Cloud. Only a check without a telling link falls back to its name — one
// starting with "dbt" when datatui.yml names the CI job.
func Classify(ch forge.Check, cfg config.DBTCloud) string {
	if job, ok := forge.ParseActionsJobURL(ch.Link); ok && (job.RunID > 0 || ch.App == "github-actions") {
		return KindActions
	}
	if dbtcloud.IsCloudURL(ch.Link, cfg.Host) {
		return KindDBTCloud
	}
	if ch.App == "github-actions" {
		return KindNone
	}
	if cfg.CIJobID != 0 && strings.HasPrefix(strings.ToLower(ch.Name), "dbt") {
		return KindDBTCloud
	}
	return KindNone
}

// cloudClient picks the credential for host (a run's host, or the team's when the check
// has no link) and builds a client; a token is never sent to a host it was not given for.
func (d Deps) cloudClient(host string) (*dbtcloud.Client, error) {
	if host == "" {
		host = d.DBTCloud.Host
		if host == "" && len(d.Credentials) == 1 {
			host = d.Credentials[0].Host
		}
		host = orDefault(host, dbtcloud.DefaultHost)
	}
	if len(d.Credentials) == 0 {
		return nil, dbtcloud.ErrNoToken
	}
	cred, ok := d.Credentials.ForHost(host)
	if !ok {
		return nil, &dbtcloud.NotSignedInError{Host: dbtcloud.NormalizeHost(host), Known: d.Credentials.Hosts()}
	}
	return dbtcloud.NewClient(cred, d.HTTP)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// note turns the errors a person fixes (no token, another host's token) into a note.
func note(err error) (*Log, bool) {
	var nse *dbtcloud.NotSignedInError
	if errors.Is(err, dbtcloud.ErrNoToken) || errors.As(err, &nse) {
		return &Log{Kind: KindDBTCloud, Note: err.Error()}, true
	}
	return nil, false
}

// Load explains check ch of pr.
func Load(ctx context.Context, d Deps, pr forge.PR, ch forge.Check) (*Log, error) {
	switch Classify(ch, d.DBTCloud) {
	case KindDBTCloud:
		ref, linked := dbtcloud.ParseRunURL(ch.Link)
		c, err := d.cloudClient(ref.Host)
		if l, ok := note(err); ok {
			return l, nil
		}
		if err != nil {
			return nil, err
		}
		var det *dbtcloud.Details
		if linked {
			det, err = c.LoadDetails(ctx, ref.AccountID, ref.RunID)
		} else {
			det, err = c.LoadPRDetails(ctx, d.DBTCloud.AccountID, d.DBTCloud.CIJobID, pr.Number, pr.HeadSHA)
		}
		if err != nil {
			return nil, err
		}
		det.LogTail = cleanAll(det.LogTail)
		for i := range det.FailingNodes {
			det.FailingNodes[i].Message = cleanText(det.FailingNodes[i].Message)
			det.FailingNodes[i].UniqueID = Clean(det.FailingNodes[i].UniqueID)
		}
		for i := range det.Run.Steps {
			det.Run.Steps[i].Name = Clean(det.Run.Steps[i].Name)
		}
		if det.FailingStep != nil {
			det.FailingStep.Name = Clean(det.FailingStep.Name)
		}
		if det.Run.Job != nil {
			det.Run.Job.Name = Clean(det.Run.Job.Name)
		}
		return &Log{Kind: KindDBTCloud, DBT: det}, nil
	case KindActions:
		job, _ := forge.ParseActionsJobURL(ch.Link)
		if d.GitHub == nil {
			return nil, errors.New("not signed in to GitHub")
		}
		lines, err := d.GitHub.JobLogTail(ctx, job.Repo, job.JobID, ActionsTailLines)
		if err != nil {
			return nil, fmt.Errorf("the Actions log of job %d: %w", job.JobID, err)
		}
		return &Log{Kind: KindActions, Lines: cleanAll(lines)}, nil
	}
	return &Log{Kind: KindNone, Note: "This check's details are not on GitHub Actions or dbt Cloud: open its link (o) to read them."}, nil
}

// Rerun re-runs the check: a new run of the dbt Cloud CI job for this pull request, or the
// failed GitHub Actions job. It returns a sentence saying what was started.
func Rerun(ctx context.Context, d Deps, pr forge.PR, ch forge.Check) (string, error) {
	switch Classify(ch, d.DBTCloud) {
	case KindDBTCloud:
		ref, linked := dbtcloud.ParseRunURL(ch.Link)
		c, err := d.cloudClient(ref.Host)
		if err != nil {
			return "", err
		}
		account, job := d.DBTCloud.AccountID, d.DBTCloud.CIJobID
		if linked {
			account = ref.AccountID
			if run, err := c.GetRun(ctx, ref.AccountID, ref.RunID); err == nil && run.JobDefinitionID != 0 {
				job = run.JobDefinitionID
			} else if job == 0 {
				return "", fmt.Errorf("cannot tell which dbt Cloud job to re-run: %v", err)
			}
		}
		if account == 0 || job == 0 {
			return "", errors.New("set dbt_cloud.account_id and ci_job_id in datatui.yml to re-run the CI job")
		}
		run, err := c.TriggerJob(ctx, account, job, dbtcloud.PRTrigger(job, pr.Number, pr.HeadRef, pr.HeadSHA))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("dbt Cloud run #%d queued for PR #%d", run.ID, pr.Number), nil
	case KindActions:
		job, _ := forge.ParseActionsJobURL(ch.Link)
		if d.GitHub == nil {
			return "", errors.New("not signed in to GitHub")
		}
		if err := d.GitHub.RerunJob(ctx, job.Repo, job.JobID); err != nil {
			return "", err
		}
		return fmt.Sprintf("Actions job %s re-run requested", ch.Name), nil
	}
	return "", fmt.Errorf("%s is neither a dbt Cloud nor a GitHub Actions check: re-run it where it runs", ch.Name)
}

// FirstFailing returns the index of the first failing (or cancelled) check, else the first
// running one, else -1: the check whose log explains the PR's state best.
func FirstFailing(checks []forge.Check) int {
	for _, want := range []forge.Bucket{forge.BucketFail, forge.BucketCancel, forge.BucketPending} {
		for i, c := range checks {
			if c.Bucket == want {
				return i
			}
		}
	}
	return -1
}
