package warehouse

import (
	"fmt"
	"strings"

	"github.com/datatui/datatui/internal/config"
)

// Policy is what the write guard checks a database against. Build it with PolicyFor (shared
// warehouses, where the sandbox is named by datatui.yml's pattern) or by hand for DuckDB,
// where each contributor's sandbox is the dev target's own file on their own machine.
type Policy struct {
	// Sandbox is the one database the current user may write.
	Sandbox string `json:"sandbox"`
	// Prod and Clone are never written.
	Prod  string `json:"prod"`
	Clone string `json:"clone"`
	// Protected lists more databases that are never written.
	Protected []string `json:"protected,omitempty"`
}

// PolicyFor is the policy of user under the team's datatui.yml: their sandbox is
// w.SandboxName(user).
// A user name with nothing left after normalisation has no sandbox (Sandbox is empty, so
// every write is refused) rather than the pattern's bare prefix.
func PolicyFor(w config.Warehouse, user string) Policy {
	p := Policy{Prod: w.ProdDatabase, Clone: w.CloneDatabase, Protected: w.Protected}
	if config.NormaliseUser(user) != "" {
		p.Sandbox = w.SandboxName(user)
	}
	return p
}

// RefusedError is the guard saying no. It names the database and why, and nothing was sent
// to the engine.
type RefusedError struct {
	Database string
	Reason   string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("refusing to write %s: %s (see the guide: datatui guide show %s)", e.Database, e.Reason, GuideSandbox)
}

// CheckWrite is THE decision whether db may be written: it must be the user's sandbox, and
// must not be prod, the clone or a protected database. Names are compared after identifier
// normalisation (an unquoted name means its upper-case form) and case-insensitively, so
// "analytics", ANALYTICS and "ANALYTICS" are the same database here. Every write path calls
// it before sending anything.
func (p Policy) CheckWrite(db string) error {
	name := NormaliseIdent(db)
	if strings.TrimSpace(name) == "" {
		return &RefusedError{Database: `""`, Reason: "no database named"}
	}
	same := func(other string) bool {
		o := NormaliseIdent(other)
		return o != "" && strings.EqualFold(o, name)
	}
	switch {
	case same(p.Prod):
		return &RefusedError{Database: db, Reason: "it is the production database (datatui.yml warehouse.prod_database)"}
	case same(p.Clone):
		return &RefusedError{Database: db, Reason: "it is the clone sandboxes are refreshed from (datatui.yml warehouse.clone_database)"}
	}
	for _, pr := range p.Protected {
		if same(pr) {
			return &RefusedError{Database: db, Reason: "it is protected (datatui.yml warehouse.protected)"}
		}
	}
	if strings.TrimSpace(p.Sandbox) == "" {
		return &RefusedError{Database: db, Reason: "your sandbox is unknown (no user name in the profile)"}
	}
	if !same(p.Sandbox) {
		return &RefusedError{Database: db, Reason: fmt.Sprintf("it is not your sandbox (yours is %s)", p.Sandbox)}
	}
	return nil
}

// QuoteIdent quotes an identifier for SQL exactly as given: double quotes around it, inner
// double quotes doubled. It is the only way datatui puts a name into SQL text. Names listed
// by the engine are quoted as they are; names written by people (datatui.yml) go through
// NormaliseIdent first, so an unquoted name means what it would mean in SQL.
func QuoteIdent(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// QuoteString quotes a string literal for SQL: single quotes, inner single quotes doubled.
func QuoteString(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// NormaliseIdent returns the name an identifier refers to: a name written in double quotes
// ("Mixed""Case") is taken literally without its quotes; a plain unquoted identifier
// (letters, digits, _ and $, not starting with a digit) is upper-cased, as Snowflake resolves
// it (DuckDB matches names case-insensitively, so this is harmless there); anything else is
// kept as written and will be quoted.
func NormaliseIdent(name string) string {
	name = strings.TrimSpace(name)
	if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
		inner := name[1 : len(name)-1]
		if !strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			return strings.ReplaceAll(inner, `""`, `"`)
		}
	}
	if isPlainIdent(name) {
		return strings.ToUpper(name)
	}
	return name
}

func isPlainIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z'):
		case i > 0 && ((r >= '0' && r <= '9') || r == '$'):
		default:
			return false
		}
	}
	return true
}

// SameName reports whether two identifiers name the same object under the guard's rules.
func SameName(a, b string) bool { return strings.EqualFold(NormaliseIdent(a), NormaliseIdent(b)) }
