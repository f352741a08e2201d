package tfgrants

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Need is one privilege a role needs: USAGE on a database or schema, SELECT on a table.
type Need struct {
	Privilege string `json:"privilege"`
	// On is DATABASE, SCHEMA or TABLE (a table need is met by a grant on tables or views).
	On       string `json:"on"`
	Database string `json:"database"`
	Schema   string `json:"schema,omitempty"`
	Object   string `json:"object,omitempty"`
}

// Name is the object's qualified name ("RAW.STRIPE", "RAW.STRIPE.CHARGES").
func (n Need) Name() string { return joinNonEmpty(n.Database, n.Schema, n.Object) }

// ReadNeeds are what reading the table db.schema.table takes in Snowflake: USAGE on the
// database and the schema, SELECT on the table. Names are normalised like identifiers.
func ReadNeeds(db, schema, table string) []Need {
	db, schema, table = ident(db), ident(schema), ident(table)
	return []Need{
		{Privilege: "USAGE", On: "DATABASE", Database: db},
		{Privilege: "USAGE", On: "SCHEMA", Database: db, Schema: schema},
		{Privilege: "SELECT", On: "TABLE", Database: db, Schema: schema, Object: table},
	}
}

// RolesOf is role and every role granted to it, directly or through other roles: their
// privileges are the role's too.
func (c *Code) RolesOf(role string) []string {
	role = ident(role)
	out := []string{role}
	for i := 0; i < len(out); i++ {
		for _, rg := range c.RoleGrants {
			if rg.ToRole == out[i] && !slices.Contains(out, rg.Role) {
				out = append(out, rg.Role)
			}
		}
	}
	return out
}

// GrantsOf are the grants role has, its own and those of the roles granted to it.
func (c *Code) GrantsOf(role string) []Grant {
	roles := c.RolesOf(role)
	var out []Grant
	for _, g := range c.Grants {
		if slices.Contains(roles, g.Role) {
			out = append(out, g)
		}
	}
	return out
}

// Covering returns the grant of role that meets n, if the Terraform has one.
func (c *Code) Covering(role string, n Need) (Grant, bool) {
	for _, g := range c.GrantsOf(role) {
		if meets(g, n) {
			return g, true
		}
	}
	return Grant{}, false
}

// sameObjectType says whether a grant on objects of type on is of the kind a need on need
// asks for: a table need is met by grants on tables or views.
func sameObjectType(on, need string) bool {
	if need == "TABLE" {
		return on == "TABLE" || on == "VIEW"
	}
	return on == need
}

func hasPrivilege(g Grant, p string) bool {
	for _, x := range g.Privileges {
		if x == p || x == "ALL PRIVILEGES" || x == "ALL" || x == "OWNERSHIP" {
			return true
		}
	}
	return false
}

func meets(g Grant, n Need) bool {
	if !hasPrivilege(g, n.Privilege) || g.Database != n.Database {
		return false
	}
	switch n.On {
	case "DATABASE":
		return g.On == "DATABASE"
	case "SCHEMA":
		return g.On == "SCHEMA" && (g.Schema == n.Schema || (g.Schema == "" && (g.All || g.Future)))
	case "TABLE":
		if !sameObjectType(g.On, n.On) {
			return false
		}
		if g.Schema != "" && g.Schema != n.Schema {
			return false
		}
		return g.Object == n.Object || (g.Object == "" && (g.All || g.Future))
	}
	return false
}

// Where is the place to add the grant n names: a grant of role of the same kind (privilege
// and object type) on the same schema — the block a contributor extends, such as the list of
// tables a SELECT grant covers —, else any grant of role on the same schema, else on the same
// database, else any role's grant there, else the role's first grant, else where the role is
// created. ok is false when the Terraform has none of these.
func (c *Code) Where(role string, n Need) (Location, bool) {
	role, database, schema := ident(role), ident(n.Database), ident(n.Schema)
	mine := c.GrantsOf(role)
	pick := func(gs []Grant, match func(Grant) bool, about string) (Location, bool) {
		for _, g := range gs {
			if match(g) {
				return Location{Name: g.Resource, File: g.File, Line: g.Line, About: about}, true
			}
		}
		return Location{}, false
	}
	sameSchema := func(g Grant) bool { return g.Database == database && schema != "" && g.Schema == schema }
	sameKind := func(g Grant) bool { return sameSchema(g) && sameObjectType(g.On, n.On) && hasPrivilege(g, n.Privilege) }
	sameDB := func(g Grant) bool { return g.Database == database }
	here := joinNonEmpty(database, schema)
	for _, try := range []struct {
		gs    []Grant
		match func(Grant) bool
		about string
	}{{mine, sameKind, here}, {mine, sameSchema, here}, {mine, sameDB, database}, {c.Grants, sameSchema, here}, {c.Grants, sameDB, database}, {mine, func(Grant) bool { return true }, ""}} {
		if l, ok := pick(try.gs, try.match, try.about); ok {
			return l, true
		}
	}
	for _, r := range c.Roles {
		if r.Name == role {
			return Location{Name: r.Name, File: r.File, Line: r.Line}, true
		}
	}
	return Location{}, false
}

// Finding is a privilege the role lacks, with where to ask for it.
type Finding struct {
	Role string `json:"role"`
	Need Need   `json:"need"`
	// Where is the place in the Terraform to add the grant (empty File when there is none).
	Where Location `json:"where"`
	// Unsure is set when some grants of the role could not be read completely, so the
	// Terraform may grant it after all.
	Unsure bool `json:"unsure,omitempty"`
}

// Message is what the person reads: "CONTRIBUTOR has no SELECT on RAW.STRIPE.CHARGES: grants
// for RAW.STRIPE are in terraform/roles.tf:42 — ask for access with a PR there".
func (f Finding) Message() string {
	msg := fmt.Sprintf("%s has no %s on %s", f.Role, f.Need.Privilege, f.Need.Name())
	switch {
	case f.Where.File == "":
		return msg + ": the team's Terraform grants this role nothing yet — ask the data team where access is granted"
	case f.Where.About == "":
		// Nothing in the Terraform is about that database: point at the role's own grants.
		msg += fmt.Sprintf(": no grant in the team's Terraform is on %s; %s's grants are in %s — ask for access with a PR there", f.Need.Database, f.Role, f.Where.Where())
	default:
		msg += fmt.Sprintf(": grants for %s are in %s — ask for access with a PR there", f.Where.About, f.Where.Where())
	}
	if f.Unsure {
		msg += " (some grants there could not be read completely, so check the file first)"
	}
	return msg
}

// Has reports whether the warehouse says the role has a need (from the session's own grants);
// nil means the warehouse cannot tell (DuckDB has no roles), and the Terraform alone decides.
type Has func(Need) bool

// Check lists the needs role lacks, one finding per schema (the first missing privilege of
// each, in the order USAGE on the database, USAGE on the schema, SELECT on a table): a need is
// met when the Terraform grants it or the warehouse says the role has it.
func (c *Code) Check(role string, needs []Need, has Has) []Finding {
	role = ident(role)
	unsure := false
	for _, g := range c.GrantsOf(role) {
		unsure = unsure || len(g.Unknown) > 0
	}
	var out []Finding
	reported := map[string]bool{}
	for _, n := range needs {
		key := n.Database + "." + n.Schema
		if n.On == "DATABASE" {
			key = n.Database
		}
		if reported[key] || reported[n.Database] {
			continue
		}
		if _, ok := c.Covering(role, n); ok {
			continue
		}
		if has != nil && has(n) {
			continue
		}
		reported[key] = true
		where, _ := c.Where(role, n)
		out = append(out, Finding{Role: role, Need: n, Where: where, Unsure: unsure})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Need.Name() < out[j].Need.Name() })
	return out
}

// Summary describes the role's grants in a line: "12 grants in terraform/ (roles.tf, …)".
func (c *Code) Summary(role string) string {
	gs := c.GrantsOf(role)
	var files []string
	for _, g := range gs {
		if !slices.Contains(files, g.File) {
			files = append(files, g.File)
		}
	}
	if len(gs) == 0 {
		return fmt.Sprintf("no grants to %s in %s", ident(role), c.Dir)
	}
	return fmt.Sprintf("%d grants to %s in %s", len(gs), ident(role), strings.Join(files, ", "))
}
