package main

import (
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/forge"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
)

// The pr_*.txtar scripts talk to loopback fakes of GitHub and dbt Cloud, started per script.
// Scripts pick a scenario with GH_TOKEN (see package ghtest): $FAKE_GH_TOKEN answers normally.
var _ = func() bool {
	scriptSetups = append(scriptSetups, setupForgeFakes)
	return true
}()

// The scripts never touch the OS keyring: a folder stands in for it (one file per secret), so
// `auth dbt-cloud login` in one command is seen by the next.
func init() {
	openKeyring = func() credstore.Store {
		if dir := os.Getenv("DATATUI_TEST_KEYRING"); dir != "" {
			return dirStore(dir)
		}
		return credstore.NewMemory()
	}
}

func setupForgeFakes(env *testscript.Env) error {
	gh := ghtest.New()
	dc := ghtest.NewDBTCloud()
	env.Defer(gh.Close)
	env.Defer(dc.Close)
	env.Setenv(forge.EnvAPIURL, gh.APIURL())
	env.Setenv(dbtcloud.EnvAPIURL, dc.URL)
	env.Setenv("FAKE_GH_TOKEN", ghtest.Token)
	env.Setenv("FAKE_DBT_TOKEN", dc.Token)
	env.Setenv("DATATUI_TEST_KEYRING", env.WorkDir+"/keyring")
	// Never consult a real gh login, or the user's own repository choice, from a script.
	env.Setenv("GH_CONFIG_DIR", env.WorkDir+"/gh-config")
	env.Setenv("GH_PATH", env.WorkDir+"/no-gh")
	env.Setenv(forge.EnvRepo, "")
	env.Setenv(forge.EnvHost, "")
	for _, k := range []string{dbtcloud.EnvToken, dbtcloud.EnvAccountHost, dbtcloud.EnvAccountID} {
		env.Setenv(k, "")
	}
	return nil
}

// dirStore is a keyring in a folder: DIR/SERVICE/KEY holds the secret.
type dirStore string

func (d dirStore) path(service, key string) string {
	return filepath.Join(string(d), url.PathEscape(service), url.PathEscape(key))
}

func (d dirStore) Get(service, key string) (string, error) {
	b, err := os.ReadFile(d.path(service, key))
	if os.IsNotExist(err) {
		return "", credstore.ErrNotFound
	}
	return string(b), err
}

func (d dirStore) Set(service, key, secret string) error {
	if err := os.MkdirAll(filepath.Dir(d.path(service, key)), 0o700); err != nil {
		return err
	}
	return os.WriteFile(d.path(service, key), []byte(secret), 0o600)
}

func (d dirStore) Delete(service, key string) error {
	err := os.Remove(d.path(service, key))
	if os.IsNotExist(err) {
		return credstore.ErrNotFound
	}
	return err
}

func (d dirStore) Keys(service string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(string(d), url.PathEscape(service)))
	if os.IsNotExist(err) {
		return nil, nil
	}
	var keys []string
	for _, e := range entries {
		if k, err := url.PathUnescape(e.Name()); err == nil && !strings.HasPrefix(k, ".") {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, err
}
