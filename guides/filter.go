package guides

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sahilm/fuzzy"
)

// Field names the part of a guide a filter matched.
type Field int

const (
	FieldTitle Field = iota
	FieldTag
	FieldAlias
	FieldSlug
)

func (f Field) String() string {
	return [...]string{"title", "tag", "alias", "slug"}[f]
}

// Range is a byte range [Start, End) of a matched text.
type Range struct{ Start, End int }

// Match is one guide passing the list filter: the field that matched best, its text, and the
// bytes of that text that matched (for highlighting).
type Match struct {
	Guide *Guide
	Field Field
	Text  string
	Where []Range
}

// matchKind orders how well a field matched: every query word starting a word of the field
// beats the query inside a word, which beats a scattered (fuzzy) match.
type matchKind int

const (
	kindWordPrefix matchKind = iota
	kindSubstring
	kindFuzzy
	kindNone
)

// Filter ranks the guides whose title, tags, aliases or slug match query, best first: a match
// at the start of words ("snow" in "snowflake") before one inside a word, before a scattered
// fuzzy one; at the same strength the title before tags, aliases and the slug, then the
// earlier match, then section order. So `snow` lists the guides tagged snowflake first, not a
// title that merely has s…n…o…w in it. An empty query returns every guide in section order
// (with no Where).
func (l *Library) Filter(query string) []Match {
	query = strings.TrimSpace(query)
	if query == "" {
		out := make([]Match, len(l.guides))
		for i, g := range l.guides {
			out[i] = Match{Guide: g, Field: FieldTitle, Text: g.Title}
		}
		return out
	}
	words := strings.Fields(strings.ToLower(query))
	type ranked struct {
		Match
		kind  matchKind
		pos   int
		order int
	}
	var out []ranked
	for i, g := range l.guides {
		best := ranked{kind: kindNone}
		try := func(f Field, text string) {
			kind, where := matchField(text, query, words)
			if kind == kindNone {
				return
			}
			pos := 0
			if len(where) > 0 {
				pos = where[0].Start
			}
			r := ranked{Match: Match{Guide: g, Field: f, Text: text, Where: where}, kind: kind, pos: pos, order: i}
			if best.kind == kindNone || r.kind < best.kind || (r.kind == best.kind && (r.Field < best.Field || (r.Field == best.Field && r.pos < best.pos))) {
				best = r
			}
		}
		try(FieldTitle, g.Title)
		for _, t := range g.Tags {
			try(FieldTag, t)
		}
		for _, a := range g.Aliases {
			try(FieldAlias, a)
		}
		try(FieldSlug, g.Slug)
		if best.kind != kindNone {
			out = append(out, best)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.kind != b.kind {
			return a.kind < b.kind
		}
		if a.Field != b.Field {
			return a.Field < b.Field
		}
		if a.pos != b.pos {
			return a.pos < b.pos
		}
		return a.order < b.order
	})
	res := make([]Match, len(out))
	for i, r := range out {
		res[i] = r.Match
	}
	return res
}

// matchField says how text matches the query (words are its lower-cased words) and where.
func matchField(text, query string, words []string) (matchKind, []Range) {
	lt := strings.ToLower(text)
	if len(lt) != len(text) {
		lt = text // lower-casing changed byte offsets: match case-sensitively instead
	}
	// Every word at the start of a word of the text.
	var where []Range
	ok := true
	for _, w := range words {
		at := wordPrefix(lt, w)
		if at < 0 {
			ok = false
			break
		}
		where = append(where, Range{at, at + len(w)})
	}
	if ok {
		return kindWordPrefix, sortRanges(where)
	}
	// Every word somewhere in the text.
	where, ok = where[:0], true
	for _, w := range words {
		at := strings.Index(lt, w)
		if at < 0 {
			ok = false
			break
		}
		where = append(where, Range{at, at + len(w)})
	}
	if ok {
		return kindSubstring, sortRanges(where)
	}
	// The query's letters in order.
	ms := fuzzy.Find(query, []string{text})
	if len(ms) == 0 {
		return kindNone, nil
	}
	where = where[:0]
	for _, i := range ms[0].MatchedIndexes {
		_, size := utf8.DecodeRuneInString(text[i:])
		where = append(where, Range{i, i + size})
	}
	return kindFuzzy, where
}

// wordPrefix finds w at the start of a word of s (after a non-letter, non-digit), or -1.
func wordPrefix(s, w string) int {
	for off := 0; off < len(s); {
		k := strings.Index(s[off:], w)
		if k < 0 {
			return -1
		}
		at := off + k
		if at == 0 || !isWordByte(s[at-1]) {
			return at
		}
		off = at + 1
	}
	return -1
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func sortRanges(rs []Range) []Range {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start < rs[j].Start })
	return rs
}
