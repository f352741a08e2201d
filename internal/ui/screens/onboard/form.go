package onboard

import (
	"fmt"
	"slices"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/list"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/keys"
)

// fieldsLoadedMsg carries a step's form fields, read in a task (they may read profiles.yml).
type fieldsLoadedMsg struct {
	step   *ob.Step
	fields []ob.Field
}

// previewMsg carries what a fix will change for the form's answers (read off the UI loop).
type previewMsg struct {
	step *ob.Step
	in   ob.Input
	conf ob.Confirmation
	err  error
}

// formField is one question: a text field (the shared input line) or a choice (the shared
// list, with / to filter a long one).
type formField struct {
	f       ob.Field
	line    input.Line
	choices *list.Model[string]
	err     string
}

func (ff *formField) value() string {
	if ff.choices != nil {
		v, _ := ff.choices.Selected()
		return v
	}
	return strings.TrimSpace(ff.line.Value())
}

// form asks a fix's questions all on one page: each is checked where it is typed, and
// nothing typed is lost to a wrong answer, a problem found on submit, or a "no" to the
// preview of what the fix will write.
type form struct {
	step   *ob.Step
	fields []*formField
	focus  int
	// err is a problem with the answers as a whole (the target they make is refused).
	err string
	// waiting is set while the preview of the change is read.
	waiting bool
}

func newForm(nav *keys.Nav, s *ob.Step, fields []ob.Field) *form {
	f := &form{step: s}
	for _, fd := range fields {
		ff := &formField{f: fd}
		if len(fd.Options) > 0 {
			ff.choices = list.New(nav, fd.OptionLabel)
			ff.choices.SetItems(fd.Options)
			ff.choices.SetHeight(min(len(fd.Options), 6))
			if i := slices.Index(fd.Options, fd.Default); i >= 0 {
				ff.choices.Select(i)
			}
		} else {
			ff.line.Set(fd.Default)
		}
		f.fields = append(f.fields, ff)
	}
	f.focus = f.nextVisible(-1, 1)
	return f
}

// input is the answers so far (of the fields shown).
func (f *form) input() ob.Input {
	in := ob.Input{}
	for _, ff := range f.fields {
		if f.visible(ff) {
			in[ff.f.Key] = ff.value()
		}
	}
	return in
}

// visible reports whether the field applies to the answers given (the key file only for
// key-pair logins).
func (f *form) visible(ff *formField) bool {
	for k, allowed := range ff.f.ShowWhen {
		cur := ""
		for _, o := range f.fields {
			if o.f.Key == k {
				cur = o.value()
			}
		}
		if !slices.Contains(allowed, cur) {
			return false
		}
	}
	return true
}

// nextVisible is the next shown field from i in direction dir, or i when there is none.
func (f *form) nextVisible(i, dir int) int {
	for j := i + dir; j >= 0 && j < len(f.fields); j += dir {
		if f.visible(f.fields[j]) {
			return j
		}
	}
	return i
}

// check validates field ff, remembering the message; it reports whether the value is fine.
func (f *form) check(ff *formField) bool {
	ff.err = ""
	v := ff.value()
	switch {
	case !ff.f.Optional && v == "":
		ff.err = strings.ToLower(ff.f.Title[:1]) + ff.f.Title[1:] + " is needed"
	case ff.f.Check != nil:
		if err := ff.f.Check(v); err != nil {
			ff.err = err.Error()
		}
	}
	return ff.err == ""
}

// formAction is what a key did to the form.
type formAction int

const (
	formNone formAction = iota
	formCancel
	formSubmit
)

// update applies a key or a paste: editing keys edit the focused field, tab/enter/↓ go to
// the next field once this one is fine, shift+tab/↑ go back, enter on the last field submits
// when every field is fine, esc cancels.
func (f *form) update(msg tea.Msg) formAction {
	if f.waiting {
		return formNone
	}
	ff := f.fields[f.focus]
	if p, ok := msg.(tea.PasteMsg); ok {
		if ff.choices == nil {
			ff.line.Paste(p.Content)
			ff.err, f.err = "", ""
		} else {
			ff.choices.Paste(p.Content)
		}
		return formNone
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if ff.choices != nil {
			ff.choices.Update(msg) // the mouse wheel over the choices
		}
		return formNone
	}
	if ff.choices != nil && ff.choices.Filtering() {
		ff.choices.Update(k) // the filter takes every key, esc and enter close it
		return formNone
	}
	last := f.nextVisible(f.focus, 1) == f.focus
	switch k.String() {
	case "esc":
		return formCancel
	case "tab", "enter":
		if !f.check(ff) {
			return formNone
		}
		if k.String() == "enter" && last {
			return f.submit()
		}
		f.focus = f.nextVisible(f.focus, 1)
		return formNone
	case "shift+tab":
		f.focus = f.nextVisible(f.focus, -1)
		return formNone
	}
	if ff.choices != nil {
		ff.choices.Update(k)
		return formNone
	}
	switch k.String() {
	case "up":
		f.focus = f.nextVisible(f.focus, -1)
	case "down":
		if f.check(ff) {
			f.focus = f.nextVisible(f.focus, 1)
		}
	default:
		if ff.line.Update(k) {
			ff.err, f.err = "", ""
		}
	}
	return formNone
}

// submit checks every shown field and goes to the first that is not fine.
func (f *form) submit() formAction {
	for i, ff := range f.fields {
		if f.visible(ff) && !f.check(ff) {
			f.focus = i
			return formNone
		}
	}
	return formSubmit
}

// view draws the form in width columns and at most height rows, the focused field in view.
func (m *Model) formView(width, height int) []string {
	st := m.c.Styles
	f := m.form
	in := f.input()
	head := []string{st.Subtitle.Render(f.step.FixTitle),
		st.Muted.Render("tab/enter: next · shift+tab: back · esc: cancel, nothing is written"), ""}
	var body []string
	focusLine := 0
	labelW := 0
	for _, ff := range f.fields {
		if f.visible(ff) {
			labelW = max(labelW, ansi.StringWidth(ff.f.Title))
		}
	}
	labelW = min(labelW, max(10, width/3))
	for i, ff := range f.fields {
		if !f.visible(ff) {
			continue
		}
		focused := i == f.focus
		marker, label := "  ", st.Text.Render(text.PadCut(ff.f.Title, labelW))
		if focused {
			marker, label = st.Key.Render("› "), st.Key.Render(text.PadCut(ff.f.Title, labelW))
			focusLine = len(body)
		}
		valueW := max(5, width-labelW-4)
		switch {
		case ff.choices != nil && focused:
			body = append(body, marker+label+"  "+st.Muted.Render(ff.choices.Count("choice", "choices")+" · ↑/↓ choose · / filter"))
			if ff.choices.Filtering() || ff.choices.Query() != "" {
				body = append(body, strings.Repeat(" ", labelW+4)+ff.choices.FilterBar(st))
			}
			rows := ff.choices.View(valueW, func(r list.Row[string], w int) string {
				label := ff.f.OptionLabel(r.Item)
				if note := ff.f.Notes[r.Item]; note != "" {
					label += " — " + note
				}
				label = ansi.Truncate(termsafe.Line(label), w-2, "…")
				if r.Selected {
					return st.Selected.Render("› " + text.Pad(label, w-2))
				}
				return "  " + text.Highlight(label, text.Clip(r.Spans, len(label)), st.Text, st.Match)
			})
			for _, r := range rows {
				body = append(body, strings.Repeat(" ", labelW+4)+r)
			}
		case ff.choices != nil:
			body = append(body, marker+label+"  "+st.Text.Render(ansi.Truncate(termsafe.Line(ff.f.OptionLabel(ff.value())), valueW, "…")))
		default:
			v := ff.line.View("", focused, st.Key, st.Text)
			if ansi.StringWidth(v) > valueW { // keep the end, where the cursor is, in view
				v = ansi.TruncateLeft(v, ansi.StringWidth(v)-valueW, "…")
			}
			body = append(body, marker+label+"  "+v)
		}
		if focused {
			if help := ff.f.HelpWith(in); help != "" {
				for _, l := range text.Wrap(termsafe.Line(help), width-labelW-4) {
					body = append(body, strings.Repeat(" ", labelW+4)+st.Muted.Render(l))
				}
			}
		}
		if ff.err != "" {
			for _, l := range text.Wrap("✗ "+termsafe.Line(ff.err), width-labelW-4) {
				body = append(body, strings.Repeat(" ", labelW+4)+st.Error.Render(l))
			}
		}
	}
	body = append(body, "")
	switch {
	case f.waiting:
		body = append(body, st.InfoText.Render("… reading what this will change"))
	case f.err != "":
		for _, l := range text.Wrap("✗ "+termsafe.Line(f.err), width) {
			body = append(body, st.Error.Render(l))
		}
	default:
		verb := "enter on the last field: " + strings.ToLower(f.step.FixTitle[:1]) + f.step.FixTitle[1:]
		if f.step.Preview != nil {
			verb = "enter on the last field shows the change before anything is written"
		}
		body = append(body, text.WrapStyle(verb, width, st.Muted)...)
	}
	// Scroll so the focused field and its help stay in view on a short screen.
	if room := height - len(head); room > 0 && len(body) > room {
		start := min(max(0, focusLine-2), len(body)-room)
		body = body[start : start+room]
	}
	return append(head, body...)
}

// openForm reads the step's fields off the UI loop, then shows the form.
func (m *Model) openForm(s *ob.Step) tea.Cmd {
	return func() tea.Msg { return fieldsLoadedMsg{step: s, fields: s.Fields()} }
}

// showForm opens the form for the step's fields.
func (m *Model) showForm(s *ob.Step, fields []ob.Field) tea.Cmd {
	if len(fields) == 0 {
		return m.runFix(s, ob.Input{})
	}
	m.form = newForm(&m.c.KeyMap().Nav, s, fields)
	return nil
}

// updateForm passes a key or a paste to the form and acts on what it did.
func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	switch m.form.update(msg) {
	case formCancel:
		m.form = nil
	case formSubmit:
		s, in := m.form.step, m.form.input()
		if s.Preview == nil {
			m.form = nil
			return m.runFix(s, in)
		}
		m.form.waiting, m.form.err = true, ""
		return func() tea.Msg {
			c, err := s.Preview(in)
			return previewMsg{step: s, in: in, conf: c, err: err}
		}
	}
	return nil
}

// showPreview asks before the fix writes, showing the change; a problem with the answers is
// shown in the form, which keeps them.
func (m *Model) showPreview(msg previewMsg) tea.Cmd {
	if m.form == nil || m.form.step != msg.step {
		return nil
	}
	m.form.waiting = false
	if msg.err != nil {
		m.form.err = fmt.Sprint(msg.err)
		return nil
	}
	m.openDialog(msg.step, msg.conf, msg.in)
	return nil
}
