// Package tfgrants reads the team's Terraform for Snowflake to find which privileges each
// role is granted, and where: the file and line of the resource that grants it. It knows the
// Snowflake provider's grant resources — snowflake_grant_privileges_to_account_role (and its
// older name snowflake_grant_privileges_to_role), the deprecated per-object resources
// (snowflake_database_grant, snowflake_schema_grant, snowflake_table_grant,
// snowflake_view_grant, snowflake_warehouse_grant, snowflake_account_grant) and role grants
// (snowflake_grant_account_role, snowflake_role_grants) — so that when a contributor lacks
// access, datatui can say where the grant would go: "grants for RAW are in
// terraform/roles.tf:42 — ask for access with a PR there".
//
// The files are parsed with HashiCorp's own HCL parser and evaluated as far as the folder
// alone allows: variables with defaults (and terraform.tfvars / *.auto.tfvars), locals,
// attributes of other resources (snowflake_account_role.contributor.name), for_each over
// known collections, and the common string and collection functions. A value that depends on
// something outside the folder (a variable without a default, a module output) stays unknown
// and is reported, never guessed.
package tfgrants

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Grant is one privilege grant to a role, as the Terraform defines it.
type Grant struct {
	// Role is the account role granted to (upper-cased, as Snowflake folds unquoted names).
	Role string `json:"role"`
	// Privileges are SELECT, USAGE… ("ALL PRIVILEGES" for all_privileges).
	Privileges []string `json:"privileges"`
	// On is the kind of object: ACCOUNT, DATABASE, SCHEMA, TABLE, VIEW, WAREHOUSE…
	On string `json:"on"`
	// Database, Schema and Object name what it is on ("" where they do not apply); Object is
	// the object's own name (a warehouse, a table).
	Database string `json:"database,omitempty"`
	Schema   string `json:"schema,omitempty"`
	Object   string `json:"object,omitempty"`
	// All is a grant on every existing object of the kind in Database (or Database.Schema);
	// Future one on those created later.
	All    bool `json:"all,omitempty"`
	Future bool `json:"future,omitempty"`
	// Resource is the Terraform address ("snowflake_grant_privileges_to_account_role.raw").
	Resource string `json:"resource"`
	// File (relative to the repository root, with slashes) and Line locate the resource block.
	File string `json:"file"`
	Line int    `json:"line"`
	// Unknown lists the expressions datatui could not evaluate ("var.raw_database").
	Unknown []string `json:"unknown,omitempty"`
}

// Where is "file:line".
func (g Grant) Where() string { return fmt.Sprintf("%s:%d", g.File, g.Line) }

// Target names what the grant is on, as Snowflake writes it: "RAW.APP", "all tables in RAW.APP".
func (g Grant) Target() string {
	name := joinNonEmpty(g.Database, g.Schema, g.Object)
	if g.On == "ACCOUNT" {
		return "the account"
	}
	kind := strings.ToLower(g.On)
	switch {
	case g.Future:
		return "future " + plural(kind) + " in " + name
	case g.All:
		return "all " + plural(kind) + " in " + name
	}
	return kind + " " + name
}

func plural(kind string) string {
	if strings.HasSuffix(kind, "s") {
		return kind
	}
	return kind + "s"
}

// RoleGrant is a role granted to another role (which then has its privileges) or to a user.
type RoleGrant struct {
	Role     string `json:"role"`
	ToRole   string `json:"to_role,omitempty"`
	ToUser   string `json:"to_user,omitempty"`
	Resource string `json:"resource"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// Location is a place in the Terraform.
type Location struct {
	Name string `json:"name,omitempty"`
	File string `json:"file"`
	Line int    `json:"line"`
	// About is what the grants there are on ("RAW.STRIPE", "RAW"); "" when the place is only
	// the role's own grants.
	About string `json:"about,omitempty"`
}

// Where is "file:line".
func (l Location) Where() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }

// Code is what the Terraform folder defines.
type Code struct {
	// Dir is the folder read, relative to the repository root.
	Dir string `json:"dir"`
	// Files are the .tf files read, relative to the repository root.
	Files      []string    `json:"files"`
	Grants     []Grant     `json:"grants"`
	RoleGrants []RoleGrant `json:"role_grants"`
	// Roles are where roles are created (snowflake_account_role, snowflake_role).
	Roles []Location `json:"roles"`
	// Warnings are files that could not be parsed and resources read only in part.
	Warnings []string `json:"warnings,omitempty"`
}

// Load reads every .tf file in root/dir (not recursing: a Terraform module is one folder).
// A file with syntax errors is skipped with a warning; the others still count.
func Load(root, dir string) (*Code, error) {
	abs := dir
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(root, dir)
	}
	entries, err := os.ReadDir(abs)
	if err != nil {
		return nil, fmt.Errorf("terraform.dir %s: %w", dir, err)
	}
	var srcs []source
	var warnings []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || (!strings.HasSuffix(name, ".tf") && name != "terraform.tfvars" && !strings.HasSuffix(name, ".auto.tfvars")) {
			continue
		}
		rel := filepath.ToSlash(filepath.Join(dir, name))
		b, err := os.ReadFile(filepath.Join(abs, name))
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v", rel, err))
			continue
		}
		srcs = append(srcs, source{name: rel, data: b})
	}
	c := read(filepath.ToSlash(dir), srcs)
	c.Warnings = append(warnings, c.Warnings...)
	if len(c.Files) == 0 {
		return nil, fmt.Errorf("terraform.dir %s: no readable .tf files", dir)
	}
	return c, nil
}

// source is one file of the folder: its name relative to the repository root and its bytes.
type source struct {
	name string
	data []byte
}

// read parses and evaluates the folder's files.
func read(dir string, srcs []source) *Code {
	c := &Code{Dir: dir}
	var files []*parsed
	var tfvars []*hclsyntax.Body
	for _, src := range srcs {
		body, diags := parse(src.data, src.name)
		if diags.HasErrors() {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s: not valid HCL, skipped: %s", src.name, firstDiag(diags)))
			continue
		}
		if !strings.HasSuffix(src.name, ".tf") {
			tfvars = append(tfvars, body)
			continue
		}
		c.Files = append(c.Files, src.name)
		files = append(files, &parsed{file: src.name, src: src.data, body: body})
	}
	ev := newEvaluator(files, tfvars)
	for _, f := range files {
		for _, b := range f.body.Blocks {
			if b.Type == "resource" && len(b.Labels) == 2 {
				c.readResource(ev, f.file, b)
			}
		}
	}
	sort.SliceStable(c.Grants, func(i, j int) bool {
		if c.Grants[i].File != c.Grants[j].File {
			return c.Grants[i].File < c.Grants[j].File
		}
		return c.Grants[i].Line < c.Grants[j].Line
	})
	return c
}

// parse parses one file; it recovers from panics of the parser on hostile input (it has
// had such bugs), reporting them as a syntax error.
func parse(b []byte, name string) (body *hclsyntax.Body, diags hcl.Diagnostics) {
	defer func() {
		if r := recover(); r != nil {
			body, diags = nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: fmt.Sprintf("the HCL parser failed: %v", r)}}
		}
	}()
	f, diags := hclsyntax.ParseConfig(b, name, hcl.InitialPos)
	if diags.HasErrors() || f == nil {
		return nil, diags
	}
	body, ok := f.Body.(*hclsyntax.Body)
	if !ok {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "not native HCL syntax"}}
	}
	return body, nil
}

func firstDiag(d hcl.Diagnostics) string {
	for _, x := range d {
		if x.Severity == hcl.DiagError {
			s := x.Summary
			if x.Subject != nil {
				s = fmt.Sprintf("line %d: %s", x.Subject.Start.Line, s)
			}
			if x.Detail != "" {
				s += ": " + x.Detail
			}
			return s
		}
	}
	return "syntax error"
}

type parsed struct {
	file string
	src  []byte
	body *hclsyntax.Body
}

// readResource adds what one resource block defines.
func (c *Code) readResource(ev *evaluator, file string, b *hclsyntax.Block) {
	typ, name := b.Labels[0], b.Labels[1]
	addr := typ + "." + name
	line := b.DefRange().Start.Line
	switch typ {
	case "snowflake_account_role", "snowflake_role":
		for _, inst := range ev.instances(b) {
			if n, ok := inst.str("name"); ok {
				c.Roles = append(c.Roles, Location{Name: ident(n), File: file, Line: line})
			}
		}
		return
	}
	reader, ok := grantReader(typ)
	roleReader, isRoleGrant := roleGrantReader(typ)
	if !ok && !isRoleGrant {
		return
	}
	for _, inst := range ev.instances(b) {
		if isRoleGrant {
			for _, rg := range roleReader(inst) {
				rg.Resource, rg.File, rg.Line = addr, file, line
				c.RoleGrants = append(c.RoleGrants, rg)
			}
			continue
		}
		for _, g := range reader(inst) {
			g.Resource, g.File, g.Line = addr, file, line
			g.Unknown = dedupe(inst.unknowns())
			c.Grants = append(c.Grants, g)
		}
		if u := inst.unknowns(); len(u) > 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s:%d: %s: datatui cannot tell the value of %s", file, line, addr, strings.Join(dedupe(u), ", ")))
		}
	}
}

func dedupe(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// grantReader turns one resource instance of type typ into grants; ok=false for a type that
// grants no privileges. (A switch, not a map, so the package does no work at process start.)
func grantReader(typ string) (read func(*instance) []Grant, ok bool) {
	switch typ {
	case "snowflake_grant_privileges_to_account_role":
		return func(in *instance) []Grant { return privilegesToRole(in, "account_role_name") }, true
	case "snowflake_grant_privileges_to_role":
		return func(in *instance) []Grant { return privilegesToRole(in, "role_name") }, true
	case "snowflake_account_grant":
		return func(in *instance) []Grant { return perRole(in, Grant{On: "ACCOUNT"}, "USAGE") }, true
	case "snowflake_database_grant":
		return func(in *instance) []Grant {
			db, _ := in.str("database_name")
			return perRole(in, Grant{On: "DATABASE", Database: ident(db)}, "USAGE")
		}, true
	case "snowflake_warehouse_grant":
		return func(in *instance) []Grant {
			wh, _ := in.str("warehouse_name")
			return perRole(in, Grant{On: "WAREHOUSE", Object: ident(wh)}, "USAGE")
		}, true
	case "snowflake_schema_grant":
		return func(in *instance) []Grant {
			db, _ := in.str("database_name")
			s, _ := in.str("schema_name")
			g := Grant{On: "SCHEMA", Database: ident(db), Schema: ident(s), Future: in.boolean("on_future"), All: in.boolean("on_all")}
			if g.Future || g.All {
				g.Schema = ""
			}
			return perRole(in, g, "USAGE")
		}, true
	case "snowflake_table_grant":
		return func(in *instance) []Grant { return oldObjectGrant(in, "TABLE", "table_name") }, true
	case "snowflake_view_grant":
		return func(in *instance) []Grant { return oldObjectGrant(in, "VIEW", "view_name") }, true
	}
	return nil, false
}

// roleGrantReader turns one resource instance of type typ into role grants.
func roleGrantReader(typ string) (read func(*instance) []RoleGrant, ok bool) {
	switch typ {
	case "snowflake_grant_account_role":
		return func(in *instance) []RoleGrant {
			role, _ := in.str("role_name")
			rg := RoleGrant{Role: ident(role)}
			if p, ok := in.str("parent_role_name"); ok {
				rg.ToRole = ident(p)
			}
			if u, ok := in.str("user_name"); ok {
				rg.ToUser = ident(u)
			}
			return []RoleGrant{rg}
		}, true
	case "snowflake_role_grants":
		return func(in *instance) []RoleGrant {
			role, _ := in.str("role_name")
			var out []RoleGrant
			for _, r := range in.strs("roles") {
				out = append(out, RoleGrant{Role: ident(role), ToRole: ident(r)})
			}
			for _, u := range in.strs("users") {
				out = append(out, RoleGrant{Role: ident(role), ToUser: ident(u)})
			}
			return out
		}, true
	}
	return nil, false
}

// perRole expands a deprecated grant resource (privilege + roles) into one grant per role.
func perRole(in *instance, g Grant, defaultPrivilege string) []Grant {
	p, ok := in.str("privilege")
	if !ok {
		p = defaultPrivilege
	}
	g.Privileges = []string{strings.ToUpper(p)}
	var out []Grant
	for _, r := range in.strs("roles") {
		x := g
		x.Role = ident(r)
		out = append(out, x)
	}
	return out
}

func oldObjectGrant(in *instance, kind, nameAttr string) []Grant {
	db, _ := in.str("database_name")
	s, _ := in.str("schema_name")
	obj, _ := in.str(nameAttr)
	g := Grant{On: kind, Database: ident(db), Schema: ident(s), Object: ident(obj), Future: in.boolean("on_future"), All: in.boolean("on_all")}
	if g.Future || g.All {
		g.Object = ""
	}
	return perRole(in, g, "SELECT")
}

// privilegesToRole reads snowflake_grant_privileges_to_account_role: privileges or
// all_privileges on the account, an account object, a schema (one, all, future) or schema
// objects (one, all, future).
func privilegesToRole(in *instance, roleAttr string) []Grant {
	role, _ := in.str(roleAttr)
	g := Grant{Role: ident(role)}
	for _, p := range in.strs("privileges") {
		g.Privileges = append(g.Privileges, strings.ToUpper(p))
	}
	if in.boolean("all_privileges") {
		g.Privileges = []string{"ALL PRIVILEGES"}
	}
	switch {
	case in.boolean("on_account"):
		g.On = "ACCOUNT"
	case in.sub("on_account_object") != nil:
		o := in.sub("on_account_object")
		kind, _ := o.str("object_type")
		name, _ := o.str("object_name")
		g.On = strings.ToUpper(kind)
		if g.On == "DATABASE" {
			g.Database = ident(name)
		} else {
			g.Object = ident(name)
		}
	case in.sub("on_schema") != nil:
		o := in.sub("on_schema")
		g.On = "SCHEMA"
		if s, ok := o.str("schema_name"); ok {
			parts := identParts(s)
			if len(parts) == 2 {
				g.Database, g.Schema = parts[0], parts[1]
			} else {
				g.Schema = strings.Join(parts, ".")
			}
		} else if db, ok := o.str("all_schemas_in_database"); ok {
			g.Database, g.All = ident(db), true
		} else if db, ok := o.str("future_schemas_in_database"); ok {
			g.Database, g.Future = ident(db), true
		}
	case in.sub("on_schema_object") != nil:
		o := in.sub("on_schema_object")
		if kind, ok := o.str("object_type"); ok {
			g.On = strings.ToUpper(kind)
			name, _ := o.str("object_name")
			parts := identParts(name)
			if len(parts) == 3 {
				g.Database, g.Schema, g.Object = parts[0], parts[1], parts[2]
			} else {
				g.Object = strings.Join(parts, ".")
			}
		}
		for _, kind := range []string{"all", "future"} {
			b := o.sub(kind)
			if b == nil {
				continue
			}
			g.All, g.Future = kind == "all", kind == "future"
			plural, _ := b.str("object_type_plural")
			g.On = strings.TrimSuffix(strings.ToUpper(plural), "S")
			if db, ok := b.str("in_database"); ok {
				g.Database = ident(db)
			}
			if s, ok := b.str("in_schema"); ok {
				if parts := identParts(s); len(parts) == 2 {
					g.Database, g.Schema = parts[0], parts[1]
				}
			}
		}
	}
	return []Grant{g}
}

// ident normalises one Snowflake identifier as Snowflake resolves it: "\"Raw\"" keeps its case,
// raw becomes RAW.
func ident(s string) string { return strings.Join(identParts(s), ".") }

// identParts splits a possibly qualified, possibly quoted name ("\"RAW\".\"STRIPE\"",
// RAW.STRIPE) into its parts, upper-casing unquoted ones.
func identParts(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	var parts []string
	var cur strings.Builder
	quoted, wasQuoted := false, false
	flush := func() {
		p := cur.String()
		if !wasQuoted {
			p = strings.ToUpper(strings.TrimSpace(p))
		}
		parts = append(parts, p)
		cur.Reset()
		wasQuoted = false
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			i++
		case ch == '"':
			quoted = !quoted
			wasQuoted = true
		case ch == '.' && !quoted:
			flush()
		default:
			cur.WriteByte(ch)
		}
	}
	flush()
	return parts
}

func joinNonEmpty(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ".")
}

// str is a known string value.
func str(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsWhollyKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}
