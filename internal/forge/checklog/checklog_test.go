package checklog_test

import (
	"context"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/checklog"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
)

func deps(t *testing.T) (checklog.Deps, *ghtest.Server, *ghtest.DBTCloud) {
	t.Helper()
	gh := ghtest.New()
	dc := ghtest.NewDBTCloud()
	t.Cleanup(gh.Close)
	t.Cleanup(dc.Close)
	t.Setenv(dbtcloud.EnvAPIURL, "")
	c, err := forge.NewClient(forge.Options{Host: "github.com", Token: ghtest.Token, APIURL: gh.APIURL()})
	if err != nil {
		t.Fatal(err)
	}
	creds := dbtcloud.Credentials{{Host: "cloud.getdbt.com", Token: dc.Token, BaseURL: dc.URL, Source: "test"}}
	return checklog.Deps{GitHub: c, DBTCloud: config.DBTCloud{AccountID: 1001, CIJobID: 12345}, Credentials: creds}, gh, dc
}

var pr101 = forge.PR{Number: 101, HeadRef: "feature/ltv", HeadSHA: "abc"}

func TestLoadDBTCloud(t *testing.T) {
	d, _, _ := deps(t)
	ch := forge.Check{Name: "dbt Cloud CI", Bucket: forge.BucketFail, Link: "https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/"}
	log, err := checklog.Load(context.Background(), d, pr101, ch)
	if err != nil {
		t.Fatal(err)
	}
	if log.Kind != checklog.KindDBTCloud || log.DBT.FailingStep == nil || len(log.DBT.FailingNodes) != 2 {
		t.Fatalf("log %+v", log)
	}
	// Without a link, the CI job named in datatui.yml is searched for the PR's run.
	ch.Link = ""
	log, err = checklog.Load(context.Background(), d, forge.PR{Number: 102}, ch)
	if err != nil || log.DBT.Run.ID != 43 {
		t.Fatalf("by job: %+v %v", log, err)
	}
	d.Credentials = nil
	log, err = checklog.Load(context.Background(), d, pr101, ch)
	if err != nil || !strings.Contains(log.Note, dbtcloud.EnvToken) {
		t.Fatalf("no token: %+v %v", log, err)
	}
}

// TestTokenGoesOnlyToItsHost: a run on another dbt Cloud host (an EMEA or cell account, or a
// look-alike link) gets no request carrying the token datatui has for cloud.getdbt.com.
func TestTokenGoesOnlyToItsHost(t *testing.T) {
	d, _, dc := deps(t)
	for _, link := range []string{"https://ab123.us1.dbt.com/deploy/1001/projects/5001/runs/42/", "https://cloud.getdbt.com.evil.example/deploy/1001/projects/5001/runs/42/", "https://emea.dbt.com/deploy/1001/projects/5001/runs/42/"} {
		log, err := checklog.Load(context.Background(), d, pr101, forge.Check{Name: "dbt Cloud CI", Bucket: forge.BucketFail, Link: link})
		if err != nil {
			t.Fatal(err)
		}
		if log.DBT != nil || !strings.Contains(log.Note, "datatui auth dbt-cloud login --host") {
			t.Fatalf("%s: %+v", link, log)
		}
	}
	if n := len(dc.Requests()); n != 0 {
		t.Fatalf("%d requests reached dbt Cloud", n)
	}
	// With a credential for the cell host, its run is read from there.
	d.Credentials = append(d.Credentials, dbtcloud.Credential{Host: "ab123.us1.dbt.com", Token: dc.Token, BaseURL: dc.URL})
	log, err := checklog.Load(context.Background(), d, pr101, forge.Check{Name: "dbt Cloud CI", Bucket: forge.BucketFail, Link: "https://ab123.us1.dbt.com/deploy/1001/projects/5001/runs/42/"})
	if err != nil || log.DBT == nil || log.DBT.Run.ID != 42 {
		t.Fatalf("cell host: %+v %v", log, err)
	}
}

// TestActionsLinkDecidesBeforeTheName: an Actions job named like dbt is an Actions job.
func TestActionsLinkDecidesBeforeTheName(t *testing.T) {
	cfg := config.DBTCloud{AccountID: 1001, CIJobID: 12345}
	for _, tc := range []struct {
		ch   forge.Check
		want string
	}{
		{forge.Check{Name: "dbt-build", App: "github-actions", Link: "https://github.com/acme/analytics/actions/runs/556/job/778"}, checklog.KindActions},
		{forge.Check{Name: "dbt build (CI)", App: "github-actions", Link: "https://github.com/acme/analytics/runs/778"}, checklog.KindActions},
		{forge.Check{Name: "dbt Cloud CI", Link: "https://cloud.getdbt.com/deploy/1/projects/2/runs/3/"}, checklog.KindDBTCloud},
		{forge.Check{Name: "dbt Cloud CI"}, checklog.KindDBTCloud},
		{forge.Check{Name: "dbt-build", App: "github-actions"}, checklog.KindNone},
		{forge.Check{Name: "dbt Cloud CI", App: "some-app", Link: "https://github.com/acme/analytics/runs/9"}, checklog.KindDBTCloud},
	} {
		if got := checklog.Classify(tc.ch, cfg); got != tc.want {
			t.Errorf("Classify(%+v) = %s, want %s", tc.ch, got, tc.want)
		}
	}
}

func TestLoadActions(t *testing.T) {
	d, _, _ := deps(t)
	ch := forge.Check{Name: "sqlfluff", Bucket: forge.BucketFail, Link: "https://github.com/acme/analytics/actions/runs/556/job/778"}
	log, err := checklog.Load(context.Background(), d, pr101, ch)
	if err != nil {
		t.Fatal(err)
	}
	if log.Kind != checklog.KindActions || !strings.Contains(log.Lines[len(log.Lines)-1], "exit code 1") {
		t.Fatalf("log %+v", log)
	}
	log, err = checklog.Load(context.Background(), d, pr101, forge.Check{Name: "external", Link: "https://ci.example.com/1"})
	if err != nil || log.Kind != checklog.KindNone {
		t.Fatalf("other: %+v %v", log, err)
	}
}

func TestRerun(t *testing.T) {
	d, gh, dc := deps(t)
	msg, err := checklog.Rerun(context.Background(), d, pr101, forge.Check{Name: "dbt Cloud CI", Link: "https://cloud.getdbt.com/deploy/1001/projects/5001/runs/42/"})
	if err != nil || !strings.Contains(msg, "#45") || len(dc.Triggers()) != 1 || !strings.Contains(dc.Triggers()[0], `"github_pull_request_id":101`) {
		t.Fatalf("dbt rerun: %q %v %q", msg, err, dc.Triggers())
	}
	msg, err = checklog.Rerun(context.Background(), d, pr101, forge.Check{Name: "sqlfluff", Link: "https://github.com/acme/analytics/actions/runs/556/job/778"})
	if err != nil || !strings.Contains(msg, "sqlfluff") {
		t.Fatalf("actions rerun: %q %v", msg, err)
	}
	found := false
	for _, r := range gh.Requests() {
		found = found || (r.Method == "POST" && r.Path == "/repos/acme/analytics/actions/jobs/778/rerun")
	}
	if !found {
		t.Fatal("no rerun request")
	}
	if _, err := checklog.Rerun(context.Background(), d, pr101, forge.Check{Name: "external", Link: "https://ci.example.com/1"}); err == nil {
		t.Fatal("unknown check re-run accepted")
	}
}

func TestFirstFailing(t *testing.T) {
	cs := []forge.Check{{Bucket: forge.BucketPass}, {Bucket: forge.BucketPending}, {Bucket: forge.BucketFail}}
	if checklog.FirstFailing(cs) != 2 || checklog.FirstFailing(cs[:2]) != 1 || checklog.FirstFailing(cs[:1]) != -1 {
		t.Fatal("FirstFailing")
	}
}

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                          "plain",
		"\x1b[31mred\x1b[0m text":        "red text",
		"\x1b]0;pwned\x07title":          "title",
		"a\tb\rc\x00d":                   "a    b␍c␀d",
		"ok \x1b[2J\x1b[Hcleared":        "ok cleared",
		"unicode ✓ stays":                "unicode ✓ stays",
		"\x9b31m C1 introducer is inert": "\ufffd31m C1 introducer is inert",
		"\u009b31m C1 as a character":    "<U+009B>31m C1 as a character",
	} {
		if got := checklog.Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzClean(f *testing.F) {
	f.Add("\x1b[31mred\x1b[0m")
	f.Add("\x1b]8;;http://x\x1b\\link")
	f.Fuzz(func(t *testing.T, s string) {
		out := checklog.Clean(s)
		for _, r := range out {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("control %U left in %q", r, out)
			}
		}
	})
}
