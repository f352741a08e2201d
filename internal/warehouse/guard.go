package warehouse

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
)

// Policy is the write guard: everything datatui starts that writes — a refresh, a dropped
// schema, a dbt run, the onboarding's profile fix — is described as a Write and judged by
// Policy.Check before anything is sent or started. It is judged by where the write really
// goes (the resolved dbt target, the session's own identity, the DuckDB file's identity),
// never by names alone.
//
// Build it with NewPolicy (shared warehouses, where the sandbox is named by datatui.yml's
// pattern from the user's login) or DuckDBPolicy (each contributor's sandbox is the dev
// target's own file); each engine's guard (engine.Registry.ForTarget) picks between them for a
// profiles.yml target.
type Policy struct {
	// Sandbox is the one database the current user may write.
	Sandbox string `json:"sandbox"`
	// Prod and Clone are never written.
	Prod  string `json:"prod"`
	Clone string `json:"clone"`
	// Protected lists more databases that are never written.
	Protected []string `json:"protected,omitempty"`
	// ReadOnly, when set, is why every write is refused (datatui.yml has errors, the session is
	// not the profile's user): reads still work and show it as a banner.
	ReadOnly string `json:"read_only,omitempty"`
	// ReadOnlyFix says how to end ReadOnly.
	ReadOnlyFix string `json:"read_only_fix,omitempty"`

	// Targets are the profiles.yml targets writes may go through: datatui.yml's dbt.target
	// first, then dbt.allowed_targets. Empty: the policy was built by hand and names none.
	Targets []string `json:"-"`
	// Pattern is datatui.yml's sandbox_pattern: with it the sandbox is named from the
	// session's identity once that is known. Empty for DuckDB.
	Pattern string `json:"-"`
	// SandboxFile is the dev target's DuckDB file; every DuckDB write must be that very file.
	SandboxFile string `json:"-"`
	// Files are DuckDB files that are never written (prod's, the clone's, other targets'),
	// compared by file identity.
	Files []GuardedFile `json:"-"`
}

// GuardedFile is a DuckDB file the guard never lets anything write, and what it is.
type GuardedFile struct {
	Path string
	What string // "the production database's file (datatui.yml warehouse.prod_database)"
}

// Write is one write datatui is about to make, described by where it really goes.
type Write struct {
	// Target is the profiles.yml target the write goes through (the one dbt or the engine
	// connects with).
	Target string
	// Database is the database written: on Snowflake the target's database (or the sandbox
	// being refreshed), on DuckDB the file's database name.
	Database string
	// File is the DuckDB file written, as profiles.yml names it (resolved by the guard).
	File string
	// SessionUser is who the session really is (CURRENT_USER() on Snowflake, the operating
	// system account for DuckDB); "" when not known.
	SessionUser string
	// ProfileUser is the user: of the profiles.yml target.
	ProfileUser string
	// Exists says the database already exists, so it would be replaced or changed: then Owner
	// (its owner mark, "" for none) must be the session's user.
	Exists bool
	Owner  string
}

// RefusedError is the guard saying no. It names what would have been written, why, and
// what fixes it; nothing was sent to the engine and nothing was started.
type RefusedError struct {
	Database string
	// Op is what was refused: "" is a write, "read" a read of data (a preview).
	Op     string
	Reason string
	// Fix says what to change (may be empty).
	Fix string
}

func (e *RefusedError) Error() string {
	msg := fmt.Sprintf("refusing to %s %s: %s", orText(e.Op, "write"), e.Database, e.Reason)
	if e.Fix != "" {
		msg += "; " + e.Fix
	}
	return msg + " (see the guide: datatui guide show " + GuideSandbox + ")"
}

// Problem is the refusal in the doctor's words: what is wrong and how to fix it, without the
// "refusing to" the write paths lead with.
func (e *RefusedError) Problem() string {
	if e.Fix == "" {
		return e.Reason
	}
	return e.Reason + "; " + e.Fix
}

// PolicyFor is the policy of user under the team's datatui.yml: their sandbox is
// w.SandboxName(user).
// A user name with nothing left after normalisation has no sandbox (Sandbox is empty, so
// every write is refused) rather than the pattern's bare prefix.
func PolicyFor(w config.Warehouse, user string) Policy {
	p := Policy{Prod: w.ProdDatabase, Clone: w.CloneDatabase, Protected: w.Protected, Pattern: w.SandboxPattern}
	p.Sandbox = sandboxOf(w.SandboxPattern, user)
	return p
}

// NewPolicy is the guard for a shared warehouse under cfg (datatui.yml, nil for the
// defaults) for the profile's user. cfgErr is datatui.yml's error: with one, every write is
// refused, because the names that decide what may be written are not the team's.
func NewPolicy(cfg *config.Config, cfgErr error, user string) Policy {
	if cfg == nil {
		cfg = config.Default()
	}
	p := PolicyFor(cfg.Warehouse, user)
	p.Targets = targetsOf(cfg.DBT)
	p.setConfigErr(cfgErr)
	return p
}

func (p *Policy) setConfigErr(err error) {
	if err == nil {
		return
	}
	var ce *config.Error
	if errors.As(err, &ce) {
		short := *ce
		short.File = filepath.Base(ce.File) // the line and key matter here, not the folder
		err = &short
	}
	// The error itself first: it is what a one-line banner must not cut off.
	p.ReadOnly = "datatui.yml has an error: " + err.Error() + "; datatui writes nothing until it is fixed"
	p.ReadOnlyFix = "correct datatui.yml (datatui doctor names the line); reading works meanwhile"
}

func targetsOf(d config.DBT) []string {
	var out []string
	if t := strings.TrimSpace(d.Target); t != "" {
		out = append(out, t)
	}
	for _, t := range d.AllowedTargets {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// sandboxOf names user's sandbox under pattern; "" when the user name normalises to nothing.
func sandboxOf(pattern, user string) string {
	if config.NormaliseUser(user) == "" {
		return ""
	}
	return config.Warehouse{SandboxPattern: pattern}.SandboxName(user)
}

// WithSession returns the policy once the session's identity is known: on a shared warehouse
// the sandbox is named from the session's login. When the profile's user names another
// sandbox, the session is not who the profile says and the policy becomes read-only.
func (p Policy) WithSession(sessionUser, profileUser string) Policy {
	if p.Pattern == "" || strings.TrimSpace(sessionUser) == "" {
		return p
	}
	if re := p.checkSession(sessionUser, profileUser); re != nil {
		p.Sandbox = ""
		if p.ReadOnly == "" {
			p.ReadOnly, p.ReadOnlyFix = re.Reason, re.Fix
		}
		return p
	}
	p.Sandbox = sandboxOf(p.Pattern, sessionUser)
	return p
}

func (p Policy) checkSession(sessionUser, profileUser string) *RefusedError {
	mine := sandboxOf(p.Pattern, sessionUser)
	if profileUser == "" || SameName(sandboxOf(p.Pattern, profileUser), mine) {
		return nil
	}
	return &RefusedError{Database: orText(sandboxOf(p.Pattern, profileUser), profileUser),
		Reason: fmt.Sprintf("profiles.yml says user %s, but the session logs in as %s (whose sandbox is %s)", profileUser, sessionUser, orText(mine, "unknown")),
		Fix:    fmt.Sprintf("set user: in profiles.yml to the login you sign in with (%s), or sign in as %s", sessionUser, profileUser)}
}

// TargetAllowed reports whether writes may go through the profiles.yml target name: it must
// be datatui.yml's dbt.target or one of dbt.allowed_targets. An empty name is never allowed
// (dbt would fall back to the profile's default target, wherever that points).
func (p Policy) TargetAllowed(name string) bool {
	if strings.TrimSpace(name) == "" {
		return false
	}
	for _, t := range p.Targets {
		if t == name {
			return true
		}
	}
	return false
}

// Check is THE decision whether a write may happen. In order: a read-only policy refuses
// everything; the target must be the sandbox target or an allowed one; the session must be
// the profile's user; the database must be the user's sandbox and not prod, the clone or a
// protected database (compared after identifier normalisation); a DuckDB file must be the
// dev target's own file and none of the guarded files (compared by file identity); and a
// sandbox that exists must carry the session user's owner mark. Every write path calls it
// before sending or starting anything.
func (p Policy) Check(w Write) error {
	shown := w.Database
	if w.File != "" && shown == "" {
		shown = w.File
	}
	if p.ReadOnly != "" {
		return &RefusedError{Database: orText(shown, `""`), Reason: p.ReadOnly, Fix: p.ReadOnlyFix}
	}
	if err := p.CheckTarget(w.Target, shown); err != nil {
		return err
	}
	sandbox := p.Sandbox
	if p.Pattern != "" && strings.TrimSpace(w.SessionUser) != "" {
		if re := p.checkSession(w.SessionUser, w.ProfileUser); re != nil {
			return re
		}
		sandbox = sandboxOf(p.Pattern, w.SessionUser)
	}
	if err := p.checkName(w.Database, sandbox, w.Target); err != nil {
		return err
	}
	if err := p.checkFile(w); err != nil {
		return err
	}
	if w.Exists {
		return checkOwner(sandbox, w)
	}
	return nil
}

// CheckTarget refuses a profiles.yml target that is neither datatui.yml's dbt.target nor
// one of dbt.allowed_targets (db names what it would write, for the message). A policy
// built by hand, naming no targets, checks none.
func (p Policy) CheckTarget(target, db string) error {
	if len(p.Targets) == 0 || p.TargetAllowed(target) {
		return nil
	}
	if strings.TrimSpace(target) == "" {
		return &RefusedError{Database: orText(db, `""`), Reason: "no profiles.yml target is named (an empty --target makes dbt fall back to the profile's default target)",
			Fix: "name your sandbox target: --target " + p.Targets[0]}
	}
	return &RefusedError{Database: orText(db, "target "+target),
		Reason: fmt.Sprintf("target %s is not your sandbox target %s", target, p.Targets[0]),
		Fix:    "use --target " + p.Targets[0] + " (the data team can allow more targets with dbt.allowed_targets in datatui.yml)"}
}

// CheckWrite is the name part of Check, for a screen or command to refuse early (before a
// confirmation) without a round trip: db must be the user's sandbox and not prod, the clone
// or a protected database, and the policy must not be read-only. The write itself is still
// judged by Check with everything known at that moment.
func (p Policy) CheckWrite(db string) error {
	if p.ReadOnly != "" {
		return &RefusedError{Database: orText(db, `""`), Reason: p.ReadOnly, Fix: p.ReadOnlyFix}
	}
	return p.checkName(db, p.Sandbox, "")
}

// CheckRead is the guard of reading data (a table's rows): only the user's own sandbox, never
// prod, the clone, a protected database or anyone else's sandbox. Engines call it once the
// session's identity is known (the policy's sandbox is then the session's). A read-only
// policy still allows reads: only writes are stopped by it.
func (p Policy) CheckRead(db string) error {
	if err := p.checkName(db, p.Sandbox, ""); err != nil {
		var re *RefusedError
		if errors.As(err, &re) {
			re.Op = "read"
			re.Fix = "datatui previews rows of your own sandbox only"
		}
		return err
	}
	return nil
}

// checkName compares db with the sandbox, prod, the clone and the protected names. Names are
// compared after identifier normalisation (an unquoted name means its upper-case form) and
// case-insensitively, so "analytics", ANALYTICS and "ANALYTICS" are one database here.
func (p Policy) checkName(db, sandbox, target string) error {
	name := NormaliseIdent(db)
	if strings.TrimSpace(name) == "" {
		fix := ""
		if target != "" {
			fix = fmt.Sprintf("set database: of the %s target in profiles.yml to your sandbox %s", target, orText(sandbox, "(see datatui whoami)"))
		}
		return &RefusedError{Database: `""`, Reason: "no database is named, so datatui cannot tell where it would write", Fix: fix}
	}
	same := func(other string) bool {
		o := NormaliseIdent(other)
		return o != "" && strings.EqualFold(o, name)
	}
	point := func() string {
		if target == "" {
			return "ask the data team: datatui.yml's warehouse.sandbox_pattern names this database for your login"
		}
		return fmt.Sprintf("point the %s target of profiles.yml at your sandbox %s (datatui doctor --fix --step profile)", target, orText(sandbox, "(see datatui whoami)"))
	}
	switch {
	case same(p.Prod):
		return &RefusedError{Database: db, Reason: "it is the production database (datatui.yml warehouse.prod_database)", Fix: point()}
	case same(p.Clone):
		return &RefusedError{Database: db, Reason: "it is the clone sandboxes are refreshed from (datatui.yml warehouse.clone_database)", Fix: point()}
	}
	for _, pr := range p.Protected {
		if same(pr) {
			return &RefusedError{Database: db, Reason: "it is protected (datatui.yml warehouse.protected)", Fix: point()}
		}
	}
	if strings.TrimSpace(sandbox) == "" {
		return &RefusedError{Database: db, Reason: "your sandbox is unknown (no user name that datatui.yml's sandbox_pattern can use)",
			Fix: "set user: of the target in profiles.yml to your login"}
	}
	if !same(sandbox) {
		return &RefusedError{Database: db, Reason: fmt.Sprintf("it is not your sandbox (yours is %s)", sandbox), Fix: point()}
	}
	return nil
}

// checkFile judges a DuckDB write by the file it really opens.
func (p Policy) checkFile(w Write) error {
	if p.SandboxFile == "" {
		return nil
	}
	shown := orText(w.File, w.Database)
	where := "the dev target"
	if w.Target != "" {
		where = "the " + w.Target + " target"
	}
	fix := "point " + where + "'s path: in profiles.yml at a DuckDB file of your own"
	if strings.TrimSpace(w.File) == "" || w.File == ":memory:" {
		return &RefusedError{Database: shown, Reason: "no database file is named, so datatui cannot tell where it would write", Fix: fix}
	}
	if strings.HasPrefix(w.File, "md:") || strings.HasPrefix(w.File, "motherduck:") || strings.Contains(w.File, "://") {
		return &RefusedError{Database: shown, Reason: "it is not a local file, so datatui cannot compare it with prod and the clone", Fix: fix}
	}
	for _, g := range p.Files {
		if SameFile(w.File, g.Path) {
			reason := "it is " + g.What
			if filepath.Clean(w.File) != filepath.Clean(g.Path) {
				reason += ", " + g.Path + ", under another name"
			}
			return &RefusedError{Database: shown, Reason: reason, Fix: fix}
		}
	}
	if !SameFile(w.File, p.SandboxFile) {
		return &RefusedError{Database: shown, Reason: fmt.Sprintf("it is not your sandbox file (yours is %s)", p.SandboxFile), Fix: fix}
	}
	return nil
}

// OwnerMarkPrefix starts the owner mark datatui leaves on a sandbox it creates (a database
// COMMENT on Snowflake, a file beside the database on DuckDB): the rest is the login of the
// person it belongs to, exactly as the warehouse reports it.
const OwnerMarkPrefix = "datatui sandbox of "

// OwnerMark is the mark of a sandbox that belongs to login.
func OwnerMark(login string) string { return OwnerMarkPrefix + login }

// OwnerOf reads an owner mark; "" when the text is not one.
func OwnerOf(mark string) string {
	owner, ok := strings.CutPrefix(strings.TrimSpace(mark), OwnerMarkPrefix)
	if !ok {
		return ""
	}
	return strings.TrimSpace(owner)
}

// checkOwner refuses to replace or change a sandbox that is not marked as the session
// user's: two logins that normalise to one name (ann.lee and ann_lee, bob@corp.com and
// bob@evil.com, jöhn and jähn) must never share a sandbox.
func checkOwner(sandbox string, w Write) error {
	db := orText(w.Database, sandbox)
	who := strings.TrimSpace(w.SessionUser)
	if who == "" {
		return &RefusedError{Database: db, Reason: "datatui cannot tell who the session runs as, so it cannot check whose sandbox this is",
			Fix: "check the login with datatui whoami"}
	}
	switch {
	case w.Owner == "":
		return &RefusedError{Database: db,
			Reason: fmt.Sprintf("%s exists but carries no owner mark, so datatui cannot tell whether it is yours or belongs to another login that is also named %s", db, sandbox),
			Fix:    fmt.Sprintf("if it is yours, mark it: COMMENT ON DATABASE %s IS %s (or ask the data team)", QuoteIdent(NormaliseIdent(db)), QuoteString(OwnerMark(who)))}
	case !strings.EqualFold(w.Owner, who):
		return &RefusedError{Database: db,
			Reason: fmt.Sprintf("it belongs to %s, not to you (%s): both logins are named %s under datatui.yml's sandbox_pattern", w.Owner, who, sandbox),
			Fix:    "ask the data team for a sandbox_pattern that keeps your names apart, or to rename one of the sandboxes"}
	}
	return nil
}

func orText(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
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

// SessionFromProfile reports whether logging in with target t makes the session the
// profile's user: with a password, a key pair, SSO or MFA Snowflake logs in exactly the user
// named; with OAuth (and workload identity) the token decides who logs in, whatever user:
// says, so who the session is must be asked of the session itself.
func SessionFromProfile(t *profiles.Target) bool {
	if strings.TrimSpace(t.User) == "" {
		return false
	}
	switch a := strings.ToLower(strings.TrimSpace(t.Authenticator)); {
	case a == "oauth", strings.HasPrefix(a, "oauth_"), a == "workload_identity":
		return false
	}
	return true
}
