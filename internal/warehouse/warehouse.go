// Package warehouse is datatui's view of the team's database engine: who the user is
// connected as, what their sandbox holds, and the two writes datatui ever makes (refreshing
// the sandbox from the clone, dropping a schema in it). Engines live in sub-packages
// (snowflake, duckdb); this package holds the interface, the write guard, the one identifier
// quoting helper and the engine-neutral status and cache logic the CLI and the screen share.
package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Warehouse is one connection to the team's engine. Every call takes a context and returns
// when it is cancelled. Implementations connect lazily: building one sends nothing.
type Warehouse interface {
	// Engine names the engine: "snowflake" or "duckdb".
	Engine() string
	// Policy is what the write guard checks against (the user's sandbox, prod, clone,
	// protected names). It is known without a round trip.
	Policy() Policy
	// Identity reports who the session runs as.
	Identity(ctx context.Context) (Identity, error)
	// ListDatabases lists the databases the session can see.
	ListDatabases(ctx context.Context) ([]Database, error)
	// Database describes one database (created_on, clone origin); ErrNotFound when missing.
	Database(ctx context.Context, name string) (Database, error)
	// ListSchemas lists the schemas of db in one round trip.
	ListSchemas(ctx context.Context, db string) ([]Schema, error)
	// ListObjects lists every table and view of db in one round trip, with rows and bytes
	// where the engine keeps them. LastAltered may be zero (see LastAltered).
	ListObjects(ctx context.Context, db string) ([]Object, error)
	// LastAltered fills in when each object of db last changed, for engines where that costs
	// a separate query (Snowflake's INFORMATION_SCHEMA), so callers ask only on demand.
	// Keys are "SCHEMA.NAME" as returned by ListObjects.
	LastAltered(ctx context.Context, db string) (map[string]time.Time, error)
	// Columns lists the columns of one table or view of db, in order, from the engine's
	// metadata (SHOW COLUMNS on Snowflake: no warehouse runs; duckdb_columns() on DuckDB).
	Columns(ctx context.Context, db, schema, name string) ([]Column, error)
	// Preview reads the first n rows of one table or view. It is a read of data, allowed in
	// the user's own sandbox only (Policy.CheckRead, judged with the session's identity); on
	// Snowflake it runs on the session's warehouse, so callers say so first.
	Preview(ctx context.Context, db, schema, name string, n int) (*Preview, error)
	// Grants lists the privileges of the session's current role.
	Grants(ctx context.Context) ([]Grant, error)
	// Refresh replaces sandbox with a fresh copy of the clone. It calls the guard first.
	Refresh(ctx context.Context, sandbox string) error
	// DropSchema drops schema (and everything in it) from db. It calls the guard first.
	DropSchema(ctx context.Context, db, schema string) error
	// Close releases the connection.
	Close() error
}

// Identity is who a session runs as.
type Identity struct {
	Engine         string   `json:"engine"`
	Account        string   `json:"account,omitempty"`
	User           string   `json:"user"`
	Role           string   `json:"role,omitempty"`
	SecondaryRoles []string `json:"secondary_roles,omitempty"`
	Warehouse      string   `json:"warehouse,omitempty"`
	Database       string   `json:"database,omitempty"`
	Schema         string   `json:"schema,omitempty"`
}

// Database is one database.
type Database struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created,omitzero"`
	// Origin is the database it was cloned from, when the engine records it.
	Origin  string `json:"origin,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Comment string `json:"comment,omitempty"`
	// Path is the database file (DuckDB).
	Path string `json:"path,omitempty"`
	// Bytes is the database's size when the engine knows it cheaply (a DuckDB file); -1 if not.
	Bytes int64 `json:"bytes"`
}

// Schema is one schema of a database.
type Schema struct {
	Database string    `json:"database"`
	Name     string    `json:"name"`
	Created  time.Time `json:"created,omitzero"`
	Owner    string    `json:"owner,omitempty"`
}

// Object kinds.
const (
	KindTable = "table"
	KindView  = "view"
)

// Object is one table or view.
type Object struct {
	Database string `json:"database"`
	Schema   string `json:"schema"`
	Name     string `json:"name"`
	// Kind is "table", "view", or the engine's word for others ("materialized view",
	// "dynamic table", "external table"), lower case.
	Kind string `json:"kind"`
	// Rows and Bytes are -1 when the engine does not know them (views).
	Rows        int64     `json:"rows"`
	Bytes       int64     `json:"bytes"`
	Created     time.Time `json:"created,omitzero"`
	LastAltered time.Time `json:"last_altered,omitzero"`
}

// Key is "SCHEMA.NAME", the key LastAltered uses.
func (o Object) Key() string { return o.Schema + "." + o.Name }

// FQN is the quoted fully-qualified name, ready to paste into SQL.
func (o Object) FQN() string {
	return QuoteIdent(o.Database) + "." + QuoteIdent(o.Schema) + "." + QuoteIdent(o.Name)
}

// Grant is one privilege of a role.
type Grant struct {
	Privilege   string `json:"privilege"`
	GrantedOn   string `json:"granted_on"`
	Name        string `json:"name"`
	GrantedTo   string `json:"granted_to,omitempty"`
	Grantee     string `json:"grantee"`
	GrantOption bool   `json:"grant_option,omitempty"`
}

// ErrNotFound is returned (wrapped) when a database or schema does not exist.
var ErrNotFound = errors.New("not found")

// Guide slugs errors point to.
const (
	GuideRoles   = "roles-and-permissions"
	GuideSandbox = "your-sandbox"
	GuideSetup   = "set-up-your-environment"
)

// ErrorKind classifies an engine error so the UI can say what to do.
type ErrorKind string

const (
	KindAuth       ErrorKind = "auth"
	KindNetwork    ErrorKind = "network"
	KindPermission ErrorKind = "permission"
	KindMissing    ErrorKind = "missing"
	KindConfig     ErrorKind = "config"
	KindOther      ErrorKind = "other"
)

// Error is an engine error with what was being done and which guide helps. Its message keeps
// the engine's own words: people paste it into support threads.
type Error struct {
	Op    string // "listing schemas of SANDBOX_ANN"
	Kind  ErrorKind
	Guide string
	Err   error
}

func (e *Error) Error() string {
	msg := e.Op + ": " + strings.TrimSpace(e.Err.Error())
	if e.Guide != "" {
		msg += " (see the guide: datatui guide show " + e.Guide + ")"
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// GuideFor returns the guide slug of err's kind, "" when none helps.
func GuideFor(kind ErrorKind) string {
	switch kind {
	case KindAuth, KindNetwork, KindConfig:
		return GuideSetup
	case KindPermission:
		return GuideRoles
	case KindMissing:
		return GuideSandbox
	}
	return ""
}

// Wrap classifies err for op. A nil err stays nil; context cancellation is returned as is so
// callers can tell it from a failure.
func Wrap(op string, kind ErrorKind, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var we *Error
	if errors.As(err, &we) {
		return err
	}
	var re *RefusedError
	if errors.As(err, &re) {
		return err
	}
	return &Error{Op: op, Kind: kind, Guide: GuideFor(kind), Err: err}
}

// Errorf builds a config error (bad profile, missing file) pointing to the setup guide.
func Errorf(format string, args ...any) error {
	return &Error{Op: "connecting", Kind: KindConfig, Guide: GuideSetup, Err: fmt.Errorf(format, args...)}
}
