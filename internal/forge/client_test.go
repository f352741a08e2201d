package forge_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/ghtest"
)

var repo = forge.Repo{Host: "github.com", Owner: "acme", Name: "analytics"}

func newClient(t *testing.T, srv *ghtest.Server, token string) *forge.Client {
	t.Helper()
	c, err := forge.NewClient(forge.Options{Host: "github.com", Token: token, APIURL: srv.APIURL()})
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
	if n := srv.GraphQLCount(); n != 1 {
		t.Fatalf("one refresh must be one GraphQL request, got %d", n)
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
	// #101: passing CheckRun + failing dbt Cloud StatusContext, approved.
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
	if r := forge.Evaluate(p, nil); r.Ready || len(r.Missing) != 1 || r.Missing[0] != "required check dbt Cloud CI failed" {
		t.Fatalf("#101 readiness %+v", r)
	}
	// #102: pending check run, pending status, and a queued workflow without runs.
	p = byNum[102]
	if c := p.Counts(); c.Pending != 3 || c.Outcome() != forge.OutcomePending {
		t.Fatalf("#102 counts %+v (%+v)", c, p.Checks)
	}
	if r := forge.Evaluate(p, nil); r.Ready || strings.Join(r.Missing, "; ") != "required check lint pending; required check dbt Cloud CI pending; waiting for 1 approving review" {
		t.Fatalf("#102 readiness %q", r.Missing)
	}
	// #103: draft without checks.
	p = byNum[103]
	if !p.IsDraft || len(p.Checks) != 0 || p.Counts().Outcome() != forge.OutcomeNone {
		t.Fatalf("#103 %+v", p)
	}
	// #104: truly ready.
	if r := forge.Evaluate(byNum[104], nil); !r.Ready {
		t.Fatalf("#104 should be ready: %q", r.Missing)
	}
	// #105: the protection rule was forbidden (GraphQL error tolerated), so all checks count.
	p = byNum[105]
	if p.Protection != nil {
		t.Fatal("#105 protection should be unreadable")
	}
	if r := forge.Evaluate(p, nil); r.Basis != forge.BasisAll || r.Missing[0] != "check sqlfluff failed" {
		t.Fatalf("#105 readiness %+v", r)
	}
	if r := forge.Evaluate(p, []string{"dbt Cloud CI"}); !r.Ready || r.Basis != forge.BasisConfig {
		t.Fatalf("#105 with datatui.yml required checks %+v", r)
	}
}

func TestFetchFilters(t *testing.T) {
	srv := ghtest.New()
	defer srv.Close()
	c := newClient(t, srv, ghtest.Token)
	for filter, want := range map[forge.Filter]int{forge.FilterReviewRequested: 1, forge.FilterAll: 7} {
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
	if !strings.Contains(err.Error(), "[token]") {
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
	if err := forge.SaveSummary(dir, forge.Summarise(snap, nil)); err != nil {
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
