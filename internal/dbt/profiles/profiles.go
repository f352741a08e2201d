// Package profiles reads profiles.yml as dbt does: where dbt looks for it, the profile
// dbt_project.yml names, its outputs with the env_var() Jinja dbt allows, and which target a
// dbt invocation really uses (ResolveTarget), which the write guard judges. Secrets in it
// are registered with the redaction layer before anything from the file can be shown.
package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/safeyaml"
)

// ProfilesFile is the name dbt gives the file with connection profiles.
const ProfilesFile = "profiles.yml"

// ProfilesOptions say where to look for profiles.yml and which profile and target to read.
// Every field is optional.
type ProfilesOptions struct {
	// ProfilesDir is an explicit --profiles-dir (wins over everything, as in dbt).
	ProfilesDir string
	// ProjectDir is the dbt project folder (dbt's working directory): its profiles.yml is used
	// when DBT_PROFILES_DIR is unset, and its dbt_project.yml names the profile.
	ProjectDir string
	// Home is the user's home folder (default os.UserHomeDir).
	Home string
	// LookupEnv reads environment variables (default os.LookupEnv); tests inject a map.
	LookupEnv func(string) (string, bool)
	// Profile overrides the profile named in dbt_project.yml.
	Profile string
	// ProfilesDirWhy names the rule that chose ProfilesDir, for messages (default
	// "--profiles-dir").
	ProfilesDirWhy string
}

func (o ProfilesOptions) lookup(name string) (string, bool) {
	if o.LookupEnv != nil {
		return o.LookupEnv(name)
	}
	return os.LookupEnv(name)
}

func (o ProfilesOptions) home() string {
	if o.Home != "" {
		return o.Home
	}
	h, _ := os.UserHomeDir()
	return h
}

// ProfilesLocation is the profiles.yml dbt would read, and the rule that chose it.
type ProfilesLocation struct {
	Path string
	// Why names the rule: "--profiles-dir", "DBT_PROFILES_DIR", "the project folder", "~/.dbt".
	Why string
	// Exists is false when the chosen file is missing (Path is where dbt expects it).
	Exists bool
}

// FindProfiles locates profiles.yml in dbt's order: --profiles-dir, $DBT_PROFILES_DIR, the
// project folder (dbt's working directory) when it holds one, then ~/.dbt.
func FindProfiles(opts ProfilesOptions) ProfilesLocation {
	in := func(dir, why string) ProfilesLocation {
		p := filepath.Join(expandTilde(dir, opts.home()), ProfilesFile)
		return ProfilesLocation{Path: p, Why: why, Exists: regularFile(p)}
	}
	if opts.ProfilesDir != "" {
		why := opts.ProfilesDirWhy
		if why == "" {
			why = "--profiles-dir"
		}
		return in(opts.ProfilesDir, why)
	}
	if dir, ok := opts.lookup("DBT_PROFILES_DIR"); ok && dir != "" {
		return in(dir, "DBT_PROFILES_DIR")
	}
	if opts.ProjectDir != "" {
		if loc := in(opts.ProjectDir, "the project folder"); loc.Exists {
			return loc
		}
	}
	return in(filepath.Join(opts.home(), ".dbt"), "~/.dbt")
}

func expandTilde(p, home string) string {
	if p == "~" {
		return home
	}
	if strings.HasPrefix(p, "~/") {
		return filepath.Join(home, p[2:])
	}
	return p
}

func regularFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// Profile is one profile of profiles.yml: its default target and its outputs. Outputs are
// kept raw and rendered on demand by Target, so that a broken output nobody uses (a prod
// target with Jinja datatui cannot evaluate) does not stop the one in use from loading.
type Profile struct {
	// Location is the file read.
	Location ProfilesLocation
	// Name is the profile's name (from dbt_project.yml's profile: key unless overridden).
	Name string
	// DefaultTarget is the profile's target: key (already rendered).
	DefaultTarget string
	outputs       map[string]map[string]any
	lookup        func(string) (string, bool)
}

// TargetNames lists the profile's outputs, sorted.
func (p *Profile) TargetNames() []string {
	names := make([]string, 0, len(p.outputs))
	for n := range p.outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ProfileError is a problem in profiles.yml or dbt_project.yml, naming the file and the key.
type ProfileError struct {
	File string
	Key  string // dotted, "cashback.outputs.dev.password"; "" for whole-file problems
	Msg  string
	err  error // the sentinel it is (ErrProfileNotFound), if any
}

// Unwrap lets errors.Is tell a missing profile from a broken one.
func (e *ProfileError) Unwrap() error { return e.err }

// ErrProfileNotFound means profiles.yml has no entry for the profile dbt_project.yml names.
var ErrProfileNotFound = errors.New("no such profile in profiles.yml")

func (e *ProfileError) Error() string {
	if e.Key == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Key + ": " + e.Msg
}

// ErrNoProfiles means no profiles.yml exists where dbt looks for it.
var ErrNoProfiles = errors.New("no profiles.yml found")

// LoadProfile finds profiles.yml, reads the profile the project names (or opts.Profile) and
// renders its target: key. Targets are rendered by Profile.Target.
func LoadProfile(opts ProfilesOptions) (*Profile, error) {
	name := opts.Profile
	if name == "" {
		var err error
		if name, err = ProjectProfileName(opts.ProjectDir, opts.lookup); err != nil {
			return nil, err
		}
	}
	loc := FindProfiles(opts)
	if !loc.Exists {
		return nil, fmt.Errorf("%w: dbt looks for %s (chosen by %s); create it or set DBT_PROFILES_DIR", ErrNoProfiles, loc.Path, loc.Why)
	}
	data, err := os.ReadFile(loc.Path)
	if err != nil {
		return nil, err
	}
	p, err := ParseProfile(loc.Path, data, name, opts.lookup)
	if p != nil {
		p.Location = loc
	}
	return p, err
}

// LearnSecrets registers every secret of the profiles.yml dbt would read (any profile, any
// target, any depth) with the redaction layer, without rendering anything: a command that
// never loads a target can still print a tool's or a driver's message that echoes one.
func LearnSecrets(opts ProfilesOptions) {
	loc := FindProfiles(opts)
	data, err := os.ReadFile(loc.Path)
	if err != nil {
		return
	}
	var doc map[string]any
	if safeyaml.Unmarshal(data, &doc) == nil {
		redact.LearnTree(doc, opts.lookup)
	}
}

// ProjectProfileName reads the profile: key of dbt_project.yml in dir and renders its env_var().
func ProjectProfileName(dir string, lookup func(string) (string, bool)) (string, error) {
	p, err := dbtyaml.ReadProjectFile(dir)
	if err != nil {
		return "", err
	}
	path := filepath.Join(p.Dir, "dbt_project.yml")
	if p.Profile == "" {
		return "", &ProfileError{File: path, Key: "profile", Msg: "is missing: it names the profiles.yml entry dbt connects with"}
	}
	name, err := RenderEnvVars(p.Profile, lookup)
	if err != nil {
		return "", &ProfileError{File: path, Key: "profile", Msg: err.Error()}
	}
	return name, nil
}

// ParseProfile reads profile name from profiles.yml data (named path in errors).
func ParseProfile(path string, data []byte, name string, lookup func(string) (string, bool)) (*Profile, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var doc map[string]any
	if err := safeyaml.Unmarshal(dbtyaml.TrimBOM(data), &doc); err != nil {
		return nil, &ProfileError{File: path, Msg: "not valid YAML: " + dbtyaml.FirstLine(err.Error())}
	}
	// Every secret of the file (any profile, any target, any depth) is known to the
	// redaction layer before anything from it can reach an error or a screen.
	redact.LearnTree(doc, lookup)
	raw, ok := doc[name]
	if !ok {
		var have []string
		for k := range doc {
			if k != "config" {
				have = append(have, k)
			}
		}
		sort.Strings(have)
		msg := fmt.Sprintf("no profile %q (dbt_project.yml names it)", name)
		if len(have) > 0 {
			msg += "; the file has: " + strings.Join(have, ", ")
		}
		return nil, &ProfileError{File: path, Msg: msg, err: ErrProfileNotFound}
	}
	prof, ok := raw.(map[string]any)
	if !ok {
		return nil, &ProfileError{File: path, Key: name, Msg: "must be a mapping with target: and outputs:"}
	}
	p := &Profile{Name: name, outputs: map[string]map[string]any{}, lookup: lookup, Location: ProfilesLocation{Path: path, Exists: true}}
	outs, ok := prof["outputs"].(map[string]any)
	if !ok || len(outs) == 0 {
		return nil, &ProfileError{File: path, Key: name + ".outputs", Msg: "is missing or empty: it lists the targets (dev, prod…)"}
	}
	for k, v := range outs {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, &ProfileError{File: path, Key: name + ".outputs." + k, Msg: "must be a mapping of connection settings"}
		}
		p.outputs[k] = m
	}
	if t := dbtyaml.Str(prof["target"]); t != "" {
		r, err := RenderEnvVars(t, lookup)
		if err != nil {
			return nil, &ProfileError{File: path, Key: name + ".target", Msg: err.Error()}
		}
		p.DefaultTarget = r
	} else {
		p.DefaultTarget = "default" // what dbt uses when target: is absent (it says so with a MissingProfileTarget event)
	}
	return p, nil
}

// TargetFile renders only the type: and path: of one output, for the write guard, which
// needs the file of every DuckDB target even when another of the output's settings (a
// password from an unset variable) cannot be rendered.
func (p *Profile) TargetFile(name string) (typ, path string, err error) {
	raw, ok := p.outputs[name]
	if !ok {
		return "", "", &ProfileError{File: p.Location.Path, Key: p.Name + ".outputs", Msg: fmt.Sprintf("no target %q", name)}
	}
	render := func(k string) (string, error) {
		s, _ := renderScalar(raw[k])
		r, err := RenderEnvVars(s, p.lookup)
		if err != nil {
			return "", &ProfileError{File: p.Location.Path, Key: p.Name + ".outputs." + name + "." + k, Msg: err.Error()}
		}
		return r, nil
	}
	if typ, err = render("type"); err != nil {
		return "", "", err
	}
	typ = strings.ToLower(strings.TrimSpace(typ))
	if typ != "duckdb" {
		return typ, "", nil
	}
	path, err = render("path")
	return typ, path, err
}

// Target renders one output of the profile ("" means the profile's default target).
func (p *Profile) Target(name string) (*Target, error) {
	if name == "" {
		name = p.DefaultTarget
	}
	raw, ok := p.outputs[name]
	if !ok {
		return nil, &ProfileError{File: p.Location.Path, Key: p.Name + ".outputs", Msg: fmt.Sprintf("no target %q (have: %s)", name, strings.Join(p.TargetNames(), ", "))}
	}
	t := &Target{Name: name, Profile: p.Name}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		keyPath := p.Name + ".outputs." + name + "." + k
		s, isScalar := renderScalar(v)
		if !isScalar {
			continue // nested settings (extensions, attach, settings) are not used by datatui
		}
		r, err := RenderEnvVars(s, p.lookup)
		if err != nil {
			return nil, &ProfileError{File: p.Location.Path, Key: keyPath, Msg: SecretSafeMessage(k, err)}
		}
		if redact.IsSecretKey(k) {
			redact.Add(r)
		} else {
			redact.LearnValue(r)
		}
		if err := t.set(k, r); err != nil {
			return nil, &ProfileError{File: p.Location.Path, Key: keyPath, Msg: err.Error()}
		}
	}
	if t.Type == "" {
		return nil, &ProfileError{File: p.Location.Path, Key: p.Name + ".outputs." + name + ".type", Msg: "is missing (snowflake, duckdb…)"}
	}
	return t, nil
}

// NewTarget builds a target of profile from rendered settings (dbt's keys), with the rules
// Target reads an output by: onboarding judges the target it is about to write with it.
func NewTarget(profile, name string, settings map[string]string) (*Target, error) {
	t := &Target{Name: name, Profile: profile}
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := t.set(k, settings[k]); err != nil {
			return t, fmt.Errorf("%s: %w", k, err)
		}
	}
	return t, nil
}

// TargetSettings are one output's scalar settings, each rendered on its own.
type TargetSettings struct {
	// Fields are the settings that rendered.
	Fields map[string]string
	// Unrendered maps each setting that could not be rendered to why (SecretSafeMessage).
	Unrendered map[string]string
	// Literal marks the settings written as plain text rather than through Jinja, so that
	// a secret typed into the file can be pointed out.
	Literal map[string]bool
}

// Settings renders every scalar setting of output name with the same rules as Target, but
// setting by setting: onboarding's checks report each setting that cannot be read instead of
// stopping at the first. ok is false when the profile has no such output.
func (p *Profile) Settings(name string) (s TargetSettings, ok bool) {
	raw, ok := p.outputs[name]
	if !ok {
		return s, false
	}
	s = TargetSettings{Fields: map[string]string{}, Unrendered: map[string]string{}, Literal: map[string]bool{}}
	for k, v := range raw {
		text, isScalar := renderScalar(v)
		if !isScalar {
			continue
		}
		r, err := RenderEnvVars(text, p.lookup)
		if err != nil {
			s.Unrendered[k] = SecretSafeMessage(k, err)
			continue
		}
		if redact.IsSecretKey(k) {
			redact.Add(r)
		} else {
			redact.LearnValue(r)
		}
		s.Fields[k] = r
		s.Literal[k] = !strings.Contains(text, "{{")
	}
	return s, true
}

func renderScalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", true
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int, int64, uint64, float64:
		return dbtyaml.Str(v), true
	}
	return "", false
}

// SecretSafeMessage is the message of an error rendering the setting key. For a secret
// setting it says what is wrong without quoting any of the text: the Jinja datatui could
// not evaluate, a fragment or an env_var() default would be part of the secret.
func SecretSafeMessage(key string, err error) string {
	if !redact.IsSecretKey(key) {
		return err.Error()
	}
	var missing *MissingEnvError
	if errors.As(err, &missing) {
		return err.Error() // names the variable, which is not secret
	}
	return "could not be evaluated (its text is not shown: it is a secret); datatui evaluates only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}"
}

// Secret is a credential read from profiles.yml. It prints, logs and marshals as
// redact.Mask, so that it never reaches a screen, a log or a file even through a path that
// forgot to clean its output; Reveal returns the value for the one place that needs it (the
// driver's config). Its value is also registered with the redaction layer when read.
type Secret string

const redacted = redact.Mask

// Reveal returns the secret's value.
func (s Secret) Reveal() string { return string(s) }

// Set reports whether a value is present.
func (s Secret) Set() bool { return s != "" }

// String redacts.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString redacts (%#v).
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// MarshalJSON redacts.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// MarshalText redacts (YAML and other text encoders).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Target is one rendered output of a profile: how dbt connects for that target.
type Target struct {
	// Name is the target's name (dev, prod…) and Profile the profile it belongs to.
	Name    string `json:"name"`
	Profile string `json:"profile"`
	// Type is the adapter: snowflake, duckdb, postgres…
	Type string `json:"type"`

	Account       string `json:"account,omitempty"`
	User          string `json:"user,omitempty"`
	Role          string `json:"role,omitempty"`
	Warehouse     string `json:"warehouse,omitempty"`
	Database      string `json:"database,omitempty"`
	Schema        string `json:"schema,omitempty"`
	Authenticator string `json:"authenticator,omitempty"`
	Host          string `json:"host,omitempty"`
	Port          int    `json:"port,omitempty"`
	Protocol      string `json:"protocol,omitempty"`
	// PrivateKeyPath is a PEM file with the key of key-pair authentication.
	PrivateKeyPath string `json:"private_key_path,omitempty"`
	// Secrets: never printed (see Secret).
	PrivateKey           Secret `json:"private_key,omitempty"`
	PrivateKeyPassphrase Secret `json:"private_key_passphrase,omitempty"`
	Password             Secret `json:"password,omitempty"`
	Token                Secret `json:"token,omitempty"`
	OAuthClientID        string `json:"oauth_client_id,omitempty"`
	OAuthClientSecret    Secret `json:"oauth_client_secret,omitempty"`
	// Path is the database file of a duckdb target (relative to the project folder).
	Path    string `json:"path,omitempty"`
	Threads int    `json:"threads,omitempty"`
	// QueryTag and ClientSessionKeepAlive are passed to the Snowflake session.
	QueryTag               string `json:"query_tag,omitempty"`
	ClientSessionKeepAlive bool   `json:"client_session_keep_alive,omitempty"`
	// ConnectTimeout and ConnectRetries are dbt-snowflake's connection retries: how many
	// times a failed connection is tried again and the seconds waited between tries (nil:
	// not set, dbt's default of 10 seconds).
	ConnectTimeout *int `json:"connect_timeout,omitempty"`
	ConnectRetries int  `json:"connect_retries,omitempty"`
	// ProxyHost and ProxyPort are the HTTP proxy of a Snowflake target; InsecureMode skips
	// the certificate revocation (OCSP) check, as dbt-snowflake's insecure_mode does.
	ProxyHost    string `json:"proxy_host,omitempty"`
	ProxyPort    int    `json:"proxy_port,omitempty"`
	InsecureMode bool   `json:"insecure_mode,omitempty"`
	// Extra holds other scalar settings; keys that look like credentials are left out.
	Extra map[string]string `json:"extra,omitempty"`
}

// Redacted returns a copy whose secret fields hold "[redacted]" instead of their value (or
// stay empty when unset), safe to show or serialise by any means.
func (t Target) Redacted() Target {
	r := t
	for _, s := range []*Secret{&r.PrivateKey, &r.PrivateKeyPassphrase, &r.Password, &r.Token, &r.OAuthClientSecret} {
		if *s != "" {
			*s = redacted
		}
	}
	if len(t.Extra) > 0 {
		r.Extra = make(map[string]string, len(t.Extra))
		for k, v := range t.Extra {
			r.Extra[k] = v
		}
	}
	return r
}

// String describes the target without secrets.
func (t Target) String() string {
	parts := []string{t.Profile + "." + t.Name, "type=" + t.Type}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("account", t.Account)
	add("user", t.User)
	add("role", t.Role)
	add("database", t.Database)
	add("schema", t.Schema)
	add("path", t.Path)
	return strings.Join(parts, " ")
}

// GoString describes the target without secrets (%#v).
func (t Target) GoString() string { return "profiles.Target{" + t.String() + "}" }

func (t *Target) set(k, v string) error {
	atoi := func() (int, error) {
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("must be a whole number, not %q", v)
		}
		return n, nil
	}
	var err error
	switch k {
	case "type":
		t.Type = strings.ToLower(v)
	case "account":
		t.Account = v
	case "user", "username":
		t.User = v
	case "role":
		t.Role = v
	case "warehouse":
		t.Warehouse = v
	case "database", "dbname":
		t.Database = v
	case "schema":
		t.Schema = v
	case "authenticator":
		t.Authenticator = v
	case "host":
		t.Host = v
	case "port":
		t.Port, err = atoi()
	case "protocol":
		t.Protocol = v
	case "private_key_path":
		t.PrivateKeyPath = v
	case "private_key":
		t.PrivateKey = Secret(v)
	case "private_key_passphrase":
		t.PrivateKeyPassphrase = Secret(v)
	case "password", "pass":
		t.Password = Secret(v)
	case "token":
		t.Token = Secret(v)
	case "oauth_client_id":
		t.OAuthClientID = v
	case "oauth_client_secret":
		t.OAuthClientSecret = Secret(v)
	case "path":
		t.Path = v
	case "threads":
		t.Threads, err = atoi()
	case "query_tag":
		t.QueryTag = v
	case "connect_timeout":
		if v != "" { // an empty value is dbt's None: the default
			var n int
			n, err = atoi()
			t.ConnectTimeout = &n
		}
	case "connect_retries":
		t.ConnectRetries, err = atoi()
	case "proxy_host":
		t.ProxyHost = v
	case "proxy_port":
		t.ProxyPort, err = atoi()
	case "insecure_mode":
		t.InsecureMode, _ = strconv.ParseBool(strings.TrimSpace(v))
	case "client_session_keep_alive":
		t.ClientSessionKeepAlive, _ = strconv.ParseBool(strings.TrimSpace(v))
	default:
		if !redact.IsSecretKey(k) {
			if t.Extra == nil {
				t.Extra = map[string]string{}
			}
			t.Extra[k] = v
		}
	}
	return err
}

// RenderEnvVars evaluates the Jinja dbt allows in profiles.yml values as far as datatui
// supports it: {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}, optionally piped
// through | int, | as_number, | as_text, | as_bool, | as_native, | string, | lower, | upper or
// | trim, anywhere inside the text. Anything else ({% if %}, var(), comments) is an error that
// quotes the expression, because rendering it wrong would connect to the wrong place.
// A missing variable without a default is an error, as in dbt.
func RenderEnvVars(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "{") {
		return s, nil
	}
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "{")
		if i < 0 || i+1 >= len(s) {
			b.WriteString(s)
			return b.String(), nil
		}
		switch s[i+1] {
		case '%', '#':
			end := strings.Index(s[i+2:], string(s[i+1])+"}")
			expr := s[i:]
			if end >= 0 {
				expr = s[i : i+2+end+2]
			}
			return "", fmt.Errorf("unsupported Jinja %s: datatui evaluates only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}", clip(expr))
		case '{':
		default:
			b.WriteString(s[:i+1])
			s = s[i+1:]
			continue
		}
		end := strings.Index(s[i+2:], "}}")
		if end < 0 {
			return "", fmt.Errorf("unclosed Jinja expression %s", clip(s[i:]))
		}
		b.WriteString(s[:i])
		v, err := evalEnvExpr(s[i+2:i+2+end], lookup)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		s = s[i+2+end+2:]
	}
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// evalEnvExpr evaluates the inside of one {{ }}.
func evalEnvExpr(expr string, lookup func(string) (string, bool)) (string, error) {
	unsupported := func() error {
		return fmt.Errorf("unsupported Jinja {{%s}}: datatui evaluates only {{ env_var('NAME') }} and {{ env_var('NAME', 'default') }}", clip(expr))
	}
	parts := strings.Split(expr, "|")
	call := strings.TrimSpace(parts[0])
	if !strings.HasPrefix(call, "env_var") {
		return "", unsupported()
	}
	rest := strings.TrimSpace(call[len("env_var"):])
	if !strings.HasPrefix(rest, "(") || !strings.HasSuffix(rest, ")") {
		return "", unsupported()
	}
	inner := strings.TrimSpace(rest[1 : len(rest)-1])
	args, ok := parseStringArgs(inner)
	if !ok || len(args) < 1 || len(args) > 2 || args[0] == "" || (inner[0] != '\'' && inner[0] != '"') {
		return "", unsupported()
	}
	v, found := lookup(args[0])
	if !found {
		if len(args) < 2 {
			return "", &MissingEnvError{Name: args[0]}
		}
		v = args[1]
	}
	for _, f := range parts[1:] {
		switch strings.TrimSpace(f) {
		case "int":
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				n = 0 // Jinja's int filter turns non-numbers into 0
			}
			v = strconv.Itoa(int(n))
		case "as_number", "as_text", "as_native", "string":
			v = strings.TrimSpace(v)
		case "as_bool":
			v = strings.ToLower(strings.TrimSpace(v))
		case "lower":
			v = strings.ToLower(v)
		case "upper":
			v = strings.ToUpper(v)
		case "trim":
			v = strings.TrimSpace(v)
		default:
			return "", unsupported()
		}
	}
	return v, nil
}

// MissingEnvError is an env_var() without a default whose variable is not set, as in dbt.
type MissingEnvError struct{ Name string }

func (e *MissingEnvError) Error() string {
	return fmt.Sprintf("environment variable %s is not set (env_var('%s') has no default): set it in your shell, or give a default", e.Name, e.Name)
}

// parseStringArgs splits "'A', \"b\", 8" into its literals (strings, or numbers kept as
// text); ok is false for anything that is not a comma-separated list of literals.
func parseStringArgs(s string) (args []string, ok bool) {
	s = strings.TrimSpace(s)
	for s != "" {
		q := s[0]
		if q >= '0' && q <= '9' || q == '-' {
			// A number literal (env_var('THREADS', 8)): read it as text.
			end := strings.IndexByte(s, ',')
			if end < 0 {
				end = len(s)
			}
			num := strings.TrimSpace(s[:end])
			if _, err := strconv.ParseFloat(num, 64); err != nil {
				return nil, false
			}
			args = append(args, num)
			s = strings.TrimSpace(s[end:])
			if s == "" {
				break
			}
			s = strings.TrimSpace(s[1:])
			if s == "" {
				return nil, false
			}
			continue
		}
		if q != '\'' && q != '"' {
			return nil, false
		}
		end := strings.IndexByte(s[1:], q)
		if end < 0 {
			return nil, false
		}
		args = append(args, s[1:1+end])
		s = strings.TrimSpace(s[1+end+1:])
		if s == "" {
			break
		}
		if s[0] != ',' {
			return nil, false
		}
		s = strings.TrimSpace(s[1:])
		if s == "" {
			return nil, false
		}
	}
	return args, true
}

// Invocation is what decides which target a dbt command uses, as dbt receives it: its
// working directory, the options it was given and its environment.
type Invocation struct {
	// Dir is dbt's working directory ("" : the current directory).
	Dir string
	// ProjectDir, ProfilesDir, Profile and Target are the values of --project-dir,
	// --profiles-dir, --profile and --target ("" when not given).
	ProjectDir, ProfilesDir, Profile, Target string
	// LookupEnv reads dbt's environment (default os.LookupEnv).
	LookupEnv func(string) (string, bool)
}

// Resolved is the target a dbt command really uses and where each choice came from.
type Resolved struct {
	Profile *Profile
	Target  *Target
	// ProjectDir holds the dbt_project.yml read; ProfilesDir the profiles.yml read.
	ProjectDir, ProfilesDir string
	// FromEnv lists the options that came from environment variables ("--profile",
	// "--profiles-dir", "--project-dir", "--target"): dbt versions differ in which variables
	// they read, so a caller that must be sure pins these on the command line.
	FromEnv map[string]string
}

// envOption reads an option's environment variables the way dbt 1.11 does (DBT_ENGINE_X
// first, then DBT_X; an empty value counts as unset). Older dbt reads only DBT_X, and reads
// DBT_PROFILE and DBT_TARGET not at all, which is why ResolveTarget reports what came from
// the environment.
func envOption(lookup func(string) (string, bool), name string) string {
	for _, k := range []string{"DBT_ENGINE_" + name, "DBT_" + name} {
		if v, ok := lookup(k); ok && v != "" {
			return v
		}
	}
	return ""
}

// ProjectDirFromEnv is the project folder dbt reads from the environment when it is given no
// --project-dir ($DBT_ENGINE_PROJECT_DIR, then $DBT_PROJECT_DIR), or "".
func ProjectDirFromEnv(lookup func(string) (string, bool)) string {
	return envOption(lookup, "PROJECT_DIR")
}

// ResolveTarget resolves the target dbt will use for inv, in dbt's own order: the project
// folder from --project-dir, $DBT_PROJECT_DIR or the nearest folder upwards holding
// dbt_project.yml; the profile from --profile, $DBT_PROFILE or dbt_project.yml's profile:;
// profiles.yml from --profiles-dir, $DBT_PROFILES_DIR, the working directory when it holds
// one, else ~/.dbt; the target from --target, $DBT_TARGET, the profile's target: or
// "default". env_var() is rendered with dbt's environment.
func ResolveTarget(inv Invocation) (*Resolved, error) {
	lookup := inv.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	dir := inv.Dir
	if dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		dir = wd
	}
	home := ""
	if h, ok := lookup("HOME"); ok && h != "" {
		home = h
	}
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	res := &Resolved{FromEnv: map[string]string{}}
	pick := func(flag, envName, opt string) string {
		if flag != "" {
			return flag
		}
		if v := envOption(lookup, envName); v != "" {
			res.FromEnv[opt] = v
			return v
		}
		return ""
	}
	res.ProjectDir = abs(pick(inv.ProjectDir, "PROJECT_DIR", "--project-dir"))
	if res.ProjectDir == "" {
		res.ProjectDir = nearestProject(dir)
	}
	profile := pick(inv.Profile, "PROFILE", "--profile")
	profilesDir := abs(pick(inv.ProfilesDir, "PROFILES_DIR", "--profiles-dir"))
	why := "--profiles-dir"
	if _, ok := res.FromEnv["--profiles-dir"]; ok {
		why = "DBT_PROFILES_DIR"
	}
	target := inv.Target
	if target == "" {
		target = pick("", "TARGET", "--target")
	}
	opts := ProfilesOptions{ProfilesDir: profilesDir, ProfilesDirWhy: why, ProjectDir: res.ProjectDir, Home: home, Profile: profile, LookupEnv: lookup}
	if profilesDir == "" {
		// dbt's default is its working directory (not the project folder) when that holds a
		// profiles.yml, else ~/.dbt.
		if regularFile(filepath.Join(dir, ProfilesFile)) {
			opts.ProfilesDir, opts.ProfilesDirWhy = dir, "dbt's working directory"
		} else {
			opts.ProfilesDir, opts.ProfilesDirWhy = filepath.Join(orHome(home), ".dbt"), "~/.dbt"
		}
	}
	prof, err := LoadProfile(opts)
	if err != nil {
		return nil, err
	}
	res.Profile, res.ProfilesDir = prof, filepath.Dir(prof.Location.Path)
	if target == "" {
		target = prof.DefaultTarget
	}
	if res.Target, err = prof.Target(target); err != nil {
		return res, err
	}
	return res, nil
}

func orHome(home string) string {
	if home != "" {
		return home
	}
	h, _ := os.UserHomeDir()
	return h
}

// nearestProject is dbt's default project folder: dir or the nearest parent holding
// dbt_project.yml, else dir.
func nearestProject(dir string) string {
	for d := dir; ; {
		if regularFile(filepath.Join(d, "dbt_project.yml")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}
