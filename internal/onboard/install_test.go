package onboard

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlanDBTInstall: the installer is uv when there, else pipx, else datatui's venv; the
// adapter and version come from datatui.yml or the profile.
func TestPlanDBTInstall(t *testing.T) {
	cases := []struct {
		name    string
		tools   []string
		datatui string
		project string
		want    string
		wantErr string
		from    string
	}{
		{name: "uv", tools: []string{"uv", "pipx", "python3"}, datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: 1.9.4\n",
			want: "uv tool install dbt-core==1.9.4 --with dbt-snowflake", from: "datatui.yml"},
		{name: "pipx", tools: []string{"pipx", "python3"}, datatui: "onboarding:\n  adapter: duckdb\n  dbt_version: 1.9.4\n",
			want: "pipx install dbt-core==1.9.4 && pipx inject dbt-core dbt-duckdb"},
		{name: "venv", tools: []string{"python3"}, datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: 1.9.4\n",
			want: "python3 -m venv HOME/.local/share/datatui/dbt-venv && HOME/.local/share/datatui/dbt-venv/bin/python -m pip install dbt-core==1.9.4 dbt-snowflake"},
		{name: "constraint kept for pip", tools: []string{"uv"}, datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: \">=1.8.0, <2.0.0\"\n",
			want: "uv tool install 'dbt-core>=1.8.0,<2.0.0' --with dbt-snowflake"},
		{name: "require-dbt-version when datatui.yml has none", tools: []string{"uv"}, datatui: "onboarding:\n  adapter: snowflake\n", project: "name: shop\nprofile: shop\nrequire-dbt-version: \">=1.7.0\"\n",
			want: "uv tool install 'dbt-core>=1.7.0' --with dbt-snowflake"},
		{name: "no version at all", tools: []string{"uv"}, datatui: "onboarding:\n  adapter: snowflake\n", project: "name: shop\nprofile: shop\n",
			want: "uv tool install dbt-core --with dbt-snowflake"},
		{name: "adapter from the profile", tools: []string{"uv"}, datatui: "dbt:\n  target: dev\n", project: "name: shop\nprofile: shop\n",
			want: "uv tool install dbt-core --with dbt-duckdb", from: "profile"},
		{name: "bad version", tools: []string{"uv"}, datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: latest\n", wantErr: "not a version"},
		{name: "nothing to install with", tools: nil, datatui: "onboarding:\n  adapter: snowflake\n", wantErr: "install uv"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			te := newTestEnv(t, envOpts{datatui: c.datatui, project: c.project})
			te.write("home/.dbt/profiles.yml", "shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: x.duckdb\n")
			for _, tool := range c.tools {
				te.tool(tool, "exit 0")
			}
			plan, err := te.env.PlanDBTInstall()
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.ReplaceAll(plan.Describe(), te.home, "HOME"); got != c.want {
				t.Errorf("plan\n %s\nwant\n %s", got, c.want)
			}
			if c.from != "" && !strings.Contains(plan.AdapterFrom, c.from) {
				t.Errorf("adapter from %q, want %q", plan.AdapterFrom, c.from)
			}
			if strings.Contains(plan.Describe(), "--user") {
				t.Error("never pip install --user")
			}
		})
	}
}

// standIns writes installers that record their argv in HOME/argv.log, print what the real
// tools print, and put a dbt (reporting version and adapter) where the real ones do.
func standIns(te *testEnv, dbtBin string) {
	te.write("fixtures/dbt-version.txt", dbtVersionOutput("1.9.4", "snowflake", "1.9.1"))
	fake := te.write("fixtures/dbt", "#!/bin/sh\nif [ \"$1\" = --version ]; then cat "+filepath.Join(filepath.Dir(te.home), "fixtures", "dbt-version.txt")+"; fi\n")
	mkDBT := `mkdir -p ` + dbtBin + ` && cat ` + fake + ` > ` + dbtBin + `/dbt && chmod +x ` + dbtBin + `/dbt`
	log := `echo "$(basename "$0") $*" >> "$HOME/argv.log"`
	te.tool("uv", log+`
echo "Resolved 27 packages in 812ms" >&2
echo "Prepared 27 packages in 3.02s" >&2
echo "Installed 27 packages in 41ms" >&2
echo " + dbt-core==1.9.4" >&2
echo " + dbt-snowflake==1.9.1" >&2
echo "Installed 1 executable: dbt"
`+mkDBT)
	te.tool("pipx", log+`
if [ "$1" = install ]; then
  echo "  installed package dbt-core 1.9.4, installed using Python 3.12.3"
  echo "  These apps are now globally available"
  echo "    - dbt"
  `+mkDBT+`
else
  echo "  injected package dbt-snowflake into venv dbt-core"
fi
echo "done! ✨ 🌟 ✨"`)
	// python3 -m venv DIR creates DIR/bin/python, whose pip install puts dbt in DIR/bin.
	te.tool("python3", log+`
venv="$3"
mkdir -p "$venv/bin"
printf '#!/bin/sh\necho "$0 $*" >> "$HOME/argv.log"\necho "Collecting dbt-core==1.9.4"\necho "Successfully installed agate-1.9.1 dbt-core-1.9.4 dbt-snowflake-1.9.1"\nd=$(dirname "$0")\ncat `+fake+` > "$d/dbt"; chmod +x "$d/dbt"\n' > "$venv/bin/python"
chmod +x "$venv/bin/python"`)
}

// TestInstallDBT runs the tools step's fix with each installer's stand-in: the exact argv,
// the output streamed, and the step passing when checked again.
func TestInstallDBT(t *testing.T) {
	for _, c := range []struct {
		installer string
		tools     []string
		wantArgv  string
	}{
		{InstallerUV, []string{"uv", "pipx", "python3"}, "uv tool install dbt-core==1.9.4 --with dbt-snowflake\n"},
		{InstallerPipx, []string{"pipx", "python3"}, "pipx install dbt-core==1.9.4\npipx inject dbt-core dbt-snowflake\n"},
		{InstallerVenv, []string{"python3"}, "python3 -m venv HOME/.local/share/datatui/dbt-venv\nHOME/.local/share/datatui/dbt-venv/bin/python -m pip install dbt-core==1.9.4 dbt-snowflake\n"},
	} {
		t.Run(c.installer, func(t *testing.T) {
			te := newTestEnv(t, envOpts{datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: 1.9.4\n", extraEnv: []string{"EDITOR=vim"}})
			standIns(te, te.bin)
			for _, tool := range []string{"uv", "pipx", "python3"} {
				found := false
				for _, w := range c.tools {
					found = found || w == tool
				}
				if !found {
					os.Remove(filepath.Join(te.bin, tool))
				}
			}
			te.tool("git", "echo git version 2.43.0")
			before := te.check(StepTools)
			assertStatus(t, before, StatusFail, "dbt is not installed", "the fix runs")
			if !before.Fixable {
				t.Fatal("a missing dbt must be fixable")
			}
			s, _ := Find(Steps(te.env), StepTools)
			conf, err := s.Confirm()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(strings.Join(conf.Lines, "\n"), "dbt-core==1.9.4") {
				t.Errorf("confirmation does not say the command: %+v", conf)
			}
			var lines []string
			ctx := WithOutput(context.Background(), func(l string) { lines = append(lines, l) })
			if err := s.Fix(ctx, nil); err != nil {
				t.Fatalf("fix: %v\n%s", err, strings.Join(lines, "\n"))
			}
			argv, _ := os.ReadFile(filepath.Join(te.home, "argv.log"))
			if got := strings.ReplaceAll(string(argv), te.home, "HOME"); got != c.wantArgv {
				t.Errorf("argv\n%s\nwant\n%s", got, c.wantArgv)
			}
			out := strings.Join(lines, "\n")
			if !strings.HasPrefix(out, "$ ") || !strings.Contains(out, "1.9.4") {
				t.Errorf("output not streamed:\n%s", out)
			}
			after := te.check(StepTools)
			assertStatus(t, after, StatusOK, "dbt 1.9.4", "snowflake 1.9.1")
		})
	}
}

// TestInstallDBTFailure: a failing install returns the command and its output in full.
func TestInstallDBTFailure(t *testing.T) {
	te := newTestEnv(t, envOpts{datatui: "onboarding:\n  adapter: snowflake\n  dbt_version: 1.9.4\n"})
	te.tool("uv", `echo "  × No solution found when resolving tool dependencies:" >&2
echo "  ╰─▶ Because dbt-core==1.9.4 depends on Python>=3.9 and you require dbt-core==1.9.4, we can conclude that your requirements are unsatisfiable." >&2
exit 1`)
	s, _ := Find(Steps(te.env), StepTools)
	err := s.Fix(context.Background(), nil)
	if err == nil {
		t.Fatal("want an error")
	}
	for _, want := range []string{"uv tool install dbt-core==1.9.4 --with dbt-snowflake failed", "No solution found", "requirements are unsatisfiable"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// TestInstalledVenvDBTIsFound: the venv's dbt is the one datatui runs when none is on PATH.
func TestInstalledVenvDBTIsFound(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	if _, err := te.env.DBTPath(); err == nil {
		t.Fatal("no dbt yet")
	}
	p := filepath.Join(te.home, ".local", "share", "datatui", "dbt-venv", "bin", "dbt")
	te.write("home/.local/share/datatui/dbt-venv/bin/dbt", "#!/bin/sh\n")
	os.Chmod(p, 0o755)
	got, err := te.env.DBTPath()
	if err != nil || got != p {
		t.Fatalf("DBTPath = %q, %v; want %q", got, err, p)
	}
}
