// Package confirm is the one confirmation dialog: it asks before anything destructive (a
// sandbox refresh, a schema drop, a CI re-run), handles its keys and returns an Action; the
// screen that opened it decides what the answer means (crush's dialog contract). It never runs
// anything itself, so a dialog can neither fire twice nor outlive the screen's state.
//
// Moving a screen onto it: replace the screen's confirmState with `*confirm.Dialog` plus the
// pending operation; in Update, while the dialog is open, `switch d.Update(msg)` on Yes/No;
// draw d.View(st, width) where the old prompt was; Capturing() is true while it is open.
package confirm

import (
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
)

// Action is the person's answer.
type Action int

const (
	// None: the key was not an answer; the dialog stays open.
	None Action = iota
	// Yes: do it.
	Yes
	// No: leave everything as it is.
	No
)

// Dialog is an open question.
type Dialog struct {
	// ID tells the screen which question this is when it has several.
	ID string
	// Title is the question, naming what will happen: "Drop schema DBT_ANA_OLD?".
	Title string
	// Lines say what will be lost or changed, one fact per line; they are wrapped, never cut.
	Lines []string
	// Verb names the yes answer in the key hint ("drop", "refresh"); "" means "confirm".
	Verb string
}

// Update answers the dialog from a key: y (or enter) is Yes, n, esc or q is No; other keys
// are ignored so a stray key cannot confirm.
func (d *Dialog) Update(msg tea.Msg) Action {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return None
	}
	switch k.String() {
	case "y", "Y", "enter":
		return Yes
	case "n", "N", "esc", "q":
		return No
	}
	return None
}

// View draws the dialog as lines for a pane of width cells: the title in the warning colour,
// the facts wrapped, then the keys.
func (d *Dialog) View(st *styles.Styles, width int) []string {
	w := max(10, width-2)
	out := []string{}
	for _, l := range text.Wrap(d.Title, w) {
		out = append(out, st.Warning.Render(l))
	}
	out = append(out, "")
	for _, l := range d.Lines {
		for _, wl := range text.Wrap(l, w-2) {
			out = append(out, "  "+wl)
		}
	}
	verb := d.Verb
	if verb == "" {
		verb = "confirm"
	}
	keys := st.Key.Render("y") + st.Muted.Render(" "+verb+"   ") + st.Key.Render("n/esc") + st.Muted.Render(" cancel")
	return append(out, "", keys)
}

// Box draws the dialog as a bordered popup at most width cells wide (for overlays).
func (d *Dialog) Box(st *styles.Styles, width int) string {
	w := max(20, min(width, 72))
	return st.Overlay.Width(w).Render(strings.Join(d.View(st, w-4), "\n"))
}
