package guides

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/datatui/datatui/internal/mdtree"
)

// Result is one guide matching a full-text query.
type Result struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	// Score ranks results: title, alias and tag matches weigh more than the body, whole words
	// more than parts of words, and the whole phrase more than scattered words.
	Score int `json:"score"`
	// Snippet is the best matching line of the body (or the summary when only the title, tags
	// or aliases matched).
	Snippet string `json:"snippet"`
	// Line is the snippet's 1-based line in the guide's file; 0 when the snippet is the summary.
	Line int `json:"line"`
	// Heading and Anchor name the heading the snippet sits under ("" before the first one).
	Heading string `json:"heading,omitempty"`
	Anchor  string `json:"anchor,omitempty"`
	// Matches counts the body lines that match (capped; a hint, not an exact number).
	Matches int `json:"matches"`
}

// guideIndex is a guide's text lower-cased once, so each query only scans.
type guideIndex struct {
	g          *Guide
	body       string // lower-cased body
	lineStarts []int  // offsets in body where each line starts
	lines      []string
	title      string
	slug       string
	tags       []string // lower-cased tags and aliases
	headLine   map[int]bool
	titleLine  int // body line of the heading repeating the title, or -1
}

type searchIndex struct{ guides []guideIndex }

func (l *Library) searchIndex() *searchIndex {
	l.indexOnce.Do(func() {
		idx := &searchIndex{guides: make([]guideIndex, len(l.guides))}
		for i, g := range l.guides {
			gi := guideIndex{g: g, body: strings.ToLower(g.Body), title: strings.ToLower(g.Title), slug: g.Slug, headLine: map[int]bool{}}
			gi.lines = strings.Split(g.Body, "\n")
			gi.lineStarts = make([]int, 0, len(gi.lines))
			gi.lineStarts = append(gi.lineStarts, 0)
			for off := 0; ; {
				k := strings.IndexByte(gi.body[off:], '\n')
				if k < 0 {
					break
				}
				off += k + 1
				gi.lineStarts = append(gi.lineStarts, off)
			}
			for _, t := range append(append([]string(nil), g.Tags...), g.Aliases...) {
				gi.tags = append(gi.tags, strings.ToLower(t))
			}
			gi.titleLine = -1
			for _, h := range g.Headings {
				gi.headLine[h.Line-g.BodyStart-1] = true
				if gi.titleLine < 0 && strings.EqualFold(h.Text, g.Title) {
					gi.titleLine = h.Line - g.BodyStart - 1
				}
			}
			idx.guides[i] = gi
		}
		l.index = idx
	})
	return l.index
}

// Prepare builds the search index now (it is otherwise built by the first search), so a UI
// can pay for it in the background.
func (l *Library) Prepare() { l.searchIndex() }

// Terms splits a query into lower-case search terms (punctuation at the ends of words dropped,
// duplicates removed). Readers use it to find the same words the search found.
func Terms(query string) []string {
	var out []string
	seen := map[string]bool{}
	for _, f := range strings.Fields(strings.ToLower(query)) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
		if f != "" && !seen[f] {
			seen[f] = true
			out = append(out, f)
		}
	}
	return out
}

// maxHitsPerTerm caps how many occurrences of one term in one guide are looked at: scores are
// capped long before, and common words must not make a query slow.
const maxHitsPerTerm = 16

// Search ranks the guides matching every word of query (AND); limit <= 0 means all.
func (l *Library) Search(query string, limit int) []Result {
	q := newSearchQuery(query)
	if q == nil {
		return nil
	}
	idx := l.searchIndex()
	var out []Result
	var hits []lineHit
	for gi := range idx.guides {
		if r, ok := q.match(&idx.guides[gi], &hits); ok {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Slug < out[j].Slug
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// searchQuery is a query prepared once for every guide: its terms, its phrase and their finders.
type searchQuery struct {
	terms []string
	// phrase is the query as typed (spaces normalised), so "dbt --version" finds the command
	// even though its words are searched without punctuation; "" for a one-word query.
	phrase       string
	finders      []finder
	phraseFinder finder
	all          uint32 // a bit per term
}

// newSearchQuery prepares query; nil when it has no words. Words past the 16th are ignored.
func newSearchQuery(query string) *searchQuery {
	terms := Terms(query)
	if len(terms) == 0 {
		return nil
	}
	if len(terms) > 16 {
		terms = terms[:16]
	}
	q := &searchQuery{terms: terms, phrase: strings.Join(strings.Fields(strings.ToLower(query)), " ")}
	if len(terms) == 1 && q.phrase == terms[0] {
		q.phrase = ""
	}
	q.finders = make([]finder, len(terms))
	for i, t := range terms {
		q.finders[i] = newFinder(t)
	}
	q.phraseFinder = newFinder(q.phrase)
	q.all = uint32(1<<len(terms) - 1)
	return q
}

// match scores guide x; false when a word of the query appears nowhere in it. hits is
// scratch space kept between guides.
func (q *searchQuery) match(x *guideIndex, hits *[]lineHit) (Result, bool) {
	score, found := q.labelScore(x)
	bodyScore, found, ok := q.bodyHits(x, hits, found)
	if !ok || found != q.all {
		return Result{}, false // every word must appear somewhere in the guide
	}
	score += bodyScore
	phraseLines, phraseScore := q.phraseLines(x)
	score += phraseScore
	best := q.bestLine(x, *hits, &phraseLines)
	if best >= 0 && len(q.terms) > 1 && findHit(*hits, best).mask == q.all {
		score += 5
	}
	r := Result{Slug: x.g.Slug, Title: x.g.Title, Score: score, Matches: len(*hits)}
	if best < 0 {
		r.Snippet = x.g.Summary
		return r, true
	}
	r.Line = x.g.BodyStart + best + 1
	r.Snippet = snippet(x.lines[best], q.terms)
	if h := x.g.HeadingAt(r.Line); h != nil {
		r.Heading, r.Anchor = h.Text, h.Anchor
	}
	return r, true
}

// labelScore scores the title, aliases, tags and slug, and marks the terms they hold.
func (q *searchQuery) labelScore(x *guideIndex) (score int, found uint32) {
	if q.phrase != "" && containsWord(x.title, q.phrase) {
		score += 60
	}
	if x.title == strings.Join(q.terms, " ") {
		score += 40
	}
	for ti, t := range q.terms {
		if w, ok := wordMatch(x.title, t); ok {
			found |= 1 << ti
			score += pick(w, 25, 10)
		}
		for _, tag := range x.tags {
			if tag == t || (q.phrase != "" && tag == q.phrase) {
				score += 30
				found |= 1 << ti
			} else if w, ok := wordMatch(tag, t); ok {
				score += pick(w, 15, 6)
				found |= 1 << ti
			}
		}
		if strings.Contains(x.slug, t) {
			score += 5
			found |= 1 << ti
		}
	}
	return score, found
}

// bodyHits finds each term in the body (up to maxHitsPerTerm times), collecting the lines
// they are on in hits, and scores them. ok is false as soon as a term is in neither the body
// nor the labels (found).
func (q *searchQuery) bodyHits(x *guideIndex, hits *[]lineHit, found uint32) (score int, _ uint32, ok bool) {
	// Hits arrive in line order per term; a short slice beats a map here.
	*hits = (*hits)[:0]
	for ti := range q.terms {
		n, termScore := q.termHits(x, ti, hits)
		if n > 0 {
			found |= 1 << ti
			score += min(termScore, 15)
		} else if found&(1<<ti) == 0 {
			return 0, found, false
		}
	}
	return score, found, true
}

// termHits adds the lines of term ti's occurrences to hits; it returns how many it looked at
// and their score (whole words count more).
func (q *searchQuery) termHits(x *guideIndex, ti int, hits *[]lineHit) (n, score int) {
	t := q.terms[ti]
	cur := 0
	for off := 0; n < maxHitsPerTerm; n++ {
		k := q.finders[ti].index(x.body[off:])
		if k < 0 {
			break
		}
		at := off + k
		off = at + len(t)
		whole := isBoundary(x.body, at, at+len(t))
		score += pick(whole, 3, 1)
		for cur+1 < len(x.lineStarts) && x.lineStarts[cur+1] <= at {
			cur++
		}
		h := findHit(*hits, cur)
		if h == nil {
			*hits = append(*hits, lineHit{line: cur})
			h = &(*hits)[len(*hits)-1]
		}
		h.mask |= 1 << ti
		if whole {
			h.whole++
		}
	}
	return n, score
}

// maxPhraseHits caps how many occurrences of the whole phrase in one guide are looked at.
const maxPhraseHits = 8

// lineSet is a few body lines, kept without allocating.
type lineSet struct {
	n     int
	lines [maxPhraseHits]int
}

func (s *lineSet) add(ln int) {
	if s.n < len(s.lines) {
		s.lines[s.n] = ln
		s.n++
	}
}

func (s *lineSet) has(ln int) bool {
	for _, l := range s.lines[:s.n] {
		if l == ln {
			return true
		}
	}
	return false
}

// phraseLines are the body lines holding the whole phrase (its first maxPhraseHits
// occurrences), and their score.
func (q *searchQuery) phraseLines(x *guideIndex) (lines lineSet, score int) {
	if q.phrase == "" {
		return lines, 0
	}
	for off, n := 0, 0; n < maxPhraseHits; n++ {
		k := q.phraseFinder.index(x.body[off:])
		if k < 0 {
			break
		}
		lines.add(lineOf(x.lineStarts, off+k))
		score += pick(isBoundary(x.body, off+k, off+k+len(q.phrase)), 10, 4)
		off += k + len(q.phrase)
	}
	return lines, score
}

// bestLine picks the snippet: the line with the phrase, then the most distinct words, then
// whole words; a heading is preferred, the heading repeating the title is not. -1 for none.
func (q *searchQuery) bestLine(x *guideIndex, hits []lineHit, phraseLines *lineSet) int {
	best, bestScore := -1, -1
	for _, h := range hits {
		ln := h.line
		s := popcount(h.mask)*10 + min(h.whole, 5)*2
		if phraseLines.has(ln) {
			s += 100
		}
		if x.headLine[ln] {
			s += 3
		}
		if ln == x.titleLine {
			s -= 50 // the page's own title says nothing the result's title does not
		}
		if s > bestScore || (s == bestScore && ln < best) {
			best, bestScore = ln, s
		}
	}
	return best
}

// finder looks for a needle by jumping between occurrences of its rarest byte: strings.Index
// jumps between occurrences of the first byte, which in prose ("s", "r", "t") is so common
// that a scan of a few megabytes costs several milliseconds per term.
type finder struct {
	needle string
	rare   int // index in needle of its rarest byte
}

// byteCommonness orders lower-case ASCII from most to least common in English prose and SQL.
const byteCommonness = " etaoinsrhldcumfpgwy_.-,'bv()k*`0123456789:/=x|jqz"

func newFinder(needle string) finder {
	f := finder{needle: needle}
	best := -1
	for i := 0; i < len(needle); i++ {
		rank := strings.IndexByte(byteCommonness, needle[i])
		if rank < 0 {
			rank = len(byteCommonness) // anything else (non-ASCII, symbols) is rare
		}
		if rank > best {
			best, f.rare = rank, i
		}
	}
	return f
}

// index returns the offset of the first needle in s, or -1.
func (f finder) index(s string) int {
	n := len(f.needle)
	if n == 0 || n > len(s) {
		return -1
	}
	if n == 1 {
		return strings.IndexByte(s, f.needle[0])
	}
	c := f.needle[f.rare]
	for off := f.rare; off < len(s); {
		k := strings.IndexByte(s[off:], c)
		if k < 0 {
			return -1
		}
		start := off + k - f.rare
		if start+n > len(s) {
			return -1
		}
		if s[start:start+n] == f.needle {
			return start
		}
		off += k + 1
	}
	return -1
}

type lineHit struct {
	line  int
	mask  uint32
	whole int
}

func findHit(hits []lineHit, line int) *lineHit {
	for i := len(hits) - 1; i >= 0; i-- {
		if hits[i].line == line {
			return &hits[i]
		}
	}
	return nil
}

func pick(c bool, a, b int) int {
	if c {
		return a
	}
	return b
}

func popcount(x uint32) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

// lineOf maps a byte offset to its 0-based line.
func lineOf(starts []int, off int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off }) - 1
}

// isBoundary reports whether s[i:j] is a whole word (no letter or digit touches it).
func isBoundary(s string, i, j int) bool {
	if i > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		if isWordRune(r) {
			return false
		}
	}
	if j < len(s) {
		r, _ := utf8.DecodeRuneInString(s[j:])
		if isWordRune(r) {
			return false
		}
	}
	return true
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsNumber(r) }

// wordMatch reports whether t occurs in s, and whether some occurrence is a whole word.
func wordMatch(s, t string) (whole, ok bool) {
	for off := 0; ; {
		k := strings.Index(s[off:], t)
		if k < 0 {
			return false, ok
		}
		ok = true
		if isBoundary(s, off+k, off+k+len(t)) {
			return true, true
		}
		off += k + len(t)
	}
}

func containsWord(s, t string) bool {
	w, _ := wordMatch(s, t)
	return w
}

// snippetWidth caps a snippet; long lines are cut around the first match.
const snippetWidth = 160

// snippet tidies a body line (list markers, heading hashes, quote marks) and cuts long lines
// around the first matching term.
func snippet(line string, terms []string) string {
	s := strings.TrimSpace(line)
	s = strings.TrimLeft(s, "#>")
	s = strings.TrimSpace(s)
	for _, p := range []string{"- ", "* ", "+ "} {
		s = strings.TrimPrefix(s, p)
	}
	if t := mdtree.Text(mdtree.Parse([]byte(s)), []byte(s)); t != "" {
		s = t // links as their text, no emphasis marks or code ticks
	}
	if utf8.RuneCountInString(s) <= snippetWidth {
		return s
	}
	ls := strings.ToLower(s)
	at := -1
	for _, t := range terms {
		if k := strings.Index(ls, t); k >= 0 && (at < 0 || k < at) {
			at = k
		}
	}
	rs := []rune(s)
	start := 0
	if at > 0 {
		start = max(0, utf8.RuneCountInString(ls[:min(at, len(ls))])-snippetWidth/3)
	}
	end := min(len(rs), start+snippetWidth)
	out := string(rs[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}
