//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

// marker starts every secret the secrets test plants. Each planted value is distinct (so a
// leak names its source), and any occurrence of the prefix anywhere is a leak: a fragment
// quoted by an error still carries it.
const marker = "m4rk3r"

// Planted secrets that are also needed to log in to the fakes.
const (
	sfPassword   = marker + "-env-sf-password-01"
	ghToken      = marker + "-env-gh-token-02"
	dbtToken     = marker + "-env-dbtcloud-token-03"
	echoPassword = marker + "-profile-sf-echo-password-04"
	echoToken    = marker + "-profile-sf-echo-token-05"
)

// secretProfiles holds a marker in every secret-bearing setting datatui may meet: every
// secret key of dbt-snowflake (notes/snowflake.md §7), the keys issue 11 found printed by the
// old exact-name list, Jinja that fails on a secret, an env_var() default, a URL password,
// MotherDuck tokens in a path and in settings, DuckDB secrets and postgres's pass.
const secretProfiles = `cashback:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: warehouse/sandbox.duckdb
      schema: main
      threads: 4
      settings:
        motherduck_token: m4rk3r-profile-duck-settings-md-06
        s3_secret_access_key: m4rk3r-profile-duck-s3-secret-07
        s3_session_token: m4rk3r-profile-duck-s3-session-08
      secrets:
        - type: s3
          key_id: AKIAEXAMPLEKEYID
          secret: m4rk3r-profile-duck-secret-09
    md:
      type: duckdb
      path: "md:analytics?motherduck_token=m4rk3r-profile-md-path-10"
      schema: main
    sf:
      type: snowflake
      account: ab12345
      user: ann
      password: "{{ env_var('DBT_ENV_SECRET_SF_PASSWORD') }}"
      role: TRANSFORMER
      warehouse: TRANSFORMING
      database: SANDBOX_ANN
      schema: marts
      host: "{{ env_var('SF_HOST') }}"
      port: "{{ env_var('SF_PORT') | int }}"
      protocol: http
    sf_echo:
      type: snowflake
      account: ab12345
      user: ann
      password: m4rk3r-profile-sf-echo-password-04
      token: m4rk3r-profile-sf-echo-token-05
      oauth_client_id: datatui-client
      oauth_client_secret: m4rk3r-profile-sf-oauth-secret-11
      database: SANDBOX_ANN
      host: "{{ env_var('SF_ECHO_HOST') }}"
      port: "{{ env_var('SF_ECHO_PORT') | int }}"
      protocol: http
    sf_key:
      type: snowflake
      account: ab12345
      user: ann
      authenticator: snowflake_jwt
      private_key: m4rk3r-profile-sf-private-key-12
      private_key_passphrase: m4rk3r-profile-sf-passphrase-13
      database: SANDBOX_ANN
      host: "{{ env_var('SF_ECHO_HOST') }}"
      port: "{{ env_var('SF_ECHO_PORT') | int }}"
      protocol: http
    sf_jinja:
      type: snowflake
      account: ab12345
      user: ann
      password: "m4rk3r-profile-jinja-fragment-14{{ not jinja"
      token: "{{ env_var('DATATUI_TEST_UNSET', 'm4rk3r-profile-jinja-default-15') }}"
      database: SANDBOX_ANN
      host: "{{ env_var('SF_ECHO_HOST') }}"
      port: "{{ env_var('SF_ECHO_PORT') | int }}"
      protocol: http
    sf_default:
      type: snowflake
      account: ab12345
      user: ann
      authenticator: oauth
      token: "{{ env_var('DATATUI_TEST_UNSET', 'm4rk3r-profile-jinja-default-16') }}"
      database: SANDBOX_ANN
      host: "{{ env_var('SF_ECHO_HOST') }}"
      port: "{{ env_var('SF_ECHO_PORT') | int }}"
      protocol: http
    sf_many:
      type: snowflake
      account: ab12345
      user: ann
      password: m4rk3r-profile-password-17
      jwt_token: m4rk3r-profile-jwt-token-18
      aws_secret_access_key: m4rk3r-profile-aws-secret-19
      secret_access_key: m4rk3r-profile-secret-access-key-20
      aws_session_token: m4rk3r-profile-aws-session-21
      client_private_key: m4rk3r-profile-client-private-key-22
      pwd: m4rk3r-profile-pwd-23
      api_secret_hdr: m4rk3r-profile-api-secret-hdr-24
      connection_url: "snowflake://ann:m4rk3r-profile-url-password-25@ab12345/SANDBOX_ANN"
      database: SANDBOX_ANN
      host: "{{ env_var('SF_ECHO_HOST') }}"
      port: "{{ env_var('SF_ECHO_PORT') | int }}"
      protocol: http
    pg:
      type: postgres
      host: localhost
      user: ann
      pass: m4rk3r-profile-pg-pass-26
      password: m4rk3r-profile-pg-password-27
      dbname: analytics
      schema: main
`

// secretEnv is the environment of every command: dbt's DBT_ENV_SECRET_* convention, the
// tokens gh and dbt Cloud users have, and the usual cloud credentials.
func secretEnv() []string {
	return []string{
		"DBT_ENV_SECRET_SF_PASSWORD=" + sfPassword,
		"DBT_ENV_SECRET_GIT_TOKEN=" + marker + "-env-dbt-env-secret-28",
		"GH_TOKEN=" + ghToken,
		"GITHUB_TOKEN=" + marker + "-env-github-token-29",
		dbtcloud.EnvToken + "=" + dbtToken,
		"DBT_CLOUD_API_TOKEN=" + marker + "-env-dbt-cloud-api-token-30",
		"SNOWFLAKE_PASSWORD=" + marker + "-env-snowflake-password-31",
		"MOTHERDUCK_TOKEN=" + marker + "-env-motherduck-token-32",
		"AWS_SECRET_ACCESS_KEY=" + marker + "-env-aws-secret-33",
		"DATABASE_URL=postgres://ann:" + marker + "-env-database-url-34@db.example.com/analytics",
		"PAGERDUTY_TOKEN=" + marker + "-env-pagerduty-token-38",
	}
}

// secretsWorld is a machine full of planted secrets: a HOME, a project (the demo project with
// its DuckDB files, read through ~/.dbt/profiles.yml), gh's config, and loopback fakes of
// Snowflake (one that logs in, one whose errors echo the credentials), GitHub and dbt Cloud.
type secretsWorld struct {
	t                   *testing.T
	root, home, project string
	env                 []string
	// planted are the files the test itself wrote secrets into (not datatui's to clean).
	planted map[string]bool
}

func newSecretsWorld(t *testing.T) *secretsWorld {
	t.Helper()
	root := t.TempDir()
	w := &secretsWorld{t: t, root: root, home: filepath.Join(root, "home"), project: filepath.Join(root, "proj"), planted: map[string]bool{}}
	if _, err := demo.Write(w.project); err != nil {
		t.Fatal(err)
	}
	if err := demo.BuildWarehouse(context.Background(), w.project, demo.WarehouseOptions{MetaDir: filepath.Join(root, "state", "datatui", "meta")}); err != nil {
		t.Fatal(err)
	}
	// The project reads ~/.dbt/profiles.yml (the usual place), not the demo's own.
	if err := os.Remove(filepath.Join(w.project, "profiles.yml")); err != nil {
		t.Fatal(err)
	}
	w.plant(filepath.Join(w.home, ".dbt", "profiles.yml"), secretProfiles)
	w.plant(filepath.Join(w.home, ".dbt", "dbt_cloud.yml"), "version: \"1\"\ncontext:\n  active-project: \"5001\"\n  active-host: \"emea.dbt.com\"\nprojects:\n  - project-name: analytics\n    project-id: \"5001\"\n    account-name: acme\n    account-id: \"1001\"\n    account-host: emea.dbt.com\n    token-name: cli\n    token-value: "+marker+"-file-dbt-cloud-yml-36\n")
	w.plant(filepath.Join(root, "config", "gh", "hosts.yml"), "github.com:\n    user: ann\n    oauth_token: "+marker+"-file-gh-hosts-35\n    git_protocol: https\n")
	cfg, err := os.ReadFile(filepath.Join(w.project, "datatui.yml"))
	if err != nil {
		t.Fatal(err)
	}
	team := strings.Replace(string(cfg), "repo: example-org/cashback-analytics", "repo: acme/analytics", 1) +
		"\ndbt_cloud:\n  account_id: 1001\n  ci_job_id: 12345\n"
	w.write(filepath.Join(w.project, "datatui.yml"), team)
	// One datatui.yml per target, for the commands that follow the team's dbt.target.
	for _, target := range []string{"sf", "sf_echo", "sf_key", "sf_jinja", "sf_default", "sf_many", "md", "pg"} {
		w.write(filepath.Join(root, "datatui-"+target+".yml"), strings.Replace(team, "target: dev", "target: "+target, 1))
	}

	sf := sftest.Start()
	t.Cleanup(sf.Close)
	sf.RequirePassword(sfPassword)
	created := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	sf.On(sftest.IdentitySQL, sftest.Identity("ANN", "TRANSFORMER", "TRANSFORMING", "SANDBOX_ANN"))
	sf.On(`SHOW DATABASES LIKE 'SANDBOX_ANN'`, sftest.Text([]string{"created_on", "name", "origin", "owner"},
		sftest.Row(sftest.TS(created), "SANDBOX_ANN", "ACME.ANALYTICS_CLONE", "TRANSFORMER")))
	sf.On(`SHOW DATABASES`, sftest.Text([]string{"created_on", "name", "origin", "owner"},
		sftest.Row(sftest.TS(created), "SANDBOX_ANN", "ACME.ANALYTICS_CLONE", "TRANSFORMER")))
	// A driver or server error that echoes the credentials back.
	echo := &sftest.SQLError{Code: "002003", SQLState: "02000", Message: "SQL compilation error: object does not exist (session for ann with password " + sfPassword + ")"}
	sf.On(`SHOW SCHEMAS IN DATABASE "SANDBOX_ANN"`, sftest.Result{Err: echo})
	sf.On(`SHOW GRANTS TO ROLE "TRANSFORMER"`, sftest.Result{Err: echo})
	sfEcho := sftest.Start()
	t.Cleanup(sfEcho.Close)
	sfEcho.FailLogin(sftest.SQLError{Code: "390100", Message: "Incorrect username or password was specified: password=" + echoPassword + " token=" + echoToken})

	gh := ghtest.New()
	t.Cleanup(gh.Close)
	dc := ghtest.NewDBTCloud()
	dc.Token = dbtToken
	t.Cleanup(dc.Close)

	fakeDBT, err := buildFakeDBT()
	if err != nil {
		t.Fatal(err)
	}
	// A recorded dbt build whose database error echoes a password of profiles.yml, as an
	// adapter's connection error can.
	stream, err := os.ReadFile("../../internal/ops/testdata/streams/build-skip.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	leaky := strings.Replace(string(stream), "invalid identifier 'EMAIL_ADRESS'", "invalid identifier 'EMAIL_ADRESS' (connection ann:"+echoPassword+"@ab12345)", 1)
	if leaky == string(stream) {
		t.Fatal("the recorded stream changed: no error line to plant a secret in")
	}
	w.write(filepath.Join(root, "leaky.jsonl"), leaky)

	sfHost, sfPort := sf.HostPort()
	echoHost, echoPort := sfEcho.HostPort()
	w.env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + w.home,
		"XDG_STATE_HOME=" + filepath.Join(root, "state"),
		"XDG_CONFIG_HOME=" + filepath.Join(root, "config"),
		"GH_CONFIG_DIR=" + filepath.Join(root, "config", "gh"),
		"GH_PATH=" + filepath.Join(root, "no-gh"),
		"TERM=xterm-256color",
		"NO_COLOR=1",
		"GORACE=" + childGORACE(),
		"SF_HOST=" + sfHost, fmt.Sprintf("SF_PORT=%d", sfPort),
		"SF_ECHO_HOST=" + echoHost, fmt.Sprintf("SF_ECHO_PORT=%d", echoPort),
		forge.EnvAPIURL + "=" + gh.APIURL(),
		dbtcloud.EnvAPIURL + "=" + dc.URL,
		"DATATUI_DBT=" + fakeDBT,
		"FAKEDBT_STREAM=" + filepath.Join(root, "leaky.jsonl"),
	}, secretEnv()...)
	return w
}

func (w *secretsWorld) write(path, content string) {
	w.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

func (w *secretsWorld) plant(path, content string) {
	w.write(path, content)
	w.planted[path] = true
}

// datatui runs the real binary (testscript put this test binary on PATH as "datatui"), each
// command in a fresh process, so nothing one command learned helps the next. It returns
// everything the command printed.
func (w *secretsWorld) datatui(args ...string) string { return w.datatuiWithInput("", args...) }

// datatuiWithInput is datatui with standard input (a token piped to a login).
func (w *secretsWorld) datatuiWithInput(stdin string, args ...string) string {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "datatui", args...)
	cmd.Dir, cmd.Env = w.project, w.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = strings.NewReader(stdin)
	if err := cmd.Run(); err != nil && ctx.Err() != nil {
		w.t.Errorf("datatui %s did not finish: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	if out.Len() == 0 {
		w.t.Errorf("datatui %s printed nothing: the test would prove nothing", strings.Join(args, " "))
	}
	return out.String()
}

// noMarker fails the test when text holds a planted secret.
func noMarker(t *testing.T, where, text string) {
	t.Helper()
	if i := strings.Index(text, marker); i >= 0 {
		lo, hi := max(0, i-160), min(len(text), i+80)
		t.Errorf("%s leaks a secret: …%s…", where, text[lo:hi])
	}
}

// TestNoSecretLeaves is issue 11's secrets test: with a planted marker in every secret of
// profiles.yml and the environment, every command (with and without --json, with --debug,
// doctor --report) and the TUI's screens show none, and no file datatui writes holds one.
func TestNoSecretLeaves(t *testing.T) {
	if _, err := exec.LookPath("datatui"); err != nil {
		t.Fatalf("the datatui command is not on PATH (TestMain puts it there): %v", err)
	}
	w := newSecretsWorld(t)
	targets := []string{"dev", "md", "sf", "sf_echo", "sf_key", "sf_jinja", "sf_default", "sf_many", "pg"}
	var cmds, writes [][]string
	for _, json := range [][]string{nil, {"--json"}} { // every command with and without --json
		cmds = append(cmds, append([]string{"version"}, json...), append([]string{"doctor"}, json...))
		// Every target through one of the two warehouse commands (both print the target and
		// the connection's errors), each command in both forms for the main kinds.
		for i, target := range targets {
			cmd := [][]string{{"whoami"}, {"sandbox", "status"}}[i%2]
			if json != nil {
				cmd = [][]string{{"whoami"}, {"sandbox", "status"}}[(i+1)%2]
			}
			cmds = append(cmds, append(append(cmd, "--target", target), json...))
		}
		for _, target := range []string{"dev", "sf", "sf_echo", "md"} {
			cmds = append(cmds, append([]string{"sandbox", "status", "--target", target}, json...), append([]string{"whoami", "--target", target}, json...))
		}
		for _, target := range []string{"sf_echo", "sf_jinja", "sf_many", "md", "pg"} {
			if json == nil || target == "sf_echo" || target == "sf_jinja" {
				cmds = append(cmds, append([]string{"doctor", "--config", filepath.Join(w.root, "datatui-"+target+".yml")}, json...))
			}
		}
		cmds = append(cmds,
			append([]string{"pr", "status", "--branch", "feature/ltv"}, json...),
			append([]string{"ls", "--select", "stg_users+"}, json...),
			append([]string{"lineage", "stg_users"}, json...),
			append([]string{"impact"}, json...),
			append([]string{"guide", "list"}, json...),
			append([]string{"guide", "search", "sandbox"}, json...),
		)
		// Commands that write (dbt runs, fixes, refreshes) run one at a time, after the rest.
		writes = append(writes, append(append([]string{"run"}, json...), "--", "build", "--select", "+dim_users"))
	}
	writes = append(writes,
		[]string{"doctor", "--fix", "--json"},
		[]string{"sandbox", "refresh", "--yes", "--target", "sf"},
		[]string{"sandbox", "refresh", "--yes", "--target", "sf_echo"},
		[]string{"--debug", "run", "--", "build"},
	)
	cmds = append(cmds,
		[]string{"doctor", "--report"},
		[]string{"doctor", "--report", "--config", filepath.Join(w.root, "datatui-sf_jinja.yml")},
		[]string{"doctor", "--report", "--config", filepath.Join(w.root, "datatui-sf_many.yml")},
		[]string{"guide", "show", "getting-started"},
		[]string{"auth", "dbt-cloud", "status"},
		[]string{"auth", "dbt-cloud", "status", "--json"},
		[]string{"auth", "pagerduty", "status"},
		[]string{"oncall"},
		[]string{"oncall", "--json"},
		[]string{"freshness", "--last"},
		[]string{"--debug", "doctor"},
		[]string{"--debug", "whoami", "--target", "sf_echo"},
		[]string{"--debug", "pr", "status", "--branch", "feature/ltv", "--json"},
	)
	seen := map[string]bool{}
	cmds = slices.DeleteFunc(cmds, func(c []string) bool {
		k := strings.Join(c, "\x00")
		dup := seen[k]
		seen[k] = true
		return dup
	})
	// Four at a time: the commands mostly wait on the fakes and on each other's start-up.
	start := time.Now()
	work := make(chan []string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for args := range work {
				noMarker(t, "datatui "+strings.Join(args, " "), w.datatui(args...))
			}
		}()
	}
	for _, args := range cmds {
		work <- args
	}
	close(work)
	wg.Wait()
	for _, args := range writes {
		noMarker(t, "datatui "+strings.Join(args, " "), w.datatui(args...))
	}
	// A token piped to a login that cannot store it (no keyring here) is not echoed back.
	login := []string{"auth", "dbt-cloud", "login", "--with-token", "--host", "emea.dbt.com"}
	noMarker(t, "datatui "+strings.Join(login, " "), w.datatuiWithInput(marker+"-stdin-dbt-cloud-token-37\n", login...))
	login = []string{"auth", "pagerduty", "login", "--with-token"}
	noMarker(t, "datatui "+strings.Join(login, " "), w.datatuiWithInput(marker+"-stdin-pagerduty-token-39\n", login...))
	t.Logf("%d commands in %v", len(cmds)+len(writes), time.Since(start).Round(time.Millisecond))
	w.tui(t)
	w.checkFiles(t)
}

// tui opens the app in a real terminal (tmux) on the project, with the dev target and with
// one whose login errors echo the credentials, and reads every screen.
func (w *secretsWorld) tui(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required in CI")
		}
		t.Log("tmux is not installed: the TUI part of the secrets test is not run")
		return
	}
	bin, _ := exec.LookPath("datatui")
	screens := []struct{ key, want string }{
		{"1", "Project"}, {"2", "Onboarding"}, {"3", "Handbook"}, {"4", "Sandbox"},
		{"5", "Pull requests"}, {"6", "Lineage"}, {"7", "dbt runs"},
	}
	sessions := []struct {
		args           []string
		sandbox, pulls string // what each screen shows once loaded
	}{
		{nil, "SCHEMA", "#101"},
		{[]string{"--config", filepath.Join(w.root, "datatui-sf_echo.yml")}, "Incorrect username or password", "#101"},
		{[]string{"--demo"}, "SCHEMA", "demo"},
	}
	for i, sess := range sessions {
		tm := &tmux{t: t, socket: fmt.Sprintf("datatui-secrets-%d-%d", os.Getpid(), i), session: "app"}
		args := append([]string{"env", "-i"}, w.env...)
		args = append(append(args, bin), sess.args...)
		tm.run(append([]string{"new-session", "-d", "-s", tm.session, "-x", "140", "-y", "45", "-c", w.project}, args...)...)
		tm.waitFor("datatui  1 Home")
		for _, s := range screens {
			tm.keys(s.key)
			noMarker(t, fmt.Sprintf("the TUI (%v), screen %s", sess.args, s.key), tm.waitFor(s.want))
		}
		// The sandbox listing and the PR list load in the background: read them once loaded.
		tm.keys("4")
		noMarker(t, fmt.Sprintf("the TUI (%v), sandbox", sess.args), tm.waitFor(sess.sandbox))
		tm.keys("5")
		noMarker(t, fmt.Sprintf("the TUI (%v), PRs", sess.args), tm.waitFor(sess.pulls))
		tm.keys("q")
		tm.run("kill-server")
	}
}

// checkFiles reads every file (and every file's name) under HOME, the state and config
// folders and the project, except the files the test planted and dbt's own output.
func (w *secretsWorld) checkFiles(t *testing.T) {
	n := 0
	err := filepath.WalkDir(w.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(w.root, path)
		noMarker(t, "the file name "+rel, rel)
		switch {
		case d.IsDir() && (rel == filepath.Join("proj", "target") || rel == filepath.Join("proj", "logs") || rel == filepath.Join("proj", ".git")):
			return filepath.SkipDir // dbt's artifacts and logs (a stand-in's here), git's objects
		case d.IsDir(), w.planted[path], rel == "leaky.jsonl":
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		n++
		noMarker(t, "the file "+rel, string(data))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"sandbox.json", "onboarding.json", "debug.log", "runs.jsonl"} {
		if !w.wrote(want) {
			t.Errorf("no %s was written: the test would not check it", want)
		}
	}
	t.Logf("%d files checked", n)
}

func (w *secretsWorld) wrote(name string) bool {
	found := false
	_ = filepath.WalkDir(filepath.Join(w.root, "state"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == name {
			found = true
		}
		return nil
	})
	return found
}
