package sandbox

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/demo"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/warehouse/engines"
	"github.com/datatui/datatui/internal/warehouse/warehousetest"
	"github.com/datatui/datatui/internal/workspace"
)

var (
	clonedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	fixedNow = clonedAt.Add(9*24*time.Hour + 3*time.Hour)
)

// harness drives the screen through uitest, as the root would.
type harness struct {
	t  *testing.T
	m  *Model
	c  *common.Common
	ws *workspace.Workspace
	d  *uitest.Driver
}

// demoProject writes the demo project into a temp dir and opens it as a workspace; its
// warehouse is not built.
func demoProject(t testing.TB) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Write(dir); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// demoWorkspace is the demo project with its DuckDB files built, with a fixed clone time.
func demoWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	ws := demoProject(t)
	if err := demo.BuildWarehouse(context.Background(), ws.ProjectDir, demo.WarehouseOptions{ClonedAt: clonedAt, MetaDir: ws.StateDir}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// stableOpener opens the demo's DuckDB files and hides what differs between machines (the
// OS user, the file's exact size).
func stableOpener(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
	w, t, err := connect.Open(ctx, ws, connect.Options{})
	if err != nil {
		return nil, nil, err
	}
	return stable{w}, t, nil
}

// demoWarehouse is the in-memory fake of the demo's warehouse for ws: what
// demo.BuildWarehouse builds, changed by edits, with the write guard connect.Open builds from
// the workspace's profiles.yml and datatui.yml. It also returns the dev target connect.Open
// returns.
func demoWarehouse(t testing.TB, ws *workspace.Workspace, edits ...func(*warehousetest.Seed)) (*warehousetest.Warehouse, *profiles.Target) {
	t.Helper()
	prof, err := profiles.LoadProfile(profiles.ProfilesOptions{ProjectDir: ws.ProjectDir})
	if err != nil {
		t.Fatal(err)
	}
	target, err := prof.Target(ws.Config.DBT.Target)
	if err != nil {
		t.Fatal(err)
	}
	policy, write, err := engines.Default().ForTarget(ws.Config, ws.ConfigErr, prof, target, ws.ProjectDir)
	if err != nil {
		t.Fatal(err)
	}
	seed := warehousetest.Demo(warehousetest.DemoOptions{Policy: policy, Target: write.Target, User: "ann",
		Dir: filepath.Join(ws.ProjectDir, "warehouse"), ClonedAt: clonedAt, BuiltAt: clonedAt, Now: func() time.Time { return fixedNow }})
	for _, edit := range edits {
		edit(&seed)
	}
	return warehousetest.New(seed), target
}

// fakeOpener opens w on target as stableOpener opens the demo's files.
func fakeOpener(w *warehousetest.Warehouse, target *profiles.Target) Opener {
	return func(ctx context.Context, _ *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		return stable{w}, target, nil
	}
}

type stable struct{ warehouse.Warehouse }

func (s stable) Identity(ctx context.Context) (warehouse.Identity, error) {
	id, err := s.Warehouse.Identity(ctx)
	id.User = "ann"
	return id, err
}

func (s stable) Database(ctx context.Context, name string) (warehouse.Database, error) {
	d, err := s.Warehouse.Database(ctx, name)
	d.Bytes = 3_670_016
	return d, err
}

func (s stable) LastAltered(ctx context.Context, db string) (map[string]time.Time, error) {
	return map[string]time.Time{"marts.dim_users": clonedAt}, ctx.Err()
}

// newHarness drives the screen on the demo project over the in-memory fake of its warehouse
// (changed by edits first), for tests that need some warehouse rather than DuckDB's own
// behaviour.
func newHarness(t *testing.T, edits ...func(*warehousetest.Seed)) *harness {
	t.Helper()
	ws := demoProject(t)
	return harnessFor(t, ws, fakeOpener(demoWarehouse(t, ws, edits...)))
}

// newDuckDBHarness drives the screen over the demo's real DuckDB files, for tests whose
// point is what the DuckDB engine does with them.
func newDuckDBHarness(t *testing.T) *harness {
	t.Helper()
	return harnessFor(t, demoWorkspace(t), stableOpener)
}

// opening makes the screen open its warehouse with open instead; before start.
func (h *harness) opening(open Opener) *harness {
	h.m.open = open
	return h
}

func harnessFor(t *testing.T, ws *workspace.Workspace, open Opener) *harness {
	t.Helper()
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())}
	h := &harness{t: t, c: c, ws: ws}
	h.m = newModel(c, open, func() time.Time { return fixedNow })
	return h
}

// start runs the screen's Init and everything it leads to, at 100×30.
func (h *harness) start() {
	h.t.Helper()
	h.d = uitest.Screen(h.t, h.m, h.c, 100, 30)
}

func (h *harness) key(keys ...string) {
	h.t.Helper()
	h.d.Key(keys...)
}

// view is the frame at w×hgt, checked to fill exactly that size.
func (h *harness) view(w, hgt int) string {
	h.t.Helper()
	h.d.Resize(w, hgt)
	v := h.d.View()
	uitest.CheckSize(h.t, v, w, hgt)
	return v
}

func (h *harness) status() []string { return h.d.Statuses() }

func (h *harness) lastStatus() string {
	s := h.status()
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func (h *harness) selectSchema(name string) {
	h.t.Helper()
	for i, r := range h.m.schList.Items() {
		if r.Name == name && h.m.schList.Select(i) {
			return
		}
	}
	h.t.Fatalf("no schema %s", name)
}

func (h *harness) selectObject(name string) {
	h.t.Helper()
	for i, o := range h.m.objList.Items() {
		if o.Name == name && h.m.objList.Select(i) {
			return
		}
	}
	h.t.Fatalf("no object %s", name)
}

func TestGoldens(t *testing.T) {
	h := newHarness(t)
	h.start()
	if h.m.snap == nil || h.m.err != nil {
		t.Fatalf("not loaded: %v", h.m.err)
	}
	t.Run("schemas", h.d.Goldens)
	h.selectSchema("marts")
	h.key("enter")
	t.Run("objects", h.d.Goldens)
	h.selectObject("dim_users")
	h.key("enter")
	t.Run("table", h.d.Goldens)
	h.key("p")
	t.Run("preview", h.d.Goldens)
	h.key("esc", "esc", "esc", "m")
	t.Run("missing", h.d.Goldens)
	h.key("esc", "R")
	t.Run("confirm_refresh", h.d.Goldens)
}

func TestNavigationAndCopy(t *testing.T) {
	h := newHarness(t)
	h.start()
	if h.m.level != levelSchemas || h.m.schList.Index() != 0 {
		t.Fatal("does not start on the sandbox's schemas")
	}
	h.key("j", "j")
	if h.m.schList.Index() != 2 {
		t.Errorf("cursor %d", h.m.schList.Index())
	}
	h.key("G", "k", "g")
	if h.m.schList.Index() != 0 {
		t.Errorf("g: cursor %d", h.m.schList.Index())
	}
	h.selectSchema("marts")
	h.key("y")
	if got := h.lastStatus(); got != `Copied "sandbox"."marts"` {
		t.Errorf("status %v", got)
	}
	h.key("enter")
	if h.m.level != levelObjects || h.m.schema != "marts" {
		t.Fatalf("enter: level %d schema %s", h.m.level, h.m.schema)
	}
	h.key("y")
	if got := h.lastStatus(); got != `Copied "sandbox"."marts"."dim_merchants"` {
		t.Errorf("copy object: %s", got)
	}
	h.key("esc", "esc")
	if h.m.level != levelDatabases {
		t.Fatalf("esc esc: level %d", h.m.level)
	}
	v := h.view(100, 30)
	for _, want := range []string{"▸ sandbox", "clone", "prod"} {
		if !strings.Contains(v, want) {
			t.Errorf("databases view lacks %q:\n%s", want, v)
		}
	}
	// Entering the sandbox goes back to its schemas; other databases are for reference.
	for i, d := range h.m.dbList.Items() {
		if d.Name == "prod" {
			h.m.dbList.Select(i)
		}
	}
	h.key("enter")
	if h.m.level != levelDatabases || !strings.Contains(h.lastStatus(), "for reference") {
		t.Errorf("entering prod: level %d %v", h.m.level, h.status())
	}
	// The mouse wheel scrolls.
	h.key("esc", "right")
	h.m.level = levelSchemas
	h.d.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if h.m.schList.Index() == 0 {
		t.Error("wheel did not move")
	}
}

// TestFilterEveryList: / filters the schemas, the objects and a table's columns; enter opens
// the match at once and esc clears the filter.
func TestFilterEveryList(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.key("/")
	if !h.m.Capturing() {
		t.Fatal("the filter does not take the keyboard")
	}
	h.d.Type("mrt")
	if h.m.schList.Len() != 1 || !strings.Contains(h.view(100, 30), "1 of 5 schemas") {
		t.Fatalf("schema filter: %d\n%s", h.m.schList.Len(), h.view(100, 30))
	}
	h.key("enter")
	if h.m.level != levelObjects || h.m.schema != "marts" {
		t.Fatalf("enter on the filtered schema: level %d schema %q", h.m.level, h.m.schema)
	}
	h.key("/")
	h.d.Type("users")
	if o, ok := h.m.objList.Selected(); !ok || o.Name != "dim_users" || h.m.objList.Len() != 1 {
		t.Fatalf("object filter: %+v %d", o, h.m.objList.Len())
	}
	h.key("enter")
	if h.m.level != levelTable || h.m.detail == nil || len(h.m.detail.Columns) == 0 {
		t.Fatalf("table: level %d %+v", h.m.level, h.m.detail)
	}
	n := h.m.colList.Len()
	h.key("/")
	h.d.Type("user_id")
	if h.m.colList.Len() == 0 || h.m.colList.Len() >= n {
		t.Errorf("column filter: %d of %d", h.m.colList.Len(), n)
	}
	h.key("esc")
	if h.m.colList.Len() != n || h.m.level != levelTable {
		t.Errorf("esc clears the filter and stays: %d of %d, level %d", h.m.colList.Len(), n, h.m.level)
	}
}

// TestTableDetail: enter on a table shows its columns with DuckDB's types and the dbt node
// that builds it; p reads its first rows from the sandbox's file (no confirmation on DuckDB:
// no warehouse runs); the bytes DuckDB cannot know are said once.
func TestTableDetail(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.selectSchema("raw")
	h.key("enter")
	v := h.view(120, 40)
	if !strings.Contains(v, "DuckDB keeps no size per table") || strings.Contains(v, "BYTES") {
		t.Errorf("bytes column of dashes:\n%s", v)
	}
	h.selectObject("merchants")
	h.key("enter")
	v = h.view(120, 40)
	for _, want := range []string{`"sandbox"."raw"."merchants" · table · 22 rows`, "Built by seed merchants (seeds/raw/merchants.csv) · not in target/run_results.json", "merchant_id", "BIGINT", "commission_rate"} {
		if !strings.Contains(v, want) {
			t.Errorf("table view lacks %q:\n%s", want, v)
		}
	}
	h.key("p")
	if h.m.dialog != nil {
		t.Fatal("a DuckDB preview asked for confirmation")
	}
	v = h.view(120, 40)
	for _, want := range []string{"First 20 rows, read from your sandbox's file", "FreshCart"} {
		if !strings.Contains(v, want) {
			t.Errorf("preview lacks %q:\n%s", want, v)
		}
	}
	h.key("esc")
	if h.m.showPreview || h.m.level != levelTable {
		t.Error("esc does not go back to the columns")
	}
}

// TestPreviewOnSnowflakeAsksFirst: a preview on Snowflake says it runs on the warehouse
// before anything runs, and a preview outside the sandbox is refused by the read guard.
func TestPreviewOnSnowflakeAsksFirst(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.selectSchema("marts")
	h.key("enter", "enter")
	h.m.snap.Engine, h.m.snap.Identity.Warehouse = "snowflake", "TRANSFORMING"
	h.key("p")
	if h.m.dialog == nil {
		t.Fatal("no confirmation")
	}
	v := h.view(100, 30)
	for _, want := range []string{"Read the first 20 rows of dim_merchants?", `SELECT * FROM "sandbox"."marts"."dim_merchants" LIMIT 20`, "TRANSFORMING, which bills its running time"} {
		if !strings.Contains(v, want) {
			t.Errorf("dialog lacks %q:\n%s", want, v)
		}
	}
	h.key("n")
	if h.m.detail.Preview != nil {
		t.Error("n read the rows")
	}
	h.m.detail.Object.Database = "prod"
	h.key("p")
	if h.m.dialog != nil || h.m.err == nil || !strings.Contains(h.m.err.Error(), "refusing to read prod") {
		t.Errorf("preview of prod: dialog %v err %v", h.m.dialog, h.m.err)
	}
}

// TestMissingModelsAndBuild: the "models not built" line opens the full list; B offers to
// build them (the filtered ones when filtered) and hands the run to the Runs screen.
func TestMissingModelsAndBuild(t *testing.T) {
	h := newHarness(t)
	h.start()
	if v := h.view(120, 40); !strings.Contains(v, "7 models not built (m lists, B builds): fct_cashback_earned, ") || !strings.Contains(v, ", +3") {
		t.Fatalf("header:\n%s", v)
	}
	h.key("m")
	if h.m.level != levelMissing || h.m.misList.Len() != 7 {
		t.Fatalf("missing list: level %d, %d", h.m.level, h.m.misList.Len())
	}
	v := h.view(120, 40)
	for _, want := range []string{"kpi_weekly", "offers_snapshot", "stg_app_events"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing list lacks %q:\n%s", want, v)
		}
	}
	h.key("/")
	h.d.Type("stg_")
	h.key("enter", "B")
	if h.m.dialog == nil || !strings.Contains(h.view(120, 40), "Build 2 models in your sandbox?") {
		t.Fatalf("build dialog:\n%s", h.view(120, 40))
	}
	h.key("y")
	runs := uitest.Of[common.RunDBTMsg](h.d)
	if len(runs) != 1 || strings.Join(runs[0].Args, " ") != "build --select stg_app_events stg_cashback_payouts" {
		t.Errorf("runs %+v", runs)
	}
}

type needsBrowser struct{ stable }

func (needsBrowser) Interactive() bool { return true }

// TestNoBrowserLoginAtStart: the start-up load does not begin a login that opens a browser;
// r does.
func TestNoBrowserLoginAtStart(t *testing.T) {
	opened := 0
	h := newHarness(t)
	openDemo := h.m.open
	h.opening(func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		w, tg, err := openDemo(ctx, ws)
		if err != nil {
			return nil, nil, err
		}
		opened++
		return needsBrowser{w.(stable)}, tg, nil
	})
	h.start()
	if h.m.snap != nil || !h.m.needsLogin {
		t.Fatal("the start-up load went on to log in")
	}
	if v := h.view(100, 10); !strings.Contains(v, "Press r to sign in to the warehouse (your browser opens)") {
		t.Errorf("view:\n%s", v)
	}
	h.key("r")
	if h.m.snap == nil || h.m.needsLogin || opened != 2 {
		t.Errorf("r did not load: %v", h.m.err)
	}
}

// TestCancelLoading: x cancels a load that is waiting on the warehouse. It steps the task by
// hand: the driver would wait for the load, which never ends on its own.
func TestCancelLoading(t *testing.T) {
	h := newHarness(t).opening(func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		<-ctx.Done() // a warehouse that never answers
		return nil, nil, ctx.Err()
	})
	h.m.SetSize(80, 6)
	load := h.m.load(false)
	ev, ok := load().(tasks.EventMsg) // "connecting"
	if !ok {
		t.Fatal("no progress event")
	}
	h.m.Update(ev)
	if v := ansi.Strip(h.m.View()); !strings.Contains(v, "Connecting to the warehouse… (connecting; x to cancel)") {
		t.Errorf("loading view:\n%s", v)
	}
	h.m.Update(uitest.KeyMsg("x"))
	done, ok := h.c.Tasks.Continue(ev.ID)().(tasks.DoneMsg)
	if !ok {
		t.Fatal("no result after cancelling")
	}
	cmd := h.m.Update(done)
	if h.m.loadTask.ID() != 0 || h.m.err != nil || cmd == nil {
		t.Fatalf("after cancel: id %d err %v", h.m.loadTask.ID(), h.m.err)
	}
	if st, ok := cmd().(common.StatusMsg); !ok || st.Text != "Stopped loading the sandbox listing" {
		t.Errorf("status %+v", st)
	}
}

func TestCardLines(t *testing.T) {
	ws := &workspace.Workspace{StateDir: t.TempDir()}
	cl, err := CardLines(context.Background(), ws)
	lines := styles.PlainLines(cl, fixedNow)
	if err != nil || len(lines) != 1 || !strings.Contains(lines[0], "Open the Sandbox tab") {
		t.Errorf("no cache: %v %v", lines, err)
	}
	snap := manyObjects(3)
	snap.Taken = fixedNow
	snap.Role, snap.Identity.Role = warehouse.RoleAdmin, "SYSADMIN"
	if err := warehouse.SaveSnapshot(ws.StateDir, snap); err != nil {
		t.Fatal(err)
	}
	cl, err = CardLines(context.Background(), ws)
	lines = styles.PlainLines(cl, fixedNow)
	if err != nil || len(lines) != 3 || !strings.HasPrefix(lines[0], "SANDBOX_ANN: cloned ") || !strings.Contains(lines[1], "admin role SYSADMIN") {
		t.Errorf("card %q %v", lines, err)
	}
}

func TestLastAlteredOnDemand(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.selectSchema("marts")
	h.key("enter")
	want := clonedAt.Format("2006-01-02 15:04")
	if v := h.view(120, 20); strings.Contains(v, want) || strings.Contains(v, "LAST ALTERED") || !strings.Contains(v, "a: when each last changed") {
		t.Fatalf("last altered shown before it was asked for:\n%s", v)
	}
	h.key("a")
	if v := h.view(120, 20); !strings.Contains(v, want) || !strings.Contains(v, "LAST ALTERED") {
		t.Errorf("last altered not shown:\n%s", v)
	}
	// a says what it did: what it asked, and what it found.
	st := h.status()
	if len(st) < 2 || st[len(st)-2] != "Reading when each table of sandbox last changed…" || st[len(st)-1] != "Loaded when 1 table last changed" {
		t.Errorf("statuses %q", st)
	}
}

func TestRefreshAndDropWithConfirmation(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.selectSchema("offers_v1")
	h.key("D")
	v := h.view(100, 30)
	for _, want := range []string{"Drop schema offers_v1?", "Drop schema sandbox.offers_v1 and everything in it: 1 table, 0 views.", "offer_redemptions_old"} {
		if !strings.Contains(v, want) {
			t.Errorf("drop dialog lacks %q:\n%s", want, v)
		}
	}
	if !h.m.Capturing() {
		t.Error("the dialog must take every key")
	}
	h.key("n")
	if h.m.dialog != nil || !hasSchema(h.m, "offers_v1") {
		t.Fatal("n did not cancel")
	}
	h.key("D", "y")
	if hasSchema(h.m, "offers_v1") || h.lastStatus() != "Dropped schema sandbox.offers_v1" {
		t.Errorf("after drop: %v", h.status())
	}
	// Refresh brings the clone's content back (the left-over schema is not in the clone, so
	// drop something the clone has first).
	h.selectSchema("marts")
	h.key("D")
	if v := h.view(100, 30); !strings.Contains(v, "Models of this project build into it") {
		t.Errorf("dropping a used schema does not say so:\n%s", v)
	}
	h.key("y")
	if hasSchema(h.m, "marts") {
		t.Fatal("marts not dropped")
	}
	h.key("R")
	v = h.view(100, 30)
	for _, want := range []string{"Refresh sandbox?", "Replace your sandbox (sandbox) with a fresh copy of the team's clone (clone).", "Everything now in sandbox is lost: 3 schemas"} {
		if !strings.Contains(v, want) {
			t.Errorf("refresh dialog lacks %q:\n%s", want, v)
		}
	}
	h.key("y")
	if !hasSchema(h.m, "marts") || h.lastStatus() != "Refreshed sandbox from clone" {
		t.Errorf("after refresh: %v", h.status())
	}
	if v := h.view(100, 30); !strings.Contains(v, "copied today from clone") {
		t.Errorf("header after refresh:\n%s", v)
	}
}

func hasSchema(m *Model, name string) bool {
	for _, r := range m.schList.Items() {
		if r.Name == name {
			return true
		}
	}
	return false
}

func TestRefusedWriteIsNeverStarted(t *testing.T) {
	h := newHarness(t)
	h.start()
	h.m.snap.Policy.Sandbox = "prod" // as if the dev target pointed at prod
	h.m.snap.Sandbox.Name = "prod"
	h.key("R")
	if h.m.dialog != nil || h.m.writeTask.ID() != 0 {
		t.Fatal("a refresh of prod was offered")
	}
	v := h.view(100, 30)
	if !strings.Contains(v, "refusing to write prod: it is the production database") || !strings.Contains(v, "Read the guide “Your sandbox database” (press o)") {
		t.Errorf("refusal not shown:\n%s", v)
	}
	h.key("D")
	if h.m.dialog != nil {
		t.Error("a drop in prod was offered")
	}
}

func TestErrorsNameTheGuide(t *testing.T) {
	failing := func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		return nil, nil, &warehouse.Error{Op: "listing the schemas of SANDBOX_ANN", Kind: warehouse.KindPermission, Guide: warehouse.GuideRoles,
			Err: errors.New("002003 (02000): SQL compilation error:\nDatabase 'SANDBOX_ANN' does not exist or not authorized.")}
	}
	h := newHarness(t).opening(failing)
	h.start()
	v := h.view(120, 20)
	for _, want := range []string{"✗ listing the schemas of SANDBOX_ANN: 002003 (02000): SQL compilation error:",
		// the error's second line says what is wrong: it is shown, not cut off
		"Database 'SANDBOX_ANN' does not exist or not authorized.",
		"Read the guide “Roles and permissions” (press o)"} {
		if !strings.Contains(v, want) {
			t.Errorf("error view lacks %q:\n%s", want, v)
		}
	}
	h.key("o")
	if g := uitest.Of[common.OpenGuideMsg](h.d); len(g) != 1 || g[0] != (common.OpenGuideMsg{Slug: warehouse.GuideRoles}) {
		t.Errorf("o sent %v", g)
	}
}

func TestCachedFirstPaintAndStaleResults(t *testing.T) {
	h := newHarness(t)
	cached := &warehouse.Snapshot{Engine: "duckdb", Exists: true, Policy: warehouse.Policy{Sandbox: "sandbox", Clone: "clone"},
		Sandbox: warehouse.Database{Name: "sandbox", Created: clonedAt.Add(-30 * 24 * time.Hour), Bytes: 1024}, RefreshPolicyDays: 7,
		Schemas: []warehouse.Schema{{Name: "cached_schema"}}}
	if err := warehouse.SaveSnapshot(h.ws.StateDir, cached); err != nil {
		t.Fatal(err)
	}
	h.m.SetSize(100, 20)
	cmd := h.m.Init()
	// Run only the cache task: the screen paints from it.
	batch := cmd().(tea.BatchMsg)
	first := batch[0]()
	h.c.Tasks.Handle(first) // as the root does: the result is taken
	h.m.Update(first)
	v := ansi.Strip(h.m.View())
	if !strings.Contains(v, "cached_schema") || !strings.Contains(v, "copied 39 days ago from clone") || !strings.Contains(v, "cached listing; loading the live one") {
		t.Errorf("cached paint:\n%s", v)
	}
	// Then the live load, as the root delivers it.
	for msg := batch[1](); msg != nil; {
		_, next, _ := h.c.Tasks.Handle(msg)
		h.m.Update(msg)
		if next == nil {
			break
		}
		msg = next()
	}
	if hasSchema(h.m, "cached_schema") || !hasSchema(h.m, "marts") {
		t.Error("the live listing did not replace the cache")
	}
	// A result of a task the screen no longer waits for is ignored.
	before := h.m.snap
	h.m.Update(tasks.DoneMsg{ID: 999, Owner: ID, Result: loadResult{snap: cached}})
	if h.m.snap != before {
		t.Error("a stale result replaced the listing")
	}
}

func TestHeaderRoles(t *testing.T) {
	h := newHarness(t)
	snap := &warehouse.Snapshot{Engine: "snowflake", Exists: true, Identity: warehouse.Identity{User: "ANN", Role: "SYSADMIN"}, Role: warehouse.RoleAdmin,
		ContributorRole: "TRANSFORMER", Policy: warehouse.Policy{Sandbox: "SANDBOX_ANN", Clone: "ANALYTICS_CLONE"}, RefreshPolicyDays: 14,
		Sandbox: warehouse.Database{Name: "SANDBOX_ANN", Created: fixedNow.Add(-9 * 24 * time.Hour), Origin: "ANALYTICS_CLONE", Bytes: -1}}
	h.m.setSnapshot(snap, false)
	h.m.SetSize(140, 10)
	view := func() string { return ansi.Strip(h.m.View()) }
	for _, want := range []string{"Sandbox · your database “SANDBOX_ANN” on Snowflake", "role ! SYSADMIN is an admin role: the team works as TRANSFORMER", "copied 9 days ago from ANALYTICS_CLONE · policy: refresh every 14 days"} {
		if v := view(); !strings.Contains(v, want) {
			t.Errorf("header lacks %q:\n%s", want, v)
		}
	}
	snap.Role, snap.Identity.Role = warehouse.RoleContributor, "TRANSFORMER"
	if v := view(); !strings.Contains(v, "role TRANSFORMER ✓") {
		t.Errorf("contributor header:\n%s", v)
	}
	snap.Exists = false
	if v := view(); !strings.Contains(v, "Your sandbox does not exist yet: press R to copy it from the team's clone (ANALYTICS_CLONE)") {
		t.Errorf("missing sandbox header:\n%s", v)
	}
}

func TestTinySizesAndNoWorkspace(t *testing.T) {
	h := newHarness(t)
	h.start()
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {5, 3}, {20, 4}, {200, 2}} {
		h.m.SetSize(sz[0], sz[1])
		_ = h.m.View()
		h.key("j", "G")
	}
	m := New(&common.Common{Ctx: context.Background(), Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())})
	if m.Init() != nil || m.ID() != "sandbox" || m.Title() != "Sandbox" {
		t.Error("screen without a workspace")
	}
	m.SetSize(40, 5)
	if !strings.Contains(ansi.Strip(m.View()), "Sandbox") {
		t.Error(m.View())
	}
}

// manyObjects is a snapshot with n objects across 20 schemas.
func manyObjects(n int) *warehouse.Snapshot {
	s := &warehouse.Snapshot{Engine: "snowflake", Exists: true, Policy: warehouse.Policy{Sandbox: "SANDBOX_ANN", Clone: "ANALYTICS_CLONE"},
		Sandbox: warehouse.Database{Name: "SANDBOX_ANN", Created: clonedAt, Bytes: -1}, Role: warehouse.RoleContributor, Identity: warehouse.Identity{Role: "CONTRIBUTOR"}}
	for i := 0; i < 20; i++ {
		s.Schemas = append(s.Schemas, warehouse.Schema{Name: fmt.Sprintf("SCHEMA_%02d", i)})
	}
	for i := 0; i < n; i++ {
		s.Objects = append(s.Objects, warehouse.Object{Database: "SANDBOX_ANN", Schema: fmt.Sprintf("SCHEMA_%02d", i%20), Name: fmt.Sprintf("TABLE_%05d", i),
			Kind: warehouse.KindTable, Rows: int64(i * 100), Bytes: int64(i * 4096), LastAltered: clonedAt})
	}
	warehouse.SortObjects(s.Objects)
	return s
}

// BenchmarkFirstPaintFromCache measures what the screen does before its first frame when a
// listing is cached: read and decode the cache, then render.
func BenchmarkFirstPaintFromCache(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "state")
	if err := warehouse.SaveSnapshot(dir, manyObjects(5000)); err != nil {
		b.Fatal(err)
	}
	c := &common.Common{Ctx: context.Background(), Styles: styles.New(true, false), Tasks: tasks.NewManager(context.Background())}
	for b.Loop() {
		m := newModel(c, stableOpener, func() time.Time { return fixedNow })
		m.SetSize(120, 40)
		snap, err := warehouse.LoadSnapshot(dir)
		if err != nil {
			b.Fatal(err)
		}
		m.setSnapshot(snap, true)
		_ = m.View()
	}
}

// BenchmarkView5000Objects is one frame of a schema holding 5,000 objects, scrolled midway.
func BenchmarkView5000Objects(b *testing.B) {
	c := &common.Common{Ctx: context.Background(), Styles: styles.New(true, false), Tasks: tasks.NewManager(context.Background())}
	m := newModel(c, stableOpener, func() time.Time { return fixedNow })
	snap := manyObjects(5000)
	for i := range snap.Objects {
		snap.Objects[i].Schema = "SCHEMA_00"
	}
	m.schema = "SCHEMA_00"
	m.setSnapshot(snap, false)
	m.SetSize(120, 40)
	m.level = levelObjects
	m.objList.Move(2500)
	for b.Loop() {
		_ = m.View()
		m.objList.Move(1)
	}
}

// hostileSchema is issue 11's schema name: it retitles the window (OSC 0) and turns the rest
// of the screen red (SGR).
const hostileSchema = "evil\x1b]0;PWNED\x07\x1b[31m"

// TestHostileNamesAreShownNotObeyed adds the hostile schema (and a table in it) to the demo
// sandbox, lists it, and checks the frame carries the name's control characters as visible
// pictures, never as bytes a terminal would obey.
func TestHostileNamesAreShownNotObeyed(t *testing.T) {
	h := newHarness(t, func(s *warehousetest.Seed) {
		sb := s.Database(demo.SandboxDatabase)
		sb.Schemas = append(sb.Schemas, warehousetest.Schema{Schema: warehouse.Schema{Name: hostileSchema}, Objects: []warehousetest.Object{{
			Object:  warehouse.Object{Name: "t\u202egpj", Kind: warehouse.KindTable, Rows: 0, Bytes: -1},
			Columns: []warehouse.Column{{Name: "x", Type: "INTEGER", Nullable: true}},
		}}})
	})
	h.start()
	if !hasSchema(h.m, hostileSchema) {
		t.Fatalf("the hostile schema was not listed: %v", h.m.err)
	}
	h.d.Resize(140, 30)
	raw := h.d.Styled()
	h.selectSchema(hostileSchema)
	h.key("enter")
	raw += h.d.Styled()
	h.key("enter") // the table's own view
	raw += h.d.Styled()
	h.key("esc", "esc")
	h.key("D") // the drop confirmation names it too
	raw += h.d.Styled()
	for _, bad := range []string{"\x1b]", "\x07", "\x1b[31m", "\u202e"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the frame holds %q from the schema name", bad)
		}
	}
	for _, want := range []string{"evil␛]0;PWNED␇␛[31m", "t<U+202E>gpj"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the frame does not show %q:\n%s", want, ansi.Strip(raw))
		}
	}
}

// TestWarehouseErrorsAreCleaned: an error that echoes a credential or carries escapes is
// drawn without either.
func TestWarehouseErrorsAreCleaned(t *testing.T) {
	redact.Add("hunter2-sandbox-pw")
	failing := func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *profiles.Target, error) {
		return nil, nil, errors.New("390100 (08004): Incorrect username or password was specified: user=ann password=hunter2-sandbox-pw \x1b]0;x\x07")
	}
	h := newHarness(t).opening(failing)
	h.start()
	h.d.Resize(200, 10)
	raw := h.d.Styled()
	if strings.Contains(raw, "hunter2-sandbox-pw") || strings.Contains(raw, "\x1b]0") {
		t.Errorf("error view leaks:\n%q", raw)
	}
	if !strings.Contains(ansi.Strip(raw), "Incorrect username or password was specified: user=ann password=[redacted]") {
		t.Errorf("error view:\n%s", ansi.Strip(raw))
	}
}

// TestCopyOlderThanTheLastLoad: when dbt's last freshness check saw rows newer than the
// sandbox's copy, the header says so and offers the refresh; when it did not, nothing is said.
func TestCopyOlderThanTheLastLoad(t *testing.T) {
	h := newHarness(t)
	h.start()
	if v := h.view(120, 30); strings.Contains(v, "older than the last load") {
		t.Fatalf("no newer load known, yet:\n%s", v)
	}
	now := h.m.c.Now()
	h.m.newer = []dbt.FreshnessResult{
		{Name: "app.transactions", MaxLoadedAt: now.Add(-2 * time.Hour)},
		{Name: "app.offers", MaxLoadedAt: now.Add(-5 * time.Hour)},
	}
	if v := h.view(120, 30); !strings.Contains(v, "! Your copy is older than the last load: app.transactions got rows 2 h ago, and 1 more source (press R)") {
		t.Errorf("the header does not say the copy misses the last load:\n%s", v)
	}
}
