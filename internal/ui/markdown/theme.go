package markdown

import (
	"fmt"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// Style names the style for a background and colour mode.
func Style(isDark, noColor bool) string {
	switch {
	case noColor:
		return "notty"
	case isDark:
		return "dark"
	default:
		return "light"
	}
}

// flags are what a piece of text is: the inline markup around it and the block it is in. A
// theme turns a set of flags into one SGR sequence.
type flags uint32

const (
	fBold flags = 1 << iota
	fItalic
	fStrike
	fCode    // a code span
	fLink    // a link's text
	fURL     // a link's destination shown after its text
	fMuted   // images, raw HTML, table borders, list markers
	fH1      // the document's title
	fH2      // a section
	fH3      // a subsection (and deeper)
	fHeader  // a table's header row
	fBlock   // inside a code block
	fKeyword // code: a keyword or command
	fString  // code: a string
	fComment // code: a comment
	fNumber  // code: a number
	fTmpl    // code: a Jinja expression
	fRule    // a horizontal rule, a quote's bar
)

// hex is a 24-bit colour, 0xRRGGBB.
type hex uint32

func (h hex) rgb() ansi.RGBColor {
	return ansi.RGBColor{R: uint8(h >> 16), G: uint8(h >> 8), B: uint8(h)}
}

// palette is a style's colours (24-bit; Bubble Tea and colorprofile convert them to what the
// terminal shows).
type palette struct {
	h1Fg, h1Bg, heading    hex
	codeFg, codeBg         hex
	blockFg, blockBg       hex
	link, muted, rule      hex
	keyword, str, com, num hex
	tmpl                   hex
}

func paletteFor(style string) palette {
	if style == "light" {
		return palette{
			h1Fg: 0xFFFFFF, h1Bg: 0x5A56E0, heading: 0x005FD7,
			codeFg: 0xD7005F, codeBg: 0xEEEEEE,
			blockFg: 0x303030, blockBg: 0xF2F2F2,
			link: 0x00875F, muted: 0x767676, rule: 0xBCBCBC,
			keyword: 0x005FAF, str: 0x875F00, com: 0x8A8A8A, num: 0x008787, tmpl: 0xAF5F00,
		}
	}
	return palette{
		h1Fg: 0xFFFDF5, h1Bg: 0x5A56E0, heading: 0x5FAFFF,
		codeFg: 0xFF8787, codeBg: 0x303030,
		blockFg: 0xD0D0D0, blockBg: 0x262626,
		link: 0x5FD7AF, muted: 0x8A8A8A, rule: 0x585858,
		keyword: 0x5FAFFF, str: 0xD7AF87, com: 0x767676, num: 0x87D7AF, tmpl: 0xFFAF5F,
	}
}

// theme is one style: its characters and, for colour styles, the SGR sequence of each set of
// flags (built on first use and kept: a document uses a few dozen).
type theme struct {
	color bool
	ascii bool
	pal   palette

	bullets            []string // by nesting depth
	rule, bar          string   // one cell each
	tableBar, tableSep string   // a column separator, and where it crosses the header rule
	tableRule          string
	checked, unchecked string

	mu   sync.Mutex
	sgrs map[flags]string
}

// themes are built on first use and kept (no work at start-up).
var (
	themesMu sync.Mutex
	themes   map[string]*theme
)

// themeFor returns the theme named style ("dark", "light", "notty", "ascii").
func themeFor(style string) (*theme, error) {
	themesMu.Lock()
	defer themesMu.Unlock()
	if t, ok := themes[style]; ok {
		return t, nil
	}
	if themes == nil {
		themes = map[string]*theme{}
	}
	t := &theme{
		bullets: []string{"•", "◦", "▪"}, rule: "─", bar: "│",
		tableBar: " │ ", tableSep: "─┼─", tableRule: "─",
		checked: "☑", unchecked: "☐",
		sgrs: map[flags]string{},
	}
	switch style {
	case "dark", "light":
		t.color, t.pal = true, paletteFor(style)
	case "notty":
	case "ascii":
		t.ascii = true
		t.bullets = []string{"*", "-", "+"}
		t.rule, t.bar = "-", "|"
		t.tableBar, t.tableSep, t.tableRule = " | ", "-+-", "-"
		t.checked, t.unchecked = "[x]", "[ ]"
	default:
		return nil, fmt.Errorf("markdown style %q does not exist", style)
	}
	themes[style] = t
	return t, nil
}

// sgr is the escape sequence that starts text with flags f ("" in the plain styles, and for
// text with nothing to show).
func (t *theme) sgr(f flags) string {
	if !t.color || f == 0 {
		return ""
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if s, ok := t.sgrs[f]; ok {
		return s
	}
	p := t.pal
	var st ansi.Style
	fg := func(c hex) { st = st.ForegroundColor(c.rgb()) }
	switch {
	case f&fH1 != 0:
		st = st.Bold().BackgroundColor(p.h1Bg.rgb())
		fg(p.h1Fg)
	case f&(fH2|fH3) != 0:
		st = st.Bold()
		fg(p.heading)
	case f&fHeader != 0:
		st = st.Bold()
	}
	if f&fBlock != 0 {
		st = st.BackgroundColor(p.blockBg.rgb())
		switch {
		case f&fKeyword != 0:
			fg(p.keyword)
		case f&fString != 0:
			fg(p.str)
		case f&fComment != 0:
			fg(p.com)
			st = st.Italic(true)
		case f&fNumber != 0:
			fg(p.num)
		case f&fTmpl != 0:
			fg(p.tmpl)
		default:
			fg(p.blockFg)
		}
	}
	if f&fBold != 0 {
		st = st.Bold()
	}
	if f&fItalic != 0 {
		st = st.Italic(true)
	}
	if f&fStrike != 0 {
		st = st.Strikethrough(true)
	}
	if f&fCode != 0 {
		st = st.BackgroundColor(p.codeBg.rgb())
		fg(p.codeFg)
	}
	if f&fLink != 0 {
		st = st.Underline(true)
		fg(p.link)
	}
	if f&(fURL|fMuted) != 0 {
		fg(p.muted)
	}
	if f&fRule != 0 {
		fg(p.rule)
	}
	s := st.String()
	if len(st) == 0 {
		s = ""
	}
	t.sgrs[f] = s
	return s
}
