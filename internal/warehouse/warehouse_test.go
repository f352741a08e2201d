package warehouse

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
)

func team() config.Warehouse {
	w := config.Default().Warehouse
	w.Protected = []string{"RAW", `"Shared Data"`}
	return w
}

func TestCheckWrite(t *testing.T) {
	p := PolicyFor(team(), "ann.lee@corp.com")
	if p.Sandbox != "SANDBOX_ANN_LEE" {
		t.Fatalf("sandbox %q", p.Sandbox)
	}
	tests := []struct {
		db, reason string // reason "" means allowed
	}{
		{"SANDBOX_ANN_LEE", ""},
		{"sandbox_ann_lee", ""},
		{`"SANDBOX_ANN_LEE"`, ""},
		{" SANDBOX_ANN_LEE ", ""},
		{"ANALYTICS", "production database"},
		{"analytics", "production database"},
		{`"ANALYTICS"`, "production database"},
		{"ANALYTICS_CLONE", "the clone"},
		{"RAW", "protected"},
		{"Shared Data", "protected"},
		{`"shared data"`, "protected"},
		{"SANDBOX_BOB", "not your sandbox (yours is SANDBOX_ANN_LEE)"},
		{`"sandbox_ann_lee"x`, "not your sandbox"},
		{"", "no database is named"},
	}
	for _, tt := range tests {
		err := p.CheckWrite(tt.db)
		if tt.reason == "" {
			if err != nil {
				t.Errorf("%q refused: %v", tt.db, err)
			}
			continue
		}
		var re *RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.reason) || !strings.Contains(err.Error(), "your-sandbox") {
			t.Errorf("%q: %v, want refusal %q", tt.db, err, tt.reason)
		}
	}
	// A sandbox pattern that yields a protected name refuses the user's own sandbox.
	w := team()
	w.SandboxPattern = "{user}"
	if err := PolicyFor(w, "raw").CheckWrite("RAW"); err == nil {
		t.Error("a sandbox named like a protected database was allowed")
	}
	if err := PolicyFor(team(), "").CheckWrite("SANDBOX_"); err == nil {
		t.Error("no user: allowed")
	}
}

func TestQuoting(t *testing.T) {
	for in, want := range map[string]string{
		`a`: `"a"`, `SANDBOX_X`: `"SANDBOX_X"`, `o"brien`: `"o""brien"`, `""`: `""""""`, `jöhn.doe`: `"jöhn.doe"`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`sandbox_ann`: `SANDBOX_ANN`, `"Mixed"`: `Mixed`, `"a""b"`: `a"b`, `dev-ann`: `dev-ann`, `_x$1`: `_X$1`, `1abc`: `1abc`, `"a"b"`: `"a"b"`, ` x `: `X`,
	} {
		if got := NormaliseIdent(in); got != want {
			t.Errorf("NormaliseIdent(%q) = %s, want %s", in, got, want)
		}
	}
	if QuoteString("o'brien") != "'o''brien'" {
		t.Error(QuoteString("o'brien"))
	}
}

// FuzzQuoteIdent checks a quoted identifier always reads back as exactly one identifier.
func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"a", `o"brien`, `""`, `"x"`, "jöhn.doe", "a b", `"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := QuoteIdent(s)
		if !strings.HasPrefix(q, `"`) || !strings.HasSuffix(q, `"`) || len(q) < 2 {
			t.Fatalf("not quoted: %s", q)
		}
		inner := q[1 : len(q)-1]
		if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			t.Fatalf("unescaped quote in %s", q)
		}
		if got := strings.ReplaceAll(inner, `""`, `"`); got != s {
			t.Fatalf("round trip %q -> %s -> %q", s, q, got)
		}
		_ = NormaliseIdent(s)
		_ = Policy{Sandbox: s}.CheckWrite(s)
	})
}

func TestSnapshotCacheAndSummary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if _, ok := ReadSummary(dir, time.Now()); ok {
		t.Error("summary without a cache")
	}
	cloned := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	snap := &Snapshot{Taken: cloned, Engine: "snowflake", Exists: true, RefreshPolicyDays: 7, Role: RoleContributor,
		Identity: Identity{User: "ANN", Role: "CONTRIBUTOR"}, Policy: Policy{Sandbox: "SANDBOX_ANN", Clone: "ANALYTICS_CLONE"},
		Sandbox: Database{Name: "SANDBOX_ANN", Created: cloned, Bytes: -1},
		Schemas: []Schema{{Name: "MARTS"}, {Name: "EMPTY"}},
		Objects: []Object{{Schema: "MARTS", Name: "A", Kind: KindTable, Rows: 10, Bytes: 2048}, {Schema: "MARTS", Name: "V", Kind: KindView, Rows: -1, Bytes: -1}}}
	if err := SaveSnapshot(dir, snap); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(filepath.Join(dir, "sandbox.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("cache file %v %v", st, err)
	}
	sum, ok := ReadSummary(dir, cloned.Add(9*24*time.Hour+time.Hour))
	if !ok || sum.AgeDays != 9 || !sum.Stale || sum.From != "ANALYTICS_CLONE" || sum.Bytes != 2048 {
		t.Fatalf("summary %+v", sum)
	}
	if got := sum.Line(); got != "SANDBOX_ANN: cloned 9 days ago from ANALYTICS_CLONE (older than the team's 7-day policy: refresh it), 2 objects, 2.0 KB" {
		t.Errorf("line %q", got)
	}
	totals := snap.SchemaTotals()
	if len(totals) != 2 || totals[0].Tables != 1 || totals[0].Views != 1 || totals[0].Rows != 10 || totals[1].Bytes != -1 {
		t.Errorf("totals %+v", totals)
	}
	if (Summary{Sandbox: "S", From: "C"}).Line() != "S does not exist yet: refresh it to clone C" {
		t.Error("missing sandbox line")
	}
	os.WriteFile(filepath.Join(dir, "sandbox.json"), []byte("{"), 0o600)
	if _, err := LoadSnapshot(dir); err == nil || !strings.Contains(err.Error(), "damaged") {
		t.Errorf("damaged cache: %v", err)
	}
}

func TestHumanBytesAndAgo(t *testing.T) {
	for n, want := range map[int64]string{-1: "-", 0: "0 B", 1023: "1023 B", 1024: "1.0 KB", 1536: "1.5 KB", 5 << 30: "5.0 GB"} {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %s", n, got)
		}
	}
	if Ago(0) != "today" || Ago(1) != "yesterday" || Ago(9) != "9 days ago" {
		t.Error("Ago")
	}
}

func TestRoleKind(t *testing.T) {
	w := team()
	for role, want := range map[string]string{"CONTRIBUTOR": RoleContributor, "contributor": RoleContributor, "SYSADMIN": RoleAdmin, "ANALYST": RoleOther, "": RoleOther} {
		if got := RoleKind(w, role); got != want {
			t.Errorf("RoleKind(%s) = %s", role, got)
		}
	}
}

func TestCompare(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "models"), 0o755)
	sqlFile := filepath.Join(dir, "models", "dim_users.sql")
	os.WriteFile(sqlFile, []byte("select 1"), 0o644)
	changed := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	os.Chtimes(sqlFile, changed, changed)
	model := func(name, schema, mat string) dbt.Node {
		return dbt.Node{UniqueID: "model.p." + name, Name: name, ResourceType: "model", OriginalPath: "models/" + name + ".sql",
			Config: dbt.NodeConfig{Materialized: mat, Schema: schema, Enabled: true}}
	}
	g := dbt.NewGraph([]dbt.Node{
		model("dim_users", "marts", "table"),
		model("stg_users", "", "view"),
		model("int_x", "", "ephemeral"),
		model("kpi", "marts", "table"),
		{UniqueID: "source.p.app.users", Name: "users", ResourceType: "source", Schema: "RAW"},
		{UniqueID: "test.p.t", Name: "t", ResourceType: "test"},
	}, dbt.Origin{})
	built := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	snap := &Snapshot{Exists: true,
		Schemas: []Schema{{Name: "DBT_ANN"}, {Name: "DBT_ANN_MARTS"}, {Name: "RAW"}, {Name: "OLD_BRANCH"}, {Name: "PUBLIC"}, {Name: "INFORMATION_SCHEMA"}},
		Objects: []Object{
			{Schema: "DBT_ANN_MARTS", Name: "DIM_USERS", Kind: KindTable, LastAltered: built},
			{Schema: "DBT_ANN", Name: "STG_USERS", Kind: KindView, Created: changed.Add(time.Hour)},
			{Schema: "OLD_BRANCH", Name: "X", Kind: KindTable},
		}}
	d := Compare(g, snap, "dbt_ann", dir)
	if len(d.Missing) != 1 || d.Missing[0].Name != "kpi" || d.Missing[0].Relation != "dbt_ann_marts.kpi" {
		t.Errorf("missing %+v", d.Missing)
	}
	if len(d.Outdated) != 1 || d.Outdated[0].Name != "dim_users" || !d.Outdated[0].Built.Equal(built) {
		t.Errorf("outdated %+v", d.Outdated)
	}
	if !slices.Equal(d.Leftover, []string{"OLD_BRANCH"}) {
		t.Errorf("leftover %v", d.Leftover)
	}
	if d := Compare(g, &Snapshot{}, "x", dir); len(d.Missing) != 0 {
		t.Error("a missing sandbox has no drift")
	}
}

func TestErrorWrap(t *testing.T) {
	err := Wrap("listing", KindPermission, errors.New("002003 (02000): Database 'X' does not exist or not authorized."))
	if err.Error() != "listing: 002003 (02000): Database 'X' does not exist or not authorized. (see the guide: datatui guide show roles-and-permissions)" {
		t.Error(err)
	}
	if Wrap("x", KindAuth, nil) != nil {
		t.Error("nil")
	}
	re := &RefusedError{Database: "X", Reason: "r"}
	if Wrap("x", KindOther, re) != error(re) {
		t.Error("refusal rewrapped")
	}
}
