package onboard

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/safeyaml"
)

// depsStep is the onboarding step "dbt packages installed" (StepDeps).
func (e *Env) depsStep() *Step {
	return &Step{
		Name: StepDeps, Title: "dbt packages installed",
		Explain:  "The project uses dbt packages (shared macros and tests). `dbt deps` installs the versions the project pins.",
		Guide:    "running-dbt-in-your-sandbox",
		Required: true, Timeout: 3 * time.Second,
		Check: e.checkDeps,
		Fix:   e.fixDeps, FixTitle: "Run dbt deps",
	}
}

type packageSpec struct {
	Package string `yaml:"package"`
	Version any    `yaml:"version"`
	Git     string `yaml:"git"`
	Local   string `yaml:"local"`
	Tarball string `yaml:"tarball"`
	Name    string `yaml:"name"`
}

// expectedPackages lists the package folder names dbt deps installs, from package-lock.yml
// when there is one (it names them exactly), else guessed from packages.yml/dependencies.yml.
func expectedPackages(dir string) (names []string, source string, pinned map[string]string, err error) {
	read := func(file string) ([]packageSpec, bool, error) {
		data, err := os.ReadFile(filepath.Join(dir, file))
		if errors.Is(err, os.ErrNotExist) {
			return nil, false, nil
		}
		if err != nil {
			return nil, true, err
		}
		var doc struct {
			Packages []packageSpec `yaml:"packages"`
		}
		if err := safeyaml.Unmarshal(data, &doc); err != nil {
			return nil, true, fmt.Errorf("%s: %s", file, firstLine(err.Error()))
		}
		return doc.Packages, true, nil
	}
	declared, hasPackages, err := read("packages.yml")
	if err != nil {
		return nil, "", nil, err
	}
	source = "packages.yml"
	if !hasPackages {
		declared, hasPackages, err = read("dependencies.yml")
		if err != nil {
			return nil, "", nil, err
		}
		source = "dependencies.yml"
	}
	if !hasPackages || len(declared) == 0 {
		return nil, "", nil, nil
	}
	if locked, hasLock, err := read("package-lock.yml"); err == nil && hasLock && len(locked) > 0 {
		pinned = map[string]string{}
		for _, p := range locked {
			if p.Name != "" {
				names = append(names, p.Name)
				if v, ok := p.Version.(string); ok && p.Package != "" {
					pinned[p.Name] = v // hub packages are pinned to one version
				}
			}
		}
		if len(names) == len(locked) {
			return names, "package-lock.yml", pinned, nil
		}
		names, pinned = nil, nil
	}
	for _, p := range declared {
		switch {
		case p.Package != "":
			names = append(names, path.Base(p.Package))
		case p.Git != "":
			names = append(names, strings.TrimSuffix(path.Base(strings.TrimSuffix(p.Git, "/")), ".git"))
		case p.Local != "":
			names = append(names, filepath.Base(p.Local))
		default:
			names = append(names, "") // a tarball: its folder name is only known after install
		}
	}
	return names, source, nil, nil
}

// installedVersion reads the version: of an installed package's dbt_project.yml.
func installedVersion(pkgDir string) string {
	data, err := os.ReadFile(filepath.Join(pkgDir, "dbt_project.yml"))
	if err != nil {
		return ""
	}
	var p struct {
		Version any `yaml:"version"`
	}
	if safeyaml.Unmarshal(data, &p) != nil || p.Version == nil {
		return ""
	}
	return fmt.Sprint(p.Version)
}

func (e *Env) checkDeps(_ context.Context) Result {
	dir := e.projectDir()
	if dir == "" {
		return fail("", "no dbt project found")
	}
	pf, err := dbtyaml.ReadProjectFile(dir)
	if err != nil {
		return fail("", err.Error())
	}
	names, source, pinned, err := expectedPackages(dir)
	if err != nil {
		return fail("", err.Error())
	}
	if len(names) == 0 {
		return skip("packages.yml", "the project uses no dbt packages")
	}
	installDir := filepath.Join(dir, pf.PackagesPath)
	entries, _ := os.ReadDir(installDir)
	installed := map[string]bool{}
	for _, en := range entries {
		if en.IsDir() && fileExists(filepath.Join(installDir, en.Name(), "dbt_project.yml")) {
			installed[en.Name()] = true
		}
	}
	var missing []string
	unnamed := 0
	for _, n := range names {
		if n == "" {
			unnamed++
			continue
		}
		if !installed[n] {
			missing = append(missing, n)
		}
	}
	checked := fmt.Sprintf("%s from %s in %s", dbt.Plural(len(names), "package", "packages"), source, pf.PackagesPath)
	if source != "package-lock.yml" && len(missing) > 0 && len(installed) >= len(names) {
		// Without a lock file the folder names are guesses; enough installed packages is
		// the best evidence there is.
		return ok(checked, dbt.Plural(len(installed), "package", "packages")+" installed")
	}
	if len(missing) > 0 || len(installed) < unnamed {
		if len(missing) == 0 {
			missing = []string{"(tarball packages)"}
		}
		return fixable(fail(checked, "not installed: "+strings.Join(missing, ", ")+". Run: dbt deps"))
	}
	var stale []string
	for _, name := range sortedKeys(pinned) {
		if got := installedVersion(filepath.Join(installDir, name)); got != "" && got != pinned[name] {
			stale = append(stale, fmt.Sprintf("%s %s installed, package-lock.yml pins %s", name, got, pinned[name]))
		}
	}
	if len(stale) > 0 {
		return fixable(fail(checked, strings.Join(stale, "; ")+". Run: dbt deps"))
	}
	return ok(checked, "packages installed")
}

func (e *Env) fixDeps(ctx context.Context, _ Input) error {
	if e.RunDBT != nil {
		if err := e.RunDBT(ctx, []string{"deps"}); err != nil {
			return fmt.Errorf("dbt deps failed: %s", redact.String(err.Error()))
		}
		return nil
	}
	out, stderr, err := e.runDBT(ctx, "deps")
	if err != nil {
		return fmt.Errorf("dbt deps failed: %s", lastLines(redact.String(string(out)+string(stderr)), 3))
	}
	return nil
}
