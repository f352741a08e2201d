package onboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/dbt/project"
	"github.com/datatui/datatui/internal/lazyre"
	"github.com/datatui/datatui/internal/redact"
)

// firstBuildStep is the onboarding step "Your first build" (StepFirstBuild).
func (e *Env) firstBuildStep() *Step {
	return &Step{
		Name: StepFirstBuild, Title: "Your first build",
		Explain:  "Build one small model in your sandbox: dbt runs its SQL and its tests. When this works, you are set up.",
		Guide:    GettingStartedGuide,
		Required: true, Timeout: 10 * time.Second,
		Needs: []string{StepSandbox, StepDeps, StepDebug},
		Check: e.checkFirstBuild,
		Fix:   e.fixFirstBuild, FixTitle: "Build your first model",
		Fields: e.firstBuildFields,
	}
}

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
