package tfgrants

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func load(t *testing.T, root, dir string) *Code {
	t.Helper()
	c, err := Load(root, dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func grantsByResource(c *Code) map[string][]Grant {
	out := map[string][]Grant{}
	for _, g := range c.Grants {
		out[g.Resource] = append(out[g.Resource], g)
	}
	return out
}

func TestReadsEveryGrantResource(t *testing.T) {
	c := load(t, "testdata", "mixed")
	by := grantsByResource(c)
	check := func(addr string, i int, want Grant) {
		t.Helper()
		gs := by[addr]
		if i >= len(gs) {
			t.Errorf("%s: %d grants, want more", addr, len(gs))
			return
		}
		g := gs[i]
		if g.Role != want.Role || !slices.Equal(g.Privileges, want.Privileges) || g.On != want.On || g.Database != want.Database ||
			g.Schema != want.Schema || g.Object != want.Object || g.All != want.All || g.Future != want.Future {
			t.Errorf("%s[%d] = %+v\nwant %+v", addr, i, g, want)
		}
	}
	check("snowflake_database_grant.raw_usage", 0, Grant{Role: "ANALYST_BASE", Privileges: []string{"USAGE"}, On: "DATABASE", Database: "RAW"})
	check("snowflake_schema_grant.raw_future_schemas", 0, Grant{Role: "ANALYST_BASE", Privileges: []string{"USAGE"}, On: "SCHEMA", Database: "RAW", Future: true})
	check("snowflake_table_grant.stripe_all_tables", 1, Grant{Role: "FINANCE", Privileges: []string{"SELECT"}, On: "TABLE", Database: "RAW", Schema: "STRIPE", All: true})
	check("snowflake_view_grant.hubspot_one_view", 0, Grant{Role: "CONTRIBUTOR", Privileges: []string{"SELECT"}, On: "VIEW", Database: "RAW", Schema: "HUBSPOT", Object: "CONTACTS"})
	check("snowflake_grant_privileges_to_account_role.quoted", 0, Grant{Role: "CONTRIBUTOR", Privileges: []string{"USAGE", "MONITOR"}, On: "SCHEMA", Database: "raw", Schema: "Mixed Case"})
	check("snowflake_grant_privileges_to_account_role.future_in_db", 0, Grant{Role: "CONTRIBUTOR", Privileges: []string{"SELECT"}, On: "VIEW", Database: "MARTS", Future: true})
	check("snowflake_grant_privileges_to_account_role.per_schema", 0, Grant{Role: "CONTRIBUTOR", Privileges: []string{"USAGE"}, On: "SCHEMA", Database: "RAW", Schema: "APP"})
	check("snowflake_grant_privileges_to_account_role.per_schema", 1, Grant{Role: "CONTRIBUTOR", Privileges: []string{"USAGE"}, On: "SCHEMA", Database: "RAW", Schema: "SHOP"})

	if g := by["snowflake_view_grant.hubspot_one_view"][0]; g.Where() != "mixed/old.tf:21" {
		t.Errorf("location %s", g.Where())
	}
	// A variable without a default is unknown, not guessed.
	u := by["snowflake_grant_privileges_to_account_role.unknown_db"][0]
	if u.Database != "" || !slices.Contains(u.Unknown, "var.sandbox_database") {
		t.Errorf("unknown database: %+v", u)
	}
	// The broken file is skipped with its line; the others still count.
	var broken bool
	for _, w := range c.Warnings {
		broken = broken || strings.Contains(w, "mixed/broken.tf") && strings.Contains(w, "line")
	}
	if !broken || slices.Contains(c.Files, "mixed/broken.tf") {
		t.Errorf("warnings %v files %v", c.Warnings, c.Files)
	}
	if roles := c.RolesOf("contributor"); !slices.Equal(roles, []string{"CONTRIBUTOR", "ANALYST_BASE"}) {
		t.Errorf("roles of CONTRIBUTOR: %v", roles)
	}
}

func TestCheckFindsWhereToAsk(t *testing.T) {
	c := load(t, "testdata", "mixed")
	var needs []Need
	for _, tbl := range [][3]string{{"raw", "stripe", "charges"}, {"raw", "hubspot", "contacts"}, {"raw", "hubspot", "deals"}, {"raw", "app", "users"}, {"sales", "crm", "leads"}} {
		needs = append(needs, ReadNeeds(tbl[0], tbl[1], tbl[2])...)
	}
	fs := c.Check("contributor", needs, nil)
	var got []string
	for _, f := range fs {
		got = append(got, f.Message())
	}
	want := []string{
		// app: USAGE on the schema comes from per_schema, USAGE on RAW through ANALYST_BASE, but no SELECT.
		"CONTRIBUTOR has no SELECT on RAW.APP.USERS: grants for RAW.APP are in mixed/new.tf:33 — ask for access with a PR there (some grants there could not be read completely, so check the file first)",
		// hubspot: the one view is granted, DEALS is not.
		"CONTRIBUTOR has no SELECT on RAW.HUBSPOT.DEALS: grants for RAW.HUBSPOT are in mixed/old.tf:21 — ask for access with a PR there (some grants there could not be read completely, so check the file first)",
		"CONTRIBUTOR has no USAGE on SALES: no grant in the team's Terraform is on SALES; CONTRIBUTOR's grants are in mixed/new.tf:1 — ask for access with a PR there (some grants there could not be read completely, so check the file first)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// What the warehouse says the role has counts too.
	has := func(n Need) bool { return n.Database == "SALES" || n.Object == "USERS" || n.Object == "DEALS" }
	if fs := c.Check("CONTRIBUTOR", needs, has); len(fs) != 0 {
		t.Errorf("with the warehouse's grants: %+v", fs)
	}
}

func TestTheDemosTerraform(t *testing.T) {
	root := filepath.Join("..", "demo", "project")
	c := load(t, root, "terraform")
	if len(c.Warnings) != 0 {
		t.Errorf("warnings %v", c.Warnings)
	}
	var needs []Need
	for _, tbl := range []string{"users", "offers", "transactions", "cashback_payouts"} {
		needs = append(needs, ReadNeeds("prod", "raw", tbl)...)
	}
	fs := c.Check("TRANSFORMER", needs, nil)
	if len(fs) != 1 || fs[0].Need.Name() != "PROD.RAW.CASHBACK_PAYOUTS" || !strings.HasPrefix(fs[0].Where.Where(), "terraform/grants.tf:") {
		t.Fatalf("findings %+v", fs)
	}
	b, _ := os.ReadFile(filepath.Join(root, "terraform", "grants.tf"))
	line := strings.Split(string(b), "\n")[fs[0].Where.Line-1]
	if !strings.HasPrefix(line, `resource "snowflake_grant_privileges_to_account_role"`) {
		t.Errorf("the location is not a grant resource: %q", line)
	}
	// The place to ask is the block that grants SELECT on the schema's tables (the list a
	// contributor extends), not the schema's USAGE grant above it.
	if w := fs[0].Where; w.Name != "snowflake_grant_privileges_to_account_role.transformer_raw_tables" {
		t.Errorf("SELECT on a table is asked for at %s (%s), not beside the role's SELECT grants", w.Where(), w.Name)
	}
	if n := len(c.GrantsOf("transformer")); n != 10 {
		t.Errorf("%d grants to TRANSFORMER, want 10 (5 tables by for_each)", n)
	}
	if len(c.RoleGrants) != 4 || c.RoleGrants[0].ToUser == "" {
		t.Errorf("role grants %+v", c.RoleGrants)
	}
}

func TestIdentifiers(t *testing.T) {
	for in, want := range map[string]string{
		`raw.stripe`:           "RAW.STRIPE",
		`"raw"."Stripe"`:       "raw.Stripe",
		`"a""b".c`:             `a"b.C`,
		`"dotted.name".x`:      "dotted.name.X",
		` RAW `:                "RAW",
		`"RAW".STRIPE.CHARGES`: "RAW.STRIPE.CHARGES",
	} {
		if got := ident(in); got != want {
			t.Errorf("ident(%s) = %s, want %s", in, got, want)
		}
	}
	if p := identParts(`"dotted.name".x`); len(p) != 2 {
		t.Errorf("parts %q", p)
	}
}

func FuzzLoad(f *testing.F) {
	for _, p := range []string{"testdata/mixed/old.tf", "testdata/mixed/new.tf", "../demo/project/terraform/grants.tf"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`resource "snowflake_grant_privileges_to_account_role" "x" { for_each = var.x account_role_name = each.key }`))
	f.Fuzz(func(t *testing.T, src []byte) {
		c := read("terraform", []source{{name: "terraform/main.tf", data: src}})
		for _, g := range c.Grants {
			if g.Line < 1 || g.File == "" {
				t.Fatalf("grant without a location: %+v", g)
			}
			_ = g.Target()
		}
		_ = c.Check("CONTRIBUTOR", ReadNeeds("RAW", "APP", "USERS"), nil)
	})
}
