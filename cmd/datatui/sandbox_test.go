package main

import (
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

// The sandbox_snowflake*.txtar scripts talk to a loopback fake Snowflake server, scripted as a
// contributor "ann" whose sandbox SANDBOX_ANN was cloned on 2026-11-20. $SF_HOST and $SF_PORT
// point profiles.yml at it; the only password it accepts is "s3cret".
var _ = func() bool {
	scriptSetups = append(scriptSetups, setupFakeSnowflake)
	return true
}()

func setupFakeSnowflake(env *testscript.Env) error {
	s := sftest.Start()
	env.Defer(s.Close)
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
	s.On(`CREATE OR REPLACE DATABASE "SANDBOX_ANN" CLONE "ANALYTICS_CLONE"`, sftest.OK("Database SANDBOX_ANN successfully created."))
	s.On(`COMMENT ON DATABASE "SANDBOX_ANN" IS 'datatui sandbox of ANN'`, sftest.OK("Statement executed successfully."))
	return nil
}
