package forge

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cli/go-gh/v2/pkg/api"
)

// Filter picks which open pull requests the list shows.
type Filter string

const (
	FilterMine            Filter = "mine"
	FilterReviewRequested Filter = "review-requested"
	FilterAll             Filter = "all"
)

// Next cycles mine → review-requested → all → mine.
func (f Filter) Next() Filter {
	switch f {
	case FilterMine:
		return FilterReviewRequested
	case FilterReviewRequested:
		return FilterAll
	default:
		return FilterMine
	}
}

// Label is how the screen names the filter.
func (f Filter) Label() string {
	switch f {
	case FilterReviewRequested:
		return "review requested"
	case FilterAll:
		return "all open"
	default:
		return "mine"
	}
}

// SearchQuery is the GitHub search for the filter in repo.
func (f Filter) SearchQuery(repo Repo) string {
	q := "repo:" + repo.FullName() + " is:pr is:open archived:false sort:updated-desc"
	switch f {
	case FilterMine:
		q += " author:@me"
	case FilterReviewRequested:
		q += " review-requested:@me"
	}
	return q
}

// Request is one refresh.
type Request struct {
	Repo   Repo
	Filter Filter
	// Branch is the current git branch; its PR (or its absence) is fetched in the same query.
	Branch string
	// Limit caps the list (default 50, at most 100).
	Limit int
	// RequiredChecks are datatui.yml's github.required_checks.
	RequiredChecks []string
}

// Snapshot is the result of one refresh.
type Snapshot struct {
	Repo   Repo   `json:"repo"`
	Viewer string `json:"viewer"`
	Filter Filter `json:"filter"`
	Branch string `json:"branch,omitempty"`
	// BranchPR is the open PR whose head is Branch, nil when there is none.
	BranchPR *PR `json:"branchPR,omitempty"`
	// BranchPushed is true when Branch exists on GitHub (so a PR can be opened from it).
	BranchPushed bool      `json:"branchPushed"`
	PRs          []PR      `json:"prs"`
	Total        int       `json:"total"`
	RateLimit    RateLimit `json:"rateLimit"`
	FetchedAt    time.Time `json:"fetchedAt"`
}

// AnyPending reports whether any listed PR (or the branch PR) still has a check running.
func (s *Snapshot) AnyPending() bool {
	if s == nil {
		return false
	}
	for _, p := range s.PRs {
		if p.Counts().Pending > 0 {
			return true
		}
	}
	return s.BranchPR != nil && s.BranchPR.Counts().Pending > 0
}

// Find returns the PR with number n from the list or the branch PR.
func (s *Snapshot) Find(n int) (PR, bool) {
	if s == nil {
		return PR{}, false
	}
	for _, p := range s.PRs {
		if p.Number == n {
			return p, true
		}
	}
	if s.BranchPR != nil && s.BranchPR.Number == n {
		return *s.BranchPR, true
	}
	return PR{}, false
}

// prQuery fetches the list, the branch's PR and ref, the viewer and the rate limit in ONE
// request. Only the head commit's checks are asked for; contexts(first: 100) covers 100
// checks per PR, which is more than any analytics repo runs.
const prQuery = `query DatatuiPullRequests($owner: String!, $name: String!, $search: String!, $first: Int!, $branch: String!, $qualified: String!, $withBranch: Boolean!) {
  viewer { login }
  rateLimit { limit cost remaining resetAt }
  search(query: $search, type: ISSUE, first: $first) {
    issueCount
    nodes { ...pr }
  }
  repository(owner: $owner, name: $name) @include(if: $withBranch) {
    ref(qualifiedName: $qualified) { name }
    pullRequests(headRefName: $branch, states: [OPEN], first: 1, orderBy: {field: UPDATED_AT, direction: DESC}) { nodes { ...pr } }
  }
}
fragment pr on PullRequest {
  number title url isDraft mergeable reviewDecision updatedAt
  author { login }
  headRefName headRefOid baseRefName
  baseRef { branchProtectionRule { requiresApprovingReviews requiredApprovingReviewCount requiresStatusChecks requiredStatusCheckContexts } }
  latestOpinionatedReviews(first: 30) { nodes { state author { login } } }
  commits(last: 1) { nodes { commit {
    oid
    statusCheckRollup { state contexts(first: 100) { totalCount nodes {
      __typename
      ... on CheckRun { name status conclusion startedAt completedAt detailsUrl checkSuite { app { slug } workflowRun { workflow { name } } } }
      ... on StatusContext { context state targetUrl description createdAt }
    } } }
    checkSuites(first: 20) { nodes { status conclusion app { slug name } workflowRun { url workflow { name } } checkRuns(first: 1) { totalCount } } }
  } } }
}`

type gqlPR struct {
	Number         int       `json:"number"`
	Title          string    `json:"title"`
	URL            string    `json:"url"`
	IsDraft        bool      `json:"isDraft"`
	Mergeable      string    `json:"mergeable"`
	ReviewDecision string    `json:"reviewDecision"`
	UpdatedAt      time.Time `json:"updatedAt"`
	Author         *struct {
		Login string `json:"login"`
	} `json:"author"`
	HeadRefName string `json:"headRefName"`
	HeadRefOid  string `json:"headRefOid"`
	BaseRefName string `json:"baseRefName"`
	BaseRef     *struct {
		BranchProtectionRule *Protection `json:"branchProtectionRule"`
	} `json:"baseRef"`
	LatestOpinionatedReviews struct {
		Nodes []struct {
			State  string `json:"state"`
			Author *struct {
				Login string `json:"login"`
			} `json:"author"`
		} `json:"nodes"`
	} `json:"latestOpinionatedReviews"`
	Commits struct {
		Nodes []struct {
			Commit struct {
				Oid               string `json:"oid"`
				StatusCheckRollup *struct {
					State    string `json:"state"`
					Contexts struct {
						TotalCount int          `json:"totalCount"`
						Nodes      []gqlContext `json:"nodes"`
					} `json:"contexts"`
				} `json:"statusCheckRollup"`
				CheckSuites struct {
					Nodes []gqlSuite `json:"nodes"`
				} `json:"checkSuites"`
			} `json:"commit"`
		} `json:"nodes"`
	} `json:"commits"`
}

type gqlContext struct {
	Typename    string    `json:"__typename"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	Conclusion  string    `json:"conclusion"`
	StartedAt   time.Time `json:"startedAt"`
	CompletedAt time.Time `json:"completedAt"`
	DetailsURL  string    `json:"detailsUrl"`
	CheckSuite  *struct {
		App *struct {
			Slug string `json:"slug"`
		} `json:"app"`
		WorkflowRun *struct {
			Workflow struct {
				Name string `json:"name"`
			} `json:"workflow"`
		} `json:"workflowRun"`
	} `json:"checkSuite"`
	Context     string    `json:"context"`
	State       string    `json:"state"`
	TargetURL   string    `json:"targetUrl"`
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"createdAt"`
}

type gqlSuite struct {
	Status     string `json:"status"`
	Conclusion string `json:"conclusion"`
	App        *struct {
		Slug string `json:"slug"`
		Name string `json:"name"`
	} `json:"app"`
	WorkflowRun *struct {
		URL      string `json:"url"`
		Workflow struct {
			Name string `json:"name"`
		} `json:"workflow"`
	} `json:"workflowRun"`
	CheckRuns struct {
		TotalCount int `json:"totalCount"`
	} `json:"checkRuns"`
}

type gqlResponse struct {
	Viewer struct {
		Login string `json:"login"`
	} `json:"viewer"`
	RateLimit *struct {
		Limit     int       `json:"limit"`
		Cost      int       `json:"cost"`
		Remaining int       `json:"remaining"`
		ResetAt   time.Time `json:"resetAt"`
	} `json:"rateLimit"`
	Search struct {
		IssueCount int     `json:"issueCount"`
		Nodes      []gqlPR `json:"nodes"`
	} `json:"search"`
	Repository *struct {
		Ref *struct {
			Name string `json:"name"`
		} `json:"ref"`
		PullRequests struct {
			Nodes []gqlPR `json:"nodes"`
		} `json:"pullRequests"`
	} `json:"repository"`
}

// FetchPRs runs the one GraphQL query of a refresh.
func (c *Client) FetchPRs(ctx context.Context, req Request) (*Snapshot, error) {
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 100)
	filter := req.Filter
	if filter == "" {
		filter = FilterMine
	}
	vars := map[string]any{
		"owner":      req.Repo.Owner,
		"name":       req.Repo.Name,
		"search":     filter.SearchQuery(req.Repo),
		"first":      limit,
		"branch":     req.Branch,
		"qualified":  "refs/heads/" + req.Branch,
		"withBranch": req.Branch != "",
	}
	var data gqlResponse
	// Branch protection rules need admin rights on many repositories; without them the
	// rule is unreadable and readiness falls back to datatui.yml.
	tolerate := func(item api.GraphQLErrorItem) bool {
		for _, p := range item.Path {
			if s, ok := p.(string); ok && s == "branchProtectionRule" {
				return true
			}
		}
		return item.Type == "FORBIDDEN" && slices.ContainsFunc(item.Path, func(p any) bool { return p == "baseRef" })
	}
	if err := c.graphql(ctx, prQuery, vars, &data, tolerate); err != nil {
		return nil, err
	}
	snap := &Snapshot{
		Repo:      req.Repo,
		Viewer:    data.Viewer.Login,
		Filter:    filter,
		Branch:    req.Branch,
		Total:     data.Search.IssueCount,
		FetchedAt: time.Now(),
		RateLimit: c.RateLimit(),
	}
	if rl := data.RateLimit; rl != nil {
		snap.RateLimit = RateLimit{Limit: rl.Limit, Remaining: rl.Remaining, Reset: rl.ResetAt, Cost: rl.Cost, Known: true}
		c.noteRate(snap.RateLimit)
	}
	for _, n := range data.Search.Nodes {
		if n.Number == 0 { // search may return issues' empty fragments
			continue
		}
		snap.PRs = append(snap.PRs, n.toPR(req.RequiredChecks))
	}
	if r := data.Repository; r != nil {
		snap.BranchPushed = r.Ref != nil
		if len(r.PullRequests.Nodes) > 0 {
			p := r.PullRequests.Nodes[0].toPR(req.RequiredChecks)
			snap.BranchPR = &p
			snap.BranchPushed = true
		}
	}
	return snap, nil
}

func (g gqlPR) toPR(required []string) PR {
	p := PR{
		Number: g.Number, Title: g.Title, URL: g.URL, IsDraft: g.IsDraft, Mergeable: g.Mergeable,
		ReviewDecision: g.ReviewDecision, UpdatedAt: g.UpdatedAt, HeadRef: g.HeadRefName,
		HeadSHA: g.HeadRefOid, BaseRef: g.BaseRefName, Checks: []Check{},
	}
	if g.Author != nil {
		p.Author = g.Author.Login
	}
	if g.BaseRef != nil && g.BaseRef.BranchProtectionRule != nil {
		prot := *g.BaseRef.BranchProtectionRule
		p.Protection = &prot
	}
	approvers := map[string]bool{}
	for _, r := range g.LatestOpinionatedReviews.Nodes {
		if r.State == "APPROVED" && r.Author != nil && !approvers[r.Author.Login] {
			approvers[r.Author.Login] = true
			p.Approvals++
		}
	}
	if len(g.Commits.Nodes) > 0 {
		commit := g.Commits.Nodes[0].Commit
		if commit.StatusCheckRollup != nil {
			for _, n := range commit.StatusCheckRollup.Contexts.Nodes {
				if ch, ok := n.toCheck(); ok {
					p.Checks = append(p.Checks, ch)
				}
			}
		}
		p.Checks = append(p.Checks, queuedSuites(commit.CheckSuites.Nodes, p.Checks)...)
	}
	MarkRequired(&p, required)
	return p
}

func (n gqlContext) toCheck() (Check, bool) {
	switch n.Typename {
	case "CheckRun":
		c := Check{Kind: KindCheckRun, Name: n.Name, StartedAt: n.StartedAt, CompletedAt: n.CompletedAt,
			Link: n.DetailsURL, Bucket: CheckRunBucket(n.Status, n.Conclusion), State: n.Conclusion}
		if c.State == "" {
			c.State = n.Status
		}
		if s := n.CheckSuite; s != nil {
			if s.App != nil {
				c.App = s.App.Slug
			}
			if s.WorkflowRun != nil {
				c.Workflow = s.WorkflowRun.Workflow.Name
			}
		}
		return c, true
	case "StatusContext":
		return Check{Kind: KindStatusContext, Name: n.Context, State: n.State, Bucket: StatusContextBucket(n.State),
			Link: n.TargetURL, Description: n.Description, StartedAt: n.CreatedAt}, true
	}
	return Check{}, false
}

// queuedSuites turns check suites that have no check run yet (a queued or approval-waiting
// workflow) into pending pseudo-checks: the rollup alone would under-report pending work.
func queuedSuites(suites []gqlSuite, have []Check) []Check {
	var out []Check
	for _, s := range suites {
		if s.CheckRuns.TotalCount > 0 {
			continue
		}
		status := strings.ToUpper(s.Status)
		if status == "COMPLETED" || status == "" {
			continue
		}
		name, link, app := "", "", ""
		if s.App != nil {
			name, app = s.App.Name, s.App.Slug
		}
		if s.WorkflowRun != nil {
			name, link = s.WorkflowRun.Workflow.Name, s.WorkflowRun.URL
		}
		if name == "" {
			continue
		}
		dup := slices.ContainsFunc(have, func(c Check) bool { return c.Workflow == name && c.Bucket == BucketPending })
		if dup {
			continue
		}
		desc := "queued"
		if status == "WAITING" || strings.EqualFold(s.Conclusion, "ACTION_REQUIRED") {
			desc = "waiting for approval"
		}
		out = append(out, Check{Kind: KindCheckSuite, Name: name, Workflow: name, App: app, State: status,
			Bucket: BucketPending, Link: link, Description: desc})
	}
	return out
}

// String renders a PR reference for messages.
func (p PR) String() string { return fmt.Sprintf("#%d %s", p.Number, p.Title) }
