package onboard

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/warehouse"
)

// profileStep is the onboarding step "dbt profile for your sandbox" (StepProfile).
func (e *Env) profileStep() *Step {
	return &Step{
		Name: StepProfile, Title: "dbt profile for your sandbox",
		Explain: "dbt reads profiles.yml to know which warehouse to connect to and where to build. Your dev target must point at your own sandbox, so nothing you build can touch production.",
		Guide:   "set-up-your-environment", Anchor: profileAnchor(e.cfg().Onboarding.Adapter),
		Required: true, Timeout: 3 * time.Second,
		Check: e.checkProfile,
		Fix:   e.fixProfile, FixTitle: "Add your dev target to profiles.yml",
		Fields: e.profileFields, Preview: e.previewProfile,
	}
}

// Auth methods offered by the profile form (Snowflake).
const (
	AuthSSO      = "externalbrowser"
	AuthKeyPair  = "keypair"
	AuthPassword = "password"
)

// profileAnchor is the section of the setup guide that explains a target of adapter
// ("" when the team has not said: Snowflake, the team's usual warehouse).
func profileAnchor(adapter string) string {
	if adapter == "duckdb" {
		return "connect-dbt-to-duckdb"
	}
	return anchorConnect
}

// checkProfile checks the dev target; its result points to the guide section of the target's
// type, so a DuckDB profile is not explained with Snowflake's.
func (e *Env) checkProfile(ctx context.Context) Result {
	r := e.checkProfileTarget(ctx)
	typ := e.adapter()
	if st := e.readProjectProfile(); st.found && st.t.get("type") != "" {
		typ = st.t.get("type")
	}
	if r.Guide == "" {
		r.Guide, r.Anchor = guideSetup, profileAnchor(typ)
	}
	return r
}

func (e *Env) checkProfileTarget(_ context.Context) Result {
	if e.Workspace == nil {
		return fail("", "no dbt project found")
	}
	st := e.readProjectProfile()
	checked := st.loc.Describe() + " (" + st.loc.Why + ")"
	switch {
	case st.err != nil && st.loc.Exists && strings.Contains(st.err.Error(), "target (it has:"):
		return fixable(fail(checked, st.err.Error()))
	case st.err != nil:
		return fail(checked, st.err.Error())
	case !st.loc.Exists:
		return fixable(fail(checked, fmt.Sprintf("there is no profiles.yml yet: the fix creates it with your %q target", st.target)))
	case !st.found:
		return fixable(fail(checked, fmt.Sprintf("profiles.yml has no %q profile (the profile dbt_project.yml names): the fix adds it", st.profile)))
	}
	t := st.t
	checked = fmt.Sprintf("%s, profile %s, target %s", st.loc.Describe(), st.profile, st.target)
	var problems, warnings []string
	for _, k := range sortedKeys(t.Unrendered) {
		problems = append(problems, fmt.Sprintf("the %s of the target cannot be read: %s", k, t.Unrendered[k]))
	}
	for k, literal := range t.Literal {
		if literal && redact.IsSecretKey(k) && t.get(k) != "" {
			warnings = append(warnings, fmt.Sprintf("%s is written in clear text in profiles.yml: use {{ env_var('%s') }} and set the variable in your shell instead", k, SecretPasswordEnv))
		}
	}
	w := e.cfg().Warehouse
	typ := t.get("type")
	var where string
	switch typ {
	case "":
		problems = append(problems, "the target has no type")
	case "duckdb":
		path := t.get("path")
		where = "the DuckDB file " + path
		if path == "" || path == ":memory:" {
			problems = append(problems, "the target has no database file (path)")
		} else if re := e.guardTarget(st.target, t.Fields, st.targets, nil); re != nil {
			problems = append(problems, fmt.Sprintf("the %s target writes to %s: %s", st.target, path, re.Problem()))
		}
	default:
		db := firstNonEmpty(t.get("database"), t.get("dbname"), t.get("catalog"), t.get("project"))
		where = "database " + db
		if db == "" {
			warnings = append(warnings, "the target names no database, so datatui cannot tell whether it is your sandbox")
		} else if re := e.guardTarget(st.target, t.Fields, st.targets, nil); re != nil {
			problems = append(problems, fmt.Sprintf("the %s target writes to %s: %s", st.target, db, re.Problem()))
		}
		if role := t.get("role"); role != "" && w.IsAdminRole(role) {
			warnings = append(warnings, fmt.Sprintf("the target uses the admin role %s; the team works with %s", role, w.ContributorRole))
		}
	}
	switch {
	case len(problems) > 0:
		// The form rewrites the target: it repairs a wrong database, a missing type or an
		// env var the target should not need.
		return fixable(fail(checked, strings.Join(append(problems, warnings...), "\n")))
	case len(warnings) > 0:
		return fixable(warn(checked, strings.Join(warnings, "\n")))
	}
	return ok(checked, fmt.Sprintf("%s target (%s) builds in %s", st.target, typ, where))
}

// guardTarget judges a profiles.yml target (its rendered fields) as every write path does,
// with warehouse.Policy.Check: the check reports the refusal as the problem, in the very
// words dbt runs and sandbox writes are refused with, and the fix refuses to write a target
// it would refuse. others are the profile's other outputs (their DuckDB files are guarded).
// cfgErr is datatui.yml's error: the fix passes it (it writes), the check does not (it reads).
func (e *Env) guardTarget(target string, fields map[string]string, others map[string]profileTarget, cfgErr error) *warehouse.RefusedError {
	cfg := e.cfg()
	var err error
	if fields["type"] == "duckdb" {
		file := warehouse.DuckDBFileOf(e.projectDir(), fields["path"])
		files := map[string]string{}
		for name, o := range others {
			if name != target && o.get("type") == "duckdb" && o.get("path") != "" {
				files[name] = warehouse.DuckDBFileOf(e.projectDir(), o.get("path"))
			}
		}
		err = warehouse.DuckDBPolicy(cfg, cfgErr, file, files).Check(warehouse.Write{Target: target, Database: warehouse.DuckDBName(file), File: file})
	} else {
		user := firstNonEmpty(fields["user"], fields["username"])
		db := firstNonEmpty(fields["database"], fields["dbname"], fields["catalog"], fields["project"])
		err = warehouse.NewPolicy(cfg, cfgErr, user).Check(warehouse.Write{Target: target, Database: db, ProfileUser: user})
	}
	var re *warehouse.RefusedError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

func (e *Env) configErr() error {
	if e.Workspace == nil {
		return nil
	}
	return e.Workspace.ConfigErr
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// profileFields are the form's inputs for the team's adapter, with the current target's
// values (when there is one) as defaults.
func (e *Env) profileFields() []Field {
	st := e.readProjectProfile()
	cur := func(k, def string) string {
		if st.found && st.t.get(k) != "" {
			return st.t.get(k)
		}
		return def
	}
	w := e.cfg().Warehouse
	switch e.adapter() {
	case "duckdb":
		return []Field{
			{Key: "path", Title: "Sandbox database file", Help: "A DuckDB file of your own, relative to the project folder", Default: cur("path", "sandbox.duckdb")},
			{Key: "schema", Title: "Schema", Default: cur("schema", "main")},
		}
	case "snowflake", "":
		auth := AuthSSO
		if st.found {
			switch {
			case st.t.get("private_key_path") != "":
				auth = AuthKeyPair
			case st.t.get("authenticator") == "" && (st.t.get("password") != "" || st.t.Unrendered["password"] != ""):
				auth = AuthPassword
			}
		}
		return []Field{
			{Key: "account", Title: "Snowflake account", Help: "The part before .snowflakecomputing.com, e.g. ab12345.eu-west-1", Default: cur("account", "")},
			{Key: "user", Title: "Your Snowflake user", Help: "Usually your work e-mail", Default: cur("user", "")},
			{Key: "auth", Title: "How you log in", Help: "SSO opens your browser; a key pair uses a private key file; a password is read from $" + SecretPasswordEnv + ", never stored", Default: auth, Options: []string{AuthSSO, AuthKeyPair, AuthPassword}},
			{Key: "private_key_path", Title: "Private key file", Help: "The .p8 file of your key pair", Default: cur("private_key_path", "~/.ssh/snowflake_rsa_key.p8"), ShowWhen: map[string][]string{"auth": {AuthKeyPair}}},
			{Key: "role", Title: "Role", Help: "The team's contributor role", Default: cur("role", w.ContributorRole)},
			{Key: "warehouse", Title: "Snowflake warehouse", Help: "The compute warehouse dbt runs its queries on (not a database): the name the data team gave you, e.g. TRANSFORMING. In Snowsight it is in the worksheet's context menu.", Default: cur("warehouse", "")},
			{Key: "database", Title: "Sandbox database", Default: cur("database", ""), Optional: true, HelpFor: func(in Input) string {
				return sandboxHelp(w, in["user"])
			}},
			{Key: "schema", Title: "Schema", Default: cur("schema", "PUBLIC")},
		}
	}
	return nil
}

// sandboxHelp says what the database field is for, with the sandbox name the team's pattern
// gives the user typed above (SANDBOX_JANE), not the pattern itself.
func sandboxHelp(w config.Warehouse, user string) string {
	if strings.TrimSpace(user) == "" {
		return "Leave empty to build in your own sandbox: its name comes from your Snowflake user (" + w.SandboxPattern + "). Never the production database " + w.ProdDatabase + "."
	}
	name := w.SandboxName(strings.TrimSpace(user))
	return fmt.Sprintf("Leave empty to build in your own sandbox, %s (from your user %s). Never the production database %s.", name, strings.TrimSpace(user), w.ProdDatabase)
}

// ProfileSpec turns the form's input into the target to write. It never puts a password in
// the spec: password auth reads $DBT_ENV_SECRET_PASSWORD.
func (e *Env) ProfileSpec(in Input) (TargetSpec, error) {
	if e.Workspace == nil {
		return TargetSpec{}, errors.New("no dbt project found")
	}
	pf, err := dbtyaml.ReadProjectFile(e.Workspace.ProjectDir)
	if err != nil {
		return TargetSpec{}, err
	}
	target := e.cfg().DBT.Target
	spec := TargetSpec{Profile: pf.Profile, Target: target}
	val := func(k string) string { return strings.TrimSpace(in[k]) }
	need := func(keys ...string) error {
		for _, k := range keys {
			if val(k) == "" {
				return fmt.Errorf("%s is required", k)
			}
		}
		return nil
	}
	w := e.cfg().Warehouse
	others := e.readProjectProfile().targets
	refused := func(fields map[string]string, what string) error {
		if re := e.guardTarget(target, fields, others, e.configErr()); re != nil {
			return fmt.Errorf("not writing the %s target with %s: %s", target, what, re.Problem())
		}
		return nil
	}
	switch adapter := e.adapter(); adapter {
	case "duckdb":
		if err := need("path"); err != nil {
			return spec, err
		}
		if err := refused(map[string]string{"type": "duckdb", "path": val("path")}, val("path")); err != nil {
			return spec, err
		}
		spec.Fields = []KV{{"type", "duckdb"}, {"path", val("path")}, {"schema", orText(val("schema"), "main")}, {"threads", 4}}
	case "snowflake", "":
		if err := need("account", "user", "warehouse"); err != nil {
			return spec, err
		}
		db := val("database")
		if db == "" {
			db = w.SandboxName(val("user"))
		}
		if err := refused(map[string]string{"type": "snowflake", "user": val("user"), "database": db}, "database "+db); err != nil {
			return spec, err
		}
		spec.Fields = []KV{{"type", "snowflake"}, {"account", val("account")}, {"user", val("user")}}
		switch val("auth") {
		case AuthKeyPair:
			if err := need("private_key_path"); err != nil {
				return spec, err
			}
			spec.Fields = append(spec.Fields, KV{"private_key_path", val("private_key_path")})
		case AuthPassword:
			spec.Fields = append(spec.Fields, KV{"password", PasswordRef})
		case AuthSSO, "":
			spec.Fields = append(spec.Fields, KV{"authenticator", AuthSSO})
		default:
			return spec, fmt.Errorf("unknown login method %q (use %s, %s or %s)", val("auth"), AuthSSO, AuthKeyPair, AuthPassword)
		}
		spec.Fields = append(spec.Fields,
			KV{"role", orText(val("role"), w.ContributorRole)},
			KV{"warehouse", val("warehouse")},
			KV{"database", db},
			KV{"schema", orText(val("schema"), "PUBLIC")},
			KV{"threads", 8},
		)
	default:
		return spec, fmt.Errorf("datatui cannot write a %s target yet: add it to profiles.yml by hand (see the guide)", adapter)
	}
	return spec, nil
}

// previewProfile says what the profile fix writes for in, before it does: the file, the
// backup it keeps, and the lines that change.
func (e *Env) previewProfile(in Input) (Confirmation, error) {
	spec, err := e.ProfileSpec(in)
	if err != nil {
		return Confirmation{}, err
	}
	loc := e.LocateProfiles()
	plan, err := planMergeTarget(loc.Path, spec)
	if err != nil {
		return Confirmation{}, err
	}
	where := e.shortHome(plan.path)
	if !plan.changed {
		return Confirmation{Title: fmt.Sprintf("%s already has this %s target: nothing to write. Check again?", where, spec.Target), Verb: "check again"}, nil
	}
	c := Confirmation{Title: fmt.Sprintf("Write your %s target to %s?", spec.Target, where), Verb: "write"}
	if plan.exists {
		c.Lines = append(c.Lines, "A copy of the file as it is now is kept beside it; other profiles and targets stay as they are. The change:")
	} else {
		c.Lines = append(c.Lines, "The file is new (only you can read it). It will hold:")
	}
	for _, l := range LineDiff(string(plan.before), string(plan.after), 2) {
		c.Lines = append(c.Lines, redact.String(l))
	}
	return c, nil
}

// shortHome writes a path under the home folder with ~, as people read it.
func (e *Env) shortHome(path string) string {
	if home := e.Home(); home != "" && home != "/" && strings.HasPrefix(path, home+string(filepath.Separator)) {
		return "~" + path[len(home):]
	}
	return path
}

func (e *Env) fixProfile(_ context.Context, in Input) error {
	spec, err := e.ProfileSpec(in)
	if err != nil {
		return err
	}
	loc := e.LocateProfiles()
	_, err = MergeTarget(loc.Path, spec, e.now())
	return err
}
