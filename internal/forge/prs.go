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
	// Branch is the current git branch; its PR (or its absence) is fetched in the same refresh.
	Branch string
	// Limit caps the list (default 50, at most 100).
	Limit int
	// RequiredChecks are datatui.yml's github.required_checks: names the team expects to
	// report, so a required check that never started is named in what blocks the merge.
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
	// Demo is true when the answers are the demo workspace's recorded data.
	Demo bool `json:"demo,omitempty"`
}

// AnyPending reports whether any listed PR (or the branch PR) shows something that changes on
// its own: a running check, or mergeability GitHub has not computed yet (polling is faster then).
func (s *Snapshot) AnyPending() bool {
	if s == nil {
		return false
	}
	pending := func(p PR) bool { return p.Counts().Pending > 0 || Evaluate(p).Verdict == VerdictWaiting }
	for _, p := range s.PRs {
		if pending(p) {
			return true
		}
	}
	return s.BranchPR != nil && pending(*s.BranchPR)
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

type gqlRate struct {
	Limit     int       `json:"limit"`
	Cost      int       `json:"cost"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
}

type gqlNumber struct {
	Number int `json:"number"`
}

type gqlList struct {
	Viewer struct {
		Login string `json:"login"`
	} `json:"viewer"`
	RateLimit *gqlRate `json:"rateLimit"`
	Search    struct {
		IssueCount int         `json:"issueCount"`
		Nodes      []gqlNumber `json:"nodes"`
	} `json:"search"`
	Repository *struct {
		Ref *struct {
			Name string `json:"name"`
		} `json:"ref"`
		PullRequests struct {
			Nodes []gqlNumber `json:"nodes"`
		} `json:"pullRequests"`
	} `json:"repository"`
}

type gqlDetail struct {
	RateLimit  *gqlRate          `json:"rateLimit"`
	Repository map[string]*gqlPR `json:"repository"`
}

type gqlLogin struct {
	Login string `json:"login"`
}

type gqlPR struct {
	Number         int       `json:"number"`
	Title          string    `json:"title"`
	URL            string    `json:"url"`
	IsDraft        bool      `json:"isDraft"`
	Mergeable      string    `json:"mergeable"`
	MergeState     string    `json:"mergeStateStatus"`
	ReviewDecision string    `json:"reviewDecision"`
	UpdatedAt      time.Time `json:"updatedAt"`
	IsInMergeQueue bool      `json:"isInMergeQueue"`
	Author         *gqlLogin `json:"author"`
	HeadRefName    string    `json:"headRefName"`
	HeadRefOid     string    `json:"headRefOid"`
	BaseRefName    string    `json:"baseRefName"`
	BaseRef        *struct {
		RefUpdateRule *struct {
			RequiredApprovingReviewCount   *int     `json:"requiredApprovingReviewCount"`
			RequiredStatusCheckContexts    []string `json:"requiredStatusCheckContexts"`
			RequiresCodeOwnerReviews       bool     `json:"requiresCodeOwnerReviews"`
			RequiresConversationResolution bool     `json:"requiresConversationResolution"`
			RequiresSignatures             bool     `json:"requiresSignatures"`
		} `json:"refUpdateRule"`
		Rules *struct {
			Nodes []struct {
				Type       string `json:"type"`
				Parameters *struct {
					Typename                       string `json:"__typename"`
					RequiredApprovingReviewCount   int    `json:"requiredApprovingReviewCount"`
					RequireCodeOwnerReview         bool   `json:"requireCodeOwnerReview"`
					RequiredReviewThreadResolution bool   `json:"requiredReviewThreadResolution"`
					StrictPolicy                   bool   `json:"strictRequiredStatusChecksPolicy"`
					RequiredStatusChecks           []struct {
						Context string `json:"context"`
					} `json:"requiredStatusChecks"`
				} `json:"parameters"`
			} `json:"nodes"`
		} `json:"rules"`
	} `json:"baseRef"`
	LatestOpinionatedReviews struct {
		Nodes []struct {
			State  string    `json:"state"`
			Author *gqlLogin `json:"author"`
		} `json:"nodes"`
	} `json:"latestOpinionatedReviews"`
	ReviewRequests struct {
		Nodes []struct {
			AsCodeOwner       bool `json:"asCodeOwner"`
			RequestedReviewer *struct {
				Login        string `json:"login"`
				CombinedSlug string `json:"combinedSlug"`
			} `json:"requestedReviewer"`
		} `json:"nodes"`
	} `json:"reviewRequests"`
	ReviewThreads struct {
		Nodes []struct {
			IsResolved bool `json:"isResolved"`
		} `json:"nodes"`
	} `json:"reviewThreads"`
	Commits struct {
		Nodes []struct {
			Commit struct {
				Oid       string `json:"oid"`
				Signature *struct {
					IsValid bool `json:"isValid"`
				} `json:"signature"`
				StatusCheckRollup *struct {
					State    string       `json:"state"`
					Contexts gqlCheckPage `json:"contexts"`
				} `json:"statusCheckRollup"`
				CheckSuites struct {
					Nodes []gqlSuite `json:"nodes"`
				} `json:"checkSuites"`
			} `json:"commit"`
		} `json:"nodes"`
	} `json:"commits"`
}

type gqlCheckPage struct {
	TotalCount int `json:"totalCount"`
	PageInfo   struct {
		HasNextPage bool   `json:"hasNextPage"`
		EndCursor   string `json:"endCursor"`
	} `json:"pageInfo"`
	Nodes []gqlContext `json:"nodes"`
}

type gqlContext struct {
	Typename    string    `json:"__typename"`
	Name        string    `json:"name"`
	Status      string    `json:"status"`
	Conclusion  string    `json:"conclusion"`
	StartedAt   time.Time `json:"startedAt"`
	CompletedAt time.Time `json:"completedAt"`
	DetailsURL  string    `json:"detailsUrl"`
	IsRequired  bool      `json:"isRequired"`
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

// detailBatch is how many pull requests one detail request asks for: a page of the list in
// one request, small enough that GitHub answers it quickly.
const detailBatch = 25

// maxCheckPages bounds paging through one PR's checks (1,000 checks).
const maxCheckPages = 10

// FetchPRs runs one refresh: the list, then every listed PR's details (see queries.go).
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
	var list gqlList
	if err := c.graphql(ctx, listQuery, vars, &list, nil); err != nil {
		return nil, err
	}
	snap := &Snapshot{
		Repo:      req.Repo,
		Viewer:    list.Viewer.Login,
		Filter:    filter,
		Branch:    req.Branch,
		Total:     list.Search.IssueCount,
		FetchedAt: time.Now(),
	}
	c.noteGraphQLRate(list.RateLimit)
	var numbers []int
	for _, n := range list.Search.Nodes {
		if n.Number != 0 { // an issue's empty fragment
			numbers = append(numbers, n.Number)
		}
	}
	branchNumber := 0
	if r := list.Repository; r != nil {
		snap.BranchPushed = r.Ref != nil
		if len(r.PullRequests.Nodes) > 0 {
			branchNumber = r.PullRequests.Nodes[0].Number
			snap.BranchPushed = true
			if !slices.Contains(numbers, branchNumber) {
				numbers = append(numbers, branchNumber)
			}
		}
	}
	prs, err := c.fetchDetails(ctx, req, numbers)
	if err != nil {
		return nil, err
	}
	for _, n := range numbers {
		p, ok := prs[n]
		if !ok {
			continue // closed between the two requests
		}
		if n == branchNumber {
			bp := p
			snap.BranchPR = &bp
		}
		if n != branchNumber || slices.ContainsFunc(list.Search.Nodes, func(g gqlNumber) bool { return g.Number == n }) {
			snap.PRs = append(snap.PRs, p)
		}
	}
	snap.RateLimit = c.RateLimit()
	return snap, nil
}

// fetchDetails asks for the numbered PRs in batches, pages through long check lists, and asks
// again (a few times, a moment apart) for PRs whose mergeability GitHub has not computed yet:
// GitHub starts computing it when first asked, and UNKNOWN is no answer to show.
func (c *Client) fetchDetails(ctx context.Context, req Request, numbers []int) (map[int]PR, error) {
	out := map[int]PR{}
	pending := numbers
	for attempt := 0; len(pending) > 0; attempt++ {
		var unknown []int
		for start := 0; start < len(pending); start += detailBatch {
			batch := pending[start:min(start+detailBatch, len(pending))]
			got, err := c.fetchBatch(ctx, req, batch)
			if err != nil {
				return nil, err
			}
			for n, p := range got {
				out[n] = p
				if strings.EqualFold(p.MergeState, MergeUnknown) {
					unknown = append(unknown, n)
				}
			}
		}
		if len(unknown) == 0 || attempt >= c.unknownRetries {
			break
		}
		slices.Sort(unknown)
		pending = unknown
		t := time.NewTimer(c.unknownDelay)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return out, nil
}

func (c *Client) fetchBatch(ctx context.Context, req Request, numbers []int) (map[int]PR, error) {
	vars := map[string]any{"owner": req.Repo.Owner, "name": req.Repo.Name}
	for i, n := range numbers {
		vars[fmt.Sprintf("n%d", i)] = n
	}
	var data gqlDetail
	if err := c.graphql(ctx, detailQuery(len(numbers)), vars, &data, notFoundPR); err != nil {
		return nil, err
	}
	c.noteGraphQLRate(data.RateLimit)
	out := map[int]PR{}
	for i := range numbers {
		g := data.Repository[fmt.Sprintf("pr%d", i)]
		if g == nil {
			continue
		}
		if err := c.morePages(ctx, req.Repo, g); err != nil {
			return nil, err
		}
		out[g.Number] = g.toPR(req.RequiredChecks)
	}
	return out, nil
}

// notFoundPR tolerates a PR that disappeared between the list and its details.
func notFoundPR(item api.GraphQLErrorItem) bool { return item.Type == "NOT_FOUND" }

// morePages fetches the rest of a PR's checks when they fill more than one page.
func (c *Client) morePages(ctx context.Context, repo Repo, g *gqlPR) error {
	if len(g.Commits.Nodes) == 0 || g.Commits.Nodes[0].Commit.StatusCheckRollup == nil {
		return nil
	}
	page := &g.Commits.Nodes[0].Commit.StatusCheckRollup.Contexts
	for i := 0; page.PageInfo.HasNextPage && i < maxCheckPages-1; i++ {
		var data struct {
			Repository *struct {
				PullRequest *gqlPR `json:"pullRequest"`
			} `json:"repository"`
		}
		vars := map[string]any{"owner": repo.Owner, "name": repo.Name, "number": g.Number, "after": page.PageInfo.EndCursor}
		if err := c.graphql(ctx, checksQuery(), vars, &data, nil); err != nil {
			return err
		}
		if data.Repository == nil || data.Repository.PullRequest == nil || len(data.Repository.PullRequest.Commits.Nodes) == 0 ||
			data.Repository.PullRequest.Commits.Nodes[0].Commit.StatusCheckRollup == nil {
			return nil
		}
		next := data.Repository.PullRequest.Commits.Nodes[0].Commit.StatusCheckRollup.Contexts
		page.Nodes = append(page.Nodes, next.Nodes...)
		page.PageInfo = next.PageInfo
	}
	return nil
}

func (c *Client) noteGraphQLRate(rl *gqlRate) {
	if rl != nil {
		c.noteRate(RateLimit{Limit: rl.Limit, Remaining: rl.Remaining, Reset: rl.ResetAt, Cost: rl.Cost, Known: true})
	}
}

func (g gqlPR) toPR(configured []string) PR {
	p := PR{
		Number: g.Number, Title: g.Title, URL: g.URL, IsDraft: g.IsDraft, Mergeable: g.Mergeable,
		MergeState: strings.ToUpper(g.MergeState), ReviewDecision: g.ReviewDecision, UpdatedAt: g.UpdatedAt,
		HeadRef: g.HeadRefName, HeadSHA: g.HeadRefOid, BaseRef: g.BaseRefName, InMergeQueue: g.IsInMergeQueue,
		Checks: []Check{},
	}
	if g.Author != nil {
		p.Author = g.Author.Login
	}
	p.Rules = g.requirements(configured)
	approvers := map[string]bool{}
	for _, r := range g.LatestOpinionatedReviews.Nodes {
		login := ""
		if r.Author != nil {
			login = r.Author.Login
		}
		switch r.State {
		case "APPROVED":
			if login != "" && !approvers[login] {
				approvers[login] = true
				p.Approvals++
			}
		case "CHANGES_REQUESTED":
			p.ChangesRequestedBy = append(p.ChangesRequestedBy, login)
		}
	}
	for _, rr := range g.ReviewRequests.Nodes {
		if rr.AsCodeOwner && rr.RequestedReviewer != nil {
			p.CodeOwnerRequests = append(p.CodeOwnerRequests, orDefault(rr.RequestedReviewer.CombinedSlug, rr.RequestedReviewer.Login))
		}
	}
	for _, t := range g.ReviewThreads.Nodes {
		if !t.IsResolved {
			p.UnresolvedThreads++
		}
	}
	if len(g.Commits.Nodes) > 0 {
		commit := g.Commits.Nodes[0].Commit
		p.HeadSigned = commit.Signature != nil && commit.Signature.IsValid
		if commit.StatusCheckRollup != nil {
			p.ChecksTotal = commit.StatusCheckRollup.Contexts.TotalCount
			for _, n := range commit.StatusCheckRollup.Contexts.Nodes {
				if ch, ok := n.toCheck(); ok {
					p.Checks = append(p.Checks, ch)
				}
			}
		}
		p.Checks = append(p.Checks, queuedSuites(commit.CheckSuites.Nodes, p.Checks)...)
	}
	return p
}

// requirements gathers what the base branch's protection and rulesets require, as far as the
// viewer may read them (refUpdateRule and Ref.rules need no admin rights).
func (g gqlPR) requirements(configured []string) Requirements {
	var r Requirements
	addCheck := func(name string) {
		if name != "" && !slices.ContainsFunc(r.Checks, func(n string) bool { return strings.EqualFold(n, name) }) {
			r.Checks = append(r.Checks, name)
		}
	}
	if g.BaseRef != nil {
		if u := g.BaseRef.RefUpdateRule; u != nil {
			if u.RequiredApprovingReviewCount != nil {
				r.ApprovingReviews = *u.RequiredApprovingReviewCount
			}
			r.CodeOwnerReview = u.RequiresCodeOwnerReviews
			r.ConversationResolution = u.RequiresConversationResolution
			r.Signatures = u.RequiresSignatures
			for _, c := range u.RequiredStatusCheckContexts {
				addCheck(c)
			}
		}
		if g.BaseRef.Rules != nil {
			for _, rule := range g.BaseRef.Rules.Nodes {
				switch rule.Type {
				case "REQUIRED_SIGNATURES":
					r.Signatures = true
				case "MERGE_QUEUE":
					r.MergeQueue = true
				case "REQUIRED_REVIEW_THREAD_RESOLUTION":
					r.ConversationResolution = true
				}
				if pp := rule.Parameters; pp != nil {
					r.ApprovingReviews = max(r.ApprovingReviews, pp.RequiredApprovingReviewCount)
					r.CodeOwnerReview = r.CodeOwnerReview || pp.RequireCodeOwnerReview
					r.ConversationResolution = r.ConversationResolution || pp.RequiredReviewThreadResolution
					r.UpToDate = r.UpToDate || pp.StrictPolicy
					for _, c := range pp.RequiredStatusChecks {
						addCheck(c.Context)
					}
				}
			}
		}
	}
	for _, c := range configured {
		addCheck(c)
	}
	return r
}

func (n gqlContext) toCheck() (Check, bool) {
	switch n.Typename {
	case "CheckRun":
		c := Check{Kind: KindCheckRun, Name: n.Name, StartedAt: n.StartedAt, CompletedAt: n.CompletedAt,
			Link: n.DetailsURL, Bucket: CheckRunBucket(n.Status, n.Conclusion), State: n.Conclusion, Required: n.IsRequired}
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
			Link: n.TargetURL, Description: n.Description, StartedAt: n.CreatedAt, Required: n.IsRequired}, true
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
