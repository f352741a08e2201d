package onboard

import (
	"strings"
	"testing"
)

func TestResolveAll(t *testing.T) {
	steps := Steps(&Env{})
	find := func(name string) *Step { s, _ := Find(steps, name); return s }
	network := "The server did not answer in time."
	outcomes := []Outcome{
		{find(StepTools), blockedBy("", "")}, // replaced below
		{find(StepGitHub), blockedBy(StepTools, "git is not installed")},
		{find(StepProfile), ok("", "dev target")},
		{find(StepWarehouse), Result{Status: StatusFail, Detail: network, Raw: "dial tcp: i/o timeout"}},
		{find(StepSandbox), Result{Status: StatusFail, Detail: network, Raw: "dial tcp: i/o timeout"}},
		{find(StepDeps), ok("", "packages installed")},
		{find(StepDebug), fail("", "dbt debug: connection failed")},
		{find(StepFirstBuild), fixable(fail("", "not built yet"))},
	}
	outcomes[0].Result = fail("", "git is not installed")
	got := map[string]Result{}
	for _, o := range ResolveAll(outcomes) {
		got[o.Step.Name] = o.Result
	}
	tests := []struct {
		step, status, by, detail, raw string
	}{
		{StepTools, "fail", "", "git is not installed", ""},
		{StepGitHub, "blocked", StepTools, `Waits for step 1, "Install the tools" (git is not installed)`, ""},
		{StepProfile, "ok", "", "dev target", ""},
		{StepWarehouse, "fail", "", network, "dial tcp: i/o timeout"},
		// The sandbox does not repeat the warehouse's network error.
		{StepSandbox, "blocked", StepWarehouse, `Waits for step 5, "Warehouse login and role": do that step first`, "dial tcp: i/o timeout"},
		{StepDebug, "fail", "", "dbt debug: connection failed", ""},
		// The first blocker in the order of its needs: the sandbox.
		{StepFirstBuild, "blocked", StepSandbox, `Waits for step 6, "Your sandbox exists"`, "not built yet"},
	}
	for _, tt := range tests {
		r := got[tt.step]
		if string(r.Status) != tt.status || r.BlockedBy != tt.by || !strings.Contains(r.Detail, tt.detail) || r.Raw != tt.raw {
			t.Errorf("%s: %+v\nwant %s by %q, %q, raw %q", tt.step, r, tt.status, tt.by, tt.detail, tt.raw)
		}
		if r.Status == StatusBlocked && r.Fixable {
			t.Errorf("%s: a blocked step offers its fix", tt.step)
		}
	}
}

func TestNext(t *testing.T) {
	steps := Steps(&Env{})
	results := map[string]Result{}
	known := func(n string) (Result, bool) { r, ok := results[n]; return r, ok }
	for _, s := range steps {
		if s.Name != StepGuide {
			results[s.Name] = ok("", "")
		}
	}
	if n := Next(steps, known); n == nil || n.Name != StepGuide {
		t.Errorf("only the optional guide left: next %v", n)
	}
	results[StepDeps] = fail("", "")
	if n := Next(steps, known); n == nil || n.Name != StepDeps {
		t.Errorf("a required step comes before the optional one: next %v", n)
	}
	delete(results, StepTools) // not checked yet: still to do
	if n := Next(steps, known); n == nil || n.Name != StepTools {
		t.Errorf("next %v, want tools", n)
	}
	for _, s := range steps {
		results[s.Name] = skip("", "")
	}
	if n := Next(steps, known); n != nil {
		t.Errorf("all done: next %v", n.Name)
	}
}
