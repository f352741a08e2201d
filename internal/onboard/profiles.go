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

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/profiles"
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

// LocateProfiles finds the profiles.yml dbt will use (profiles.FindProfiles, with this Env's
// HOME and environment).
func (e *Env) LocateProfiles() ProfilesLocation {
	opts := profiles.ProfilesOptions{Home: e.Home(), LookupEnv: e.LookupEnv}
	if e.Workspace != nil {
		opts.ProjectDir = e.Workspace.ProjectDir
	}
	loc := profiles.FindProfiles(opts)
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

// readProfile reads profile name from the profiles.yml at path with the dbt layer's reader
// (profiles.ParseProfile): the profile, and its outputs with each setting rendered on its own.
func readProfile(path, name string, getenv func(string) (string, bool)) (p *profiles.Profile, targets map[string]profileTarget, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	p, err = profiles.ParseProfile(path, data, name, getenv)
	if errors.Is(err, profiles.ErrProfileNotFound) {
		return nil, nil, errProfileMissing
	}
	if err != nil {
		return nil, nil, err
	}
	targets = map[string]profileTarget{}
	for _, tname := range p.TargetNames() {
		s, _ := p.Settings(tname)
		targets[tname] = profileTarget{Name: tname, Fields: s.Fields, Unrendered: s.Unrendered, Literal: s.Literal}
	}
	return p, targets, nil
}

var errProfileMissing = errors.New("profile not found")

// profileStatus is what the profile check learned, shared with the fix and the report.
type profileStatus struct {
	loc     ProfilesLocation
	profile string
	target  string
	t       profileTarget
	found   bool
	err     error
	// targets are all the profile's outputs, and prof the profile they are read from (the
	// guard compares DuckDB files across them).
	targets map[string]profileTarget
	prof    *profiles.Profile
}

func (e *Env) readProjectProfile() profileStatus {
	st := profileStatus{loc: e.LocateProfiles()}
	if e.Workspace == nil {
		st.err = errors.New("no dbt project")
		return st
	}
	pf, err := dbtyaml.ReadProjectFile(e.Workspace.ProjectDir)
	if err != nil {
		st.err = err
		return st
	}
	if pf.Profile == "" {
		st.err = fmt.Errorf("%s has no profile: key; it names the profiles.yml entry dbt connects with (ask your data team)", filepath.Join(e.Workspace.ProjectDir, "dbt_project.yml"))
		return st
	}
	if st.profile, err = profiles.RenderEnvVars(pf.Profile, e.LookupEnv); err != nil {
		st.err = fmt.Errorf("%s: profile: %v", filepath.Join(e.Workspace.ProjectDir, "dbt_project.yml"), err)
		return st
	}
	st.target = "dev"
	if e.Workspace.Config != nil && e.Workspace.Config.DBT.Target != "" {
		st.target = e.Workspace.Config.DBT.Target
	}
	if !st.loc.Exists {
		return st
	}
	prof, targets, err := readProfile(st.loc.Path, st.profile, e.LookupEnv)
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
	st.targets, st.prof = targets, prof
	st.t, st.found = targets[st.target]
	if !st.found {
		st.err = fmt.Errorf("profile %q in %s has no %q target (it has: %s)", st.profile, st.loc.Path, st.target, strings.Join(sortedKeys(targets), ", "))
	}
	return st
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
