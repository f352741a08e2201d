// Package snowflake is the warehouse engine for Snowflake, through the official gosnowflake
// driver configured from the dbt target in profiles.yml. Listing uses SHOW commands (metadata
// only: no warehouse runs, nothing is billed); writes are the two statements datatui ever
// sends (CREATE OR REPLACE DATABASE … CLONE …, DROP SCHEMA …), each after the guard agreed.
package snowflake

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
)

// Options configure the engine.
type Options struct {
	// Target is the dbt target (type: snowflake) to connect as.
	Target *profiles.Target
	// Warehouse is datatui.yml's warehouse section.
	Warehouse config.Warehouse
	// Home resolves ~ in private_key_path (default os.UserHomeDir).
	Home string
	// Transporter replaces the HTTP transport (tests); nil uses the driver's.
	Transporter http.RoundTripper
	// DriverLog receives the driver's own log lines (default: discarded, because the driver
	// writes to stderr and would tear the terminal UI).
	DriverLog io.Writer
	// Policy is the write guard (engine.Registry.ForTarget builds it); nil: the policy of
	// Warehouse for the target's user, checking no target names.
	Policy *warehouse.Policy
}

// Warehouse is a Snowflake engine. It connects on first use.
type Warehouse struct {
	cfg   *sf.Config
	login *login
	// sleep waits between dbt's connection retries (tests replace it, to not wait).
	sleep func(context.Context, time.Duration) error
	// target and user are the profiles.yml target connected with and its user:.
	target, user string

	mu     sync.Mutex
	policy warehouse.Policy // named from the session's identity once Identity has run
	db     *sql.DB
	role   string // current role, learnt by Identity
}

var _ warehouse.Warehouse = (*Warehouse)(nil)

// driverLogOnce routes the driver's process-wide logger once.
var driverLogOnce sync.Once

// New builds the engine from the target; it sends nothing.
func New(opts Options) (*Warehouse, error) {
	t := opts.Target
	if t == nil {
		return nil, warehouse.Errorf("no dbt target to connect with")
	}
	if t.Type != "snowflake" {
		return nil, warehouse.Errorf("target %s is type %s, not snowflake", t.Name, t.Type)
	}
	out := opts.DriverLog
	if out == nil {
		out = io.Discard
	}
	driverLogOnce.Do(func() {
		l := sf.GetLogger()
		l.SetOutput(out)
		_ = l.SetLogLevel("error")
		// Skip probing cloud metadata hosts and loading the bundled native library at the
		// first connection: neither is needed for a desktop login.
		if os.Getenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION") == "" {
			os.Setenv("SNOWFLAKE_DISABLE_PLATFORM_DETECTION", "true")
		}
		if os.Getenv("SF_DISABLE_MINICORE") == "" {
			os.Setenv("SF_DISABLE_MINICORE", "true")
		}
	})
	l, err := driverConfig(t, opts.Home)
	if err != nil {
		return nil, err
	}
	l.cfg.Transporter = opts.Transporter
	policy := warehouse.PolicyFor(opts.Warehouse, t.User)
	if opts.Policy != nil {
		policy = *opts.Policy
	}
	return &Warehouse{cfg: l.cfg, login: l, sleep: sleepCtx, policy: policy, target: t.Name, user: t.User}, nil
}

// Engine implements warehouse.Warehouse.
func (w *Warehouse) Engine() string { return "snowflake" }

// Interactive reports whether logging in needs the person (a browser window, an MFA push),
// so callers do not connect on their own at start-up.
func (w *Warehouse) Interactive() bool {
	return w.cfg.Authenticator == sf.AuthTypeExternalBrowser || w.cfg.Authenticator == sf.AuthTypeUsernamePasswordMFA ||
		w.cfg.Authenticator == sf.AuthTypeOkta || w.cfg.Authenticator == sf.AuthTypeOAuthAuthorizationCode
}

// Policy implements warehouse.Warehouse. Once Identity has run, the sandbox is the one of
// the session's own login (and every write is refused when that is not the profile's user).
func (w *Warehouse) Policy() warehouse.Policy {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.policy
}

// conn opens the connection pool and logs in on first use, the way dbt-snowflake opens a
// connection: an OAuth refresh token is traded for an access token first, and a failed
// connection is tried again connect_retries times, connect_timeout seconds apart. A login
// Snowflake refused (wrong password, unknown user, no such role) is not tried again.
func (w *Warehouse) conn(ctx context.Context) (*sql.DB, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.db != nil {
		return w.db, nil
	}
	var err error
	for attempt := 0; ; attempt++ {
		if err = w.open(ctx); err == nil || attempt >= w.login.retries || !retryable(err) {
			break
		}
		if serr := w.sleep(ctx, w.login.wait); serr != nil {
			return nil, serr
		}
	}
	if err != nil {
		return nil, classify("logging in to Snowflake", err)
	}
	return w.db, nil
}

// open makes one connection attempt; w.mu is held.
func (w *Warehouse) open(ctx context.Context) error {
	cfg := *w.cfg
	if g := w.login.refresh; g != nil {
		tok, err := g.exchange(ctx, httpClient(&cfg), tokenRequestURL(&cfg))
		if err != nil {
			return err
		}
		cfg.Token = tok
	}
	db := sql.OpenDB(sf.NewConnector(sf.SnowflakeDriver{}, cfg))
	db.SetMaxOpenConns(2)
	// Taking a connection from the pool is when the driver logs in (a Ping would also send
	// a statement); it goes back to the pool for the statements to come.
	c, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return err
	}
	c.Close()
	w.db = db
	return nil
}

// retryable reports connection failures worth trying again: anything but an answer from
// Snowflake that refuses the login or the configuration (dbt retries the connector's
// network and HTTP errors, not its DatabaseError).
func retryable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var se *sf.SnowflakeError
	if errors.As(err, &se) {
		return se.Number == sf.ErrCodeServiceUnavailable || se.Number == 261000
	}
	return true
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Close implements warehouse.Warehouse.
func (w *Warehouse) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.db == nil {
		return nil
	}
	err := w.db.Close()
	w.db = nil
	return err
}

// classify maps a driver error to a warehouse.Error with the guide that helps.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	kind := warehouse.KindOther
	var se *sf.SnowflakeError
	var ne net.Error
	switch {
	case errors.As(err, &se):
		n := se.Number
		switch {
		case n >= 390000 && n < 391000, n == 260008, n == 260002, n == 260003:
			kind = warehouse.KindAuth
		case n == 2003, n == 2043:
			kind = warehouse.KindPermission // "does not exist or not authorized"
		case n == 3001, n == 3003, n == 3041:
			kind = warehouse.KindPermission
		case n == 260000, n == 260001, n == 260004, n == 260005, n == 260006:
			kind = warehouse.KindConfig
		case n == 261000, n == 260017:
			kind = warehouse.KindNetwork
		}
	case errors.As(err, &ne):
		kind = warehouse.KindNetwork
	case strings.Contains(err.Error(), "dial tcp"), strings.Contains(err.Error(), "no such host"):
		kind = warehouse.KindNetwork
	}
	return warehouse.Wrap(op, kind, err)
}

// record is one row of a SHOW command, by lower-cased column name: SHOW output is read by
// name because its column order differs between Snowflake releases.
type record map[string]any

func (r record) str(k string) string {
	switch v := r[k].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	case time.Time:
		return v.Format(time.RFC3339)
	default:
		return fmt.Sprint(v)
	}
}

func (r record) num(k string) int64 {
	switch v := r[k].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case nil:
		return -1
	}
	s := r.str(k)
	if s == "" {
		return -1
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return -1
}

func (r record) time(k string) time.Time {
	switch v := r[k].(type) {
	case time.Time:
		return v
	case string:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999 -0700", "2006-01-02 15:04:05.999 -0700 MST"} {
			if t, err := time.Parse(layout, v); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// query runs one statement and returns its rows as records.
func (w *Warehouse) query(ctx context.Context, op, q string) ([]record, error) {
	db, err := w.conn(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, classify(op, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, classify(op, err)
	}
	var out []record
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, classify(op, err)
		}
		r := make(record, len(cols))
		for i, c := range cols {
			r[strings.ToLower(c)] = vals[i]
		}
		out = append(out, r)
	}
	return out, classify(op, rows.Err())
}

// Identity implements warehouse.Warehouse.
func (w *Warehouse) Identity(ctx context.Context) (warehouse.Identity, error) {
	recs, err := w.query(ctx, "reading who you are connected as",
		`SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE", CURRENT_SECONDARY_ROLES() AS "SECONDARY_ROLES", CURRENT_WAREHOUSE() AS "WAREHOUSE", CURRENT_DATABASE() AS "DATABASE", CURRENT_SCHEMA() AS "SCHEMA", CURRENT_ACCOUNT() AS "ACCOUNT"`)
	if err != nil {
		return warehouse.Identity{}, err
	}
	if len(recs) == 0 {
		return warehouse.Identity{}, classify("reading who you are connected as", errors.New("no row returned"))
	}
	r := recs[0]
	id := warehouse.Identity{Engine: "snowflake", User: r.str("user"), Role: r.str("role"), Warehouse: r.str("warehouse"),
		Database: r.str("database"), Schema: r.str("schema"), Account: r.str("account")}
	id.SecondaryRoles = parseSecondaryRoles(r.str("secondary_roles"))
	w.mu.Lock()
	w.role = id.Role
	w.policy = w.policy.WithSession(id.User, w.user)
	w.mu.Unlock()
	return id, nil
}

// parseSecondaryRoles reads CURRENT_SECONDARY_ROLES()'s JSON: {"roles":"R1,R2","value":"ALL"}.
func parseSecondaryRoles(s string) []string {
	var v struct {
		Roles string `json:"roles"`
	}
	if json.Unmarshal([]byte(s), &v) != nil || v.Roles == "" {
		return nil
	}
	var out []string
	for _, r := range strings.Split(v.Roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			out = append(out, r)
		}
	}
	return out
}

func toDatabase(r record) warehouse.Database {
	return warehouse.Database{Name: r.str("name"), Created: r.time("created_on"), Origin: r.str("origin"),
		Owner: r.str("owner"), Comment: r.str("comment"), Bytes: -1}
}

// ListDatabases implements warehouse.Warehouse.
func (w *Warehouse) ListDatabases(ctx context.Context) ([]warehouse.Database, error) {
	recs, err := w.query(ctx, "listing databases", "SHOW DATABASES")
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Database, 0, len(recs))
	for _, r := range recs {
		out = append(out, toDatabase(r))
	}
	return out, nil
}

// Database implements warehouse.Warehouse: SHOW DATABASES LIKE the name, matched exactly.
func (w *Warehouse) Database(ctx context.Context, name string) (warehouse.Database, error) {
	want := warehouse.NormaliseIdent(name)
	recs, err := w.query(ctx, "looking up database "+want, "SHOW DATABASES LIKE "+QuoteString(want))
	if err != nil {
		return warehouse.Database{}, err
	}
	for _, r := range recs {
		if r.str("name") == want {
			return toDatabase(r), nil
		}
	}
	return warehouse.Database{}, fmt.Errorf("database %s: %w (or your role cannot see it)", want, warehouse.ErrNotFound)
}

// ListSchemas implements warehouse.Warehouse.
func (w *Warehouse) ListSchemas(ctx context.Context, db string) ([]warehouse.Schema, error) {
	name := warehouse.NormaliseIdent(db)
	recs, err := w.query(ctx, "listing the schemas of "+name, "SHOW SCHEMAS IN DATABASE "+warehouse.QuoteIdent(name))
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Schema, 0, len(recs))
	for _, r := range recs {
		if strings.EqualFold(r.str("name"), "INFORMATION_SCHEMA") {
			continue
		}
		out = append(out, warehouse.Schema{Database: name, Name: r.str("name"), Created: r.time("created_on"), Owner: r.str("owner")})
	}
	return out, nil
}

// ListObjects implements warehouse.Warehouse with one SHOW OBJECTS (tables and views, with
// rows and bytes for tables).
func (w *Warehouse) ListObjects(ctx context.Context, db string) ([]warehouse.Object, error) {
	name := warehouse.NormaliseIdent(db)
	recs, err := w.query(ctx, "listing the tables of "+name, "SHOW OBJECTS IN DATABASE "+warehouse.QuoteIdent(name))
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Object, 0, len(recs))
	for _, r := range recs {
		if strings.EqualFold(r.str("schema_name"), "INFORMATION_SCHEMA") {
			continue
		}
		kind := strings.ToLower(strings.ReplaceAll(r.str("kind"), "_", " "))
		if kind == "" || kind == "base table" {
			kind = warehouse.KindTable
		}
		o := warehouse.Object{Database: name, Schema: r.str("schema_name"), Name: r.str("name"), Kind: kind,
			Rows: r.num("rows"), Bytes: r.num("bytes"), Created: r.time("created_on")}
		if kind == warehouse.KindView {
			o.Rows, o.Bytes = -1, -1
		}
		out = append(out, o)
	}
	return out, nil
}

// LastAltered implements warehouse.Warehouse from INFORMATION_SCHEMA.TABLES (this query
// needs a running warehouse, so it is only made on demand).
func (w *Warehouse) LastAltered(ctx context.Context, db string) (map[string]time.Time, error) {
	name := warehouse.NormaliseIdent(db)
	recs, err := w.query(ctx, "reading when the tables of "+name+" changed",
		`SELECT TABLE_SCHEMA, TABLE_NAME, LAST_ALTERED FROM `+warehouse.QuoteIdent(name)+`.INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA <> 'INFORMATION_SCHEMA'`)
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(recs))
	for _, r := range recs {
		out[r.str("table_schema")+"."+r.str("table_name")] = r.time("last_altered")
	}
	return out, nil
}

// Grants implements warehouse.Warehouse: SHOW GRANTS TO ROLE <current role>.
func (w *Warehouse) Grants(ctx context.Context) ([]warehouse.Grant, error) {
	w.mu.Lock()
	role := w.role
	w.mu.Unlock()
	if role == "" {
		id, err := w.Identity(ctx)
		if err != nil {
			return nil, err
		}
		role = id.Role
	}
	if role == "" {
		return nil, nil
	}
	recs, err := w.query(ctx, "listing the grants of role "+role, "SHOW GRANTS TO ROLE "+warehouse.QuoteIdent(role))
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Grant, 0, len(recs))
	for _, r := range recs {
		out = append(out, warehouse.Grant{Privilege: r.str("privilege"), GrantedOn: r.str("granted_on"), Name: r.str("name"),
			GrantedTo: r.str("granted_to"), Grantee: r.str("grantee_name"), GrantOption: strings.EqualFold(r.str("grant_option"), "true")})
	}
	return out, nil
}

// Refresh implements warehouse.Warehouse: CREATE OR REPLACE DATABASE <sandbox> CLONE <clone>,
// then the owner mark (COMMENT ON DATABASE). The names are judged before any connection is
// made, so a refused name sends nothing at all; then the session's identity and the
// existing sandbox's owner mark are read and judged before the clone is sent.
func (w *Warehouse) Refresh(ctx context.Context, sandbox string) error {
	user, err := w.guardWrite(ctx, sandbox)
	if err != nil {
		return err
	}
	clone := warehouse.NormaliseIdent(w.Policy().Clone)
	if clone == "" {
		return warehouse.Errorf("datatui.yml names no clone database to refresh from")
	}
	name := warehouse.NormaliseIdent(sandbox)
	q := "CREATE OR REPLACE DATABASE " + warehouse.QuoteIdent(name) + " CLONE " + warehouse.QuoteIdent(clone)
	db, err := w.conn(ctx)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, q); err != nil {
		return classify("refreshing "+name+" from "+clone, err)
	}
	// The mark is what keeps two logins with one sandbox name apart: a sandbox without it
	// cannot be refreshed or changed again until it is marked.
	mark := "COMMENT ON DATABASE " + warehouse.QuoteIdent(name) + " IS " + QuoteString(warehouse.OwnerMark(user))
	if _, err := db.ExecContext(ctx, mark); err != nil {
		return classify("marking "+name+" as "+user+"'s sandbox (it was refreshed)", err)
	}
	return nil
}

// guardWrite asks the write guard about writing db, in two steps: the names first, with
// nothing sent; then with the session's own identity (CURRENT_USER()) and, when db exists,
// its owner mark. It returns the session's user.
func (w *Warehouse) guardWrite(ctx context.Context, db string) (string, error) {
	write := warehouse.Write{Target: w.target, Database: db, ProfileUser: w.user}
	if err := w.Policy().Check(write); err != nil {
		return "", err
	}
	id, err := w.Identity(ctx)
	if err != nil {
		return "", err
	}
	write.SessionUser = id.User
	if err := w.Policy().Check(write); err != nil {
		return "", err
	}
	found, err := w.Database(ctx, db)
	switch {
	case errors.Is(err, warehouse.ErrNotFound):
	case err != nil:
		return "", err
	default:
		write.Exists, write.Owner = true, warehouse.OwnerOf(found.Comment)
	}
	return id.User, w.Policy().Check(write)
}

// DropSchema implements warehouse.Warehouse: DROP SCHEMA <db>.<schema>, after the guard.
func (w *Warehouse) DropSchema(ctx context.Context, db, schema string) error {
	if strings.EqualFold(schema, "INFORMATION_SCHEMA") || strings.TrimSpace(schema) == "" {
		return &warehouse.RefusedError{Database: db, Reason: "schema " + schema + " cannot be dropped"}
	}
	if _, err := w.guardWrite(ctx, db); err != nil {
		return err
	}
	name := warehouse.NormaliseIdent(db)
	conn, err := w.conn(ctx)
	if err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "DROP SCHEMA "+warehouse.QuoteIdent(name)+"."+warehouse.QuoteIdent(schema))
	return classify("dropping schema "+schema+" of "+name, err)
}

// QuoteString quotes a Snowflake string literal: single quotes doubled and backslashes
// escaped (Snowflake reads backslash escapes inside '…').
func QuoteString(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// Columns implements warehouse.Warehouse with SHOW COLUMNS (metadata only: no warehouse runs).
func (w *Warehouse) Columns(ctx context.Context, db, schema, name string) ([]warehouse.Column, error) {
	rel := relation(db, schema, name)
	recs, err := w.query(ctx, "listing the columns of "+rel, "SHOW COLUMNS IN "+rel)
	if err != nil {
		return nil, err
	}
	out := make([]warehouse.Column, 0, len(recs))
	for _, r := range recs {
		out = append(out, warehouse.Column{Name: r.str("column_name"), Type: columnType(r.str("data_type")),
			Nullable: !strings.EqualFold(r.str("null?"), "false") && !strings.EqualFold(r.str("null?"), "NOT_NULL"), Comment: r.str("comment")})
	}
	return out, nil
}

// relation is the quoted DB.SCHEMA.NAME of an object.
func relation(db, schema, name string) string {
	return warehouse.QuoteIdent(warehouse.NormaliseIdent(db)) + "." + warehouse.QuoteIdent(schema) + "." + warehouse.QuoteIdent(name)
}

// columnType prints SHOW COLUMNS' data_type (JSON such as {"type":"FIXED","precision":38,
// "scale":0}) the way DESCRIBE TABLE does: NUMBER(38,0), VARCHAR(16777216), TIMESTAMP_NTZ(9).
func columnType(js string) string {
	var t struct {
		Type      string `json:"type"`
		Precision *int   `json:"precision"`
		Scale     *int   `json:"scale"`
		Length    *int   `json:"length"`
	}
	if json.Unmarshal([]byte(js), &t) != nil || t.Type == "" {
		return js
	}
	n := func(p *int) string { return strconv.Itoa(*p) }
	switch typ := strings.ToUpper(t.Type); typ {
	case "FIXED":
		if t.Precision != nil && t.Scale != nil {
			return "NUMBER(" + n(t.Precision) + "," + n(t.Scale) + ")"
		}
		return "NUMBER"
	case "TEXT":
		if t.Length != nil {
			return "VARCHAR(" + n(t.Length) + ")"
		}
		return "VARCHAR"
	case "REAL":
		return "FLOAT"
	case "BINARY":
		if t.Length != nil {
			return "BINARY(" + n(t.Length) + ")"
		}
		return typ
	case "TIME", "TIMESTAMP_NTZ", "TIMESTAMP_LTZ", "TIMESTAMP_TZ":
		if t.Scale != nil {
			return typ + "(" + n(t.Scale) + ")"
		}
		return typ
	default:
		return typ
	}
}

// Preview implements warehouse.Warehouse: SELECT * … LIMIT n on the session's warehouse,
// after the read guard agreed with the session's identity.
func (w *Warehouse) Preview(ctx context.Context, db, schema, name string, n int) (*warehouse.Preview, error) {
	id, err := w.Identity(ctx)
	if err != nil {
		return nil, err
	}
	if err := w.Policy().CheckRead(db); err != nil {
		return nil, err
	}
	rel := relation(db, schema, name)
	conn, err := w.conn(ctx)
	if err != nil {
		return nil, err
	}
	p, err := warehouse.ReadPreview(ctx, conn, "SELECT * FROM "+rel+" LIMIT "+strconv.Itoa(max(n, 1)))
	if err != nil {
		return nil, classify("reading the first rows of "+rel, err)
	}
	p.Warehouse = id.Warehouse
	return p, nil
}
