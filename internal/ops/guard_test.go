package ops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
)

// sandboxProfile is a dbt project's profiles.yml whose dev target is the user's own DuckDB
// file and whose prod target is prod's file.
const sandboxProfile = `shop:
  target: dev
  outputs:
    dev: {type: duckdb, path: sandbox.duckdb, schema: main}
    prod: {type: duckdb, path: prod.duckdb, schema: main}
`

// sandboxProfileFor is a profiles.yml whose profile "shop" (and profile, when named) has a
// target of that name writing to the user's own DuckDB file, for replaying recorded commands.
func sandboxProfileFor(profile, target string) string {
	out := ""
	for _, p := range []string{"shop", profile} {
		if p != "" && (p == "shop" || profile != "shop") {
			out += p + ":\n  target: " + target + "\n  outputs:\n    " + target + ": {type: duckdb, path: sandbox.duckdb, schema: main}\n"
		}
	}
	return out
}

// writeProject makes dir a dbt project (profile "shop") with profiles.yml beside it.
func writeProject(t *testing.T, dir, profiles string) {
	t.Helper()
	for name, body := range map[string]string{"dbt_project.yml": "name: shop\nprofile: shop\n", "profiles.yml": profiles} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseArgsLikeClick(t *testing.T) {
	tests := []struct {
		args    string
		command string
		target  string // the last --target, "" when none
		select_ string
		err     string // substring of the error, "" for none
	}{
		{"build", "build", "", "", ""},
		// An option's value is never the command: --log-path takes "deps".
		{"--log-path deps build", "build", "", "", ""},
		{"--log-format text --target dev run", "run", "dev", "", ""},
		{"-tprod build", "build", "prod", "", ""},
		{"-xt prod build", "build", "prod", "", ""},
		{"-xtprod build", "build", "prod", "", ""},
		{"-qdt prod build", "build", "prod", "", ""},
		{"--target=prod build", "build", "prod", "", ""},
		{"build --target dev --target prod", "build", "prod", "", ""},
		{"build -t dev -tprod", "build", "prod", "", ""},
		// A value option takes the next token even when it looks like an option.
		{"--log-path --target build", "build", "", "", ""},
		{"--target= build", "build", "", "", ""},
		{"build --select a b -t prod", "build", "prod", "a b", ""},
		{"build --select 'a b'", "build", "", "'a b'", ""},
		{"build -s a --models b", "build", "", "a b", ""},
		// --exclude stops only at a "--" option (its own prefix), as dbt's MultiOption does.
		{"build --exclude a -s b", "build", "", "", ""},
		{"build --exclude a --target prod", "build", "prod", "", ""},
		{"--debug docs generate", "docs generate", "", "", ""},
		{"docs --target prod generate", "docs generate", "prod", "", ""},
		{"source freshness -o out.json", "source freshness", "", "", ""},
		{"run-operation grant_all --args {}", "run-operation", "", "", ""},
		{"ls -s a", "ls", "", "a", ""},
		{"--version", "", "", "", ""},
		{"deps", "deps", "", "", ""},
		{"init -s my_project", "init", "", "", ""},
		{"--profiles-dir x build", "", "", "", "give it after the subcommand"},
		{"build --frobnicate", "", "", "", "--frobnicate is not known"},
		{"-z build", "", "", "", "-z is not known"},
		{"build models/x.sql", "", "", "", `takes no argument "models/x.sql"`},
		{"biuld", "", "", "", `"biuld" is not a dbt command`},
		{"docs", "", "", "", "needs a subcommand"},
		{"-- build", "", "", "", "a bare --"},
		{"build --target", "", "", "", "--target needs a value"},
		{"build -t", "", "", "", "-t needs a value"},
		{"build --full-refresh=yes", "", "", "", "does not take a value"},
	}
	for _, tt := range tests {
		p, err := ParseArgs(strings.Fields(tt.args))
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.args, err)
			continue
		}
		if p.Command != tt.command || p.Last("--target") != tt.target || SelectionOf(strings.Fields(tt.args)) != tt.select_ {
			t.Errorf("%q: command %q target %q select %q, want %q %q %q", tt.args, p.Command, p.Last("--target"), SelectionOf(strings.Fields(tt.args)), tt.command, tt.target, tt.select_)
		}
	}
	// --exclude a -s b keeps "-s b" inside --exclude.
	p, _ := ParseArgs([]string{"build", "--exclude", "a", "-s", "b"})
	if ex := p.Find("--exclude"); len(ex) != 1 || strings.Join(ex[0].Values, ",") != "a,-s,b" {
		t.Errorf("exclude %+v", ex)
	}
	// An empty value is a value: -t '' names the target "".
	if p, err := ParseArgs([]string{"-t", "", "build"}); err != nil || len(p.Find("--target")) != 1 || p.Last("--target") != "" {
		t.Errorf("-t '': %+v %v", p, err)
	}
}

// TestPrepareArgsPinsTheTarget: every way of naming a target is seen, an empty or foreign
// one is refused, and what dbt gets names exactly one target: the sandbox's or an allowed one.
func TestPrepareArgsPinsTheTarget(t *testing.T) {
	cfg := config.DBT{Target: "dev", AllowedTargets: []string{"ci"}}
	tests := []struct {
		args []string
		want string // joined args, or "REFUSED"
	}{
		{[]string{"--log-path", "deps", "build"}, "--log-path deps build --target dev --log-format json"},
		{[]string{"--target=", "build"}, "REFUSED"},
		{[]string{"-t", "", "build"}, "REFUSED"},
		{[]string{"build", "--target="}, "REFUSED"},
		{[]string{"build", "-t", " "}, "REFUSED"},
		{[]string{"-tprod", "build"}, "REFUSED"},
		{[]string{"-xtprod", "build"}, "REFUSED"},
		{[]string{"-xt", "prod", "build"}, "REFUSED"},
		{[]string{"build", "--target", "PROD"}, "REFUSED"},
		{[]string{"build", "-t", "dev", "-t", "prod"}, "REFUSED"},
		{[]string{"build", "--select", "a", "--target", "prod"}, "REFUSED"},
		{[]string{"docs", "-t", "prod", "generate"}, "REFUSED"},
		{[]string{"--target", "dev", "build", "--target", "dev"}, "REFUSED"}, // dbt refuses both levels
		{[]string{"-xtci", "build"}, "-x build --target ci --log-format json"},
		{[]string{"build", "-t", "dev", "-t", "ci"}, "build --target ci --log-format json"},
		{[]string{"--log-format", "text", "build", "--log-format=debug"}, "build --target dev --log-format json"},
		{[]string{"deps", "--target", "prod"}, "REFUSED"},
		{[]string{"ls", "-s", "a"}, "ls -s a --target dev --log-format json"},
		{[]string{"--version"}, "--version --log-format json"},
	}
	for _, tt := range tests {
		got, err := PrepareArgs(tt.args, cfg)
		s := strings.Join(got, " ")
		if err != nil {
			s = "REFUSED"
		}
		if s != tt.want {
			t.Errorf("PrepareArgs(%q) = %q (%v), want %q", tt.args, s, err, tt.want)
		}
	}
}

// snowflakeProfile is a Snowflake profile "shop" whose dev target writes to database db.
func snowflakeProfile(db string, extra ...string) string {
	return `shop:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: test
      user: ann
      password: x
      database: ` + db + `
      schema: dbt_ann
` + strings.Join(extra, "\n") + `
    prod:
      type: snowflake
      account: test
      user: svc_dbt
      password: y
      database: ANALYTICS
      schema: marts
`
}

// TestRunnerGuard is the attack table of `datatui run` and the Runs screen: each case is a
// project whose dbt target, as dbt itself would resolve it, writes somewhere else than the
// user's sandbox (or cannot be told), and dbt must not start. The stand-in records the
// arguments and environment of every start; when it did start, the target it was given
// (and DBT_TARGET) must be the sandbox target.
func TestRunnerGuard(t *testing.T) {
	stream := filepath.Join("testdata", "streams", "run-ok-debug.jsonl")
	type setup struct {
		profiles string            // the project's profiles.yml ("" for none)
		files    map[string]string // more files in the project folder
		env      []string
		args     []string
		identify func(context.Context, *profiles.Target) (string, error)
		cfgErr   error
		links    func(t *testing.T, dir string)
	}
	evil := snowflakeProfile("ANALYTICS")
	tests := []struct {
		name    string
		s       setup
		refused string // substring of the refusal; "" means dbt must start
	}{
		{"sandbox", setup{profiles: snowflakeProfile("SANDBOX_ANN")}, ""},
		{"sandbox lower case", setup{profiles: snowflakeProfile("sandbox_ann")}, ""},
		{"dev at prod", setup{profiles: evil}, "production database"},
		{"dev at prod lower case", setup{profiles: snowflakeProfile("analytics")}, "production database"},
		{"dev at quoted prod", setup{profiles: snowflakeProfile(`'"ANALYTICS"'`)}, "production database"},
		{"dev at the clone", setup{profiles: snowflakeProfile("ANALYTICS_CLONE")}, "the clone"},
		{"dev at a protected database", setup{profiles: snowflakeProfile("RAW")}, "protected"},
		{"dev at another user's sandbox", setup{profiles: snowflakeProfile("SANDBOX_BOB")}, "not your sandbox (yours is SANDBOX_ANN)"},
		{"dev names no database", setup{profiles: snowflakeProfile(`""`)}, "no database is named"},
		{"env_var() renders to prod", setup{profiles: snowflakeProfile(`"{{ env_var('DEV_DB', 'SANDBOX_ANN') }}"`), env: []string{"DEV_DB=ANALYTICS"}}, "production database"},
		{"env_var() default is the sandbox", setup{profiles: snowflakeProfile(`"{{ env_var('DEV_DB', 'SANDBOX_ANN') }}"`)}, ""},
		{"Jinja datatui cannot render", setup{profiles: snowflakeProfile(`"{{ var('db') }}"`)}, "cannot tell where dbt would write"},
		{"no profiles.yml", setup{}, "cannot tell where dbt would write"},
		{"DBT_TARGET=prod and a flag value that looks like a command", setup{profiles: snowflakeProfile("SANDBOX_ANN"),
			env: []string{"DBT_TARGET=prod", "DBT_ENGINE_TARGET=prod"}, args: []string{"--log-path", "deps", "build"}}, ""},
		{"--target prod", setup{profiles: snowflakeProfile("SANDBOX_ANN"), args: []string{"build", "--target", "prod"}}, "prod"},
		{"-t '' falls back to the profile's default", setup{profiles: snowflakeProfile("SANDBOX_ANN"), args: []string{"-t", "", "build"}}, `target ""`},
		{"DBT_PROFILES_DIR elsewhere", setup{profiles: snowflakeProfile("SANDBOX_ANN"), files: map[string]string{"other/profiles.yml": evil},
			env: []string{"DBT_PROFILES_DIR=other"}}, "production database"},
		{"DBT_ENGINE_PROFILES_DIR elsewhere (dbt 1.11)", setup{profiles: snowflakeProfile("SANDBOX_ANN"), files: map[string]string{"other/profiles.yml": evil},
			env: []string{"DBT_ENGINE_PROFILES_DIR=other"}}, "production database"},
		{"--profiles-dir elsewhere", setup{profiles: snowflakeProfile("SANDBOX_ANN"), files: map[string]string{"other/profiles.yml": evil},
			args: []string{"build", "--profiles-dir", "other"}}, "production database"},
		{"--profile names another profile", setup{profiles: snowflakeProfile("SANDBOX_ANN") + strings.Replace(evil, "shop:", "evil:", 1),
			args: []string{"build", "--profile", "evil"}}, "production database"},
		{"DBT_PROFILE names another profile", setup{profiles: snowflakeProfile("SANDBOX_ANN") + strings.Replace(evil, "shop:", "evil:", 1),
			env: []string{"DBT_PROFILE=evil"}}, "production database"},
		{"--project-dir names a project with another profile", setup{profiles: snowflakeProfile("SANDBOX_ANN") + strings.Replace(evil, "shop:", "evil:", 1),
			files: map[string]string{"sub/dbt_project.yml": "name: sub\nprofile: evil\n"}, args: []string{"build", "--project-dir", "sub"}}, "production database"},
		{"a postgres target", setup{profiles: "shop:\n  target: dev\n  outputs:\n    dev: {type: postgres, host: h, dbname: analytics}\n"}, "postgres target"},
		{"OAuth: the token logs in as someone else", setup{profiles: strings.Replace(snowflakeProfile("SANDBOX_BOB", "      authenticator: oauth", "      token: t"), "user: ann", "user: bob", 1),
			identify: func(context.Context, *profiles.Target) (string, error) { return "ANN", nil }}, "the session logs in as ANN"},
		{"OAuth without a way to check the login", setup{profiles: snowflakeProfile("SANDBOX_ANN", "      authenticator: oauth", "      token: t")}, "cannot check it here"},
		{"OAuth logging in as the profile's user", setup{profiles: snowflakeProfile("SANDBOX_ANN", "      authenticator: oauth", "      token: t"),
			identify: func(context.Context, *profiles.Target) (string, error) { return "ANN", nil }}, ""},
		{"datatui.yml has errors", setup{profiles: snowflakeProfile("SANDBOX_ANN"), cfgErr: errors.New("datatui.yml:3: warehouse.prod_databse: unknown key")}, "datatui.yml has an error"},
		{"datatui.yml has errors, deps still runs", setup{profiles: snowflakeProfile("ANALYTICS"), cfgErr: errors.New("datatui.yml:3: bad"), args: []string{"deps"}}, ""},
		{"DuckDB sandbox", setup{profiles: sandboxProfile}, ""},
		{"DuckDB dev at prod's file", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: prod.duckdb", 1)}, "file of the prod target"},
		{"DuckDB dev at prod's file spelled otherwise", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: sub/../prod.duckdb", 1),
			files: map[string]string{"sub/x": ""}}, "file of the prod target"},
		{"DuckDB dev named like datatui.yml's prod", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: analytics.duckdb", 1)}, "production database"},
		{"DuckDB dev at the prod target's file under another name", setup{profiles: strings.Replace(sandboxProfile, "path: prod.duckdb", "path: sandbox.duckdb", 1)}, "file of the prod target"},
		{"DuckDB dev is a symlink to prod", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: mine.duckdb", 1),
			links: func(t *testing.T, dir string) { link(t, os.Symlink, dir, "prod.duckdb", "mine.duckdb") }}, "file of the prod target"},
		{"DuckDB dev is a hard link to prod", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: mine.duckdb", 1),
			links: func(t *testing.T, dir string) { link(t, os.Link, dir, "prod.duckdb", "mine.duckdb") }}, "file of the prod target"},
		{"DuckDB dev is in-memory", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: ':memory:'", 1)}, "names no DuckDB file"},
		{"DuckDB MotherDuck", setup{profiles: strings.Replace(sandboxProfile, "path: sandbox.duckdb", "path: 'md:analytics'", 1)}, "not a local file"},
		{"an unknown command", setup{profiles: sandboxProfile, args: []string{"biuld"}}, "not a dbt command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRunner(t, stream, tt.s.env...)
			os.Remove(filepath.Join(r.Dir, "profiles.yml"))
			if tt.s.profiles != "" {
				writeFile(t, filepath.Join(r.Dir, "profiles.yml"), tt.s.profiles)
			}
			writeFile(t, filepath.Join(r.Dir, "prod.duckdb"), "prod")
			for name, body := range tt.s.files {
				writeFile(t, filepath.Join(r.Dir, name), body)
			}
			if tt.s.links != nil {
				tt.s.links(t, r.Dir)
			}
			envFile := filepath.Join(r.Dir, "env.jsonl")
			r.Env = append(r.Env, "FAKEDBT_ENV_FILE="+envFile, "HOME="+t.TempDir())
			r.Identify, r.ConfigErr = tt.s.identify, tt.s.cfgErr
			r.Warehouse.Protected = []string{"RAW"}
			args := tt.s.args
			if args == nil {
				args = []string{"build"}
			}
			res := r.Run(context.Background(), args, nil)
			started := fileExists(filepath.Join(r.Dir, "args.jsonl"))
			if tt.refused != "" {
				if res.Err == nil || !strings.Contains(res.Err.Error(), tt.refused) || started {
					t.Fatalf("err %v (dbt started: %v), want refused with %q", res.Err, started, tt.refused)
				}
				return
			}
			if res.Err != nil || !started {
				t.Fatalf("err %v, dbt started %v", res.Err, started)
			}
			assertStartedOnSandbox(t, r.Dir, envFile, CommandOf(args) == "deps")
		})
	}
}

// assertStartedOnSandbox reads what the stand-in recorded: every start named exactly one
// target, dev, and no DBT_TARGET pointed elsewhere (or, for deps, no target at all).
func assertStartedOnSandbox(t *testing.T, dir, envFile string, noTarget bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "args.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var args []string
		if err := json.Unmarshal([]byte(line), &args); err != nil {
			t.Fatal(err)
		}
		if len(args) == 1 && args[0] == "--version" {
			continue // the runner asking which dbt this is (dbt-core or Fusion)
		}
		p, err := ParseArgs(args)
		if err != nil {
			t.Fatalf("dbt got arguments it cannot read: %q: %v", args, err)
		}
		uses := p.Find("--target")
		switch {
		case noTarget && len(uses) != 0, !noTarget && (len(uses) != 1 || uses[0].Value() != "dev"):
			t.Errorf("dbt got targets %+v in %q", uses, args)
		}
	}
	b, err = os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"DBT_TARGET", "DBT_ENGINE_TARGET"} {
		if v, ok := env[k]; ok && v != "dev" && !(noTarget && v == "") { // dbt reads an empty one as unset
			t.Errorf("dbt's environment has %s=%s", k, v)
		}
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, fn func(string, string) error, dir, from, to string) {
	t.Helper()
	if err := fn(filepath.Join(dir, from), filepath.Join(dir, to)); err != nil {
		t.Fatal(err)
	}
}

// TestDockerGuard: in Docker, env_var() renders with what reaches the container, and a mount
// that puts another file at the sandbox's path inside the container is refused.
func TestDockerGuard(t *testing.T) {
	file := filepath.Join(t.TempDir(), "warehouse", "sandbox.duckdb")
	d := config.Docker{Image: "dbt:1.8", Mounts: []string{"/srv/prod:" + filepath.Dir(file)}}
	if err := dockerHidesFile(d, file, "/proj"); err == nil || !strings.Contains(err.Error(), "dbt.docker.mounts puts /srv/prod") {
		t.Errorf("mount over the sandbox: %v", err)
	}
	d.Mounts = []string{"/srv/cache:/cache", filepath.Dir(file) + ":" + filepath.Dir(file)}
	if err := dockerHidesFile(d, file, "/proj"); err != nil {
		t.Errorf("harmless mounts: %v", err)
	}
	t.Setenv("DEV_DB", "ANALYTICS")
	t.Setenv("DBT_FOO", "x")
	r := &Runner{DBT: config.DBT{Docker: config.Docker{Image: "dbt", Env: []string{"SF_DB=SANDBOX_ANN", "DBT_BAR"}}}}
	got := envLookup(r.dbtEnviron([]string{"DBT_TARGET=dev"}))
	if _, ok := got("DEV_DB"); ok {
		t.Error("a variable the container does not get was used")
	}
	for k, want := range map[string]string{"SF_DB": "SANDBOX_ANN", "DBT_FOO": "x", "DBT_TARGET": "dev"} {
		if v, _ := got(k); v != want {
			t.Errorf("%s = %q, want %q", k, v, want)
		}
	}
}
