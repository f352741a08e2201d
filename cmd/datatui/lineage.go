package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/artifacts"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/impact"
	"github.com/datatui/datatui/internal/dbt/lineage"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/workspace"
)

// loadGraph opens the workspace and loads its graph (manifest when fresh, else a quick parse).
func (a *app) loadGraph(quick bool) (*workspace.Workspace, *dbt.Graph, error) {
	ws, err := a.workspace()
	if ws == nil {
		return nil, nil, err
	}
	// Every caller is a command that exits once it has printed (lineage, completion).
	g, gerr := a.services(ws).Artifacts().Graph(a.ctx, artifacts.Options{QuickParseOnly: quick, OneShot: true})
	if gerr != nil {
		return ws, nil, gerr
	}
	return ws, g, nil
}

// describeOrigin is one line saying where the lineage comes from, for stderr.
func describeOrigin(o dbt.Origin) string {
	var s string
	if o.Kind == dbt.OriginQuickParse {
		s = "lineage from a quick parse of the project files (no up-to-date dbt manifest)"
	} else {
		s = fmt.Sprintf("lineage from %s (written %s ago)", o.Path, time.Since(o.Built).Round(time.Second))
		if o.Stale {
			s += ", older than some project files"
		}
	}
	if n := len(o.Warnings); n > 0 {
		s += "; " + text.Plural(n, "warning", "warnings") + ":"
	}
	return s
}

func printOrigin(w io.Writer, o dbt.Origin) {
	fmt.Fprintln(w, "datatui: "+describeOrigin(o))
	printWarnings(w, o.Warnings)
}

// printWarnings lists a graph's warnings under the line saying where it comes from, the first
// ten of them.
func printWarnings(w io.Writer, warnings []string) {
	for k, warn := range warnings {
		if k == 10 {
			fmt.Fprintf(w, "  … and %d more\n", len(warnings)-10)
			break
		}
		fmt.Fprintln(w, "  "+warn)
	}
}

func newLineageCmd(a *app) *cobra.Command {
	var up, down int
	var format string
	var asJSON, tests, quick, quiet bool
	cmd := &cobra.Command{
		Use:               "lineage NODE",
		ValidArgsFunction: a.nodeArg,
		Short:             "Show what a model reads from and what reads it",
		Long: `Show a node's upstream (what it reads) and downstream (what reads it), from the project's
dbt manifest when it is up to date, else from a quick parse of the project files (no dbt needed).

NODE is a model name (orders), a unique id (model.shop.orders), a source (raw.users), a model
version (dim_users.v2), a file (models/orders.sql) or a selector-like spelling (+orders+).
Graph operators in NODE are ignored; use --upstream/--downstream for depth (-1 = all levels).
Tests are left out unless --tests is given. Where the lineage came from, and any files the quick
parse could not read fully, are reported on stderr.

Formats (--format): tree (default, text), json, dot (Graphviz), mermaid.
JSON fields: node, upstream[], downstream[] (each: depth, unique_id, name, resource_type,
original_file_path), edges[] (from, to: data flows from → to), truncated (nodes exist beyond
the depths asked for).

Exit status: 0 on success, 1 when NODE matches nothing (the closest names are listed), 2 for
usage errors.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if asJSON {
				format = lineage.FormatJSON
			}
			valid := false
			for _, f := range lineage.LineageFormats() {
				valid = valid || f == format
			}
			if !valid {
				return withCode(2, fmt.Errorf("--format %q: use one of %s", format, strings.Join(lineage.LineageFormats(), ", ")))
			}
			_, g, err := a.loadGraph(quick)
			if err != nil {
				return err
			}
			if !quiet {
				printOrigin(a.stderr, g.Origin)
			}
			i, sugg := lineage.FindNode(g, args[0])
			if i < 0 {
				return lineage.NodeNotFoundError(args[0], sugg)
			}
			l := lineage.ComputeLineage(g, i, lineage.LineageOptions{Upstream: up, Downstream: down, Tests: tests})
			if format == lineage.FormatJSON {
				return a.writeJSON(l)
			}
			return lineage.RenderLineage(a.stdout, l, format)
		},
	}
	f := cmd.Flags()
	f.IntVar(&up, "upstream", -1, "levels of parents to show (-1 = all, 0 = none)")
	f.IntVar(&down, "downstream", -1, "levels of children to show (-1 = all, 0 = none)")
	f.StringVar(&format, "format", lineage.FormatTree, "output format: tree, json, dot or mermaid")
	f.BoolVar(&asJSON, "json", false, "same as --format json")
	f.BoolVar(&tests, "tests", false, "include data tests and unit tests")
	f.BoolVar(&quick, "quick", false, "ignore target/manifest.json and quick-parse the project files")
	f.BoolVarP(&quiet, "quiet", "q", false, "do not report the lineage's origin and warnings on stderr")
	return cmd
}

func newImpactCmd(a *app) *cobra.Command {
	var asJSON, quick bool
	var base, state string
	cmd := &cobra.Command{
		Use:   "impact",
		Short: "Show the models your branch changes and everything downstream of them",
		Long: `Show what the current branch changes: the dbt nodes whose files changed since the branch left
the base branch (committed, staged, unstaged and untracked files), plus, with a production
manifest, the nodes that are new or modified compared with it (like dbt's state:modified);
then every node downstream of them and the exposures (dashboards, apps) they reach. That is
the set CI builds with state:modified+.

The base branch is --base, else github.base_branch from datatui.yml, else the remote's default
branch. The production manifest folder is --state, else dbt.prod_manifest from datatui.yml;
without one only git is compared. Changed files that no node comes from (macros,
dbt_project.yml, deleted files) are listed as unmapped: they can change any model. A changed
properties YAML file is compared definition by definition: editing one model's description
marks that model only. Against a quick parse of the files, only what the quick parse can
know is compared with the production manifest (file contents, configs it can render); the
checks it skips are listed.

JSON fields (--json): base, merge_base, changed_files[], unmapped_files[], state_compared,
changed[], downstream[], exposures[] (each: unique_id, name, resource_type,
original_file_path, reasons[]), selector (a dbt selector for the same nodes),
skipped_checks[], warnings[].`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, g, err := a.loadGraph(quick)
			if err != nil {
				return err
			}
			if base == "" && ws.Config != nil {
				base = ws.Config.GitHub.BaseBranch
			}
			if state == "" {
				state = service.ProdStateDir(ws)
			}
			im, err := impact.ComputeImpact(a.ctx, g, impact.ImpactOptions{ProjectDir: ws.ProjectDir, BaseBranch: base, StateDir: state, Git: a.services(ws).Git()})
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(im)
			}
			printImpact(a.stdout, im)
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	f.BoolVar(&quick, "quick", false, "ignore target/manifest.json and quick-parse the project files")
	f.StringVar(&base, "base", "", "the branch yours will merge into (default: datatui.yml's github.base_branch)")
	f.StringVar(&state, "state", "", "a folder holding production's manifest.json (default: datatui.yml's dbt.prod_manifest)")
	return cmd
}

func printImpact(w io.Writer, im *impact.Impact) {
	for _, warn := range im.Warnings {
		fmt.Fprintln(w, "warning: "+warn)
	}
	switch {
	case im.Base != "":
		fmt.Fprintf(w, "Compared with %s", im.Base)
		if im.MergeBase != "" {
			fmt.Fprintf(w, " (merge base %s)", short(im.MergeBase))
		}
		if im.StateCompared {
			fmt.Fprint(w, " and the production manifest")
		}
		fmt.Fprintln(w)
	case im.StateCompared:
		fmt.Fprintln(w, "Compared with the production manifest")
	}
	for _, s := range im.Skipped {
		fmt.Fprintln(w, "not compared: "+s)
	}
	if len(im.Changed) == 0 {
		fmt.Fprintln(w, "No dbt nodes changed on this branch.")
		if len(im.Unmapped) > 0 {
			fmt.Fprintf(w, "\nChanged files that no node comes from (%d):\n", len(im.Unmapped))
			for _, f := range im.Unmapped {
				fmt.Fprintln(w, "  "+f)
			}
		}
		return
	}
	section := func(title string, nodes []impact.ImpactNode, withReasons bool) {
		if len(nodes) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s (%d):\n", title, len(nodes))
		for _, n := range nodes {
			line := fmt.Sprintf("  %-10s %s", n.ResourceType, n.Name)
			if withReasons && len(n.Reasons) > 0 {
				line += "  (" + strings.Join(n.Reasons, "; ") + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	section("Changed", im.Changed, true)
	var down, tests []impact.ImpactNode
	for _, n := range im.Downstream {
		if n.ResourceType == "test" || n.ResourceType == "unit_test" {
			tests = append(tests, n)
		} else {
			down = append(down, n)
		}
	}
	section("Downstream", down, false)
	if len(tests) > 0 {
		fmt.Fprintf(w, "\nDownstream tests: %d\n", len(tests))
	}
	if len(im.Exposures) > 0 {
		// Exposures are what people outside the team look at: name the kind, the link to check
		// after the change, and whom to tell.
		fmt.Fprintf(w, "\nExposures reached (%d): check them after the change, tell their owners\n", len(im.Exposures))
		for _, n := range im.Exposures {
			line := fmt.Sprintf("  %-10s %s", cmp.Or(n.ExposureType, "exposure"), n.Name)
			if n.URL != "" {
				line += "  " + n.URL
			}
			if n.Owner != "" {
				line += "  (owner: " + n.Owner + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(im.Unmapped) > 0 {
		fmt.Fprintf(w, "\nChanged files that no node comes from (%d), which may affect any model:\n", len(im.Unmapped))
		for _, f := range im.Unmapped {
			fmt.Fprintln(w, "  "+f)
		}
	}
	if im.Selector != "" {
		fmt.Fprintf(w, "\nBuild it: dbt build --select %q\n", im.Selector)
	}
}

func short(sha string) string {
	if len(sha) > 10 {
		return sha[:10]
	}
	return sha
}
