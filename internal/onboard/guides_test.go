package onboard

import (
	"testing"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/workspace"
)

// TestStepGuidesExist: every step points at a guide of the handbook (and a heading in it),
// so "open the guide" never lands on nothing.
func TestStepGuidesExist(t *testing.T) {
	lib := guides.Embedded()
	duckdb := &Env{Workspace: &workspace.Workspace{Config: &config.Config{Onboarding: config.Onboarding{Adapter: "duckdb"}}}}
	for _, s := range append(Steps(&Env{}), Steps(duckdb)...) {
		g, ok := lib.Get(s.Guide)
		if !ok {
			t.Errorf("step %s: no guide %q", s.Name, s.Guide)
			continue
		}
		if s.Anchor != "" && g.Heading(s.Anchor) == nil {
			t.Errorf("step %s: guide %s has no heading #%s", s.Name, s.Guide, s.Anchor)
		}
	}
}
