package prs

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/forge/prstatus"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
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
	m      *Model
	b      *testBackend
	gh     *ghtest.Server
	dc     *ghtest.DBTCloud
	ticks  []time.Duration
	status []string
	raw    []string
	notes  []NotifyMsg
}

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
	l := newLive(ws, prstatus.Options{GitHub: forge.Options{Host: "github.com", Token: token, APIURL: gh.APIURL(), MergeabilityDelay: time.Millisecond,
		TokenForHost: func(string) (string, string) { return "", "default" }},
		Keyring: credstore.NewMemory(), Home: t.TempDir(), Branch: branch})
	b := &testBackend{live: l, ws: ws}
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())}
	h := &harness{b: b, gh: gh, dc: dc}
	h.m = newModel(c, b, func() time.Time { return fixedNow })
	h.m.after = func(d time.Duration, _ tea.Msg) tea.Cmd { h.ticks = append(h.ticks, d); return nil }
	return h
}

// run executes cmd and everything it leads to, synchronously, feeding task results back into
// the screen; other messages are recorded.
func (h *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tasks.DoneMsg, tasks.EventMsg:
			queue = append(queue, h.m.Update(msg))
		case common.StatusMsg:
			h.status = append(h.status, msg.Text)
		case tea.RawMsg:
			h.raw = append(h.raw, fmt.Sprint(msg.Msg))
		case NotifyMsg:
			h.notes = append(h.notes, msg)
		}
	}
}

func (h *harness) key(k string) {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	case "pgdown":
		msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	h.run(h.m.Update(msg))
}

func (h *harness) view(w, hgt int) string {
	h.m.SetSize(w, hgt)
	return ansi.Strip(h.m.View())
}

func checkSize(t *testing.T, v string, w, h int) {
	t.Helper()
	lines := strings.Split(v, "\n")
	if len(lines) != h {
		t.Fatalf("view has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != w {
			t.Fatalf("line %d is %d wide, want %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
}

func golden2(t *testing.T, h *harness) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			v := h.view(size[0], size[1])
			checkSize(t, v, size[0], size[1])
			golden.RequireEqual(t, []byte(v))
		})
	}
}

func TestListGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	if h.m.snap == nil || len(h.m.rows) != 5 {
		t.Fatalf("rows %d, err %v", len(h.m.rows), h.m.err)
	}
	if pr, _ := h.m.current(); pr.Number != 101 {
		t.Fatalf("the current branch's PR should be selected, got #%d", pr.Number)
	}
	golden2(t, h)
}

func TestDBTCloudLogGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	h.key("enter")
	if h.m.focus != focusChecks || h.m.checkSel != 1 {
		t.Fatalf("enter should focus the failing check, got focus %d check %d", h.m.focus, h.m.checkSel)
	}
	v := h.view(120, 40)
	for _, want := range []string{"dbt Cloud run #42", "Failing nodes", "model.analytics.customer_ltv", "Invoke dbt with `dbt build"} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	golden2(t, h)
}

func TestActionsLogGolden(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/sqlfluff")
	h.run(h.m.Init())
	h.key("enter")
	v := h.view(120, 40)
	if !strings.Contains(v, "##[error]Process completed with exit code 1.") {
		t.Fatalf("no Actions log tail:\n%s", v)
	}
	golden2(t, h)
}

func TestNotSignedInGolden(t *testing.T) {
	h := newHarness(t, "", "feature/ltv")
	h.run(h.m.Init())
	v := h.view(80, 24)
	for _, want := range []string{"Not signed in to GitHub.", "gh auth login", "export GH_TOKEN="} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %q", want)
		}
	}
	golden2(t, h)
}

func TestBranchWithoutPROffersOne(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/no-pr")
	h.run(h.m.Init())
	v := h.view(80, 24)
	if !strings.Contains(v, "Branch feature/no-pr has no pull request yet. n open one in the browser") {
		t.Fatalf("no offer:\n%s", v)
	}
	h.key("n")
	if len(h.b.opened) != 1 || h.b.opened[0] != "https://github.com/acme/analytics/compare/main...feature/no-pr?expand=1" {
		t.Fatalf("opened %q", h.b.opened)
	}
	golden2(t, h)
}

func TestKeys(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())

	h.key("j")
	if pr, _ := h.m.current(); pr.Number != 102 {
		t.Fatalf("j: #%d", pr.Number)
	}
	h.key("G")
	if h.m.selected != len(h.m.rows)-1 {
		t.Fatal("G")
	}
	h.key("g")
	h.key("o")
	if h.b.opened[len(h.b.opened)-1] != "https://github.com/acme/analytics/pull/101" {
		t.Fatalf("o opened %q", h.b.opened)
	}
	h.key("y")
	if last := h.status[len(h.status)-1]; last != "Copied https://github.com/acme/analytics/pull/101" {
		t.Fatalf("y: %q", last)
	}
	// In the checks, o opens the check's link.
	h.key("enter")
	h.key("o")
	if got := h.b.opened[len(h.b.opened)-1]; got != "https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/" {
		t.Fatalf("o on a check opened %q", got)
	}
	h.key("esc")
	if h.m.focus != focusList {
		t.Fatal("esc goes back to the list")
	}

	// Checkout refuses a dirty tree and says why.
	h.b.checkout = func(forge.PR) (string, error) {
		return "", &forge.DirtyTreeError{Changed: []string{"models/x.sql"}}
	}
	h.key("c")
	if last := h.status[len(h.status)-1]; !strings.Contains(last, "uncommitted changes (models/x.sql)") {
		t.Fatalf("c: %q", last)
	}

	// Filter cycles and refetches.
	h.key("f")
	if h.m.filter != forge.FilterReviewRequested || len(h.m.rows) != 2 {
		// the branch PR is kept at the top of other filters
		t.Fatalf("filter %s rows %d", h.m.filter, len(h.m.rows))
	}
	h.key("f")
	h.key("f")
	if h.m.filter != forge.FilterMine {
		t.Fatal("filter cycles back to mine")
	}
}

func TestRerunAsksFirst(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	h.key("R")
	if h.m.confirm == nil || !h.m.Capturing() || !strings.Contains(h.view(80, 24), "Re-run dbt Cloud CI for PR #101? (y/n)") {
		t.Fatal("R must ask first")
	}
	h.key("n")
	if len(h.dc.Triggers()) != 0 || h.m.confirm != nil {
		t.Fatal("n cancels")
	}
	h.key("R")
	h.key("y")
	if len(h.dc.Triggers()) != 1 {
		t.Fatalf("y should trigger one run, got %d", len(h.dc.Triggers()))
	}
	if last := h.status[len(h.status)-1]; !strings.Contains(last, "dbt Cloud run #45 queued for PR #101") {
		t.Fatalf("status %q", h.status)
	}
}

func TestWatchNotifiesOnlyWhenDone(t *testing.T) {
	h := newHarness(t, "ghp_settle_"+ghtest.Token, "feature/orders")
	h.run(h.m.Init())
	if pr, _ := h.m.current(); pr.Number != 102 {
		t.Fatalf("#%d", pr.Number)
	}
	h.key("w")
	if _, ok := h.m.watched[102]; !ok {
		t.Fatal("w watches")
	}
	h.run(h.m.Update(pollMsg{seq: h.m.tickSeq})) // second refresh: still pending
	if len(h.raw) != 0 || len(h.notes) != 0 {
		t.Fatalf("notified before the checks finished: %q", h.raw)
	}
	if h.ticks[len(h.ticks)-1] != 10*time.Second {
		t.Fatalf("poll fast while checks run: %v", h.ticks)
	}
	h.run(h.m.Update(pollMsg{seq: h.m.tickSeq})) // third: checks settled and passed
	// Passing checks with a review still missing is neither ready nor failed: no bell.
	if pr, _ := h.m.current(); pr.Counts().Pending != 0 || len(h.notes) != 0 || len(h.raw) != 0 {
		t.Fatalf("notified while still blocked on a review: %+v %q", h.notes, h.raw)
	}
	if rd := forge.Evaluate(h.m.rows[h.m.selected]); rd.Summary != "blocked: 1 required review missing" {
		t.Fatalf("readiness %q", rd.Summary)
	}
	// A stale tick (an older chain) is ignored.
	before := h.gh.GraphQLCount()
	h.run(h.m.Update(pollMsg{seq: h.m.tickSeq - 1}))
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
	h.key("r")
	if last := h.status[len(h.status)-1]; last != "A refresh is already running" {
		t.Fatalf("r while refreshing: %q", h.status)
	}
	// Changing the filter abandons the first refresh; its answer is dropped.
	h.run(h.m.Update(tea.KeyPressMsg{Code: 'f', Text: "f"}))
	if h.m.filter != forge.FilterReviewRequested || h.m.snap.Filter != forge.FilterReviewRequested {
		t.Fatalf("filter %s snap %v", h.m.filter, h.m.snap)
	}
	h.run(first)
	if h.m.snap.Filter != forge.FilterReviewRequested {
		t.Fatal("the stale answer replaced the current one")
	}
}

func TestBackOffIsShownAndTokenNeverShown(t *testing.T) {
	for _, token := range []string{"ghp_ratelimit_" + ghtest.Token, "ghp_secondary_" + ghtest.Token, "ghp_bad_" + ghtest.Token, "ghp_flaky_" + ghtest.Token} {
		t.Run(token[:12], func(t *testing.T) {
			h := newHarness(t, token, "feature/ltv")
			h.run(h.m.Init())
			v := h.view(120, 40)
			all := v + strings.Join(h.status, "\n")
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
				h.run(h.m.Update(pollMsg{seq: h.m.tickSeq}))
				if h.m.snap == nil || h.m.next.BackingOff {
					t.Fatal("the retry after a 5xx succeeds and polling returns to normal")
				}
			}
		})
	}
}

func TestSummarySavedForHome(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	sum, err := forge.LoadSummary(h.b.ws.StateDir)
	if err != nil || len(sum.PRs) != 5 || !sum.PRs[0].IsBranch {
		t.Fatalf("summary %+v %v", sum, err)
	}
}

func TestTinySizes(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	h.key("enter")
	for _, s := range [][2]int{{1, 1}, {5, 2}, {20, 3}, {40, 6}, {0, 0}} {
		v := h.view(s[0], s[1])
		if s[0] > 0 {
			checkSize(t, v, s[0], s[1])
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
	l := newLive(ws, prstatus.Options{Branch: workspace.DemoBranch, Keyring: credstore.NewMemory(), Home: t.TempDir()})
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
		m.selected = (m.selected + 1) % len(m.rows)
		_ = m.View()
	}
}

func TestCardLines(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	ws := h.b.ws
	cl, err := CardLines(context.Background(), ws)
	lines := styles.PlainLines(cl, time.Now())
	if err != nil || !strings.Contains(lines[0], "Open the PRs tab") {
		t.Fatalf("before a refresh: %q %v", lines, err)
	}
	h.run(h.m.Init())
	cl, err = CardLines(context.Background(), ws)
	lines = styles.PlainLines(cl, time.Now())
	if err != nil || lines[0] != "#101 Add customer lifetime value model  ✓1 ✗1 blocked: required check dbt Cloud CI failed" || len(lines) != 6 {
		t.Fatalf("after a refresh: %q %v", lines, err)
	}
}

var _ common.Screen = (*Model)(nil)

func TestNotifyWhenTrulyReady(t *testing.T) {
	h := newHarness(t, ghtest.Token, "")
	pass := forge.Check{Name: "ci", Bucket: forge.BucketPass, State: "SUCCESS", Required: true}
	pr := forge.PR{Number: 7, Title: "x", MergeState: forge.MergeBlocked, ReviewDecision: "REVIEW_REQUIRED", Rules: forge.Requirements{ApprovingReviews: 1}, Checks: []forge.Check{pass}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{pr}}
	h.m.rebuildRows(nil)
	h.key("w") // checks passed already, but a review is missing: wait for "ready"
	if len(h.notes) != 0 {
		t.Fatal("no notification when watching starts")
	}
	h.run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes) != 0 {
		t.Fatal("nothing changed, nothing to say")
	}
	pr.Approvals, pr.ReviewDecision, pr.MergeState = 1, "APPROVED", forge.MergeClean
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{pr}}
	h.run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes) != 1 || h.notes[0].Text != "PR #7 is ready to merge" || h.raw[0] != "\a" {
		t.Fatalf("notes %+v raw %q", h.notes, h.raw)
	}
	h.key("w")
	if _, ok := h.m.watched[7]; ok {
		t.Fatal("w again stops watching")
	}
	// A required check that fails while watched rings too, once.
	running := forge.PR{Number: 8, Title: "y", MergeState: forge.MergeBlocked, Checks: []forge.Check{{Name: "ci", Bucket: forge.BucketPending, Required: true}}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{running}}
	h.m.rebuildRows(nil)
	h.m.selected = 0
	h.key("w")
	failed := running
	failed.Checks = []forge.Check{{Name: "ci", Bucket: forge.BucketFail, Required: true}}
	h.m.snap = &forge.Snapshot{PRs: []forge.PR{failed}}
	h.run(tea.Batch(h.m.notifyWatched()...))
	h.run(tea.Batch(h.m.notifyWatched()...))
	if len(h.notes) != 2 || h.notes[1].Text != "PR #8 blocked: required check ci failed" {
		t.Fatalf("notes %+v", h.notes)
	}
}

func TestMouseWheelMoves(t *testing.T) {
	h := newHarness(t, ghtest.Token, "feature/ltv")
	h.run(h.m.Init())
	h.run(h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown}))
	if h.m.selected != 1 {
		t.Fatalf("wheel down: %d", h.m.selected)
	}
	h.run(h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelUp}))
	if h.m.selected != 0 {
		t.Fatalf("wheel up: %d", h.m.selected)
	}
}
