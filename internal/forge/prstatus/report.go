package prstatus

import (
	"fmt"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
)

// Report is what `pr status` prints (its --json shape): the PRs shown, each with GitHub's
// verdict in words, and the exit code that follows from them.
type Report struct {
	Repo     string        `json:"repo"`
	Viewer   string        `json:"viewer"`
	Branch   string        `json:"branch,omitempty"`
	Verdict  forge.Verdict `json:"verdict"`
	Outcome  forge.Outcome `json:"outcome"`
	ExitCode int           `json:"exitCode"`
	Counts   forge.Counts  `json:"counts"`
	PRs      []ReportPR    `json:"prs"`
	// Message explains an empty list (no PR for the branch, branch not pushed).
	Message string `json:"message,omitempty"`
	// Demo is true when the data is the demo workspace's recording.
	Demo bool `json:"demo,omitempty"`
}

// ReportPR is one PR with its readiness.
type ReportPR struct {
	forge.PR
	Outcome   forge.Outcome   `json:"outcome"`
	Counts    forge.Counts    `json:"counts"`
	Readiness forge.Readiness `json:"readiness"`
	Logs      []CheckLog      `json:"logs,omitempty"`
}

// CheckLog explains one failing check.
type CheckLog struct {
	Check string `json:"check"`
	*checklog.Log
	Error string `json:"error,omitempty"`
}

// Exit codes of `pr status` beyond the verdicts' 0, 1 and 8.
const (
	// ExitConfig: datatui cannot tell which repository to ask (fix datatui.yml, GH_REPO or
	// the git remote).
	ExitConfig = 3
	// ExitAuth: not signed in to GitHub, or the token was refused (as gh).
	ExitAuth = 4
)

// BuildReport makes the report for the branch's PR, or for all listed PRs with all.
func BuildReport(snap *forge.Snapshot, t forge.Target, all bool) Report {
	r := Report{Repo: snap.Repo.FullName(), Viewer: snap.Viewer, Branch: snap.Branch, PRs: []ReportPR{}, Verdict: forge.VerdictReady, Demo: snap.Demo}
	var prs []forge.PR
	if all {
		prs = snap.PRs
	} else if snap.BranchPR != nil {
		prs = []forge.PR{*snap.BranchPR}
	}
	var checks []forge.Check
	for _, p := range prs {
		rd := forge.Evaluate(p)
		if rd.Missing == nil {
			rd.Missing = []string{}
		}
		c := p.Counts()
		r.PRs = append(r.PRs, ReportPR{PR: p, Outcome: c.Outcome(), Counts: c, Readiness: rd})
		r.Verdict = r.Verdict.Worse(rd.Verdict)
		checks = append(checks, p.Checks...)
	}
	r.Counts = forge.Tally(checks)
	r.Outcome = r.Counts.Outcome()
	switch {
	case all && len(prs) == 0:
		r.Message = "You have no open pull requests in " + r.Repo + "."
	case !all && len(prs) == 0 && snap.BranchPushed:
		r.Message = fmt.Sprintf("Branch %s has no open pull request. Open one: %s", snap.Branch, snap.Repo.CompareURL(t.BaseBranch, snap.Branch))
		r.Verdict = forge.VerdictBlocked
	case !all && len(prs) == 0:
		r.Message = fmt.Sprintf("Branch %s is not on GitHub yet: push it with `git push -u origin %s`, then open a pull request.", snap.Branch, snap.Branch)
		r.Verdict = forge.VerdictBlocked
	}
	r.ExitCode = r.Verdict.ExitCode()
	return r
}

// Settled reports whether waiting is over for a --watch: no check still runs and GitHub has
// decided. (A PR blocked on a review is still watched while its checks run: their result is
// what the person waits for.)
func (r Report) Settled() bool { return r.Verdict != forge.VerdictWaiting && r.Counts.Pending == 0 }

// Note is what a watcher is told when a PR's readiness changes, or "" when nothing worth a
// notification happened: only becoming truly ready, or a required check failing. A PR whose
// checks pass while it still waits for a review rings nothing.
func Note(number int, before, now forge.Readiness) (text string, failed bool) {
	switch {
	case now.Ready && !before.Ready:
		return fmt.Sprintf("PR #%d is %s", number, now.Summary), false
	case now.Failed && !before.Failed:
		return fmt.Sprintf("PR #%d %s", number, now.Summary), true
	}
	return "", false
}
