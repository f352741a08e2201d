package onboard

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/ops"
)

// Step names, stable for `doctor --step`, the progress file and scripts.
const (
	StepTools      = "tools"
	StepGitHub     = "github"
	StepRepository = "repository"
	StepProfile    = "profile"
	StepWarehouse  = "warehouse"
	StepSandbox    = "sandbox"
	StepDeps       = "deps"
	StepDebug      = "debug"
	StepFirstBuild = "first-build"
	StepGuide      = "guide"
)

// GettingStartedGuide is the guide whose reading completes the last step.
const GettingStartedGuide = "getting-started"

// StepNames lists every step in order.
func StepNames() []string {
	return []string{StepTools, StepGitHub, StepRepository, StepProfile, StepWarehouse, StepSandbox, StepDeps, StepDebug, StepFirstBuild, StepGuide}
}

// Steps builds the onboarding steps for env, in the order a new contributor does them.
func Steps(env *Env) []*Step {
	return []*Step{
		env.toolsStep(),
		env.gitHubStep(),
		env.repositoryStep(),
		env.profileStep(),
		env.warehouseStep(),
		env.sandboxStep(),
		env.depsStep(),
		env.debugStep(),
		env.firstBuildStep(),
		env.guideStep(),
	}
}

func (e *Env) cfg() *config.Config {
	if e.Workspace != nil && e.Workspace.Config != nil {
		return e.Workspace.Config
	}
	return config.Default()
}

func (e *Env) projectDir() string {
	if e.Workspace == nil {
		return ""
	}
	return e.Workspace.ProjectDir
}

func (e *Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// runDBT runs dbt in the project folder without colours or usage statistics, so the output
// can be read and nothing leaves the machine but what the command itself needs. dbt is the
// one datatui runs: in the team's Docker image or through its wrapper when datatui.yml says
// so, else the dbt on PATH.
func (e *Env) runDBT(ctx context.Context, args ...string) (stdout, stderr []byte, err error) {
	quiet := []string{"DBT_USE_COLORS=false", "DBT_SEND_ANONYMOUS_USAGE_STATS=false"}
	exe := ""
	if !e.dbtElsewhere() {
		path, lerr := e.DBTPath()
		if lerr != nil {
			return nil, nil, &MissingToolError{Tool: "dbt"}
		}
		exe = path
	}
	l, lerr := ops.LaunchFor(e.cfg().DBT, exe, e.projectDir(), args, e.Environ, quiet, e.LookPath)
	if lerr != nil {
		var md *ops.MissingDockerError
		if errors.As(lerr, &md) {
			return nil, nil, &MissingToolError{Tool: md.CLI}
		}
		return nil, nil, lerr
	}
	env := append(append([]string(nil), e.Environ...), l.Env...)
	return e.Runner.Run(ctx, Command{Path: l.Path, Args: l.Args, Dir: e.projectDir(), Env: env})
}

// dbtElsewhere reports whether datatui.yml runs dbt in Docker or through a wrapper, rather
// than a dbt installed on the machine.
func (e *Env) dbtElsewhere() bool {
	d := e.cfg().DBT
	return d.Docker.Enabled() || len(d.Wrapper) > 0
}

// hasDBT reports whether the dbt datatui runs is there: docker for the team's image, the
// wrapper, or dbt on PATH.
func (e *Env) hasDBT() bool {
	d := e.cfg().DBT
	switch {
	case d.Docker.Enabled():
		return e.has(d.Docker.Executable())
	case len(d.Wrapper) > 0:
		return true
	}
	_, err := e.DBTPath()
	return err == nil
}

// adapter is the dbt adapter the team needs: datatui.yml's onboarding.adapter, else the
// type of the dev target when there is one.
func (e *Env) adapter() string {
	if a := e.cfg().Onboarding.Adapter; a != "" {
		return a
	}
	if st := e.readProjectProfile(); st.found {
		return st.t.get("type")
	}
	return ""
}

func failFixableIf(fix bool, checked, detail string) Result {
	r := fail(checked, detail)
	r.Fixable = fix
	return r
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// repoFromRemote reads owner/name from a GitHub remote URL in any form git accepts.
func repoFromRemote(remote string) string {
	r := strings.TrimSpace(remote)
	r = strings.TrimSuffix(strings.TrimSuffix(r, "/"), ".git")
	if i := strings.Index(r, "://"); i >= 0 {
		r = r[i+3:]
		if j := strings.IndexByte(r, '/'); j >= 0 {
			r = r[j+1:]
		}
	} else if i := strings.IndexByte(r, ':'); i >= 0 {
		r = r[i+1:]
	}
	parts := strings.Split(r, "/")
	if len(parts) < 2 {
		return ""
	}
	return parts[len(parts)-2] + "/" + parts[len(parts)-1]
}
