package main

import (
	"path/filepath"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// The ls scripts read the dbt package's test manifests: $SHOP_MANIFEST (a project under
// development) and $SHOP_PROD (a folder with production's manifest.json and run_results.json).
var _ = func() bool {
	scriptSetups = append(scriptSetups, func(env *testscript.Env) error {
		dir := filepath.Join(fixtures.Repo(), "internal", "dbt", "testdata", "manifests")
		env.Setenv("SHOP_MANIFEST", filepath.Join(dir, "shop", "manifest.json"))
		env.Setenv("SHOP_PROD", filepath.Join(dir, "shop-prod"))
		return nil
	})
	return true
}()
