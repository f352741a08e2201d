package onboard

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestReportHasNoSecrets fills every place a secret could hide (profiles.yml, datatui.yml,
// tool output, environment) and checks none reaches the support report.
func TestReportHasNoSecrets(t *testing.T) {
	te := newTestEnv(t, envOpts{extraEnv: []string{"GH_TOKEN=ghp_secretsecretsecretsecret1234", "DBT_ENV_SECRET_PASSWORD=hunter2"}})
	te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: ab12345\n      user: jane\n      password: \"{{ env_var('DBT_ENV_SECRET_PASSWORD') }}\"\n      private_key_passphrase: clearpass\n      database: SANDBOX_JANE\n")
	te.write("repo/datatui.yml", "# token: commentsecret\nwarehouse:\n  sandbox_pattern: SANDBOX_{user}\ndbt:\n  starter_model: stg_users\n")
	te.reopen()
	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `echo "password: hunter2"; echo "Connection test: [ERROR]"; exit 1`)
	te.tool("git", `echo "git version 2.43.0"`)
	steps := Steps(te.env)
	outcomes := CheckAll(context.Background(), steps)
	rep := Report(te.env, outcomes, ReportInfo{Version: "1.2.3", Commit: "abcdef012345", GoOS: "linux", GoArch: "amd64"})
	for _, secret := range []string{"hunter2", "clearpass", "ghp_secretsecretsecretsecret1234", "commentsecret", te.home} {
		if strings.Contains(rep, secret) {
			t.Errorf("report contains %q:\n%s", secret, rep)
		}
	}
	for _, want := range []string{"datatui: 1.2.3 (abcdef012345)", "os: linux/amd64", "tools: git 2.43.0, dbt 1.8.7 (snowflake 1.8.4)", "✗ debug", "password: [redacted]", "private_key_passphrase: [redacted]", "database: SANDBOX_JANE", "sandbox_pattern: SANDBOX_{user}", "~/.dbt/profiles.yml", "(optional)"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
	if !strings.HasPrefix(rep, "```text\n") || !strings.HasSuffix(rep, "```\n") {
		t.Error("not a code block")
	}
}

// healthyEnv is a machine where every step passes: tools, identity, GitHub (a loopback
// API), a clone on a branch, a profile pointing at the sandbox, the warehouse hooks, a
// built starter model and the guide read.
func healthyEnv(tb testing.TB) *testEnv {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "Bearer good" && r.URL.Path == "/repos/acme/analytics" {
			w.Write([]byte(`{}`))
			return
		}
		w.WriteHeader(404)
	}))
	tb.Cleanup(srv.Close)
	te := newTestEnv(tb, envOpts{realGit: true, extraEnv: []string{"GH_TOKEN=good", "DATATUI_GITHUB_API_URL=" + srv.URL, "EDITOR=vim"}})
	te.write("home/.gitconfig", "[user]\n\tname = Jane Doe\n\temail = jane@example.com\n")
	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `echo "12:00:01  All checks passed!"`)
	te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: ab12345\n      user: jane.doe\n      authenticator: externalbrowser\n      role: TRANSFORMER\n      warehouse: WH\n      database: SANDBOX_JANE_DOE\n      schema: PUBLIC\n")
	te.write("repo/target/run_results.json", `{"results": [{"unique_id": "model.shop.stg_users", "status": "success"}]}`)
	te.git("init", "-q")
	te.git("symbolic-ref", "HEAD", "refs/heads/jane/first-model")
	te.git("remote", "add", "origin", "git@github.com:acme/analytics.git")
	te.reopen()
	te.env.Login = func(context.Context) (Identity, error) {
		return Identity{Engine: "snowflake", User: "JANE_DOE", Role: "TRANSFORMER"}, nil
	}
	te.env.Sandbox = func(context.Context) (SandboxInfo, error) {
		return SandboxInfo{Name: "SANDBOX_JANE_DOE", Exists: true}, nil
	}
	if err := MarkGuideRead(te.env.Workspace, te.now); err != nil {
		tb.Fatal(err)
	}
	return te
}

func TestHealthyMachinePasses(t *testing.T) {
	te := healthyEnv(t)
	outcomes := CheckAll(context.Background(), Steps(te.env))
	for _, o := range outcomes {
		if !o.Result.Status.Passed() {
			t.Errorf("%s: %s %s (%s)", o.Step.Name, o.Result.Status, o.Result.Detail, o.Result.Checked)
		}
	}
	if !AllRequiredPassed(outcomes) {
		t.Error("not all passed")
	}
}

// BenchmarkCheckAll runs every check concurrently on a healthy machine of stand-in tools:
// the whole doctor must stay well under 2 s.
func BenchmarkCheckAll(b *testing.B) {
	te := healthyEnv(b)
	steps := Steps(te.env)
	for b.Loop() {
		out := CheckAll(context.Background(), steps)
		if !AllRequiredPassed(out) {
			b.Fatal("a check failed")
		}
	}
}
