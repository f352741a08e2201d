//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/ops"
)

// These tests run the real datatui binary as separate processes, against the dbt stand-in,
// and treat it as a user's terminal would: real signals, many processes at once.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// datatuiBinary builds the datatui binary once per test run, the way a release is built
// (scripts/release-build.sh: static on linux/amd64), so these tests run what users install.
func datatuiBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "datatui-bin-")
		if err != nil {
			binErr = err
			return
		}
		builtDir, binPath = dir, filepath.Join(dir, "datatui")
		if out, err := exec.Command("bash", "../../scripts/release-build.sh", binPath).CombinedOutput(); err != nil {
			binErr = fmt.Errorf("release build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// runProject is a dbt project whose dev target is a local DuckDB sandbox.
var runProject = map[string]string{
	"dbt_project.yml": "name: shop\nprofile: shop\n",
	"profiles.yml":    "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: warehouse/sandbox.duckdb, schema: main}\n    prod: {type: duckdb, path: warehouse/prod.duckdb, schema: main}\n",
	"datatui.yml":     "version: 1\nwarehouse:\n  prod_database: prod\n  clone_database: clone\n",
}

// processEnv makes a project and a private HOME and state folder, and returns the
// environment datatui runs with: the dbt stand-in replays stream.
func processEnv(t *testing.T, stream string, extra ...string) (env []string, dir string) {
	t.Helper()
	dir = t.TempDir()
	for name, body := range runProject {
		p := filepath.Join(dir, "proj", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fake, err := buildFakeDBT()
	if err != nil {
		t.Fatal(err)
	}
	streams, _ := filepath.Abs("../../internal/ops/testdata/streams")
	env = append(os.Environ(),
		"HOME="+filepath.Join(dir, "home"), "XDG_STATE_HOME="+filepath.Join(dir, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(dir, "config"), "NO_COLOR=1",
		"DATATUI_DBT="+fake, "FAKEDBT_STREAM="+filepath.Join(streams, stream))
	return append(env, extra...), dir
}

// history reads the run history datatui keeps for the project under dir.
func history(t *testing.T, dir string) []ops.HistoryEntry {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "state", "datatui", "repos", "*", ops.HistoryFile))
	if len(files) != 1 {
		t.Fatalf("history files: %v", files)
	}
	h, err := ops.LoadHistory(filepath.Dir(files[0]), 0)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// gone reports whether process pid has ended (a zombie waiting for its parent counts).
func gone(pid int) bool {
	if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
		return true
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	_, after, _ := strings.Cut(string(b), ") ")
	return strings.HasPrefix(after, "Z")
}

func waitPID(t *testing.T, file string) int {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if b, err := os.ReadFile(file); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				return pid
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", file)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHangupCancelsRunCLI: closing the terminal (SIGHUP) during `datatui run` interrupts dbt
// as ctrl+c does, stops dbt's children, and records the run in the history as cancelled.
func TestHangupCancelsRunCLI(t *testing.T) {
	childPID := filepath.Join(t.TempDir(), "child.pid")
	env, dir := processEnv(t, "build-skip.jsonl",
		"FAKEDBT_HANG=3", "FAKEDBT_HANG_IGNORE=0", "FAKEDBT_CHILD_PID="+childPID)
	cmd := exec.Command(datatuiBinary(t), "--project", filepath.Join(dir, "proj"), "run", "--json", "--", "build")
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child := waitPID(t, childPID) // dbt is running, with a child of its own
	if err := cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("datatui did not end after SIGHUP:\n%s", out.String())
	}
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Errorf("exit code %d, want dbt's 130 (interrupted)\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), `"cancelled":true`) {
		t.Errorf("the run did not end as cancelled:\n%s", out.String())
	}
	if !gone(child) {
		syscall.Kill(child, syscall.SIGKILL)
		t.Error("dbt's child outlived the hangup")
	}
	h := history(t, dir)
	if len(h) != 1 || !h[0].Cancelled || h[0].Command != "build" {
		t.Errorf("history %+v, want one cancelled build", h)
	}
}

// TestConcurrentRunsKeepHistory: 30 `datatui run` started at once in one project keep all 30
// runs in the history.
func TestConcurrentRunsKeepHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping 30 processes")
	}
	env, dir := processEnv(t, "run-ok-debug.jsonl")
	bin := datatuiBinary(t)
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(bin, "--project", filepath.Join(dir, "proj"), "run", "--", "run", "--select", fmt.Sprintf("model_%d", i))
			cmd.Env = env
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Sprintf("run %d: %v\n%s", i, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	h := history(t, dir)
	seen := map[string]bool{}
	for _, e := range h {
		seen[e.Selection] = true
	}
	if len(h) != n || len(seen) != n {
		t.Errorf("%d entries (%d distinct) in the history after %d concurrent runs", len(h), len(seen), n)
	}
}

// TestHangupCancelsRunTUI: the same in the terminal interface: a build started on the Runs
// screen, then the terminal window is closed (tmux kills the session: SIGHUP).
func TestHangupCancelsRunTUI(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the tmux end-to-end test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("tmux is required in CI")
		}
		t.Skip("tmux is not installed")
	}
	childPID := filepath.Join(t.TempDir(), "child.pid")
	env, dir := processEnv(t, "build-skip.jsonl",
		"FAKEDBT_HANG=3", "FAKEDBT_HANG_IGNORE=0", "FAKEDBT_CHILD_PID="+childPID)
	var vars []string
	for _, kv := range env[len(os.Environ()):] {
		vars = append(vars, strconv.Quote(kv))
	}
	tm := &tmux{t: t, socket: "datatui-hup-" + fmt.Sprint(os.Getpid()), session: "app"}
	defer tm.run("kill-server")
	cmdline := fmt.Sprintf("exec env %s %s --project %s --screen runs", strings.Join(vars, " "), datatuiBinary(t), filepath.Join(dir, "proj"))
	tm.run("new-session", "-d", "-s", tm.session, "-x", "120", "-y", "40", cmdline)
	tm.waitFor("Runs")
	pid, err := strconv.Atoi(strings.TrimSpace(tm.run("display-message", "-p", "-t", tm.session, "#{pane_pid}")))
	if err != nil {
		t.Fatal(err)
	}
	tm.keys(":")
	tm.waitFor("Command palette")
	tm.run("send-keys", "-t", tm.session, "-l", "dbt build (whole project)")
	tm.waitFor("dbt build (whole project)")
	tm.keys("Enter")
	child := waitPID(t, childPID)

	tm.run("kill-session", "-t", tm.session)
	deadline := time.Now().Add(30 * time.Second)
	for !gone(pid) {
		if time.Now().After(deadline) {
			t.Fatal("datatui did not end after its terminal closed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !gone(child) {
		syscall.Kill(child, syscall.SIGKILL)
		t.Error("dbt's child outlived the closed terminal")
	}
	h := history(t, dir)
	if len(h) != 1 || !h[0].Cancelled {
		t.Errorf("history %+v, want one cancelled run", h)
	}
}

// TestClosedStdoutEndsQuietly: `datatui ls | head` ends like git and gh when head has read
// enough, with SIGPIPE's status and nothing on stderr, though datatui catches SIGPIPE to stop
// a dbt run first.
func TestClosedStdoutEndsQuietly(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close() // the reader is gone before the first write
	dir := t.TempDir()
	cmd := exec.Command(datatuiBinary(t), "ls", "--manifest", filepath.Join("..", "..", "internal", "dbt", "testdata", "manifests", "shop", "manifest.json"))
	cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_STATE_HOME="+filepath.Join(dir, "state"), "NO_COLOR=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	err = cmd.Run()
	w.Close()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != exitClosedStdout {
		t.Fatalf("want exit status %d, got %v", exitClosedStdout, err)
	}
	if stderr.Len() > 0 {
		t.Fatalf("want nothing on stderr, got %q", stderr.String())
	}
}
