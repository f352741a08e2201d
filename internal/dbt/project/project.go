// Package project gives the project's graph from the best source: target/manifest.json when it
// is at least as new as every project file, otherwise the quick parse of the files, and says
// which it used and why.
package project

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/quickparse"
)

// ManifestPath returns where dbt writes the project's manifest: <target-path>/manifest.json
// (target-path from dbt_project.yml, "target" by default; DBT_TARGET_PATH wins like in dbt).
func ManifestPath(projectDir string) string {
	target := "target"
	if env := os.Getenv("DBT_TARGET_PATH"); env != "" {
		target = env
	} else if p, err := dbtyaml.ReadProjectFile(projectDir); err == nil {
		target = p.TargetPath
	}
	if filepath.IsAbs(target) {
		return filepath.Join(target, "manifest.json")
	}
	return filepath.Join(projectDir, filepath.FromSlash(target), "manifest.json")
}

// ManifestStale tells whether the project's manifest.json is older than any project file (a
// model, YAML, seed, macro… edited since the last dbt parse/compile/run). It returns the
// manifest's modification time and the first newer file found (relative to projectDir). With no
// manifest it returns the zero time, "" and false: there is nothing to be stale.
func ManifestStale(projectDir string) (manifestTime time.Time, newerFile string, stale bool) {
	st, err := os.Stat(ManifestPath(projectDir))
	if err != nil {
		return time.Time{}, "", false
	}
	manifestTime = st.ModTime()
	newer := newerProjectFile(projectDir, manifestTime)
	return manifestTime, newer, newer != ""
}

// errFound stops a directory walk early.
var errFound = errors.New("found")

// newerProjectFile walks the project's source files (skipping target, packages, logs, virtual
// environments and hidden folders) and returns the first one modified after t.
func newerProjectFile(projectDir string, t time.Time) string {
	skip := map[string]bool{"target": true, "dbt_packages": true, "dbt_modules": true, "logs": true, "node_modules": true, "venv": true, ".venv": true}
	if p, err := dbtyaml.ReadProjectFile(projectDir); err == nil {
		skip[p.TargetPath] = true
		skip[p.PackagesPath] = true
	}
	var found string
	_ = filepath.WalkDir(projectDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		name := d.Name()
		if d.IsDir() {
			if p != projectDir {
				rel, _ := filepath.Rel(projectDir, p)
				if strings.HasPrefix(name, ".") || skip[filepath.ToSlash(rel)] || name == "__pycache__" {
					return filepath.SkipDir
				}
			}
			return nil
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".sql", ".py", ".yml", ".yaml", ".csv", ".md":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.ModTime().After(t) {
			return nil
		}
		rel, _ := filepath.Rel(projectDir, p)
		found = filepath.ToSlash(rel)
		return errFound
	})
	return found
}

// LoadProject returns the project's graph from the best source available: target/manifest.json
// when it exists and is at least as new as every project file (dbt's own view, with packages,
// compiled facts and everything Jinja computes); otherwise a quick parse of the files, so the
// lineage matches what is on disk even before dbt ran. When the manifest is stale the quick
// parse says so in Origin.Warnings, or, with PreferManifest, the manifest is used and
// Origin.Stale is set. A manifest that cannot be read falls back to the quick parse, with a
// warning saying why.
func LoadProject(projectDir string, opts dbt.LoadOptions) (*dbt.Graph, error) {
	if opts.QuickParseOnly {
		return quickparse.QuickParse(projectDir)
	}
	manifest := ManifestPath(projectDir)
	if _, err := os.Stat(manifest); err != nil {
		return quickparse.QuickParse(projectDir)
	}
	mtime, newer, stale := ManifestStale(projectDir)
	var manifestErr error
	if !stale || opts.PreferManifest {
		g, err := dbt.LoadManifest(manifest, dbt.LoadOptions{CacheDir: opts.CacheDir, OneShot: opts.OneShot})
		if err == nil {
			if stale {
				g.Origin.Stale = true
				g.Origin.Warnings = append(g.Origin.Warnings, fmt.Sprintf("%s changed after the manifest was written (%s); run dbt parse to refresh it", newer, mtime.Format(time.DateTime)))
			}
			return g, nil
		}
		manifestErr = err
	}
	g, err := quickparse.QuickParse(projectDir)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(projectDir, manifest)
	switch {
	case manifestErr != nil:
		g.Origin.Warnings = append([]string{fmt.Sprintf("%s could not be read (%v), so this lineage comes from the project files", filepath.ToSlash(rel), manifestErr)}, g.Origin.Warnings...)
	case stale:
		g.Origin.Warnings = append([]string{fmt.Sprintf("%s is older than %s, so this lineage comes from the project files; run dbt parse for dbt's full view", filepath.ToSlash(rel), newer)}, g.Origin.Warnings...)
	}
	return g, nil
}
