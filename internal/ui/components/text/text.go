// Package text holds the layout helpers every screen needs: fitting styled text to a width
// (Fit, Pad, Spread, Block), wrapping it (Wrap), plurals ("1 table", "2 tables"), clamping
// and relative times ("3 seconds ago"). All of them measure terminal cells with x/ansi, so
// they are safe on styled strings and wide characters; none of them slices bytes of a string
// that may hold escape sequences.
package text

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Ellipsis marks text cut to fit. Cut text must have a way to be read whole (wrap it, or an
// expand key such as the root's message log); Fit is for labels whose full form is elsewhere.
const Ellipsis = "…"

// Fit truncates s to at most width cells, ending it with … when it was cut.
func Fit(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, Ellipsis)
}

// Cut truncates s to at most width cells without a marker (for frames, not for content).
func Cut(s string, width int) string {
	if width <= 0 {
		return ""
	}
	return ansi.Truncate(s, width, "")
}

// Pad fits s to exactly width cells: cut with … when longer, padded with spaces when shorter.
func Pad(s string, width int) string {
	s = Fit(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// PadCut is Pad without the … marker.
func PadCut(s string, width int) string {
	s = Cut(s, width)
	if w := ansi.StringWidth(s); w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// Spread puts left and right on one line of exactly width cells, right-aligned right, and
// cuts left when both do not fit. When right alone does not fit, only left is shown.
func Spread(left, right string, width int) string {
	if width <= 0 {
		return ""
	}
	rw := ansi.StringWidth(right)
	if rw >= width {
		return Pad(left, width)
	}
	left = Fit(left, max(0, width-rw-1))
	gap := width - ansi.StringWidth(left) - rw
	return left + strings.Repeat(" ", max(1, gap)) + right
}

// Block makes lines exactly width×height cells: extra lines are dropped, missing ones are
// blank, and each line is cut (without a marker) or padded. Screens use it so a view that
// renders too much or too little never pushes the frame around.
func Block(lines []string, width, height int) string {
	if height <= 0 {
		return ""
	}
	out := make([]string, height)
	for i := range out {
		var l string
		if i < len(lines) {
			l = lines[i]
		}
		out[i] = PadCut(l, width)
	}
	return strings.Join(out, "\n")
}

// Lines splits a rendered block into its lines.
func Lines(s string) []string { return strings.Split(s, "\n") }

// Wrap breaks s into lines of at most width cells at spaces, keeping its hard line breaks. It
// never breaks at hyphens (details hold commands like `pip install --user dbt-core` that people
// copy, which x/ansi's wrappers would split); a word longer than a line (a path, a URL) is cut
// across lines, never dropped. Runs of spaces between words become one.
func Wrap(s string, width int) []string {
	if width <= 0 {
		return []string{s}
	}
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if ansi.StringWidth(line) <= width {
			out = append(out, strings.TrimRight(line, " "))
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		if len(indent) >= width {
			indent = ""
		}
		cur, curW := indent, len(indent)
		flush := func() {
			out = append(out, cur)
			cur, curW = "", 0
		}
		for _, word := range strings.Fields(line) {
			ww := ansi.StringWidth(word)
			if curW > 0 && curW+1+ww <= width && strings.TrimSpace(cur) != "" {
				cur, curW = cur+" "+word, curW+1+ww
				continue
			}
			if strings.TrimSpace(cur) != "" {
				flush()
			}
			for ww > width {
				head := ansi.Cut(word, 0, width-curW)
				// A path or URL reads better cut after its last slash that fits.
				if i := strings.LastIndexByte(head, '/'); i > 0 && i < len(head)-1 && !strings.Contains(word, "\x1b") {
					head = head[:i+1]
				}
				out = append(out, cur+head)
				cur, curW = "", 0
				word = ansi.Cut(word, ansi.StringWidth(head), ww)
				ww = ansi.StringWidth(word)
			}
			cur, curW = cur+word, curW+ww
		}
		if cur != "" {
			flush()
		}
	}
	return out
}

// WrapStyle wraps plain text s and styles each line on its own, so every line carries its
// style wherever it is drawn (a style opened on one line and closed on the next does not
// survive being padded or composited line by line).
func WrapStyle(s string, width int, style lipgloss.Style) []string {
	lines := Wrap(s, width)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// WrapAll wraps every line of lines.
func WrapAll(lines []string, width int) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, Wrap(l, width)...)
	}
	return out
}

// Plural is the count and the right form of the noun: Plural(1, "table", "tables") is
// "1 table", Plural(3, …) "3 tables", Plural(0, …) "0 tables".
func Plural(n int, one, many string) string {
	return strconv.Itoa(n) + " " + Noun(n, one, many)
}

// Noun is the form of the noun for n, without the count.
func Noun(n int, one, many string) string {
	if n == 1 || n == -1 {
		return one
	}
	return many
}

// Clamp limits v to [lo, hi]; when hi < lo (an empty list) it returns lo.
func Clamp(v, lo, hi int) int {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}
