package onboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/goccy/go-yaml"
)

// projectFile is the part of dbt_project.yml onboarding needs.
type projectFile struct {
	Name    string
	Profile string
	// RequireDBT is require-dbt-version as one comma-separated constraint.
	RequireDBT string
	// PackagesPath is packages-install-path (default dbt_packages).
	PackagesPath string
	// TargetPath is target-path (default target).
	TargetPath string
}

func readProjectFile(dir string) (projectFile, error) {
	p := filepath.Join(dir, "dbt_project.yml")
	data, err := os.ReadFile(p)
	if err != nil {
		return projectFile{}, err
	}
	var raw struct {
		Name         string `yaml:"name"`
		Profile      string `yaml:"profile"`
		Require      any    `yaml:"require-dbt-version"`
		PackagesPath string `yaml:"packages-install-path"`
		TargetPath   string `yaml:"target-path"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return projectFile{}, fmt.Errorf("%s: %v", p, firstLine(err.Error()))
	}
	pf := projectFile{Name: raw.Name, Profile: raw.Profile, PackagesPath: raw.PackagesPath, TargetPath: raw.TargetPath}
	if pf.PackagesPath == "" {
		pf.PackagesPath = "dbt_packages"
	}
	if pf.TargetPath == "" {
		pf.TargetPath = "target"
	}
	switch r := raw.Require.(type) {
	case string:
		pf.RequireDBT = r
	case []any:
		var parts []string
		for _, c := range r {
			parts = append(parts, fmt.Sprint(c))
		}
		pf.RequireDBT = strings.Join(parts, ",")
	}
	return pf, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
