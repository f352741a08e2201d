package warehouse

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func TestCheckRead(t *testing.T) {
	p := PolicyFor(team(), "ann")
	for _, tt := range []struct {
		db string
		ok bool
	}{
		{"SANDBOX_ANN", true}, {"sandbox_ann", true}, {`"SANDBOX_ANN"`, true},
		{"ANALYTICS", false}, {"ANALYTICS_CLONE", false}, {"RAW", false}, {"SANDBOX_BOB", false}, {"", false},
	} {
		err := p.CheckRead(tt.db)
		var re *RefusedError
		if tt.ok != (err == nil) || (err != nil && (!errors.As(err, &re) || re.Op != "read" || !strings.HasPrefix(err.Error(), "refusing to read "))) {
			t.Errorf("CheckRead(%q) = %v", tt.db, err)
		}
	}
	// A read-only policy (a broken datatui.yml) still reads the sandbox; a session that is not
	// the profile's user has no sandbox to read.
	ro := p
	ro.ReadOnly = "datatui.yml has errors"
	if err := ro.CheckRead("SANDBOX_ANN"); err != nil {
		t.Errorf("read-only policy: %v", err)
	}
	if err := p.WithSession("BOB", "ann").CheckRead("SANDBOX_ANN"); err == nil {
		t.Error("a session as someone else read the profile user's sandbox")
	}
}

// TestFindBuilder uses a real dbt build of the demo project: the manifest says which node
// builds a relation, run_results.json when it last ran.
func TestFindBuilder(t *testing.T) {
	dir := fixtures.Path(t, "real-dbt/demo-duckdb-build")
	g, err := dbt.LoadManifest(dir+"/manifest.json", dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := dbt.LoadRunResults(dir + "/run_results.json")
	if err != nil {
		t.Fatal(err)
	}
	b := FindBuilder(g, rr, "RAW", "CASHBACK_PAYOUTS", "main")
	want := time.Date(2026, 12, 1, 9, 31, 26, 64893000, time.UTC)
	if b == nil || b.UniqueID != "seed.cashback.cashback_payouts" || b.ResourceType != "seed" || b.Status != "success" || !b.Completed.Equal(want) || b.Command != "build" {
		t.Fatalf("builder %+v", b)
	}
	if b := FindBuilder(g, rr, "elsewhere", "cashback_payouts", "main"); b != nil {
		t.Errorf("another schema's relation: %+v", b)
	}
	if b := FindBuilder(g, nil, "raw", "cashback_payouts", "main"); b == nil || b.Status != "" || !b.Completed.IsZero() {
		t.Errorf("without run results: %+v", b)
	}
}

func TestParseRelation(t *testing.T) {
	for _, tt := range []struct{ in, schema, table, err string }{
		{"MARTS", "MARTS", "", ""},
		{"marts.dim_users", "marts", "dim_users", ""},
		{`"My Schema"."a.b"`, `"My Schema"`, `"a.b"`, ""},
		{`"x""y".t`, `"x""y"`, "t", ""},
		{"db.marts.dim_users", "", "", "the database is always your sandbox"},
		{"marts.", "", "", "expected SCHEMA"},
		{"", "", "", "expected SCHEMA"},
		{`"open.t`, "", "", "no closing"},
	} {
		s, tb, err := ParseRelation(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || s != tt.schema || tb != tt.table {
			t.Errorf("%q: %q %q %v", tt.in, s, tb, err)
		}
	}
}

func FuzzParseRelation(f *testing.F) {
	for _, s := range []string{"a", "a.b", `"a.b".c`, `"`, `""."".""`, "a..b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		schema, table, err := ParseRelation(s)
		if err != nil {
			return
		}
		if strings.TrimSpace(schema) == "" {
			t.Errorf("%q: empty schema accepted", s)
		}
		// What was read, quoted back, reads the same.
		back := schema
		if table != "" {
			back += "." + table
		}
		s2, t2, err := ParseRelation(back)
		if err != nil || s2 != schema || t2 != table {
			t.Errorf("%q: %q.%q does not read back (%q %q %v)", s, schema, table, s2, t2, err)
		}
	})
}
