package ui

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/testutil/fixtures"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/screens/lineage"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

// builtProject is a dbt project whose target/ holds a real jaffle-shop build's artifacts.
func builtProject(t *testing.T) *workspace.Workspace {
	dir := dbttest.BuiltProject(t, "manifest.json", "run_results.json", "catalog.json")
	return &workspace.Workspace{Root: dir, ProjectDir: dir, StateDir: t.TempDir(), Config: config.Default()}
}

// TestArtifactsLoadedOncePerChange starts the app with Home's cards and the Lineage screen,
// which both show the project's graph: the manifest is read once between them. After a dbt
// run rewrites run_results.json, the published change makes both views ask again, and only
// that file is reread.
func TestArtifactsLoadedOncePerChange(t *testing.T) {
	ws := builtProject(t)
	svc := service.New(ws, service.Options{})
	m := New(context.Background(), ws, Options{
		NoColor: true, Theme: "dark", Info: fixedInfo, Clock: func() time.Time { return testNow }, Services: svc,
		Screens: func(c *common.Common) []common.Screen {
			return []common.Screen{home.New(c, homeCards()), lineage.New(c)}
		},
	})
	d := uitest.App(t, m, m.c.Tasks, 120, 40)
	uitest.WaitIdle(t, m.c.Tasks, 10*time.Second)
	st := svc.Artifacts()
	if got := st.Loads(); got[artifacts.KindGraph] != 1 || got[artifacts.KindRunResults] != 1 || got[artifacts.KindCatalog] != 1 {
		t.Fatalf("at start: loads %v, want the graph, run results and catalog once each", got)
	}

	dbttest.WriteArtifact(t, fixtures.Path(t, "run-results/jaffle-shop-build-dbt1.9.0.run_results.json"), filepath.Join(ws.ProjectDir, "target", "run_results.json"))
	d.Send(common.ChangedMsg{Topic: common.TopicArtifacts, From: "runs"})
	uitest.WaitIdle(t, m.c.Tasks, 10*time.Second)
	if got := st.Loads(); got[artifacts.KindGraph] != 1 || got[artifacts.KindRunResults] != 2 || got[artifacts.KindCatalog] != 1 {
		t.Fatalf("after a run: loads %v, want only run_results.json reread", got)
	}
}
