package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/warehouse/engines"
	"github.com/datatui/datatui/internal/workspace"
)

// sandboxFlags are shared by the sandbox commands and whoami.
type sandboxFlags struct {
	profilesDir string
	target      string
}

func (f *sandboxFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.profilesDir, "profiles-dir", "", "folder holding profiles.yml (default: as dbt finds it)")
	cmd.Flags().StringVar(&f.target, "target", "", "profiles.yml target: datatui.yml's dbt.target (the default) or one of dbt.allowed_targets")
}

// openWarehouse opens the workspace and its dev target's warehouse. With a broken
// datatui.yml it still opens, for reading: the engine's write guard refuses every write,
// and a banner on stderr names the error.
func (a *app) openWarehouse(ctx context.Context, f sandboxFlags) (*workspace.Workspace, warehouse.Warehouse, *profiles.Target, error) {
	ws, err := a.workspace()
	if ws == nil {
		return nil, nil, nil, err
	}
	a.readOnlyBanner(ws)
	w, t, err := connect.Open(ctx, ws, connect.Options{ProfilesDir: f.profilesDir, Target: f.target})
	if err != nil {
		return nil, nil, nil, err
	}
	return ws, w, t, nil
}

// readOnlyBanner says on stderr that datatui.yml has errors and nothing will be written.
func (a *app) readOnlyBanner(ws *workspace.Workspace) {
	if ws.ConfigErr != nil {
		fmt.Fprintf(a.stderr, "datatui: %v\ndatatui: read-only until datatui.yml is fixed: nothing is written, refreshed or run against the warehouse\n", ws.ConfigErr)
	}
}

func newSandboxCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Your sandbox database: what it holds, how old it is, refresh it",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newSandboxStatusCmd(a), newSandboxShowCmd(a), newSandboxRefreshCmd(a))
	return cmd
}

// sandboxStatusJSON is `datatui sandbox status --json`.
type sandboxStatusJSON struct {
	Summary  warehouse.Summary   `json:"summary"`
	Target   profiles.Target     `json:"target"`
	Snapshot *warehouse.Snapshot `json:"snapshot"`
	Drift    *warehouse.Drift    `json:"drift,omitempty"`
	// NewerLoads are the source tables that got rows after the sandbox was copied (from the
	// last dbt source freshness).
	NewerLoads []dbt.FreshnessResult `json:"newer_loads,omitempty"`
	Warnings   []string              `json:"warnings,omitempty"`
}

func newSandboxStatusCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show your sandbox: who you are, how old the clone is, what is in it",
		Long: `Show your sandbox database: the role you are connected with, when it was last cloned and
from what (against the team's refresh policy), its schemas and tables, project models it is
missing, and schemas no model uses any more.

On Snowflake this uses SHOW commands only: no warehouse runs and nothing is billed.

--json prints one object:
  summary   {engine, sandbox, exists, user, role, role_kind (contributor|admin|other), cloned,
             cloned_from, age_days, refresh_policy_days, stale, schemas, objects, bytes, taken}
  target    the profiles.yml target (name, profile, type, account, user, role, warehouse,
            database, schema, path, threads; secrets appear only as "[redacted]")
  snapshot  {taken, engine, identity{engine, account, user, role, secondary_roles, warehouse,
             database, schema}, policy{sandbox, prod, clone, protected}, exists,
             sandbox{name, created, origin, owner, path, bytes}, role_kind, contributor_role,
             refresh_policy_days, schemas[{database, name, created, owner}],
             objects[{database, schema, name, kind, rows, bytes, created, last_altered}]}
             (rows and bytes are -1 when the engine does not know them)
  drift     {missing[{unique_id, name, relation, file}], outdated[...], leftover_schemas[]}
  warnings  [text]`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			ws, w, t, err := a.openWarehouse(ctx, f)
			if err != nil {
				return err
			}
			defer w.Close()
			l, err := a.services(ws).InspectSandbox(ctx, w, t, service.InspectOptions{})
			if err != nil {
				return err
			}
			snap := l.Snapshot
			out := sandboxStatusJSON{Summary: snap.Summarise(time.Now()), Target: t.Redacted(), Snapshot: snap, Drift: l.Drift, NewerLoads: l.NewerLoads, Warnings: l.Warnings}
			if snap.Role == warehouse.RoleAdmin {
				out.Warnings = append(out.Warnings, adminWarning(snap))
			}
			if asJSON {
				return a.writeJSON(out)
			}
			printSandboxStatus(a.stdout, out)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	return cmd
}

func adminWarning(s *warehouse.Snapshot) string {
	want := s.ContributorRole
	if want == "" {
		want = "the contributor role"
	}
	return fmt.Sprintf("you are using the admin role %s; the team's policy is to work as %s and assume admin roles only when needed (datatui guide show %s)", s.Identity.Role, want, warehouse.GuideRoles)
}

func printSandboxStatus(w io.Writer, out sandboxStatusJSON) {
	s, snap := out.Summary, out.Snapshot
	fmt.Fprintf(w, "Sandbox   your database “%s” on %s\n", s.Sandbox, engines.Default().Name(s.Engine))
	who := s.User
	if s.Role != "" {
		who += " as " + s.Role + " (" + s.RoleKind + ")"
	}
	fmt.Fprintf(w, "You       %s\n", who)
	if snap.Policy.ReadOnly != "" {
		fmt.Fprintf(w, "Read-only %s; %s\n", termsafe.Line(snap.Policy.ReadOnly), termsafe.Line(snap.Policy.ReadOnlyFix))
	}
	if !s.Exists {
		fmt.Fprintf(w, "State     does not exist yet: datatui sandbox refresh copies it from the team's clone (%s)\n", snap.Policy.Clone)
	} else {
		state := "copied from the clone on an unknown date"
		if !s.Cloned.IsZero() {
			state = "copied " + warehouse.Ago(s.AgeDays) + " from " + s.From
		}
		if s.PolicyDays > 0 {
			state += fmt.Sprintf(" (policy: refresh every %d days)", s.PolicyDays)
		}
		if s.Stale {
			state += ": refresh it"
		}
		fmt.Fprintf(w, "State     %s\n", state)
		if l := warehouse.NewerLoadsLine(out.NewerLoads, time.Now()); l != "" {
			fmt.Fprintf(w, "Loads     %s: refresh it to get them\n", l)
		}
		fmt.Fprintf(w, "Size      %s in %d objects, %d schemas\n", warehouse.HumanBytes(s.Bytes), s.Objects, s.Schemas)
		fmt.Fprintln(w)
		for _, st := range snap.SchemaTotals() {
			fmt.Fprintf(w, "  %-24s %3d %-6s %3d %-5s %12s rows %10s\n", st.Name, st.Tables, text.Noun(st.Tables, "table", "tables"), st.Views, text.Noun(st.Views, "view", "views"), fmtCount(st.Rows), warehouse.HumanBytes(st.Bytes))
		}
	}
	if d := out.Drift; d != nil {
		if len(d.Missing) > 0 {
			names := make([]string, len(d.Missing))
			for i, m := range d.Missing {
				names[i] = m.Name
			}
			fmt.Fprintf(w, "\nMissing   %d models not built in the sandbox: %s\n", len(d.Missing), strings.Join(names, ", "))
		}
		for _, m := range d.Outdated {
			fmt.Fprintf(w, "Outdated  %s: %s changed after it was built\n", m.Name, m.File)
		}
		if len(d.Leftover) > 0 {
			fmt.Fprintf(w, "Unused    schemas no model writes any more: %s\n", strings.Join(d.Leftover, ", "))
		}
	}
	for _, warn := range out.Warnings {
		fmt.Fprintf(w, "Warning   %s\n", warn)
	}
}

func fmtCount(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}

// stdinIsTerminal reports whether r is an interactive terminal.
func stdinIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newSandboxRefreshCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var yes bool
	cmd := &cobra.Command{
		Use:   "refresh",
		Short: "Replace your sandbox with a fresh copy of the team's clone of production",
		Long: `Replace your sandbox with a fresh copy of the clone database named in datatui.yml
(Snowflake: CREATE OR REPLACE DATABASE <sandbox> CLONE <clone>; DuckDB: a copy of the clone's
file, swapped in only once complete). Everything in the sandbox is replaced.

Only your own sandbox can be refreshed: its name comes from the session's own login
(CURRENT_USER() on Snowflake), which must match profiles.yml's user; prod, the clone,
protected databases and a sandbox marked as someone else's (datatui marks each sandbox it
creates with its owner's login) are refused before anything is written, and so is
everything while datatui.yml has errors. On a terminal it asks first; without a terminal
it refuses unless --yes is given.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if !yes && !stdinIsTerminal(a.stdin) {
				return withCode(2, errors.New("not asking without a terminal: pass --yes to refresh your sandbox"))
			}
			ws, w, _, err := a.openWarehouse(ctx, f)
			if err != nil {
				return err
			}
			defer w.Close()
			// The sandbox is the session's own: ask who it is before naming it.
			if _, err := w.Identity(ctx); err != nil {
				return err
			}
			p := w.Policy()
			if err := p.CheckWrite(p.Sandbox); err != nil {
				return err
			}
			if !yes {
				fmt.Fprintf(a.stdout, "Replace your sandbox (%s) with a fresh copy of the team's clone (%s)? Everything now in %s is lost. [y/N] ", p.Sandbox, p.Clone, p.Sandbox)
				line, _ := bufio.NewReader(a.stdin).ReadString('\n')
				if ans := strings.ToLower(strings.TrimSpace(line)); ans != "y" && ans != "yes" {
					fmt.Fprintln(a.stdout, "Not refreshed.")
					return silentExit(1)
				}
			}
			start := time.Now()
			if err := w.Refresh(ctx, p.Sandbox); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Refreshed %s from %s in %s.\n", p.Sandbox, p.Clone, time.Since(start).Round(time.Millisecond*100))
			if snap, err := warehouse.Inspect(ctx, w, ws.Config, nil); err == nil {
				if dir, err := ws.EnsureStateDir(); err == nil {
					_ = warehouse.SaveSnapshot(dir, snap)
				}
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "refresh without asking")
	return cmd
}

// whoamiJSON is `datatui whoami --json`.
type whoamiJSON struct {
	Identity warehouse.Identity `json:"identity"`
	RoleKind string             `json:"role_kind"`
	Policy   warehouse.Policy   `json:"policy"`
	Target   profiles.Target    `json:"target"`
	Grants   []warehouse.Grant  `json:"grants"`
	Warnings []string           `json:"warnings,omitempty"`
	// Access is the project's source tables against the team's Terraform (terraform.dir).
	Access *access.Report `json:"access,omitempty"`
}

func newWhoamiCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Show who you are connected to the warehouse as",
		Long: `Connect with your dev target from profiles.yml and show the user, role, secondary roles and
warehouse of the session, whether the role is the team's contributor role, and which database
is your sandbox.

--json prints {identity{engine, account, user, role, secondary_roles, warehouse, database,
schema}, role_kind (contributor|admin|other), policy{sandbox, prod, clone, protected},
target{name, profile, type, account, user, role, warehouse, database, schema, path, threads;
secrets only as "[redacted]"}, grants[{privilege, granted_on, name, granted_to, grantee,
grant_option}] (the current role's; empty for DuckDB), warnings[], access{role, dir, summary,
grants[], findings[{role, need{privilege, on, database, schema, object}, where{file, line,
about}}], checked, live} (with terraform.dir in datatui.yml: the project's source tables
against the team's Terraform grants, and where to ask for what is missing)}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, w, t, err := a.openWarehouse(cmd.Context(), f)
			if err != nil {
				return err
			}
			defer w.Close()
			id, err := w.Identity(cmd.Context())
			if err != nil {
				return err
			}
			out := whoamiJSON{Identity: id, RoleKind: warehouse.RoleKind(ws.Config.Warehouse, id.Role), Policy: w.Policy(), Target: t.Redacted()}
			if out.RoleKind == warehouse.RoleAdmin {
				out.Warnings = append(out.Warnings, adminWarning(&warehouse.Snapshot{Identity: id, ContributorRole: ws.Config.Warehouse.ContributorRole}))
			}
			var grantsErr error
			if out.Grants, grantsErr = w.Grants(cmd.Context()); grantsErr != nil {
				out.Warnings = append(out.Warnings, "could not list the role's grants: "+grantsErr.Error())
			}
			var accessErr string
			if out.Access, accessErr = a.grantsAsCode(cmd.Context(), ws, w, id, out.Grants, grantsErr); accessErr != "" {
				out.Warnings = append(out.Warnings, "could not check the team's Terraform: "+accessErr)
			}
			if out.Grants == nil {
				out.Grants = []warehouse.Grant{}
			}
			if asJSON {
				return a.writeJSON(out)
			}
			fmt.Fprintf(a.stdout, "User       %s\n", id.User)
			if id.Role != "" {
				fmt.Fprintf(a.stdout, "Role       %s (%s)\n", id.Role, out.RoleKind)
			}
			if len(id.SecondaryRoles) > 0 {
				fmt.Fprintf(a.stdout, "Secondary  %s\n", strings.Join(id.SecondaryRoles, ", "))
			}
			if id.Warehouse != "" {
				fmt.Fprintf(a.stdout, "Warehouse  %s\n", id.Warehouse)
			}
			fmt.Fprintf(a.stdout, "Engine     %s (target %s)\n", engines.Default().Name(id.Engine), t.Name)
			fmt.Fprintf(a.stdout, "Sandbox    “%s”\n", out.Policy.Sandbox)
			if n := len(out.Grants); n > 0 {
				var parts []string
				for _, g := range out.Grants[:min(n, 6)] {
					parts = append(parts, g.Privilege+" on "+strings.ToLower(g.GrantedOn)+" "+g.Name)
				}
				if n > 6 {
					parts = append(parts, fmt.Sprintf("and %d more (--json lists all)", n-6))
				}
				fmt.Fprintf(a.stdout, "Grants     %s\n", strings.Join(parts, ", "))
			}
			if out.Access != nil {
				printGrantsAsCode(a.stdout, out.Access)
			}
			for _, warn := range out.Warnings {
				fmt.Fprintf(a.stdout, "Warning    %s\n", warn)
			}
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	return cmd
}
