package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/workspace"
)

// TestFirstScreen: the first start in a project opens on the Onboarding tab; once the wizard
// has been opened (or a check recorded), the app opens where the user wants it.
func TestFirstScreen(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte("name: shop\nprofile: shop\n"), 0o644)
	ws, err := workspace.Open(workspace.Options{Project: dir, StateHome: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	demoWS, err := demo.Discover(workspace.Options{StateHome: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got := firstScreen("", ws, "prs"); got != "onboard" {
		t.Errorf("first start: %q, want onboard", got)
	}
	if got := firstScreen("lineage", ws, "prs"); got != "lineage" {
		t.Errorf("--screen: %q", got)
	}
	if got := firstScreen("", demoWS, ""); got != "" {
		t.Errorf("demo: %q, want Home", got)
	}
	if err := onboard.RecordOutcomes(ws, nil, time.Now(), true); err != nil {
		t.Fatal(err)
	}
	if got := firstScreen("", ws, "prs"); got != "prs" {
		t.Errorf("after onboarding began: %q, want the user's default", got)
	}
}
