package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCheckTools(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(te *testEnv)
		extra   []string
		want    Status
		details []string
	}{
		{
			name: "all present",
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), "")
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("code", "")
			},
			want: StatusOK, details: []string{"git 2.43.0", "dbt 1.8.7 (snowflake 1.8.4)", "editor code"},
		},
		{
			name: "no editor is only a warning",
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.9.0", "snowflake", "1.9.0"), "")
				te.tool("git", `echo "git version 2.39.3 (Apple Git-145)"`)
			},
			want: StatusWarn, details: []string{"no editor found", "git 2.39.3"},
		},
		{
			name:  "EDITOR counts",
			extra: []string{"EDITOR=nano -w"},
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.9.0", "snowflake", "1.9.0"), "")
				te.tool("git", `echo "git version 2.43.0"`)
			},
			want: StatusOK, details: []string{"editor nano"},
		},
		{
			name: "dbt missing, uv present",
			setup: func(te *testEnv) {
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("uv", "")
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{"dbt is not installed", "the fix runs uv tool install 'dbt-core>=1.8.0,<2.0.0' --with dbt-snowflake"},
		},
		{
			name: "dbt and git missing, nothing to install with",
			setup: func(te *testEnv) {
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{"git is not installed. Install it: sudo apt install git", "datatui installs dbt with uv, pipx or Python's venv, and none is here: install uv (curl -LsSf https://astral.sh/uv/install.sh | sh)"},
		},
		{
			name: "dbt too old for require-dbt-version",
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.7.11", "snowflake", "1.7.3"), "")
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("pipx", "")
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{`dbt 1.7.11 does not satisfy dbt_project.yml require-dbt-version ">=1.8.0,<2.0.0"`, "the fix runs pipx install 'dbt-core>=1.8.0,<2.0.0' && pipx inject dbt-core dbt-snowflake"},
		},
		{
			name: "adapter missing",
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.8.7", "postgres", "1.8.2"), "")
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{"dbt has no snowflake adapter (installed: postgres)"},
		},
		{
			name: "broken dbt --version",
			setup: func(te *testEnv) {
				te.tool("dbt", `echo "Traceback (most recent call last):" >&2; echo "ModuleNotFoundError: No module named 'dbt.adapters.factory'" >&2; exit 1`)
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{"dbt is installed but `dbt --version` failed", "Traceback"},
		},
		{
			name: "garbage dbt --version",
			setup: func(te *testEnv) {
				te.tool("dbt", `echo "hello"`)
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("vim", "")
			},
			want: StatusFail, details: []string{`could not read the version from ` + "`dbt --version`" + `, which printed "hello"`},
		},
		{
			name: "team tool missing",
			setup: func(te *testEnv) {
				te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), "")
				te.tool("git", `echo "git version 2.43.0"`)
				te.tool("vim", "")
				te.write("repo/datatui.yml", "dbt:\n  starter_model: x\nonboarding:\n  adapter: snowflake\n  tools: [sqlfluff]\n  dbt_version: \">=1.8.0\"\n")
				te.reopen()
			},
			want: StatusFail, details: []string{"sqlfluff is required by the team"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, envOpts{extraEnv: tt.extra})
			tt.setup(te)
			assertStatus(t, te.check(StepTools), tt.want, tt.details...)
		})
	}
}

func TestCheckGitHub(t *testing.T) {
	var gotAuth string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth = r.Header.Get("Authorization")
		switch {
		case r.Header.Get("Authorization") == "Bearer bad":
			w.WriteHeader(401)
		case r.URL.Path == "/repos/acme/analytics":
			w.Write([]byte(`{"full_name":"acme/analytics"}`))
		default:
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	api := "DATATUI_GITHUB_API_URL=" + srv.URL

	identity := "[user]\n\tname = Jane Doe\n\temail = jane@example.com\n"
	tests := []struct {
		name     string
		extra    []string
		gitcfg   string
		datatui  string
		tools    func(te *testEnv)
		want     Status
		details  []string
		wantAuth string
	}{
		{name: "signed in with GH_TOKEN", extra: []string{api, "GH_TOKEN=good"}, gitcfg: identity, want: StatusOK, details: []string{"Jane Doe <jane@example.com>", "can read acme/analytics", "GH_TOKEN"}, wantAuth: "Bearer good"},
		{name: "signed in with gh", extra: []string{api}, gitcfg: identity, tools: func(te *testEnv) {
			te.tool("gh", `[ "$1 $2 $3 $4" = "auth token --hostname github.com" ] && echo gho_fromgh && exit 0; exit 1`)
		}, want: StatusOK, details: []string{"gh auth login"}, wantAuth: "Bearer gho_fromgh"},
		{name: "no identity", extra: []string{api, "GH_TOKEN=good"}, want: StatusFail, details: []string{"git does not know who you are"}},
		{name: "not signed in, no gh", extra: []string{api}, gitcfg: identity, want: StatusFail, details: []string{"not signed in to github.com", "sudo apt install gh"}},
		{name: "not signed in, gh present", extra: []string{api}, gitcfg: identity, tools: func(te *testEnv) { te.tool("gh", `echo "no oauth token" >&2; exit 1`) }, want: StatusFail, details: []string{"run: gh auth login"}},
		{name: "token rejected", extra: []string{api, "GITHUB_TOKEN=bad"}, gitcfg: identity, want: StatusFail, details: []string{"GitHub did not accept your sign-in (HTTP 401)", "gh auth login (the token came from GITHUB_TOKEN)"}},
		{name: "no access", extra: []string{api, "GH_TOKEN=good"}, gitcfg: identity, datatui: "github:\n  repo: acme/secret\n", want: StatusFail, details: []string{"you cannot see acme/secret on github.com"}},
		{name: "GitHub unreachable", extra: []string{"DATATUI_GITHUB_API_URL=http://127.0.0.1:1/", "GH_TOKEN=good"}, gitcfg: identity, want: StatusUnknown, details: []string{"Could not check access to acme/analytics. The server refused the connection"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gotAuth = ""
			te := newTestEnv(t, envOpts{realGit: true, extraEnv: tt.extra, datatui: tt.datatui})
			if tt.gitcfg != "" {
				te.write("home/.gitconfig", tt.gitcfg)
			}
			if tt.tools != nil {
				tt.tools(te)
			}
			r := te.check(StepGitHub)
			assertStatus(t, r, tt.want, tt.details...)
			if tt.wantAuth != "" && gotAuth != tt.wantAuth {
				t.Errorf("Authorization %q, want %q", gotAuth, tt.wantAuth)
			}
			// The token is never shown.
			for _, tok := range []string{"good", "gho_fromgh"} {
				if strings.Contains(r.Detail+r.Checked, tok) {
					t.Errorf("token %q reached the result: %+v", tok, r)
				}
			}
		})
	}
}

func TestFixGitIdentity(t *testing.T) {
	te := newTestEnv(t, envOpts{realGit: true, extraEnv: []string{"GH_TOKEN=x", "DATATUI_GITHUB_API_URL=http://127.0.0.1:1/"}})
	s, _ := Find(Steps(te.env), StepGitHub)
	if err := s.Fix(context.Background(), Input{"name": "Jane Doe", "email": "nope"}); err == nil {
		t.Fatal("accepted an e-mail without @")
	}
	if err := s.Fix(context.Background(), Input{"name": "Jane Doe", "email": "jane@example.com"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(te.home, ".gitconfig"))
	if !strings.Contains(string(b), "name = Jane Doe") || !strings.Contains(string(b), "email = jane@example.com") {
		t.Fatalf(".gitconfig:\n%s", b)
	}
	assertStatus(t, te.check(StepGitHub), StatusUnknown, "Jane Doe <jane@example.com>")
}

func TestCheckRepository(t *testing.T) {
	te := newTestEnv(t, envOpts{realGit: true})
	assertStatus(t, te.check(StepRepository), StatusFail, "is not a git clone", "gh repo clone acme/analytics")

	te.git("init", "-q")
	te.git("symbolic-ref", "HEAD", "refs/heads/main")
	te.git("add", "-A")
	te.git("commit", "-q", "-m", "init")
	te.reopen()
	assertStatus(t, te.check(StepRepository), StatusFail, "no origin remote")

	te.git("remote", "add", "origin", "git@github.com:someone/fork.git")
	assertStatus(t, te.check(StepRepository), StatusFail, "origin is git@github.com:someone/fork.git, not the team's repository acme/analytics")

	te.git("remote", "set-url", "origin", "https://x-access-token:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/analytics.git")
	r := te.check(StepRepository)
	assertStatus(t, r, StatusOK, "on main", "make a branch")
	if strings.Contains(r.Checked, "ghp_") {
		t.Errorf("token in remote URL shown: %s", r.Checked)
	}

	te.git("switch", "-q", "-c", "jane/first-model")
	assertStatus(t, te.check(StepRepository), StatusOK, "on branch jane/first-model")

	te.git("checkout", "-q", "--detach")
	assertStatus(t, te.check(StepRepository), StatusFail, "HEAD is detached")
	te.git("switch", "-q", "jane/first-model")

	// pre-commit: the repo uses it, the hook is missing; the fix installs it.
	te.write("repo/.pre-commit-config.yaml", "repos: []\n")
	assertStatus(t, te.check(StepRepository), StatusFail, "pre-commit hooks")
	s, _ := Find(Steps(te.env), StepRepository)
	if err := s.Fix(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "pre-commit is not installed") {
		t.Fatalf("fix without pre-commit: %v", err)
	}
	te.tool("pre-commit", `mkdir -p .git/hooks && echo '#!/bin/sh' > .git/hooks/pre-commit && echo installed`)
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, te.check(StepRepository), StatusOK, "pre-commit hooks installed")
}

func TestCheckDeps(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	assertStatus(t, te.check(StepDeps), StatusSkip, "no dbt packages")

	te.write("repo/packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: [\">=1.1.0\", \"<2.0.0\"]\n  - git: https://github.com/acme/dbt-macros.git\n    revision: v1.2.0\n")
	assertStatus(t, te.check(StepDeps), StatusFail, "not installed: dbt_utils, dbt-macros", "dbt deps")

	// The fix runs dbt deps, which installs them.
	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `if [ "$1" = deps ]; then mkdir -p dbt_packages/dbt_utils dbt_packages/acme_macros; touch dbt_packages/dbt_utils/dbt_project.yml dbt_packages/acme_macros/dbt_project.yml; echo "Installed"; exit 0; fi; exit 2`)
	s, _ := Find(Steps(te.env), StepDeps)
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// Without a lock file the folder names are guesses; two packages installed is enough.
	assertStatus(t, te.check(StepDeps), StatusOK, "2 packages installed")

	// With package-lock.yml the names are exact.
	te.write("repo/package-lock.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    name: dbt_utils\n    version: 1.3.0\n  - git: https://github.com/acme/dbt-macros.git\n    name: acme_macros\n    revision: abc\nsha1_hash: 0123\n")
	assertStatus(t, te.check(StepDeps), StatusOK, "from package-lock.yml")
	// The installed version must be the one the lock file pins.
	te.write("repo/dbt_packages/dbt_utils/dbt_project.yml", "name: dbt_utils\nversion: 1.1.1\n")
	assertStatus(t, te.check(StepDeps), StatusFail, "dbt_utils 1.1.1 installed, package-lock.yml pins 1.3.0")
	te.write("repo/dbt_packages/dbt_utils/dbt_project.yml", "name: dbt_utils\nversion: 1.3.0\n")
	assertStatus(t, te.check(StepDeps), StatusOK)
	os.RemoveAll(filepath.Join(te.project, "dbt_packages", "acme_macros"))
	assertStatus(t, te.check(StepDeps), StatusFail, "not installed: acme_macros")

	te.write("repo/packages.yml", "packages: [oops\n")
	assertStatus(t, te.check(StepDeps), StatusFail, "packages.yml")

	// A failing dbt deps is reported with dbt's last lines.
	te.write("repo/packages.yml", "packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.3.0\n")
	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `echo "12:00:01  Encountered an error:"; echo "12:00:01  Could not reach hub.getdbt.com"; exit 2`)
	if err := s.Fix(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "Could not reach hub.getdbt.com") {
		t.Fatalf("fix error %v", err)
	}
}

func TestCheckDebug(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	assertStatus(t, te.check(StepDebug), StatusBlocked, "dbt is not installed")

	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `[ "$1 $2 $3" = "debug --target dev" ] || exit 9
[ "$DBT_USE_COLORS" = false ] || exit 8
cat <<'OUT'
12:00:00  Running with dbt=1.8.7
12:00:00  dbt version: 1.8.7
12:00:00  Configuration:
12:00:00    profiles.yml file [OK found and valid]
12:00:00    dbt_project.yml file [OK found and valid]
12:00:01  Connection test: [OK connection ok]

12:00:01  All checks passed!
OUT`)
	assertStatus(t, te.check(StepDebug), StatusOK, "all checks passed", "dbt debug --target dev")

	te.fakeDBT(dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), `cat <<'OUT'
12:00:00  Running with dbt=1.8.7
12:00:00  Configuration:
12:00:00    profiles.yml file [OK found and valid]
12:00:01  Connection:
12:00:01    account: ab12345
12:00:01    password: hunter2
12:00:02  Connection test: [ERROR]

12:00:02  1 check failed:
12:00:02  dbt was unable to connect to the specified database.
12:00:02  The database returned the following error:

  >Database Error
  250001: Could not connect to Snowflake backend after 2 attempt(s).Aborting
OUT
exit 1`)
	r := te.check(StepDebug)
	assertStatus(t, r, StatusFail, "Connection test: [ERROR]")
	if strings.Contains(r.Detail, "hunter2") {
		t.Errorf("secret shown: %s", r.Detail)
	}
}

func TestCheckFirstBuild(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	assertStatus(t, te.check(StepFirstBuild), StatusFail, "not built yet: build stg_users in your sandbox")

	rr := func(status string) string {
		b, _ := json.Marshal(map[string]any{"metadata": map[string]any{"dbt_version": "1.8.7"}, "results": []any{
			map[string]any{"unique_id": "model.shop.stg_orders", "status": "success"},
			map[string]any{"unique_id": "model.shop.stg_users", "status": status},
		}})
		return string(b)
	}
	te.write("repo/target/run_results.json", rr("error"))
	assertStatus(t, te.check(StepFirstBuild), StatusFail, "ended with error", "Runs screen")
	te.write("repo/target/run_results.json", `{"results": [{"unique_id": "model.shop.other", "status": "success"}]}`)
	assertStatus(t, te.check(StepFirstBuild), StatusFail, "did not build stg_users")
	te.write("repo/target/run_results.json", "not json")
	assertStatus(t, te.check(StepFirstBuild), StatusFail, "not a dbt run_results.json")

	te.write("repo/target/run_results.json", rr("success"))
	assertStatus(t, te.check(StepFirstBuild), StatusOK, "stg_users built successfully")
	// The success is remembered: a later run that builds something else keeps it done.
	te.write("repo/target/run_results.json", `{"results": []}`)
	assertStatus(t, te.check(StepFirstBuild), StatusOK, "stg_users built on 29 Nov 2026")
}

// TestFixFirstBuild: the build runs only through datatui's runner (RunDBT, whose write
// guard checks where dbt writes; internal/onboard/live tests it with the real runner), never
// dbt directly.
func TestFixFirstBuild(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	s, _ := Find(Steps(te.env), StepFirstBuild)
	if err := s.Fix(context.Background(), nil); err == nil || !strings.Contains(err.Error(), "checks where dbt writes first") {
		t.Fatalf("without the runner: %v", err)
	}
	var got []string
	te.env.RunDBT = func(_ context.Context, args []string) error { got = args; return nil }
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != "build --select stg_users" {
		t.Errorf("runner got %q", got)
	}
	assertStatus(t, te.check(StepFirstBuild), StatusOK, "built on")

	te2 := newTestEnv(t, envOpts{})
	te2.env.RunDBT = func(context.Context, []string) error {
		return errors.New(`dbt failed (exit code 1): relation "raw.users" does not exist`)
	}
	s2, _ := Find(Steps(te2.env), StepFirstBuild)
	if err := s2.Fix(context.Background(), nil); err == nil || !strings.Contains(err.Error(), `relation "raw.users" does not exist`) {
		t.Fatalf("fix error %v", err)
	}
	assertStatus(t, te2.check(StepFirstBuild), StatusFail)
}

func TestCheckGuideAndProgress(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	ws := te.env.Workspace
	if Started(ws) {
		t.Fatal("started without progress")
	}
	done, total, err := Progress(ws)
	if err != nil || done != 0 || total != 10 {
		t.Fatalf("Progress = %d/%d %v", done, total, err)
	}
	assertStatus(t, te.check(StepGuide), StatusFail, "datatui guide show getting-started")
	if err := MarkGuideRead(ws, te.now); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, te.check(StepGuide), StatusOK, "read on 29 Nov 2026")
	// Every guide opened is remembered once, at its first reading.
	for _, at := range []time.Time{te.now, te.now.Add(time.Hour)} {
		if err := RecordGuideRead(ws, "your-sandbox", at); err != nil {
			t.Fatal(err)
		}
	}
	if st, _ := LoadProgress(ws); !st.GuidesRead["your-sandbox"].Equal(te.now) || len(st.GuidesRead) != 1 {
		t.Fatalf("guides read %v", st.GuidesRead)
	}

	steps := Steps(te.env)
	outcomes := []Outcome{
		{Step: steps[0], Result: Result{Status: StatusOK}},
		{Step: steps[1], Result: Result{Status: StatusWarn}},
		{Step: steps[2], Result: Result{Status: StatusFail}},
		{Step: steps[6], Result: Result{Status: StatusSkip}},
		{Step: steps[4], Result: Result{Status: StatusUnknown}},
	}
	st, _ := LoadProgress(ws)
	st.Record(outcomes, te.now)
	if err := st.Save(ws); err != nil {
		t.Fatal(err)
	}
	done, total, err = Progress(ws)
	if err != nil || done != 3 || total != 10 {
		t.Fatalf("Progress = %d/%d %v, want 3/10", done, total, err)
	}
	if !Started(ws) {
		t.Error("not started after a check")
	}
	info, err := os.Stat(filepath.Join(ws.StateDir, ProgressFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("progress file %v %v", info, err)
	}
	// Marking again keeps the first time.
	if err := MarkGuideRead(ws, te.now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	st, _ = LoadProgress(ws)
	if !st.GuideReadAt.Equal(te.now) {
		t.Errorf("GuideReadAt moved to %v", st.GuideReadAt)
	}

	// A damaged file is an error with an empty state, and the next save repairs it.
	os.WriteFile(filepath.Join(ws.StateDir, ProgressFile), []byte("{broken"), 0o600)
	if _, _, err := Progress(ws); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged progress: %v", err)
	}
	if err := MarkWelcomed(ws, te.now); err != nil {
		t.Fatal(err)
	}
	if !Started(ws) {
		t.Error("welcome not recorded")
	}
}

func TestWarehouseAndSandboxNeedTheirFeatures(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	assertStatus(t, te.check(StepWarehouse), StatusUnknown, "not available in this build yet")
	assertStatus(t, te.check(StepSandbox), StatusUnknown, "not available in this build yet")
	s, _ := Find(Steps(te.env), StepSandbox)
	if err := s.Fix(context.Background(), nil); err == nil {
		t.Error("sandbox fix pretended to work")
	}

	te.env.Login = func(context.Context) (Identity, error) {
		return Identity{Engine: "snowflake", User: "JANE", Role: "ACCOUNTADMIN"}, nil
	}
	assertStatus(t, te.check(StepWarehouse), StatusWarn, "admin role ACCOUNTADMIN", "TRANSFORMER")
	te.env.Login = func(context.Context) (Identity, error) {
		return Identity{Engine: "snowflake", User: "JANE", Role: "TRANSFORMER"}, nil
	}
	assertStatus(t, te.check(StepWarehouse), StatusOK, "role TRANSFORMER")
	// What the profile asks of dbt that datatui does not do is a warning after the login.
	te.env.Login = func(context.Context) (Identity, error) {
		return Identity{Engine: "snowflake", User: "JANE", Role: "TRANSFORMER", Notes: []string{"retry_all applies to dbt's own statements"}}, nil
	}
	assertStatus(t, te.check(StepWarehouse), StatusWarn, "logged in with the contributor role; but retry_all applies")
	te.env.Login = func(context.Context) (Identity, error) {
		return Identity{}, &loginError{"390100: Incorrect username or password was specified. password=hunter2"}
	}
	r := te.check(StepWarehouse)
	assertStatus(t, r, StatusFail, "Incorrect username or password")
	if strings.Contains(r.Detail, "hunter2") {
		t.Error("secret in detail")
	}
	te.env.Login = func(ctx context.Context) (Identity, error) {
		<-ctx.Done()
		return Identity{}, ctx.Err()
	}
	s, _ = Find(Steps(te.env), StepWarehouse)
	s.Timeout = 20 * time.Millisecond
	assertStatus(t, s.RunCheck(context.Background()), StatusUnknown, "could not check")

	created := false
	te.env.Sandbox = func(context.Context) (SandboxInfo, error) {
		return SandboxInfo{Name: "SANDBOX_JANE", Exists: created}, nil
	}
	te.env.CreateSandbox = func(context.Context) error { created = true; return nil }
	assertStatus(t, te.check(StepSandbox), StatusFail, "SANDBOX_JANE does not exist yet", "ANALYTICS_CLONE")
	s, _ = Find(Steps(te.env), StepSandbox)
	if err := s.Fix(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, te.check(StepSandbox), StatusOK)
}

type loginError struct{ s string }

func (e *loginError) Error() string { return e.s }

func TestRunCheckSurvivesPanicsAndTimeouts(t *testing.T) {
	s := &Step{Name: "x", Timeout: 10 * time.Millisecond, Check: func(ctx context.Context) Result { panic("boom") }}
	assertStatus(t, s.RunCheck(context.Background()), StatusUnknown, "boom")

	s = &Step{Name: "x", Timeout: 10 * time.Millisecond, Check: func(ctx context.Context) Result {
		<-ctx.Done()
		return fail("", "killed")
	}}
	assertStatus(t, s.RunCheck(context.Background()), StatusUnknown, "no answer within 10ms")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assertStatus(t, s.RunCheck(ctx), StatusUnknown, "cancelled")

	// A slow tool is killed at the step's timeout, not waited for.
	te := newTestEnv(t, envOpts{})
	te.tool("git", "exec sleep 5")
	step, _ := Find(Steps(te.env), StepTools)
	step.Timeout = 100 * time.Millisecond
	start := time.Now()
	assertStatus(t, step.RunCheck(context.Background()), StatusUnknown)
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("check took %s: the tool was not stopped", d)
	}
}

func TestCheckAllOrderAndRequired(t *testing.T) {
	steps := []*Step{
		{Name: "a", Required: true, Check: func(context.Context) Result { time.Sleep(5 * time.Millisecond); return ok("", "") }},
		{Name: "b", Required: false, Check: func(context.Context) Result { return fail("", "x") }},
		{Name: "c", Required: true, Check: func(context.Context) Result { return skip("", "") }},
	}
	out := CheckAll(context.Background(), steps)
	if out[0].Step.Name != "a" || out[1].Step.Name != "b" || out[2].Step.Name != "c" {
		t.Fatal("outcomes not in step order")
	}
	if !AllRequiredPassed(out) {
		t.Error("an optional failure failed the run")
	}
	steps[2].Check = func(context.Context) Result { return unknown("", "") }
	if AllRequiredPassed(CheckAll(context.Background(), steps)) {
		t.Error("unknown counted as passed")
	}
}

func TestStepsAreComplete(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	steps := Steps(te.env)
	if got := strings.Join(Names(steps), ","); got != strings.Join(StepNames(), ",") {
		t.Fatalf("Steps %s != StepNames %s", got, strings.Join(StepNames(), ","))
	}
	for _, s := range steps {
		if s.Title == "" || s.Explain == "" || s.Guide == "" || s.Timeout == 0 || s.Check == nil {
			t.Errorf("step %s is missing a title, explanation, guide, timeout or check", s.Name)
		}
		if (s.Fields != nil) && s.Fix == nil {
			t.Errorf("step %s has fields but no fix", s.Name)
		}
	}
}

// TestDBTVersionOffline: a dbt whose --version hangs (asking PyPI without a network) is read
// from its virtual environment's package metadata instead.
func TestDBTVersionOffline(t *testing.T) {
	te := newTestEnv(t, envOpts{extraEnv: []string{"EDITOR=vim"}})
	te.tool("git", `echo "git version 2.43.0"`)
	venv := filepath.Join(filepath.Dir(te.home), "venvs", "dbt-core")
	for _, d := range []string{"dbt_core-1.8.7.dist-info", "dbt_snowflake-1.8.4.dist-info", "dbt_adapters-1.3.2.dist-info"} {
		te.write("venvs/dbt-core/lib/python3.12/site-packages/"+d+"/METADATA", "Metadata-Version: 2.1\n")
	}
	te.write("venvs/dbt-core/bin/dbt", "#!/bin/sh\nexec sleep 5\n")
	os.Chmod(filepath.Join(venv, "bin", "dbt"), 0o755)
	if err := os.Symlink(filepath.Join(venv, "bin", "dbt"), filepath.Join(te.bin, "dbt")); err != nil {
		t.Fatal(err)
	}
	s, _ := Find(Steps(te.env), StepTools)
	s.Timeout = 600 * time.Millisecond
	assertStatus(t, s.RunCheck(context.Background()), StatusOK, "dbt 1.8.7 (snowflake 1.8.4)")

	// Without metadata, the step says it could not check rather than guessing.
	os.RemoveAll(filepath.Join(venv, "lib"))
	assertStatus(t, s.RunCheck(context.Background()), StatusUnknown, "did not answer in time")
}

// TestFixableOnlyWhenTheFixHelps: a step offers its fix only for the problem the fix repairs.
func TestFixableOnlyWhenTheFixHelps(t *testing.T) {
	te := newTestEnv(t, envOpts{realGit: true, extraEnv: []string{"DATATUI_GITHUB_API_URL=http://127.0.0.1:1/"}})
	r := te.check(StepGitHub)
	if r.Status != StatusFail || !r.Fixable {
		t.Errorf("no identity, not signed in: %+v", r)
	}
	te.write("home/.gitconfig", "[user]\n\tname = Jane\n\temail = j@x\n")
	r = te.check(StepGitHub)
	if r.Status != StatusFail || r.Fixable {
		t.Errorf("identity set, not signed in: the identity fix cannot help: %+v", r)
	}
	r = te.check(StepRepository)
	if r.Status != StatusFail || r.Fixable {
		t.Errorf("not a clone: %+v", r)
	}
	if r := te.check(StepProfile); !r.Fixable {
		t.Errorf("missing profile: %+v", r)
	}
	if r := te.check(StepFirstBuild); !r.Fixable {
		t.Errorf("not built: %+v", r)
	}
	if r := te.check(StepDebug); r.Fixable {
		t.Errorf("debug has no fix: %+v", r)
	}
}

// dockerTool installs a stand-in docker: version and image inspect answer as given, and
// `docker run … IMAGE ARGS` records its arguments and answers dbt's --version and debug.
func (te *testEnv) dockerTool(version, inspect string) string {
	te.t.Helper()
	args := filepath.Join(filepath.Dir(te.home), "docker-args.txt")
	te.write("fixtures/dbt-version.txt", dbtVersionOutput("1.8.7", "snowflake", "1.8.4"))
	te.tool("docker", `case "$1" in
version) `+version+` ;;
image) `+inspect+` ;;
run)
  echo "$@" >> "`+args+`"
  while [ $# -gt 0 ] && [ "$1" != "ghcr.io/acme/dbt:1.8" ]; do shift; done
  shift
  case "$1" in
  --version) cat "`+filepath.Join(filepath.Dir(te.home), "fixtures", "dbt-version.txt")+`" ;;
  debug) [ "$DBT_USE_COLORS" = false ] || exit 8; echo "12:00:01  All checks passed!" ;;
  *) exit 9 ;;
  esac ;;
*) exit 125 ;;
esac`)
	return args
}

// TestCheckToolsDocker: when the team runs dbt from an image, onboarding checks Docker, the
// daemon and the image, and dbt's version inside it, instead of a local dbt.
func TestCheckToolsDocker(t *testing.T) {
	const cfg = "dbt:\n  docker:\n    image: ghcr.io/acme/dbt:1.8\nonboarding:\n  adapter: snowflake\n"
	for _, tt := range []struct {
		name             string
		version, inspect string
		noDocker         bool
		want             Status
		details          []string
	}{
		{name: "no docker", noDocker: true, want: StatusFail, details: []string{"runs dbt in the Docker image ghcr.io/acme/dbt:1.8, but docker is not installed"}},
		{name: "daemon down", version: `echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit 1`, inspect: "exit 0", want: StatusFail, details: []string{"daemon does not answer", "Cannot connect to the Docker daemon"}},
		{name: "image missing", version: "echo 24.0.7", inspect: `echo "Error: No such image: ghcr.io/acme/dbt:1.8" >&2; exit 1`, want: StatusFail, details: []string{"not on this machine", "docker pull ghcr.io/acme/dbt:1.8"}},
		{name: "all there", version: "echo 24.0.7", inspect: "echo sha256:abc", want: StatusOK, details: []string{"dbt 1.8.7 in ghcr.io/acme/dbt:1.8 (snowflake 1.8.4)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, envOpts{datatui: cfg})
			te.tool("git", `echo "git version 2.43.0"`)
			te.tool("vim", "")
			argsFile := ""
			if !tt.noDocker {
				argsFile = te.dockerTool(tt.version, tt.inspect)
			}
			assertStatus(t, te.check(StepTools), tt.want, tt.details...)
			if tt.want == StatusOK {
				b, err := os.ReadFile(argsFile)
				if err != nil {
					t.Fatal(err)
				}
				if run := string(b); !strings.Contains(run, "run --rm --init") || !strings.Contains(run, "-v "+te.project+":"+te.project) || !strings.HasSuffix(strings.TrimSpace(run), "ghcr.io/acme/dbt:1.8 --version") {
					t.Errorf("docker %s", run)
				}
				assertStatus(t, te.check(StepDebug), StatusOK, "all checks passed")
			}
		})
	}
}
