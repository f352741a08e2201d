package prs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/charmbracelet/x/ansi"

	"slices"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/forge/prstatus"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/pagerduty/pdfake"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

var fixedNow = time.Date(2026, 11, 28, 10, 30, 0, 0, time.UTC)

// testBackend is the live backend against the fakes, with the browser and git replaced.
type testBackend struct {
	*live
	ws       *workspace.Workspace
	opened   []string
	checkout func(forge.PR) (string, error)
}

func (b *testBackend) Open(url string) error { b.opened = append(b.opened, url); return nil }
func (b *testBackend) Checkout(_ context.Context, pr forge.PR) (string, error) {
	if b.checkout != nil {
		return b.checkout(pr)
	}
	return "Switched to " + pr.HeadRef, nil
}

type harness struct {
	*uitest.Driver
	m     *Model
	b     *testBackend
	gh    *ghtest.Server
	dc    *ghtest.DBTCloud
	ticks []time.Duration
}

// newHarness builds the screen against the fakes and drives it (its first refresh done) at
// 120×40.
func newHarness(t *testing.T, token, branch string) *harness {
	t.Helper()
	gh := ghtest.New()
	dc := ghtest.NewDBTCloud()
	t.Cleanup(gh.Close)
	t.Cleanup(dc.Close)
	t.Setenv(dbtcloud.EnvToken, dc.Token)
	t.Setenv(dbtcloud.EnvAccountHost, dbtcloud.DefaultHost)
	t.Setenv(dbtcloud.EnvAPIURL, dc.URL)
	t.Setenv(forge.EnvRepo, "")
	t.Setenv(forge.EnvHost, "")
	cfg := config.Default()
	cfg.GitHub.Repo = "acme/analytics"
	cfg.DBTCloud = config.DBTCloud{AccountID: 1001, CIJobID: 12345}
	ws := &workspace.Workspace{Root: t.TempDir(), ProjectDir: "/x", Config: cfg, StateDir: t.TempDir()}
	l := newLive(service.New(ws, service.Options{}), prstatus.Options{GitHub: forge.Options{Host: "github.com", Token: token, APIURL: gh.APIURL(), MergeabilityDelay: time.Millisecond,
		TokenForHost: func(string) (string, string) { return "", "default" }},
		Keyring: credstore.NewMemory(), Home: t.TempDir(), Branch: branch}, &desktop.Recorder{})
	b := &testBackend{live: l, ws: ws}
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background()),
		Clock: func() time.Time { return fixedNow }}
	h := &harness{b: b, gh: gh, dc: dc}
	h.m = newModel(c, b, func() time.Time { return fixedNow })
	h.m.after = func(d time.Duration, _ tea.Msg) tea.Cmd { h.ticks = append(h.ticks, d); return nil }
	h.Driver = uitest.Screen(t, h.m, c, 120, 40)
	return h
}

// view is the frame at w×h.
func (h *harness) view(w, hgt int) string {
	h.Resize(w, hgt)
	return h.View()
}

func (h *harness) lastStatus() string {
	s := h.Statuses()
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func (h *harness) notes() []NotifyMsg { return uitest.Of[NotifyMsg](h.Driver) }

func (h *harness) raw() []string {
	var out []string
	for _, r := range uitest.Of[tea.RawMsg](h.Driver) {
		out = append(out, fmt.Sprint(r.Msg))
	}
	return out
}

func TestListGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	if h.m.snap == nil || h.m.list.Len() != 5 {
		t.Fatalf("rows %d, err %v", h.m.list.Len(), h.m.err)
	}
	if pr, _ := h.m.current(); pr.Number != 101 {
		t.Fatalf("the current branch's PR should be selected, got #%d", pr.Number)
	}
	h.Goldens(t)
}

func TestDBTCloudLogGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.Key("enter")
	if h.m.focus != focusChecks || h.m.checkSel != 1 {
		t.Fatalf("enter should focus the failing check, got focus %d check %d", h.m.focus, h.m.checkSel)
	}
	v := h.view(120, 40)
	for _, want := range []string{"dbt Cloud run #42", "Failing nodes", "model.analytics.customer_ltv", "Invoke dbt with `dbt build"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	h.Goldens(t)
}

func TestActionsLogGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/sqlfluff")
	h.Key("enter")
	v := h.view(120, 40)
	if !strings.Contains(v, "##[error]Process completed with exit code 1.") {
		t.Fatalf("no Actions log tail:\n%s", v)
	}
	h.Goldens(t)
}

func TestNotSignedInGolden(t *testing.T) {
	h := newHarness(t, "", "feature/ltv")
	v := h.view(80, 24)
	for _, want := range []string{"Not signed in to GitHub.", "gh auth login", "export GH_TOKEN="} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	h.Goldens(t)
}

func TestBranchWithoutPROffersOne(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/no-pr")
	v := h.view(80, 24)
	if !strings.Contains(v, "Branch feature/no-pr has no pull request yet. n open one in the browser") {
		t.Fatalf("no offer:\n%s", v)
	}
	h.Key("n")
	if len(h.b.opened) != 1 || h.b.opened[0] != "https://github.com/acme/analytics/compare/main...feature/no-pr?expand=1" {
		t.Fatalf("opened %q", h.b.opened)
	}
	h.Goldens(t)
}

func TestKeys(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")

	h.Key("j")
	if pr, _ := h.m.current(); pr.Number != 102 {
		t.Fatalf("j: #%d", pr.Number)
	}
	h.Key("G")
	if h.m.list.Index() != h.m.list.Len()-1 {
		t.Fatal("G")
	}
	h.Key("g")
	h.Key("o")
	if h.b.opened[len(h.b.opened)-1] != "https://github.com/acme/analytics/pull/101" {
		t.Fatalf("o opened %q", h.b.opened)
	}
	h.Key("y")
	if last := h.lastStatus(); last != "Copied https://github.com/acme/analytics/pull/101" {
		t.Fatalf("y: %q", last)
	}
	// In the checks, o opens the check's link.
	h.Key("enter")
	h.Key("o")
	if got := h.b.opened[len(h.b.opened)-1]; got != "https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/" {
		t.Fatalf("o on a check opened %q", got)
	}
	h.Key("esc")
	if h.m.focus != focusList {
		t.Fatal("esc goes back to the list")
	}

	// Checkout refuses a dirty tree and says why.
	h.b.checkout = func(forge.PR) (string, error) {
		return "", &forge.DirtyTreeError{Changed: []string{"models/x.sql"}}
	}
	h.Key("c")
	if last := h.lastStatus(); !strings.Contains(last, "uncommitted changes (models/x.sql)") {
		t.Fatalf("c: %q", last)
	}

	// Filter cycles and refetches.
	h.Key("f")
	if h.m.filter != forge.FilterReviewRequested || h.m.list.Len() != 2 {
		// the branch PR is kept at the top of other filters
		t.Fatalf("filter %s rows %d", h.m.filter, h.m.list.Len())
	}
	h.Key("f")
	h.Key("f")
	if h.m.filter != forge.FilterMine {
		t.Fatal("filter cycles back to mine")
	}
}

func TestRerunAsksFirst(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.Key("R")
	v := h.view(80, 24)
	if h.m.confirm == nil || !h.m.Capturing() || !strings.Contains(v, "Re-run dbt Cloud CI for PR #101?") ||
		!strings.Contains(v, "dbt Cloud starts a new CI run") || !strings.Contains(v, "y re-run   n/esc cancel") {
		t.Fatalf("R must ask first, saying what it costs:\n%s", v)
	}
	t.Run("dialog", h.Goldens)
	h.Key("x") // a stray key neither confirms nor cancels
	if h.m.confirm == nil {
		t.Fatal("a stray key closed the dialog")
	}
	h.Key("n")
	if len(h.dc.Triggers()) != 0 || h.m.confirm != nil {
		t.Fatal("n cancels")
	}
	h.Key("R")
	h.Key("y")
	if len(h.dc.Triggers()) != 1 {
		t.Fatalf("y should trigger one run, got %d", len(h.dc.Triggers()))
	}
	if last := h.lastStatus(); !strings.Contains(last, "dbt Cloud run #45 queued for PR #101") {
		t.Fatalf("status %q", h.Statuses())
	}
}

func TestWatchNotifiesOnlyWhenDone(t *testing.T) {
	h := newHarness(t, "ghp_settle_"+ghtest.Token, "feature/orders")
	if pr, _ := h.m.current(); pr.Number != 102 {
		t.Fatalf("#%d", pr.Number)
	}
	h.Key("w")
	if _, ok := h.m.watched[102]; !ok {
		t.Fatal("w watches")
	}
	h.Send(pollMsg{seq: h.m.tickSeq}) // second refresh: still pending
	if len(h.raw()) != 0 || len(h.notes()) != 0 {
		t.Fatalf("notified before the checks finished: %q", h.raw())
	}
	if h.ticks[len(h.ticks)-1] != 10*time.Second {
		t.Fatalf("poll fast while checks run: %v", h.ticks)
	}
	h.Send(pollMsg{seq: h.m.tickSeq}) // third: checks settled and passed
	// Passing checks with a review still missing is neither ready nor failed: no bell.
	if pr, _ := h.m.current(); pr.Counts().Pending != 0 || len(h.notes()) != 0 || len(h.raw()) != 0 {
		t.Fatalf("notified while still blocked on a review: %+v %q", h.notes(), h.raw())
	}
	if pr, _ := h.m.current(); forge.Evaluate(pr).Summary != "blocked: 1 required review missing" {
		t.Fatalf("readiness %q", forge.Evaluate(pr).Summary)
	}
	// A stale tick (an older chain) is ignored.
	before := h.gh.GraphQLCount()
	h.Send(pollMsg{seq: h.m.tickSeq - 1})
	if h.gh.GraphQLCount() != before {
		t.Fatal("a stale tick started a refresh")
	}
}

func TestNeverTwoRefreshesAndStaleDropped(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	first := h.m.refresh()
	if first == nil || h.m.refresh() != nil {
		t.Fatal("a second refresh must not start while one is in flight")
	}
	// (The keys go straight to the screen: the driver would insist the first refresh ends.)
	if msg, ok := h.m.Update(uitest.KeyMsg("r"))().(common.StatusMsg); !ok || msg.Text != "A refresh is already running" {
		t.Fatalf("r while refreshing: %+v", msg)
	}
	// Changing the filter abandons the first refresh; its answer, arriving last, is dropped.
	second := h.m.Update(uitest.KeyMsg("f"))
	h.Run(tea.Sequence(second, first))
	if h.m.filter != forge.FilterReviewRequested || h.m.snap.Filter != forge.FilterReviewRequested {
		t.Fatalf("filter %s snap %v", h.m.filter, h.m.snap)
	}
}

func TestBackOffIsShownAndTokenNeverShown(t *testing.T) {
	for _, token := range []string{"ghp_ratelimit_" + ghtest.Token, "ghp_secondary_" + ghtest.Token, "ghp_bad_" + ghtest.Token, "ghp_flaky_" + ghtest.Token} {
		t.Run(token[:12], func(t *testing.T) {
			h := newHarness(t, token, "feature/ltv")
			v := h.view(120, 40)
			all := v + strings.Join(h.Statuses(), "\n")
			if strings.Contains(all, ghtest.Token) {
				t.Fatal("token on screen")
			}
			if strings.Contains(token, "bad") {
				// A rejected token needs the person: no timer retries it, the screen says how to sign in.
				if len(h.ticks) != 0 || !strings.Contains(v, "gh auth login") {
					t.Fatalf("401: ticks %v, view:\n%s", h.ticks, v)
				}
				return
			}
			if !h.m.next.BackingOff || h.ticks[0] < 30*time.Second {
				t.Fatalf("no back-off: %+v", h.m.next)
			}
			if strings.Contains(token, "flaky") {
				h.Send(pollMsg{seq: h.m.tickSeq})
				if h.m.snap == nil || h.m.next.BackingOff {
					t.Fatal("the retry after a 5xx succeeds and polling returns to normal")
				}
			}
		})
	}
}

func TestSummarySavedForHome(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	sum, err := forge.LoadSummary(h.b.ws.StateDir)
	if err != nil || len(sum.PRs) != 5 || !sum.PRs[0].IsBranch {
		t.Fatalf("summary %+v %v", sum, err)
	}
}

func TestTinySizes(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.Key("enter")
	for _, s := range [][2]int{{1, 1}, {5, 2}, {20, 3}, {40, 6}, {0, 0}} {
		v := h.view(s[0], s[1])
		if s[0] > 0 {
			uitest.CheckSize(t, v, s[0], s[1])
		}
	}
}

// TestDemoWorkspace: the demo's pull requests come from its loopback server through the same
// clients as GitHub's and dbt Cloud's, labelled as demo data.
func TestDemoWorkspace(t *testing.T) {
	t.Setenv(forge.EnvRepo, "")
	t.Setenv(dbtcloud.EnvAPIURL, "")
	t.Setenv(forge.EnvAPIURL, "")
	cfg := config.Default()
	cfg.GitHub.Repo = "example-org/cashback-analytics"
	ws := &workspace.Workspace{Demo: true, Config: cfg, StateDir: t.TempDir()}
	l := newLive(service.New(ws, service.Options{}), prstatus.Options{Branch: demo.Branch, Keyring: credstore.NewMemory(), Home: t.TempDir()}, &desktop.Recorder{})
	defer l.Close()
	snap, err := l.Refresh(context.Background(), forge.FilterMine)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Demo || snap.BranchPR == nil || snap.BranchPR.Number != 42 || len(snap.PRs) != 2 {
		t.Fatalf("demo snapshot %+v", snap)
	}
	pr := *snap.BranchPR
	if rd := forge.Evaluate(pr); rd.Summary != "blocked: required check dbt build (CI) failed; 1 required review missing; code owner review required from example-org/data-eng" {
		t.Fatalf("demo readiness %q", rd.Summary)
	}
	log, err := l.LoadLog(context.Background(), pr, pr.Checks[0])
	if err != nil || log.DBT == nil || len(log.DBT.FailingNodes) != 1 || log.DBT.FailingNodes[0].UniqueID != "model.cashback.kpi_weekly" {
		t.Fatalf("demo dbt Cloud log %+v %v", log, err)
	}
	log, err = l.LoadLog(context.Background(), pr, pr.Checks[1])
	if err != nil || log.Kind != "actions" || !strings.Contains(strings.Join(log.Lines, "\n"), "PASS") {
		t.Fatalf("demo Actions log %+v %v", log, err)
	}
	if _, err := l.Rerun(context.Background(), pr, pr.Checks[0]); err == nil {
		t.Fatal("the demo re-runs nothing")
	}
}

func benchSnapshot() *forge.Snapshot {
	snap := &forge.Snapshot{Repo: forge.Repo{Host: "github.com", Owner: "acme", Name: "analytics"}, Viewer: "ana", Filter: forge.FilterMine, Branch: "feature/7"}
	for i := range 50 {
		p := forge.PR{Number: 100 + i, Title: fmt.Sprintf("Change number %d to the marts layer", i), HeadRef: fmt.Sprintf("feature/%d", i), BaseRef: "main",
			Author: "ana", UpdatedAt: fixedNow.Add(-time.Duration(i) * time.Hour), ReviewDecision: "REVIEW_REQUIRED",
			MergeState: forge.MergeBlocked, Rules: forge.Requirements{ApprovingReviews: 1, Checks: []string{"check 0", "check 1"}}}
		for j := range 20 {
			b := []forge.Bucket{forge.BucketPass, forge.BucketPass, forge.BucketFail, forge.BucketPending, forge.BucketSkipping}[(i+j)%5]
			p.Checks = append(p.Checks, forge.Check{Kind: forge.KindCheckRun, Name: fmt.Sprintf("check %d", j), Bucket: b, State: string(b),
				StartedAt: fixedNow.Add(-time.Hour), CompletedAt: fixedNow.Add(-50 * time.Minute), Link: fmt.Sprintf("https://github.com/acme/analytics/actions/runs/%d/job/%d", i, j), Required: j < 2})
		}
		snap.PRs = append(snap.PRs, p)
	}
	return snap
}

// BenchmarkView renders 50 PRs with 20 checks each (the budget is 8 ms a frame).
func BenchmarkView(b *testing.B) {
	c := &common.Common{Ctx: context.Background(), Workspace: &workspace.Workspace{Config: config.Default()}, Styles: styles.New(true, false), Tasks: tasks.NewManager(context.Background())}
	m := newModel(c, nil, func() time.Time { return fixedNow })
	m.snap = benchSnapshot()
	m.rebuildRows(nil)
	m.SetSize(120, 40)
	m.focus = focusChecks
	b.ReportAllocs()
	for b.Loop() {
		m.list.Select((m.list.Index() + 1) % m.list.Len())
		_ = m.View()
	}
}

func TestCardLines(t *testing.T) {
	cl, err := CardLines(context.Background(), &workspace.Workspace{StateDir: t.TempDir()})
	lines := styles.PlainLines(cl, time.Now())
	if err != nil || !strings.Contains(lines[0], "Open the PRs tab") {
		t.Fatalf("before a refresh: %q %v", lines, err)
	}
	h := newHarness(t, ghtest.Token, "feature/ltv") // its first refresh saves the summary
	cl, err = CardLines(context.Background(), h.b.ws)
	lines = styles.PlainLines(cl, time.Now())
	if err != nil || lines[0] != "#101 Add customer lifetime value model  ✓1 ✗1 blocked: required check dbt Cloud CI failed" || len(lines) != 6 {
		t.Fatalf("after a refresh: %q %v", lines, err)
	}
	// In the demo the card says its pull requests are recorded, as the other cards do.
	h.b.ws.Demo = true
	cl, err = CardLines(context.Background(), h.b.ws)
	lines = styles.PlainLines(cl, time.Now())
	if err != nil || lines[0] != "Demo data: recorded pull requests." || !strings.HasPrefix(lines[1], "#101 ") {
		t.Fatalf("in the demo: %q %v", lines, err)
	}
}

var _ common.Screen = (*Model)(nil)

func TestNotifyWhenTrulyReady(t *testing.T) {
	h := newHarness(t, ghtest.Token, "")
	pass := forge.Check{Name: "ci", Bucket: forge.BucketPass, State: "SUCCESS", Required: true}
	pr := forge.PR{Number: 7, Title: "x", MergeState: forge.MergeBlocked, ReviewDecision: "REVIEW_REQUIRED", Rules: forge.Requirements{ApprovingReviews: 1}, Checks: []forge.Check{pass}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{pr}}
	h.m.rebuildRows(nil)
	h.Key("w") // checks passed already, but a review is missing: wait for "ready"
	if len(h.notes()) != 0 {
		t.Fatal("no notification when watching starts")
	}
	h.Run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes()) != 0 {
		t.Fatal("nothing changed, nothing to say")
	}
	pr.Approvals, pr.ReviewDecision, pr.MergeState = 1, "APPROVED", forge.MergeClean
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{pr}}
	h.Run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes()) != 1 || h.notes()[0].Text != "PR #7 is ready to merge" || h.raw()[0] != "\a" {
		t.Fatalf("notes %+v raw %q", h.notes(), h.raw())
	}
	h.Key("w")
	if _, ok := h.m.watched[7]; ok {
		t.Fatal("w again stops watching")
	}
	// A required check that fails while watched rings too, once.
	running := forge.PR{Number: 8, Title: "y", MergeState: forge.MergeBlocked, Checks: []forge.Check{{Name: "ci", Bucket: forge.BucketPending, Required: true}}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{running}}
	h.m.rebuildRows(nil)
	h.m.list.Select(0)
	h.Key("w")
	failed := running
	failed.Checks = []forge.Check{{Name: "ci", Bucket: forge.BucketFail, Required: true}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{failed}}
	h.Run(tea.Batch(h.m.notifyWatched()...))
	h.Run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes()) != 2 || h.notes()[1].Text != "PR #8 blocked: required check ci failed" {
		t.Fatalf("notes %+v", h.notes())
	}
}

func TestMouseWheelMoves(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if h.m.list.Index() != 1 {
		t.Fatalf("wheel down: %d", h.m.list.Index())
	}
	h.Send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if h.m.list.Index() != 0 {
		t.Fatalf("wheel up: %d", h.m.list.Index())
	}
}

// TestFilter: `/` filters the pull requests by title, number, branch or author, marks what
// matched, enter keeps the filter and opens the checks, esc clears it.
func TestFilter(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.Key("/")
	if !h.m.Capturing() {
		t.Fatal("/ must give the filter the keyboard (q, digits and ? are typed)")
	}
	h.Type("fix")
	if h.m.list.Len() != 1 {
		t.Fatalf("fix matches %d pull requests", h.m.list.Len())
	}
	if pr, _ := h.m.current(); pr.Number != 104 {
		t.Fatalf("fix selects #%d", pr.Number)
	}
	if v := h.View(); !strings.Contains(v, "Filter: fix") || !strings.Contains(v, "1 of 5 pull requests") {
		t.Fatalf("no filter bar:\n%s", v)
	}
	t.Run("typing", h.Goldens)
	// The marks fall on the matched letters of the title, which stays whole.
	if styled := h.Styled(); !strings.Contains(ansi.Strip(styled), "Fix fct_payments grain") {
		t.Fatal("highlighting changed the title")
	}
	h.Key("enter")
	if h.m.Capturing() || h.m.focus != focusChecks || h.m.list.Query() != "fix" {
		t.Fatalf("enter keeps the filter and opens the checks: capturing %v focus %d query %q", h.m.Capturing(), h.m.focus, h.m.list.Query())
	}
	h.Key("esc") // back to the list
	h.Key("esc") // clears the filter, keeping the pull request chosen
	if h.m.list.Query() != "" || h.m.list.Len() != 5 {
		t.Fatalf("esc clears: %q %d", h.m.list.Query(), h.m.list.Len())
	}
	if pr, _ := h.m.current(); pr.Number != 104 {
		t.Fatalf("the filtered choice stays chosen, got #%d", pr.Number)
	}
	h.Key("/")
	h.Type("nothing-like-this")
	if v := h.View(); !strings.Contains(v, `No pull request matches "nothing-like-this"`) {
		t.Fatalf("no empty-filter message:\n%s", v)
	}
	t.Run("no match", h.Goldens)
	// By number and author too.
	h.Key("esc", "/")
	h.Type("#103")
	if pr, _ := h.m.current(); h.m.list.Len() != 1 || pr.Number != 103 {
		t.Fatalf("#103 finds %d, #%d", h.m.list.Len(), pr.Number)
	}
}

// TestFailingBuildSaysWhomToAsk: with the team's PagerDuty schedule in datatui.yml, the
// details of a PR with a failing check name the person on call (asked through the same
// on-call service as `datatui oncall`) and the team's help channel; a PR whose checks all
// pass says nothing of it.
func TestFailingBuildSaysWhomToAsk(t *testing.T) {
	data, err := pddemo.Data(fixedNow)
	if err != nil {
		t.Fatal(err)
	}
	pd := pdfake.New(data, "pd-token")
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pd.Close() })
	t.Setenv(pagerduty.EnvToken, "pd-token")
	t.Setenv(pagerduty.EnvAPIURL, pd.URL())

	h := newHarness(t, ghtest.Token, "feature/ltv")
	if strings.Contains(h.View(), "Ask ") {
		t.Fatalf("no schedule or channel configured, yet the screen names someone:\n%s", h.View())
	}
	h.b.ws.Config.PagerDuty = config.PagerDuty{Schedule: "data platform on-call"}
	h.b.ws.Config.Help = config.Help{Channels: []config.HelpChannel{{Name: "#data-help"}}}
	h.Run(h.m.askWhoIsOnCall())

	pr, _ := h.m.current()
	if !slices.ContainsFunc(pr.Checks, func(c forge.Check) bool { return c.Bucket == forge.BucketFail }) {
		t.Fatalf("the branch's PR #%d was expected to have a failing check", pr.Number)
	}
	if got, want := h.m.whoToAsk(pr, fixedNow), "A check failed and its log does not help? Ask Sam Rivera (on call for the next 21 h) or #data-help."; got != want {
		t.Errorf("whom to ask: %q, want %q", got, want)
	}
	if !strings.Contains(h.View(), "A check failed and its log does not help? Ask Sam Rivera") {
		t.Errorf("the failing PR's details do not say whom to ask:\n%s", h.View())
	}
	for i := range h.m.snap.PRs {
		p := h.m.snap.PRs[i]
		if slices.ContainsFunc(p.Checks, func(c forge.Check) bool { return c.Bucket == forge.BucketFail }) {
			continue
		}
		if got := h.m.whoToAsk(p, fixedNow); got != "" {
			t.Errorf("PR #%d has no failing check but says %q", p.Number, got)
		}
	}
}
