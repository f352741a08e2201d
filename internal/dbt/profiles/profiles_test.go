package profiles

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
)

func envMap(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestRenderEnvVars(t *testing.T) {
	env := envMap(map[string]string{"U": "ann", "N": "12", "EMPTY": "", "B": " True "})
	tests := []struct {
		in, want, err string
	}{
		{"plain", "plain", ""},
		{"{{ env_var('U') }}", "ann", ""},
		{`{{env_var("U")}}`, "ann", ""},
		{"dbt_{{ env_var('U') }}_x", "dbt_ann_x", ""},
		{"{{ env_var('MISSING', 'def') }}", "def", ""},
		{"{{ env_var('MISSING', \"\") }}", "", ""},
		{"{{ env_var('EMPTY', 'def') }}", "", ""},
		{"{{ env_var('N') | int }}", "12", ""},
		{"{{ env_var('MISSING', 8) | int }}", "8", ""},
		{"{{ env_var('MISSING', -1.5) }}", "-1.5", ""},
		{"{{ env_var('MISSING', 8x) }}", "", "unsupported Jinja"},
		{"{{ env_var(8) }}", "", "unsupported Jinja"},
		{"{{ env_var('U') | upper }}", "ANN", ""},
		{"{{ env_var('B') | as_bool }}", "true", ""},
		{"{{ env_var('U') }}{{ env_var('N') }}", "ann12", ""},
		{"a{b}c", "a{b}c", ""},
		{"{{ env_var('MISSING') }}", "", "environment variable MISSING is not set"},
		{"{{ var('x') }}", "", "unsupported Jinja {{ var('x') }}"},
		{"{% if x %}a{% endif %}", "", "unsupported Jinja {% if x %}"},
		{"{# note #}", "", "unsupported Jinja"},
		{"{{ env_var('U') | replace('a','b') }}", "", "unsupported Jinja"},
		{"{{ env_var(U) }}", "", "unsupported Jinja"},
		{"{{ env_var('U', 'a', 'b') }}", "", "unsupported Jinja"},
		{"{{ env_var('U'", "", "unclosed Jinja"},
	}
	for _, tt := range tests {
		got, err := RenderEnvVars(tt.in, env)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestLoadProfileFromTestdata(t *testing.T) {
	env := envMap(map[string]string{"SNOWFLAKE_USER": "ann.lee", "SNOWFLAKE_PASSWORD": "hunter2", "CI_KEY_PASSPHRASE": "pp"})
	p, err := LoadProfile(ProfilesOptions{ProjectDir: "testdata/profiles", Home: t.TempDir(), LookupEnv: env})
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "shop" || p.DefaultTarget != "dev" || p.Location.Why != "the project folder" {
		t.Fatalf("profile %+v", p)
	}
	if got := strings.Join(p.TargetNames(), ","); got != "ci,dev,prod" {
		t.Errorf("targets %s", got)
	}
	dev, err := p.Target("")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Type != "snowflake" || dev.User != "ann.lee" || dev.Password.Reveal() != "hunter2" || dev.Database != "SANDBOX_ANN.LEE" ||
		dev.Schema != "dbt_me" || dev.Threads != 8 || !dev.ClientSessionKeepAlive || dev.QueryTag != "datatui" || dev.Role != "CONTRIBUTOR" {
		t.Errorf("dev = %#v (password set %v)", dev, dev.Password.Set())
	}
	ci, err := p.Target("ci")
	if err != nil {
		t.Fatal(err)
	}
	if ci.Authenticator != "snowflake_jwt" || ci.PrivateKeyPath != "~/.ssh/ci_key.p8" || ci.PrivateKeyPassphrase.Reveal() != "pp" {
		t.Errorf("ci = %#v", ci)
	}
	_, err = p.Target("prod")
	var pe *ProfileError
	if !errors.As(err, &pe) || pe.Key != "shop.outputs.prod.user" || !strings.Contains(err.Error(), "unsupported Jinja {% if target.name") ||
		!strings.HasSuffix(pe.File, "profiles.yml") {
		t.Errorf("prod err = %v", err)
	}
	if _, err := p.Target("nope"); err == nil || !strings.Contains(err.Error(), `no target "nope" (have: ci, dev, prod)`) {
		t.Errorf("missing target err = %v", err)
	}
}

// TestSecretsNeverPrinted formats a target every way a careless caller might.
func TestSecretsNeverPrinted(t *testing.T) {
	tg := Target{Name: "dev", Profile: "p", Type: "snowflake", User: "u", Password: "hunter2", Token: "tok-123",
		PrivateKey: "-----BEGIN", PrivateKeyPassphrase: "pp-secret", OAuthClientSecret: "cs-secret"}
	js, _ := json.Marshal(tg)
	red, _ := json.Marshal(tg.Redacted())
	outs := []string{fmt.Sprint(tg), fmt.Sprintf("%v %+v %#v %s", tg, tg, tg, tg), fmt.Sprintf("%v %+v %#v %q", &tg, &tg, tg.Password, tg.Password),
		string(js), string(red), fmt.Sprintf("%+v", tg.Redacted())}
	for _, o := range outs {
		for _, s := range []string{"hunter2", "tok-123", "BEGIN", "pp-secret", "cs-secret"} {
			if strings.Contains(o, s) {
				t.Errorf("secret %q printed in %s", s, o)
			}
		}
	}
	if !strings.Contains(string(js), `"password":"[redacted]"`) {
		t.Errorf("json %s", js)
	}
	if r := tg.Redacted(); r.Password.Reveal() != "[redacted]" || r.User != "u" || tg.Password.Reveal() != "hunter2" {
		t.Errorf("Redacted changed the original or kept the value: %v", r)
	}
	if (Target{}).Redacted().Password.Set() {
		t.Error("an unset secret became set")
	}
	// Unknown keys that look like credentials are not kept in Extra.
	p, err := ParseProfile("profiles.yml", []byte("p:\n  outputs:\n    dev: {type: postgres, host: h, api_key: k123, sslmode: require}\n"), "p", envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := p.Target("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.Extra["sslmode"] != "require" || dev.Extra["api_key"] != "" {
		t.Errorf("extra %v", dev.Extra)
	}
}

func TestFindProfilesOrder(t *testing.T) {
	root := t.TempDir()
	mk := func(dir string) string {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "profiles.yml")
		if err := os.WriteFile(p, []byte("x: {}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	home := filepath.Join(root, "home")
	project := filepath.Join(root, "proj")
	envDir := filepath.Join(root, "env")
	flagDir := filepath.Join(root, "flag")
	homeFile := mk(filepath.Join(home, ".dbt"))
	if err := os.MkdirAll(project, 0o755); err != nil {
		t.Fatal(err)
	}
	// Only ~/.dbt.
	if loc := FindProfiles(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: envMap(nil)}); loc.Path != homeFile || !loc.Exists {
		t.Errorf("home: %+v", loc)
	}
	projFile := mk(project)
	if loc := FindProfiles(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: envMap(nil)}); loc.Path != projFile {
		t.Errorf("project: %+v", loc)
	}
	envFile := mk(envDir)
	env := envMap(map[string]string{"DBT_PROFILES_DIR": envDir})
	if loc := FindProfiles(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: env}); loc.Path != envFile || loc.Why != "DBT_PROFILES_DIR" {
		t.Errorf("env: %+v", loc)
	}
	flagFile := mk(flagDir)
	if loc := FindProfiles(ProfilesOptions{ProfilesDir: flagDir, ProjectDir: project, Home: home, LookupEnv: env}); loc.Path != flagFile {
		t.Errorf("flag: %+v", loc)
	}
	// DBT_PROFILES_DIR pointing at an empty folder is where dbt looks, even if ~/.dbt has one.
	empty := filepath.Join(root, "empty")
	loc := FindProfiles(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: envMap(map[string]string{"DBT_PROFILES_DIR": empty})})
	if loc.Exists || loc.Path != filepath.Join(empty, "profiles.yml") {
		t.Errorf("empty env dir: %+v", loc)
	}
	// Tilde.
	if loc := FindProfiles(ProfilesOptions{ProfilesDir: "~/.dbt", Home: home}); loc.Path != homeFile {
		t.Errorf("tilde: %+v", loc)
	}
	_, err := LoadProfile(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: envMap(map[string]string{"DBT_PROFILES_DIR": empty})})
	if err == nil || !errors.Is(err, dbtyaml.ErrNoProject) {
		t.Errorf("no dbt_project.yml: %v", err)
	}
	if err := os.WriteFile(filepath.Join(project, "dbt_project.yml"), []byte("name: x\nprofile: shop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = LoadProfile(ProfilesOptions{ProjectDir: project, Home: home, LookupEnv: envMap(map[string]string{"DBT_PROFILES_DIR": empty})})
	if !errors.Is(err, ErrNoProfiles) || !strings.Contains(err.Error(), "DBT_PROFILES_DIR") {
		t.Errorf("no profiles.yml: %v", err)
	}
}

func TestParseProfileErrors(t *testing.T) {
	tests := []struct{ name, yml, want string }{
		{"bad yaml", "p: [", "profiles.yml: not valid YAML"},
		{"no profile", "other: {outputs: {dev: {type: duckdb}}}\n", `no profile "p" (dbt_project.yml names it); the file has: other`},
		{"not mapping", "p: 3\n", "profiles.yml: p: must be a mapping"},
		{"no outputs", "p: {target: dev}\n", "p.outputs: is missing or empty"},
		{"bad output", "p: {outputs: {dev: 3}}\n", "p.outputs.dev: must be a mapping"},
		{"bad target jinja", "p: {target: \"{{ var('t') }}\", outputs: {dev: {type: duckdb}}}\n", "p.target: unsupported Jinja"},
	}
	for _, tt := range tests {
		_, err := ParseProfile("profiles.yml", []byte(tt.yml), "p", envMap(nil))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	p, err := ParseProfile("profiles.yml", []byte("p: {outputs: {dev: {path: x.duckdb}, t2: {type: duckdb, threads: many}}}\n"), "p", envMap(nil))
	if err != nil {
		t.Fatal(err)
	}
	// Without target: dbt uses the target named "default" (dbt-core's Profile.render_profile),
	// not "dev".
	if p.DefaultTarget != "default" {
		t.Errorf("default target %q", p.DefaultTarget)
	}
	if _, err := p.Target("dev"); err == nil || !strings.Contains(err.Error(), "p.outputs.dev.type: is missing") {
		t.Errorf("missing type: %v", err)
	}
	if _, err := p.Target("t2"); err == nil || !strings.Contains(err.Error(), "p.outputs.t2.threads: must be a whole number") {
		t.Errorf("bad threads: %v", err)
	}
}

// TestSnowflakeConnectionKeys: the connection keys dbt-snowflake reads, typed as dbt types
// them, with connect_timeout left unset (dbt's default) when the profile does not give it.
func TestSnowflakeConnectionKeys(t *testing.T) {
	yml := `p:
  outputs:
    dev: {type: snowflake, connect_retries: 3, connect_timeout: 0, proxy_host: proxy.corp, proxy_port: "{{ env_var('PORT') }}", insecure_mode: True, retry_all: true}
    plain: {type: snowflake, connect_timeout: }
    bad: {type: snowflake, proxy_port: http}
`
	p, err := ParseProfile("profiles.yml", []byte(yml), "p", envMap(map[string]string{"PORT": "3128"}))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := p.Target("dev")
	if err != nil {
		t.Fatal(err)
	}
	if dev.ConnectRetries != 3 || dev.ConnectTimeout == nil || *dev.ConnectTimeout != 0 || dev.ProxyHost != "proxy.corp" || dev.ProxyPort != 3128 || !dev.InsecureMode || dev.Extra["retry_all"] != "true" {
		t.Errorf("dev %+v", dev)
	}
	if plain, err := p.Target("plain"); err != nil || plain.ConnectTimeout != nil {
		t.Errorf("plain %+v %v", plain, err)
	}
	if _, err := p.Target("bad"); err == nil || !strings.Contains(err.Error(), "p.outputs.bad.proxy_port: must be a whole number") {
		t.Errorf("bad proxy_port: %v", err)
	}
}

func FuzzRenderEnvVars(f *testing.F) {
	for _, s := range []string{"{{ env_var('A') }}", "x{{env_var(\"A\",'d')|int}}y", "{% if %}", "{{", "{{}}", "{{ env_var('A', ) }}", "{#"} {
		f.Add(s)
	}
	env := envMap(map[string]string{"A": "1"})
	f.Fuzz(func(t *testing.T, s string) {
		out, err := RenderEnvVars(s, env)
		if err == nil && !strings.Contains(s, "{{") && out != s {
			t.Errorf("text without expressions changed: %q -> %q", s, out)
		}
	})
}

func FuzzParseProfile(f *testing.F) {
	f.Add([]byte("p:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: a.duckdb, threads: 2}\n"))
	f.Add([]byte("p: {outputs: {dev: {type: snowflake, password: \"{{ env_var('X', 'y') }}\"}}}"))
	f.Add([]byte("p: [1, 2]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProfile("profiles.yml", data, "p", envMap(nil))
		if err != nil {
			return
		}
		for _, n := range p.TargetNames() {
			if tg, err := p.Target(n); err == nil {
				_ = tg.String()
			}
		}
	})
}
