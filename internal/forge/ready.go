package forge

import (
	"fmt"
	"sort"
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
	// ReviewDecision is APPROVED, CHANGES_REQUESTED, REVIEW_REQUIRED or "" (no review rule).
	ReviewDecision string `json:"reviewDecision"`
	// Approvals counts the latest approving review of each reviewer.
	Approvals int `json:"approvals"`
	// Protection is the base branch's protection rule; nil when the token may not read it.
	Protection *Protection `json:"protection,omitempty"`
	Checks     []Check     `json:"checks"`
}

// Protection is the part of a branch protection rule that decides "ready".
type Protection struct {
	RequiresApprovingReviews     bool     `json:"requiresApprovingReviews"`
	RequiredApprovingReviewCount int      `json:"requiredApprovingReviewCount"`
	RequiresStatusChecks         bool     `json:"requiresStatusChecks"`
	RequiredChecks               []string `json:"requiredStatusCheckContexts"`
}

// Counts tallies the PR's checks.
func (p PR) Counts() Counts { return Tally(p.Checks) }

// Readiness says whether a PR can be merged now, and if not, everything that is missing.
type Readiness struct {
	Ready bool `json:"ready"`
	// Missing lists what blocks the merge, in the words the screen shows.
	Missing []string `json:"missing"`
	// Basis says where the required checks came from: "branch protection", "datatui.yml",
	// or "all checks" when neither is known.
	Basis string `json:"basis"`
}

// Basis values.
const (
	BasisProtection = "branch protection"
	BasisConfig     = "datatui.yml"
	BasisAll        = "all checks"
)

// Evaluate decides whether pr is truly ready: not a draft, no conflicts, every required check
// passed (a required check that has not reported yet counts as missing), and the required
// approving reviews are in. Required checks come from branch protection when the token can read
// it, else from datatui.yml's github.required_checks; when neither is known every check counts,
// so datatui never calls a PR ready that GitHub would block.
func Evaluate(pr PR, configured []string) Readiness {
	r := Readiness{}
	if pr.IsDraft {
		r.Missing = append(r.Missing, "draft: mark it ready for review")
	}
	if strings.EqualFold(pr.Mergeable, "CONFLICTING") {
		r.Missing = append(r.Missing, fmt.Sprintf("merge conflicts with %s", orDefault(pr.BaseRef, "the base branch")))
	}

	required, basis := requiredChecks(pr, configured)
	r.Basis = basis
	latest := latestByName(pr.Checks)
	if basis == BasisAll {
		if len(latest) == 0 {
			r.Missing = append(r.Missing, "no checks reported yet")
		}
		for _, name := range sortedNames(latest) {
			r.Missing = append(r.Missing, checkProblem(name, latest[name], false)...)
		}
	} else {
		for _, name := range required {
			ch, ok := lookupCheck(latest, name)
			if !ok {
				r.Missing = append(r.Missing, fmt.Sprintf("required check %s has not reported yet", name))
				continue
			}
			r.Missing = append(r.Missing, checkProblem(name, ch, true)...)
		}
	}

	r.Missing = append(r.Missing, reviewProblems(pr)...)
	r.Ready = len(r.Missing) == 0
	return r
}

// checkProblem describes what a check lacks, or nothing when it passed or was skipped.
func checkProblem(name string, ch Check, required bool) []string {
	prefix := "check "
	if required {
		prefix = "required check "
	}
	switch ch.Bucket {
	case BucketPass, BucketSkipping:
		return nil
	case BucketFail:
		return []string{prefix + name + " failed"}
	case BucketCancel:
		return []string{prefix + name + " was cancelled"}
	default:
		return []string{prefix + name + " pending"}
	}
}

func reviewProblems(pr PR) []string {
	if strings.EqualFold(pr.ReviewDecision, "CHANGES_REQUESTED") {
		return []string{"a reviewer requested changes"}
	}
	need := 0
	if p := pr.Protection; p != nil && (p.RequiresApprovingReviews || p.RequiredApprovingReviewCount > 0) {
		need = max(1, p.RequiredApprovingReviewCount) - pr.Approvals
	} else if strings.EqualFold(pr.ReviewDecision, "REVIEW_REQUIRED") {
		// The rule is not readable but GitHub says a review is still required.
		need = max(1, 1-pr.Approvals)
	}
	if need <= 0 {
		return nil
	}
	return []string{fmt.Sprintf("waiting for %d approving %s", need, plural(need, "review", "reviews"))}
}

// requiredChecks returns the required check names and where they came from.
func requiredChecks(pr PR, configured []string) ([]string, string) {
	if p := pr.Protection; p != nil {
		if p.RequiresStatusChecks || len(p.RequiredChecks) > 0 {
			return p.RequiredChecks, BasisProtection
		}
		if len(configured) == 0 {
			// The rule is readable and requires no checks.
			return nil, BasisProtection
		}
	}
	if len(configured) > 0 {
		return configured, BasisConfig
	}
	return nil, BasisAll
}

// MarkRequired sets Check.Required from the same sources Evaluate uses.
func MarkRequired(pr *PR, configured []string) {
	required, basis := requiredChecks(*pr, configured)
	for i := range pr.Checks {
		c := &pr.Checks[i]
		if basis == BasisAll {
			c.Required = c.Kind != KindCheckSuite
			continue
		}
		c.Required = false
		for _, name := range required {
			if strings.EqualFold(name, c.Name) {
				c.Required = true
			}
		}
	}
}

// latestByName keeps the most recent check of each name: a re-run leaves the old run in the
// rollup, and only the newest one counts.
func latestByName(checks []Check) map[string]Check {
	out := make(map[string]Check, len(checks))
	for _, c := range checks {
		if c.Kind == KindCheckSuite {
			// A queued workflow without runs yet: it has no check name to require, but when
			// every check counts it still means "not done".
			c.Name = "workflow " + c.Name
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
	sort.Strings(names)
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
