package sandbox

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/warehouse/duckdb"
	"github.com/datatui/datatui/internal/workspace"
)

var (
	clonedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	fixedNow = clonedAt.Add(9*24*time.Hour + 3*time.Hour)
)

type harness struct {
	t      *testing.T
	m      *Model
	c      *common.Common
	ws     *workspace.Workspace
	status []string
	msgs   []tea.Msg
}

// demoWorkspace writes the demo project into a temp dir and builds its DuckDB files with a
// fixed clone time.
func demoWorkspace(t testing.TB) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	if _, err := workspace.WriteDemo(dir); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := duckdb.BuildDemo(context.Background(), dir, duckdb.DemoOptions{ClonedAt: clonedAt, MetaDir: ws.StateDir}); err != nil {
		t.Fatal(err)
	}
	return ws
}

// stableOpener hides what differs between machines (the OS user, the file's exact size).
func stableOpener(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
	w, t, err := connect.Open(ctx, ws, connect.Options{})
	if err != nil {
		return nil, nil, err
	}
	return stable{w}, t, nil
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

func newHarness(t *testing.T, open Opener) *harness {
	t.Helper()
	ws := demoWorkspace(t)
	c := &common.Common{Ctx: context.Background(), Workspace: ws, Styles: styles.New(true, true), Tasks: tasks.NewManager(context.Background())}
	h := &harness{t: t, c: c, ws: ws}
	h.m = newModel(c, open, func() time.Time { return fixedNow })
	return h
}

// run executes cmd and everything it leads to, synchronously, re-arming task readers like
// the root does and feeding task messages back into the screen.
func (h *harness) run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tasks.EventMsg:
			queue = append(queue, h.m.Update(msg), h.c.Tasks.Continue(msg.ID))
		case tasks.DoneMsg:
			queue = append(queue, h.m.Update(msg))
		case common.StatusMsg:
			h.status = append(h.status, msg.Text)
		default:
			h.msgs = append(h.msgs, msg)
		}
	}
}

func (h *harness) key(k string) {
	var msg tea.KeyPressMsg
	switch k {
	case "enter":
		msg = tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		msg = tea.KeyPressMsg{Code: tea.KeyEscape}
	default:
		msg = tea.KeyPressMsg{Code: rune(k[0]), Text: k}
	}
	h.run(h.m.Update(msg))
}

func (h *harness) view(w, hgt int) string {
	h.m.SetSize(w, hgt)
	v := ansi.Strip(h.m.View())
	lines := strings.Split(v, "\n")
	if len(lines) != hgt {
		h.t.Errorf("view has %d lines, want %d", len(lines), hgt)
	}
	for i, l := range lines {
		if ansi.StringWidth(l) != w {
			h.t.Errorf("line %d is %d wide, want %d: %q", i, ansi.StringWidth(l), w, l)
		}
	}
	return v
}

func (h *harness) selectSchema(name string) {
	h.t.Helper()
	for i, r := range h.m.schemaRows() {
		if r.Name == name {
			h.m.cursor[levelSchemas] = i
			return
		}
	}
	h.t.Fatalf("no schema %s", name)
}

func TestGoldens(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	if h.m.snap == nil || h.m.err != nil {
		t.Fatalf("not loaded: %v", h.m.err)
	}
	t.Run("schemas_80x24", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view(80, 24))) })
	t.Run("schemas_120x40", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view(120, 40))) })
	h.selectSchema("marts")
	h.key("enter")
	t.Run("objects_120x40", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view(120, 40))) })
	h.key("esc")
	h.key("R")
	t.Run("confirm_refresh_80x24", func(t *testing.T) { golden.RequireEqual(t, []byte(h.view(80, 24))) })
}

func TestNavigationAndCopy(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	h.m.SetSize(100, 30)
	if h.m.level != levelSchemas || h.m.cursor[levelSchemas] != 0 {
		t.Fatal("does not start on the sandbox's schemas")
	}
	h.key("j")
	h.key("j")
	if h.m.cursor[levelSchemas] != 2 {
		t.Errorf("cursor %d", h.m.cursor[levelSchemas])
	}
	h.key("G")
	h.key("k")
	h.key("g")
	if h.m.cursor[levelSchemas] != 0 {
		t.Errorf("g: cursor %d", h.m.cursor[levelSchemas])
	}
	h.selectSchema("marts")
	h.key("y")
	if len(h.status) == 0 || h.status[len(h.status)-1] != `Copied "sandbox"."marts"` {
		t.Errorf("status %v", h.status)
	}
	h.key("enter")
	if h.m.level != levelObjects || h.m.schema != "marts" {
		t.Fatalf("enter: level %d schema %s", h.m.level, h.m.schema)
	}
	h.key("y")
	if got := h.status[len(h.status)-1]; got != `Copied "sandbox"."marts"."dim_merchants"` {
		t.Errorf("copy object: %s", got)
	}
	h.key("esc")
	h.key("esc")
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
	for i, d := range h.m.databaseRows() {
		if d.Name == "prod" {
			h.m.cursor[levelDatabases] = i
		}
	}
	h.key("enter")
	if h.m.level != levelDatabases || !strings.Contains(h.status[len(h.status)-1], "for reference") {
		t.Errorf("entering prod: level %d %v", h.m.level, h.status)
	}
	// The mouse wheel scrolls.
	h.m.level = levelSchemas
	h.run(h.m.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown}))
	if h.m.cursor[levelSchemas] == 0 {
		t.Error("wheel did not move")
	}
}

type needsBrowser struct{ stable }

func (needsBrowser) Interactive() bool { return true }

// TestNoBrowserLoginAtStart: the start-up load does not begin a login that opens a browser;
// r does.
func TestNoBrowserLoginAtStart(t *testing.T) {
	opened := 0
	h := newHarness(t, func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
		w, tg, err := stableOpener(ctx, ws)
		if err != nil {
			return nil, nil, err
		}
		opened++
		return needsBrowser{w.(stable)}, tg, nil
	})
	h.run(h.m.Init())
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

// TestCancelLoading: x cancels a load that is waiting on the warehouse.
func TestCancelLoading(t *testing.T) {
	h := newHarness(t, func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
		<-ctx.Done() // a warehouse that never answers
		return nil, nil, ctx.Err()
	})
	load := h.m.startLoad()
	ev, ok := load().(tasks.EventMsg) // "connecting"
	if !ok {
		t.Fatal("no progress event")
	}
	h.m.Update(ev)
	if v := h.view(80, 6); !strings.Contains(v, "Connecting to the warehouse… (connecting; x to cancel)") {
		t.Errorf("loading view:\n%s", v)
	}
	h.key("x")
	h.run(h.c.Tasks.Continue(ev.ID))
	if h.m.loadID != 0 || h.m.err != nil || len(h.status) != 1 || h.status[0] != "Stopped loading the sandbox listing" {
		t.Errorf("after cancel: id %d err %v status %v", h.m.loadID, h.m.err, h.status)
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
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	h.selectSchema("marts")
	h.key("enter")
	want := clonedAt.Local().Format("2006-01-02 15:04")
	if strings.Contains(h.view(120, 20), want) {
		t.Fatal("last altered shown before it was asked for")
	}
	h.key("a")
	if v := h.view(120, 20); !strings.Contains(v, want) {
		t.Errorf("last altered not shown:\n%s", v)
	}
}

func TestRefreshAndDropWithConfirmation(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	h.m.SetSize(100, 30)
	h.selectSchema("offers_v1")
	h.key("D")
	v := h.view(100, 30)
	for _, want := range []string{"Drop schema offers_v1?", "Drop schema sandbox.offers_v1 and everything in it: 1 tables, 0 views.", "offer_redemptions_old"} {
		if !strings.Contains(v, want) {
			t.Errorf("drop dialog lacks %q:\n%s", want, v)
		}
	}
	if !h.m.Capturing() {
		t.Error("the dialog must take every key")
	}
	h.key("n")
	if h.m.confirm != nil || !hasSchema(h.m, "offers_v1") {
		t.Fatal("n did not cancel")
	}
	h.key("D")
	h.key("y")
	if hasSchema(h.m, "offers_v1") || h.status[len(h.status)-1] != "Dropped schema sandbox.offers_v1" {
		t.Errorf("after drop: %v", h.status)
	}
	// Refresh brings the clone's content back (the left-over schema is not in the clone, so
	// drop something the clone has first).
	h.selectSchema("marts")
	h.key("D")
	v = h.view(100, 30)
	if !strings.Contains(v, "Models of this project build into it") {
		t.Errorf("dropping a used schema does not say so:\n%s", v)
	}
	h.key("y")
	if hasSchema(h.m, "marts") {
		t.Fatal("marts not dropped")
	}
	h.key("R")
	v = h.view(100, 30)
	for _, want := range []string{"Refresh sandbox?", "Replace sandbox with a fresh clone of clone.", "Everything now in sandbox is lost: 3 schemas"} {
		if !strings.Contains(v, want) {
			t.Errorf("refresh dialog lacks %q:\n%s", want, v)
		}
	}
	h.key("y")
	if !hasSchema(h.m, "marts") || h.status[len(h.status)-1] != "Refreshed sandbox from clone" {
		t.Errorf("after refresh: %v", h.status)
	}
	if v := h.view(100, 30); !strings.Contains(v, "cloned today from clone") {
		t.Errorf("header after refresh:\n%s", v)
	}
}

func hasSchema(m *Model, name string) bool {
	for _, r := range m.schemaRows() {
		if r.Name == name {
			return true
		}
	}
	return false
}

func TestRefusedWriteIsNeverStarted(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	h.m.snap.Policy.Sandbox = "prod" // as if the dev target pointed at prod
	h.m.snap.Sandbox.Name = "prod"
	h.key("R")
	if h.m.confirm != nil || h.m.writeID != 0 {
		t.Fatal("a refresh of prod was offered")
	}
	v := h.view(100, 30)
	if !strings.Contains(v, "refusing to write prod: it is the production database") || !strings.Contains(v, "Read the guide your-sandbox") {
		t.Errorf("refusal not shown:\n%s", v)
	}
	h.key("D")
	if h.m.confirm != nil {
		t.Error("a drop in prod was offered")
	}
}

func TestErrorsNameTheGuide(t *testing.T) {
	failing := func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
		return nil, nil, &warehouse.Error{Op: "listing the schemas of SANDBOX_ANN", Kind: warehouse.KindPermission, Guide: warehouse.GuideRoles,
			Err: errors.New("002003 (02000): SQL compilation error:\nDatabase 'SANDBOX_ANN' does not exist or not authorized.")}
	}
	h := newHarness(t, failing)
	h.run(h.m.Init())
	v := h.view(120, 20)
	for _, want := range []string{"✗ listing the schemas of SANDBOX_ANN: 002003 (02000): SQL compilation error:", "Read the guide roles-and-permissions (press o)"} {
		if !strings.Contains(v, want) {
			t.Errorf("error view lacks %q:\n%s", want, v)
		}
	}
	h.key("o")
	if len(h.msgs) != 1 || h.msgs[0] != (common.OpenGuideMsg{Slug: warehouse.GuideRoles}) {
		t.Errorf("o sent %v", h.msgs)
	}
}

func TestCachedFirstPaintAndStaleResults(t *testing.T) {
	h := newHarness(t, stableOpener)
	cached := &warehouse.Snapshot{Engine: "duckdb", Exists: true, Policy: warehouse.Policy{Sandbox: "sandbox", Clone: "clone"},
		Sandbox: warehouse.Database{Name: "sandbox", Created: clonedAt.Add(-30 * 24 * time.Hour), Bytes: 1024}, RefreshPolicyDays: 7,
		Schemas: []warehouse.Schema{{Name: "cached_schema"}}}
	if err := warehouse.SaveSnapshot(h.ws.StateDir, cached); err != nil {
		t.Fatal(err)
	}
	cmd := h.m.Init()
	// Run only the cache task: the screen paints from it.
	batch := cmd().(tea.BatchMsg)
	h.run(batch[0])
	v := h.view(100, 20)
	if !strings.Contains(v, "cached_schema") || !strings.Contains(v, "cloned 39 days ago from clone") || !strings.Contains(v, "cached listing; loading the live one") {
		t.Errorf("cached paint:\n%s", v)
	}
	h.run(batch[1])
	if hasSchema(h.m, "cached_schema") || !hasSchema(h.m, "marts") {
		t.Error("the live listing did not replace the cache")
	}
	// A result of a task the screen no longer waits for is ignored.
	before := h.m.snap
	h.m.Update(tasks.DoneMsg{ID: 999, Owner: ID, Result: loadResult{snap: cached}})
	h.m.Update(tasks.DoneMsg{ID: h.m.loadID, Owner: "other", Result: loadResult{snap: cached}})
	if h.m.snap != before {
		t.Error("a stale result replaced the listing")
	}
}

func TestHeaderRoles(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.m.SetSize(140, 10)
	snap := &warehouse.Snapshot{Engine: "snowflake", Exists: true, Identity: warehouse.Identity{User: "ANN", Role: "SYSADMIN"}, Role: warehouse.RoleAdmin,
		ContributorRole: "TRANSFORMER", Policy: warehouse.Policy{Sandbox: "SANDBOX_ANN", Clone: "ANALYTICS_CLONE"}, RefreshPolicyDays: 14,
		Sandbox: warehouse.Database{Name: "SANDBOX_ANN", Created: fixedNow.Add(-9 * 24 * time.Hour), Origin: "ANALYTICS_CLONE", Bytes: -1}}
	h.m.snap = snap
	v := h.view(140, 10)
	for _, want := range []string{"role ! SYSADMIN is an admin role: the team works as TRANSFORMER", "cloned 9 days ago from ANALYTICS_CLONE · policy: refresh every 14 days"} {
		if !strings.Contains(v, want) {
			t.Errorf("header lacks %q:\n%s", want, v)
		}
	}
	snap.Role, snap.Identity.Role = warehouse.RoleContributor, "TRANSFORMER"
	if v := h.view(140, 10); !strings.Contains(v, "role TRANSFORMER ✓") {
		t.Errorf("contributor header:\n%s", v)
	}
	snap.Exists = false
	if v := h.view(140, 10); !strings.Contains(v, "SANDBOX_ANN does not exist yet: press R to clone it from ANALYTICS_CLONE") {
		t.Errorf("missing sandbox header:\n%s", v)
	}
}

func TestTinySizesAndNoWorkspace(t *testing.T) {
	h := newHarness(t, stableOpener)
	h.run(h.m.Init())
	for _, sz := range [][2]int{{0, 0}, {1, 1}, {5, 3}, {20, 4}, {200, 2}} {
		h.m.SetSize(sz[0], sz[1])
		_ = h.m.View()
		h.key("j")
		h.key("G")
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
		m.done(tasks.DoneMsg{ID: 1, Owner: ID, Result: cachedResult{snap: snap}})
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
	m.snap = snap
	m.SetSize(120, 40)
	m.level, m.schema = levelObjects, "SCHEMA_00"
	m.move(2500)
	for b.Loop() {
		_ = m.View()
		m.move(1)
	}
}

// hostileSchema is issue 11's schema name: it retitles the window (OSC 0) and turns the rest
// of the screen red (SGR).
const hostileSchema = "evil\x1b]0;PWNED\x07\x1b[31m"

// TestHostileNamesAreShownNotObeyed creates the hostile schema (and a table in it) in the demo
// sandbox's real DuckDB file, lists it, and checks the frame carries the name's control
// characters as visible pictures, never as bytes a terminal would obey.
func TestHostileNamesAreShownNotObeyed(t *testing.T) {
	h := newHarness(t, stableOpener)
	db, err := sql.Open("duckdb", filepath.Join(h.ws.ProjectDir, "warehouse", "sandbox.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	quoted := `"` + strings.ReplaceAll(hostileSchema, `"`, `""`) + `"`
	if _, err := db.Exec("CREATE SCHEMA " + quoted + "; CREATE TABLE " + quoted + `."t` + "\u202e" + `gpj" (x INT)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	h.run(h.m.Init())
	if !hasSchema(h.m, hostileSchema) {
		t.Fatalf("the hostile schema was not listed: %v", h.m.err)
	}
	h.m.SetSize(140, 30)
	raw := h.m.View()
	h.selectSchema(hostileSchema)
	h.key("enter")
	raw += h.m.View()
	h.key("esc")
	h.key("D") // the drop confirmation names it too
	raw += h.m.View()
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
	failing := func(ctx context.Context, ws *workspace.Workspace) (warehouse.Warehouse, *dbt.Target, error) {
		return nil, nil, errors.New("390100 (08004): Incorrect username or password was specified: user=ann password=hunter2-sandbox-pw \x1b]0;x\x07")
	}
	h := newHarness(t, failing)
	h.run(h.m.Init())
	h.m.SetSize(200, 10)
	raw := h.m.View()
	if strings.Contains(raw, "hunter2-sandbox-pw") || strings.Contains(raw, "\x1b]0") {
		t.Errorf("error view leaks:\n%q", raw)
	}
	if !strings.Contains(ansi.Strip(raw), "Incorrect username or password was specified: user=ann password=[redacted]") {
		t.Errorf("error view:\n%s", ansi.Strip(raw))
	}
}
