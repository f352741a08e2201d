package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/access"
	"github.com/datatui/datatui/internal/desktop"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/workspace"
)

// checkAccess connects like whoami and checks the project's source tables against the team's
// Terraform (and the session's grants where the engine has roles). The report is nil when
// datatui.yml names no Terraform folder.
func (a *app) checkAccess(ctx context.Context, f sandboxFlags) (*workspace.Workspace, *access.Report, error) {
	ws, w, _, err := a.openWarehouse(ctx, f)
	if err != nil {
		return nil, nil, err
	}
	defer w.Close()
	id, err := w.Identity(ctx)
	if err != nil {
		return nil, nil, err
	}
	live, liveErr := w.Grants(ctx)
	r, err := a.services(ws).CheckAccess(ctx, w, id, live, liveErr)
	return ws, r, err
}

// grantsAsCode is checkAccess's answer for whoami, which already holds the session: nil, ""
// when the team keeps no Terraform in datatui.yml, else the report or why it failed.
func (a *app) grantsAsCode(ctx context.Context, ws *workspace.Workspace, w warehouse.Warehouse, id warehouse.Identity, live []warehouse.Grant, liveErr error) (*access.Report, string) {
	r, err := a.services(ws).CheckAccess(ctx, w, id, live, liveErr)
	if err != nil {
		return nil, err.Error()
	}
	return r, ""
}

func printGrantsAsCode(w io.Writer, r *access.Report) {
	fmt.Fprintf(w, "Terraform  %s\n", r.Summary)
	for i, f := range r.Findings {
		fmt.Fprintf(w, "Missing    %d. %s\n", i+1, f.Message())
	}
	if len(r.Findings) > 0 {
		fmt.Fprintln(w, "Ask        datatui access request N  (opens the grant's line in your editor on a new branch)")
	}
	if len(r.Findings) == 0 && r.Checked > 0 {
		fmt.Fprintf(w, "Access     %s can read all %d source tables of the project\n", r.Role, r.Checked)
	}
}

func newAccessCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "access",
		Short: "What your role cannot read, and where the team's Terraform grants it",
		Long: `Check every source table of the project against the grants the team's Terraform
(terraform.dir in datatui.yml) gives the contributor role, and against the session's own grants
where the warehouse has roles. Each missing grant is numbered and names the file and line where
grants of its kind are defined; "datatui access request N" opens that line in your editor on a
new branch, ready for a pull request.

--json prints {role, dir, summary, grants[], findings[{role, need{privilege, on, database,
schema, object}, where{file, line, about}, unsure}], checked, live}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, r, err := a.checkAccess(cmd.Context(), f)
			if err != nil {
				return err
			}
			if r == nil {
				return errors.New(access.ErrNoTerraform.Error() + ": the data team says in datatui.yml where its grants are kept")
			}
			if asJSON {
				return a.writeJSON(r)
			}
			printGrantsAsCode(a.stdout, r)
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	cmd.AddCommand(newAccessRequestCmd(a))
	return cmd
}

func newAccessRequestCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var asJSON, noEdit bool
	cmd := &cobra.Command{
		Use:   "request N",
		Short: "Open missing grant N's place in the team's Terraform in your editor, on a new branch",
		Long: `Ask for missing grant N (as "datatui access" numbers them) with a pull request: switch to a
branch named for it (access/ROLE-PRIVILEGE-OBJECT, made from origin's default branch), then
open the Terraform file at the line where grants of its kind are defined in $VISUAL or $EDITOR.
A work tree with uncommitted changes is refused, so they cannot travel into the request.

--no-edit switches branch and prints the file and line instead of opening the editor.
--json (implies --no-edit) prints {branch, created, switched, base, path, line, where, message}.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := strconv.Atoi(args[0])
			if err != nil || n < 1 {
				return withCode(2, fmt.Errorf("%q is not the number of a missing grant (datatui access numbers them)", args[0]))
			}
			ws, r, err := a.checkAccess(cmd.Context(), f)
			if err != nil {
				return err
			}
			if r == nil {
				return access.ErrNoTerraform
			}
			if n > len(r.Findings) {
				if len(r.Findings) == 0 {
					return fmt.Errorf("%s is missing no grant the project needs: there is nothing to ask for", r.Role)
				}
				return withCode(2, fmt.Errorf("%s has %s missing (1 to %d); datatui access lists them", r.Role, text.Plural(len(r.Findings), "grant", "grants"), len(r.Findings)))
			}
			req, err := a.services(ws).StartGrantRequest(cmd.Context(), r.Findings[n-1])
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(req)
			}
			fmt.Fprintln(a.stdout, req.Done())
			fmt.Fprintf(a.stdout, "Missing: %s\n", req.Message)
			if !noEdit && stdinIsTerminal(a.stdin) {
				if err := a.edit(req.Path, req.Line); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stdout, "Edit %s:%d\n", req.Path, req.Line)
			}
			fmt.Fprintln(a.stdout, req.Next())
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	cmd.Flags().BoolVar(&noEdit, "no-edit", false, "print the file and line instead of opening the editor")
	return cmd
}

// edit runs the person's editor on path at line in the foreground.
func (a *app) edit(path string, line int) error {
	c, err := desktop.System().Edit(path, line)
	if err != nil {
		return err
	}
	c.SetStdin(a.stdin)
	c.SetStdout(os.Stdout)
	c.SetStderr(os.Stderr)
	return c.Run()
}
