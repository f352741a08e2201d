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

func TestOutcomeAndExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		checks []Check
		want   Outcome
		code   int
	}{
		{"no checks", nil, OutcomeNone, 1},
		{"all pass", []Check{chk("a", BucketPass), chk("b", BucketSkipping)}, OutcomePassed, 0},
		{"one failing", []Check{chk("a", BucketPass), chk("b", BucketFail)}, OutcomeFailed, 1},
		{"failing beats pending", []Check{chk("a", BucketPending), chk("b", BucketFail)}, OutcomeFailed, 1},
		{"cancelled fails", []Check{chk("a", BucketPass), chk("b", BucketCancel)}, OutcomeFailed, 1},
		{"pending", []Check{chk("a", BucketPass), chk("b", BucketPending)}, OutcomePending, 8},
		{"only skipped", []Check{chk("a", BucketSkipping)}, OutcomePassed, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Tally(tc.checks).Outcome()
			if got != tc.want || got.ExitCode() != tc.code {
				t.Fatalf("outcome %s (exit %d), want %s (exit %d)", got, got.ExitCode(), tc.want, tc.code)
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

func TestEvaluate(t *testing.T) {
	prot := &Protection{RequiresApprovingReviews: true, RequiredApprovingReviewCount: 1, RequiresStatusChecks: true, RequiredChecks: []string{"lint", "dbt Cloud CI"}}
	t0 := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		pr         PR
		configured []string
		ready      bool
		missing    []string
		basis      string
	}{
		{
			name:  "all required passed and approved",
			pr:    PR{Protection: prot, Approvals: 1, ReviewDecision: "APPROVED", Checks: []Check{chk("lint", BucketPass), chk("dbt Cloud CI", BucketPass)}},
			ready: true, basis: BasisProtection,
		},
		{
			name:    "waiting for review and pending required check",
			pr:      PR{Protection: prot, ReviewDecision: "REVIEW_REQUIRED", Checks: []Check{chk("lint", BucketPass), chk("dbt Cloud CI", BucketPending)}},
			missing: []string{"required check dbt Cloud CI pending", "waiting for 1 approving review"}, basis: BasisProtection,
		},
		{
			name:    "required check not reported yet",
			pr:      PR{Protection: prot, Approvals: 1, Checks: []Check{chk("lint", BucketPass)}},
			missing: []string{"required check dbt Cloud CI has not reported yet"}, basis: BasisProtection,
		},
		{
			name:  "optional failing check does not block",
			pr:    PR{Protection: prot, Approvals: 2, Checks: []Check{chk("lint", BucketPass), chk("dbt Cloud CI", BucketPass), chk("preview", BucketFail)}},
			ready: true, basis: BasisProtection,
		},
		{
			name:    "two approvals required",
			pr:      PR{Protection: &Protection{RequiresApprovingReviews: true, RequiredApprovingReviewCount: 2}, Approvals: 0, Checks: []Check{chk("lint", BucketPass)}},
			missing: []string{"waiting for 2 approving reviews"}, basis: BasisProtection,
		},
		{
			name:    "draft with conflicts",
			pr:      PR{IsDraft: true, Mergeable: "CONFLICTING", BaseRef: "main", Protection: &Protection{}},
			missing: []string{"draft: mark it ready for review", "merge conflicts with main"}, basis: BasisProtection,
		},
		{
			name:       "unreadable protection falls back to datatui.yml",
			pr:         PR{ReviewDecision: "APPROVED", Approvals: 1, Checks: []Check{chk("sqlfluff", BucketFail), chk("dbt Cloud CI", BucketPass)}},
			configured: []string{"dbt Cloud CI"},
			ready:      true, basis: BasisConfig,
		},
		{
			name:    "unreadable protection and no config: every check counts",
			pr:      PR{ReviewDecision: "APPROVED", Checks: []Check{chk("sqlfluff", BucketFail), chk("docs", BucketSkipping), chk("dbt Cloud CI", BucketCancel)}},
			missing: []string{"check dbt Cloud CI was cancelled", "check sqlfluff failed"}, basis: BasisAll,
		},
		{
			name:    "no rule, no config, no checks",
			pr:      PR{},
			missing: []string{"no checks reported yet"}, basis: BasisAll,
		},
		{
			name:    "review decision says review required without a readable rule",
			pr:      PR{ReviewDecision: "REVIEW_REQUIRED", Checks: []Check{chk("lint", BucketPass)}},
			missing: []string{"waiting for 1 approving review"}, basis: BasisAll,
		},
		{
			name:    "changes requested",
			pr:      PR{ReviewDecision: "CHANGES_REQUESTED", Protection: prot, Approvals: 1, Checks: []Check{chk("lint", BucketPass), chk("dbt Cloud CI", BucketPass)}},
			missing: []string{"a reviewer requested changes"}, basis: BasisProtection,
		},
		{
			name: "a re-run that passed replaces the failed run",
			pr: PR{Protection: prot, Approvals: 1, Checks: []Check{
				{Name: "lint", Bucket: BucketFail, StartedAt: t0}, {Name: "lint", Bucket: BucketPass, StartedAt: t0.Add(time.Minute)},
				chk("dbt Cloud CI", BucketPass)}},
			ready: true, basis: BasisProtection,
		},
		{
			name:    "a queued workflow counts when every check counts",
			pr:      PR{ReviewDecision: "APPROVED", Checks: []Check{chk("lint", BucketPass), {Kind: KindCheckSuite, Name: "docs preview", Bucket: BucketPending}}},
			missing: []string{"check workflow docs preview pending"}, basis: BasisAll,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Evaluate(tc.pr, tc.configured)
			if r.Ready != tc.ready || !slices.Equal(r.Missing, tc.missing) || r.Basis != tc.basis {
				t.Fatalf("got ready=%v missing=%q basis=%q\nwant ready=%v missing=%q basis=%q", r.Ready, r.Missing, r.Basis, tc.ready, tc.missing, tc.basis)
			}
		})
	}
}

func TestMarkRequired(t *testing.T) {
	pr := PR{Protection: &Protection{RequiresStatusChecks: true, RequiredChecks: []string{"dbt cloud ci"}},
		Checks: []Check{chk("lint", BucketPass), chk("dbt Cloud CI", BucketPass)}}
	MarkRequired(&pr, nil)
	if pr.Checks[0].Required || !pr.Checks[1].Required {
		t.Fatalf("required flags: %+v", pr.Checks)
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
