package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestParseValidConfig(t *testing.T) {
	src := `version: 1
warehouse:
  prod_database: ANALYTICS
  clone_database: ANALYTICS_CLONE
  sandbox_pattern: "DEV_{user}"
  contributor_role: TRANSFORMER
  protected: [RAW]
  refresh_policy_days: 7
dbt:
  target: dev
  allowed_targets: [ci]
  starter_model: stg_users
github:
  repo: example-org/analytics
dbt_cloud:
  account_id: 12
  ci_job_id: 34
guides: [handbook]
onboarding:
  dbt_version: ">=1.8.0,<2.0.0"
  adapter: snowflake
  tools: [git, gh]
`
	cfg, err := Parse("datatui.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Warehouse.SandboxName("jane.doe@corp.com"); got != "DEV_JANE_DOE" {
		t.Errorf("SandboxName = %q", got)
	}
	if cfg.Warehouse.ContributorRole != "TRANSFORMER" || cfg.Warehouse.RefreshPolicyDays != 7 {
		t.Errorf("warehouse = %+v", cfg.Warehouse)
	}
	// Keys not written keep their defaults.
	if cfg.GitHub.BaseBranch != "main" || cfg.GitHub.Host != "github.com" {
		t.Errorf("github defaults lost: %+v", cfg.GitHub)
	}
	if !cfg.Warehouse.IsAdminRole("accountadmin") || cfg.Warehouse.IsAdminRole("TRANSFORMER") {
		t.Error("IsAdminRole")
	}
	if cfg.DBT.Target != "dev" || len(cfg.DBT.AllowedTargets) != 1 || cfg.DBT.AllowedTargets[0] != "ci" {
		t.Errorf("dbt targets = %+v", cfg.DBT)
	}
	if cfg.DBTCloud.CIJobID != 34 || len(cfg.Onboarding.Tools) != 2 {
		t.Errorf("dbt_cloud/onboarding = %+v %+v", cfg.DBTCloud, cfg.Onboarding)
	}
}

func TestParseDocker(t *testing.T) {
	src := `dbt:
  target: dev
  docker:
    image: ghcr.io/acme/dbt-snowflake:1.8.4
    command: [dbt]
    mounts: ["~/.ssh:/root/.ssh:ro", "/srv/data:/data"]
    env: [SNOWFLAKE_ACCOUNT, "DBT_TEAM=analytics"]
    network: host
    cli: podman
`
	cfg, err := Parse("datatui.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.DBT.Docker
	if !d.Enabled() || d.Image != "ghcr.io/acme/dbt-snowflake:1.8.4" || len(d.Mounts) != 2 || d.Env[1] != "DBT_TEAM=analytics" || d.Executable() != "podman" || d.Network != "host" {
		t.Errorf("docker = %+v", d)
	}
	if Default().DBT.Docker.Enabled() || Default().DBT.Docker.Executable() != "docker" {
		t.Error("defaults: dbt runs locally; the CLI is docker")
	}
	cfg, err = Parse("datatui.yml", []byte("dbt:\n  wrapper: [./scripts/dbt, --quiet-wrapper]\n"))
	if err != nil || len(cfg.DBT.Wrapper) != 2 {
		t.Errorf("wrapper: %+v %v", cfg.DBT.Wrapper, err)
	}
}

func TestParseEmptyGivesDefaults(t *testing.T) {
	for _, src := range []string{"", "  \n\n", "# only a comment\n"} {
		cfg, err := Parse("datatui.yml", []byte(src))
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		if cfg.Warehouse.ProdDatabase != "ANALYTICS" || cfg.DBT.Target != "dev" {
			t.Errorf("%q: not the defaults: %+v", src, cfg)
		}
	}
}

// TestParseErrors checks that every bad file is reported with the file, the line and the
// dotted key, because the reader usually did not write the file.
// TestParseDecoderPanic: a datatui.yml on which the YAML library panics (a tag where a list
// belongs) is an error naming the file, with the defaults alongside, not a crash.
func TestParseDecoderPanic(t *testing.T) {
	for _, src := range []string{"guides: !!map\n", "guides:\n  !00\n000000", "help: !00\nguides: [a]\n"} {
		cfg, err := Parse("/repo/datatui.yml", []byte(src))
		var cerr *Error
		if !errors.As(err, &cerr) || cerr.File != "/repo/datatui.yml" || !strings.HasPrefix(err.Error(), "/repo/datatui.yml") {
			t.Errorf("%q: want an *Error naming the file, got %v", src, err)
		}
		if cfg == nil || cfg.DBT.Target != "dev" {
			t.Errorf("%q: no defaults alongside the error: %+v", src, cfg)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		line    int
		key     string
		msgPart string
	}{
		{"unknown top-level key", "version: 1\ndbt:\n  target: dev\nwarehose:\n  prod_database: X\n", 4, "warehose", "unknown key"},
		{"unknown nested key", "version: 1\nwarehouse:\n  prod_database: P\n  sandbox: X_{user}\n", 4, "warehouse.sandbox", "unknown key"},
		{"wrong type number", "version: 1\nwarehouse:\n  refresh_policy_days: soon\n", 3, "warehouse.refresh_policy_days", "whole number"},
		{"wrong type list", "version: 1\nguides: handbook\n", 2, "guides", "sequence"},
		{"wrong type mapping", "version: 1\nwarehouse: [a, b]\n", 2, "warehouse", "mapping"},
		{"pattern without user", "version: 1\nwarehouse:\n  prod_database: P\n  sandbox_pattern: SANDBOX\n", 4, "warehouse.sandbox_pattern", "must contain {user}"},
		{"clone equals prod", "warehouse:\n  prod_database: prod\n  clone_database: PROD\n", 3, "warehouse.clone_database", "must differ"},
		{"bad version", "version: 2\n", 1, "version", "unsupported version 2"},
		{"negative refresh policy", "warehouse:\n  refresh_policy_days: -1\n", 2, "warehouse.refresh_policy_days", "positive"},
		{"empty target", "dbt:\n  target: \"\"\n", 2, "dbt.target", "must name"},
		{"bad repo", "github:\n  repo: just-a-name\n", 2, "github.repo", "owner/name"},
		{"ci job without account", "dbt_cloud:\n  ci_job_id: 9\n", 0, "dbt_cloud.account_id", "required"},
		{"empty guide entry", "guides:\n  - handbook\n  - \" \"\n", 1, "guides", "entry 2 is empty"},
		{"empty prod database", "# team config\nwarehouse:\n  prod_database: \"\"\n", 3, "warehouse.prod_database", "must not be empty"},
		{"docker image as a flag", "dbt:\n  docker:\n    image: \"-v/:/host\"\n", 3, "dbt.docker.image", "not an image reference"},
		{"docker keys without image", "dbt:\n  docker:\n    mounts: [\"a:/b\"]\n", 0, "dbt.docker.image", "must name dbt's image"},
		{"docker mount without container path", "dbt:\n  docker:\n    image: acme/dbt\n    mounts: [\"/data\"]\n", 4, "dbt.docker.mounts", "host:container"},
		{"docker mount relative container path", "dbt:\n  docker:\n    image: acme/dbt\n    mounts: [\"/data:data\"]\n", 4, "dbt.docker.mounts", "absolute container path"},
		{"docker mount bad option", "dbt:\n  docker:\n    image: acme/dbt\n    mounts: [\"/d:/d:r o\"]\n", 4, "dbt.docker.mounts", "not a mount option"},
		{"docker env bad name", "dbt:\n  docker:\n    image: acme/dbt\n    env: [\"A-B=1\"]\n", 4, "dbt.docker.env", "NAME or NAME=value"},
		{"docker network as a flag", "dbt:\n  docker:\n    image: acme/dbt\n    network: \"--privileged\"\n", 4, "dbt.docker.network", "not a docker network"},
		{"docker and wrapper", "dbt:\n  docker:\n    image: acme/dbt\n  wrapper: [./dbt.sh]\n", 4, "dbt.wrapper", "not both"},
		{"empty wrapper", "dbt:\n  wrapper: [\"\"]\n", 2, "dbt.wrapper", "must name the command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse("/repo/datatui.yml", []byte(tt.src))
			var cerr *Error
			if !errors.As(err, &cerr) {
				t.Fatalf("want *Error, got %v", err)
			}
			if cerr.File != "/repo/datatui.yml" || cerr.Line != tt.line || cerr.Key != tt.key {
				t.Errorf("got file %q line %d key %q, want line %d key %q (%v)", cerr.File, cerr.Line, cerr.Key, tt.line, tt.key, err)
			}
			if !strings.Contains(cerr.Msg, tt.msgPart) {
				t.Errorf("message %q lacks %q", cerr.Msg, tt.msgPart)
			}
			// The message a person reads names all three.
			want := "/repo/datatui.yml"
			if tt.line > 0 {
				want += ":" + strconv.Itoa(tt.line)
			}
			if s := err.Error(); !strings.HasPrefix(s, want+": "+tt.key+": ") {
				t.Errorf("Error() = %q, want prefix %q", s, want+": "+tt.key+": ")
			}
			// A broken file still yields usable defaults.
			if cfg == nil || cfg.DBT.Target != "dev" {
				t.Errorf("no defaults alongside the error: %+v", cfg)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	cfg, err := Load(filepath.Join(t.TempDir(), "datatui.yml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want ErrNotExist, got %v", err)
	}
	if cfg == nil || cfg.Version != 1 {
		t.Fatal("missing file must still give defaults")
	}
}

func TestLoadReadsFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "datatui.yml")
	if err := os.WriteFile(p, []byte("warehouse:\n  sandbox_pattern: nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(p)
	if err == nil || !strings.Contains(err.Error(), p+":2: warehouse.sandbox_pattern:") {
		t.Fatalf("got %v", err)
	}
}

func TestNormaliseUser(t *testing.T) {
	tests := []struct{ in, want string }{
		{"jane", "JANE"},
		{"o'brien", "O_BRIEN"},
		{"jöhn.doe@corp.com", "J_HN_DOE"},
		{`"x"`, "X"},
		{"Jane.Doe", "JANE_DOE"},
		{"jane--doe__x", "JANE_DOE_X"},
		{"  spaced name  ", "SPACED_NAME"},
		{"robert'); DROP TABLE x;--", "ROBERT_DROP_TABLE_X"},
		{"user42@example.com", "USER42"},
		{"@corp.com", "CORP_COM"},
		{"", ""},
		{"ööö", ""},
	}
	for _, tt := range tests {
		if got := NormaliseUser(tt.in); got != tt.want {
			t.Errorf("NormaliseUser(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSandboxNameNeverContainsQuotes(t *testing.T) {
	w := Default().Warehouse
	for _, u := range []string{`o'brien`, `"x"`, "a`b", `a\b`, "x; drop"} {
		name := w.SandboxName(u)
		if strings.ContainsAny(name, "'\"`\\; ") {
			t.Errorf("SandboxName(%q) = %q keeps a quoting character", u, name)
		}
	}
}

func TestKeyAtLine(t *testing.T) {
	src := []byte("# c\nversion: 1\nwarehouse:\n  prod_database: P\n\n  admin_roles:\n    - A\n    - B\ndbt:\n  target: dev\n")
	tests := map[int]string{1: "", 2: "version", 3: "warehouse", 4: "warehouse.prod_database", 7: "warehouse.admin_roles", 10: "dbt.target", 99: "dbt.target"}
	for line, want := range tests {
		if got := keyAtLine(src, line); got != want {
			t.Errorf("keyAtLine(%d) = %q, want %q", line, got, want)
		}
	}
	if got := lineOfKey(src, "dbt.target"); got != 10 {
		t.Errorf("lineOfKey = %d", got)
	}
	if got := lineOfKey(src, "github.repo"); got != 0 {
		t.Errorf("lineOfKey(missing) = %d", got)
	}
}

// FuzzParse: whatever a datatui.yml holds, Parse returns a config or an error, never panics,
// and an error is always an *Error naming the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte("version: 1\nwarehouse:\n  sandbox_pattern: X_{user}\n"))
	f.Add([]byte("warehouse: [1, 2]\n"))
	f.Add([]byte("\t- x"))
	f.Add([]byte("guides:\n  - a\n  - ''\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("f.yml", data)
		if cfg == nil {
			t.Fatal("nil config")
		}
		if err != nil {
			var cerr *Error
			if !errors.As(err, &cerr) || cerr.File != "f.yml" {
				t.Fatalf("error %v is not an *Error for f.yml", err)
			}
		}
	})
}
