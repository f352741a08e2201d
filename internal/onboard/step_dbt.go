package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/redact"
)

// ---- 5. warehouse login ----

func (e *Env) checkWarehouse(ctx context.Context) Result {
	if e.Login == nil {
		return unknown("", "this check needs datatui's warehouse connection, which is not available in this build yet. Check by hand: dbt debug (step \"dbt debug passes\") logs in with your profile")
	}
	id, err := e.Login(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return unknown("", "could not check: the warehouse did not answer in time")
		}
		return failExplained("", "login failed: ", err)
	}
	r := roleResult(id, e.cfg().Warehouse)
	if len(id.Notes) > 0 {
		// What the profile asks of dbt that datatui's connection does not do is said, as a
		// warning: dbt itself may still work with it.
		r.Status = StatusWarn
		r.Detail += "; but " + strings.Join(id.Notes, "; ")
	}
	return r
}

func roleResult(id Identity, w config.Warehouse) Result {
	checked := fmt.Sprintf("logged in to %s as %s", id.Engine, orText(id.User, "(local)"))
	switch {
	case id.Role == "":
		return ok(checked, "logged in (this warehouse has no roles)")
	case w.IsAdminRole(id.Role):
		return warn(checked+", role "+id.Role, fmt.Sprintf("you are using the admin role %s. The team's policy: contributors work with %s; switch the role in your profile", id.Role, w.ContributorRole))
	case !strings.EqualFold(id.Role, w.ContributorRole):
		return warn(checked+", role "+id.Role, fmt.Sprintf("your role is %s, not the contributor role %s", id.Role, w.ContributorRole))
	}
	return ok(checked+", role "+id.Role, "logged in with the contributor role")
}

// ---- 6. sandbox ----

func (e *Env) checkSandbox(ctx context.Context) Result {
	if e.Sandbox == nil {
		return unknown("", "this check needs datatui's sandbox feature, which is not available in this build yet")
	}
	sb, err := e.Sandbox(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return unknown("", "could not check: the warehouse did not answer in time")
	case err != nil:
		return failExplained("", "", err)
	case !sb.Exists:
		return fixable(fail("sandbox "+sb.Name, fmt.Sprintf("your sandbox %s does not exist yet: create it as a clone of %s (the fix does it)", sb.Name, e.cfg().Warehouse.CloneDatabase)))
	}
	return ok("sandbox "+sb.Name, orText(sb.Detail, "your sandbox exists"))
}

func (e *Env) fixSandbox(ctx context.Context, _ Input) error {
	if e.CreateSandbox == nil {
		return errors.New("creating the sandbox needs datatui's sandbox feature, which is not available in this build yet; ask your data team, or see the guide")
	}
	return e.CreateSandbox(ctx)
}

// ---- 7. dbt deps ----

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
		if err := yaml.Unmarshal(data, &doc); err != nil {
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
	if yaml.Unmarshal(data, &p) != nil || p.Version == nil {
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
	checked := fmt.Sprintf("%d package(s) from %s in %s", len(names), source, pf.PackagesPath)
	if source != "package-lock.yml" && len(missing) > 0 && len(installed) >= len(names) {
		// Without a lock file the folder names are guesses; enough installed packages is
		// the best evidence there is.
		return ok(checked, fmt.Sprintf("%d package(s) installed", len(installed)))
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

// ---- 8. dbt debug ----

func (e *Env) checkDebug(ctx context.Context) Result {
	if !e.hasDBT() {
		return blockedBy(StepTools, "dbt is not installed")
	}
	args := []string{"debug"}
	if t := e.cfg().DBT.Target; t != "" {
		args = append(args, "--target", t)
	}
	out, stderr, err := e.runDBT(ctx, args...)
	text := redact.String(string(out) + string(stderr))
	checked := "dbt " + strings.Join(args, " ")
	if ctx.Err() != nil {
		return unknown(checked, "could not check: dbt debug did not finish in time (a slow warehouse login?)")
	}
	if err == nil && strings.Contains(text, "All checks passed!") {
		return ok(checked, "all checks passed")
	}
	var bad []string
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if strings.Contains(t, "ERROR") || strings.Contains(t, "FAIL") || strings.HasPrefix(t, "Error") || strings.Contains(t, "not found") {
			bad = append(bad, stripLogPrefix(t))
		}
	}
	if len(bad) == 0 {
		bad = []string{lastLines(text, 3)}
	}
	if len(bad) > 4 {
		bad = bad[:4]
	}
	return fail(checked, strings.Join(bad, "\n"))
}

// stripLogPrefix drops dbt's "12:01:02  " time prefix.
func stripLogPrefix(l string) string {
	if len(l) > 10 && l[2] == ':' && l[5] == ':' {
		return strings.TrimSpace(l[8:])
	}
	return l
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i := range lines {
		lines[i] = stripLogPrefix(strings.TrimSpace(lines[i]))
	}
	return strings.Join(lines, "\n")
}

// ---- 9. first build ----

// starterModel is the model of the first build: datatui.yml's dbt.starter_model, else the one
// the contributor chose, else "" (then the check suggests one).
func (e *Env) starterModel() string {
	if m := e.cfg().DBT.StarterModel; m != "" {
		return m
	}
	if e.Workspace != nil {
		if st, err := LoadProgress(e.Workspace); err == nil {
			return st.StarterModel
		}
	}
	return ""
}

// starters lists the models a first build can start with (see StarterCandidates).
func (e *Env) starters() ([]Starter, error) {
	dir := e.projectDir()
	if dir == "" {
		return nil, errors.New("no dbt project found")
	}
	g, err := project.LoadProject(dir, dbt.LoadOptions{PreferManifest: true})
	if err != nil {
		return nil, err
	}
	return StarterCandidates(g, dir), nil
}

func (e *Env) checkFirstBuild(_ context.Context) Result {
	starter := e.starterModel()
	why := ""
	if starter == "" {
		cands, err := e.starters()
		switch {
		case err != nil:
			return fail("", "datatui could not read the project to pick a first model: "+err.Error())
		case len(cands) == 0:
			return fail("", "no model of this project builds from sources or seeds alone, so datatui cannot pick a first one: build any model with datatui run -- build -s <model>, or name one in datatui.yml (dbt.starter_model)")
		}
		starter, why = cands[0].Name, fmt.Sprintf(" (datatui suggests %s: %s; enter lets you choose another)", cands[0].Name, cands[0].Why)
	}
	if e.Workspace != nil {
		if st, err := LoadProgress(e.Workspace); err == nil && !st.FirstBuildAt.IsZero() {
			return ok("progress", fmt.Sprintf("%s built on %s", orText(st.StarterModel, starter), st.FirstBuildAt.Local().Format("2 Jan 2006")))
		}
	}
	dir := e.projectDir()
	pf, err := dbtyaml.ReadProjectFile(dir)
	if err != nil {
		return fail("", err.Error())
	}
	rr := filepath.Join(dir, pf.TargetPath, "run_results.json")
	status, err := runResultStatus(rr, "model."+pf.Name+"."+starter)
	checked := rr
	switch {
	case err != nil && errors.Is(err, os.ErrNotExist):
		return fixable(fail(checked, fmt.Sprintf("not built yet: build %s in your sandbox%s", starter, why)))
	case err != nil:
		return fail(checked, err.Error())
	case status == "success":
		if e.Workspace != nil {
			_ = markFirstBuild(e.Workspace, e.now())
		}
		return ok(checked, starter+" built successfully")
	case status == "":
		return fixable(fail(checked, fmt.Sprintf("the last dbt run did not build %s: build it in your sandbox%s", starter, why)))
	}
	return fixable(fail(checked, fmt.Sprintf("the last build of %s ended with %s: open the Runs screen for the error, fix it, and build again", starter, status)))
}

// firstBuildFields offers the model to build: the one datatui.yml names, else the suggested
// one first and the other models that build on their own.
func (e *Env) firstBuildFields() []Field {
	f := Field{Key: "model", Title: "Model to build first", Optional: true}
	if m := e.cfg().DBT.StarterModel; m != "" {
		f.Default, f.Options = m, []string{m}
		f.Help = "The team's starter model (datatui.yml dbt.starter_model). enter builds it with dbt build -s " + m + " in your sandbox."
		return []Field{f}
	}
	cands, err := e.starters()
	if err != nil || len(cands) == 0 {
		return []Field{f}
	}
	f.Notes = map[string]string{}
	for _, c := range cands {
		f.Options = append(f.Options, c.Name)
		f.Notes[c.Name] = c.Why
	}
	f.Default = cands[0].Name
	if m := e.starterModel(); m != "" && slices.Contains(f.Options, m) {
		f.Default = m
	}
	f.Help = fmt.Sprintf("datatui suggests %s: %s. Each listed model reads only sources or seeds. enter builds the one chosen with dbt build -s <model> in your sandbox.", cands[0].Name, cands[0].Why)
	return []Field{f}
}

// modelNameRe is a model name as dbt -s takes it literally: no selector methods or graph
// operators, so the build selects exactly one model.
var modelNameRe = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// runResultStatus returns the status of uniqueID in a run_results.json ("" when absent).
func runResultStatus(file, uniqueID string) (string, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	var rr struct {
		Results []struct {
			UniqueID string `json:"unique_id"`
			Status   string `json:"status"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &rr); err != nil {
		return "", fmt.Errorf("%s is not a dbt run_results.json: %v", file, err)
	}
	for _, r := range rr.Results {
		if r.UniqueID == uniqueID {
			return r.Status, nil
		}
	}
	return "", nil
}

func (e *Env) fixFirstBuild(ctx context.Context, in Input) error {
	starter := strings.TrimSpace(in["model"])
	if starter == "" {
		starter = e.starterModel()
	}
	if starter == "" {
		cands, err := e.starters()
		if err != nil {
			return err
		}
		if len(cands) == 0 {
			return errors.New("no model of this project builds from sources or seeds alone: build one with datatui run -- build -s <model>")
		}
		starter = cands[0].Name
	}
	if !modelNameRe.MatchString(starter) {
		return fmt.Errorf("%q is not a model name", starter)
	}
	// A build writes: it runs only through datatui's runner, whose write guard checks where
	// the target really writes. Never dbt directly.
	if e.RunDBT == nil {
		return errors.New("building needs datatui's dbt runner, which checks where dbt writes first; this build does not have it: run datatui run -- build -s " + starter)
	}
	if e.Workspace != nil && e.cfg().DBT.StarterModel == "" {
		_ = chooseStarter(e.Workspace, starter)
	}
	if err := e.RunDBT(ctx, []string{"build", "--select", starter}); err != nil {
		return fmt.Errorf("dbt build -s %s failed: %s", starter, redact.String(err.Error()))
	}
	if e.Workspace != nil {
		return markFirstBuild(e.Workspace, e.now())
	}
	return nil
}

// ---- 10. getting-started guide ----

func (e *Env) checkGuide(_ context.Context) Result {
	if e.Workspace == nil {
		return fail("", "no workspace")
	}
	st, err := LoadProgress(e.Workspace)
	if err != nil {
		return unknown("", err.Error())
	}
	if st.GuideReadAt.IsZero() {
		return fail("progress", "not read yet: open it in the Guides screen, or read it with: datatui guide show "+GettingStartedGuide)
	}
	return ok("progress", "read on "+st.GuideReadAt.Local().Format("2 Jan 2006"))
}
