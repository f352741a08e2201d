package snowflake

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

func teamWarehouse() config.Warehouse {
	w := config.Default().Warehouse // ANALYTICS, ANALYTICS_CLONE, SANDBOX_{user}, CONTRIBUTOR
	w.Protected = []string{"RAW", "SHARED_DATA"}
	return w
}

func target(s *sftest.Server, user string) *profiles.Target {
	host, port := s.HostPort()
	return &profiles.Target{Name: "dev", Profile: "shop", Type: "snowflake", Account: "test", User: user, Password: "s3cret",
		Role: "CONTRIBUTOR", Warehouse: "TRANSFORMING", Database: "SANDBOX_ANN", Schema: "DBT_ANN",
		Host: host, Port: port, Protocol: "http"}
}

func newWarehouse(t *testing.T, s *sftest.Server, tg *profiles.Target, w config.Warehouse) *Warehouse {
	t.Helper()
	wh, err := New(Options{Target: tg, Warehouse: w})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wh.Close() })
	return wh
}

func TestRefreshSendsExactlyTheClone(t *testing.T) {
	s := sftest.New(t)
	s.RequirePassword("s3cret")
	s.LoginAs("ANN")
	s.HasDatabase("SANDBOX_ANN", "datatui sandbox of ANN")
	want := `CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`
	mark := `COMMENT ON DATABASE "SANDBOX_ANN" IS 'datatui sandbox of ANN'`
	s.On(want, sftest.OK("Database SANDBOX_ANN successfully created."))
	s.On(mark, sftest.OK("Statement executed successfully."))
	w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
	if err := w.Refresh(context.Background(), "sandbox_ann"); err != nil {
		t.Fatal(err)
	}
	// Who the session is, whose the sandbox is, then the clone and the owner mark.
	if got := s.Statements(); !slices.Equal(got, []string{sftest.IdentitySQL, `SHOW DATABASES LIKE 'SANDBOX_ANN'`, want, mark}) {
		t.Errorf("statements %q", got)
	}
	l := s.Logins()
	if len(l) != 1 || l[0].User != "ann" || l[0].Role != "CONTRIBUTOR" || l[0].Warehouse != "TRANSFORMING" || l[0].Password != "s3cret" || l[0].Account != "test" {
		t.Errorf("logins %+v", l)
	}
}

// TestOddUserNames proves user names end up as one safe, quoted identifier.
func TestOddUserNames(t *testing.T) {
	tests := []struct {
		user, pattern, clone, sql string
	}{
		{"o'brien", "SANDBOX_{user}", "ANALYTICS_CLONE", `CREATE OR REPLACE DATABASE "SANDBOX_O_BRIEN" CLONE "ANALYTICS_CLONE"`},
		{"jöhn.doe@corp.com", "SANDBOX_{user}", "ANALYTICS_CLONE", `CREATE OR REPLACE DATABASE "SANDBOX_J_HN_DOE" CLONE "ANALYTICS_CLONE"`},
		{`"x"`, "SANDBOX_{user}", "ANALYTICS_CLONE", `CREATE OR REPLACE DATABASE "SANDBOX_X" CLONE "ANALYTICS_CLONE"`},
		{"o'brien", "dev-{user}", `"Analytics ""Clone"""`, `CREATE OR REPLACE DATABASE "dev-O_BRIEN" CLONE "Analytics ""Clone"""`},
		{"ann", "sandbox_{user}", "analytics_clone", `CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`},
	}
	for _, tt := range tests {
		s := sftest.New(t)
		s.On(tt.sql, sftest.OK("ok"))
		wc := teamWarehouse()
		wc.SandboxPattern, wc.CloneDatabase = tt.pattern, tt.clone
		w := newWarehouse(t, s, target(s, tt.user), wc)
		sandbox := w.Policy().Sandbox
		s.LoginAs(strings.ToUpper(tt.user))
		s.NoDatabase(warehouse.NormaliseIdent(sandbox))
		mark := `COMMENT ON DATABASE ` + warehouse.QuoteIdent(warehouse.NormaliseIdent(sandbox)) + ` IS ` + QuoteString(warehouse.OwnerMark(strings.ToUpper(tt.user)))
		s.On(mark, sftest.OK("ok"))
		if err := w.Refresh(context.Background(), sandbox); err != nil {
			t.Errorf("%s: %v", tt.user, err)
		}
		if got := s.Statements(); len(got) != 4 || got[2] != tt.sql || got[3] != sftest.Normalize(mark) {
			t.Errorf("%s: sent %q, want %q then the mark", tt.user, got, tt.sql)
		}
	}
}

// TestRefusedTargetsSendNothing: prod, the clone, protected databases and other people's
// sandboxes are refused before any connection, even when profiles.yml points at them.
func TestRefusedTargetsSendNothing(t *testing.T) {
	s := sftest.New(t)
	tg := target(s, "ann")
	tg.Database = "ANALYTICS" // profiles.yml pointing the dev target at prod
	w := newWarehouse(t, s, tg, teamWarehouse())
	for _, db := range []string{"ANALYTICS", "analytics", `"ANALYTICS"`, "ANALYTICS_CLONE", "RAW", "shared_data", "SANDBOX_BOB", tg.Database, ""} {
		var re *warehouse.RefusedError
		if err := w.Refresh(context.Background(), db); !errors.As(err, &re) {
			t.Errorf("Refresh(%q) = %v, want refused", db, err)
		}
		if err := w.DropSchema(context.Background(), db, "PUBLIC"); !errors.As(err, &re) {
			t.Errorf("DropSchema(%q) = %v, want refused", db, err)
		}
	}
	// A user whose sandbox name would be prod's (pattern "{user}", user "analytics").
	wc := teamWarehouse()
	wc.SandboxPattern = "{user}"
	w2 := newWarehouse(t, s, target(s, "analytics"), wc)
	if err := w2.Refresh(context.Background(), w2.Policy().Sandbox); err == nil || !strings.Contains(err.Error(), "production database") {
		t.Errorf("sandbox named like prod: %v", err)
	}
	if r := s.Requests(); len(r) != 0 {
		t.Errorf("requests were sent for refused writes: %v", r)
	}
}

func TestInspectOneRoundTripPerLevel(t *testing.T) {
	s := sftest.New(t)
	created := time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)
	s.On(`SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE", CURRENT_SECONDARY_ROLES() AS "SECONDARY_ROLES", CURRENT_WAREHOUSE() AS "WAREHOUSE", CURRENT_DATABASE() AS "DATABASE", CURRENT_SCHEMA() AS "SCHEMA", CURRENT_ACCOUNT() AS "ACCOUNT"`,
		sftest.Result{StatementType: sftest.TypeSelect, Columns: []sftest.Column{{Name: "USER", Type: "text"}, {Name: "ROLE", Type: "text"}, {Name: "SECONDARY_ROLES", Type: "text"},
			{Name: "WAREHOUSE", Type: "text"}, {Name: "DATABASE", Type: "text"}, {Name: "SCHEMA", Type: "text"}, {Name: "ACCOUNT", Type: "text"}},
			Rows: [][]*string{sftest.Row("ANN", "CONTRIBUTOR", `{"roles":"REPORTING,LOADER","value":""}`, "TRANSFORMING", "SANDBOX_ANN", "DBT_ANN", "AB12345")}})
	s.On(`SHOW DATABASES LIKE 'SANDBOX_ANN'`, sftest.Text([]string{"created_on", "name", "is_default", "is_current", "origin", "owner", "comment", "options", "retention_time", "kind"},
		sftest.Row(sftest.TS(created), "SANDBOX_ANN", "N", "Y", "ACME.ANALYTICS_CLONE", "CONTRIBUTOR", "", "", "1", "STANDARD")))
	s.On(`SHOW SCHEMAS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "is_default", "is_current", "database_name", "owner"},
		sftest.Row(sftest.TS(created), "INFORMATION_SCHEMA", "N", "N", "SANDBOX_ANN", ""),
		sftest.Row(sftest.TS(created), "MARTS", "N", "N", "SANDBOX_ANN", "CONTRIBUTOR"),
		sftest.Row(sftest.TS(created), "STAGING", "N", "N", "SANDBOX_ANN", "CONTRIBUTOR")))
	s.On(`SHOW OBJECTS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "database_name", "schema_name", "kind", "comment", "cluster_by", "rows", "bytes", "owner"},
		sftest.Row(sftest.TS(created), "DIM_USERS", "SANDBOX_ANN", "MARTS", "TABLE", "", "", "1200", "40960", "CONTRIBUTOR"),
		sftest.Row(sftest.TS(created), "STG_USERS", "SANDBOX_ANN", "STAGING", "VIEW", "", "", "0", "0", "CONTRIBUTOR")))
	w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
	var stages []string
	snap, err := warehouse.Inspect(context.Background(), w, config.Default(), func(p warehouse.Progress) { stages = append(stages, p.Stage) })
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Statements()) != 4 {
		t.Errorf("statements %q", s.Statements())
	}
	if strings.Join(stages, ",") != "identity,database,schemas,objects" {
		t.Errorf("stages %v", stages)
	}
	if snap.Role != warehouse.RoleContributor || snap.Identity.User != "ANN" || !slices.Equal(snap.Identity.SecondaryRoles, []string{"REPORTING", "LOADER"}) {
		t.Errorf("identity %+v role %s", snap.Identity, snap.Role)
	}
	if !snap.Exists || !snap.Sandbox.Created.Equal(created) || snap.Sandbox.Origin != "ACME.ANALYTICS_CLONE" {
		t.Errorf("sandbox %+v", snap.Sandbox)
	}
	if len(snap.Schemas) != 2 || len(snap.Objects) != 2 {
		t.Fatalf("schemas %+v objects %+v", snap.Schemas, snap.Objects)
	}
	if o := snap.Objects[0]; o.Name != "DIM_USERS" || o.Kind != "table" || o.Rows != 1200 || o.Bytes != 40960 || !o.Created.Equal(created) {
		t.Errorf("table %+v", o)
	}
	if o := snap.Objects[1]; o.Kind != "view" || o.Rows != -1 || o.Bytes != -1 {
		t.Errorf("view %+v", o)
	}
	sum := snap.Summarise(created.Add(9 * 24 * time.Hour))
	if line := sum.Line(); line != "SANDBOX_ANN: cloned 9 days ago from ACME.ANALYTICS_CLONE, 2 objects, 40.0 KB" {
		t.Errorf("summary %q", line)
	}
	if sum = snap.Summarise(created.Add(20 * 24 * time.Hour)); !sum.Stale {
		t.Errorf("20 days is older than the 14-day policy: %+v", sum)
	}
	// A sandbox that does not exist yet.
	s.On(`SHOW DATABASES LIKE 'SANDBOX_ANN'`, sftest.Text([]string{"created_on", "name"}))
	snap, err = warehouse.Inspect(context.Background(), w, config.Default(), nil)
	if err != nil || snap.Exists {
		t.Errorf("missing sandbox: %+v %v", snap, err)
	}
}

func TestLastAlteredAndGrants(t *testing.T) {
	s := sftest.New(t)
	alt := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	s.On(`SELECT TABLE_SCHEMA, TABLE_NAME, LAST_ALTERED FROM "SANDBOX_ANN".INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`,
		sftest.Result{StatementType: sftest.TypeSelect, Columns: []sftest.Column{{Name: "TABLE_SCHEMA", Type: "text"}, {Name: "TABLE_NAME", Type: "text"}, {Name: "LAST_ALTERED", Type: "timestamp_ltz"}},
			Rows: [][]*string{sftest.Row("MARTS", "DIM_USERS", sftest.TS(alt))}})
	s.On(`SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE", CURRENT_SECONDARY_ROLES() AS "SECONDARY_ROLES", CURRENT_WAREHOUSE() AS "WAREHOUSE", CURRENT_DATABASE() AS "DATABASE", CURRENT_SCHEMA() AS "SCHEMA", CURRENT_ACCOUNT() AS "ACCOUNT"`,
		sftest.Result{StatementType: sftest.TypeSelect, Columns: []sftest.Column{{Name: "USER", Type: "text"}, {Name: "ROLE", Type: "text"}}, Rows: [][]*string{sftest.Row("ANN", "CONTRIBUTOR")}})
	s.On(`SHOW GRANTS TO ROLE "CONTRIBUTOR"`, sftest.Text([]string{"created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name", "grant_option", "granted_by"},
		sftest.Row(sftest.TS(alt), "USAGE", "WAREHOUSE", "TRANSFORMING", "ROLE", "CONTRIBUTOR", "false", "SECURITYADMIN"),
		sftest.Row(sftest.TS(alt), "CREATE DATABASE", "ACCOUNT", "AB12345", "ROLE", "CONTRIBUTOR", "true", "SECURITYADMIN")))
	w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
	la, err := w.LastAltered(context.Background(), "SANDBOX_ANN")
	if err != nil || !la["MARTS.DIM_USERS"].Equal(alt) {
		t.Errorf("last altered %v %v", la, err)
	}
	g, err := w.Grants(context.Background())
	if err != nil || len(g) != 2 || g[1].Privilege != "CREATE DATABASE" || !g[1].GrantOption || g[0].Name != "TRANSFORMING" {
		t.Errorf("grants %+v %v", g, err)
	}
}

func TestErrorsAreClear(t *testing.T) {
	t.Run("auth", func(t *testing.T) {
		s := sftest.New(t)
		s.RequirePassword("other")
		w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
		_, err := w.Identity(context.Background())
		var we *warehouse.Error
		if !errors.As(err, &we) || we.Kind != warehouse.KindAuth || !strings.Contains(err.Error(), "Incorrect username or password was specified.") ||
			!strings.Contains(err.Error(), "datatui guide show set-up-your-environment") {
			t.Errorf("auth error: %v", err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Error("the password is in the error")
		}
	})
	t.Run("permission", func(t *testing.T) {
		s := sftest.New(t)
		s.On(`SHOW SCHEMAS IN DATABASE "SANDBOX_ANN"`, sftest.Result{Err: &sftest.SQLError{Code: "002003", SQLState: "02000", Message: "SQL compilation error:\nDatabase 'SANDBOX_ANN' does not exist or not authorized."}})
		w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
		_, err := w.ListSchemas(context.Background(), "SANDBOX_ANN")
		var we *warehouse.Error
		if !errors.As(err, &we) || we.Kind != warehouse.KindPermission || !strings.Contains(err.Error(), "Database 'SANDBOX_ANN' does not exist or not authorized.") ||
			!strings.Contains(err.Error(), "roles-and-permissions") || !strings.HasPrefix(err.Error(), "listing the schemas of SANDBOX_ANN: ") {
			t.Errorf("permission error: %v", err)
		}
	})
	t.Run("clone fails", func(t *testing.T) {
		s := sftest.New(t)
		s.LoginAs("ANN")
		s.NoDatabase("SANDBOX_ANN")
		s.On(`CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`, sftest.Result{Err: &sftest.SQLError{Code: "003001", SQLState: "42501", Message: "SQL access control error:\nInsufficient privileges to operate on account 'AB12345'"}})
		w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
		err := w.Refresh(context.Background(), "SANDBOX_ANN")
		if err == nil || !strings.Contains(err.Error(), "Insufficient privileges") || !strings.Contains(err.Error(), "refreshing SANDBOX_ANN from ANALYTICS_CLONE") || !strings.Contains(err.Error(), "roles-and-permissions") {
			t.Errorf("clone error: %v", err)
		}
	})
	t.Run("network", func(t *testing.T) {
		s := sftest.New(t)
		tg := target(s, "ann")
		s.Close()
		w := newWarehouse(t, s, tg, teamWarehouse())
		fastLogin(w, nil)
		_, err := w.Identity(context.Background())
		if err == nil || !strings.Contains(err.Error(), "set-up-your-environment") {
			t.Errorf("network error: %v", err)
		}
	})
}

func TestQuoteString(t *testing.T) {
	for in, want := range map[string]string{`a`: `'a'`, `o'brien`: `'o''brien'`, `x\`: `'x\\'`, `\'`: `'\\'''`} {
		if got := QuoteString(in); got != want {
			t.Errorf("QuoteString(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestColumnsAndPreview: SHOW COLUMNS read by name with types printed as Snowflake prints
// them; a preview reads the session's own sandbox only, after the session's identity is
// known, and sends no SELECT for any other database.
func TestColumnsAndPreview(t *testing.T) {
	s := sftest.New(t)
	s.LoginAs("ANN")
	s.On(`SHOW COLUMNS IN "SANDBOX_ANN"."MARTS"."DIM_USERS"`, sftest.Text([]string{"table_name", "schema_name", "column_name", "data_type", "null?", "default", "kind", "expression", "comment", "database_name", "autoincrement"},
		sftest.Row("DIM_USERS", "MARTS", "USER_ID", `{"type":"FIXED","precision":38,"scale":0,"nullable":false}`, "false", "", "COLUMN", "", "", "SANDBOX_ANN", ""),
		sftest.Row("DIM_USERS", "MARTS", "EMAIL", `{"type":"TEXT","length":16777216,"byteLength":16777216,"nullable":true,"fixed":false}`, "true", "", "COLUMN", "", "login e-mail", "SANDBOX_ANN", ""),
		sftest.Row("DIM_USERS", "MARTS", "CREATED_AT", `{"type":"TIMESTAMP_NTZ","precision":0,"scale":9,"nullable":true}`, "true", "", "COLUMN", "", "", "SANDBOX_ANN", "")))
	s.On(`SELECT * FROM "SANDBOX_ANN"."MARTS"."DIM_USERS" LIMIT 2`, sftest.Result{StatementType: sftest.TypeSelect,
		Columns: []sftest.Column{{Name: "USER_ID", Type: "fixed"}, {Name: "EMAIL", Type: "text"}},
		Rows:    [][]*string{sftest.Row("1", "ann@example.com"), {sftest.Str("2"), nil}}})
	w := newWarehouse(t, s, target(s, "ann"), teamWarehouse())
	ctx := context.Background()
	cols, err := w.Columns(ctx, "sandbox_ann", "MARTS", "DIM_USERS")
	if err != nil {
		t.Fatal(err)
	}
	want := []warehouse.Column{{Name: "USER_ID", Type: "NUMBER(38,0)"}, {Name: "EMAIL", Type: "VARCHAR(16777216)", Nullable: true, Comment: "login e-mail"}, {Name: "CREATED_AT", Type: "TIMESTAMP_NTZ(9)", Nullable: true}}
	if !slices.Equal(cols, want) {
		t.Errorf("columns %+v", cols)
	}
	for _, db := range []string{"ANALYTICS", "ANALYTICS_CLONE", "RAW", "SANDBOX_BOB"} {
		var re *warehouse.RefusedError
		if _, err := w.Preview(ctx, db, "MARTS", "DIM_USERS", 2); !errors.As(err, &re) || re.Op != "read" {
			t.Errorf("preview of %s: %v", db, err)
		}
	}
	p, err := w.Preview(ctx, "SANDBOX_ANN", "MARTS", "DIM_USERS", 2)
	if err != nil {
		t.Fatal(err)
	}
	if p.Warehouse != "TRANSFORMING" || len(p.Rows) != 2 || *p.Rows[0][1] != "ann@example.com" || p.Rows[1][1] != nil {
		t.Errorf("preview %+v", p)
	}
	if err := sftest.CheckStatements(s.Statements(), sftest.Names{Forbidden: []string{"ANALYTICS", "ANALYTICS_CLONE", "RAW", "SANDBOX_BOB"}}); err != nil {
		t.Error(err)
	}
	if n := strings.Count(strings.Join(s.Statements(), "\n"), "SELECT * FROM"); n != 1 {
		t.Errorf("%d previews sent, want 1: %q", n, s.Statements())
	}
}
