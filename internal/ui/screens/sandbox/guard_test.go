package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/duckdb"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
	"github.com/datatui/datatui/internal/workspace"
)

// TestBrokenConfigIsReadOnly: with a typo in datatui.yml the screen still lists the sandbox
// (with a banner naming the error) and neither refresh nor drop sends anything: the default
// names are not the team's, so SANDBOX_ANN CLONE ANALYTICS_CLONE is never sent.
func TestBrokenConfigIsReadOnly(t *testing.T) {
	s := sftest.New(t)
	s.RequirePassword("s3cret")
	s.LoginAs("ANN")
	s.HasDatabase("SANDBOX_ANN", warehouse.OwnerMark("ANN"))
	s.On(`SHOW SCHEMAS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "database_name", "owner"}, sftest.Row(sftest.TS(clonedAt), "MARTS", "SANDBOX_ANN", "CONTRIBUTOR")))
	s.On(`SHOW OBJECTS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "database_name", "schema_name", "kind", "rows", "bytes"}))
	s.On(`SHOW DATABASES`, sftest.Text(sftest.DatabaseColumns, sftest.Row(sftest.TS(clonedAt), "SANDBOX_ANN", "", "CONTRIBUTOR", "")))
	s.On(`CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`, sftest.OK("ok"))
	host, port := s.HostPort()
	dir := t.TempDir()
	files := map[string]string{
		"dbt_project.yml": "name: shop\nprofile: shop\n",
		"profiles.yml": "shop:\n  target: dev\n  outputs:\n    dev: {type: snowflake, account: test, user: ann, password: s3cret, database: SANDBOX_ANN, schema: marts, host: " +
			host + ", port: " + strconv.Itoa(port) + ", protocol: http}\n",
		// The team lists ANALYTICS_CLONE as protected, but the key is misspelt.
		"datatui.yml": "version: 1\nwarehouse:\n  clone_database: GOLDEN\n  protectd: [ANALYTICS_CLONE]\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err == nil || ws == nil || ws.ConfigErr == nil {
		t.Fatalf("datatui.yml read without an error: %v", err)
	}
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())}
	h := &harness{t: t, c: c, ws: ws}
	h.m = newModel(c, serviceOpener(c.Svc()), func() time.Time { return fixedNow })
	h.start()
	if h.m.snap == nil {
		t.Fatalf("not listed: %v", h.m.err)
	}
	v := h.view(140, 30)
	if !strings.Contains(v, "! Read-only: datatui.yml has an error") || !strings.Contains(v, "protectd") {
		t.Errorf("no banner naming the error:\n%s", v)
	}
	h.key("R")
	h.key("y")
	h.selectSchema("MARTS")
	h.key("D")
	h.key("y")
	if h.m.dialog != nil || h.m.writeTask.ID() != 0 {
		t.Error("a write was offered")
	}
	for _, st := range s.Statements() {
		if strings.HasPrefix(st, "CREATE") || strings.HasPrefix(st, "DROP") || strings.HasPrefix(st, "COMMENT") {
			t.Errorf("sent %q with a broken datatui.yml", st)
		}
	}
	// Even called directly, the engine the screen opens refuses.
	w, _, err := c.Svc().OpenWarehouse(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var re *warehouse.RefusedError
	if err := w.Refresh(context.Background(), "SANDBOX_ANN"); !errors.As(err, &re) || !strings.Contains(err.Error(), "datatui.yml has an error") {
		t.Errorf("engine refresh: %v", err)
	}
	if err := w.DropSchema(context.Background(), "SANDBOX_ANN", "MARTS"); !errors.As(err, &re) {
		t.Errorf("engine drop: %v", err)
	}
}

// TestDropFollowsNoLinkIntoProd: the dev target's file is a symlink (or a hard link) to
// prod.duckdb; dropping a schema from the screen is refused by file identity and prod keeps
// its marts.
func TestDropFollowsNoLinkIntoProd(t *testing.T) {
	for _, mk := range []struct {
		name string
		fn   func(string, string) error
	}{{"symlink", os.Symlink}, {"hard link", os.Link}} {
		t.Run(mk.name, func(t *testing.T) {
			h := newDuckDBHarness(t)
			wh := filepath.Join(h.ws.ProjectDir, "warehouse")
			sandbox, prod := filepath.Join(wh, "sandbox.duckdb"), filepath.Join(wh, "prod.duckdb")
			if err := os.Remove(sandbox); err != nil {
				t.Fatal(err)
			}
			if err := mk.fn(prod, sandbox); err != nil {
				t.Fatal(err)
			}
			h.start()
			if h.m.snap == nil {
				t.Fatalf("not listed: %v", h.m.err)
			}
			h.selectSchema("marts")
			h.key("D")
			h.key("y")
			if h.m.err == nil || !strings.Contains(h.m.err.Error(), "production database's file") {
				t.Errorf("drop: %v", h.m.err)
			}
			h.key("R")
			h.key("y")
			if h.m.err == nil || !strings.Contains(h.m.err.Error(), "refusing to write") {
				t.Errorf("refresh: %v", h.m.err)
			}
			p, err := duckdb.New(duckdb.Options{SandboxPath: prod})
			if err != nil {
				t.Fatal(err)
			}
			schemas, err := p.ListSchemas(context.Background(), "prod")
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, s := range schemas {
				found = found || s.Name == "marts"
			}
			if !found {
				t.Error("prod lost its marts")
			}
		})
	}
}
