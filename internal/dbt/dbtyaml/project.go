package dbtyaml

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
)

// ProjectFile is what dbt_project.yml says about the project as a whole.
type ProjectFile struct {
	// Dir is the project's folder (absolute).
	Dir  string
	Name string
	// Profile is the profile: key as written; profiles.ProjectProfileName renders its env_var().
	Profile string
	// RequireDBT is require-dbt-version as one comma-separated constraint.
	RequireDBT string
	// The resource folders, relative to Dir, with dbt's defaults (models, seeds…) and the
	// names older dbt versions used (source-paths, data-paths).
	ModelPaths, SeedPaths, SnapshotPaths, TestPaths, AnalysisPaths, MacroPaths []string
	// TargetPath is target-path (default target); PackagesPath is packages-install-path
	// (default dbt_packages).
	TargetPath, PackagesPath string
	// Config is the whole file, for the folder configs under models:, seeds:…
	Config yaml.MapSlice
}

// ErrNoProject means a folder holds no dbt_project.yml.
var ErrNoProject = errors.New("no dbt_project.yml")

// ReadProjectFile reads dbt_project.yml in dir. It is the one reader of that file: the quick
// parse, the manifest's location, profiles.yml's profile name, onboarding and the status bar
// all go through it, so they cannot disagree about what the file says.
func ReadProjectFile(dir string) (*ProjectFile, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	file := filepath.Join(abs, "dbt_project.yml")
	raw, err := Read(file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s has %w; point datatui at the folder of your dbt project", dir, ErrNoProject)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w; fix the file so dbt (and datatui) can read it", file, err)
	}
	m := Map(raw)
	p := &ProjectFile{Dir: abs, Config: m, Name: Str(Get(m, "name"))}
	if p.Name == "" {
		return nil, fmt.Errorf("%s has no name: key; dbt needs one (name: my_project)", file)
	}
	paths := func(def string, keys ...string) []string {
		for _, k := range keys {
			if l := Strings(Get(m, k)); len(l) > 0 {
				for i := range l {
					l[i] = strings.Trim(filepath.ToSlash(filepath.Clean(l[i])), "/")
				}
				return l
			}
		}
		return []string{def}
	}
	p.ModelPaths = paths("models", "model-paths", "source-paths")
	p.SeedPaths = paths("seeds", "seed-paths", "data-paths")
	p.SnapshotPaths = paths("snapshots", "snapshot-paths")
	p.TestPaths = paths("tests", "test-paths")
	p.AnalysisPaths = paths("analyses", "analysis-paths")
	p.MacroPaths = paths("macros", "macro-paths")
	p.TargetPath = paths("target", "target-path")[0]
	p.PackagesPath = paths("dbt_packages", "packages-install-path")[0]
	p.Profile = Str(Get(m, "profile"))
	p.RequireDBT = strings.Join(Strings(Get(m, "require-dbt-version")), ",")
	return p, nil
}
