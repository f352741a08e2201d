package onboard

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
)

// profileStep is the onboarding step "dbt profile for your sandbox" (StepProfile).
func (e *Env) profileStep() *Step {
	guide, anchor := e.profileGuide(e.cfg().Onboarding.Adapter)
	return &Step{
		Name: StepProfile, Title: "dbt profile for your sandbox",
		Explain: "dbt reads profiles.yml to know which warehouse to connect to and where to build. Your dev target must point at your own sandbox, so nothing you build can touch production.",
		Guide:   guide, Anchor: anchor,
		Required: true, Timeout: 3 * time.Second,
		Check: e.checkProfile,
		Fix:   e.fixProfile, FixTitle: "Add your dev target to profiles.yml",
		Fields: e.profileFields, Preview: e.previewProfile,
	}
}

// engineFor is the engine of adapter type typ; "" is the registry's first, the team's
// usual warehouse.
func (e *Env) engineFor(typ string) (*engine.Engine, error) {
	if typ == "" {
		if d := e.engines().Default(); d != nil {
			return d, nil
		}
	}
	return e.engines().Lookup(typ)
}

// profileGuide is the section of the handbook that explains a target of adapter type typ.
func (e *Env) profileGuide(typ string) (guide, anchor string) {
	if eng, err := e.engineFor(typ); err == nil && eng.Guide != "" {
		return eng.Guide, eng.Anchor
	}
	return guideSetup, anchorConnect
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
		r.Guide, r.Anchor = e.profileGuide(typ)
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
	typ := t.get("type")
	var where string
	if typ == "" {
		problems = append(problems, "the target has no type")
	} else if eng, err := e.engines().Lookup(typ); err != nil {
		problems = append(problems, err.Error())
	} else if tgt, err := profiles.NewTarget(st.profile, st.target, t.Fields); err != nil {
		problems = append(problems, "the target's "+err.Error())
	} else {
		for _, m := range eng.Missing(func(k string) bool { return t.get(k) != "" || t.Unrendered[k] != "" }) {
			// dbt refuses the target before it connects, in these words.
			problems = append(problems, fmt.Sprintf("the target has no %s (dbt stops with \"'%s' is a required property\"): %s", m.Key, m.Key, m.Help))
		}
		place := eng.PlaceOf(tgt)
		where = place.Where
		switch {
		case place.Problem != "":
			problems = append(problems, place.Problem)
		case place.Warning != "":
			warnings = append(warnings, place.Warning)
		default:
			if re := e.guardTarget(eng, tgt, st.prof, nil); re != nil {
				problems = append(problems, fmt.Sprintf("the %s target writes to %s: %s", st.target, where, re.Problem()))
			}
		}
		if w := e.cfg().Warehouse; tgt.Role != "" && w.IsAdminRole(tgt.Role) {
			warnings = append(warnings, fmt.Sprintf("the target uses the admin role %s; the team works with %s", tgt.Role, w.ContributorRole))
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

// guardTarget judges target t (of engine eng) as every write path does, with the engine's
// guard and warehouse.Policy.Check: the check reports the refusal as the problem, in the
// very words dbt runs and sandbox writes are refused with, and the fix refuses to write a
// target it would refuse. prof is the profile as it is (its other targets' files are
// guarded; nil when there is none yet). cfgErr is datatui.yml's error: the fix passes it (it
// writes), the check does not (it reads).
func (e *Env) guardTarget(eng *engine.Engine, t *profiles.Target, prof *profiles.Profile, cfgErr error) *warehouse.RefusedError {
	var re *warehouse.RefusedError
	if eng.Guard == nil {
		return &warehouse.RefusedError{Database: "target " + t.Name, Reason: "datatui cannot tell where a " + eng.Type + " target writes"}
	}
	policy, w, err := eng.Guard(engine.GuardInput{Config: e.cfg(), ConfigErr: cfgErr, Profile: prof, Target: t, Dir: e.projectDir()})
	if err == nil {
		err = policy.Check(w)
	}
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

// formContext is what the profile form's defaults and help read: the team's warehouse
// settings and the current target.
func (e *Env) formContext() engine.FormContext {
	fc := engine.FormContext{Warehouse: e.cfg().Warehouse}
	if st := e.readProjectProfile(); st.found {
		fc.Current, fc.Unrendered = st.t.Fields, st.t.Unrendered
	}
	return fc
}

// profileFields are the form's inputs for the team's adapter (its engine's questions), with
// the current target's values (when there is one) as defaults.
func (e *Env) profileFields() []Field {
	eng, err := e.engineFor(e.adapter())
	if err != nil {
		return nil
	}
	fc := e.formContext()
	var out []Field
	for _, q := range eng.Form.Questions {
		f := Field{Key: q.Key, Title: q.Title, Help: q.Help, Optional: q.Optional, ShowWhen: q.ShowWhen}
		if q.Default != nil {
			f.Default = q.Default(fc)
		}
		for _, o := range q.Options {
			f.Options = append(f.Options, o.Value)
			if o.Label != "" {
				if f.OptionLabels == nil {
					f.OptionLabels = map[string]string{}
				}
				f.OptionLabels[o.Value] = o.Label
			}
		}
		if q.HelpFor != nil {
			helpFor := q.HelpFor
			f.HelpFor = func(in Input) string { return helpFor(fc, in) }
		}
		out = append(out, f)
	}
	return out
}

// ProfileSpec turns the form's input into the target to write (its engine's settings). It
// never puts a password in the spec: password auth reads $DBT_ENV_SECRET_PASSWORD.
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
	adapter := e.adapter()
	eng, err := e.engineFor(adapter)
	if err != nil || eng.Form.Settings == nil {
		return spec, fmt.Errorf("datatui cannot write a %s target yet: add it to profiles.yml by hand (see the guide)", adapter)
	}
	kvs, err := eng.Form.Settings(e.formContext(), in)
	if err != nil {
		return spec, err
	}
	settings := map[string]string{}
	for _, kv := range kvs {
		spec.Fields = append(spec.Fields, KV{kv.Key, kv.Value})
		settings[kv.Key] = fmt.Sprint(kv.Value)
	}
	t, err := profiles.NewTarget(pf.Profile, target, settings)
	if err != nil {
		return spec, err
	}
	if re := e.guardTarget(eng, t, e.readProjectProfile().prof, e.configErr()); re != nil {
		return spec, fmt.Errorf("not writing the %s target with %s: %s", target, eng.PlaceOf(t).Where, re.Problem())
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
