// Package styles is datatui's one semantic style sheet. Screens never pick colours: they ask
// for a role (Title, Muted, Success…) so that dark/light themes and NO_COLOR work everywhere.
package styles

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles is the theme for one background (dark or light) and colour mode.
type Styles struct {
	IsDark  bool
	NoColor bool

	// Palette, for the rare component that needs a raw colour (borders, bars).
	Accent, Subtle, Border, Good, Warn, Bad, Info color.Color

	App        lipgloss.Style
	Title      lipgloss.Style // screen and card titles
	Subtitle   lipgloss.Style
	Text       lipgloss.Style
	Muted      lipgloss.Style // secondary text
	Faint      lipgloss.Style
	Bold       lipgloss.Style
	Key        lipgloss.Style // a key in help text
	Code       lipgloss.Style // inline code, file paths, SQL identifiers
	Link       lipgloss.Style
	Success    lipgloss.Style
	Warning    lipgloss.Style
	Error      lipgloss.Style
	InfoText   lipgloss.Style
	Selected   lipgloss.Style // the selected row of a list
	Match      lipgloss.Style // characters matching a filter
	Card       lipgloss.Style // a bordered panel
	CardFocus  lipgloss.Style // a bordered panel that has focus
	TabActive  lipgloss.Style
	TabInact   lipgloss.Style
	TabBar     lipgloss.Style
	StatusBar  lipgloss.Style
	StatusKey  lipgloss.Style // the coloured segment at the left of the status bar
	StatusText lipgloss.Style
	Overlay    lipgloss.Style // popups: help, palette, confirm
	Input      lipgloss.Style
}

// New builds the styles for a dark or light background; noColor drops every colour but keeps
// bold/reverse so that focus and selection remain visible (NO_COLOR).
func New(isDark, noColor bool) *Styles {
	ld := lipgloss.LightDark(isDark)
	s := &Styles{IsDark: isDark, NoColor: noColor}
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	s.Accent = c("#5A3FD6", "#A594FF")
	s.Subtle = c("#6B6B6B", "#9A9A9A")
	s.Border = c("#C8C8C8", "#4A4A4A")
	s.Good = c("#0B7A3E", "#5BD68A")
	s.Warn = c("#A15C00", "#F0B44C")
	s.Bad = c("#C0142C", "#FF6B7D")
	s.Info = c("#0B61A4", "#6CB6FF")
	text := c("#1A1A1A", "#E6E6E6")
	faint := c("#9A9A9A", "#6A6A6A")
	selBg := c("#E8E3FF", "#2E2A4A")

	base := lipgloss.NewStyle()
	s.App = base
	s.Text = base.Foreground(text)
	s.Title = base.Bold(true).Foreground(s.Accent)
	s.Subtitle = base.Bold(true).Foreground(text)
	s.Muted = base.Foreground(s.Subtle)
	s.Faint = base.Foreground(faint)
	s.Bold = base.Bold(true)
	s.Key = base.Bold(true).Foreground(s.Accent)
	s.Code = base.Foreground(s.Info)
	s.Link = base.Underline(true).Foreground(s.Info)
	s.Success = base.Foreground(s.Good)
	s.Warning = base.Foreground(s.Warn)
	s.Error = base.Foreground(s.Bad)
	s.InfoText = base.Foreground(s.Info)
	s.Selected = base.Bold(true).Foreground(text).Background(selBg)
	if noColor {
		s.Selected = base.Reverse(true)
	}
	s.Match = base.Bold(true).Underline(true).Foreground(s.Accent)
	s.Card = base.Border(lipgloss.RoundedBorder()).BorderForeground(s.Border).Padding(0, 1)
	s.CardFocus = s.Card.BorderForeground(s.Accent)
	s.TabActive = base.Bold(true).Foreground(s.Accent).Padding(0, 1).Underline(true)
	s.TabInact = base.Foreground(s.Subtle).Padding(0, 1)
	s.TabBar = base
	s.StatusBar = base.Foreground(text).Background(c("#EDEDED", "#262626"))
	s.StatusKey = base.Bold(true).Foreground(c("#FFFFFF", "#1A1A1A")).Background(s.Accent).Padding(0, 1)
	if noColor {
		s.StatusBar = base
		s.StatusKey = base.Reverse(true).Padding(0, 1)
	}
	s.StatusText = s.StatusBar.Padding(0, 1)
	s.Overlay = base.Border(lipgloss.RoundedBorder()).BorderForeground(s.Accent).Padding(0, 1)
	s.Input = base.Foreground(text)
	return s
}

// ForRole is the style of a Role.
func (s *Styles) ForRole(r Role) lipgloss.Style {
	switch r {
	case RoleMuted, RoleAgo:
		return s.Muted
	case RoleFaint:
		return s.Faint
	case RoleBold:
		return s.Bold
	case RoleCode:
		return s.Code
	case RoleLink:
		return s.Link
	case RoleSuccess:
		return s.Success
	case RoleWarning:
		return s.Warning
	case RoleError:
		return s.Error
	case RoleInfo:
		return s.InfoText
	}
	return s.Text
}

// StatusIcon returns the icon for a status word used across screens: pass, fail, warn, run,
// skip, pending. Icons never rely on colour alone.
func (s *Styles) StatusIcon(status string) string {
	g := statusGlyph(status)
	switch g {
	case "✓":
		return s.Success.Render(g)
	case "✗":
		return s.Error.Render(g)
	case "!":
		return s.Warning.Render(g)
	case "●":
		return s.InfoText.Render(g)
	}
	return s.Muted.Render(g)
}

// statusGlyph is the icon of a status word, without colour.
func statusGlyph(status string) string {
	switch status {
	case "pass", "success", "ok":
		return "✓"
	case "fail", "error":
		return "✗"
	case "warn":
		return "!"
	case "run", "running":
		return "●"
	case "skip", "skipped":
		return "–"
	default:
		return "…"
	}
}
