// Package duckdb is the warehouse engine for dbt-duckdb projects and the demo workspace: the
// sandbox is the dev target's database file, prod and the clone are files beside it. It is
// the only package that imports the DuckDB driver (a large cgo library), so commands that do
// not touch DuckDB do not pay for it.
//
// Every call opens the file it needs and closes it before returning, so datatui never holds
// the lock dbt needs to build into the sandbox.
package duckdb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	duckdbdriver "github.com/duckdb/duckdb-go/v2"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/warehouse"
)

// Ext is the file extension of DuckDB databases.
const Ext = warehouse.DuckDBExt

// Options configure a DuckDB warehouse.
type Options struct {
	// SandboxPath is the dev target's database file (profiles.yml path:, relative paths
	// resolved against the project folder by the caller).
	SandboxPath string
	// Warehouse is datatui.yml's warehouse section: prod, clone and protected names.
	Warehouse config.Warehouse
	// Files maps database names to files for names that are not "<name>.duckdb" beside the
	// sandbox (for example other profiles.yml targets). Optional.
	Files map[string]string
	// MetaDir is where datatui records when each file was cloned (the workspace's state
	// folder); "" keeps the record beside the file.
	MetaDir string
	// Policy is the write guard (engine.Registry.ForTarget builds it from profiles.yml); nil:
	// warehouse.DuckDBPolicy for Warehouse with this file as the sandbox.
	Policy *warehouse.Policy
	// Target is the profiles.yml target whose file SandboxPath is.
	Target string
}

// Warehouse is a DuckDB engine over files.
type Warehouse struct {
	sandbox string // absolute path
	name    string // the sandbox's database name (the file's stem, as dbt-duckdb names it)
	target  string
	policy  warehouse.Policy
	files   map[string]string
	metaDir string
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// New builds the engine; it opens nothing.
func New(opts Options) (*Warehouse, error) {
	if opts.SandboxPath == "" || opts.SandboxPath == ":memory:" {
		return nil, warehouse.Errorf("the dev target of profiles.yml has no database file (path:); datatui needs a file to call your sandbox")
	}
	abs, err := filepath.Abs(opts.SandboxPath)
	if err != nil {
		return nil, err
	}
	w := &Warehouse{sandbox: abs, name: DatabaseName(abs), files: map[string]string{}, metaDir: opts.MetaDir, target: opts.Target}
	for k, v := range opts.Files {
		if p, err := filepath.Abs(v); err == nil {
			w.files[strings.ToUpper(k)] = p
		}
	}
	// With DuckDB every contributor's sandbox is their own file, so the writable name is the
	// dev target's database rather than datatui.yml's pattern (which names databases on a
	// shared warehouse). Prod, clone and protected names and files are still refused.
	if opts.Policy != nil {
		w.policy = *opts.Policy
	} else {
		w.policy = warehouse.DuckDBPolicy(&config.Config{Warehouse: opts.Warehouse}, nil, abs, nil)
	}
	// The files this engine reads prod and the clone from are guarded too, wherever they are.
	for _, n := range []struct{ name, what string }{{w.policy.Prod, "the production database's file"}, {w.policy.Clone, "the clone's file"}} {
		if n.name != "" {
			w.policy.Files = append(w.policy.Files, warehouse.GuardedFile{Path: w.fileOf(n.name), What: n.what})
		}
	}
	return w, nil
}

// DatabaseName is the name DuckDB (and dbt-duckdb) gives a database file: its stem.
func DatabaseName(path string) string { return warehouse.DuckDBName(path) }

// Engine implements warehouse.Warehouse.
func (w *Warehouse) Engine() string { return "duckdb" }

// Policy implements warehouse.Warehouse.
func (w *Warehouse) Policy() warehouse.Policy { return w.policy }

// SandboxPath is the sandbox file.
func (w *Warehouse) SandboxPath() string { return w.sandbox }

// Close implements warehouse.Warehouse (nothing stays open between calls).
func (w *Warehouse) Close() error { return nil }

// fileOf resolves a database name to its file: the sandbox, an explicit mapping, or
// "<name>.duckdb" beside the sandbox.
func (w *Warehouse) fileOf(name string) string {
	if warehouse.SameName(name, w.name) {
		return w.sandbox
	}
	if p, ok := w.files[strings.ToUpper(warehouse.NormaliseIdent(name))]; ok {
		return p
	}
	if p, ok := w.files[strings.ToUpper(name)]; ok {
		return p
	}
	if strings.HasSuffix(name, Ext) {
		return name
	}
	return filepath.Join(filepath.Dir(w.sandbox), name+Ext)
}

// Identity implements warehouse.Warehouse: DuckDB has no users or roles; the user is the
// operating-system account.
func (w *Warehouse) Identity(ctx context.Context) (warehouse.Identity, error) {
	return warehouse.Identity{Engine: "duckdb", User: osUser(), Database: w.name}, ctx.Err()
}

func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// ownerPath is the owner mark of a sandbox file: a small file beside it (DuckDB keeps no
// comment on a database), so that another account opening the same file sees whose it is.
func ownerPath(dbFile string) string {
	return filepath.Join(filepath.Dir(dbFile), "."+filepath.Base(dbFile)+".datatui-owner")
}

// ownerOf is whose sandbox dbFile is: its owner mark, or without one the account that owns
// the file (a file of this machine's own account counts as the user's).
func ownerOf(dbFile, me string) string {
	if b, err := os.ReadFile(ownerPath(dbFile)); err == nil {
		if o := warehouse.OwnerOf(string(b)); o != "" {
			return o
		}
	}
	st, err := os.Stat(dbFile)
	if err != nil {
		return ""
	}
	owner, ok := fileOwner(st)
	if !ok || int(owner) == os.Getuid() {
		return me
	}
	uid := strconv.FormatUint(uint64(owner), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return "the account with uid " + uid
}

// guardWrite asks the write guard about writing database db, which is the sandbox file: by
// its name, its file identity (against prod's, the clone's and every other target's file)
// and, when it exists, whose it is.
func (w *Warehouse) guardWrite(db string) (string, error) {
	me := osUser()
	write := warehouse.Write{Target: w.target, Database: db, File: w.sandbox, SessionUser: me}
	if _, err := os.Stat(w.sandbox); err == nil {
		write.Exists, write.Owner = true, ownerOf(w.sandbox, me)
	}
	return me, w.policy.Check(write)
}

// cloneInfo is the sidecar file recording when a sandbox was cloned and from what (DuckDB
// keeps no creation time of its own).
type cloneInfo struct {
	ClonedAt time.Time `json:"cloned_at"`
	Origin   string    `json:"origin"`
}

// sidecarPath is where the clone record of dbFile lives: in metaDir (the workspace's state
// folder, so nothing appears in the user's repository) named after the file's absolute path,
// or beside the file when there is no state folder.
func sidecarPath(metaDir, dbFile string) string {
	if metaDir == "" {
		return filepath.Join(filepath.Dir(dbFile), "."+filepath.Base(dbFile)+".datatui.json")
	}
	abs, _ := filepath.Abs(dbFile)
	sum := sha256.Sum256([]byte(abs))
	return filepath.Join(metaDir, "duckdb-"+DatabaseName(abs)+"-"+hex.EncodeToString(sum[:5])+".json")
}

func readCloneInfo(metaDir, dbFile string) cloneInfo {
	var ci cloneInfo
	if b, err := os.ReadFile(sidecarPath(metaDir, dbFile)); err == nil {
		_ = json.Unmarshal(b, &ci) // a damaged sidecar only loses the clone date
	}
	return ci
}

func writeCloneInfo(metaDir, dbFile string, ci cloneInfo) error {
	b, err := redact.Marshal(ci) // state files never hold a secret
	if err != nil {
		return err
	}
	if metaDir != "" {
		if err := os.MkdirAll(metaDir, 0o700); err != nil {
			return err
		}
	}
	_, err = atomicfile.Write(sidecarPath(metaDir, dbFile), b, atomicfile.Options{Perm: 0o600})
	return err
}

func fileSize(p string) int64 {
	var n int64 = -1
	if st, err := os.Stat(p); err == nil {
		n = st.Size()
		if wal, err := os.Stat(p + ".wal"); err == nil {
			n += wal.Size()
		}
	}
	return n
}

func (w *Warehouse) describe(name, path string) (warehouse.Database, error) {
	st, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return warehouse.Database{}, fmt.Errorf("database %s (%s): %w", name, path, warehouse.ErrNotFound)
		}
		return warehouse.Database{}, warehouse.Wrap("reading "+path, warehouse.KindOther, err)
	}
	ci := readCloneInfo(w.metaDir, path)
	created := ci.ClonedAt
	if created.IsZero() && path != w.sandbox {
		created = st.ModTime()
	}
	return warehouse.Database{Name: DatabaseName(path), Path: path, Bytes: fileSize(path), Created: created, Origin: ci.Origin}, nil
}

// Database implements warehouse.Warehouse.
func (w *Warehouse) Database(ctx context.Context, name string) (warehouse.Database, error) {
	if err := ctx.Err(); err != nil {
		return warehouse.Database{}, err
	}
	return w.describe(name, w.fileOf(name))
}

// ListDatabases lists the sandbox, prod and clone files that exist.
func (w *Warehouse) ListDatabases(ctx context.Context) ([]warehouse.Database, error) {
	var out []warehouse.Database
	seen := map[string]bool{}
	for _, n := range []string{w.name, w.policy.Clone, w.policy.Prod} {
		if n == "" {
			continue
		}
		p := w.fileOf(n)
		if seen[p] {
			continue
		}
		seen[p] = true
		d, err := w.Database(ctx, n)
		if errors.Is(err, warehouse.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// open opens one database file; readOnly connections share the file with other readers.
func open(path string, readOnly bool) (*sql.DB, error) {
	dsn := path
	if readOnly {
		dsn += "?access_mode=READ_ONLY"
	}
	c, err := duckdbdriver.NewConnector(dsn, nil)
	if err != nil {
		return nil, classify("opening "+path, err)
	}
	return sql.OpenDB(c), nil
}

// classify wraps a DuckDB error with a guide: lock conflicts mean another program (dbt) has
// the file open.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Could not set lock") || strings.Contains(msg, "Conflicting lock"):
		return &warehouse.Error{Op: op, Kind: warehouse.KindOther, Guide: warehouse.GuideSandbox,
			Err: fmt.Errorf("%w (another program, often a running dbt, has the file open; wait for it or close it)", err)}
	case strings.Contains(msg, "No such file") || strings.Contains(msg, "does not exist"):
		return warehouse.Wrap(op, warehouse.KindMissing, err)
	case strings.Contains(msg, "Permission denied"):
		return warehouse.Wrap(op, warehouse.KindPermission, err)
	}
	return warehouse.Wrap(op, warehouse.KindOther, err)
}

// withDB runs fn on a read-only connection to the file of database db.
func (w *Warehouse) withDB(ctx context.Context, db, op string, fn func(*sql.DB) error) error {
	path := w.fileOf(db)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%s: database %s (%s): %w", op, db, path, warehouse.ErrNotFound)
	}
	conn, err := open(path, true)
	if err != nil {
		return err
	}
	defer conn.Close()
	return classify(op, fn(conn))
}

// ListSchemas implements warehouse.Warehouse.
func (w *Warehouse) ListSchemas(ctx context.Context, db string) ([]warehouse.Schema, error) {
	var out []warehouse.Schema
	err := w.withDB(ctx, db, "listing the schemas of "+db, func(conn *sql.DB) error {
		rows, err := conn.QueryContext(ctx, `SELECT schema_name FROM duckdb_schemas() WHERE NOT internal AND database_name = current_database() ORDER BY lower(schema_name)`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s warehouse.Schema
			if err := rows.Scan(&s.Name); err != nil {
				return err
			}
			s.Database = DatabaseName(w.fileOf(db))
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// ListObjects implements warehouse.Warehouse: tables (with DuckDB's row estimate) and views
// in one query. DuckDB keeps no per-table size or change time, so Bytes is -1 and the times
// are zero.
func (w *Warehouse) ListObjects(ctx context.Context, db string) ([]warehouse.Object, error) {
	var out []warehouse.Object
	name := DatabaseName(w.fileOf(db))
	err := w.withDB(ctx, db, "listing the tables of "+db, func(conn *sql.DB) error {
		rows, err := conn.QueryContext(ctx, `
SELECT schema_name, table_name, 'table' AS kind, estimated_size FROM duckdb_tables()
 WHERE NOT internal AND NOT temporary AND database_name = current_database()
UNION ALL
SELECT schema_name, view_name, 'view', NULL FROM duckdb_views()
 WHERE NOT internal AND NOT temporary AND database_name = current_database()
ORDER BY 1, 2`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			o := warehouse.Object{Database: name, Rows: -1, Bytes: -1}
			var est sql.NullInt64
			if err := rows.Scan(&o.Schema, &o.Name, &o.Kind, &est); err != nil {
				return err
			}
			if est.Valid {
				o.Rows = est.Int64
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// LastAltered implements warehouse.Warehouse; DuckDB does not record it.
func (w *Warehouse) LastAltered(ctx context.Context, db string) (map[string]time.Time, error) {
	return map[string]time.Time{}, ctx.Err()
}

// Columns implements warehouse.Warehouse from duckdb_columns(), in column order.
func (w *Warehouse) Columns(ctx context.Context, db, schema, name string) ([]warehouse.Column, error) {
	var out []warehouse.Column
	err := w.withDB(ctx, db, "listing the columns of "+schema+"."+name, func(conn *sql.DB) error {
		rows, err := conn.QueryContext(ctx, `SELECT column_name, data_type, is_nullable, coalesce(comment, '') FROM duckdb_columns()
 WHERE database_name = current_database() AND schema_name = ? AND table_name = ? ORDER BY column_index`, schema, name)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c warehouse.Column
			if err := rows.Scan(&c.Name, &c.Type, &c.Nullable, &c.Comment); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

// Preview implements warehouse.Warehouse: the first n rows, on a read-only connection to the
// sandbox's own file (judged by file identity, as writes are) and nothing else.
func (w *Warehouse) Preview(ctx context.Context, db, schema, name string, n int) (*warehouse.Preview, error) {
	if err := w.policy.CheckRead(db); err != nil {
		return nil, err
	}
	if !sameFile(w.fileOf(db), w.sandbox) {
		return nil, &warehouse.RefusedError{Op: "read", Database: db, Reason: "its file is not your sandbox's " + w.sandbox}
	}
	var p *warehouse.Preview
	rel := warehouse.QuoteIdent(schema) + "." + warehouse.QuoteIdent(name)
	err := w.withDB(ctx, db, "reading the first rows of "+rel, func(conn *sql.DB) error {
		var err error
		p, err = warehouse.ReadPreview(ctx, conn, "SELECT * FROM "+rel+" LIMIT "+strconv.Itoa(max(n, 1)))
		return err
	})
	return p, err
}

// sameFile reports whether a and b are one file (by identity, not by name).
func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// Grants implements warehouse.Warehouse; DuckDB files have no grants.
func (w *Warehouse) Grants(ctx context.Context) ([]warehouse.Grant, error) { return nil, ctx.Err() }

// DropSchema implements warehouse.Warehouse.
func (w *Warehouse) DropSchema(ctx context.Context, db, schema string) error {
	if warehouse.SameName(schema, "main") || warehouse.SameName(schema, "information_schema") {
		return &warehouse.RefusedError{Database: db, Reason: "schema " + schema + " is DuckDB's own and cannot be dropped"}
	}
	if _, err := w.guardWrite(db); err != nil {
		return err
	}
	conn, err := open(w.sandbox, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.ExecContext(ctx, "DROP SCHEMA "+warehouse.QuoteIdent(schema)+" CASCADE")
	return classify("dropping schema "+schema+" of "+db, err)
}

// Refresh implements warehouse.Warehouse: it copies the clone's file into a new file beside
// the sandbox with ATTACH + COPY FROM DATABASE, and only when that completed renames it over
// the sandbox. Until then the old sandbox is untouched, so a cancelled or failed refresh
// leaves it as it was.
func (w *Warehouse) Refresh(ctx context.Context, sandbox string) error {
	me, err := w.guardWrite(sandbox)
	if err != nil {
		return err
	}
	clone := w.fileOf(w.policy.Clone)
	if w.policy.Clone == "" {
		return warehouse.Errorf("datatui.yml names no clone database to refresh from")
	}
	if _, err := os.Stat(clone); err != nil {
		return fmt.Errorf("refreshing %s: the clone %s (%s): %w", sandbox, w.policy.Clone, clone, warehouse.ErrNotFound)
	}
	// The sandbox must not be in use: replacing a file another program writes would lose
	// its work. Opening it for writing takes DuckDB's lock, which fails if dbt holds it.
	if _, err := os.Stat(w.sandbox); err == nil {
		conn, err := open(w.sandbox, false)
		if err != nil {
			return err
		}
		err = conn.PingContext(ctx)
		conn.Close()
		if err := classify("opening your sandbox "+w.sandbox, err); err != nil {
			return err
		}
	}
	if err := copyDatabase(ctx, clone, w.sandbox); err != nil {
		return err
	}
	if _, err := atomicfile.Write(ownerPath(w.sandbox), []byte(warehouse.OwnerMark(me)+"\n"), atomicfile.Options{Perm: 0o644}); err != nil {
		return fmt.Errorf("refreshed %s, but could not mark it as yours: %w", w.sandbox, err)
	}
	return writeCloneInfo(w.metaDir, w.sandbox, cloneInfo{ClonedAt: time.Now().UTC(), Origin: DatabaseName(clone)})
}

// hookBeforeRename lets tests interrupt a refresh at its last moment; nil in the product.
var hookBeforeRename func()

// copyDatabase builds a copy of src at dst atomically: into a temp file beside dst, then a
// rename over dst. The temp file is removed on failure or cancellation.
func copyDatabase(ctx context.Context, src, dst string) (err error) {
	tmpF, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".refresh-*"+Ext)
	if err != nil {
		return warehouse.Wrap("creating a file beside "+dst, warehouse.KindPermission, err)
	}
	tmp := tmpF.Name()
	tmpF.Close()
	os.Remove(tmp) // DuckDB creates the file itself; an empty file is not a database
	defer func() {
		if err != nil {
			os.Remove(tmp)
			os.Remove(tmp + ".wal")
		}
	}()
	conn, err := open("", false)
	if err != nil {
		return err
	}
	defer conn.Close()
	c, err := conn.Conn(ctx)
	if err != nil {
		return classify("refreshing", err)
	}
	defer c.Close()
	steps := []string{
		"ATTACH " + warehouse.QuoteString(src) + " AS datatui_src (READ_ONLY)",
		"ATTACH " + warehouse.QuoteString(tmp) + " AS datatui_dst",
		"COPY FROM DATABASE datatui_src TO datatui_dst",
		"DETACH datatui_dst",
		"DETACH datatui_src",
	}
	for _, s := range steps {
		if _, err := c.ExecContext(ctx, s); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return classify("copying "+src+" into "+dst, err)
		}
	}
	if hookBeforeRename != nil {
		hookBeforeRename()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// A WAL left by the old file must not be replayed against the new one: move it aside
	// first, restore it if the rename fails.
	wal := dst + ".wal"
	movedWAL := false
	if _, err := os.Stat(wal); err == nil {
		if err := os.Rename(wal, wal+".old"); err != nil {
			return err
		}
		movedWAL = true
	}
	if err := os.Rename(tmp, dst); err != nil {
		if movedWAL {
			os.Rename(wal+".old", wal)
		}
		return warehouse.Wrap("replacing "+dst, warehouse.KindPermission, err)
	}
	if movedWAL {
		os.Remove(wal + ".old")
	}
	return nil
}
