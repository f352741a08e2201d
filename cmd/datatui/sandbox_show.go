package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/datatui/datatui/internal/ui/components/text"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engines"
)

// sandboxShowJSON is `datatui sandbox show --json`: Objects for a schema, Table for a table.
type sandboxShowJSON struct {
	Sandbox string                 `json:"sandbox"`
	Schema  string                 `json:"schema"`
	Objects []warehouse.Object     `json:"objects,omitempty"`
	Table   *warehouse.TableDetail `json:"table,omitempty"`
}

func newSandboxShowCmd(a *app) *cobra.Command {
	var f sandboxFlags
	var asJSON bool
	var rows int
	cmd := &cobra.Command{
		Use:   "show SCHEMA[.TABLE]",
		Short: "Look inside your sandbox: a schema's tables and views, or a table's columns",
		Long: `Show what your sandbox holds: with SCHEMA its tables and views (kind, rows, bytes where the
engine keeps them); with SCHEMA.TABLE the table's columns and types, its rows and bytes, which dbt
model, seed or snapshot builds it and how its last run went (target/run_results.json).

--rows N also prints the table's first N rows. That reads data: it is allowed in your own
sandbox only, and on Snowflake it runs on your warehouse (listing uses SHOW commands only,
which need none). Quote names with other characters as SQL does: '"My Schema".orders'.

--json prints {sandbox, schema, objects[{database, schema, name, kind, rows, bytes, created,
last_altered}]} for a schema, or {sandbox, schema, table{object, columns[{name, type, nullable,
comment}], built_by{unique_id, name, resource_type, file, materialized, status, completed,
command}, preview{columns, rows, warehouse}}} for a table (rows and bytes are -1 when unknown).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			schema, table, err := warehouse.ParseRelation(args[0])
			if err != nil {
				return err
			}
			if rows < 0 || rows > 1000 {
				return errors.New("--rows must be between 0 and 1000")
			}
			if rows > 0 && table == "" {
				return errors.New("--rows needs a table: SCHEMA.TABLE")
			}
			ctx := cmd.Context()
			ws, w, t, err := a.openWarehouse(ctx, f)
			if err != nil {
				return err
			}
			defer w.Close()
			snap, err := warehouse.Inspect(ctx, w, ws.Config, nil)
			if err != nil {
				return err
			}
			if !snap.Exists {
				return fmt.Errorf("your sandbox (%s) does not exist yet: datatui sandbox refresh clones it", snap.Policy.Sandbox)
			}
			out := sandboxShowJSON{Sandbox: snap.Sandbox.Name, Schema: schema}
			if table == "" {
				found := false
				for _, s := range snap.Schemas {
					found = found || warehouse.SameName(s.Name, schema)
				}
				if !found {
					return fmt.Errorf("schema %s is not in your sandbox (%s); datatui sandbox status lists its schemas", schema, snap.Sandbox.Name)
				}
				out.Objects = []warehouse.Object{}
				for _, o := range snap.Objects {
					if warehouse.SameName(o.Schema, schema) {
						out.Objects = append(out.Objects, o)
					}
				}
				if asJSON {
					return a.writeJSON(out)
				}
				printSchemaObjects(a.stdout, out, w.Engine())
				return nil
			}
			obj, ok := warehouse.FindObject(snap.Objects, schema, table)
			if !ok {
				return fmt.Errorf("%s.%s is not in your sandbox (%s); datatui sandbox show %s lists what is", schema, table, snap.Sandbox.Name, schema)
			}
			if e, _ := engines.Default().Lookup(w.Engine()); rows > 0 && (e == nil || e.BilledReads) {
				fmt.Fprintf(a.stderr, "datatui: reading %d rows of %s runs a query on your warehouse %s\n", rows, obj.FQN(), orDash(snap.Identity.Warehouse))
			}
			d, err := a.services(ws).DescribeTable(ctx, w, t, obj, rows)
			if err != nil {
				return err
			}
			out.Table = d
			if asJSON {
				return a.writeJSON(out)
			}
			printTableDetail(a.stdout, d, w.Engine())
			return nil
		},
	}
	f.add(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&rows, "rows", 0, "also print the table's first N rows (reads data; on Snowflake it uses your warehouse)")
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printSchemaObjects(w io.Writer, out sandboxShowJSON, engine string) {
	fmt.Fprintf(w, "Schema %s of your sandbox (%s): %s\n", termsafe.Line(out.Schema), termsafe.Line(out.Sandbox), text.Plural(len(out.Objects), "table or view", "tables and views"))
	noBytes := warehouse.SizesUnknown(out.Objects)
	if noBytes {
		fmt.Fprintf(w, "(%s keeps no size per table: the database's size is in datatui sandbox status)\n", engines.Default().Name(engine))
	}
	nameW := len("NAME")
	for _, o := range out.Objects {
		nameW = max(nameW, len(termsafe.Line(o.Name)))
	}
	row := func(name, kind, rows, bytes string) {
		line := fmt.Sprintf("%-*s  %-6s  %12s", nameW, name, kind, rows)
		if !noBytes {
			line += fmt.Sprintf("  %10s", bytes)
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
	row("NAME", "KIND", "ROWS", "BYTES")
	for _, o := range out.Objects {
		row(termsafe.Line(o.Name), o.Kind, fmtCount(o.Rows), warehouse.HumanBytes(o.Bytes))
	}
}

func printTableDetail(w io.Writer, d *warehouse.TableDetail, engine string) {
	o := d.Object
	e, _ := engines.Default().Lookup(engine)
	fmt.Fprintf(w, "%s  (%s)\n", termsafe.Line(o.FQN()), o.Kind)
	size := fmtCount(o.Rows) + " rows"
	switch {
	case o.Kind == warehouse.KindView:
		size = "a view: rows and bytes are counted when it is queried"
	case o.Bytes >= 0:
		size += ", " + warehouse.HumanBytes(o.Bytes)
	case e != nil && e.EstimatedRows:
		size += " (" + e.Name + "'s estimate; it keeps no size per table)"
	}
	fmt.Fprintf(w, "Size      %s\n", size)
	if !o.LastAltered.IsZero() {
		fmt.Fprintf(w, "Changed   %s\n", o.LastAltered.Local().Format("2006-01-02 15:04"))
	}
	if b := d.BuiltBy; b != nil {
		line := b.ResourceType + " " + b.Name
		if b.File != "" {
			line += " (" + b.File + ")"
		}
		fmt.Fprintf(w, "Built by  %s\n", termsafe.Line(line))
		if b.Status != "" {
			fmt.Fprintf(w, "Last run  %s at %s (dbt %s, target/run_results.json)\n", b.Status, b.Completed.Local().Format("2006-01-02 15:04"), orDash(b.Command))
		} else {
			fmt.Fprintln(w, "Last run  not in target/run_results.json")
		}
	} else {
		fmt.Fprintln(w, "Built by  no model, seed or snapshot of this project")
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tTYPE\tNULL\tCOMMENT")
	for _, c := range d.Columns {
		null := "no"
		if c.Nullable {
			null = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", termsafe.Line(c.Name), termsafe.Line(c.Type), null, termsafe.Line(c.Comment))
	}
	tw.Flush()
	if p := d.Preview; p != nil {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		head := make([]string, len(p.Columns))
		for i, c := range p.Columns {
			head[i] = termsafe.Line(c)
		}
		fmt.Fprintln(tw, strings.Join(head, "\t"))
		for _, r := range p.Rows {
			cells := make([]string, len(r))
			for i, c := range r {
				cells[i] = "NULL"
				if c != nil {
					cells[i] = termsafe.Line(clipCell(*c))
				}
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		}
		tw.Flush()
		fmt.Fprintf(w, "(%d rows shown)\n", len(p.Rows))
	}
}

// clipCell keeps one preview cell to a readable width.
func clipCell(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:59]) + "…"
	}
	return s
}
