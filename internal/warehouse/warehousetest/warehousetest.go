// Package warehousetest is an in-memory warehouse.Warehouse for the tests of screens and
// commands that need some warehouse but not a real engine's behaviour: it answers from memory
// where the DuckDB engine builds, opens and copies files, so such tests run in milliseconds.
//
// Product code never uses it: nothing but tests imports it (the engines, connect and the
// write guard's own tests keep using real engines, because their point is what a real engine
// does). Demo holds exactly what the demo workspace's DuckDB warehouse holds, checked against
// one built by demo.BuildWarehouse.
//
// It keeps the contract of warehouse.Warehouse as the engines do: every call returns
// ctx.Err() once ctx is done; a database it does not hold is warehouse.ErrNotFound; a
// preview is read only after Policy.CheckRead allows it (the user's own sandbox); Refresh and
// DropSchema ask Policy.Check, the guard every engine asks, before changing anything and
// return its *warehouse.RefusedError; a missing schema or table is a *warehouse.Error of kind
// warehouse.KindMissing. It is safe for concurrent use.
package warehousetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/warehouse"
)

// Seed is what a Warehouse holds when it is made.
type Seed struct {
	// Engine is what Engine reports ("duckdb", "snowflake"): screens word things by it, and
	// DropSchema refuses the schemas that engine keeps for itself.
	Engine string
	// Policy is the write guard, as engine.Registry.ForTarget builds it for the target.
	Policy warehouse.Policy
	// Identity is who the session runs as; its User is the session user the guard judges.
	Identity warehouse.Identity
	// Target is the profiles.yml target writes go through, ProfileUser that target's user:.
	Target      string
	ProfileUser string
	// Databases are listed in this order.
	Databases []Database
	// Grants are the privileges of the session's role.
	Grants []warehouse.Grant
	// Now stamps a refreshed sandbox; nil is time.Now.
	Now func() time.Time
}

// Database is one database and everything in it. Schemas and objects may be held in any
// order: they are listed in the order the DuckDB engine lists them.
type Database struct {
	warehouse.Database
	// MarkedOwner is the login the database's owner mark names, "" for no mark: the guard
	// refuses to change an existing database whose mark is not the session user's.
	MarkedOwner string   `json:"marked_owner,omitempty"`
	Schemas     []Schema `json:"schemas"`
}

// Schema is one schema; its Database is taken from the database holding it.
type Schema struct {
	warehouse.Schema
	Objects []Object `json:"objects"`
}

// Object is one table or view; its Database and Schema are taken from where it is held.
type Object struct {
	warehouse.Object
	Columns []warehouse.Column `json:"columns"`
	// Data is its rows in the order a preview reads them, every cell as text (NULL is nil).
	Data [][]*string `json:"data"`
}

// Database finds the database named name (compared as the guard compares names); nil when
// the seed holds none, so a test can add to a seed before making its Warehouse.
func (s *Seed) Database(name string) *Database {
	if i := indexOf(s.Databases, name); i >= 0 {
		return &s.Databases[i]
	}
	return nil
}

// Warehouse is an in-memory warehouse.Warehouse. Like the DuckDB engine it keeps nothing
// open between calls, so Close ends nothing and it answers again after it: a screen opens and
// closes one per task over the same data.
type Warehouse struct {
	// mu guards seed.Databases, the only part of the seed that changes after New.
	mu   sync.Mutex
	seed Seed
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// New makes a Warehouse holding a copy of seed: changing seed afterwards changes nothing.
func New(seed Seed) *Warehouse {
	s := seed
	s.Policy = copyPolicy(seed.Policy)
	s.Identity.SecondaryRoles = slices.Clone(seed.Identity.SecondaryRoles)
	s.Grants = slices.Clone(seed.Grants)
	s.Databases = make([]Database, len(seed.Databases))
	for i, d := range seed.Databases {
		s.Databases[i] = copyDatabase(d)
	}
	return &Warehouse{seed: s}
}

// Engine implements warehouse.Warehouse.
func (w *Warehouse) Engine() string { return w.seed.Engine }

// Policy implements warehouse.Warehouse.
func (w *Warehouse) Policy() warehouse.Policy { return copyPolicy(w.seed.Policy) }

// Close implements warehouse.Warehouse.
func (w *Warehouse) Close() error { return nil }

// Identity implements warehouse.Warehouse.
func (w *Warehouse) Identity(ctx context.Context) (warehouse.Identity, error) {
	if err := ctx.Err(); err != nil {
		return warehouse.Identity{}, err
	}
	id := w.seed.Identity
	id.SecondaryRoles = slices.Clone(id.SecondaryRoles)
	return id, nil
}

// ListDatabases implements warehouse.Warehouse.
func (w *Warehouse) ListDatabases(ctx context.Context) ([]warehouse.Database, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([]warehouse.Database, 0, len(w.seed.Databases))
	for _, d := range w.seed.Databases {
		out = append(out, d.Database)
	}
	return out, nil
}

// Database implements warehouse.Warehouse.
func (w *Warehouse) Database(ctx context.Context, name string) (warehouse.Database, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return warehouse.Database{}, err
	}
	d, err := w.database("", name)
	if err != nil {
		return warehouse.Database{}, err
	}
	return d.Database, nil
}

// ListSchemas implements warehouse.Warehouse, in DuckDB's order (by lower-case name).
func (w *Warehouse) ListSchemas(ctx context.Context, db string) ([]warehouse.Schema, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := w.database("listing the schemas of "+db, db)
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Schema, 0, len(d.Schemas))
	for _, s := range d.Schemas {
		info := s.Schema
		info.Database = d.Name
		out = append(out, info)
	}
	slices.SortStableFunc(out, func(a, b warehouse.Schema) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	return out, nil
}

// ListObjects implements warehouse.Warehouse, in DuckDB's order (by schema, then name).
func (w *Warehouse) ListObjects(ctx context.Context, db string) ([]warehouse.Object, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := w.database("listing the tables of "+db, db)
	if err != nil {
		return nil, err
	}
	var out []warehouse.Object
	for _, s := range d.Schemas {
		for _, o := range s.Objects {
			info := o.Object
			info.Database, info.Schema = d.Name, s.Name
			out = append(out, info)
		}
	}
	slices.SortStableFunc(out, func(a, b warehouse.Object) int {
		if c := strings.Compare(a.Schema, b.Schema); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// LastAltered implements warehouse.Warehouse from the objects' LastAltered (none for the
// demo: DuckDB records no such time).
func (w *Warehouse) LastAltered(ctx context.Context, db string) (map[string]time.Time, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := w.database("reading when the tables of "+db+" last changed", db)
	if err != nil {
		return nil, err
	}
	out := map[string]time.Time{}
	for _, s := range d.Schemas {
		for _, o := range s.Objects {
			if !o.LastAltered.IsZero() {
				out[s.Name+"."+o.Name] = o.LastAltered
			}
		}
	}
	return out, nil
}

// Columns implements warehouse.Warehouse. A table it does not hold is an error of kind
// warehouse.KindMissing, as on Snowflake (DuckDB's listing just comes back empty), so a test
// asking for the wrong table hears of it.
func (w *Warehouse) Columns(ctx context.Context, db, schema, name string) ([]warehouse.Column, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o, err := w.object("listing the columns of "+schema+"."+name, db, schema, name)
	if err != nil {
		return nil, err
	}
	return slices.Clone(o.Columns), nil
}

// Preview implements warehouse.Warehouse: the first n rows (at least one, as the engines'
// LIMIT), once the read guard allows reading db.
func (w *Warehouse) Preview(ctx context.Context, db, schema, name string, n int) (*warehouse.Preview, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := w.seed.Policy.CheckRead(db); err != nil {
		return nil, err
	}
	rel := warehouse.QuoteIdent(schema) + "." + warehouse.QuoteIdent(name)
	o, err := w.object("reading the first rows of "+rel, db, schema, name)
	if err != nil {
		return nil, err
	}
	p := &warehouse.Preview{Columns: make([]string, 0, len(o.Columns)), Rows: [][]*string{}, Warehouse: w.seed.Identity.Warehouse}
	for _, c := range o.Columns {
		p.Columns = append(p.Columns, c.Name)
	}
	for _, row := range o.Data[:min(max(n, 1), len(o.Data))] {
		p.Rows = append(p.Rows, copyRow(row))
	}
	return p, nil
}

// Grants implements warehouse.Warehouse.
func (w *Warehouse) Grants(ctx context.Context) ([]warehouse.Grant, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(w.seed.Grants), nil
}

// Refresh implements warehouse.Warehouse: after the guard, sandbox becomes a copy of the
// clone's schemas, cloned now from the clone and marked as the session user's; its name, file,
// owner and comment stay. A sandbox not held yet is made, as the dev target's file.
func (w *Warehouse) Refresh(ctx context.Context, sandbox string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	me, err := w.guardWrite(sandbox)
	if err != nil {
		return err
	}
	p := w.seed.Policy
	if p.Clone == "" {
		return warehouse.Errorf("datatui.yml names no clone database to refresh from")
	}
	ci := indexOf(w.seed.Databases, p.Clone)
	if ci < 0 {
		return fmt.Errorf("refreshing %s: the clone %s: %w", sandbox, p.Clone, warehouse.ErrNotFound)
	}
	clone := w.seed.Databases[ci]
	fresh := Database{Database: warehouse.Database{Name: warehouse.NormaliseIdent(sandbox), Path: p.SandboxFile}}
	if warehouse.SameName(sandbox, p.Sandbox) {
		fresh.Name = p.Sandbox // DuckDB names a database by its file, in the file's own case
	}
	i := indexOf(w.seed.Databases, sandbox)
	if i >= 0 {
		fresh.Database = w.seed.Databases[i].Database
	}
	fresh.Created, fresh.Origin, fresh.Bytes = w.now().UTC(), clone.Name, clone.Bytes
	fresh.MarkedOwner = me
	fresh.Schemas = copyDatabase(clone).Schemas
	if i >= 0 {
		w.seed.Databases[i] = fresh
	} else {
		w.seed.Databases = append(w.seed.Databases, fresh)
	}
	return nil
}

// DropSchema implements warehouse.Warehouse: after the guard, schema and everything in it
// is gone from db.
func (w *Warehouse) DropSchema(ctx context.Context, db, schema string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := w.refuseOwnSchema(db, schema); err != nil {
		return err
	}
	if _, err := w.guardWrite(db); err != nil {
		return err
	}
	op := "dropping schema " + schema + " of " + db
	d, err := w.database(op, db)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(d.Schemas, func(s Schema) bool { return strings.EqualFold(s.Name, schema) })
	if i < 0 {
		return warehouse.Wrap(op, warehouse.KindMissing, fmt.Errorf("schema %s does not exist: %w", schema, warehouse.ErrNotFound))
	}
	d.Schemas = slices.Delete(d.Schemas, i, i+1)
	return nil
}

// refuseOwnSchema refuses, as the engines do, the schemas an engine keeps for itself.
func (w *Warehouse) refuseOwnSchema(db, schema string) error {
	if w.seed.Engine == "duckdb" {
		if warehouse.SameName(schema, "main") || warehouse.SameName(schema, "information_schema") {
			return &warehouse.RefusedError{Database: db, Reason: "schema " + schema + " is DuckDB's own and cannot be dropped"}
		}
		return nil
	}
	if strings.EqualFold(schema, "INFORMATION_SCHEMA") || strings.TrimSpace(schema) == "" {
		return &warehouse.RefusedError{Database: db, Reason: "schema " + schema + " cannot be dropped"}
	}
	return nil
}

// guardWrite asks the write guard about writing db, described as the engines describe it:
// the target, the session's user, and when db exists, that it does and whose mark it carries.
// The file written is db's own, or for a database not held yet the dev target's file (where
// the DuckDB engine would create it). It returns the session's user.
func (w *Warehouse) guardWrite(db string) (string, error) {
	me := w.seed.Identity.User
	write := warehouse.Write{Target: w.seed.Target, Database: db, File: w.seed.Policy.SandboxFile, SessionUser: me, ProfileUser: w.seed.ProfileUser}
	if i := indexOf(w.seed.Databases, db); i >= 0 {
		d := w.seed.Databases[i]
		if d.Path != "" {
			write.File = d.Path
		}
		write.Exists, write.Owner = true, d.MarkedOwner
	}
	return me, w.seed.Policy.Check(write)
}

// database is the held database name, or ErrNotFound (after op, when given).
func (w *Warehouse) database(op, name string) (*Database, error) {
	i := indexOf(w.seed.Databases, name)
	if i < 0 {
		if op != "" {
			return nil, fmt.Errorf("%s: database %s: %w", op, name, warehouse.ErrNotFound)
		}
		return nil, fmt.Errorf("database %s: %w", name, warehouse.ErrNotFound)
	}
	return &w.seed.Databases[i], nil
}

// object is one held table or view. Schema and table names are matched case-insensitively,
// as DuckDB resolves them.
func (w *Warehouse) object(op, db, schema, name string) (*Object, error) {
	d, err := w.database(op, db)
	if err != nil {
		return nil, err
	}
	for i := range d.Schemas {
		s := &d.Schemas[i]
		if !strings.EqualFold(s.Name, schema) {
			continue
		}
		for j := range s.Objects {
			if strings.EqualFold(s.Objects[j].Name, name) {
				return &s.Objects[j], nil
			}
		}
	}
	return nil, warehouse.Wrap(op, warehouse.KindMissing, fmt.Errorf("table %s.%s does not exist in %s", schema, name, d.Name))
}

func (w *Warehouse) now() time.Time {
	if w.seed.Now != nil {
		return w.seed.Now()
	}
	return time.Now()
}

func indexOf(dbs []Database, name string) int {
	return slices.IndexFunc(dbs, func(d Database) bool { return warehouse.SameName(d.Name, name) })
}

// copyDatabase is d with nothing shared, so no caller can change what the Warehouse holds.
func copyDatabase(d Database) Database {
	out := d
	out.Schemas = make([]Schema, len(d.Schemas))
	for i, s := range d.Schemas {
		out.Schemas[i] = s
		out.Schemas[i].Objects = make([]Object, len(s.Objects))
		for j, o := range s.Objects {
			o.Columns = slices.Clone(o.Columns)
			rows := make([][]*string, len(o.Data))
			for k, r := range o.Data {
				rows[k] = copyRow(r)
			}
			o.Data = rows
			out.Schemas[i].Objects[j] = o
		}
	}
	return out
}

func copyRow(row []*string) []*string {
	out := make([]*string, len(row))
	for i, c := range row {
		if c != nil {
			v := *c
			out[i] = &v
		}
	}
	return out
}

func copyPolicy(p warehouse.Policy) warehouse.Policy {
	p.Protected = slices.Clone(p.Protected)
	p.Targets = slices.Clone(p.Targets)
	p.Files = slices.Clone(p.Files)
	return p
}
