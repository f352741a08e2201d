package guides

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestSearchRanking(t *testing.T) {
	l := testLibrary(t)
	tests := []struct {
		query     string
		wantFirst string
		wantLine  int    // file line of the first result's snippet; 0 = don't check
		snippet   string // substring of the first result's snippet
		heading   string
	}{
		// Title and alias matches beat body mentions.
		{query: "sandbox", wantFirst: "sandbox"},
		{query: "glossary", wantFirst: "glossary"},
		{query: "quickstart", wantFirst: "first-steps"},
		// The phrase wins over scattered words, and the snippet is the phrase's line.
		{query: "refresh your sandbox", wantFirst: "sandbox", wantLine: 16, snippet: "Refresh your sandbox when", heading: "Refresh it"},
		{query: "zero-copy", wantFirst: "glossary", wantLine: 13, snippet: "zero-copy copy of production", heading: "Clone"},
		{query: "staging", wantFirst: "reading-a-long-guide", wantLine: 17, snippet: "mentions the staging layer", heading: "Lists"},
		{query: "DBT --VERSION", wantFirst: "first-steps", snippet: "dbt --version"},
	}
	for _, tc := range tests {
		rs := l.Search(tc.query, 0)
		if len(rs) == 0 {
			t.Errorf("Search(%q): no results", tc.query)
			continue
		}
		r := rs[0]
		if r.Slug != tc.wantFirst {
			t.Errorf("Search(%q) first = %s (%v), want %s", tc.query, r.Slug, results(rs), tc.wantFirst)
		}
		if tc.wantLine != 0 && r.Line != tc.wantLine {
			t.Errorf("Search(%q) line = %d, want %d (%q)", tc.query, r.Line, tc.wantLine, r.Snippet)
		}
		if !strings.Contains(r.Snippet, tc.snippet) {
			t.Errorf("Search(%q) snippet = %q, want it to contain %q", tc.query, r.Snippet, tc.snippet)
		}
		if tc.heading != "" && r.Heading != tc.heading {
			t.Errorf("Search(%q) heading = %q, want %q", tc.query, r.Heading, tc.heading)
		}
	}
}

func results(rs []Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s:%d ", r.Slug, r.Score)
	}
	return b.String()
}

func TestSearchWholeWordBeatsPart(t *testing.T) {
	a := Parse("a.md", []byte("---\ntitle: A\n---\nThe models are built.\n"))
	b := Parse("b.md", []byte("---\ntitle: B\n---\nThe model is built.\n"))
	l := FromGuides([]*Guide{a, b})
	rs := l.Search("model", 0)
	if len(rs) != 2 || rs[0].Slug != "b" {
		t.Fatalf("Search(model) = %v, want b (whole word) first", results(rs))
	}
}

func TestSearchNeedsEveryWord(t *testing.T) {
	l := testLibrary(t)
	if rs := l.Search("sandbox xylophone", 0); len(rs) != 0 {
		t.Fatalf("want no results, got %v", results(rs))
	}
	if rs := l.Search("  ", 0); rs != nil {
		t.Fatalf("blank query gave %v", results(rs))
	}
	if rs := l.Search("sandbox", 1); len(rs) != 1 {
		t.Fatalf("limit 1 gave %d", len(rs))
	}
}

func TestSearchTitleOnlyUsesSummary(t *testing.T) {
	g := Parse("x.md", []byte("---\ntitle: Looker tips\nsummary: How to use Looker.\n---\nNothing here.\n"))
	rs := FromGuides([]*Guide{g}).Search("looker", 0)
	if len(rs) != 1 || rs[0].Line != 0 || rs[0].Snippet != "How to use Looker." {
		t.Fatalf("got %+v", rs)
	}
}

func TestSnippetCutsLongLines(t *testing.T) {
	line := strings.Repeat("word ", 100) + "needle " + strings.Repeat("tail ", 100)
	s := snippet(line, []string{"needle"})
	if !strings.Contains(s, "needle") || !strings.HasPrefix(s, "…") || !strings.HasSuffix(s, "…") {
		t.Fatalf("snippet = %q", s)
	}
}

// syntheticGuides builds n guides of about 150 lines of words, for the search benchmark.
func syntheticGuides(n int) []*Guide {
	words := strings.Fields("model source staging mart sandbox refresh clone warehouse snowflake dbt build test " +
		"run select column table view schema role admin contributor review merge branch commit pull request " +
		"check failure log freshness alert looker dashboard query share export the a of to and in is for with on")
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]*Guide, 0, n)
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Synthetic guide %d\nsection: Help\ntags: [synthetic, t%d]\n---\n# Synthetic guide %d\n", i, i, i)
		for l := range 150 {
			if l%25 == 0 {
				fmt.Fprintf(&b, "\n## Part %d\n\n", l/25)
			}
			for range 12 {
				b.WriteString(words[rng.IntN(len(words))])
				b.WriteByte(' ')
			}
			b.WriteByte('\n')
		}
		out = append(out, Parse(fmt.Sprintf("synthetic-%d.md", i), []byte(b.String())))
	}
	return out
}

// BenchmarkSearch is one query (one keystroke) over the embedded handbook plus 500 synthetic
// guides. Target: < 10 ms per query.
func BenchmarkSearch(b *testing.B) {
	gs := append([]*Guide(nil), Embedded().Guides()...)
	gs = append(gs, syntheticGuides(500)...)
	l := FromGuides(gs)
	l.Prepare()
	queries := []string{"s", "sa", "san", "sandbox", "sandbox ref", "refresh sandbox", "the", "pull request review", "xylophone"}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		l.Search(queries[i%len(queries)], 50)
	}
}

func BenchmarkFilter(b *testing.B) {
	gs := append([]*Guide(nil), Embedded().Guides()...)
	l := FromGuides(append(gs, syntheticGuides(500)...))
	for b.Loop() {
		l.Filter("sndbx")
	}
}

func TestFinder(t *testing.T) {
	for _, tc := range []struct {
		s, needle string
		want      int
	}{
		{"hello sandbox world", "sandbox", 6}, {"xx", "x", 0}, {"abc", "abcd", -1}, {"abcabd", "abd", 3},
		{"", "a", -1}, {"a", "", -1}, {"zzzz", "zz", 0}, {"ab zb", "zb", 3}, {"café au lait", "é a", 3},
	} {
		if got := newFinder(tc.needle).index(tc.s); got != tc.want {
			t.Errorf("index(%q, %q) = %d, want %d", tc.s, tc.needle, got, tc.want)
		}
		if tc.needle != "" {
			if want := strings.Index(tc.s, tc.needle); want != tc.want {
				t.Errorf("test case disagrees with strings.Index: %d", want)
			}
		}
	}
}
