package warehousetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/connect"
	"github.com/datatui/datatui/internal/workspace"
)

var update = flag.Bool("update", false, "record demo.json again from a demo warehouse built by demo.BuildWarehouse")

// allRows is more rows than any demo table has, so a preview reads them all.
const allRows = 1 << 20

// builtDemo is a demo workspace whose DuckDB warehouse demo.BuildWarehouse built, opened
// with connect.Open as the product opens it, and the demo's fake for the same workspace.
type builtDemo struct {
	real, fake          warehouse.Warehouse
	sandbox, clone      string
	prod                string
	dir                 string
	buildFrom, buildTil time.Time
}

var clonedAt = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func buildDemo(t *testing.T) *builtDemo {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := demo.Write(dir); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	b := &builtDemo{sandbox: demo.SandboxDatabase, clone: demo.CloneDatabase, prod: demo.ProdDatabase, dir: filepath.Join(dir, "warehouse")}
	b.buildFrom = time.Now().Add(-time.Second) // file times may be coarser than the clock
	if err := demo.BuildWarehouse(ctx, dir, demo.WarehouseOptions{ClonedAt: clonedAt, MetaDir: ws.StateDir}); err != nil {
		t.Fatal(err)
	}
	b.buildTil = time.Now().Add(time.Second)
	real, target, err := connect.Open(ctx, ws, connect.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { real.Close() })
	id, err := real.Identity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b.real = real
	b.fake = New(Demo(DemoOptions{Policy: real.Policy(), Target: target.Name, User: id.User, Dir: b.dir, ClonedAt: clonedAt, BuiltAt: b.buildFrom}))
	return b
}

// TestDemoMatchesDuckDB asks a demo warehouse built by demo.BuildWarehouse and the demo's
// fake the same questions, call by call, and wants the same answers: the listings, every
// table's columns and rows, the refusals, and what a drop and a refresh leave behind. Only
// what depends on the build differs and is checked for its kind: when the files were made and
// their exact sizes. With -update it records demo.json from the built warehouse instead.
func TestDemoMatchesDuckDB(t *testing.T) {
	b := buildDemo(t)
	ctx := context.Background()
	if *update {
		data, err := encodeRecording(record(t, b))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("demo.json", data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("recorded demo.json; run the test again without -update to compare")
		return
	}
	same := func(call string, real, fake any) {
		t.Helper()
		if !reflect.DeepEqual(real, fake) {
			t.Errorf("%s:\nDuckDB %s\nfake   %s", call, show(real), show(fake))
		}
	}
	sameErr := func(call string, real, fake error) {
		t.Helper()
		if (real == nil) != (fake == nil) || (real != nil && real.Error() != fake.Error()) {
			t.Errorf("%s: DuckDB says %v, the fake %v", call, real, fake)
		}
	}
	sameMissing := func(call string, real, fake error) {
		t.Helper()
		for who, err := range map[string]error{"DuckDB": real, "the fake": fake} {
			var we *warehouse.Error
			if !errors.Is(err, warehouse.ErrNotFound) && (!errors.As(err, &we) || we.Kind != warehouse.KindMissing) {
				t.Errorf("%s: %s says %v, not that it is missing", call, who, err)
			}
		}
	}

	same("Engine", b.real.Engine(), b.fake.Engine())
	rid, err1 := b.real.Identity(ctx)
	fid, err2 := b.fake.Identity(ctx)
	same("Identity", rid, fid)
	sameErr("Identity", err1, err2)
	rg, err1 := b.real.Grants(ctx)
	fg, err2 := b.fake.Grants(ctx)
	same("Grants", rg, fg)
	sameErr("Grants", err1, err2)

	compareDatabases(t, b, "after the build", clonedAt)
	for _, db := range []string{b.sandbox, b.clone, b.prod} {
		compareContent(t, b, db)
	}
	_, err1 = b.real.Database(ctx, "nosuch")
	_, err2 = b.fake.Database(ctx, "nosuch")
	sameMissing("Database(nosuch)", err1, err2)
	_, err1 = b.real.ListSchemas(ctx, "nosuch")
	_, err2 = b.fake.ListSchemas(ctx, "nosuch")
	sameMissing("ListSchemas(nosuch)", err1, err2)
	_, err1 = b.real.ListObjects(ctx, "nosuch")
	_, err2 = b.fake.ListObjects(ctx, "nosuch")
	sameMissing("ListObjects(nosuch)", err1, err2)

	// The guard refuses the same writes in the same words, and nothing changes.
	for _, db := range []string{b.prod, b.clone, "sandbox_bob", "nosuch"} {
		sameErr("Refresh("+db+")", b.real.Refresh(ctx, db), b.fake.Refresh(ctx, db))
		sameErr("DropSchema("+db+", marts)", b.real.DropSchema(ctx, db, "marts"), b.fake.DropSchema(ctx, db, "marts"))
	}
	sameErr("DropSchema(sandbox, main)", b.real.DropSchema(ctx, b.sandbox, "main"), b.fake.DropSchema(ctx, b.sandbox, "main"))
	sameMissing("DropSchema(sandbox, nosuch)", b.real.DropSchema(ctx, b.sandbox, "nosuch"), b.fake.DropSchema(ctx, b.sandbox, "nosuch"))
	compareDatabases(t, b, "after the refused writes", clonedAt)
	compareContent(t, b, b.prod)

	// A drop, then a refresh that brings back what the clone holds.
	sameErr("DropSchema(sandbox, offers_v1)", b.real.DropSchema(ctx, b.sandbox, "offers_v1"), b.fake.DropSchema(ctx, b.sandbox, "offers_v1"))
	sameErr("DropSchema(sandbox, marts)", b.real.DropSchema(ctx, b.sandbox, "marts"), b.fake.DropSchema(ctx, b.sandbox, "marts"))
	compareContent(t, b, b.sandbox)
	before := time.Now().Add(-time.Second)
	sameErr("Refresh(sandbox)", b.real.Refresh(ctx, b.sandbox), b.fake.Refresh(ctx, b.sandbox))
	compareDatabases(t, b, "after the refresh", time.Time{})
	compareContent(t, b, b.sandbox)
	rd, _ := b.real.Database(ctx, b.sandbox)
	fd, _ := b.fake.Database(ctx, b.sandbox)
	if rd.Created.Before(before) || fd.Created.Before(before) || rd.Origin != b.clone || fd.Origin != b.clone {
		t.Errorf("the refreshed sandbox was not just copied from the clone: DuckDB %v from %s, the fake %v from %s", rd.Created, rd.Origin, fd.Created, fd.Origin)
	}
}

// compareDatabases compares ListDatabases and Database of each. The sandbox was cloned at
// sandboxCloned (zero: just now, compared apart); prod and the clone were made during the
// build; every file's size is known, though not the same on every machine.
func compareDatabases(t *testing.T, b *builtDemo, when string, sandboxCloned time.Time) {
	t.Helper()
	ctx := context.Background()
	norm := func(who string, dbs []warehouse.Database) []warehouse.Database {
		out := make([]warehouse.Database, len(dbs))
		for i, d := range dbs {
			if d.Bytes <= 0 {
				t.Errorf("%s, %s: %s has no size", when, who, d.Name)
			}
			d.Bytes = 0
			switch {
			case d.Name == b.sandbox && !sandboxCloned.IsZero():
				if !d.Created.Equal(sandboxCloned) {
					t.Errorf("%s, %s: the sandbox was cloned at %v, not %v", when, who, d.Created, sandboxCloned)
				}
			case d.Name != b.sandbox && (d.Created.Before(b.buildFrom) || d.Created.After(b.buildTil)):
				t.Errorf("%s, %s: %s was made at %v, outside the build (%v to %v)", when, who, d.Name, d.Created, b.buildFrom, b.buildTil)
			}
			d.Created = time.Time{}
			out[i] = d
		}
		return out
	}
	rl, err1 := b.real.ListDatabases(ctx)
	fl, err2 := b.fake.ListDatabases(ctx)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s, ListDatabases: DuckDB %v, the fake %v", when, err1, err2)
	}
	if r, f := norm("DuckDB", rl), norm("the fake", fl); !reflect.DeepEqual(r, f) {
		t.Errorf("%s, ListDatabases:\nDuckDB %s\nfake   %s", when, show(r), show(f))
	}
	for _, name := range []string{b.sandbox, b.clone, b.prod} {
		rd, err1 := b.real.Database(ctx, name)
		fd, err2 := b.fake.Database(ctx, name)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s, Database(%s): DuckDB %v, the fake %v", when, name, err1, err2)
		}
		if r, f := norm("DuckDB", []warehouse.Database{rd}), norm("the fake", []warehouse.Database{fd}); !reflect.DeepEqual(r, f) {
			t.Errorf("%s, Database(%s):\nDuckDB %s\nfake   %s", when, name, show(r), show(f))
		}
	}
}

// compareContent compares everything listed in db: schemas, objects, when they last changed,
// every object's columns and, where the read guard allows (the sandbox), every row; elsewhere
// the same refusal.
func compareContent(t *testing.T, b *builtDemo, db string) {
	t.Helper()
	ctx := context.Background()
	sameAnswer(t, b, fmt.Sprintf("ListSchemas(%s)", db), func(w warehouse.Warehouse) ([]warehouse.Schema, error) {
		return w.ListSchemas(ctx, db)
	})
	objects := sameAnswer(t, b, fmt.Sprintf("ListObjects(%s)", db), func(w warehouse.Warehouse) ([]warehouse.Object, error) {
		return w.ListObjects(ctx, db)
	})
	sameAnswer(t, b, fmt.Sprintf("LastAltered(%s)", db), func(w warehouse.Warehouse) (map[string]time.Time, error) {
		return w.LastAltered(ctx, db)
	})
	for _, o := range objects {
		sameAnswer(t, b, fmt.Sprintf("Columns(%s, %s, %s)", db, o.Schema, o.Name), func(w warehouse.Warehouse) ([]warehouse.Column, error) {
			return w.Columns(ctx, db, o.Schema, o.Name)
		})
		for _, n := range []int{allRows, 3, 0} {
			call := fmt.Sprintf("Preview(%s, %s, %s, %d)", db, o.Schema, o.Name, n)
			rp, err1 := b.real.Preview(ctx, db, o.Schema, o.Name, n)
			fp, err2 := b.fake.Preview(ctx, db, o.Schema, o.Name, n)
			if (err1 == nil) != (err2 == nil) || (err1 != nil && err1.Error() != err2.Error()) {
				t.Errorf("%s: DuckDB says %v, the fake %v", call, err1, err2)
				continue
			}
			if !reflect.DeepEqual(rp, fp) {
				t.Errorf("%s:\nDuckDB %s\nfake   %s", call, show(rp), show(fp))
			}
		}
	}
}

// sameAnswer asks DuckDB and the fake the same question and fails the test when either errs
// or their answers differ; it returns DuckDB's.
func sameAnswer[T any](t *testing.T, b *builtDemo, call string, ask func(warehouse.Warehouse) (T, error)) T {
	t.Helper()
	r, err1 := ask(b.real)
	f, err2 := ask(b.fake)
	if err1 != nil || err2 != nil {
		t.Fatalf("%s: DuckDB %v, the fake %v", call, err1, err2)
	}
	if !reflect.DeepEqual(r, f) {
		t.Errorf("%s:\nDuckDB %s\nfake   %s", call, show(r), show(f))
	}
	return r
}

// record reads the demo warehouse through the DuckDB engine into a recording: prod's content,
// the sandbox's own schemas, and each database's name, origin and size. Rows are read from the
// sandbox, the one database a preview may read: it holds a copy of every table of prod.
func record(t *testing.T, b *builtDemo) demoRecording {
	t.Helper()
	ctx := context.Background()
	info := func(name string) Database {
		d, err := b.real.Database(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		d.Created, d.Path = time.Time{}, ""
		return Database{Database: d}
	}
	r := demoRecording{Prod: info(b.prod), Clone: info(b.clone), Sandbox: info(b.sandbox)}
	r.Prod.Schemas = schemasOf(t, b, b.prod, nil)
	inProd := map[string]bool{}
	for _, s := range r.Prod.Schemas {
		inProd[s.Name] = true
	}
	r.Sandbox.Schemas = schemasOf(t, b, b.sandbox, inProd)
	return r
}

// schemasOf is db's schemas but those in skip, with their objects, columns and rows.
func schemasOf(t *testing.T, b *builtDemo, db string, skip map[string]bool) []Schema {
	t.Helper()
	ctx := context.Background()
	schemas, err := b.real.ListSchemas(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := b.real.ListObjects(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	var out []Schema
	for _, s := range schemas {
		if skip[s.Name] {
			continue
		}
		s.Database = ""
		held := Schema{Schema: s, Objects: []Object{}}
		for _, o := range objs {
			if o.Schema != s.Name {
				continue
			}
			cols, err := b.real.Columns(ctx, db, o.Schema, o.Name)
			if err != nil {
				t.Fatal(err)
			}
			p, err := b.real.Preview(ctx, b.sandbox, o.Schema, o.Name, allRows)
			if err != nil {
				t.Fatal(err)
			}
			o.Database, o.Schema = "", ""
			held.Objects = append(held.Objects, Object{Object: o, Columns: cols, Data: p.Rows})
		}
		out = append(out, held)
	}
	return out
}

// jsonScalar is a JSON string, number, boolean or null.
const jsonScalar = `(?:"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)`

// flatJSON are JSON arrays and objects of scalars only (a row of data, a column), which the
// indenting spreads over as many lines as they have values.
var flatJSON = regexp.MustCompile(`\[\s*` + jsonScalar + `(?:,\s*` + jsonScalar + `)*\s*\]|\{\s*"[^"]*":\s*` + jsonScalar + `(?:,\s*"[^"]*":\s*` + jsonScalar + `)*\s*\}`)

var lineBreak = regexp.MustCompile(`\s*\n\s*`)

// placeLines are the empty "database" and "schema" of held schemas and objects: where they
// are held says both.
var placeLines = regexp.MustCompile(`\n\s*"(?:database|schema)": "",`)

// encodeRecording writes the recording indented, each column and each row of data on a line
// of its own, so a change to the demo shows as a readable diff.
func encodeRecording(r demoRecording) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return nil, err
	}
	data := placeLines.ReplaceAll(buf.Bytes(), nil)
	data = flatJSON.ReplaceAllFunc(data, func(flat []byte) []byte { return lineBreak.ReplaceAll(flat, []byte(" ")) })
	return append(bytes.TrimSpace(data), '\n'), nil
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	if len(b) > 4000 {
		return string(b[:4000]) + "…"
	}
	return string(b)
}
