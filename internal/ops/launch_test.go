package ops

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// copyExe copies the dbt stand-in to dir/name (a new file, so DetectEngine asks it afresh).
func copyExe(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(fakeDBT)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func argLines(t *testing.T, file string) [][]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var a []string
		if err := json.Unmarshal([]byte(l), &a); err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		out = append(out, a)
	}
	return out
}

func TestDetectEngine(t *testing.T) {
	dir := t.TempDir()
	if e := DetectEngine(copyExe(t, dir, "dbtf")); e != EngineFusion {
		t.Errorf("dbtf: %v", e)
	}
	t.Setenv("FAKEDBT_VERSION", "dbt-fusion 2.0.0-preview.181")
	if e := DetectEngine(copyExe(t, t.TempDir(), "dbt")); e != EngineFusion {
		t.Errorf("a dbt whose --version says dbt-fusion: %v", e)
	}
	t.Setenv("FAKEDBT_VERSION", "Core:\n  - installed: 1.8.8")
	if e := DetectEngine(copyExe(t, t.TempDir(), "dbt")); e != EngineCore {
		t.Errorf("dbt-core's --version: %v", e)
	}
	// dbt-core's console script is recognised without being run.
	marker := filepath.Join(dir, "ran")
	script := filepath.Join(dir, "dbt")
	os.WriteFile(script, []byte("#!/home/u/.venv/bin/python3\n# -*- coding: utf-8 -*-\nimport sys\n"), 0o755)
	if e := DetectEngine(script); e != EngineCore {
		t.Errorf("python script: %v", e)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the python script was run")
	}
}

func TestFusionArgs(t *testing.T) {
	kept, dropped := FusionArgs([]string{"build", "--no-use-colors", "--select", "a", "--printer-width", "100", "--partial-parse", "--printer-width=80", "--target", "dev", "--log-format", "json"})
	if got := strings.Join(kept, " "); got != "build --select a --target dev --log-format json" {
		t.Errorf("kept %q", got)
	}
	if got := strings.Join(dropped, " "); got != "--no-use-colors --printer-width --partial-parse --printer-width" {
		t.Errorf("dropped %q", got)
	}
}

// TestRunFusion runs dbt Fusion (found as dbtf) on a Fusion log: only flags it understands
// reach it, progress never claims a total Fusion did not give, and the summary is right.
func TestRunFusion(t *testing.T) {
	r := newRunner(t, filepath.Join("testdata", "streams", "fusion-build.jsonl"), "FAKEDBT_EXIT=1")
	r.Executable = copyExe(t, t.TempDir(), "dbtf")
	rec := &recorder{}
	res := r.Run(context.Background(), []string{"build", "--no-use-colors", "--select", "stg_users+"}, rec.sink)
	if res.Engine != EngineFusion || res.ExitCode != 1 {
		t.Fatalf("engine %v exit %d err %v", res.Engine, res.ExitCode, res.Err)
	}
	got := argLines(t, filepath.Join(r.Dir, "args.jsonl"))[0]
	if slices.Contains(got, "--no-use-colors") || !slices.Contains(got, "--select") || !slices.Contains(got, "json") {
		t.Errorf("dbt Fusion got %q", got)
	}
	var note bool
	for _, e := range rec.events {
		if l, ok := e.(Line); ok && strings.Contains(l.Text, "--no-use-colors") {
			note = true
		}
	}
	if !note {
		t.Error("the dropped flag was not reported")
	}
	want := Summary{Pass: 1, Error: 1, Skip: 1, Reused: 1, Cancelled: 1, Total: 5}
	if res.Summary != want || res.Total != 5 {
		t.Errorf("summary %+v total %d", res.Summary, res.Total)
	}
	ps := rec.progress()
	if last := ps[len(ps)-1]; last.Done != 5 || last.Total != 5 {
		t.Errorf("last progress %+v", last)
	}
}

// fakeDocker links the stand-in as "docker" and returns it with its state folder.
func fakeDocker(t *testing.T) (cli, state string) {
	t.Helper()
	dir := t.TempDir()
	cli = filepath.Join(dir, "docker")
	if err := os.Symlink(fakeDBT, cli); err != nil {
		t.Fatal(err)
	}
	state = filepath.Join(dir, "containers")
	os.Mkdir(state, 0o700)
	return cli, state
}

func dockerRunner(t *testing.T, env ...string) (r *Runner, state, argsFile string) {
	t.Helper()
	cli, state := fakeDocker(t)
	r = newRunner(t, "/dev/null", env...)
	argsFile = filepath.Join(t.TempDir(), "docker-args.jsonl")
	r.Env = append(r.Env, "FAKEDOCKER_STATE="+state, "FAKEDOCKER_ARGS_FILE="+argsFile)
	r.Executable = "/nonexistent/dbt" // never used: dbt runs in the container
	r.DBT.Docker = config.Docker{Image: "ghcr.io/acme/dbt:1.8", CLI: cli}
	return r, state, argsFile
}

func TestDockerLaunchArguments(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".dbt"), 0o700)
	os.WriteFile(filepath.Join(home, ".dbt", "profiles.yml"), []byte("x: {}\n"), 0o600)
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	dir := t.TempDir()
	environ := []string{"HOME=" + home, "SNOWFLAKE_PASSWORD=hunter2", "DBT_PROFILES_DIR=/elsewhere", "DBT_PROJECT_DIR=/x"}
	cfg := config.DBT{Docker: config.Docker{Image: "ghcr.io/acme/dbt:1.8", Command: []string{"dbt"}, Mounts: []string{"~/.ssh:/root/.ssh:ro", "seeds-extra:/extra"},
		Env: []string{"SNOWFLAKE_PASSWORD", "DBT_TEAM=analytics"}, Network: "host", CLI: "docker"}}
	l, err := LaunchFor(cfg, "", dir, []string{"build", "--target", "dev", "--log-format", "json"}, environ, []string{"EXTRA=1", "DBT_PROFILES_DIR=" + filepath.Join(home, ".dbt")},
		func(string) (string, error) { return "/usr/bin/docker", nil })
	if err != nil {
		t.Fatal(err)
	}
	args := strings.Join(l.Args, " ")
	for _, want := range []string{
		"run --rm --init --name " + l.Container + " ",
		"-v " + dir + ":" + dir + " -w " + dir,
		"-v " + filepath.Join(home, ".dbt") + ":" + filepath.Join(home, ".dbt") + ":ro",
		"-e DBT_PROFILES_DIR", "-e SNOWFLAKE_PASSWORD", "-e DBT_TEAM", "-e EXTRA", "--network host",
		"-v " + filepath.Join(home, ".ssh") + ":/root/.ssh:ro", "-v " + filepath.Join(dir, "seeds-extra") + ":/extra",
		"ghcr.io/acme/dbt:1.8 dbt build --target dev --log-format json",
	} {
		if !strings.Contains(args, want) {
			t.Errorf("docker %s\nlacks %q", args, want)
		}
	}
	if !strings.HasPrefix(l.Container, "datatui-dbt-") || l.Path != "/usr/bin/docker" {
		t.Errorf("container %q path %q", l.Container, l.Path)
	}
	// Values travel in the environment, never in the command line.
	for i, a := range l.Args {
		if strings.Contains(a, "hunter2") || a == "-e" && strings.Contains(l.Args[i+1], "=") {
			t.Errorf("a value in docker's arguments: %s", args)
		}
	}
	if slices.Contains(l.Args, "DBT_PROJECT_DIR") {
		t.Error("the host's DBT_PROJECT_DIR reached the container")
	}
	if !slices.Contains(l.Env, "DBT_TEAM=analytics") || !slices.Contains(l.Env, "DBT_PROFILES_DIR="+filepath.Join(home, ".dbt")) {
		t.Errorf("env %q", l.Env)
	}
	if strings.Join(l.DBTArgs, " ") != "build --target dev --log-format json" {
		t.Errorf("dbt args %q", l.DBTArgs)
	}
	if _, err := LaunchFor(cfg, "", dir, nil, environ, nil, func(string) (string, error) { return "", os.ErrNotExist }); err == nil {
		t.Error("no error without docker")
	} else if me := (*MissingDockerError)(nil); !errors.As(err, &me) {
		t.Errorf("err %v", err)
	}
}

// TestDockerReplaysRecording runs a real recording through `docker run`: the same events,
// counts and artifacts as a local dbt, and no container left afterwards.
func TestDockerReplaysRecording(t *testing.T) {
	rec := fixtures.Path(t, "real-dbt/jaffle-build-error-skip")
	r, state, argsFile := dockerRunner(t, "FAKEDBT_RECORDING="+rec)
	res := r.Run(context.Background(), []string{"build"}, nil)
	if res.ExitCode != 1 || res.Container == "" {
		t.Fatalf("exit %d container %q err %v", res.ExitCode, res.Container, res.Err)
	}
	want, _ := artifactStatuses(t, rec)
	got := map[string]string{}
	for _, n := range res.Nodes {
		got[n.UniqueID] = n.Status
	}
	if len(got) != len(want) {
		t.Errorf("%d nodes, run_results.json has %d", len(got), len(want))
	}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %q, want %q", id, got[id], st)
		}
	}
	if res.RunResults == nil {
		t.Error("the container's run_results.json was not read")
	}
	calls := argLines(t, argsFile)
	if calls[0][0] != "run" || !slices.Contains(calls[0], "ghcr.io/acme/dbt:1.8") || !slices.Contains(calls[0], "FAKEDBT_RECORDING") {
		t.Errorf("docker %q", calls[0])
	}
	if entries, _ := os.ReadDir(state); len(entries) != 0 {
		t.Errorf("containers left: %v", entries)
	}
}

// TestDockerCancel: a cancel reaches dbt in the container (the docker CLI hands SIGINT on),
// and a container that does not stop is stopped with docker stop / kill / rm; none is left.
func TestDockerCancel(t *testing.T) {
	for _, proxy := range []bool{true, false} {
		t.Run("sig-proxy "+strconv.FormatBool(proxy), func(t *testing.T) {
			pidFile := filepath.Join(t.TempDir(), "child.pid")
			env := []string{"FAKEDBT_STREAM=" + mustAbs(t, filepath.Join("testdata", "streams", "build-skip.jsonl")), "FAKEDBT_HANG=5", "FAKEDBT_CHILD_PID=" + pidFile}
			if !proxy {
				env = append(env, "FAKEDOCKER_NO_PROXY=1")
			}
			r, state, argsFile := dockerRunner(t, env...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var sawCancelLine bool
			res := r.Run(ctx, []string{"build"}, func(e Event) {
				if l, ok := e.(Line); ok {
					if l.Text == "fakedbt: waiting" {
						cancel()
					}
					sawCancelLine = sawCancelLine || strings.Contains(l.Text, "Cancelling query")
				}
			})
			if !res.Cancelled || !errors.Is(res.Err, ErrCancelled) {
				t.Fatalf("cancelled %v err %v", res.Cancelled, res.Err)
			}
			if proxy && !sawCancelLine {
				t.Error("SIGINT did not reach dbt in the container")
			}
			var stopped bool
			for _, c := range argLines(t, argsFile)[1:] {
				if c[0] == "stop" || c[0] == "kill" || c[0] == "rm" {
					stopped = slices.Contains(c, res.Container)
				}
			}
			if !stopped {
				t.Error("the container was not stopped with docker stop/kill/rm")
			}
			if entries, _ := os.ReadDir(state); len(entries) != 0 {
				t.Errorf("containers left: %v", entries)
			}
			b, err := os.ReadFile(pidFile)
			if err != nil {
				t.Fatal(err)
			}
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			if !waitGone(pid) {
				t.Errorf("process %d of the container is still running", pid)
			}
		})
	}
}

func TestWrapper(t *testing.T) {
	r := newRunner(t, filepath.Join("testdata", "streams", "run-ok-debug.jsonl"))
	r.Executable = "/nonexistent/dbt"
	r.DBT.Wrapper = []string{fakeDBT, "--wrapped-by", "team-script"}
	res := r.Run(context.Background(), []string{"run"}, nil)
	if res.Err != nil || res.Executable != fakeDBT {
		t.Fatalf("err %v exe %q", res.Err, res.Executable)
	}
	if got := strings.Join(argLines(t, filepath.Join(r.Dir, "args.jsonl"))[0], " "); got != "--wrapped-by team-script run --target dev --log-format json" {
		t.Errorf("wrapper got %q", got)
	}
	r.DBT.Wrapper = []string{"no-such-wrapper-on-path"}
	if res := r.Run(context.Background(), []string{"run"}, nil); res.Err == nil || !strings.Contains(res.Err.Error(), "dbt.wrapper") {
		t.Errorf("missing wrapper: %v", res.Err)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
