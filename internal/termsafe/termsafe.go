// Package termsafe makes text from outside datatui (warehouse object names, error messages,
// dbt's log lines, PR titles, check names, job logs) safe to print on a terminal or draw in
// the TUI. A terminal obeys the control characters inside what it is sent: ESC starts
// sequences that retitle the window (OSC), recolour or hide text and move the cursor (CSI),
// or talk to the terminal itself (DCS, APC, PM, SOS); C1 controls do the same in one
// character; bidi overrides reorder what is shown so a name reads as another. None of these
// may come from a schema name or a commit message.
//
// Every function here returns valid UTF-8 in which no C0 control (other than the newline
// and tab a function says it keeps), no DEL, no C1 control and no bidi or invisible
// formatting character survives. Controls are not silently dropped but shown, so that a
// hostile name stays distinguishable from the harmless name it imitates: C0 controls and DEL
// become their Unicode control pictures (ESC → ␛, BEL → ␇), which are one cell wide and keep
// table columns aligned; C1 and formatting characters become <U+XXXX>. Invalid UTF-8 bytes
// become U+FFFD (a lone 0x9B byte is CSI to an 8-bit terminal).
package termsafe

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Line makes s safe as one line: a name, a title, a one-line message. Newlines and tabs are
// shown (␊, ␉) rather than breaking the line or the layout.
func Line(s string) string { return clean(s, false, false) }

// Text makes s safe as a block of lines: it keeps newlines ("\r\n" becomes "\n") and tabs,
// and shows every other control.
func Text(s string) string { return clean(s, true, false) }

// Log makes a tool's output safe: complete escape sequences (the colours and cursor moves of
// dbt's or a CI job's output, window titles, hyperlinks, DCS/APC/PM/SOS strings) are removed,
// as they are not text, then it is treated like Text. An incomplete sequence is shown.
func Log(s string) string { return clean(s, true, true) }

// Safe reports whether s is already safe as one line (Line(s) == s): callers with many
// short strings can skip the copy.
func Safe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || Hidden(r) {
			return false
		}
		i += n
	}
	return true
}

func clean(s string, multiline, stripCSI bool) string {
	if Safe(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				b.WriteRune(utf8.RuneError)
			case Hidden(r):
				writeCode(&b, r)
			default:
				b.WriteString(s[i : i+n])
			}
			i += n
			continue
		}
		switch {
		case c == '\n' && multiline, c == '\t' && multiline:
			b.WriteByte(c)
		case c == '\r' && multiline && i+1 < len(s) && s[i+1] == '\n':
			// CRLF line ends are line ends: drop the CR.
		case c == 0x1b && stripCSI:
			if end := escEnd(s, i); end > 0 {
				i = end
				continue
			}
			b.WriteRune(picture(c))
		case c < 0x20 || c == 0x7f:
			b.WriteRune(picture(c))
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// escEnd returns the index after the complete escape sequence starting with the ESC at i,
// or -1 (ECMA-48: CSI; OSC ended by BEL or ST; DCS, SOS, PM and APC strings ended by ST;
// other escapes as intermediate bytes 0x20–0x2F and one final byte 0x30–0x7E).
func escEnd(s string, i int) int {
	if i+1 >= len(s) {
		return -1
	}
	switch s[i+1] {
	case '[':
		return csiEnd(s, i+2)
	case ']', 'P', 'X', '^', '_':
		for j := i + 2; j < len(s); j++ {
			switch {
			case s[j] == 0x07 && s[i+1] == ']':
				return j + 1
			case s[j] == 0x1b:
				if j+1 < len(s) && s[j+1] == '\\' {
					return j + 2
				}
				return -1
			}
		}
		return -1
	}
	j := i + 1
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		return j + 1
	}
	return -1
}

// csiEnd returns the index after the CSI sequence whose parameters start at i (ECMA-48:
// parameter bytes 0x30–0x3F, intermediate bytes 0x20–0x2F, one final byte 0x40–0x7E), or -1
// when what follows is not a complete sequence (it is then shown, not removed).
func csiEnd(s string, i int) int {
	for i < len(s) && s[i] >= 0x30 && s[i] <= 0x3f {
		i++
	}
	for i < len(s) && s[i] >= 0x20 && s[i] <= 0x2f {
		i++
	}
	if i < len(s) && s[i] >= 0x40 && s[i] <= 0x7e {
		return i + 1
	}
	return -1
}

// picture is the Unicode control picture of a C0 control or DEL.
func picture(c byte) rune {
	if c == 0x7f {
		return '\u2421'
	}
	return 0x2400 + rune(c)
}

func writeCode(b *strings.Builder, r rune) {
	const hex = "0123456789ABCDEF"
	b.WriteString("<U+")
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hex[(r>>shift)&0xf])
	}
	b.WriteByte('>')
}

// Hidden reports the non-ASCII characters that control the terminal or change what text
// appears to say without being seen: C1 controls, bidi embeddings, overrides, isolates and
// marks, zero-width spaces, line and paragraph separators, the byte-order mark and
// interlinear annotations. (Zero-width joiners stay: emoji need them.)
func Hidden(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f: // C1 controls: CSI (0x9B), OSC (0x9D), DCS (0x90)…
		return true
	case r == 0x061c, r == 0x200b, r == 0x200e, r == 0x200f, r == 0xfeff:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x2028, r == 0x2029: // line and paragraph separators
		return true
	case r >= 0xfff9 && r <= 0xfffb: // interlinear annotations
		return true
	}
	return false
}

// Writer returns a writer that passes every Write through Text: for printers of plain text
// made of outside strings (a table of schemas, a list of PRs) that draw no escapes of their
// own. An incomplete UTF-8 sequence at the end of a Write is held back until the next one,
// so a character split between two writes is not mistaken for invalid bytes.
func Writer(w io.Writer) io.Writer { return &writer{w: w} }

type writer struct {
	w       io.Writer
	pending []byte
}

func (t *writer) Write(p []byte) (int, error) {
	buf := append(t.pending, p...)
	cut := len(buf)
	// Hold back the start of a character whose remaining bytes have not arrived.
	for i := len(buf) - 1; i >= 0 && i >= len(buf)-utf8.UTFMax; i-- {
		if utf8.RuneStart(buf[i]) {
			if !utf8.FullRune(buf[i:]) {
				cut = i
			}
			break
		}
	}
	t.pending = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(t.w, Text(string(buf[:cut]))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the writer underneath.
func (t *writer) Unwrap() io.Writer { return t.w }
