package main

import (
	"github.com/rogpeppe/go-internal/testscript"

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

func setupForgeFakes(env *testscript.Env) error {
	gh := ghtest.New()
	dc := ghtest.NewDBTCloud()
	env.Defer(gh.Close)
	env.Defer(dc.Close)
	env.Setenv(forge.EnvAPIURL, gh.APIURL())
	env.Setenv(dbtcloud.EnvAPIURL, dc.URL)
	env.Setenv("FAKE_GH_TOKEN", ghtest.Token)
	env.Setenv("FAKE_DBT_TOKEN", dc.Token)
	// Never consult a real gh login from a script.
	env.Setenv("GH_CONFIG_DIR", env.WorkDir+"/gh-config")
	env.Setenv("GH_PATH", env.WorkDir+"/no-gh")
	return nil
}
