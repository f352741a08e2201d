package forge_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/redact"
)

var repo = forge.Repo{Host: "github.com", Owner: "acme", Name: "analytics"}

func newClient(t *testing.T, srv *ghtest.Server, token string) *forge.Client {
	t.Helper()
	c, err := forge.NewClient(forge.Options{Host: "github.com", Token: token, APIURL: srv.APIURL(), MergeabilityDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertNoToken fails when the token shows up in any of the texts.
func assertNoToken(t *testing.T, token string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, token) {
			t.Fatalf("the token leaked into %q", s)
		}
	}
}

func TestFetchMine(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Filter: forge.FilterMine, Branch: "feature/ltv"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.Viewer != "ana" || len(snap.PRs) != 5 {
		t.Fatalf("viewer %q, %d PRs", snap.Viewer, len(snap.PRs))
	}
	// A refresh is the list and one request for all their details, whatever their number.
	if n := srv.GraphQLCount(); n != 2 {
		t.Fatalf("one refresh must be two GraphQL requests, got %d", n)
	}
	reqs := srv.Requests()
	if reqs[0].Auth != "token "+ghtest.Token {
		t.Fatalf("auth header %q", reqs[0].Auth)
	}
	if q := reqs[0].Vars["search"]; q != "repo:acme/analytics is:pr is:open archived:false sort:updated-desc author:@me" {
		t.Fatalf("search %q", q)
	}
	if !snap.RateLimit.Known || snap.RateLimit.Remaining != 4990 || snap.RateLimit.Cost != 1 {
		t.Fatalf("rate limit %+v", snap.RateLimit)
	}
	if snap.BranchPR == nil || snap.BranchPR.Number != 101 || !snap.BranchPushed {
		t.Fatalf("branch PR %+v pushed=%v", snap.BranchPR, snap.BranchPushed)
	}
	byNum := map[int]forge.PR{}
	for _, p := range snap.PRs {
		byNum[p.Number] = p
	}
	// #101: passing CheckRun + failing dbt Cloud StatusContext, both required per isRequired.
	p := byNum[101]
	if c := p.Counts(); c.Pass != 1 || c.Fail != 1 || c.Outcome() != forge.OutcomeFailed {
		t.Fatalf("#101 counts %+v", c)
	}
	dbt := p.Checks[1]
	if dbt.Kind != forge.KindStatusContext || dbt.Name != "dbt Cloud CI" || !dbt.Required || !strings.Contains(dbt.Link, "cloud.getdbt.com") {
		t.Fatalf("#101 dbt check %+v", dbt)
	}
	if lint := p.Checks[0]; lint.Duration(time.Now()) != 62*time.Second || lint.Workflow != "CI" || lint.App != "github-actions" {
		t.Fatalf("#101 lint %+v", lint)
	}
	// #105: the ruleset requires dbt Cloud CI only; sqlfluff is optional (isRequired false).
	p = byNum[105]
	if p.Rules.ApprovingReviews != 1 || len(p.Rules.Checks) != 1 || p.Rules.Checks[0] != "dbt Cloud CI" {
		t.Fatalf("#105 rules from the ruleset %+v", p.Rules)
	}
	for _, ch := range p.Checks {
		if ch.Required != (ch.Name == "dbt Cloud CI") {
			t.Fatalf("#105 check %s required=%v", ch.Name, ch.Required)
		}
	}
}

// TestReadinessOverRecordedStates is the readiness table: every mergeStateStatus GitHub gives,
// BLOCKED for each reason, as answered by the recorded server and explained in words.
func TestReadinessOverRecordedStates(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c, err := forge.NewClient(forge.Options{Host: "github.com", Token: ghtest.Token, APIURL: srv.APIURL(), MergeabilityDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Filter: forge.FilterAll, RequiredChecks: []string{"dbt Cloud CI"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		number  int
		state   string
		verdict forge.Verdict
		summary string
		failed  bool
	}{
		{104, "CLEAN", forge.VerdictReady, "ready to merge", false},
		{105, "UNSTABLE", forge.VerdictReady, "ready to merge (optional check sqlfluff failed)", false},
		{101, "BLOCKED", forge.VerdictBlocked, "blocked: required check dbt Cloud CI failed", true},
		{102, "BLOCKED", forge.VerdictBlocked, "blocked: required check dbt Cloud CI still running; required check lint still running; 1 required review missing", false},
		{110, "BLOCKED", forge.VerdictBlocked, "blocked: 1 required review missing; code owner review required from acme/data-eng", false},
		{113, "BLOCKED", forge.VerdictBlocked, "blocked: 2 unresolved conversations; commits must be signed (the head commit is not)", false},
		{115, "BLOCKED", forge.VerdictBlocked, "blocked: changes requested by bob", false},
		{112, "BEHIND", forge.VerdictBlocked, "behind main: update the branch", false},
		{111, "DIRTY", forge.VerdictBlocked, "conflicts with main: resolve them", true},
		{103, "DRAFT", forge.VerdictBlocked, "draft: mark it ready for review", false},
		{114, "UNKNOWN", forge.VerdictWaiting, "GitHub is still checking whether it can be merged: asking again", false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("#%d %s", tc.number, tc.state), func(t *testing.T) {
			p, ok := snap.Find(tc.number)
			if !ok {
				t.Fatalf("#%d not fetched", tc.number)
			}
			r := forge.Evaluate(p)
			if r.MergeState != tc.state || r.Verdict != tc.verdict || r.Summary != tc.summary || r.Failed != tc.failed || r.Ready != (tc.verdict == forge.VerdictReady) {
				t.Fatalf("got %s/%s %q failed=%v, want %s/%s %q failed=%v", r.MergeState, r.Verdict, r.Summary, r.Failed, tc.state, tc.verdict, tc.summary, tc.failed)
			}
		})
	}
	// #102 waits for running checks AND a review: waiting alone does not make it ready, so it is
	// blocked; without the review requirement it would be waiting.
	p, _ := snap.Find(102)
	p.ReviewDecision = "APPROVED"
	if r := forge.Evaluate(p); r.Verdict != forge.VerdictWaiting {
		t.Fatalf("approved #102 with running checks: %s %q", r.Verdict, r.Summary)
	}
	// #114 stayed UNKNOWN: it was asked again (three times) before datatui said so.
	details := 0
	for _, r := range srv.Requests() {
		if strings.Contains(r.Query, "query DatatuiPullRequests(") {
			details++
		}
	}
	if details != 4 {
		t.Fatalf("detail requests %d, want 1 + 3 re-asks for the UNKNOWN PR", details)
	}
}

// TestUnknownIsAskedAgain: GitHub answers UNKNOWN while it computes mergeability; the refresh
// asks again instead of showing a guess.
func TestUnknownIsAskedAgain(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c, err := forge.NewClient(forge.Options{Host: "github.com", Token: "ghp_unknown_" + ghtest.Token, APIURL: srv.APIURL(), MergeabilityDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Branch: "feature/payments"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.BranchPR == nil || snap.BranchPR.MergeState != forge.MergeClean || !forge.Evaluate(*snap.BranchPR).Ready {
		t.Fatalf("after asking again: %+v", snap.BranchPR)
	}
	if n := srv.GraphQLCount(); n != 3 {
		t.Fatalf("%d GraphQL requests, want list + UNKNOWN details + one re-ask", n)
	}
}

// TestChecksArePaged: a PR with more checks than one page has all of them, through pageInfo.
func TestChecksArePaged(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	var pr map[string]any
	for _, raw := range srv.PullRequestJSON() {
		if strings.Contains(string(raw), `"number": 104`) {
			_ = json.Unmarshal(raw, &pr)
		}
	}
	var nodes []any
	for i := range 250 {
		nodes = append(nodes, map[string]any{"__typename": "CheckRun", "name": fmt.Sprintf("shard %03d", i), "status": "COMPLETED", "conclusion": "SUCCESS",
			"detailsUrl": "https://github.com/acme/analytics/actions/runs/1/job/" + fmt.Sprint(1000+i), "isRequired": i == 249})
	}
	nodes = append(nodes, map[string]any{"__typename": "CheckRun", "name": "the 251st", "status": "COMPLETED", "conclusion": "FAILURE", "isRequired": true})
	commit := pr["commits"].(map[string]any)["nodes"].([]any)[0].(map[string]any)["commit"].(map[string]any)
	commit["statusCheckRollup"] = map[string]any{"state": "FAILURE", "contexts": map[string]any{"nodes": nodes}}
	pr["mergeStateStatus"] = "BLOCKED"
	pr["baseRef"] = map[string]any{"refUpdateRule": nil, "rules": map[string]any{"nodes": []any{}}}
	raw, _ := json.Marshal(pr)
	srv.SetPullRequests([]json.RawMessage{raw})
	c := newClient(t, srv, ghtest.Token)
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo})
	if err != nil {
		t.Fatal(err)
	}
	p := snap.PRs[0]
	if len(p.Checks) != 251 || p.ChecksTotal != 251 {
		t.Fatalf("%d checks of %d fetched", len(p.Checks), p.ChecksTotal)
	}
	if r := forge.Evaluate(p); r.Summary != "blocked: required check the 251st failed" {
		t.Fatalf("readiness %q", r.Summary)
	}
	if n := srv.GraphQLCount(); n != 4 {
		t.Fatalf("%d GraphQL requests, want list + details + 2 more pages", n)
	}
}

func TestFetchFilters(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	for filter, want := range map[forge.Filter]int{forge.FilterReviewRequested: 1, forge.FilterAll: 11} {
		snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Filter: filter})
		if err != nil {
			t.Fatal(err)
		}
		if len(snap.PRs) != want || snap.BranchPR != nil {
			t.Errorf("%s: %d PRs, want %d", filter, len(snap.PRs), want)
		}
	}
}

func TestBranchWithoutPR(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Branch: "feature/no-pr"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.BranchPR != nil || !snap.BranchPushed {
		t.Fatalf("pushed branch without PR: pr=%v pushed=%v", snap.BranchPR, snap.BranchPushed)
	}
	snap, err = c.FetchPRs(context.Background(), forge.Request{Repo: repo, Branch: "local-only"})
	if err != nil {
		t.Fatal(err)
	}
	if snap.BranchPushed {
		t.Fatal("a branch that is not on GitHub is not pushed")
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name  string
		token string
		check func(t *testing.T, err error)
	}{
		{"401", "ghp_bad_" + ghtest.Token, func(t *testing.T, err error) {
			var ae *forge.AuthError
			if !errors.As(err, &ae) || !strings.Contains(err.Error(), "gh auth login") {
				t.Fatalf("want AuthError with how to sign in, got %v", err)
			}
		}},
		{"403 primary rate limit", "ghp_ratelimit_" + ghtest.Token, func(t *testing.T, err error) {
			var rl *forge.RateLimitError
			if !errors.As(err, &rl) || rl.Status != 403 || rl.Reset.IsZero() || rl.Secondary {
				t.Fatalf("want primary RateLimitError with reset, got %#v", err)
			}
		}},
		{"429 secondary rate limit", "ghp_secondary_" + ghtest.Token, func(t *testing.T, err error) {
			var rl *forge.RateLimitError
			if !errors.As(err, &rl) || rl.Status != 429 || rl.Wait != time.Second || !rl.Secondary {
				t.Fatalf("want secondary RateLimitError with Retry-After, got %#v", err)
			}
		}},
		{"5xx then success", "ghp_flaky_" + ghtest.Token, func(t *testing.T, err error) {
			var se *forge.ServerError
			if !errors.As(err, &se) || se.Status != 502 {
				t.Fatalf("want ServerError 502, got %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := ghtest.New()
			defer srv.Close()
			c := newClient(t, srv, tc.token)
			_, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo})
			if err == nil {
				t.Fatal("want an error")
			}
			tc.check(t, err)
			assertNoToken(t, tc.token, err.Error())
			if tc.name == "5xx then success" {
				if _, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo}); err != nil {
					t.Fatalf("second request should succeed: %v", err)
				}
			}
		})
	}
}

func TestQueuedErrorBodyWithTokenIsScrubbed(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	// A proxy that echoes the Authorization header into its error must not leak it.
	srv.QueueError(http.StatusBadRequest, nil, `{"message":"bad header: token `+ghtest.Token+`"}`)
	c := newClient(t, srv, ghtest.Token)
	_, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo})
	if err == nil {
		t.Fatal("want an error")
	}
	assertNoToken(t, ghtest.Token, err.Error())
	if !strings.Contains(err.Error(), redact.Mask) {
		t.Fatalf("error %q", err)
	}
}

func TestNotSignedIn(t *testing.T) {
	_, err := forge.NewClient(forge.Options{Host: "github.com", TokenForHost: func(string) (string, string) { return "", "default" }})
	if !errors.Is(err, forge.ErrNotSignedIn) {
		t.Fatalf("got %v", err)
	}
	for _, want := range []string{"gh auth login", "export GH_TOKEN="} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("sign-in help lacks %q: %v", want, err)
		}
	}
}

func TestTokenFromEnvironment(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	t.Setenv("GH_TOKEN", ghtest.Token)
	t.Setenv("GH_CONFIG_DIR", t.TempDir())
	t.Setenv(forge.EnvAPIURL, srv.APIURL())
	c, err := forge.NewClient(forge.Options{Host: "github.com"})
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenSource() != "GH_TOKEN" {
		t.Fatalf("source %q", c.TokenSource())
	}
	if _, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo}); err != nil {
		t.Fatal(err)
	}
}

func TestBadAPIURL(t *testing.T) {
	_, err := forge.NewClient(forge.Options{Host: "github.com", Token: "x", APIURL: "ftp://example.com"})
	if err == nil || !strings.Contains(err.Error(), forge.EnvAPIURL) {
		t.Fatalf("got %v", err)
	}
}

func TestJobLogTail(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	lines, err := c.JobLogTail(context.Background(), repo, 778, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 5 || lines[4] != "##[error]Process completed with exit code 1." || !strings.HasPrefix(lines[0], "== [models/marts/fct_payments.sql] FAIL") {
		t.Fatalf("tail %q", lines)
	}
	// The redirect to blob storage carried no token (the fake refuses one).
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Path, "/_blobs/") && r.Auth != "" {
			t.Fatalf("token sent to blob storage")
		}
	}
	if _, err := c.JobLogTail(context.Background(), repo, 999, 5); err == nil {
		t.Fatal("a missing log should be an error")
	}
	if err := c.RerunJob(context.Background(), repo, 778); err != nil {
		t.Fatal(err)
	}
}

func TestSummaryRoundTrip(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	snap, err := c.FetchPRs(context.Background(), forge.Request{Repo: repo, Branch: "feature/orders"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := forge.SaveSummary(dir, forge.Summarise(snap)); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dir + "/" + forge.SummaryFile)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("summary file: %v %v", st, err)
	}
	sum, err := forge.LoadSummary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if sum.PRs[0].Number != 102 || !sum.PRs[0].IsBranch || len(sum.PRs) != 5 {
		t.Fatalf("summary %+v", sum.PRs)
	}
	lines := sum.Lines(3)
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "#102 Rename stg_orders columns  ✓0") && !strings.Contains(lines[0], "●3") {
		t.Fatalf("lines %q", lines)
	}
	if _, err := forge.LoadSummary(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("missing summary: %v", err)
	}
}

func TestFetchCancelled(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.FetchPRs(ctx, forge.Request{Repo: repo})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
}
