//go:build unix

package demo

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// The crash tests run this test binary again as a datatui starting the demo, stop it at a
// named stage of the set-up and kill it there with SIGKILL, then start the demo again in the
// test and check that it is whole.
const demoHelperEnv = "DEMO_TEST_STOP_AT"

func TestMain(m *testing.M) {
	if stage := os.Getenv(demoHelperEnv); stage != "" {
		demoHook = func(s string) {
			if s == stage {
				fmt.Println("at", s)
				select {}
			}
		}
		_, err := Open(os.Args[len(os.Args)-1], "demo")
		fmt.Println("finished", err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// killDemoStartAt starts the demo in stateHome in another process and kills it at stage. It
// reports false when the start never reached stage.
func killDemoStartAt(t *testing.T, stateHome, stage string) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", stateHome)
	cmd.Env = append(os.Environ(), demoHelperEnv+"="+stage)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Signal(syscall.SIGKILL)
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatalf("the start at %q said nothing", stage)
	}
	return sc.Text() == "at "+stage
}

// assertWholeDemo checks a demo start that follows an interrupted one: the files are the
// embedded project, the repository is complete, nothing temporary is left.
func assertWholeDemo(t *testing.T, stateHome string) {
	t.Helper()
	ws, err := Open(stateHome, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if !ws.InGit || ws.Notice != "demo" {
		t.Fatalf("InGit=%v notice=%q", ws.InGit, ws.Notice)
	}
	dir := ws.Root
	if got := gitT(t, dir, "branch", "--show-current"); got != Branch {
		t.Errorf("branch %q", got)
	}
	if got := gitT(t, dir, "status", "--porcelain"); got != "M models/marts/growth/kpi_weekly.sql" {
		t.Errorf("status:\n%s", got)
	}
	if gitT(t, dir, "rev-parse", "origin/main") != gitT(t, dir, "rev-parse", "main") {
		t.Error("origin/main does not point at main")
	}
	files, _ := Files()
	tree := readTree(t, dir)
	for _, f := range files {
		if tree[f] != demoFileString(t, f) {
			t.Errorf("%s differs from the embedded file", f)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(dir))
	for _, e := range entries {
		if n := e.Name(); n != "project" && n != "project.lock" {
			t.Errorf("left beside the demo: %s", n)
		}
	}
}

// TestDemoFirstStartKilled kills the very first start of the demo at points across the whole
// set-up (writing the files, every git step, the final move) and checks that the next start
// recovers a whole demo.
func TestDemoFirstStartKilled(t *testing.T) {
	hermeticGit(t)
	stages := []string{
		"wrote models/marts/growth/kpi_weekly.sql", "git init", "git update-index",
		"git commit", "git ready", "project ready",
	}
	for _, stage := range stages {
		t.Run(strings.ReplaceAll(stage, "/", "_"), func(t *testing.T) {
			state := t.TempDir()
			if !killDemoStartAt(t, state, stage) {
				t.Fatalf("the start never reached %q", stage)
			}
			if _, err := os.Stat(filepath.Join(state, "demo", "project")); err == nil {
				t.Fatalf("a half-made demo is in place after a kill at %q", stage)
			}
			assertWholeDemo(t, state)
		})
	}
}

// TestDemoRefreshKilledKeepsUserWork: on a complete demo the user has committed on the branch
// and edited files; a start that refreshes the demo is killed half-way. The next start
// finishes the refresh and loses none of the user's work.
func TestDemoRefreshKilledKeepsUserWork(t *testing.T) {
	hermeticGit(t)
	state := t.TempDir()
	ws, err := Open(state, "demo")
	if err != nil {
		t.Fatal(err)
	}
	dir := ws.Root
	model := filepath.Join(dir, "models", "marts", "growth", "fct_offer_redemptions.sql")
	appendTo(t, model, "-- my change, committed\n")
	gitT(t, dir, "-c", "user.name=Ann", "-c", "user.email=ann@example.com", "commit", "--quiet", "-am", "My change")
	head := gitT(t, dir, "rev-parse", "HEAD")
	readme := filepath.Join(dir, "README.md")
	appendTo(t, readme, "my notes, not committed\n")
	myReadme, _ := os.ReadFile(readme)
	// Two demo files are missing (as after an update of datatui that adds them).
	files, _ := Files()
	var missing []string
	for _, f := range files {
		if strings.HasPrefix(f, "models/staging/") && len(missing) < 2 {
			missing = append(missing, f)
			os.Remove(filepath.Join(dir, filepath.FromSlash(f)))
		}
	}
	if !killDemoStartAt(t, state, "wrote "+missing[0]) {
		t.Fatal("the refresh never wrote the missing file")
	}
	ws, err = Open(state, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got := gitT(t, dir, "rev-parse", "HEAD"); got != head {
		t.Error("the user's commit is gone")
	}
	if b, _ := os.ReadFile(readme); string(b) != string(myReadme) {
		t.Error("the user's uncommitted edit is gone")
	}
	if !strings.Contains(ws.Notice, "kept your edits to 2 demo file(s)") {
		t.Errorf("notice %q", ws.Notice)
	}
	for _, f := range missing {
		if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f))); err != nil || string(b) != demoFileString(t, f) {
			t.Errorf("%s not restored", f)
		}
	}
}

// TestDemoRepairsHalfMadeGit: what an interrupted first start of an older datatui left (a .git
// with no commit, a changed file still at main's version) is repaired; an older complete
// repository is left as it is.
func TestDemoRepairsHalfMadeGit(t *testing.T) {
	hermeticGit(t)
	state := t.TempDir()
	dir := filepath.Join(state, "demo", "project")
	if _, err := Write(dir); err != nil {
		t.Fatal(err)
	}
	gitT(t, dir, "init", "--quiet")
	e := demoEdits()[0]
	path := filepath.Join(dir, filepath.FromSlash(e.file))
	want, _ := os.ReadFile(path)
	os.WriteFile(path, []byte(strings.Replace(string(want), e.onBranch, e.onMain, 1)), 0o644)
	assertWholeDemo(t, state)

	// A complete repository from before the completion mark: kept, and marked.
	os.Remove(filepath.Join(dir, ".git", demoGitMarker))
	head := gitT(t, dir, "rev-parse", "HEAD")
	assertWholeDemo(t, state)
	if gitT(t, dir, "rev-parse", "HEAD") != head {
		t.Error("a complete repository was made again")
	}
	if _, err := os.Stat(filepath.Join(dir, ".git", demoGitMarker)); err != nil {
		t.Error("not marked complete")
	}
}

func appendTo(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(text)
	f.Close()
}
