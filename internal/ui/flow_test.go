package ui

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/screens/runs"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

// TestDBTRunStreamsToDone runs the real program with the real Runs screen and dbt's stand-in
// replaying a recorded `dbt build` (one pass, one warning, one error, one skip): the run is
// seen running, then finished with dbt's own summary, and Home's runs card, which said there
// were no runs, lists it without a refresh.
func TestDBTRunStreamsToDone(t *testing.T) {
	exe := filepath.Join(t.TempDir(), "dbt")
	if out, err := exec.Command("go", "build", "-o", exe, "../ops/testdata/fakedbt").CombinedOutput(); err != nil {
		t.Fatalf("building the dbt stand-in: %v\n%s", err, out)
	}
	stream, err := filepath.Abs("../ops/testdata/streams/build-skip.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(ops.EnvDBT, exe)
	t.Setenv("FAKEDBT_STREAM", stream)
	t.Setenv("FAKEDBT_SCALE", "1") // recorded gaps, capped: long enough to be seen running
	t.Setenv("FAKEDBT_MAX_DELAY", "30ms")
	ws, err := demo.Discover(workspace.Options{StateHome: t.TempDir()}, true)
	if err != nil {
		t.Fatal(err)
	}
	m := New(t.Context(), ws, Options{
		NoColor: true, Theme: "dark", Info: fixedInfo,
		Screens: func(c *common.Common) []common.Screen {
			cards := []home.Card{{Title: "dbt runs", Screen: "runs", Load: byWorkspace(runs.CardLines), Topic: common.TopicRuns}}
			return []common.Screen{home.New(c, cards), runs.New(c)}
		},
	})
	rec := uitest.Record(m)
	tm := teatest.NewTestModel(t, rec, teatest.WithInitialTermSize(120, 40),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	const wait = 20 * time.Second
	rec.WaitFor(t, wait, "No dbt runs yet")

	tm.Send(common.RunDBTMsg{Args: []string{"build"}})
	rec.WaitFor(t, wait, "dbt build", "● running")
	rec.WaitFor(t, wait, "failed (exit 1)", "PASS=1 WARN=1 ERROR=1 SKIP=1 TOTAL=4")
	uitest.WaitIdle(t, m.c.Tasks, wait)

	tm.Send(uitest.KeyMsg("1"))
	rec.WaitFor(t, wait, "✗ dbt build · ")
	tm.Send(uitest.KeyMsg("q"))
	final := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*uitest.Recorder).Model.(*Model).Render())
	if strings.Contains(final, "No dbt runs yet") || !strings.Contains(final, "✗ dbt build · ") || !strings.Contains(final, "PASS=1 WARN=1 ERROR=1") {
		t.Fatalf("Home after the run:\n%s", final)
	}
}
