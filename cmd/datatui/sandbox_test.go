package main

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

// The sandbox_snowflake*.txtar scripts talk to a loopback fake Snowflake server, scripted as a
// contributor "ann" whose sandbox SANDBOX_ANN was cloned on 2026-11-20. $SF_HOST and $SF_PORT
// point profiles.yml at it; the only password it accepts is "s3cret".
var _ = func() bool {
	scriptSetups = append(scriptSetups, setupFakeSnowflake)
	scriptCmds["sf"] = cmdSnowflake
	return true
}()

type fakeSnowflakeKey struct{}

func setupFakeSnowflake(env *testscript.Env) error {
	s := sftest.Start()
	env.Defer(s.Close)
	env.Values[fakeSnowflakeKey{}] = s
	host, port := s.HostPort()
	env.Setenv("SF_HOST", host)
	env.Setenv("SF_PORT", strconv.Itoa(port))
	s.RequirePassword("s3cret")
	created := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	s.On(sftest.IdentitySQL, sftest.Identity("ANN", "CONTRIBUTOR", "TRANSFORMING", "SANDBOX_ANN"))
	s.On(`SHOW DATABASES LIKE 'SANDBOX_ANN'`, sftest.Text(sftest.DatabaseColumns,
		sftest.Row(sftest.TS(created), "SANDBOX_ANN", "ACME.ANALYTICS_CLONE", "CONTRIBUTOR", "datatui sandbox of ANN")))
	s.On(`SHOW DATABASES`, sftest.Text([]string{"created_on", "name", "origin", "owner"},
		sftest.Row(sftest.TS(created), "ANALYTICS", "", "SYSADMIN"),
		sftest.Row(sftest.TS(created), "SANDBOX_ANN", "ACME.ANALYTICS_CLONE", "CONTRIBUTOR")))
	s.On(`SHOW SCHEMAS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "database_name", "owner"},
		sftest.Row(sftest.TS(created), "MARTS", "SANDBOX_ANN", "CONTRIBUTOR"),
		sftest.Row(sftest.TS(created), "OLD_BRANCH", "SANDBOX_ANN", "CONTRIBUTOR")))
	s.On(`SHOW OBJECTS IN DATABASE "SANDBOX_ANN"`, sftest.Text([]string{"created_on", "name", "database_name", "schema_name", "kind", "rows", "bytes"},
		sftest.Row(sftest.TS(created), "ORDERS", "SANDBOX_ANN", "MARTS", "TABLE", "1200", "40960"),
		sftest.Row(sftest.TS(created), "SCRATCH", "SANDBOX_ANN", "OLD_BRANCH", "TABLE", "3", "1024")))
	s.On(`SHOW GRANTS TO ROLE "CONTRIBUTOR"`, sftest.Text([]string{"created_on", "privilege", "granted_on", "name", "granted_to", "grantee_name", "grant_option"},
		sftest.Row(sftest.TS(created), "USAGE", "WAREHOUSE", "TRANSFORMING", "ROLE", "CONTRIBUTOR", "false")))
	s.On(`SHOW COLUMNS IN "SANDBOX_ANN"."MARTS"."ORDERS"`, sftest.Text([]string{"table_name", "schema_name", "column_name", "data_type", "null?", "comment"},
		sftest.Row("ORDERS", "MARTS", "ORDER_ID", `{"type":"FIXED","precision":38,"scale":0}`, "false", ""),
		sftest.Row("ORDERS", "MARTS", "STATUS", `{"type":"TEXT","length":16}`, "true", "")))
	s.On(`SELECT * FROM "SANDBOX_ANN"."MARTS"."ORDERS" LIMIT 2`, sftest.Result{StatementType: sftest.TypeSelect,
		Columns: []sftest.Column{{Name: "ORDER_ID", Type: "fixed"}, {Name: "STATUS", Type: "text"}},
		Rows:    [][]*string{sftest.Row("1", "shipped"), {sftest.Str("2"), nil}}})
	s.On(`CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`, sftest.OK("Database SANDBOX_ANN successfully created."))
	s.On(`COMMENT ON DATABASE "SANDBOX_ANN" IS 'datatui sandbox of ANN'`, sftest.OK("Statement executed successfully."))
	return nil
}

// cmdSnowflake scripts the fake Snowflake server and checks what it received:
//
//	sf login USER               CURRENT_USER() answers USER from now on
//	sf password PW              the only password accepted ('' accepts any, as OAuth sends none)
//	sf has DB COMMENT           SHOW DATABASES LIKE 'DB' lists DB with COMMENT (the owner mark)
//	sf none DB                  SHOW DATABASES LIKE 'DB' lists nothing
//	sf ok SQL                   SQL succeeds
//	sf nowrites                 nothing but SELECT and SHOW was received
//	sf invariant [DB...]        the safety invariant: no statement names ANALYTICS, RAW or
//	                            the DBs given, and ANALYTICS_CLONE only as the source of CLONE
//	sf sent SQL                 SQL was received ("! sf sent SQL": it was not)
func cmdSnowflake(ts *testscript.TestScript, neg bool, args []string) {
	s, _ := ts.Value(fakeSnowflakeKey{}).(*sftest.Server)
	if s == nil || len(args) == 0 {
		ts.Fatalf("usage: sf login|password|has|none|ok|nowrites|invariant|sent ...")
	}
	if neg && args[0] != "sent" {
		ts.Fatalf("sf %s cannot be negated", args[0])
	}
	need := func(n int) {
		if len(args) != n+1 {
			ts.Fatalf("sf %s takes %d argument(s)", args[0], n)
		}
	}
	switch args[0] {
	case "login":
		need(1)
		s.LoginAs(args[1])
	case "password":
		need(1)
		s.RequirePassword(args[1])
	case "has":
		need(2)
		s.HasDatabase(args[1], args[2])
	case "none":
		need(1)
		s.NoDatabase(args[1])
	case "ok":
		need(1)
		s.On(args[1], sftest.OK("Statement executed successfully."))
	case "nowrites":
		for _, st := range s.Statements() {
			if !strings.HasPrefix(st, "SELECT") && !strings.HasPrefix(st, "SHOW") {
				ts.Fatalf("the server received a write: %s", st)
			}
		}
	case "invariant":
		names := sftest.Names{Clone: "ANALYTICS_CLONE", Forbidden: append([]string{"ANALYTICS", "RAW"}, args[1:]...)}
		if err := sftest.CheckStatements(s.Statements(), names); err != nil {
			ts.Fatalf("%v", err)
		}
	case "sent":
		need(1)
		got := slices.Contains(s.Statements(), sftest.Normalize(args[1]))
		if got == neg {
			ts.Fatalf("sent %q: %v; statements: %q", args[1], got, s.Statements())
		}
	default:
		ts.Fatalf("sf: unknown subcommand %s", args[0])
	}
}

// TestTableDetailSize: the size line says what the engine's registry entry says its numbers
// are (DuckDB's row counts are its estimate), and nothing of the kind for another engine.
func TestTableDetailSize(t *testing.T) {
	for _, c := range []struct {
		engine      string
		rows, bytes int64
		want, not   string
	}{
		{"duckdb", 462, -1, "Size      462 rows (DuckDB's estimate; it keeps no size per table)", ""},
		{"snowflake", 462, 2048, "Size      462 rows, 2.0 KB", "estimate"},
		{"snowflake", 462, -1, "Size      462 rows\n", "estimate"},
		{"an-engine-this-build-does-not-know", 462, -1, "Size      462 rows\n", "estimate"},
	} {
		var b strings.Builder
		d := &warehouse.TableDetail{Object: warehouse.Object{Schema: "raw", Name: "orders", Kind: warehouse.KindTable, Rows: c.rows, Bytes: c.bytes}}
		printTableDetail(&b, d, c.engine)
		if !strings.Contains(b.String(), c.want) || c.not != "" && strings.Contains(b.String(), c.not) {
			t.Errorf("%s: %q, want %q", c.engine, b.String(), c.want)
		}
	}
}
