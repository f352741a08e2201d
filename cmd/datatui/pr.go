package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
)

func newPRCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "pr",
		Short: "Your pull requests and their checks",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newPRStatusCmd(a))
	return cmd
}

type prStatusFlags struct {
	json     bool
	watch    bool
	all      bool
	logs     bool
	interval time.Duration
	branch   string
}

func newPRStatusCmd(a *app) *cobra.Command {
	var f prStatusFlags
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Checks of the current branch's pull request (or all of yours)",
		Long: `Shows the checks of the pull request of the current branch, whether it is truly ready to
merge (every required check passed and the required reviews are in), and what is missing.
With --all it shows every open pull request of yours in the repository.

The repository comes from github.repo in datatui.yml, else from the git remote "origin".
Sign in with ` + "`gh auth login`" + `, or export GH_TOKEN (GH_ENTERPRISE_TOKEN for GitHub Enterprise).
DATATUI_GITHUB_API_URL points datatui at another API base (a GitHub Enterprise proxy).
--logs also explains failing checks: the failing dbt Cloud step, its log and the failing
nodes (needs DBT_CLOUD_API_TOKEN), or the tail of a failed GitHub Actions job's log.

Exit status (as ` + "`gh pr checks`" + `): 0 all checks passed, 1 a check failed or was cancelled (or
none reported), 8 checks still pending, 4 not signed in to GitHub, 2 usage error.
With --watch it polls (every 10 s while checks run, backing off on errors and rate limits)
until nothing is pending, then prints the outcome.

--json prints one object: {"repo", "viewer", "branch", "outcome", "exitCode", "counts",
"prs": [{"number", "title", "url", "author", "headRefName", "baseRefName", "isDraft",
"mergeable", "reviewDecision", "approvals", "updatedAt", "outcome", "counts" {"pass", "fail",
"pending", "skipping", "cancel"}, "ready", "missing", "requiredBasis", "checks": [{"name",
"kind", "workflow", "state", "bucket", "startedAt", "completedAt", "link", "description",
"required"}], "logs": [{"check", "kind", "dbtCloud", "lines", "note", "error"}]}]}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.prStatus(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print JSON (fields in the help above)")
	fl.BoolVar(&f.watch, "watch", false, "poll until no check is pending, then print the outcome")
	fl.BoolVar(&f.all, "all", false, "all of your open pull requests, not only the current branch's")
	fl.BoolVar(&f.logs, "logs", false, "explain failing checks (dbt Cloud steps and failing nodes, Actions log tail)")
	fl.DurationVar(&f.interval, "interval", 0, "with --watch: poll this often (default: 10 s while checks run, 30 s otherwise)")
	fl.StringVar(&f.branch, "branch", "", "the branch whose pull request to show (default: the current branch)")
	return cmd
}

// prReport is the --json shape.
type prReport struct {
	Repo     string         `json:"repo"`
	Viewer   string         `json:"viewer"`
	Branch   string         `json:"branch,omitempty"`
	Outcome  forge.Outcome  `json:"outcome"`
	ExitCode int            `json:"exitCode"`
	Counts   forge.Counts   `json:"counts"`
	PRs      []prReportItem `json:"prs"`
	// Message explains an empty list (no PR for the branch, branch not pushed).
	Message string `json:"message,omitempty"`
}

type prReportItem struct {
	forge.PR
	Outcome       forge.Outcome `json:"outcome"`
	Counts        forge.Counts  `json:"counts"`
	Ready         bool          `json:"ready"`
	Missing       []string      `json:"missing"`
	RequiredBasis string        `json:"requiredBasis"`
	Logs          []prCheckLog  `json:"logs,omitempty"`
}

type prCheckLog struct {
	Check string `json:"check"`
	*checklog.Log
	Error string `json:"error,omitempty"`
}

func (a *app) prStatus(ctx context.Context, f prStatusFlags) error {
	if f.interval < 0 {
		return withCode(2, errors.New("--interval must be positive"))
	}
	if f.interval > 0 && !f.watch {
		return withCode(2, errors.New("--interval only makes sense with --watch"))
	}
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	if ws.Demo {
		return errors.New("the demo workspace has no GitHub repository: run datatui inside your analytics repository, or pass --project DIR")
	}
	target, err := forge.ResolveTarget(ctx, ws.Config, ws.Root)
	if err != nil {
		return err
	}
	if f.branch != "" {
		target.Branch = f.branch
	}
	if !f.all && target.Branch == "" {
		return errors.New("not on a branch (detached HEAD): pass --branch NAME or --all")
	}
	client, err := forge.NewClient(forge.Options{Host: target.Repo.Host})
	if errors.Is(err, forge.ErrNotSignedIn) {
		return withCode(4, err)
	}
	if err != nil {
		return err
	}
	cfg := ws.Config

	fetch := func(ctx context.Context) (*forge.Snapshot, error) {
		snap, err := client.Refresh(ctx, target, forge.FilterMine)
		if err == nil && ws.StateDir != "" {
			// Home shows the cached summary without a network call; a failed write only
			// costs that.
			_ = forge.SaveSummary(ws.StateDir, forge.Summarise(snap, target.RequiredChecks))
		}
		return snap, err
	}
	report := func(snap *forge.Snapshot) prReport {
		return buildPRReport(snap, target, f.all)
	}

	var snap *forge.Snapshot
	if !f.watch {
		snap, err = fetch(ctx)
		if err != nil {
			return prError(err)
		}
	} else {
		policy := forge.DefaultPolicy()
		if f.interval > 0 {
			policy = forge.FixedPolicy(f.interval)
		}
		var fatal error
		err = forge.Watch(ctx, policy, fetch, func(s *forge.Snapshot, err error, next forge.Decision) bool {
			if err != nil {
				if !prRetryable(err) {
					fatal = err
					return true
				}
				fmt.Fprintf(a.stderr, "datatui: %v (%s)\n", err, next.Reason)
				return false
			}
			snap = s
			r := report(s)
			if r.Outcome != forge.OutcomePending {
				return true
			}
			msg := fmt.Sprintf("%d pending", r.Counts.Pending)
			if next.Reason != "" {
				msg += "; " + next.Reason
			} else {
				msg += fmt.Sprintf("; next refresh in %s", next.Wait)
			}
			fmt.Fprintf(a.stderr, "waiting: %s\n", msg)
			return false
		})
		if fatal != nil {
			return prError(fatal)
		}
		if err != nil {
			return err
		}
	}

	r := report(snap)
	if f.logs {
		deps := checklog.Deps{GitHub: client, DBTCloud: cfg.DBTCloud}
		deps.DBTToken, _ = dbtcloud.TokenFromEnv()
		for i := range r.PRs {
			r.PRs[i].Logs = loadPRLogs(ctx, deps, r.PRs[i].PR)
		}
	}
	if f.json {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printPRReport(a.stdout, r, time.Now())
	}
	if r.ExitCode != 0 {
		return silentExit(r.ExitCode)
	}
	return nil
}

// prRetryable errors are worth another try in --watch: limits, server errors, the network.
func prRetryable(err error) bool {
	var rl *forge.RateLimitError
	var se *forge.ServerError
	var ne net.Error
	return errors.As(err, &rl) || errors.As(err, &se) || errors.As(err, &ne)
}

// prError maps a refresh error to an exit code: 4 for sign-in problems (as gh does).
func prError(err error) error {
	var ae *forge.AuthError
	if errors.As(err, &ae) || errors.Is(err, forge.ErrNotSignedIn) {
		return withCode(4, err)
	}
	return err
}

func buildPRReport(snap *forge.Snapshot, target forge.Target, all bool) prReport {
	r := prReport{Repo: snap.Repo.FullName(), Viewer: snap.Viewer, Branch: snap.Branch, PRs: []prReportItem{}}
	var prs []forge.PR
	if all {
		prs = snap.PRs
	} else if snap.BranchPR != nil {
		prs = []forge.PR{*snap.BranchPR}
	}
	var checks []forge.Check
	for _, p := range prs {
		rd := forge.Evaluate(p, target.RequiredChecks)
		c := p.Counts()
		r.PRs = append(r.PRs, prReportItem{PR: p, Outcome: c.Outcome(), Counts: c, Ready: rd.Ready, Missing: prNonNil(rd.Missing), RequiredBasis: rd.Basis})
		checks = append(checks, p.Checks...)
	}
	r.Counts = forge.Tally(checks)
	r.Outcome = r.Counts.Outcome()
	r.ExitCode = r.Outcome.ExitCode()
	switch {
	case all && len(prs) == 0:
		r.Message = "You have no open pull requests in " + r.Repo + "."
		r.Outcome, r.ExitCode = forge.OutcomeNone, 0
	case !all && len(prs) == 0 && snap.BranchPushed:
		r.Message = fmt.Sprintf("Branch %s has no open pull request. Open one: %s", snap.Branch, snap.Repo.CompareURL(target.BaseBranch, snap.Branch))
	case !all && len(prs) == 0:
		r.Message = fmt.Sprintf("Branch %s is not on GitHub yet: push it with `git push -u origin %s`, then open a pull request.", snap.Branch, snap.Branch)
	case !all && r.Outcome == forge.OutcomeNone:
		r.Message = fmt.Sprintf("No checks reported on the %s branch.", snap.Branch)
	}
	return r
}

func prNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func loadPRLogs(ctx context.Context, d checklog.Deps, pr forge.PR) []prCheckLog {
	var out []prCheckLog
	for _, ch := range pr.Checks {
		if ch.Bucket != forge.BucketFail {
			continue
		}
		log, err := checklog.Load(ctx, d, pr, ch)
		entry := prCheckLog{Check: ch.Name, Log: log}
		if err != nil {
			entry.Error = err.Error()
		}
		out = append(out, entry)
	}
	return out
}

// prBucketMark is the one-character mark of a bucket (the word is the bucket itself).
func prBucketMark(b forge.Bucket) string {
	switch b {
	case forge.BucketPass:
		return "✓"
	case forge.BucketFail, forge.BucketCancel:
		return "✗"
	case forge.BucketSkipping:
		return "-"
	}
	return "●"
}

func printPRReport(w io.Writer, r prReport, now time.Time) {
	if r.Message != "" && len(r.PRs) == 0 {
		fmt.Fprintln(w, r.Message)
		return
	}
	for i, p := range r.PRs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		draft := ""
		if p.IsDraft {
			draft = " [draft]"
		}
		fmt.Fprintf(w, "#%d %s%s (%s → %s)\n%s\n", p.Number, p.Title, draft, p.HeadRef, p.BaseRef, p.URL)
		if len(p.Checks) > 0 {
			fmt.Fprintln(w)
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			for _, c := range p.Checks {
				dur := ""
				if d := c.Duration(now); d > 0 && c.Bucket != forge.BucketPending {
					dur = prDuration(d)
				}
				req := ""
				if c.Required {
					req = "required"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", prBucketMark(c.Bucket), c.Name, c.Bucket, dur, req, c.Link)
			}
			_ = tw.Flush()
			fmt.Fprintln(w)
			fmt.Fprintln(w, p.Counts.Summary())
		} else {
			fmt.Fprintln(w, "No checks reported.")
		}
		if p.Ready {
			fmt.Fprintln(w, "Ready to merge.")
		} else {
			fmt.Fprintln(w, "Not ready to merge:")
			for _, m := range p.Missing {
				fmt.Fprintf(w, "  - %s\n", m)
			}
		}
		for _, l := range p.Logs {
			printPRLog(w, l)
		}
	}
	if r.Message != "" {
		fmt.Fprintln(w, r.Message)
	}
}

func printPRLog(w io.Writer, l prCheckLog) {
	fmt.Fprintf(w, "\n%s:\n", l.Check)
	switch {
	case l.Error != "":
		fmt.Fprintf(w, "  could not load details: %s\n", l.Error)
	case l.Log == nil:
	case l.Note != "":
		fmt.Fprintf(w, "  %s\n", l.Note)
	case l.DBT != nil:
		run := l.DBT.Run
		fmt.Fprintf(w, "  dbt Cloud run #%d (%s) %s %s\n", run.ID, run.JobName(), dbtcloud.StatusName(run.Status), run.Href)
		for _, s := range run.Steps {
			fmt.Fprintf(w, "  %s %d. %s (%s)\n", prBucketMark(forge.Bucket(dbtcloud.StatusBucket(s.Status))), s.Index, s.Name, prDuration(s.Elapsed()))
		}
		if len(l.DBT.FailingNodes) > 0 {
			fmt.Fprintln(w, "  Failing nodes:")
			for _, n := range l.DBT.FailingNodes {
				fmt.Fprintf(w, "    %s %s: %s\n", n.Status, n.UniqueID, prFirstLine(n.Message))
			}
		} else if l.DBT.NodesErr != "" {
			fmt.Fprintf(w, "  %s\n", l.DBT.NodesErr)
		}
		if st := l.DBT.FailingStep; st != nil {
			fmt.Fprintf(w, "  Log of step %d (last %d lines):\n", st.Index, len(l.DBT.LogTail))
			for _, line := range l.DBT.LogTail {
				fmt.Fprintf(w, "    %s\n", line)
			}
		}
	default:
		for _, line := range l.Lines {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

func prFirstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}

// prDuration prints 45m26s, 1m2s, 10s.
func prDuration(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	d = d.Round(time.Second)
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%ds", m, s)
	default:
		return fmt.Sprintf("%ds", s)
	}
}
