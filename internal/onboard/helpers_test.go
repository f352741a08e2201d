package onboard

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/workspace"
)

// dbtVersionOutput is `dbt --version` of dbt-core 1.8 with one plugin, as dbt prints it.
func dbtVersionOutput(core, plugin, pluginVersion string) string {
	return `Core:
  - installed: ` + core + `
  - latest:    1.9.1 - Update available!

  Your version of dbt-core is out of date!
  You can find instructions for upgrading here:
  https://docs.getdbt.com/docs/installation

Plugins:
  - ` + plugin + `: ` + pluginVersion + ` - Up to date!

`
}

// testEnv is a machine for one test: a temp HOME, a bin folder that is the whole PATH, and a
// dbt project with datatui.yml.
type testEnv struct {
	t       testing.TB
	home    string
	bin     string
	project string
	env     *Env
	now     time.Time
}

type envOpts struct {
	datatui  string // datatui.yml content ("" = a default for snowflake)
	project  string // dbt_project.yml content
	realGit  bool   // link the real git into PATH
	extraEnv []string
}

func newTestEnv(t testing.TB, o envOpts) *testEnv {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("stand-in tools are shell scripts")
	}
	root := t.TempDir()
	te := &testEnv{t: t, home: filepath.Join(root, "home"), bin: filepath.Join(root, "bin"), project: filepath.Join(root, "repo"), now: time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)}
	for _, d := range []string{te.home, te.bin, te.project} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if o.project == "" {
		o.project = "name: shop\nprofile: shop\nrequire-dbt-version: [\">=1.8.0\", \"<2.0.0\"]\n"
	}
	if o.datatui == "" {
		o.datatui = "warehouse:\n  prod_database: ANALYTICS\n  clone_database: ANALYTICS_CLONE\n  sandbox_pattern: SANDBOX_{user}\n  contributor_role: TRANSFORMER\ndbt:\n  starter_model: stg_users\ngithub:\n  repo: acme/analytics\nonboarding:\n  adapter: snowflake\n"
	}
	te.write("repo/dbt_project.yml", o.project)
	te.write("repo/datatui.yml", o.datatui)
	if o.realGit {
		git, err := exec.LookPath("git")
		if err != nil {
			t.Skip("git not installed")
		}
		if err := os.Symlink(git, filepath.Join(te.bin, "git")); err != nil {
			t.Fatal(err)
		}
	}
	// The stand-in scripts need a few basic utilities; they live in their own folder on PATH,
	// none of them a tool the checks look for.
	sys := filepath.Join(root, "sys")
	os.MkdirAll(sys, 0o755)
	for _, u := range []string{"cat", "mkdir", "touch", "sleep", "chmod", "basename", "dirname"} {
		if p, err := exec.LookPath(u); err == nil {
			os.Symlink(p, filepath.Join(sys, u))
		}
	}
	te.env = &Env{
		Environ: append([]string{"HOME=" + te.home, "PATH=" + te.bin + string(os.PathListSeparator) + sys, "GIT_CONFIG_NOSYSTEM=1", "XDG_CONFIG_HOME=" + filepath.Join(te.home, ".config")}, o.extraEnv...),
		GOOS:    "linux",
		Runner:  ExecRunner{},
		Now:     func() time.Time { return te.now },
	}
	te.reopen()
	return te
}

// reopen re-discovers the workspace (after the test changed the project or made it a repo).
func (te *testEnv) reopen() {
	te.t.Helper()
	ws, err := workspace.Open(workspace.Options{Project: te.project, StateHome: filepath.Join(te.home, ".local", "state", "datatui")})
	if err != nil {
		te.t.Fatal(err)
	}
	te.env.Workspace = ws
}

// write creates a file relative to the test root (the parent of home, bin and repo).
func (te *testEnv) write(rel, content string) string {
	te.t.Helper()
	p := filepath.Join(filepath.Dir(te.home), filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		te.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		te.t.Fatal(err)
	}
	return p
}

// tool installs a stand-in executable: a shell script with body.
func (te *testEnv) tool(name, body string) {
	te.t.Helper()
	p := filepath.Join(te.bin, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		te.t.Fatal(err)
	}
}

// fakeDBT installs a dbt that prints version output for --version and runs script for the
// other commands ("$1" is the command).
func (te *testEnv) fakeDBT(versionOut, script string) {
	te.t.Helper()
	te.write("fixtures/dbt-version.txt", versionOut)
	te.tool("dbt", `if [ "$1" = "--version" ]; then cat "`+filepath.Join(filepath.Dir(te.home), "fixtures", "dbt-version.txt")+`"; exit 0; fi
`+script)
}

func (te *testEnv) check(name string) Result {
	te.t.Helper()
	s, ok := Find(Steps(te.env), name)
	if !ok {
		te.t.Fatalf("no step %s", name)
	}
	return s.RunCheck(context.Background())
}

func (te *testEnv) git(args ...string) {
	te.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = te.project
	cmd.Env = append(te.env.Environ[:len(te.env.Environ):len(te.env.Environ)], "PATH="+os.Getenv("PATH"), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@x", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@x")
	if out, err := cmd.CombinedOutput(); err != nil {
		te.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func assertStatus(t testing.TB, r Result, want Status, detailParts ...string) {
	t.Helper()
	if r.Status != want {
		t.Errorf("status %s, want %s (detail: %s; checked: %s)", r.Status, want, r.Detail, r.Checked)
	}
	for _, p := range detailParts {
		if !strings.Contains(r.Detail+" | "+r.Checked, p) {
			t.Errorf("detail %q / checked %q lacks %q", r.Detail, r.Checked, p)
		}
	}
}

// reopenAllowingErrors re-discovers the workspace, keeping it when datatui.yml is broken.
func (te *testEnv) reopenAllowingErrors() {
	te.t.Helper()
	ws, _ := workspace.Open(workspace.Options{Project: te.project, StateHome: filepath.Join(te.home, ".local", "state", "datatui")})
	if ws == nil {
		te.t.Fatal("no workspace")
	}
	te.env.Workspace = ws
}
