// Package engine is the table of warehouse engines. Each engine (snowflake, duckdb) is one
// package that describes itself with an Engine: the dbt adapter type it serves, the
// profiles.yml settings it reads, how onboarding asks for them, where a target of its type
// writes (its write guard), how to open it, and the dbt adapter package to install. Every
// part of datatui that depends on the type of a target (connect, the dbt runner's guard,
// onboarding's profile form, check and install hints, doctor) looks the engine up in a
// Registry instead of switching on the type, so adding an engine is one package plus one
// line in the wiring list (internal/warehouse/engines).
package engine

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
)

// Engine describes one warehouse engine.
type Engine struct {
	// Type is the profile's type: as dbt names the adapter ("snowflake").
	Type string
	// Name is the engine as people call it ("Snowflake").
	Name string
	// Adapter is the Python package of dbt's adapter ("dbt-snowflake"), installed beside
	// dbt-core by onboarding's tools step.
	Adapter string
	// Guide and Anchor are the handbook section that explains a target of this type.
	Guide, Anchor string
	// Roles is set when the engine has roles and grants (Warehouse.Grants lists the
	// session's): without them only the team's Terraform says what a contributor may read.
	Roles bool
	// BilledReads is set when reading rows runs on compute that bills its time (a Snowflake
	// warehouse), so a preview of a table asks first; a local file's does not.
	BilledReads bool
	// LocalFile is set when a database is one file on this machine (DuckDB): the sandbox is a
	// file of the contributor's own, and its size is the file's.
	LocalFile bool
	// EstimatedRows is set when the row counts a listing gives are the engine's estimate
	// (DuckDB's estimated_size), not a count.
	EstimatedRows bool
	// Settings are the profiles.yml keys the engine reads, with dbt's own names.
	Settings []Setting
	// Form is how onboarding asks for a new target of this type.
	Form Form
	// Guard says where target in.Target writes and builds the write guard for it. Without a
	// guard datatui cannot tell where a target writes and refuses every write through it.
	Guard func(in GuardInput) (warehouse.Policy, warehouse.Write, error)
	// Place names where a target writes, for onboarding's profile check ("database
	// SANDBOX_ANN"), or what it lacks to tell (nil: its database; see PlaceOf).
	Place func(t *profiles.Target) Place
	// Open builds the engine's Warehouse for a resolved target whose guard in.Policy is;
	// it connects lazily (nothing is sent yet). nil: datatui cannot open it (dbt runs only).
	Open func(ctx context.Context, in OpenInput) (warehouse.Warehouse, error)
	// Notes lists what the target asks of dbt that datatui's own connection does not do,
	// for doctor to say (nil: nothing).
	Notes func(t *profiles.Target) []string
	// LoginDecides, when set, says why the login rather than the profile's user: decides
	// who a session of t runs as ("" when the profile decides). The dbt runner then asks
	// SessionUser before it lets dbt write.
	LoginDecides func(t *profiles.Target) string
	// SessionUser logs in with t and returns who the session runs as.
	SessionUser func(ctx context.Context, t *profiles.Target, driverLog io.Writer) (string, error)
}

// PlaceOf is where t writes, in the engine's words (its Place), or by the target's
// database when the engine says nothing.
func (e *Engine) PlaceOf(t *profiles.Target) Place {
	if e.Place != nil {
		return e.Place(t)
	}
	if t.Database == "" {
		return Place{Warning: "the target names no database, so datatui cannot tell whether it is your sandbox"}
	}
	return Place{Where: "database " + t.Database}
}

// Missing are the required settings a target's fields lack, under every spelling dbt
// accepts. has reports whether the target sets a key (to a value, or to one datatui could
// not render: that one is reported on its own).
func (e *Engine) Missing(has func(key string) bool) []Setting {
	var missing []Setting
	for _, s := range e.Settings {
		if !s.Required || has(s.Key) || slices.ContainsFunc(s.Aliases, has) {
			continue
		}
		missing = append(missing, s)
	}
	return missing
}

// Setting is one profiles.yml key an engine reads.
type Setting struct {
	// Key is dbt's name for it; Aliases are the other spellings dbt accepts (username).
	Key     string
	Aliases []string
	// Required settings must be present: dbt's adapter refuses a target without them.
	Required bool
	// Secret settings are never shown, logged or written by datatui; onboarding writes an
	// env_var() reference instead of a value.
	Secret bool
	// Help says what the setting means, in dbt's terms.
	Help string
}

// Place is where a target writes, as onboarding's check says it.
type Place struct {
	// Where names it: "database SANDBOX_ANN", "the DuckDB file sandbox.duckdb".
	Where string
	// Problem is set when the target names no place the engine can write to (the check
	// fails); Warning when the guard cannot tell whether it is the sandbox (it warns).
	Problem, Warning string
}

// GuardInput is what a write guard judges.
type GuardInput struct {
	// Config is datatui.yml (never nil) and ConfigErr its error: a broken file refuses
	// every write.
	Config    *config.Config
	ConfigErr error
	// Profile is the profile the target belongs to (nil when there is none yet, as when
	// onboarding writes the first target); its other outputs may be guarded too.
	Profile *profiles.Profile
	// Target is the target written through. It replaces the profile's output of the same
	// name, so onboarding can judge a target before writing it.
	Target *profiles.Target
	// Dir is the folder dbt runs in: relative paths of the profile are relative to it.
	Dir string
}

// OpenInput is what Open builds a warehouse from.
type OpenInput struct {
	Target  *profiles.Target
	Profile *profiles.Profile
	// Policy is the write guard Guard built for Target, and Write where it writes.
	Policy *warehouse.Policy
	Write  warehouse.Write
	// Warehouse is datatui.yml's warehouse section.
	Warehouse config.Warehouse
	// ProjectDir is the dbt project folder; StateDir the workspace's state folder (where
	// engines keep what they record about databases, such as clone times).
	ProjectDir, StateDir string
	// DriverLog receives the driver's own log (nil: discarded).
	DriverLog io.Writer
}

// Form is onboarding's profile form for an engine: the questions and the target they make.
type Form struct {
	// Questions are asked in order. A question's Key is the setting it fills, or a choice
	// of the form's own (how you log in) that Settings turns into settings.
	Questions []Question
	// Settings turns the answers into the new target's settings, in the order they are
	// written (type first). An error names an answer that is missing or wrong.
	Settings func(fc FormContext, answers map[string]string) ([]KV, error)
}

// Question is one input of the profile form.
type Question struct {
	Key, Title, Help string
	// HelpFor, when set, is the help computed from the answers so far; it replaces Help.
	HelpFor func(fc FormContext, answers map[string]string) string
	// Default is the answer offered: the current target's value, else the team's default.
	Default func(fc FormContext) string
	// Options restrict the answer to one of them (a choice).
	Options []Option
	// ShowWhen shows the question only when another answer has one of these values.
	ShowWhen map[string][]string
	// Optional questions may be left empty.
	Optional bool
}

// Option is one answer of a choice, with the words the form shows for it.
type Option struct{ Value, Label string }

// FormContext is what the form's defaults and help read.
type FormContext struct {
	// Warehouse is datatui.yml's warehouse section (sandbox pattern, contributor role).
	Warehouse config.Warehouse
	// Current holds the current target's rendered settings and Unrendered the ones that
	// could not be rendered (nil when there is no target yet).
	Current, Unrendered map[string]string
}

// Cur is the current target's setting k, else def.
func (fc FormContext) Cur(k, def string) string {
	if v := fc.Current[k]; v != "" {
		return v
	}
	return def
}

// KV is one setting of a target to write; Value is a string or a number.
type KV struct {
	Key   string
	Value any
}

// Registry is the list of engines datatui knows, in the order they were given.
type Registry struct{ engines []*Engine }

// NewRegistry makes a registry of engines. The first is the one onboarding assumes when
// neither datatui.yml nor a profile names a type.
func NewRegistry(engines ...*Engine) *Registry {
	return &Registry{engines: engines}
}

// Engines lists the registered engines.
func (r *Registry) Engines() []*Engine { return r.engines }

// Default is the first engine registered (nil for an empty registry).
func (r *Registry) Default() *Engine {
	if len(r.engines) == 0 {
		return nil
	}
	return r.engines[0]
}

// Types lists the registered types, in order.
func (r *Registry) Types() []string {
	out := make([]string, len(r.engines))
	for i, e := range r.engines {
		out[i] = e.Type
	}
	return out
}

// UnknownError is a target type no registered engine serves.
type UnknownError struct {
	Type  string
	Known []string
}

func (e *UnknownError) Error() string {
	if e.Type == "" {
		return "the target has no type (datatui knows " + andList(e.Known) + " targets)"
	}
	return fmt.Sprintf("datatui does not know %s targets (it knows %s)", e.Type, andList(e.Known))
}

// Lookup is the engine of type typ (as profiles.yml writes it, any case).
func (r *Registry) Lookup(typ string) (*Engine, error) {
	t := strings.ToLower(strings.TrimSpace(typ))
	for _, e := range r.engines {
		if e.Type == t {
			return e, nil
		}
	}
	return nil, &UnknownError{Type: t, Known: r.Types()}
}

// Name is how the engine of type typ is named to users ("DuckDB" for "duckdb"); a type the
// registry does not know is named as it is written.
func (r *Registry) Name(typ string) string {
	if e, err := r.Lookup(typ); err == nil {
		return e.Name
	}
	return typ
}

// ForTarget is the write guard for writes through target t of profile prof (dir is the
// folder dbt runs in), with the Write that says where t writes. cfg is datatui.yml (nil:
// defaults) and cfgErr its error. A target whose engine is unknown, or has no guard, is
// refused: datatui cannot tell where it writes.
func (r *Registry) ForTarget(cfg *config.Config, cfgErr error, prof *profiles.Profile, t *profiles.Target, dir string) (warehouse.Policy, warehouse.Write, error) {
	if cfg == nil {
		cfg = config.Default()
	}
	e, err := r.Lookup(t.Type)
	if err != nil || e.Guard == nil {
		return warehouse.Policy{}, warehouse.Write{Target: t.Name, ProfileUser: t.User}, &warehouse.RefusedError{Database: "target " + t.Name,
			Reason: fmt.Sprintf("it is a %s target; datatui can tell where dbt writes only for %s targets", t.Type, andList(r.guarded())),
			Fix:    "run dbt yourself for this target"}
	}
	return e.Guard(GuardInput{Config: cfg, ConfigErr: cfgErr, Profile: prof, Target: t, Dir: dir})
}

func (r *Registry) guarded() []string {
	var out []string
	for _, e := range r.engines {
		if e.Guard != nil {
			out = append(out, e.Type)
		}
	}
	return out
}

// andList writes "a, b and c".
func andList(s []string) string {
	switch len(s) {
	case 0:
		return "no"
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// SecretPasswordEnv is the environment variable a password-auth target written by
// onboarding reads its password from. dbt scrubs DBT_ENV_SECRET_* variables from its logs,
// which is why the name has that prefix.
const SecretPasswordEnv = "DBT_ENV_SECRET_PASSWORD"

// PasswordRef is what such a target holds instead of the password.
const PasswordRef = "{{ env_var('" + SecretPasswordEnv + "') }}"
