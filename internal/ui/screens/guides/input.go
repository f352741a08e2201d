package guides

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
)

// lineInput is a one-line text field with the cursor at the end: enough for a filter or a
// query, and it renders the same on every frame (no blinking cursor), which keeps goldens
// stable.
type lineInput struct {
	value string
}

// update applies an editing key and reports whether the value changed. Keys it does not edit
// with (enter, esc, arrows) return false so the caller can handle them.
func (in *lineInput) update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if in.value == "" {
			return false
		}
		r := []rune(in.value)
		in.value = string(r[:len(r)-1])
		return true
	case "ctrl+u":
		in.value = ""
		return true
	case "ctrl+w", "alt+backspace":
		v := strings.TrimRight(in.value, " ")
		if i := strings.LastIndexByte(v, ' '); i >= 0 {
			in.value = v[:i+1]
		} else {
			in.value = ""
		}
		return true
	case "space":
		in.value += " "
		return true
	}
	if msg.Text != "" && msg.Mod&(tea.ModCtrl|tea.ModAlt) == 0 && printable(msg.Text) {
		in.value += msg.Text
		return true
	}
	return false
}

// printable rejects control characters (a tab, an escape) that some terminals send as text.
func printable(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// paste appends pasted text (newlines and tabs become spaces, control characters go).
func (in *lineInput) paste(s string) {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	in.value += strings.Join(strings.Fields(s), " ")
}
