package warehouse

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
)

func refusedWith(t *testing.T, what string, err error, want string) {
	t.Helper()
	var re *RefusedError
	if want == "" {
		if err != nil {
			t.Errorf("%s refused: %v", what, err)
		}
		return
	}
	if !errors.As(err, &re) || !strings.Contains(err.Error(), want) {
		t.Errorf("%s: %v, want refusal %q", what, err, want)
	}
}

// TestLoginsThatShareASandboxName: logins that normalise to one sandbox name are told apart
// by the owner mark of the sandbox that exists, so none of them can replace another's.
func TestLoginsThatShareASandboxName(t *testing.T) {
	cfg := config.Default()
	for _, tt := range []struct {
		owner  string   // who made (and marked) the sandbox
		others []string // other logins resolving to the same name
	}{
		{"ANN.LEE", []string{"ANN_LEE", "Ann-Lee@other.com", "ann lee"}},
		{"BOB@CORP.COM", []string{"BOB@EVIL.COM"}},
		{"JÖHN", []string{"JÄHN"}},
	} {
		sandbox := cfg.Warehouse.SandboxName(tt.owner)
		for _, login := range tt.others {
			p := NewPolicy(cfg, nil, login)
			if p.Sandbox != sandbox {
				t.Fatalf("%s and %s do not share a name (%s, %s): the test needs them to", login, tt.owner, p.Sandbox, sandbox)
			}
			w := Write{Target: "dev", Database: sandbox, SessionUser: login, ProfileUser: login, Exists: true, Owner: OwnerOf(OwnerMark(tt.owner))}
			refusedWith(t, login+" replacing "+tt.owner+"'s sandbox", p.Check(w), "it belongs to "+tt.owner+", not to you")
		}
		own := NewPolicy(cfg, nil, tt.owner)
		w := Write{Target: "dev", Database: sandbox, SessionUser: tt.owner, ProfileUser: strings.ToLower(tt.owner), Exists: true, Owner: tt.owner}
		refusedWith(t, tt.owner+" refreshing their own", own.Check(w), "")
		// The mark is compared as Snowflake compares unquoted user names: case-insensitively.
		w.Owner = strings.ToLower(tt.owner)
		refusedWith(t, tt.owner+" lower-case mark", own.Check(w), "")
		// An existing sandbox without a mark could be anyone's.
		w.Owner = ""
		refusedWith(t, "unmarked "+sandbox, own.Check(w), "carries no owner mark")
		// Creating it (it does not exist) needs no mark.
		w.Exists = false
		refusedWith(t, "new "+sandbox, own.Check(w), "")
	}
}

// TestSessionDecidesTheSandbox: the sandbox is named from the session's own login; a
// profile user that names another sandbox is refused, and so is an unknown session.
func TestSessionDecidesTheSandbox(t *testing.T) {
	cfg := config.Default()
	p := NewPolicy(cfg, nil, "bob")
	refusedWith(t, "OAuth as ANN with user: bob", p.Check(Write{Target: "dev", Database: "SANDBOX_BOB", SessionUser: "ANN", ProfileUser: "bob"}), "the session logs in as ANN")
	refusedWith(t, "OAuth as ANN writing ANN's", p.Check(Write{Target: "dev", Database: "SANDBOX_ANN", SessionUser: "ANN", ProfileUser: "bob"}), "the session logs in as ANN")
	// A login name that differs from the user name but normalises alike is the same person.
	refusedWith(t, "e-mail login", NewPolicy(cfg, nil, "ann@corp.com").Check(Write{Target: "dev", Database: "SANDBOX_ANN", SessionUser: "ANN", ProfileUser: "ann@corp.com"}), "")
	// WithSession renames the sandbox from the session, or makes the policy read-only.
	if got := p.WithSession("BOB", "bob"); got.Sandbox != "SANDBOX_BOB" || got.ReadOnly != "" {
		t.Errorf("matching session: %+v", got)
	}
	ro := p.WithSession("ANN", "bob")
	if ro.Sandbox != "" || !strings.Contains(ro.ReadOnly, "the session logs in as ANN") {
		t.Errorf("mismatched session: %+v", ro)
	}
	refusedWith(t, "read-only after a mismatch", ro.CheckWrite("SANDBOX_ANN"), "the session logs in as ANN")
	refusedWith(t, "existing without knowing who", p.Check(Write{Target: "dev", Database: "SANDBOX_BOB", ProfileUser: "bob", Exists: true, Owner: "BOB"}), "cannot tell who the session runs as")
}

// TestTargetsTheGuardAccepts: only datatui.yml's dbt.target and dbt.allowed_targets, never an
// empty name.
func TestTargetsTheGuardAccepts(t *testing.T) {
	cfg := config.Default()
	cfg.DBT.AllowedTargets = []string{"ci"}
	p := NewPolicy(cfg, nil, "ann")
	for target, want := range map[string]string{"dev": "", "ci": "", "prod": "target prod is not your sandbox target dev", "": "no profiles.yml target is named", " ": "no profiles.yml target", "DEV": "not your sandbox target"} {
		refusedWith(t, "target "+target, p.Check(Write{Target: target, Database: "SANDBOX_ANN", ProfileUser: "ann"}), want)
	}
}

// TestSandboxPatternTricks: a login chosen so that the pattern yields prod, the clone or a
// protected database gets no sandbox there (these held before; they stay tested).
func TestSandboxPatternTricks(t *testing.T) {
	for _, tt := range []struct{ pattern, user, db, want string }{
		{"{user}", "analytics", "", "production database"},
		{"ANALYTICS_{user}", "clone", "", "the clone"},
		{"ANALYTICS{user}", "_clone", "", ""}, // ANALYTICSCLONE: a name of its own
		{`"{user}"`, "analytics", "", "production database"},
		{"{user}", "raw", "", "protected"},
		{"{user}", `"raw"`, "", "protected"},
		{"{user}", "Shared Data", "", ""},                       // SHARED_DATA is not "Shared Data"
		{"{user}", "Shared Data", `"Shared Data"`, "protected"}, // but the protected one is refused
		{"SANDBOX_{user}", "...", "SANDBOX_", "your sandbox is unknown"},
	} {
		w := team()
		w.SandboxPattern = tt.pattern
		cfg := &config.Config{Warehouse: w, DBT: config.DBT{Target: "dev"}}
		p := NewPolicy(cfg, nil, tt.user)
		db := tt.db
		if db == "" {
			db = p.Sandbox
		}
		refusedWith(t, tt.pattern+" for "+tt.user, p.Check(Write{Target: "dev", Database: db, ProfileUser: tt.user, SessionUser: tt.user}), tt.want)
	}
}

func TestReadOnlyRefusesEverything(t *testing.T) {
	cfgErr := &config.Error{File: "/repo/datatui.yml", Line: 4, Key: "warehouse.protectd", Msg: "unknown key"}
	p := NewPolicy(nil, cfgErr, "ann")
	for _, err := range []error{p.CheckWrite("SANDBOX_ANN"), p.Check(Write{Target: "dev", Database: "SANDBOX_ANN", ProfileUser: "ann"})} {
		refusedWith(t, "broken datatui.yml", err, "datatui.yml has an error: datatui.yml:4: warehouse.protectd: unknown key; datatui writes nothing until it is fixed")
	}
	d := DuckDBPolicy(nil, cfgErr, "/x/sandbox.duckdb", nil)
	refusedWith(t, "broken datatui.yml (DuckDB)", d.Check(Write{Target: "dev", Database: "sandbox", File: "/x/sandbox.duckdb"}), "datatui.yml has an error")
}

// TestFileIdentity: symlinks, hard links, other spellings and links to files that do not
// exist yet are all seen for what they are.
func TestFileIdentity(t *testing.T) {
	dir := t.TempDir()
	prod := filepath.Join(dir, "prod.duckdb")
	if err := os.WriteFile(prod, []byte("prod"), 0o600); err != nil {
		t.Fatal(err)
	}
	mk := func(fn func(string, string) error, from, to string) string {
		t.Helper()
		p := filepath.Join(dir, to)
		if err := fn(from, p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	sym := mk(os.Symlink, prod, "sym.duckdb")
	rel := mk(os.Symlink, "prod.duckdb", "rel.duckdb")
	hard := mk(os.Link, prod, "hard.duckdb")
	chain := mk(os.Symlink, sym, "chain.duckdb")
	dangling := mk(os.Symlink, filepath.Join(dir, "future.duckdb"), "dangling.duckdb")
	linkedDir := mk(os.Symlink, dir, "alias")
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{sym, prod, true}, {rel, prod, true}, {hard, prod, true}, {chain, prod, true},
		{filepath.Join(dir, "sub", "..", "prod.duckdb"), prod, true},
		{filepath.Join(linkedDir, "prod.duckdb"), prod, true},
		{dangling, filepath.Join(dir, "future.duckdb"), true},
		{filepath.Join(dir, "mine.duckdb"), prod, false},
		{"", prod, false},
	} {
		if got := SameFile(tt.a, tt.b); got != tt.same {
			t.Errorf("SameFile(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
	cfg := config.Default()
	cfg.Warehouse.ProdDatabase, cfg.Warehouse.CloneDatabase = "prod", "clone"
	for _, dev := range []string{sym, rel, hard, chain} {
		p := DuckDBPolicy(cfg, nil, dev, nil)
		refusedWith(t, "dev "+filepath.Base(dev), p.Check(Write{Target: "dev", Database: DuckDBName(dev), File: dev}), "the production database's file")
	}
	// The dev path is the prod target's file under another name.
	mine := filepath.Join(dir, "mine.duckdb")
	live := filepath.Join(dir, "live.duckdb")
	os.WriteFile(live, []byte("live"), 0o600)
	os.Symlink(live, mine)
	p := DuckDBPolicy(cfg, nil, mine, map[string]string{"dev": mine, "live": live})
	refusedWith(t, "dev = live target", p.Check(Write{Target: "dev", Database: "mine", File: mine}), "the file of the live target")
	// An allowed target's file is not guarded against; the sandbox file itself passes.
	cfg.DBT.AllowedTargets = []string{"live"}
	refusedWith(t, "allowed", DuckDBPolicy(cfg, nil, mine, map[string]string{"dev": mine, "live": live}).Check(Write{Target: "dev", Database: "mine", File: mine}), "")
	// Another file than the sandbox's, however named, is refused.
	refusedWith(t, "not the sandbox file", p.Check(Write{Target: "dev", Database: "mine", File: filepath.Join(dir, "other", "mine.duckdb")}), "not your sandbox file")
}
