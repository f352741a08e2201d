package onboard

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/redact"
)

// ProfilesLocation is the profiles.yml dbt reads for this project, in dbt's own order:
// $DBT_PROFILES_DIR, then the project folder (dbt's working directory), then ~/.dbt.
// Exists is false when none exists; Path is then where a new one belongs.
type ProfilesLocation struct {
	Path   string
	Exists bool
	// Why names the rule that chose the file ("DBT_PROFILES_DIR", "~/.dbt"…).
	Why string
}

// Describe names the file for the person: a symlinked profiles.yml with the file it points
// to, which is the one dbt reads and the fix changes.
func (l ProfilesLocation) Describe() string {
	if real, err := atomicfile.Resolve(l.Path); err == nil && real != l.Path {
		return l.Path + " → " + real
	}
	return l.Path
}

// LocateProfiles finds the profiles.yml dbt will use (dbt.FindProfiles, with this Env's
// HOME and environment).
func (e *Env) LocateProfiles() ProfilesLocation {
	opts := dbt.ProfilesOptions{Home: e.Home(), LookupEnv: e.LookupEnv}
	if e.Workspace != nil {
		opts.ProjectDir = e.Workspace.ProjectDir
	}
	loc := dbt.FindProfiles(opts)
	return ProfilesLocation{Path: loc.Path, Exists: loc.Exists, Why: loc.Why}
}

// profileTarget is one output of a profile, with env_var() already evaluated.
type profileTarget struct {
	Name   string
	Fields map[string]string
	// Unrendered maps fields whose Jinja could not be evaluated to the reason.
	Unrendered map[string]string
	// Literal lists fields written as plain values (not through env_var), to spot secrets.
	Literal map[string]bool
}

func (t profileTarget) get(key string) string { return t.Fields[key] }

// readProfile reads profile name from the profiles.yml at path: its default target and its
// outputs. Only the scalar fields are kept: that is all the checks need.
func readProfile(path, name string, getenv func(string) (string, bool)) (defaultTarget string, targets map[string]profileTarget, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(dbt.TrimBOM(data), &doc); err != nil {
		return "", nil, fmt.Errorf("%s is not valid YAML: %s", path, firstLine(err.Error()))
	}
	redact.LearnTree(doc, getenv)
	raw, ok := doc[name]
	if !ok {
		return "", nil, errProfileMissing
	}
	prof, ok := raw.(map[string]any)
	if !ok {
		return "", nil, fmt.Errorf("%s: profile %q is not a mapping", path, name)
	}
	defaultTarget, _ = prof["target"].(string)
	if r, err := renderEnvVars(defaultTarget, getenv); err == nil {
		defaultTarget = r
	}
	targets = map[string]profileTarget{}
	outputs, _ := prof["outputs"].(map[string]any)
	for tname, tv := range outputs {
		fields, _ := tv.(map[string]any)
		t := profileTarget{Name: tname, Fields: map[string]string{}, Literal: map[string]bool{}, Unrendered: map[string]string{}}
		for k, v := range fields {
			switch v.(type) {
			case map[string]any, []any:
				continue
			}
			s := fmt.Sprint(v)
			if v == nil {
				s = ""
			}
			r, err := renderEnvVars(s, getenv)
			if err != nil {
				t.Unrendered[k] = dbt.SecretSafeMessage(k, err)
				continue
			}
			t.Fields[k] = r
			t.Literal[k] = !strings.Contains(s, "{{")
		}
		targets[tname] = t
	}
	return defaultTarget, targets, nil
}

var errProfileMissing = errors.New("profile not found")

var (
	jinjaExpr = lazyre.New(`\{\{(.*?)\}\}`)
	envVarRe  = lazyre.New(`^\s*env_var\(\s*(['"])([^'"]+)['"]\s*(?:,\s*(['"])([^'"]*)['"]\s*)?\)\s*(\|\s*(?:int|as_number|as_text|as_bool|string|lower|upper|trim)\s*)?$`)
)

// renderEnvVars evaluates the {{ env_var('X') }} and {{ env_var('X', 'default') }} dbt
// allows in profiles.yml. Other Jinja is reported as unsupported rather than guessed.
func renderEnvVars(s string, getenv func(string) (string, bool)) (string, error) {
	var firstErr error
	out := jinjaExpr.ReplaceAllStringFunc(s, func(expr string) string {
		inner := jinjaExpr.FindStringSubmatch(expr)[1]
		m := envVarRe.FindStringSubmatch(inner)
		if m == nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("unsupported Jinja %q (only env_var() is evaluated)", strings.TrimSpace(expr))
			}
			return expr
		}
		if v, ok := getenv(m[2]); ok {
			return v
		}
		if m[3] != "" {
			return m[4]
		}
		if firstErr == nil {
			firstErr = &dbt.MissingEnvError{Name: m[2]}
		}
		return ""
	})
	return out, firstErr
}

// profileStatus is what the profile check learned, shared with the fix and the report.
type profileStatus struct {
	loc     ProfilesLocation
	profile string
	target  string
	t       profileTarget
	found   bool
	err     error
	// targets are all the profile's outputs (the guard compares DuckDB files across them).
	targets map[string]profileTarget
}

func (e *Env) readProjectProfile() profileStatus {
	st := profileStatus{loc: e.LocateProfiles()}
	if e.Workspace == nil {
		st.err = errors.New("no dbt project")
		return st
	}
	pf, err := readProjectFile(e.Workspace.ProjectDir)
	if err != nil {
		st.err = err
		return st
	}
	st.profile = pf.Profile
	if st.profile == "" {
		st.err = fmt.Errorf("%s has no profile: key; it names the profiles.yml entry dbt connects with (ask your data team)", filepath.Join(e.Workspace.ProjectDir, "dbt_project.yml"))
		return st
	}
	st.target = "dev"
	if e.Workspace.Config != nil && e.Workspace.Config.DBT.Target != "" {
		st.target = e.Workspace.Config.DBT.Target
	}
	if !st.loc.Exists {
		return st
	}
	_, targets, err := readProfile(st.loc.Path, st.profile, e.LookupEnv)
	if errors.Is(err, errProfileMissing) {
		return st
	}
	if errors.Is(err, fs.ErrPermission) {
		st.err = fmt.Errorf("cannot read %s: permission denied", st.loc.Path)
		return st
	}
	if err != nil {
		st.err = err
		return st
	}
	st.targets = targets
	st.t, st.found = targets[st.target]
	if !st.found {
		st.err = fmt.Errorf("profile %q in %s has no %q target (it has: %s)", st.profile, st.loc.Path, st.target, strings.Join(sortedKeys(targets), ", "))
	}
	return st
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }
