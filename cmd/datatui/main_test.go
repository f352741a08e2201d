package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestMain lets testscript run this binary as the "datatui" command inside scripts.
func TestMain(m *testing.M) {
	testscript.Main(removingBuilt{m}, map[string]func(){
		"datatui": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the CLI scripts in testdata/script. Each script gets a fresh HOME and
// XDG_STATE_HOME inside its work dir, so no user state is read or written.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("HOME", env.WorkDir+"/home")
			env.Setenv("XDG_STATE_HOME", env.WorkDir+"/state")
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/config")
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GORACE", childGORACE())
			for _, setup := range scriptSetups {
				if err := setup(env); err != nil {
					return err
				}
			}
			return nil
		},
		// [fixtures] guards lines that replay the shared real-dbt recordings; with
		// DATATUI_REQUIRE_FIXTURES set their absence fails instead of skipping.
		Condition: func(cond string) (bool, error) {
			if cond != "fixtures" {
				return false, fmt.Errorf("unknown condition %q", cond)
			}
			if fixtures.Root() == "" && os.Getenv(fixtures.EnvRequire) != "" {
				return false, fmt.Errorf("shared fixtures not found and %s is set", fixtures.EnvRequire)
			}
			return fixtures.Root() != "", nil
		},
		RequireExplicitExec: true,
		Cmds:                scriptCmds,
	})
}

// builtDir is the folder the tests built a program into (the release binary, see
// datatuiBinary); it is removed when the tests end, so runs do not pile up binaries of a
// hundred megabytes in the temporary folder.
var builtDir string

// removingBuilt runs the tests, then removes builtDir.
type removingBuilt struct{ m *testing.M }

func (r removingBuilt) Run() int {
	code := r.m.Run()
	if builtDir != "" {
		os.RemoveAll(builtDir)
	}
	return code
}

// childGORACE is GORACE for the test binary when a script or test runs it as "datatui". Under
// -race each process otherwise sleeps a second before it exits (the race runtime's
// atexit_sleep_ms, 1000 by default, waits for late reports from other goroutines); a command
// here has returned from run by then, so its races were reported, and the scripts run hundreds
// of commands. Options the caller set in GORACE are kept after it.
func childGORACE() string {
	return strings.TrimSpace("atexit_sleep_ms=0 " + os.Getenv("GORACE"))
}

// cmdExitCode runs a program and asserts its exit status: `exitcode 2 datatui frobnicate`.
// testscript's exec only tells success from failure, and datatui's codes carry meaning
// (2 usage, 8 pending).
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// scriptCmds are the scripts' own commands; feature tests add theirs from their _test.go
// files, as with scriptSetups.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"exitcode": cmdExitCode,
}

// scriptSetups are extra per-script setup steps (fake servers, stand-in executables) that
// feature tests append to from their own _test.go files' TestMain-free init-time variables.
var scriptSetups []func(*testscript.Env) error
