package snowflake

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

// guarded builds the engine as connect.Open does: the policy of the team's datatui.yml for
// the target's user, with the dev target as the only target.
func guarded(t *testing.T, s *sftest.Server, user, authenticator string) *Warehouse {
	t.Helper()
	tg := target(s, user)
	if authenticator != "" {
		tg.Authenticator, tg.Token, tg.Password = authenticator, "tok", ""
	}
	cfg := config.Default()
	cfg.Warehouse = teamWarehouse()
	p := warehouse.NewPolicy(cfg, nil, user)
	w, err := New(Options{Target: tg, Warehouse: cfg.Warehouse, Policy: &p})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// noWrites asserts that nothing but reads reached the server, and the safety invariant.
func noWrites(t *testing.T, s *sftest.Server, forbidden ...string) {
	t.Helper()
	for _, st := range s.Statements() {
		if !strings.HasPrefix(st, "SELECT") && !strings.HasPrefix(st, "SHOW") {
			t.Errorf("sent %q", st)
		}
	}
	invariant(t, s, forbidden...)
}

func invariant(t *testing.T, s *sftest.Server, forbidden ...string) {
	t.Helper()
	names := sftest.Names{Clone: "ANALYTICS_CLONE", Forbidden: append([]string{"ANALYTICS", "RAW", "SHARED_DATA"}, forbidden...)}
	if err := sftest.CheckStatements(s.Statements(), names); err != nil {
		t.Error(err)
	}
}

// TestSandboxNamedFromTheSession: an OAuth profile saying user: bob that logs in as ANN
// refreshes nothing, neither SANDBOX_BOB nor SANDBOX_ANN, and never names SANDBOX_BOB.
func TestSandboxNamedFromTheSession(t *testing.T) {
	ctx := context.Background()
	s := sftest.New(t)
	s.LoginAs("ANN")
	w := guarded(t, s, "bob", "oauth")
	var re *warehouse.RefusedError
	for _, db := range []string{"SANDBOX_BOB", "SANDBOX_ANN"} {
		if err := w.Refresh(ctx, db); !errors.As(err, &re) || !strings.Contains(err.Error(), "the session logs in as ANN") {
			t.Errorf("Refresh(%s) = %v", db, err)
		}
		if err := w.DropSchema(ctx, db, "MARTS"); !errors.As(err, &re) {
			t.Errorf("DropSchema(%s) = %v", db, err)
		}
	}
	if p := w.Policy(); p.Sandbox != "" || p.ReadOnly == "" {
		t.Errorf("policy after the mismatch: %+v", p)
	}
	noWrites(t, s, "SANDBOX_BOB")

	// The same profile logging in as bob works, and the sandbox is the session's.
	s2 := sftest.New(t)
	s2.LoginAs("BOB")
	s2.NoDatabase("SANDBOX_BOB")
	s2.On(`CREATE OR REPLACE DATABASE "SANDBOX_BOB" CLONE "ANALYTICS_CLONE"`, sftest.OK("ok"))
	s2.On(`COMMENT ON DATABASE "SANDBOX_BOB" IS 'datatui sandbox of BOB'`, sftest.OK("ok"))
	if err := guarded(t, s2, "bob", "oauth").Refresh(ctx, "SANDBOX_BOB"); err != nil {
		t.Fatal(err)
	}
	invariant(t, s2, "SANDBOX_ANN")
}

// TestOwnerMarkKeepsLoginsApart: the four logins that normalise to SANDBOX_ANN_LEE (and
// bob@corp.com/bob@evil.com, jöhn/jähn) never replace or change each other's sandbox; only
// the marked owner does, and a sandbox without a mark is refused until it is marked.
func TestOwnerMarkKeepsLoginsApart(t *testing.T) {
	ctx := context.Background()
	for _, tt := range []struct{ owner, sandbox string }{
		{"ANN.LEE", "SANDBOX_ANN_LEE"}, {"ANN_LEE", "SANDBOX_ANN_LEE"}, {"ANN-LEE@OTHER.COM", "SANDBOX_ANN_LEE"}, {"ANN LEE", "SANDBOX_ANN_LEE"},
		{"BOB@CORP.COM", "SANDBOX_BOB"}, {"BOB@EVIL.COM", "SANDBOX_BOB"}, {"JÖHN", "SANDBOX_J_HN"}, {"JÄHN", "SANDBOX_J_HN"},
	} {
		for _, login := range []string{"ANN.LEE", "ANN_LEE", "ANN-LEE@OTHER.COM", "ANN LEE", "BOB@CORP.COM", "BOB@EVIL.COM", "JÖHN", "JÄHN"} {
			w0 := guarded(t, sftest.New(t), strings.ToLower(login), "")
			if w0.Policy().Sandbox != tt.sandbox {
				continue // another name: no collision to test
			}
			s := sftest.New(t)
			s.LoginAs(login)
			s.HasDatabase(tt.sandbox, warehouse.OwnerMark(tt.owner))
			clone := `CREATE OR REPLACE DATABASE "` + tt.sandbox + `" CLONE "ANALYTICS_CLONE"`
			s.On(clone, sftest.OK("ok"))
			s.On(`COMMENT ON DATABASE "`+tt.sandbox+`" IS 'datatui sandbox of `+login+`'`, sftest.OK("ok"))
			s.On(`DROP SCHEMA "`+tt.sandbox+`"."MARTS"`, sftest.OK("ok"))
			w := guarded(t, s, strings.ToLower(login), "")
			errR, errD := w.Refresh(ctx, tt.sandbox), w.DropSchema(ctx, tt.sandbox, "MARTS")
			if login == tt.owner {
				if errR != nil || errD != nil {
					t.Errorf("%s on their own %s: %v / %v", login, tt.sandbox, errR, errD)
				}
				continue
			}
			var re *warehouse.RefusedError
			for _, err := range []error{errR, errD} {
				if !errors.As(err, &re) || !strings.Contains(err.Error(), "it belongs to "+tt.owner) {
					t.Errorf("%s on %s's %s: %v", login, tt.owner, tt.sandbox, err)
				}
			}
			noWrites(t, s)
		}
	}
	// Unmarked: refused, saying how to mark it.
	s := sftest.New(t)
	s.LoginAs("ANN")
	s.HasDatabase("SANDBOX_ANN", "created by hand")
	err := guarded(t, s, "ann", "").Refresh(ctx, "SANDBOX_ANN")
	if err == nil || !strings.Contains(err.Error(), "carries no owner mark") || !strings.Contains(err.Error(), `COMMENT ON DATABASE "SANDBOX_ANN" IS 'datatui sandbox of ANN'`) {
		t.Errorf("unmarked: %v", err)
	}
	noWrites(t, s)
}

// TestRefusedNamesSendNothing: prod, the clone and protected names, however written, are
// refused before any request at all.
func TestRefusedNamesSendNothing(t *testing.T) {
	s := sftest.New(t)
	w := guarded(t, s, "ann", "")
	for _, db := range []string{"ANALYTICS", "analytics", `"ANALYTICS"`, " Analytics ", "ANALYTICS_CLONE", `"analytics_clone"`, "RAW", `"RAW"`, "shared_data", "SANDBOX_BOB", ""} {
		if err := w.Refresh(context.Background(), db); err == nil {
			t.Errorf("Refresh(%q) allowed", db)
		}
	}
	if r := s.Requests(); len(r) != 0 {
		t.Errorf("requests: %v", r)
	}
}
