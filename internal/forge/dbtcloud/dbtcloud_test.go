package dbtcloud_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func client(t *testing.T, d *ghtest.DBTCloud, token string) *dbtcloud.Client {
	t.Helper()
	t.Setenv(dbtcloud.EnvAPIURL, "")
	c, err := dbtcloud.NewClient(dbtcloud.Credential{Host: "cloud.getdbt.com", Token: token, BaseURL: d.URL}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFailedRunDetails(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	c := client(t, d, d.Token)
	det, err := c.LoadDetails(context.Background(), 1001, 42)
	if err != nil {
		t.Fatal(err)
	}
	r := det.Run
	if r.Status != dbtcloud.StatusError || r.JobName() != "analytics CI" || len(r.Steps) != 4 || r.Trigger == nil || *r.Trigger.GithubPullRequestID != 101 {
		t.Fatalf("run %+v", r)
	}
	if det.FailingStep == nil || det.FailingStep.Index != 4 || det.FailingStep.Elapsed() != 10400*time.Millisecond {
		t.Fatalf("failing step %+v", det.FailingStep)
	}
	if last := det.LogTail[len(det.LogTail)-1]; !strings.Contains(last, "ERROR=1") {
		t.Fatalf("log tail ends with %q", last)
	}
	if len(det.FailingNodes) != 2 || det.FailingNodes[0].UniqueID != "model.analytics.customer_ltv" || det.FailingNodes[1].Status != "fail" {
		t.Fatalf("failing nodes %+v", det.FailingNodes)
	}
	if auth := d.Auths()[0]; auth != "Token "+d.Token {
		t.Fatalf("auth header %q", auth)
	}
}

func TestRunningRunHasNoFailingStep(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	det, err := client(t, d, d.Token).LoadDetails(context.Background(), 1001, 43)
	if err != nil {
		t.Fatal(err)
	}
	if det.FailingStep != nil || det.FailingNodes != nil || !det.Run.InProgress || dbtcloud.StatusBucket(det.Run.Status) != "pending" {
		t.Fatalf("details %+v", det)
	}
}

func TestFindPRRun(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	c := client(t, d, d.Token)
	det, err := c.LoadPRDetails(context.Background(), 1001, 12345, 102, "")
	if err != nil {
		t.Fatal(err)
	}
	if det.Run.ID != 43 {
		t.Fatalf("run %d", det.Run.ID)
	}
	if _, err := c.LoadPRDetails(context.Background(), 1001, 12345, 999, ""); err == nil || !strings.Contains(err.Error(), "#999") {
		t.Fatalf("no run for PR: %v", err)
	}
	if _, err := c.LoadPRDetails(context.Background(), 0, 0, 1, ""); err == nil || !strings.Contains(err.Error(), "datatui.yml") {
		t.Fatalf("unset ids: %v", err)
	}
}

func TestTrigger(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	c := client(t, d, d.Token)
	run, err := c.TriggerJob(context.Background(), 1001, 12345, dbtcloud.PRTrigger(12345, 101, "feature/ltv", "abc"))
	if err != nil {
		t.Fatal(err)
	}
	if run.ID != 45 || run.Status != dbtcloud.StatusQueued {
		t.Fatalf("run %+v", run)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(d.Triggers()[0]), &body); err != nil {
		t.Fatal(err)
	}
	if body["github_pull_request_id"] != float64(101) || body["schema_override"] != "dbt_cloud_pr_12345_101" || body["git_sha"] != "abc" {
		t.Fatalf("trigger body %v", body)
	}
}

func TestErrorsNeverCarryTheToken(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	bad := "dbtc_wrongSecretValue42"
	_, err := client(t, d, bad).GetRun(context.Background(), 1001, 42)
	var ae *dbtcloud.APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "datatui auth dbt-cloud login") {
		t.Fatalf("got %v", err)
	}
	if strings.Contains(err.Error(), bad) {
		t.Fatal("token in error")
	}
	_, err = client(t, d, d.Token).GetRun(context.Background(), 1001, 7)
	if !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Fatalf("missing run: %v", err)
	}
}

func TestNoToken(t *testing.T) {
	if _, err := dbtcloud.NewClient(dbtcloud.Credential{Host: "cloud.getdbt.com"}, nil); !errors.Is(err, dbtcloud.ErrNoToken) || !strings.Contains(err.Error(), "export "+dbtcloud.EnvToken) {
		t.Fatalf("got %v", err)
	}
	if _, err := dbtcloud.NewClient(dbtcloud.Credential{Host: "x", Token: "t", BaseURL: "ftp://x"}, nil); err == nil {
		t.Fatal("bad host accepted")
	}
}

// The shared fixtures are recorded-shape test doubles from another project: run envelopes
// without steps, and error envelopes whose status disagrees with the HTTP status.
func TestSharedFixtureShapes(t *testing.T) {
	dir := fixtures.Path(t, "dbt-cloud/mattermost-api-responses")
	d := ghtest.NewDBTCloud()
	defer d.Close()
	for id, name := range map[int64]string{1: "run.200.failed.json", 2: "run.200.running.json", 3: "run.200.completed.json", 4: "run.404.json", 5: "run.400.json"} {
		d.SetAnswer(fmt.Sprintf("/api/v2/accounts/1001/runs/%d/", id), mustRead(t, filepath.Join(dir, name)))
	}
	c := client(t, d, d.Token)
	want := map[int64]int{1: dbtcloud.StatusError, 2: dbtcloud.StatusRunning, 3: dbtcloud.StatusSuccess}
	for id, status := range want {
		r, err := c.GetRun(context.Background(), 1001, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != status || r.StartedAt.IsZero() || r.Href == "" {
			t.Errorf("run %d: status %d started %v", id, r.Status, r.StartedAt)
		}
		if r.FailingStep() != nil {
			t.Errorf("run %d has no steps, so no failing step", id)
		}
	}
	if r, _ := c.GetRun(context.Background(), 1001, 3); r.Elapsed() != 42*time.Minute+47*time.Second+710357*time.Microsecond {
		t.Errorf("elapsed %s", r.Elapsed())
	}
	// HTTP 200 but envelope code 404 (is_success true!): still an error.
	for _, id := range []int64{4, 5} {
		if _, err := c.GetRun(context.Background(), 1001, id); err == nil {
			t.Errorf("run %d: error envelope accepted", id)
		}
	}
	// The trigger answer.
	d.SetAnswer("/api/v2/accounts/10001/jobs/101/run/", mustRead(t, filepath.Join(dir, "job.200.json")))
	run, err := c.TriggerJob(context.Background(), 10001, 101, dbtcloud.TriggerRequest{Cause: "test"})
	if err != nil || run.Status != dbtcloud.StatusQueued {
		t.Fatalf("trigger: %+v %v", run, err)
	}
	// job.404.json says code 200 / is_success true but has no data: not a run.
	d.SetAnswer("/api/v2/accounts/10001/jobs/101/run/", mustRead(t, filepath.Join(dir, "job.404.json")))
	if _, err := c.TriggerJob(context.Background(), 10001, 101, dbtcloud.TriggerRequest{Cause: "test"}); err == nil || !strings.Contains(err.Error(), "project does not exist") {
		t.Fatalf("job.404: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseRunURL(t *testing.T) {
	tests := []struct {
		in   string
		want dbtcloud.RunRef
		ok   bool
	}{
		{"https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/", dbtcloud.RunRef{"cloud.getdbt.com", 1001, 5001, 42}, true},
		{"https://cloud.getdbt.com/next/deploy/1001/projects/5001/runs/42/", dbtcloud.RunRef{"cloud.getdbt.com", 1001, 5001, 42}, true},
		{"https://ab123.us1.dbt.com/deploy/7/projects/8/runs/9", dbtcloud.RunRef{"ab123.us1.dbt.com", 7, 8, 9}, true},
		{"https://cloud.getdbt.com/#/accounts/3/projects/4/runs/5/", dbtcloud.RunRef{"cloud.getdbt.com", 3, 4, 5}, true},
		{"https://cloud.getdbt.com/deploy/1001/projects/5001/jobs/12", dbtcloud.RunRef{}, false},
		{"not a url", dbtcloud.RunRef{}, false},
	}
	for _, tc := range tests {
		got, ok := dbtcloud.ParseRunURL(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("ParseRunURL(%q) = %+v %v", tc.in, got, ok)
		}
	}
}

func FuzzParseRunURL(f *testing.F) {
	f.Add("https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/")
	f.Add("https://x/#/accounts/1/runs/2")
	f.Fuzz(func(t *testing.T, s string) {
		if r, ok := dbtcloud.ParseRunURL(s); ok && (r.AccountID <= 0 || r.RunID <= 0) {
			t.Fatalf("accepted %q as %+v", s, r)
		}
	})
}

func TestIsCloudURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://cloud.getdbt.com/deploy/1/projects/2/runs/3/": true,
		"https://emea.dbt.com/deploy/1/projects/2/runs/3/":     true,
		"https://ab1.us1.dbt.com/x":                            true,
		"https://dbt.internal.example/deploy/1":                true, // the configured host
		"https://github.com/acme/analytics/actions/runs/1":     false,
		"https://evil.example/cloud.getdbt.com":                false,
	} {
		if got := dbtcloud.IsCloudURL(u, "dbt.internal.example"); got != want {
			t.Errorf("IsCloudURL(%q) = %v", u, got)
		}
	}
}

func TestStatusMapping(t *testing.T) {
	for code, want := range map[int][2]string{1: {"queued", "pending"}, 2: {"starting", "pending"}, 3: {"running", "pending"}, 10: {"success", "pass"}, 20: {"error", "fail"}, 30: {"cancelled", "cancel"}} {
		if dbtcloud.StatusName(code) != want[0] || dbtcloud.StatusBucket(code) != want[1] {
			t.Errorf("%d: %s %s", code, dbtcloud.StatusName(code), dbtcloud.StatusBucket(code))
		}
	}
}

func TestTimeAndDurations(t *testing.T) {
	var v struct {
		A, B, C, D dbtcloud.Time
	}
	if err := json.Unmarshal([]byte(`{"A":"2022-10-12 07:00:02.401579+00:00","B":"2026-11-28T07:00:00Z","C":null,"D":"garbage"}`), &v); err != nil {
		t.Fatal(err)
	}
	if v.A.Year() != 2022 || v.B.Hour() != 7 || !v.C.IsZero() || !v.D.IsZero() {
		t.Fatalf("%+v", v)
	}
	if dbtcloud.ParseHMS("00:43:20") != 43*time.Minute+20*time.Second || dbtcloud.ParseHMS("x") != 0 {
		t.Fatal("ParseHMS")
	}
}

func readFile(path string) ([]byte, error) { return os.ReadFile(path) }

func FuzzRunJSON(f *testing.F) {
	f.Add(`{"id":1,"status":20,"run_steps":[{"index":2,"status":20,"logs":"a\nb","started_at":"2022-10-12 07:00:02.401579+00:00","duration":"00:00:10"}]}`)
	f.Add(`{"started_at":"x","finished_at":null,"duration":"1:2"}`)
	f.Fuzz(func(t *testing.T, s string) {
		var r dbtcloud.Run
		if json.Unmarshal([]byte(s), &r) != nil {
			return
		}
		_ = r.Elapsed()
		if st := r.FailingStep(); st != nil {
			_ = st.Elapsed()
			_ = dbtcloud.TailLines(st.Logs, 5)
		}
		_ = dbtcloud.ParseHMS(r.Duration)
	})
}

func FuzzRunResults(f *testing.F) {
	f.Add(`{"results":[{"unique_id":"model.a.b","status":"error","message":"x","execution_time":1.5}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var rr dbtcloud.RunResults
		if json.Unmarshal([]byte(s), &rr) != nil {
			return
		}
		for _, n := range dbtcloud.FailingNodes(&rr) {
			if n.Status != "error" && n.Status != "fail" && n.Status != "runtime error" {
				t.Fatalf("node %+v is not failing", n)
			}
		}
	})
}
