// Package access answers "can I read what this project reads, and if not, where do I ask?":
// the source tables of the dbt project against the grants the team's Terraform gives the
// contributor role (package tfgrants) and, where the warehouse can tell, the session's own
// grants. `datatui whoami` and the Sandbox screen both call it.
package access

import (
	"context"
	"errors"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/tfgrants"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// ErrNoTerraform means datatui.yml names no Terraform folder (terraform.dir).
var ErrNoTerraform = errors.New("datatui.yml names no Terraform folder (terraform.dir)")

// Report is the answer for one role.
type Report struct {
	Role string `json:"role"`
	// Dir is the Terraform folder read (relative to the repository root).
	Dir string `json:"dir"`
	// Summary is "10 grants to TRANSFORMER in terraform/grants.tf".
	Summary string `json:"summary"`
	// Grants are the role's grants (its own and its granted roles').
	Grants []tfgrants.Grant `json:"grants"`
	// Findings are what the role lacks, with where to ask for it.
	Findings []tfgrants.Finding `json:"findings"`
	// Checked is how many source tables were checked.
	Checked int `json:"checked"`
	// Live is set when the session's own grants were counted too.
	Live     bool     `json:"live"`
	Warnings []string `json:"warnings,omitempty"`
}

// Inputs are what the check uses besides the workspace.
type Inputs struct {
	// Role is the role to check (default: datatui.yml's contributor role).
	Role string
	// Policy names the sandbox and prod databases: a source the project reads from the
	// sandbox (no database of its own) is read from prod in production.
	Policy warehouse.Policy
	// Live are the session's grants (SHOW GRANTS TO ROLE) and LiveKnown whether the engine
	// has roles at all: DuckDB has none, so only the Terraform counts there.
	Live      []warehouse.Grant
	LiveKnown bool
	// Graph is the project's graph (loaded when nil).
	Graph *dbt.Graph
}

// Check reads the Terraform and checks every source table of the project.
func Check(ctx context.Context, ws *workspace.Workspace, in Inputs) (*Report, error) {
	if ws == nil || ws.Config == nil || ws.Config.Terraform.Dir == "" {
		return nil, ErrNoTerraform
	}
	code, err := tfgrants.Load(ws.Root, ws.Config.Terraform.Dir)
	if err != nil {
		return nil, err
	}
	role := in.Role
	if role == "" {
		role = ws.Config.Warehouse.ContributorRole
	}
	g := in.Graph
	if g == nil {
		if g, err = project.LoadProject(ws.ProjectDir, dbt.LoadOptions{CacheDir: ws.StateDir}); err != nil {
			return nil, err
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	policy := in.Policy
	if policy.Prod == "" {
		policy.Prod = ws.Config.Warehouse.ProdDatabase
	}
	needs, n := SourceNeeds(g, policy)
	var has tfgrants.Has
	if in.LiveKnown {
		has = liveHas(in.Live)
	}
	r := &Report{Role: strings.ToUpper(role), Dir: code.Dir, Summary: code.Summary(role), Grants: code.GrantsOf(role),
		Findings: code.Check(role, needs, has), Checked: n, Live: has != nil, Warnings: code.Warnings}
	if r.Grants == nil {
		r.Grants = []tfgrants.Grant{}
	}
	if r.Findings == nil {
		r.Findings = []tfgrants.Finding{}
	}
	return r, nil
}

// SourceNeeds are the privileges reading the project's source tables takes, and how many
// tables there are. A source without a database of its own resolves to the target's database:
// in the sandbox that is a copy, and in production it is prod, which is what is granted.
func SourceNeeds(g *dbt.Graph, p warehouse.Policy) ([]tfgrants.Need, int) {
	var needs []tfgrants.Need
	seen := map[string]bool{}
	n := 0
	for i := range g.Nodes {
		s := &g.Nodes[i]
		if s.ResourceType != "source" || s.Disabled || s.Schema == "" {
			continue
		}
		db := s.Database
		if db == "" || (p.Sandbox != "" && strings.EqualFold(db, p.Sandbox)) {
			db = p.Prod
		}
		// The identifier: property names the table; the manifest has it in relation_name.
		table := s.Name
		if parts := strings.Split(strings.ReplaceAll(s.RelationName, `"`, ""), "."); len(parts) == 3 && parts[2] != "" {
			table = parts[2]
		}
		key := strings.ToUpper(db + "." + s.Schema + "." + table)
		if db == "" || seen[key] {
			continue
		}
		seen[key] = true
		n++
		needs = append(needs, tfgrants.ReadNeeds(db, s.Schema, table)...)
	}
	return needs, n
}

// liveHas reads the session's grants: SHOW GRANTS names objects DB, DB.SCHEMA, DB.SCHEMA.TABLE.
func liveHas(live []warehouse.Grant) tfgrants.Has {
	type key struct{ priv, on, name string }
	have := map[key]bool{}
	for _, g := range live {
		on := strings.ToUpper(g.GrantedOn)
		if on == "VIEW" {
			on = "TABLE"
		}
		have[key{strings.ToUpper(g.Privilege), on, normName(g.Name)}] = true
	}
	return func(n tfgrants.Need) bool {
		name := normName(n.Name())
		for _, p := range []string{n.Privilege, "OWNERSHIP", "ALL"} {
			if have[key{p, n.On, name}] {
				return true
			}
		}
		return false
	}
}

// normName compares names as Snowflake prints them, with or without quotes.
func normName(s string) string { return strings.ToUpper(strings.ReplaceAll(s, `"`, "")) }
