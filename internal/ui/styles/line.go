package styles

import (
	"strings"
	"time"

	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/ui/components/text"
)

// Role is what a piece of text is (a warning, a path, a status), not how it looks: background
// work returns text with roles, and the view turns roles into styles when it draws. Work done
// on another goroutine then never reads the Styles the root replaces on a theme change, and
// what it returned follows a later light/dark switch.
type Role uint8

const (
	RoleText Role = iota
	RoleMuted
	RoleFaint
	RoleBold
	RoleCode
	RoleLink
	RoleSuccess
	RoleWarning
	RoleError
	RoleInfo
	// RoleStatus draws Span.Text (pass, fail, warn, run, skip, pending) as its status icon.
	RoleStatus
	// RoleAgo draws Span.At as a relative time ("3 seconds ago") at the moment of drawing.
	RoleAgo
)

// Span is a piece of text with a role. Its text is plain and may come from outside (a PR
// title, a schema name): Render and Plain make it terminal-safe, so lines built from outside
// data need no care of their own.
type Span struct {
	Role Role
	Text string
	// At is the time of a RoleAgo span.
	At time.Time
}

// Line is one line of spans.
type Line []Span

// Constructors for the common roles, so a line reads like the text it makes:
// styles.Line{styles.Plain("Branch "), styles.Code(b)}.
func Plain(s string) Span     { return Span{Role: RoleText, Text: s} }
func Dim(s string) Span       { return Span{Role: RoleMuted, Text: s} }
func Strong(s string) Span    { return Span{Role: RoleBold, Text: s} }
func Code(s string) Span      { return Span{Role: RoleCode, Text: s} }
func Good(s string) Span      { return Span{Role: RoleSuccess, Text: s} }
func Warn(s string) Span      { return Span{Role: RoleWarning, Text: s} }
func Bad(s string) Span       { return Span{Role: RoleError, Text: s} }
func Note(s string) Span      { return Span{Role: RoleInfo, Text: s} }
func Icon(status string) Span { return Span{Role: RoleStatus, Text: status} }

// Ago is a relative time, written when the line is drawn.
func Ago(t time.Time) Span { return Span{Role: RoleAgo, At: t} }

// Text is a one-span line of plain text.
func Text(s string) Line { return Line{Plain(s)} }

// Plain returns the line's text without styles (relative times written for now).
func (l Line) Plain(now time.Time) string {
	var b strings.Builder
	for _, sp := range l {
		switch sp.Role {
		case RoleAgo:
			b.WriteString(text.Ago(now, sp.At))
		case RoleStatus:
			b.WriteString(statusGlyph(sp.Text))
		default:
			b.WriteString(termsafe.Line(sp.Text))
		}
	}
	return b.String()
}

// Times lists the times of the line's relative-time spans (a view uses them to know when to
// redraw).
func (l Line) Times() []time.Time {
	var out []time.Time
	for _, sp := range l {
		if sp.Role == RoleAgo {
			out = append(out, sp.At)
		}
	}
	return out
}

// Render draws a line: each span in the style of its role, relative times as of now.
func (s *Styles) Render(l Line, now time.Time) string {
	var b strings.Builder
	for _, sp := range l {
		switch sp.Role {
		case RoleStatus:
			b.WriteString(s.StatusIcon(sp.Text))
		case RoleAgo:
			b.WriteString(s.Muted.Render(text.Ago(now, sp.At)))
		default:
			b.WriteString(s.ForRole(sp.Role).Render(termsafe.Line(sp.Text)))
		}
	}
	return b.String()
}

// PlainLines is lines as plain text, relative times as of now (for tests and plain output).
func PlainLines(ls []Line, now time.Time) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Plain(now)
	}
	return out
}
