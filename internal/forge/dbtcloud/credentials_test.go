package dbtcloud_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
)

func TestCredentialsAsDbtToolsFindThem(t *testing.T) {
	home := t.TempDir()
	_ = os.MkdirAll(filepath.Join(home, ".dbt"), 0o700)
	yml := `version: "1"
context:
  active-host: "ab123.us1.dbt.com"
  active-project: "222"
projects:
  - project-id: "111"
    account-host: "emea.dbt.com"
    account-id: "9"
    token-value: "dbtu_emea_secret"
  - project-id: "222"
    account-id: "70403103920000"
    token-value: "dbtu_cell_secret"
`
	if err := os.WriteFile(filepath.Join(home, ".dbt", "dbt_cloud.yml"), []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	ring := credstore.NewMemory()
	_ = ring.Set(dbtcloud.KeyringService, "acme.getdbt.com", "dbtc_single_tenant")
	_ = ring.Set(dbtcloud.KeyringService, "emea.dbt.com", "dbtc_keyring_loses_to_the_file")
	env := map[string]string{dbtcloud.EnvToken: "dbtc_env_secret", dbtcloud.EnvAccountID: "1001"}
	creds, warnings := dbtcloud.Load(dbtcloud.Sources{Getenv: func(k string) string { return env[k] }, Home: home, Keyring: ring, TeamHost: "https://Cloud.GetDBT.com/"})
	if len(warnings) != 0 {
		t.Fatal(warnings)
	}
	want := []string{"cloud.getdbt.com DBT_CLOUD_TOKEN dbtc_env_secret 1001", "ab123.us1.dbt.com ~/.dbt/dbt_cloud.yml dbtu_cell_secret 70403103920000",
		"emea.dbt.com ~/.dbt/dbt_cloud.yml dbtu_emea_secret 9", "acme.getdbt.com keyring dbtc_single_tenant 0"}
	if len(creds) != len(want) {
		t.Fatalf("credentials %+v", creds)
	}
	for i, c := range creds {
		if got := strings.Join([]string{c.Host, c.Source, c.Token, itoa(c.AccountID)}, " "); got != want[i] {
			t.Errorf("credential %d: %s, want %s", i, got, want[i])
		}
	}
	if c, ok := creds.ForHost("EMEA.dbt.com"); !ok || c.Token != "dbtu_emea_secret" {
		t.Fatal("ForHost is case-insensitive")
	}
	if _, ok := creds.ForHost("evil.example"); ok {
		t.Fatal("a host nobody configured has no credential")
	}
	env[dbtcloud.EnvAccountHost] = "au.dbt.com"
	creds, _ = dbtcloud.Load(dbtcloud.Sources{Getenv: func(k string) string { return env[k] }, Home: t.TempDir()})
	if len(creds) != 1 || creds[0].Host != "au.dbt.com" {
		t.Fatalf("DBT_CLOUD_ACCOUNT_HOST: %+v", creds)
	}
}

func TestBrokenCLIConfigIsAWarningWithoutTheToken(t *testing.T) {
	home := t.TempDir()
	_ = os.MkdirAll(filepath.Join(home, ".dbt"), 0o700)
	_ = os.WriteFile(filepath.Join(home, ".dbt", "dbt_cloud.yml"), []byte("projects: [\n  token-value: dbtu_leaky_secret"), 0o600)
	creds, warnings := dbtcloud.Load(dbtcloud.Sources{Getenv: func(string) string { return "" }, Home: home, Keyring: unavailable{}})
	if len(creds) != 0 || len(warnings) != 2 {
		t.Fatalf("creds %v warnings %v", creds, warnings)
	}
	for _, w := range warnings {
		if strings.Contains(w.Error(), "dbtu_leaky_secret") {
			t.Fatalf("warning leaks the token: %v", w)
		}
	}
}

type unavailable struct{ credstore.Store }

func (unavailable) Keys(string) ([]string, error) {
	return nil, &credstore.UnavailableError{Err: errors.New("no D-Bus session")}
}

func TestNotSignedInSaysHowAndNeverUsesAnotherHost(t *testing.T) {
	err := &dbtcloud.NotSignedInError{Host: "ab123.us1.dbt.com", Known: []string{"cloud.getdbt.com"}}
	if !strings.Contains(err.Error(), "datatui auth dbt-cloud login --host ab123.us1.dbt.com") {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
