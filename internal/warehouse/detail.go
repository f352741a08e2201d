package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
)

// Column is one column of a table or view.
type Column struct {
	Name string `json:"name"`
	// Type is the engine's type as it prints it (NUMBER(38,0), VARCHAR(16777216), INTEGER).
	Type     string `json:"type"`
	Nullable bool   `json:"nullable"`
	Comment  string `json:"comment,omitempty"`
}

// Preview is the first rows of a table or view, every cell as text (NULL is nil).
type Preview struct {
	Columns []string    `json:"columns"`
	Rows    [][]*string `json:"rows"`
	// Warehouse is the compute warehouse the read ran on (Snowflake), "" when none was used.
	Warehouse string `json:"warehouse,omitempty"`
}

// BuiltBy is the dbt node that builds a relation and, when run_results.json knows it, how
// its last run went.
type BuiltBy struct {
	UniqueID     string `json:"unique_id"`
	Name         string `json:"name"`
	ResourceType string `json:"resource_type"`
	File         string `json:"file,omitempty"`
	Materialized string `json:"materialized,omitempty"`
	// Status and Completed are from target/run_results.json ("" and zero when it does not
	// hold the node).
	Status    string    `json:"status,omitempty"`
	Completed time.Time `json:"completed,omitzero"`
	Command   string    `json:"command,omitempty"`
}

// TableDetail is what `sandbox show SCHEMA.TABLE` and the Sandbox screen show for one
// relation of the sandbox.
type TableDetail struct {
	Object  Object   `json:"object"`
	Columns []Column `json:"columns"`
	// BuiltBy is nil when no model, seed or snapshot of the project builds this relation.
	BuiltBy *BuiltBy `json:"built_by,omitempty"`
	Preview *Preview `json:"preview,omitempty"`
}

// SizesUnknown reports that the engine kept no size for any of objs (DuckDB keeps none per
// table), so a listing says so once instead of printing a column of dashes.
func SizesUnknown(objs []Object) bool {
	for _, o := range objs {
		if o.Bytes >= 0 {
			return false
		}
	}
	return len(objs) > 0
}

// FindObject finds schema.name among objs (identifiers compared as the engine resolves them).
func FindObject(objs []Object, schema, name string) (Object, bool) {
	for _, o := range objs {
		if SameName(o.Schema, schema) && SameName(o.Name, name) {
			return o, true
		}
	}
	return Object{}, false
}

// Describe reads one relation of the sandbox: its columns and, with rows > 0, a preview of
// its first rows (a read the engine guards as a read of the sandbox only). obj is the
// relation as the listing found it; g and rr (both optional) say which dbt node builds it.
func Describe(ctx context.Context, w Warehouse, obj Object, g *dbt.Graph, rr *dbt.RunResults, targetSchema string, rows int) (*TableDetail, error) {
	cols, err := w.Columns(ctx, obj.Database, obj.Schema, obj.Name)
	if err != nil {
		return nil, err
	}
	d := &TableDetail{Object: obj, Columns: cols, BuiltBy: FindBuilder(g, rr, obj.Schema, obj.Name, targetSchema)}
	if rows > 0 {
		if d.Preview, err = w.Preview(ctx, obj.Database, obj.Schema, obj.Name, rows); err != nil {
			return d, err
		}
	}
	return d, nil
}

// FindBuilder is the model, seed or snapshot of g that builds schema.name, found the way
// Compare finds each model's relation; rr adds its last run. nil when none does.
func FindBuilder(g *dbt.Graph, rr *dbt.RunResults, schema, name, targetSchema string) *BuiltBy {
	if g == nil {
		return nil
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if !buildsRelation(n) || !SameName(relationName(n), name) {
			continue
		}
		for _, s := range expectedSchemas(n, targetSchema) {
			if !SameName(s, schema) {
				continue
			}
			b := &BuiltBy{UniqueID: n.UniqueID, Name: n.Name, ResourceType: n.ResourceType, File: n.OriginalPath, Materialized: n.Config.Materialized}
			if rr != nil {
				if r, ok := rr.ByID[n.UniqueID]; ok {
					b.Status, b.Command = r.Status, rr.Command
					for _, t := range r.Timing {
						if t.CompletedAt.After(b.Completed) {
							b.Completed = t.CompletedAt
						}
					}
				}
			}
			return b
		}
	}
	return nil
}

// buildsRelation reports nodes that dbt materialises as a table or view.
func buildsRelation(n *dbt.Node) bool {
	switch n.ResourceType {
	case "model", "seed", "snapshot":
		return !n.Disabled && n.Config.Materialized != "ephemeral"
	}
	return false
}

// relationName is the name dbt gives a node's relation: its alias, else its name.
func relationName(n *dbt.Node) string {
	switch {
	case n.Config.Alias != "":
		return n.Config.Alias
	case n.Alias != "":
		return n.Alias
	}
	return n.Name
}

// ParseRelation reads SCHEMA or SCHEMA.TABLE as typed on a command line: quoted parts keep
// their case and may hold dots, unquoted parts are identifiers.
func ParseRelation(s string) (schema, table string, err error) {
	var parts []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && quoted && i+1 < len(s) && s[i+1] == '"':
			b.WriteString(`""`)
			i++
		case c == '"':
			quoted = !quoted
			b.WriteByte(c)
		case c == '.' && !quoted:
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteByte(c)
		}
	}
	parts = append(parts, b.String())
	if quoted {
		return "", "", errors.New("an opening \" has no closing one")
	}
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			return "", "", fmt.Errorf("%q: expected SCHEMA or SCHEMA.TABLE", s)
		}
	}
	switch len(parts) {
	case 1:
		return parts[0], "", nil
	case 2:
		return parts[0], parts[1], nil
	}
	return "", "", fmt.Errorf("%q: expected SCHEMA or SCHEMA.TABLE (the database is always your sandbox)", s)
}

// ReadPreview runs a query and keeps every cell as text: the engines' shared half of Preview.
func ReadPreview(ctx context.Context, db *sql.DB, query string) (*Preview, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	p := &Preview{Columns: cols, Rows: [][]*string{}}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := make([]*string, len(cols))
		for i, v := range vals {
			row[i] = cellText(v)
		}
		p.Rows = append(p.Rows, row)
	}
	return p, rows.Err()
}

func cellText(v any) *string {
	var s string
	switch v := v.(type) {
	case nil:
		return nil
	case []byte:
		s = string(v)
	case time.Time:
		s = v.Format(time.RFC3339Nano)
	default:
		s = fmt.Sprint(v)
	}
	return &s
}
