package text

import (
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Span is a byte range [Start, End) of a plain string, such as a filter match.
type Span struct{ Start, End int }

// Positions turns the byte offsets of single matched characters (sahilm/fuzzy's
// MatchedIndexes) into spans, joining neighbours.
func Positions(s string, idx []int) []Span {
	var out []Span
	for _, i := range idx {
		if i < 0 || i >= len(s) {
			continue
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		out = append(out, Span{i, i + size})
	}
	return normalise(out, len(s))
}

// Find returns the spans of every case-insensitive occurrence of each term in s (terms are
// matched as typed; empty terms are ignored). Overlapping finds are merged.
func Find(s string, terms ...string) []Span {
	ls := strings.ToLower(s)
	if len(ls) != len(s) {
		// Lower-casing changed the byte length (a few Unicode letters do): fall back to an
		// exact-case search so offsets stay those of s.
		ls = s
	}
	var out []Span
	for _, t := range terms {
		t = strings.ToLower(t)
		if t == "" {
			continue
		}
		for off := 0; off < len(ls); {
			k := strings.Index(ls[off:], t)
			if k < 0 {
				break
			}
			out = append(out, Span{off + k, off + k + len(t)})
			off += k + len(t)
		}
	}
	return normalise(out, len(s))
}

// normalise sorts spans, drops empty and out-of-range ones, and merges overlapping or
// touching ones: styling unsorted or overlapping ranges is what duplicates text.
func normalise(spans []Span, n int) []Span {
	sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
	out := spans[:0]
	for _, sp := range spans {
		sp.Start, sp.End = max(0, sp.Start), min(n, sp.End)
		if sp.End <= sp.Start {
			continue
		}
		if k := len(out) - 1; k >= 0 && sp.Start <= out[k].End {
			out[k].End = max(out[k].End, sp.End)
			continue
		}
		out = append(out, sp)
	}
	return out
}

// Highlight renders plain text s with base, and the spans with match. It works on the plain
// text and styles each piece once, so it can neither duplicate nor drop characters. s is one
// line made safe for the terminal (termsafe.Line), as every row drawn is: lipgloss would turn
// a raw tab into spaces.
func Highlight(s string, spans []Span, base, match lipgloss.Style) string {
	spans = normalise(append([]Span(nil), spans...), len(s))
	if len(spans) == 0 {
		return base.Render(s)
	}
	var b strings.Builder
	at := 0
	for _, sp := range spans {
		if sp.Start > at {
			b.WriteString(base.Render(s[at:sp.Start]))
		}
		b.WriteString(match.Render(s[sp.Start:sp.End]))
		at = sp.End
	}
	if at < len(s) {
		b.WriteString(base.Render(s[at:]))
	}
	return b.String()
}

// HighlightStyled marks spans of plain (the text of styled without its escape sequences, as
// from ansi.Strip) inside the already-styled line, keeping the line's own styles elsewhere.
// Use it for rendered markdown; for plain text Highlight is cheaper.
func HighlightStyled(styled, plain string, spans []Span, match lipgloss.Style) string {
	spans = normalise(append([]Span(nil), spans...), len(plain))
	if len(spans) == 0 {
		return styled
	}
	ranges := make([]lipgloss.Range, 0, len(spans))
	for _, sp := range spans {
		// lipgloss ranges count cells of the stripped text.
		start := ansi.StringWidth(plain[:sp.Start])
		ranges = append(ranges, lipgloss.NewRange(start, start+ansi.StringWidth(plain[sp.Start:sp.End]), match))
	}
	return lipgloss.StyleRanges(styled, ranges...)
}

// Clip keeps the parts of spans before byte n, for text cut to fit.
func Clip(spans []Span, n int) []Span {
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s.Start < n {
			out = append(out, Span{Start: s.Start, End: min(s.End, n)})
		}
	}
	return out
}
