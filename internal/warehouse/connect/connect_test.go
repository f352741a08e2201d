package connect

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
	"github.com/datatui/datatui/internal/workspace"
)

func project(t *testing.T, profiles string) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profiles.yml"), []byte(profiles), 0o600); err != nil {
		t.Fatal(err)
	}
	return &workspace.Workspace{Root: dir, ProjectDir: dir, Config: config.Default(), StateDir: t.TempDir()}
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// TestSnowflakeFromProfile connects through profiles.yml with a password from the
// environment to the fake server, with the real driver.
func TestSnowflakeFromProfile(t *testing.T) {
	s := sftest.New(t)
	s.RequirePassword("from-env")
	host, port := s.HostPort()
	ws := project(t, `shop:
  target: dev
  outputs:
    dev:
      type: snowflake
      account: test
      user: "{{ env_var('SF_USER') }}"
      password: "{{ env_var('SF_PASSWORD') }}"
      role: CONTRIBUTOR
      host: `+host+`
      port: `+strconv.Itoa(port)+`
      protocol: http
      database: ANALYTICS
      schema: dbt_ann
`)
	w, tg, err := Open(context.Background(), ws, Options{LookupEnv: env(map[string]string{"SF_USER": "ann", "SF_PASSWORD": "from-env"})})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if w.Engine() != "snowflake" || w.Policy().Sandbox != "SANDBOX_ANN" || tg.Redacted().Password.Reveal() != "[redacted]" {
		t.Errorf("engine %s policy %+v", w.Engine(), w.Policy())
	}
	// The dev target points at prod (ANALYTICS): refreshing it is refused without a request.
	if err := w.Refresh(context.Background(), tg.Database); err == nil {
		t.Error("refresh of the target's prod database allowed")
	}
	if len(s.Requests()) != 0 {
		t.Errorf("requests sent: %v", s.Requests())
	}
	s.On(`CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`, sftest.OK("ok"))
	s.On(`COMMENT ON DATABASE "SANDBOX_ANN" IS 'datatui sandbox of ANN'`, sftest.OK("ok"))
	s.LoginAs("ANN")
	s.NoDatabase("SANDBOX_ANN")
	if err := w.Refresh(context.Background(), w.Policy().Sandbox); err != nil {
		t.Fatal(err)
	}
	if l := s.Logins(); len(l) != 1 || l[0].Password != "from-env" || l[0].User != "ann" {
		t.Errorf("logins %+v", l)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct{ profiles, target, want, guide string }{
		{"shop: {outputs: {dev: {type: postgres, host: h}}}\n", "", "it is a postgres target; datatui can tell where dbt writes only for snowflake and duckdb targets", "your-sandbox"},
		{"shop: {outputs: {dev: {type: snowflake, account: a, user: u}}}\n", "", "no password", "set-up-your-environment"},
		{"shop: {outputs: {dev: {type: duckdb, path: a.duckdb}}}\n", "ci", `no target "ci"`, "set-up-your-environment"},
		{"shop: {outputs: {dev: {type: duckdb, path: a.duckdb}, prod: {type: duckdb, path: p.duckdb}}}\n", "prod", "target prod is not your sandbox target dev", "your-sandbox"},
		{"other: {outputs: {dev: {type: duckdb}}}\n", "", `no profile "shop"`, "set-up-your-environment"},
		{"shop: {outputs: {dev: {type: duckdb, path: ':memory:'}}}\n", "", "names no DuckDB file", "your-sandbox"},
	}
	for _, tt := range tests {
		ws := project(t, tt.profiles)
		_, _, err := Open(context.Background(), ws, Options{Target: tt.target, LookupEnv: env(nil)})
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.guide) {
			t.Errorf("%q: %v, want %q", tt.profiles, err, tt.want)
		}
	}
}
