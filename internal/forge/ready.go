package forge

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// PR is an open pull request with what datatui needs to judge it.
type PR struct {
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Author    string    `json:"author"`
	HeadRef   string    `json:"headRefName"`
	HeadSHA   string    `json:"headRefOid"`
	BaseRef   string    `json:"baseRefName"`
	IsDraft   bool      `json:"isDraft"`
	UpdatedAt time.Time `json:"updatedAt"`
	// Mergeable is MERGEABLE, CONFLICTING or UNKNOWN (GitHub computes it lazily).
	Mergeable string `json:"mergeable"`
	// MergeState is GitHub's own verdict, mergeStateStatus: CLEAN, BLOCKED, BEHIND, DIRTY,
	// UNSTABLE, HAS_HOOKS, DRAFT or UNKNOWN (not computed yet).
	MergeState string `json:"mergeStateStatus"`
	// ReviewDecision is APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED or "" (no review rule).
	ReviewDecision string `json:"reviewDecision"`
	// Approvals counts the latest approving review of each reviewer with write access
	// (latestOpinionatedReviews(writersOnly: true)): others' approvals do not count on GitHub.
	Approvals int `json:"approvals"`
	// ChangesRequestedBy are the writers whose latest review requests changes.
	ChangesRequestedBy []string `json:"changesRequestedBy,omitempty"`
	// CodeOwnerRequests are the code owners (users or org/team) whose review is still requested.
	CodeOwnerRequests []string `json:"codeOwnerReviewRequests,omitempty"`
	// UnresolvedThreads counts review conversations not resolved yet.
	UnresolvedThreads int `json:"unresolvedConversations"`
	// HeadSigned is true when the head commit carries a valid signature.
	HeadSigned   bool `json:"headCommitSigned"`
	InMergeQueue bool `json:"isInMergeQueue"`
	// Rules is what the base branch's protection and rulesets require, as far as readable.
	Rules  Requirements `json:"requirements"`
	Checks []Check      `json:"checks"`
	// ChecksTotal is GitHub's count of the head commit's checks (more than len(Checks) only
	// when a PR has more checks than datatui pages through).
	ChecksTotal int `json:"checksTotal"`
}

// Requirements is what the base branch requires before a merge, read from the branch
// protection visible to non-admins (refUpdateRule) and the rulesets on the branch (Ref.rules).
type Requirements struct {
	ApprovingReviews       int  `json:"approvingReviews"`
	CodeOwnerReview        bool `json:"codeOwnerReview"`
	ConversationResolution bool `json:"conversationResolution"`
	Signatures             bool `json:"signedCommits"`
	// UpToDate is "require branches to be up to date before merging" (strict checks).
	UpToDate   bool `json:"upToDate"`
	MergeQueue bool `json:"mergeQueue"`
	// Checks are required check names the rules (and datatui.yml) name, so one that never
	// reported can be named too; which reported checks are required comes from isRequired.
	Checks []string `json:"checks,omitempty"`
}

// Counts tallies the PR's checks.
func (p PR) Counts() Counts { return Tally(p.Checks) }

// GitHub's mergeStateStatus values.
const (
	MergeClean    = "CLEAN"
	MergeBlocked  = "BLOCKED"
	MergeBehind   = "BEHIND"
	MergeDirty    = "DIRTY"
	MergeUnstable = "UNSTABLE"
	MergeHasHooks = "HAS_HOOKS"
	MergeDraft    = "DRAFT"
	MergeUnknown  = "UNKNOWN"
)

// Verdict is what a person can expect of a PR now.
type Verdict string

const (
	// VerdictReady: GitHub would merge it now.
	VerdictReady Verdict = "ready"
	// VerdictWaiting: something that changes by itself is not done (a required check runs,
	// GitHub is still computing mergeability); waiting may make it ready.
	VerdictWaiting Verdict = "waiting"
	// VerdictBlocked: waiting alone will not make it ready (a failed check, a missing review,
	// conflicts, an out-of-date branch, a draft).
	VerdictBlocked Verdict = "blocked"
)

// ExitCode is `datatui pr status`'s code: 0 ready, 8 waiting (as `gh pr checks` says
// "pending"), 1 blocked.
func (d Verdict) ExitCode() int {
	switch d {
	case VerdictReady:
		return 0
	case VerdictWaiting:
		return 8
	}
	return 1
}

// Worse returns the verdict that matters more across several PRs: blocked, then waiting.
func (d Verdict) Worse(o Verdict) Verdict {
	rank := map[Verdict]int{VerdictReady: 0, VerdictWaiting: 1, VerdictBlocked: 2}
	if rank[o] > rank[d] {
		return o
	}
	return d
}

// Readiness is GitHub's verdict on a PR, explained in words.
type Readiness struct {
	Ready   bool    `json:"ready"`
	Verdict Verdict `json:"verdict"`
	// MergeState is GitHub's mergeStateStatus the readiness comes from.
	MergeState string `json:"mergeStateStatus"`
	// Summary is one line: "ready to merge", "blocked: 1 required review missing",
	// "behind main: update the branch".
	Summary string `json:"summary"`
	// Missing lists everything that blocks the merge, as far as datatui can tell.
	Missing []string `json:"missing"`
	// Notes are things worth knowing that do not block (an optional check failed).
	Notes []string `json:"notes,omitempty"`
	// Failed is true when a required check failed or was cancelled: watchers are told.
	Failed bool `json:"failed"`
}

// Evaluate gives GitHub's own answer: mergeStateStatus decides, and datatui only explains it —
// from the checks' isRequired, the reviews, the conversations and the rules it can read. It
// never calls a PR ready that GitHub would not merge, and when GitHub has not decided yet
// (UNKNOWN) it says so instead of guessing.
func Evaluate(pr PR) Readiness {
	state := strings.ToUpper(pr.MergeState)
	if pr.IsDraft {
		state = MergeDraft
	}
	r := Readiness{MergeState: state, Verdict: VerdictBlocked}
	checks := checkProblems(pr)
	r.Failed = checks.failed
	base := orDefault(pr.BaseRef, "the base branch")
	switch state {
	case MergeClean, MergeHasHooks, MergeUnstable:
		r.Ready, r.Verdict = true, VerdictReady
		r.Summary = "ready to merge"
		if pr.Rules.MergeQueue && !pr.InMergeQueue {
			r.Summary = "ready: add it to the merge queue"
		}
		if pr.InMergeQueue {
			r.Summary = "ready: in the merge queue"
		}
		r.Notes = checks.optional
		if len(r.Notes) > 0 {
			r.Summary += " (" + strings.Join(r.Notes, "; ") + ")"
		}
		r.Failed = false
		return r
	case MergeDraft:
		r.Missing = []string{"draft: mark it ready for review"}
	case MergeDirty:
		r.Missing = []string{fmt.Sprintf("conflicts with %s: resolve them", base)}
	case MergeBehind:
		r.Missing = []string{fmt.Sprintf("behind %s: update the branch", base)}
		r.Missing = append(r.Missing, checks.required...)
	case MergeBlocked:
		r.Missing = append(checks.required, reviewProblems(pr)...)
		r.Missing = append(r.Missing, ruleProblems(pr)...)
		if len(r.Missing) == 0 {
			r.Missing = []string{"a branch rule datatui cannot read is not met: open the pull request on GitHub (o)"}
		}
		if checks.pending && !checks.failed && len(r.Missing) == len(checks.required) {
			r.Verdict = VerdictWaiting
		}
	default: // UNKNOWN, or no answer at all
		r.MergeState = MergeUnknown
		r.Verdict = VerdictWaiting
		r.Summary = "GitHub is still checking whether it can be merged: asking again"
		r.Missing = []string{"mergeability not computed yet"}
		return r
	}
	if state == MergeBlocked && len(r.Missing) > 0 {
		r.Summary = "blocked: " + strings.Join(r.Missing, "; ")
	} else {
		r.Summary = strings.Join(r.Missing, "; ")
	}
	r.Notes = checks.optional
	return r
}

type checkReport struct {
	required []string // what required checks lack
	optional []string // optional checks that failed or run
	failed   bool     // a required check failed or was cancelled
	pending  bool     // a required check has not finished (or not started)
}

// checkProblems says what the required checks lack, and which optional ones did not pass.
func checkProblems(pr PR) checkReport {
	var rep checkReport
	latest := latestByName(pr.Checks)
	for _, name := range sortedNames(latest) {
		ch := latest[name]
		if !ch.Required {
			if ch.Bucket == BucketFail || ch.Bucket == BucketCancel {
				rep.optional = append(rep.optional, "optional check "+name+" "+bucketWord(ch.Bucket))
			}
			continue
		}
		switch ch.Bucket {
		case BucketFail, BucketCancel:
			rep.failed = true
			rep.required = append(rep.required, "required check "+name+" "+bucketWord(ch.Bucket))
		case BucketPending:
			rep.pending = true
			rep.required = append(rep.required, "required check "+name+" still running")
		}
	}
	// A required check that never reported is waited for only while others still run: when
	// nothing runs, it may never start (a renamed job), and waiting would not end.
	running := Tally(pr.Checks).Pending > 0
	for _, name := range pr.Rules.Checks {
		if _, ok := lookupCheck(latest, name); !ok {
			rep.pending = rep.pending || running
			rep.required = append(rep.required, "required check "+name+" has not reported yet")
		}
	}
	return rep
}

func bucketWord(b Bucket) string {
	if b == BucketCancel {
		return "was cancelled"
	}
	return "failed"
}

// reviewProblems explains a review requirement that is not met.
func reviewProblems(pr PR) []string {
	var out []string
	if strings.EqualFold(pr.ReviewDecision, "CHANGES_REQUESTED") {
		who := strings.Join(pr.ChangesRequestedBy, ", ")
		if who == "" {
			who = "a reviewer"
		}
		out = append(out, "changes requested by "+who)
	}
	if !strings.EqualFold(pr.ReviewDecision, "REVIEW_REQUIRED") {
		return out
	}
	if need := pr.Rules.ApprovingReviews - pr.Approvals; need > 0 {
		out = append(out, fmt.Sprintf("%d required %s missing", need, plural(need, "review", "reviews")))
	}
	if len(pr.CodeOwnerRequests) > 0 {
		out = append(out, "code owner review required from "+strings.Join(pr.CodeOwnerRequests, ", "))
	}
	if len(out) == 0 {
		out = append(out, "a required review is missing")
	}
	return out
}

// ruleProblems explains the other requirements datatui can see.
func ruleProblems(pr PR) []string {
	var out []string
	if pr.Rules.ConversationResolution && pr.UnresolvedThreads > 0 {
		out = append(out, fmt.Sprintf("%d unresolved %s", pr.UnresolvedThreads, plural(pr.UnresolvedThreads, "conversation", "conversations")))
	}
	if pr.Rules.Signatures && !pr.HeadSigned {
		out = append(out, "commits must be signed (the head commit is not)")
	}
	return out
}

// latestByName keeps the most recent check of each name: a re-run leaves the old run in the
// rollup, and only the newest one counts.
func latestByName(checks []Check) map[string]Check {
	out := make(map[string]Check, len(checks))
	for _, c := range checks {
		if c.Kind == KindCheckSuite {
			// A queued workflow without runs yet has no check name to require.
			continue
		}
		prev, ok := out[c.Name]
		if !ok || checkTime(c).After(checkTime(prev)) {
			out[c.Name] = c
		}
	}
	return out
}

func checkTime(c Check) time.Time {
	if !c.StartedAt.IsZero() {
		return c.StartedAt
	}
	return c.CompletedAt
}

func lookupCheck(latest map[string]Check, name string) (Check, bool) {
	if c, ok := latest[name]; ok {
		return c, true
	}
	for n, c := range latest {
		if strings.EqualFold(n, name) {
			return c, true
		}
	}
	return Check{}, false
}

func sortedNames(m map[string]Check) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
