package confirm

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/ui/styles"
)

func TestAnswers(t *testing.T) {
	d := &Dialog{ID: "drop", Title: "Drop schema DBT_ANA_OLD?"}
	tests := []struct {
		msg  tea.Msg
		want Action
	}{
		{tea.KeyPressMsg{Code: 'y', Text: "y"}, Yes},
		{tea.KeyPressMsg{Code: tea.KeyEnter}, Yes},
		{tea.KeyPressMsg{Code: 'n', Text: "n"}, No},
		{tea.KeyPressMsg{Code: tea.KeyEscape}, No},
		{tea.KeyPressMsg{Code: 'q', Text: "q"}, No},
		{tea.KeyPressMsg{Code: 'j', Text: "j"}, None},
		{tea.KeyPressMsg{Code: ' ', Text: " "}, None},
		{tea.MouseClickMsg{}, None},
	}
	for _, tt := range tests {
		if got := d.Update(tt.msg); got != tt.want {
			t.Errorf("%v: %v, want %v", tt.msg, got, tt.want)
		}
	}
}

func TestViewWrapsInsteadOfCutting(t *testing.T) {
	st := styles.New(true, true)
	long := "Everything in SANDBOX_ANA_WITH_A_VERY_LONG_NAME is replaced by a fresh clone of ANALYTICS_CLONE; tables you built since the last refresh are lost."
	d := &Dialog{Title: "Refresh SANDBOX_ANA?", Lines: []string{long}, Verb: "refresh"}
	lines := d.View(st, 40)
	plain := ansi.Strip(strings.Join(lines, "\n"))
	if strings.Contains(plain, "…") {
		t.Fatalf("dialog cut a fact:\n%s", plain)
	}
	if !strings.Contains(strings.Join(strings.Fields(plain), " "), strings.Join(strings.Fields(long), " ")) {
		t.Fatalf("a fact was lost:\n%s", plain)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > 40 {
			t.Fatalf("line wider than the pane: %q", l)
		}
	}
	if !strings.Contains(plain, "y refresh") || !strings.Contains(plain, "n/esc cancel") {
		t.Fatalf("keys missing:\n%s", plain)
	}
}
