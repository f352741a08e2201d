package forge

import (
	"slices"
	"testing"
	"time"
)

func TestBuckets(t *testing.T) {
	runs := []struct {
		status, conclusion string
		want               Bucket
	}{
		{"COMPLETED", "SUCCESS", BucketPass},
		{"COMPLETED", "FAILURE", BucketFail},
		{"COMPLETED", "TIMED_OUT", BucketFail},
		{"COMPLETED", "ACTION_REQUIRED", BucketFail},
		{"COMPLETED", "STARTUP_FAILURE", BucketFail},
		{"COMPLETED", "CANCELLED", BucketCancel},
		{"COMPLETED", "SKIPPED", BucketSkipping},
		{"COMPLETED", "NEUTRAL", BucketSkipping},
		{"IN_PROGRESS", "", BucketPending},
		{"QUEUED", "", BucketPending},
		{"WAITING", "", BucketPending},
		{"completed", "success", BucketPass},
	}
	for _, tc := range runs {
		if got := CheckRunBucket(tc.status, tc.conclusion); got != tc.want {
			t.Errorf("CheckRunBucket(%q, %q) = %s, want %s", tc.status, tc.conclusion, got, tc.want)
		}
	}
	states := map[string]Bucket{"SUCCESS": BucketPass, "FAILURE": BucketFail, "ERROR": BucketFail, "PENDING": BucketPending, "EXPECTED": BucketPending}
	for s, want := range states {
		if got := StatusContextBucket(s); got != want {
			t.Errorf("StatusContextBucket(%q) = %s, want %s", s, got, want)
		}
	}
}

func chk(name string, b Bucket) Check { return Check{Kind: KindCheckRun, Name: name, Bucket: b} }

func TestOutcome(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   Outcome
	}{
		{"no checks", nil, OutcomeNone},
		{"all pass", []Check{chk("a", BucketPass), chk("b", BucketSkipping)}, OutcomePassed},
		{"one failing", []Check{chk("a", BucketPass), chk("b", BucketFail)}, OutcomeFailed},
		{"failing beats pending", []Check{chk("a", BucketPending), chk("b", BucketFail)}, OutcomeFailed},
		{"cancelled fails", []Check{chk("a", BucketPass), chk("b", BucketCancel)}, OutcomeFailed},
		{"pending", []Check{chk("a", BucketPass), chk("b", BucketPending)}, OutcomePending},
		{"only skipped", []Check{chk("a", BucketSkipping)}, OutcomePassed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tally(tc.checks).Outcome(); got != tc.want {
				t.Fatalf("outcome %s, want %s", got, tc.want)
			}
		})
	}
}

func TestCountsText(t *testing.T) {
	c := Tally([]Check{chk("a", BucketPass), chk("b", BucketPass), chk("c", BucketFail), chk("d", BucketPending), chk("e", BucketCancel), chk("f", BucketSkipping)})
	if got, want := c.Summary(), "1 cancelled, 1 failing, 2 successful, 1 skipped, and 1 pending checks"; got != want {
		t.Errorf("Summary = %q, want %q", got, want)
	}
	if got, want := c.Glyphs(), "✓2 ✗2 ●1 –1"; got != want {
		t.Errorf("Glyphs = %q, want %q", got, want)
	}
	if got := (Counts{}).Glyphs(); got != "no checks" {
		t.Errorf("empty Glyphs = %q", got)
	}
}

func TestDuration(t *testing.T) {
	start := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	now := start.Add(90 * time.Second)
	done := Check{Bucket: BucketPass, StartedAt: start, CompletedAt: start.Add(62 * time.Second)}
	if d := done.Duration(now); d != 62*time.Second {
		t.Errorf("done: %s", d)
	}
	running := Check{Bucket: BucketPending, StartedAt: start}
	if d := running.Duration(now); d != 90*time.Second {
		t.Errorf("running: %s", d)
	}
	if d := (Check{Bucket: BucketFail}).Duration(now); d != 0 {
		t.Errorf("unknown: %s", d)
	}
}

func req(name string, b Bucket) Check { c := chk(name, b); c.Required = true; return c }

func TestEvaluateExplainsGitHubsVerdict(t *testing.T) {
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		pr      PR
		verdict Verdict
		summary string
	}{
		{"clean", PR{MergeState: "CLEAN", Checks: []Check{req("lint", BucketPass)}}, VerdictReady, "ready to merge"},
		{"has hooks (GitHub Enterprise)", PR{MergeState: "HAS_HOOKS"}, VerdictReady, "ready to merge"},
		{"unstable: only optional checks failed", PR{MergeState: "UNSTABLE", Checks: []Check{req("lint", BucketPass), chk("preview", BucketFail), chk("docs", BucketCancel)}},
			VerdictReady, "ready to merge (optional check docs was cancelled; optional check preview failed)"},
		{"merge queue", PR{MergeState: "CLEAN", Rules: Requirements{MergeQueue: true}}, VerdictReady, "ready: add it to the merge queue"},
		{"in the merge queue", PR{MergeState: "CLEAN", InMergeQueue: true, Rules: Requirements{MergeQueue: true}}, VerdictReady, "ready: in the merge queue"},
		{"blocked: reviews counted from writers only", PR{MergeState: "BLOCKED", ReviewDecision: "REVIEW_REQUIRED", Approvals: 1, Rules: Requirements{ApprovingReviews: 2}},
			VerdictBlocked, "blocked: 1 required review missing"},
		{"blocked: review required, count unreadable", PR{MergeState: "BLOCKED", ReviewDecision: "REVIEW_REQUIRED"}, VerdictBlocked, "blocked: a required review is missing"},
		{"blocked: required check never reported, nothing runs", PR{MergeState: "BLOCKED", Rules: Requirements{Checks: []string{"dbt Cloud CI"}}, Checks: []Check{req("lint", BucketPass)}},
			VerdictBlocked, "blocked: required check dbt Cloud CI has not reported yet"},
		{"waiting: required check never reported while others run", PR{MergeState: "BLOCKED", Rules: Requirements{Checks: []string{"dbt Cloud CI"}}, Checks: []Check{req("lint", BucketPending)}},
			VerdictWaiting, "blocked: required check lint still running; required check dbt Cloud CI has not reported yet"},
		{"blocked: a rule datatui cannot read", PR{MergeState: "BLOCKED"}, VerdictBlocked, "blocked: a branch rule datatui cannot read is not met: open the pull request on GitHub (o)"},
		{"a re-run that passed replaces the failed run", PR{MergeState: "BLOCKED", ReviewDecision: "REVIEW_REQUIRED", Checks: []Check{
			{Name: "lint", Bucket: BucketFail, StartedAt: t0, Required: true}, {Name: "lint", Bucket: BucketPass, StartedAt: t0.Add(time.Minute), Required: true}}},
			VerdictBlocked, "blocked: a required review is missing"},
		{"behind with a failing required check", PR{MergeState: "BEHIND", BaseRef: "main", Checks: []Check{req("lint", BucketFail)}}, VerdictBlocked, "behind main: update the branch; required check lint failed"},
		{"draft wins over GitHub's status", PR{MergeState: "BLOCKED", IsDraft: true}, VerdictBlocked, "draft: mark it ready for review"},
		{"no verdict at all is not a guess", PR{}, VerdictWaiting, "GitHub is still checking whether it can be merged: asking again"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.pr)
			if r.Verdict != tc.verdict || r.Summary != tc.summary {
				t.Fatalf("got %s %q, want %s %q", r.Verdict, r.Summary, tc.verdict, tc.summary)
			}
		})
	}
}

func TestVerdictExitCodes(t *testing.T) {
	if VerdictReady.ExitCode() != 0 || VerdictWaiting.ExitCode() != 8 || VerdictBlocked.ExitCode() != 1 {
		t.Fatal("exit codes: ready 0, waiting 8 (gh's pending), blocked 1")
	}
	if VerdictReady.Worse(VerdictWaiting) != VerdictWaiting || VerdictBlocked.Worse(VerdictWaiting) != VerdictBlocked || VerdictReady.Worse(VerdictReady) != VerdictReady {
		t.Fatal("Worse")
	}
}

func TestParseRemote(t *testing.T) {
	tests := []struct {
		in   string
		want Repo
		ok   bool
	}{
		{"https://github.com/acme/analytics.git", Repo{"github.com", "acme", "analytics"}, true},
		{"https://github.com/acme/analytics", Repo{"github.com", "acme", "analytics"}, true},
		{"https://user:x@github.com/acme/analytics/", Repo{"github.com", "acme", "analytics"}, true},
		{"git@github.com:acme/analytics.git", Repo{"github.com", "acme", "analytics"}, true},
		{"ssh://git@github.com/acme/analytics.git", Repo{"github.com", "acme", "analytics"}, true},
		{"ssh://git@ssh.github.com:443/acme/analytics.git", Repo{"github.com", "acme", "analytics"}, true},
		{"git@ghe.corp.example:data/dbt.git", Repo{"ghe.corp.example", "data", "dbt"}, true},
		{"https://ghe.corp.example/data/dbt", Repo{"ghe.corp.example", "data", "dbt"}, true},
		{"", Repo{}, false},
		{"/srv/git/analytics.git", Repo{}, false},
		{"file:///srv/git/acme/analytics.git", Repo{}, false},
		{"https://github.com/acme", Repo{}, false},
		{"https://github.com/acme/analytics/tree/main", Repo{}, false},
	}
	for _, tc := range tests {
		got, err := ParseRemote(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseRemote(%q) = %+v, %v; want %+v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParseRemote(f *testing.F) {
	for _, s := range []string{"git@github.com:a/b.git", "https://github.com/a/b", "ssh://git@h:22/a/b", "::", "@:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRemote(s)
		if err == nil && (r.Owner == "" || r.Name == "") {
			t.Fatalf("ParseRemote(%q) = %+v without error", s, r)
		}
	})
}

func TestParseActionsJobURL(t *testing.T) {
	j, ok := ParseActionsJobURL("https://github.com/acme/analytics/actions/runs/556/job/778")
	if !ok || j.JobID != 778 || j.RunID != 556 || j.Repo.FullName() != "acme/analytics" {
		t.Fatalf("got %+v %v", j, ok)
	}
	j, ok = ParseActionsJobURL("https://github.com/acme/analytics/runs/778?check_suite_focus=true")
	if !ok || j.JobID != 778 {
		t.Fatalf("old form: %+v %v", j, ok)
	}
	for _, bad := range []string{"", "https://cloud.getdbt.com/deploy/1/projects/2/runs/3/", "https://github.com/acme/analytics/actions/runs/x/job/y", "https://github.com/acme/analytics/pull/3"} {
		if _, ok := ParseActionsJobURL(bad); ok {
			t.Errorf("ParseActionsJobURL(%q) accepted", bad)
		}
	}
}

func FuzzParseActionsJobURL(f *testing.F) {
	f.Add("https://github.com/acme/analytics/actions/runs/556/job/778")
	f.Add("https://github.com/a/b/runs/1")
	f.Fuzz(func(t *testing.T, s string) {
		if j, ok := ParseActionsJobURL(s); ok && j.JobID <= 0 {
			t.Fatalf("accepted %q with job %d", s, j.JobID)
		}
	})
}

func TestTailLines(t *testing.T) {
	log := "2026-11-26T09:00:01.1000000Z first\r\n\uFEFF2026-11-26T09:00:02Z second\nthird\n\n"
	got := TailLines(log, 2)
	if !slices.Equal(got, []string{"second", "third"}) {
		t.Fatalf("TailLines = %q", got)
	}
	if TailLines("", 5) != nil {
		t.Fatal("empty log should give no lines")
	}
}

func TestCompareURL(t *testing.T) {
	r := Repo{Host: "github.com", Owner: "acme", Name: "analytics"}
	if got, want := r.CompareURL("main", "feature/no-pr"), "https://github.com/acme/analytics/compare/main...feature/no-pr?expand=1"; got != want {
		t.Fatalf("CompareURL = %s, want %s", got, want)
	}
}
