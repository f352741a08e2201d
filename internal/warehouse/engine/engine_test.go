package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
)

func TestLookupNamesTheKnownEngines(t *testing.T) {
	r := NewRegistry(&Engine{Type: "snowflake"}, &Engine{Type: "duckdb"}, &Engine{Type: "trino"})
	if e, err := r.Lookup(" DuckDB "); err != nil || e.Type != "duckdb" {
		t.Fatalf("duckdb: %v %v", e, err)
	}
	tests := []struct{ typ, want string }{
		{"bigquery", "datatui does not know bigquery targets (it knows snowflake, duckdb and trino)"},
		{"", "the target has no type (datatui knows snowflake, duckdb and trino targets)"},
	}
	for _, tt := range tests {
		_, err := r.Lookup(tt.typ)
		var ue *UnknownError
		if !errors.As(err, &ue) || err.Error() != tt.want {
			t.Errorf("%q: %v, want %q", tt.typ, err, tt.want)
		}
	}
	if d := r.Default(); d == nil || d.Type != "snowflake" {
		t.Errorf("default %+v", d)
	}
	if NewRegistry().Default() != nil {
		t.Error("an empty registry has a default")
	}
}

// TestForTargetRefusesWhatNoEngineGuards: a target of an unknown type, or of an engine
// without a guard, is refused before anything is opened, naming the types datatui can judge.
func TestNameIsTheEnginesOwn(t *testing.T) {
	r := NewRegistry(&Engine{Type: "snowflake", Name: "Snowflake"}, &Engine{Type: "duckdb", Name: "DuckDB"})
	for typ, want := range map[string]string{"duckdb": "DuckDB", " Snowflake ": "Snowflake", "trino": "trino", "": ""} {
		if got := r.Name(typ); got != want {
			t.Errorf("Name(%q) = %q, want %q", typ, got, want)
		}
	}
}

func TestForTargetRefusesWhatNoEngineGuards(t *testing.T) {
	guard := func(in GuardInput) (warehouse.Policy, warehouse.Write, error) {
		return warehouse.NewPolicy(in.Config, in.ConfigErr, in.Target.User), warehouse.Write{Target: in.Target.Name, Database: in.Target.Database}, nil
	}
	r := NewRegistry(&Engine{Type: "snowflake", Guard: guard}, &Engine{Type: "duckdb", Guard: guard}, &Engine{Type: "noguard"})
	for _, typ := range []string{"bigquery", "noguard"} {
		_, _, err := r.ForTarget(nil, nil, nil, &profiles.Target{Name: "dev", Type: typ}, t.TempDir())
		var re *warehouse.RefusedError
		if !errors.As(err, &re) || !strings.Contains(err.Error(), "it is a "+typ+" target; datatui can tell where dbt writes only for snowflake and duckdb targets") {
			t.Errorf("%s: %v", typ, err)
		}
	}
	p, w, err := r.ForTarget(nil, nil, nil, &profiles.Target{Name: "dev", Type: "snowflake", User: "ann", Database: "SANDBOX_ANN"}, t.TempDir())
	if err != nil || p.Check(w) != nil {
		t.Errorf("snowflake: %v %v", err, p.Check(w))
	}
}

func TestMissing(t *testing.T) {
	e := &Engine{Settings: []Setting{
		{Key: "account", Required: true},
		{Key: "user", Aliases: []string{"username"}, Required: true},
		{Key: "role"},
	}}
	tests := []struct {
		set  []string
		want []string
	}{
		{nil, []string{"account", "user"}},
		{[]string{"account", "user"}, nil},
		{[]string{"account", "username"}, nil}, // an alias dbt accepts counts
		{[]string{"role", "user"}, []string{"account"}},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range e.Missing(func(k string) bool { return slices.Contains(tt.set, k) }) {
			got = append(got, s.Key)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("set %v: missing %v, want %v", tt.set, got, tt.want)
		}
	}
}
