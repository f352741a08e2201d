package input

import (
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestLine(t *testing.T) {
	var in Line
	typeText := func(s string) {
		for _, r := range s {
			if r == ' ' {
				in.Update(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
				continue
			}
			in.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
		}
	}
	typeText("stg users")
	if in.Value() != "stg users" {
		t.Fatalf("value %q", in.Value())
	}
	if !in.Update(tea.KeyPressMsg{Code: tea.KeyBackspace}) || in.Value() != "stg user" {
		t.Fatalf("backspace: %q", in.Value())
	}
	in.Update(tea.KeyPressMsg{Code: 'w', Mod: tea.ModCtrl})
	if in.Value() != "stg " {
		t.Fatalf("ctrl+w: %q", in.Value())
	}
	if in.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) || in.Update(tea.KeyPressMsg{Code: tea.KeyUp}) {
		t.Fatal("enter and arrows are not edits")
	}
	if in.Update(tea.KeyPressMsg{Code: tea.KeyTab, Text: "\t"}) {
		t.Fatal("a tab sent as text must not enter the field")
	}
	in.Paste("a\tb\n\x1b[31mc")
	if in.Value() != "stg a b [31mc" {
		t.Fatalf("paste: %q", in.Value())
	}
	in.Update(tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	if in.Value() != "" || in.Update(tea.KeyPressMsg{Code: tea.KeyBackspace}) {
		t.Fatal("ctrl+u then backspace on empty")
	}
	in.Set("x\x07y")
	if in.Value() != "xy" {
		t.Fatalf("Set keeps control characters: %q", in.Value())
	}
}
