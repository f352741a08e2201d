// Package input is a one-line text field with the cursor at the end: enough for a filter, a
// search query or a palette, and it renders the same on every frame (no blinking cursor), which
// keeps goldens stable. Pasted or typed control characters never reach the value, so what the
// field shows is always safe to draw.
package input

import (
	"strings"
	"unicode"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// Line is the field's state. The zero value is an empty field.
type Line struct {
	value string
}

// Value is the text typed so far.
func (in *Line) Value() string { return in.value }

// Set replaces the text.
func (in *Line) Set(s string) { in.value = clean(s) }

// Clear empties the field.
func (in *Line) Clear() { in.value = "" }

// Update applies an editing key and reports whether the value changed. Keys it does not edit
// with (enter, esc, arrows) return false so the caller can handle them.
func (in *Line) Update(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "backspace", "ctrl+h":
		if in.value == "" {
			return false
		}
		r := []rune(in.value)
		in.value = string(r[:len(r)-1])
		return true
	case "ctrl+u":
		if in.value == "" {
			return false
		}
		in.value = ""
		return true
	case "ctrl+w", "alt+backspace":
		if in.value == "" {
			return false
		}
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

// Paste appends pasted text: newlines and tabs become spaces, control characters go.
func (in *Line) Paste(s string) {
	in.value += clean(s)
}

func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if !unicode.IsPrint(r) {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
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

// View draws prompt, the value and, when focused, a block cursor.
func (in *Line) View(prompt string, focused bool, promptStyle, textStyle lipgloss.Style) string {
	out := promptStyle.Render(prompt) + textStyle.Render(in.value)
	if focused {
		out += promptStyle.Render("█")
	}
	return out
}
