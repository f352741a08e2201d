package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/demo"
)

// TestSandboxStatusShowsHostileNames is issue 11's item 8 on the command line: a schema
// named to retitle the terminal and turn it red is printed by `sandbox status` with its
// control characters visible, and kept exact (as JSON escapes) by --json.
func TestSandboxStatusShowsHostileNames(t *testing.T) {
	const hostile = "evil\x1b]0;PWNED\x07\x1b[31m"
	root := t.TempDir()
	proj := filepath.Join(root, "proj")
	if _, err := demo.Write(proj); err != nil {
		t.Fatal(err)
	}
	if err := demo.BuildWarehouse(context.Background(), proj, demo.WarehouseOptions{MetaDir: filepath.Join(root, "meta")}); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(proj, "warehouse", "sandbox.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE SCHEMA "` + hostile + `"; CREATE TABLE "` + hostile + `"."orders` + "\u202e" + `" (x INT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	run := func(args ...string) string {
		cmd := exec.Command("datatui", append([]string{"--project", proj}, args...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(root, "home"), "XDG_STATE_HOME=" + filepath.Join(root, "state"), "NO_COLOR=1"}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			t.Fatalf("datatui %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	text := run("sandbox", "status")
	if !strings.Contains(text, "evil␛]0;PWNED␇␛[31m") {
		t.Errorf("sandbox status does not show the hostile schema visibly:\n%s", text)
	}
	js := run("sandbox", "status", "--json")
	for name, out := range map[string]string{"text": text, "json": js} {
		for _, b := range []string{"\x1b", "\x07", "\u202e"} {
			if strings.Contains(out, b) {
				t.Errorf("sandbox status (%s) prints %q raw", name, b)
			}
		}
	}
	var st struct {
		Snapshot struct {
			Schemas []struct{ Name string }
			Objects []struct{ Schema, Name string }
		}
	}
	if err := json.Unmarshal([]byte(js), &st); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range st.Snapshot.Objects {
		found = found || o.Schema == hostile && o.Name == "orders\u202e"
	}
	if !found {
		t.Errorf("--json must keep the names exact (as escapes): %+v", st.Snapshot.Objects)
	}
}
