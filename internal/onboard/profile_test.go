package onboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/warehouse/snowflake"
)

func TestCheckProfile(t *testing.T) {
	good := "shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: ab12345\n      user: jane.doe@example.com\n      authenticator: externalbrowser\n      role: TRANSFORMER\n      warehouse: WH\n      database: SANDBOX_JANE_DOE\n      schema: PUBLIC\n"
	tests := []struct {
		name     string
		profiles string // ~/.dbt/profiles.yml ("" = none)
		env      []string
		want     Status
		details  []string
	}{
		{"no file", "", nil, StatusFail, []string{"there is no profiles.yml yet"}},
		{"other profile only", "marketing:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: m.duckdb}\n", nil, StatusFail, []string{`no "shop" profile`}},
		{"no dev target", "shop:\n  target: ci\n  outputs:\n    ci: {type: snowflake, database: CI}\n", nil, StatusFail, []string{`no "dev" target (it has: ci)`}},
		{"points at sandbox", good, nil, StatusOK, []string{"builds in database SANDBOX_JANE_DOE"}},
		{"points at prod", strings.Replace(good, "SANDBOX_JANE_DOE", "analytics", 1), nil, StatusFail, []string{"writes to database analytics: it is the production database", "your sandbox SANDBOX_JANE_DOE"}},
		{"points at the clone", strings.Replace(good, "SANDBOX_JANE_DOE", "ANALYTICS_CLONE", 1), nil, StatusFail, []string{"the clone sandboxes are refreshed from"}},
		{"someone else's sandbox", strings.Replace(good, "SANDBOX_JANE_DOE", "SANDBOX_BOB", 1), nil, StatusFail, []string{"writes to database SANDBOX_BOB: it is not your sandbox (yours is SANDBOX_JANE_DOE)"}},
		{"admin role", strings.Replace(good, "TRANSFORMER", "ACCOUNTADMIN", 1), nil, StatusWarn, []string{"admin role ACCOUNTADMIN", "TRANSFORMER"}},
		{"clear-text password", strings.Replace(good, "authenticator: externalbrowser", "password: hunter2", 1), nil, StatusWarn, []string{"password is written in clear text"}},
		{"env_var user", strings.Replace(good, "jane.doe@example.com", "\"{{ env_var('SNOWFLAKE_USER') }}\"", 1), []string{"SNOWFLAKE_USER=jane.doe"}, StatusOK, nil},
		{"env_var unset", strings.Replace(good, "jane.doe@example.com", "\"{{ env_var('SNOWFLAKE_USER') }}\"", 1), nil, StatusFail, []string{"the user of the target cannot be read: environment variable SNOWFLAKE_USER is not set"}},
		{"env_var default", strings.Replace(good, "jane.doe@example.com", "\"{{ env_var('SNOWFLAKE_USER', 'jane_doe') }}\"", 1), nil, StatusOK, nil},
		{"unsupported jinja", strings.Replace(good, "jane.doe@example.com", "\"{{ var('user') }}\"", 1), nil, StatusFail, []string{"unsupported Jinja"}},
		{"target from env", strings.Replace(good, "target: dev", "target: \"{{ env_var('DBT_TARGET', 'dev') }}\"", 1), nil, StatusOK, nil},
		{"broken yaml", "shop: [\n", nil, StatusFail, []string{"profiles.yml: not valid YAML"}},
		// dbt-snowflake's credentials require account (and every adapter database and schema).
		{"no account", strings.Replace(good, "      account: ab12345\n", "", 1), nil, StatusFail, []string{`the target has no account (dbt stops with "'account' is a required property")`}},
		{"no schema", strings.Replace(good, "      schema: PUBLIC\n", "", 1), nil, StatusFail, []string{"the target has no schema", "the schema dbt builds in"}},
		{"account from unset env var", strings.Replace(good, "ab12345", "\"{{ env_var('SNOWFLAKE_ACCOUNT') }}\"", 1), nil, StatusFail, []string{"the account of the target cannot be read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, envOpts{extraEnv: tt.env})
			if tt.profiles != "" {
				te.write("home/.dbt/profiles.yml", tt.profiles)
			}
			r := te.check(StepProfile)
			assertStatus(t, r, tt.want, tt.details...)
			if tt.name == "account from unset env var" && strings.Contains(r.Detail, "has no account") {
				t.Errorf("an account datatui cannot render is not missing: %s", r.Detail)
			}
			if strings.Contains(r.Detail+r.Checked, "hunter2") {
				t.Error("password shown")
			}
		})
	}
}

func TestCheckProfileWithoutProfileKey(t *testing.T) {
	te := newTestEnv(t, envOpts{project: "name: shop\n"})
	assertStatus(t, te.check(StepProfile), StatusFail, "has no profile: key")
}

func TestLocateProfiles(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	loc := te.env.LocateProfiles()
	if loc.Path != filepath.Join(te.home, ".dbt", "profiles.yml") || loc.Exists {
		t.Errorf("default: %+v", loc)
	}
	te.write("repo/profiles.yml", "shop: {}\n")
	if loc := te.env.LocateProfiles(); loc.Path != filepath.Join(te.project, "profiles.yml") || !loc.Exists {
		t.Errorf("project dir: %+v", loc)
	}
	te.env.Environ = append(te.env.Environ, "DBT_PROFILES_DIR=~/elsewhere")
	if loc := te.env.LocateProfiles(); loc.Path != filepath.Join(te.home, "elsewhere", "profiles.yml") || loc.Exists || loc.Why != "DBT_PROFILES_DIR" {
		t.Errorf("DBT_PROFILES_DIR: %+v", loc)
	}
}

func TestFixProfileSnowflake(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	te.write("home/.dbt/profiles.yml", "# mine\nmarketing:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: m.duckdb}\n")
	s, _ := Find(Steps(te.env), StepProfile)
	fields := s.Fields()
	keys := map[string]Field{}
	for _, f := range fields {
		keys[f.Key] = f
	}
	if keys["role"].Default != "TRANSFORMER" || len(keys["auth"].Options) != 3 || keys["private_key_path"].ShowWhen["auth"][0] != snowflake.AuthKeyPair {
		t.Fatalf("fields: %+v", fields)
	}
	in := Input{"account": "ab12345", "user": "jane.doe@example.com", "auth": snowflake.AuthPassword, "warehouse": "WH", "role": "TRANSFORMER", "password": "hunter2"}
	if err := s.Fix(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(te.home, ".dbt", "profiles.yml"))
	if strings.Contains(string(b), "hunter2") || !strings.Contains(string(b), "password: \"{{ env_var('DBT_ENV_SECRET_PASSWORD') }}\"") || !strings.Contains(string(b), "database: SANDBOX_JANE_DOE") || !strings.HasPrefix(string(b), "# mine") {
		t.Fatalf("profiles.yml:\n%s", b)
	}
	assertMode(t, filepath.Join(te.home, ".dbt", "profiles.yml"), 0o644) // the file keeps its own mode
	// The password comes from the environment; unset, the check says so.
	assertStatus(t, te.check(StepProfile), StatusFail, "DBT_ENV_SECRET_PASSWORD is not set")
	te.env.Environ = append(te.env.Environ, "DBT_ENV_SECRET_PASSWORD=hunter2")
	r := te.check(StepProfile)
	assertStatus(t, r, StatusOK, "SANDBOX_JANE_DOE")
	if strings.Contains(r.Detail+r.Checked, "hunter2") {
		t.Error("password shown")
	}

	// Key pair, asked again: replaces the target, backs up the old file.
	in = Input{"account": "ab12345", "user": "jane.doe@example.com", "auth": snowflake.AuthKeyPair, "private_key_path": "~/.ssh/sf.p8", "warehouse": "WH"}
	if err := s.Fix(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(filepath.Join(te.home, ".dbt", "profiles.yml"))
	if !strings.Contains(string(b), "private_key_path: ~/.ssh/sf.p8") || strings.Contains(string(b), "DBT_ENV_SECRET_PASSWORD") {
		t.Fatalf("profiles.yml:\n%s", b)
	}
	backups, _ := filepath.Glob(filepath.Join(te.home, ".dbt", "profiles.yml.bak-*"))
	if len(backups) != 2 { // one per change: before the first fix, before the second
		t.Errorf("backups: %v", backups)
	}
	// Refusals: prod as the database, missing answers, an unknown login method.
	for _, bad := range []Input{
		{"account": "a", "user": "jane", "auth": snowflake.AuthSSO, "warehouse": "WH", "database": "ANALYTICS"},
		{"account": "a", "auth": snowflake.AuthSSO, "warehouse": "WH"},
		{"account": "a", "user": "jane", "auth": "magic", "warehouse": "WH"},
		{"account": "a", "user": "jane", "auth": snowflake.AuthKeyPair, "warehouse": "WH"},
	} {
		if err := s.Fix(context.Background(), bad); err == nil {
			t.Errorf("accepted %v", bad)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(te.home, ".dbt", "profiles.yml")); string(after) != string(b) {
		t.Error("a refused fix changed the file")
	}
}

func TestFixProfileDuckDB(t *testing.T) {
	te := newTestEnv(t, envOpts{datatui: "warehouse:\n  prod_database: prod\n  clone_database: clone\n  sandbox_pattern: sandbox_{user}\nonboarding:\n  adapter: duckdb\n"})
	s, _ := Find(Steps(te.env), StepProfile)
	if err := s.Fix(context.Background(), Input{"path": "warehouse/prod.duckdb"}); err == nil {
		t.Error("prod file accepted as the sandbox")
	}
	if err := s.Fix(context.Background(), Input{"path": "warehouse/sandbox.duckdb"}); err != nil {
		t.Fatal(err)
	}
	r := te.check(StepProfile)
	assertStatus(t, r, StatusOK, "the DuckDB file warehouse/sandbox.duckdb")
	// The guide the step opens explains DuckDB targets, not Snowflake's.
	if s.Anchor != "connect-dbt-to-duckdb" || r.Guide != "set-up-your-environment" || r.Anchor != "connect-dbt-to-duckdb" {
		t.Errorf("profile guide: step #%s, result %s#%s", s.Anchor, r.Guide, r.Anchor)
	}
	te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: warehouse/clone.duckdb}\n")
	assertStatus(t, te.check(StepProfile), StatusFail, "the clone sandboxes are refreshed from")
}

// TestFixProfileRefusesWhatTheGuardRefuses: the profile fix writes only a target the write
// guard accepts, with the guard's own identifier normalisation, so the check right after can
// never say the fix wrote a wrong target; with a broken datatui.yml it writes nothing.
func TestFixProfileRefusesWhatTheGuardRefuses(t *testing.T) {
	base := Input{"account": "ab12345", "user": "ann", "auth": snowflake.AuthSSO, "warehouse": "WH"}
	with := func(k, v string) Input {
		in := Input{k: v}
		for bk, bv := range base {
			if _, ok := in[bk]; !ok {
				in[bk] = bv
			}
		}
		return in
	}
	for _, tt := range []struct {
		in   Input
		want string
	}{
		{with("database", "SANDBOX_BOB"), "not your sandbox (yours is SANDBOX_ANN)"},
		{with("database", `"ANALYTICS"`), "production database"},
		{with("database", "analytics"), "production database"},
		{with("database", `"analytics_clone"`), "the clone"}, // quoted lower case: refused too (the guard errs on the safe side)
		{with("database", `"ANALYTICS_CLONE"`), "the clone"},
		{with("database", "raw"), "protected"},
		{with("user", "analytics_clone"), "the clone"}, // a pattern trick: the user's own sandbox would be prod's clone
	} {
		te := newTestEnv(t, envOpts{datatui: "warehouse:\n  sandbox_pattern: \"{user}\"\n  protected: [RAW]\nonboarding:\n  adapter: snowflake\n"})
		if tt.in["user"] == "ann" {
			te = newTestEnv(t, envOpts{datatui: "warehouse:\n  protected: [RAW]\nonboarding:\n  adapter: snowflake\n"})
		}
		s, _ := Find(Steps(te.env), StepProfile)
		err := s.Fix(context.Background(), tt.in)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want refused with %q", tt.in, err, tt.want)
		}
		if _, err := os.Stat(filepath.Join(te.home, ".dbt", "profiles.yml")); err == nil {
			t.Errorf("%v: profiles.yml written", tt.in)
		}
	}
	// What the fix accepts, the check accepts.
	te := newTestEnv(t, envOpts{})
	s, _ := Find(Steps(te.env), StepProfile)
	if err := s.Fix(context.Background(), with("database", `"SANDBOX_ANN"`)); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, te.check(StepProfile), StatusOK)

	// A datatui.yml with an error: the check still reads, the fix writes nothing.
	broken := newTestEnv(t, envOpts{})
	broken.write("repo/datatui.yml", "warehouse:\n  prod_databse: ANALYTICS\n")
	if err := workspaceErr(broken); err == nil {
		t.Fatal("the broken datatui.yml was read without an error")
	}
	s, _ = Find(Steps(broken.env), StepProfile)
	if err := s.Fix(context.Background(), base); err == nil || !strings.Contains(err.Error(), "datatui.yml has an error") {
		t.Errorf("fix with a broken datatui.yml: %v", err)
	}
	if _, err := os.Stat(filepath.Join(broken.home, ".dbt", "profiles.yml")); err == nil {
		t.Error("profiles.yml written with a broken datatui.yml")
	}
}

// TestFixProfileDuckDBFileIdentity: a DuckDB path that is another target's file under
// another name (a symlink, a hard link, a different spelling) is refused.
func TestFixProfileDuckDBFileIdentity(t *testing.T) {
	te := newTestEnv(t, envOpts{datatui: "warehouse:\n  prod_database: prod\n  clone_database: clone\n  sandbox_pattern: sandbox_{user}\nonboarding:\n  adapter: duckdb\n"})
	te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: warehouse/sandbox.duckdb}\n    live: {type: duckdb, path: data/live.duckdb}\n")
	live := te.write("repo/data/live.duckdb", "x")
	os.MkdirAll(filepath.Join(te.project, "warehouse"), 0o755)
	if err := os.Symlink(live, filepath.Join(te.project, "warehouse", "mine.duckdb")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(live, filepath.Join(te.project, "warehouse", "hard.duckdb")); err != nil {
		t.Fatal(err)
	}
	s, _ := Find(Steps(te.env), StepProfile)
	for _, p := range []string{"warehouse/mine.duckdb", "warehouse/hard.duckdb", "warehouse/../data/live.duckdb", "warehouse/prod.duckdb", "warehouse/clone.duckdb"} {
		if err := s.Fix(context.Background(), Input{"path": p}); err == nil {
			t.Errorf("%s accepted as the sandbox", p)
		}
	}
	te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: warehouse/hard.duckdb}\n    live: {type: duckdb, path: data/live.duckdb}\n")
	assertStatus(t, te.check(StepProfile), StatusFail, "the file of the live target")
}

func workspaceErr(te *testEnv) error {
	te.reopenAllowingErrors()
	return te.env.Workspace.ConfigErr
}

// TestPreviewProfile shows the change the fix writes, and only that: other profiles and
// comments stay as they are; a second preview after the write has nothing to change.
func TestPreviewProfile(t *testing.T) {
	te := newTestEnv(t, envOpts{datatui: "warehouse:\n  prod_database: prod\n  clone_database: clone\n  sandbox_pattern: sandbox_{user}\nonboarding:\n  adapter: duckdb\n"})
	te.write("home/.dbt/profiles.yml", "# mine\nmarketing:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: m.duckdb}\n")
	s, _ := Find(Steps(te.env), StepProfile)
	in := Input{"path": "warehouse/sandbox.duckdb", "schema": "main"}
	c, err := s.Preview(in)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(c.Lines, "\n")
	for _, want := range []string{"A copy of the file as it is now is kept", "+ shop:", "+       path: warehouse/sandbox.duckdb"} {
		if !strings.Contains(got, want) {
			t.Errorf("preview lacks %q:\n%s", want, got)
		}
	}
	if c.Title != "Write your dev target to ~/.dbt/profiles.yml?" || strings.Contains(got, "- ") || strings.Contains(got, "# mine") && !strings.Contains(got, "  # mine") {
		t.Errorf("preview %q:\n%s", c.Title, got)
	}
	if _, err := os.Stat(filepath.Join(te.home, ".dbt", "profiles.yml.bak")); err == nil {
		t.Error("the preview wrote")
	}
	if err := s.Fix(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Preview(in); err != nil || !strings.Contains(c.Title, "already has this dev target") {
		t.Errorf("after the write: %+v %v", c, err)
	}
	// Answers the guard refuses are an error for the form, not a preview.
	if _, err := s.Preview(Input{"path": "warehouse/prod.duckdb"}); err == nil {
		t.Error("a preview of a refused target")
	}
}
