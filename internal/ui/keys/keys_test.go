package keys

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

func TestDefaultsHaveNoConflicts(t *testing.T) {
	if err := Default().conflicts(); err != nil {
		t.Fatal(err)
	}
}

func TestApply(t *testing.T) {
	m := Default()
	if err := m.Apply(map[string][]string{"down": {"ctrl+j", "down"}, "palette": {"ctrl+p"}}); err != nil {
		t.Fatal(err)
	}
	ctrlJ := tea.KeyPressMsg{Code: 'j', Mod: tea.ModCtrl}
	if !key.Matches(ctrlJ, m.Nav.Down) {
		t.Fatal("ctrl+j does not move down after the override")
	}
	if key.Matches(tea.KeyPressMsg{Code: 'j', Text: "j"}, m.Nav.Down) {
		t.Fatal("j still moves down: overrides replace the keys")
	}
	if h := m.Nav.Down.Help(); h.Key != "ctrl+j/down" || h.Desc != "down" {
		t.Fatalf("help follows the override: %+v", h)
	}
	if !key.Matches(tea.KeyPressMsg{Code: 'p', Mod: tea.ModCtrl}, m.Global.Palette) {
		t.Fatal("palette override")
	}
}

func TestApplyRejectsAndChangesNothing(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string][]string
		err       string
	}{
		{"unknown", map[string][]string{"jump": {"x"}}, "keys.jump: no such action"},
		{"empty", map[string][]string{"down": {}}, "at least one key"},
		{"blank key", map[string][]string{"down": {"page down"}}, "not a key name"},
		{"clash with a global", map[string][]string{"down": {"q"}}, `"q" is bound to both quit and down`},
		{"two nav actions", map[string][]string{"up": {"j"}}, `"j" is bound to both`},
		{"screen digits", map[string][]string{"top": {"1"}}, "switches screens"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Default()
			err := m.Apply(tt.overrides)
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want %q", err, tt.err)
			}
			if !key.Matches(tea.KeyPressMsg{Code: 'j', Text: "j"}, m.Nav.Down) || !key.Matches(tea.KeyPressMsg{Code: 'k', Text: "k"}, m.Nav.Up) {
				t.Fatal("a rejected override changed the map")
			}
		})
	}
}

func TestNamesCoverEveryBinding(t *testing.T) {
	names := Names()
	if len(names) != len(Default().all()) || !strings.Contains(strings.Join(names, " "), "page_down") {
		t.Fatalf("names %v", names)
	}
}
