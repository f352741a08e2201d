package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// The run_*.txtar scripts run datatui against a dbt stand-in (internal/ops/testdata/fakedbt)
// that replays recorded JSON log streams. It is built once per test binary; scripts choose a
// stream with FAKEDBT_STREAM=$STREAMS/<name>.jsonl.
var _ = func() bool {
	scriptSetups = append(scriptSetups, setupFakeDBT)
	return true
}()

var (
	fakeDBTOnce sync.Once
	fakeDBTPath string
	fakeDBTErr  error
)

func buildFakeDBT() (string, error) {
	fakeDBTOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datatui-fakedbt-")
		if err != nil {
			fakeDBTErr = err
			return
		}
		fakeDBTPath = filepath.Join(dir, "dbt")
		out, err := exec.Command("go", "build", "-o", fakeDBTPath, "../../internal/ops/testdata/fakedbt").CombinedOutput()
		if err != nil {
			fakeDBTErr = fmt.Errorf("building the dbt stand-in: %v\n%s", err, out)
		}
	})
	return fakeDBTPath, fakeDBTErr
}

func setupFakeDBT(env *testscript.Env) error {
	exe, err := buildFakeDBT()
	if err != nil {
		return err
	}
	streams, err := filepath.Abs("../../internal/ops/testdata/streams")
	if err != nil {
		return err
	}
	env.Setenv("DATATUI_DBT", exe)
	env.Setenv("STREAMS", streams)
	// The real dbt 1.8.8 source freshness recording, when the shared fixtures are here.
	if root := fixtures.Root(); root != "" {
		env.Setenv("FRESHNESS", filepath.Join(root, "real-dbt", "jaffle-freshness"))
	}
	return nil
}
