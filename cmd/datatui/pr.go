package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/demo"
	"github.com/datatui/datatui/internal/forge/prstatus"
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
		Long: `Shows the checks of the pull request of the current branch and GitHub's own verdict on
whether it can be merged (mergeStateStatus), explained: which required check failed or still
runs, how many required reviews are missing, whether the branch is behind or conflicts.
With --all it shows every open pull request of yours in the repository.

The repository is chosen as gh does: GH_REPO, then github.repo in datatui.yml, then the remote
` + "`gh repo set-default`" + ` marked, then upstream before origin; GH_HOST names the host.
Sign in with ` + "`gh auth login`" + `, or export GH_TOKEN (GH_ENTERPRISE_TOKEN for GitHub Enterprise).
DATATUI_GITHUB_API_URL points datatui at another API base (a GitHub Enterprise proxy).
--logs also explains failing checks: the failing dbt Cloud step, its log and the failing
nodes, or the tail of a failed GitHub Actions job's log. dbt Cloud tokens are found as dbt's
tools find them (DBT_CLOUD_TOKEN, DBT_CLOUD_ACCOUNT_HOST, ~/.dbt/dbt_cloud.yml) or in the OS
keyring (` + "`datatui auth dbt-cloud login`" + `); a token is only sent to the host it is for.

Exit status: 0 ready to merge, 1 not ready (a check failed, a review is missing, conflicts,
behind, draft, no pull request), 8 waiting (required checks still run, or GitHub is still
computing mergeability), 3 cannot tell which GitHub repository this is, 4 not signed in to
GitHub, 2 usage error. With --watch it polls (every 10 s while checks run, backing off on
errors and rate limits) until nothing is waiting, then prints the result.

--json prints one object: {"repo", "viewer", "branch", "verdict", "outcome", "exitCode",
"counts", "demo", "message", "prs": [{"number", "title", "url", "author", "headRefName",
"baseRefName", "isDraft", "mergeable", "mergeStateStatus", "reviewDecision", "approvals",
"requirements", "outcome", "counts" {"pass", "fail", "pending", "skipping", "cancel"},
"readiness" {"ready", "verdict", "mergeStateStatus", "summary", "missing", "notes", "failed"},
"checks": [{"name", "kind", "workflow", "state", "bucket", "startedAt", "completedAt", "link",
"description", "required"}], "logs": [{"check", "kind", "dbtCloud", "lines", "note",
"error"}]}]}; an error is {"error": {"kind", "message"}, "exitCode"}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.prStatus(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.json, "json", false, "print JSON (fields in the help above)")
	fl.BoolVar(&f.watch, "watch", false, "poll until nothing is waiting, then print the result")
	fl.BoolVar(&f.all, "all", false, "all of your open pull requests, not only the current branch's")
	fl.BoolVar(&f.logs, "logs", false, "explain failing checks (dbt Cloud steps and failing nodes, Actions log tail)")
	fl.DurationVar(&f.interval, "interval", 0, "with --watch: poll this often (default: 10 s while checks run, 30 s otherwise)")
	fl.StringVar(&f.branch, "branch", "", "the branch whose pull request to show (default: the current branch)")
	return cmd
}

// prErrorReport is --json's shape for a failure.
type prErrorReport struct {
	Error struct {
		Kind    string `json:"kind"`
		Message string `json:"message"`
	} `json:"error"`
	ExitCode int `json:"exitCode"`
}

func (a *app) prStatus(ctx context.Context, f prStatusFlags) error {
	if f.interval < 0 {
		return withCode(2, errors.New("--interval must be positive"))
	}
	if f.interval > 0 && !f.watch {
		return withCode(2, errors.New("--interval only makes sense with --watch"))
	}
	fail := func(err error) error { return a.prFailure(err, f.json) }
	ws, err := a.workspace()
	if err != nil {
		// A datatui.yml that cannot be read may hold the repository: no guess instead.
		return fail(&forge.ConfigError{Reason: err.Error()})
	}
	svc := a.services(ws).PRStatus(prstatus.Options{Branch: f.branch, Keyring: openKeyring()})
	defer svc.Close()
	target, err := svc.Target(ctx)
	if err != nil {
		return fail(err)
	}
	if !f.all && target.Branch == "" {
		if !ws.InGit {
			return withCode(2, fmt.Errorf("%s is not in a git repository, so there is no branch to look up: pass --branch NAME or --all", ws.ProjectDir))
		}
		return withCode(2, errors.New("not on a branch (detached HEAD): pass --branch NAME or --all"))
	}

	var snap *forge.Snapshot
	if !f.watch {
		if snap, err = svc.Refresh(ctx, forge.FilterMine); err != nil {
			return fail(err)
		}
	} else {
		policy := forge.DefaultPolicy()
		if f.interval > 0 {
			policy = forge.FixedPolicy(f.interval)
		}
		var fatal error
		err = forge.Watch(ctx, policy, func(ctx context.Context) (*forge.Snapshot, error) { return svc.Refresh(ctx, forge.FilterMine) },
			func(s *forge.Snapshot, err error, next forge.Decision) bool {
				if err != nil {
					if !prRetryable(err) {
						fatal = err
						return true
					}
					fmt.Fprintf(a.stderr, "datatui: %v (%s)\n", err, next.Reason)
					return false
				}
				snap = s
				r := prstatus.BuildReport(s, target, f.all)
				if r.Settled() {
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
			return fail(fatal)
		}
		if err != nil {
			return err
		}
	}

	r := prstatus.BuildReport(snap, target, f.all)
	if f.logs {
		for i := range r.PRs {
			r.PRs[i].Logs = loadPRLogs(ctx, svc, r.PRs[i].PR)
		}
	}
	if f.json {
		if err := a.writeJSON(r); err != nil {
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

// prFailure maps an error to its exit code — 3 for "which repository?", 4 for sign-in
// problems (as gh does) — and, with --json, prints it as an error object.
func (a *app) prFailure(err error, asJSON bool) error {
	var ae *forge.AuthError
	var ce *forge.ConfigError
	kind, code := "error", 1
	switch {
	case errors.As(err, &ce):
		kind, code = "config", prstatus.ExitConfig
	case errors.As(err, &ae) || errors.Is(err, forge.ErrNotSignedIn):
		kind, code = "auth", prstatus.ExitAuth
	}
	if !asJSON {
		return withCode(code, err)
	}
	var rep prErrorReport
	rep.Error.Kind, rep.Error.Message, rep.ExitCode = kind, err.Error(), code
	if werr := a.writeJSON(rep); werr != nil {
		return werr
	}
	return silentExit(code)
}

func loadPRLogs(ctx context.Context, svc *prstatus.Service, pr forge.PR) []prstatus.CheckLog {
	var out []prstatus.CheckLog
	for _, ch := range pr.Checks {
		if ch.Bucket != forge.BucketFail {
			continue
		}
		log, err := svc.Explain(ctx, pr, ch)
		entry := prstatus.CheckLog{Check: ch.Name, Log: log}
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

func printPRReport(w io.Writer, r prstatus.Report, now time.Time) {
	if r.Demo {
		fmt.Fprintf(w, "(%s: recorded pull requests of the demo workspace)\n\n", demo.Label)
	}
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
		rd := p.Readiness
		switch {
		case rd.Ready:
			fmt.Fprintf(w, "Ready to merge (GitHub: %s).\n", rd.MergeState)
			for _, n := range rd.Notes {
				fmt.Fprintf(w, "  - %s\n", n)
			}
		case rd.Verdict == forge.VerdictWaiting:
			fmt.Fprintf(w, "Not ready yet, waiting (GitHub: %s):\n", rd.MergeState)
		default:
			fmt.Fprintf(w, "Not ready to merge (GitHub: %s):\n", rd.MergeState)
		}
		if !rd.Ready {
			for _, m := range rd.Missing {
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

func printPRLog(w io.Writer, l prstatus.CheckLog) {
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
