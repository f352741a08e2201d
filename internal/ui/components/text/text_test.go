package text

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/termsafe"
)

func TestFitPadSpread(t *testing.T) {
	bold := lipgloss.NewStyle().Bold(true)
	tests := []struct {
		name, got, want string
	}{
		{"fit short", Fit("abc", 5), "abc"},
		{"fit cut", Fit("abcdef", 4), "abc…"},
		{"fit zero", Fit("abc", 0), ""},
		{"fit wide runes", Fit("日本語テキスト", 5), "日本…"},
		{"pad", Pad("ab", 4), "ab  "},
		{"pad cut", Pad("abcdef", 4), "abc…"},
		{"padcut", PadCut("abcdef", 4), "abcd"},
		{"spread", Spread("left", "right", 12), "left   right"},
		{"spread tight", Spread("a long left side", "right", 12), "a lon… right"},
		{"spread no room", Spread("left", "a very long right", 8), "left    "},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
	// Styles survive and the width counts cells, not bytes.
	s := Pad(bold.Render("styled text"), 8)
	if ansi.StringWidth(s) != 8 || ansi.Strip(s) != "styled …" {
		t.Errorf("styled pad: %q", s)
	}
}

func TestBlock(t *testing.T) {
	got := Block([]string{"one", "a line that is too long", "three", "four"}, 6, 3)
	want := "one   \na line\nthree "
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if Block(nil, 3, 2) != "   \n   " {
		t.Fatal("empty block not blank")
	}
}

func TestWrap(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  []string
	}{
		{"short", 10, []string{"short"}},
		{"run pip install --user dbt-core to install", 20, []string{"run pip install", "--user dbt-core to", "install"}},
		{"/a/very/long/path/that/cannot/break", 10, []string{"/a/very/", "long/path/", "that/", "cannot/", "break"}},
		{"averylongwordwithoutslashes", 10, []string{"averylongw", "ordwithout", "slashes"}},
		{"two\nlines", 10, []string{"two", "lines"}},
		{"  indented text that wraps", 12, []string{"  indented", "text that", "wraps"}},
	}
	for _, tt := range tests {
		got := Wrap(tt.in, tt.width)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Wrap(%q, %d) = %q, want %q", tt.in, tt.width, got, tt.want)
		}
		// Nothing is lost: the words come back in order.
		if strings.Join(strings.Fields(strings.Join(got, " ")), "") != strings.Join(strings.Fields(tt.in), "") {
			t.Errorf("Wrap(%q) lost text: %q", tt.in, got)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 tables", 1: "1 table", 2: "2 tables", 11: "11 tables"} {
		if got := Plural(n, "table", "tables"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
	if Noun(1, "match", "matches") != "match" || Noun(2, "match", "matches") != "matches" {
		t.Error("Noun")
	}
}

func TestClamp(t *testing.T) {
	tests := [][4]int{{5, 0, 3, 3}, {-1, 0, 3, 0}, {2, 0, 3, 2}, {4, 0, -1, 0}}
	for _, tt := range tests {
		if got := Clamp(tt[0], tt[1], tt[2]); got != tt[3] {
			t.Errorf("Clamp(%d, %d, %d) = %d, want %d", tt[0], tt[1], tt[2], got, tt[3])
		}
	}
}

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
		tick time.Duration
	}{
		{0, "just now", time.Second},
		{3 * time.Second, "3 seconds ago", time.Second},
		{61 * time.Second, "1 minute ago", 59 * time.Second},
		{5*time.Hour + 10*time.Minute, "5 hours ago", 50 * time.Minute},
		{30 * time.Hour, "yesterday", time.Hour},
		{9 * 24 * time.Hour, "9 days ago", time.Hour},
		{-time.Minute, "just now", time.Hour},
	}
	for _, tt := range tests {
		at := now.Add(-tt.d)
		if got := Ago(now, at); got != tt.want {
			t.Errorf("Ago(-%v) = %q, want %q", tt.d, got, tt.want)
		}
		if got := NextTick(now, at); got != tt.tick {
			t.Errorf("NextTick(-%v) = %v, want %v", tt.d, got, tt.tick)
		}
	}
	if Ago(now, time.Time{}) != "never" {
		t.Error("zero time")
	}
}

// mark makes highlighting visible in plain assertions.
var mark = lipgloss.NewStyle().Transform(func(s string) string { return "[" + s + "]" })

func TestHighlightNeverCorrupts(t *testing.T) {
	plain := lipgloss.NewStyle()
	tests := []struct {
		s     string
		terms []string
		want  string
	}{
		// The bug this replaces: terms found out of order produced "redemptionrate:".
		{"Redemption rate: redemptions over offers", []string{"rate", "redemption"}, "[Redemption] [rate]: [redemption]s over offers"},
		// Overlapping terms merge into one mark.
		{"sandbox refresh", []string{"sand", "andbox"}, "[sandbox] refresh"},
		{"Refresh when your sandbox is old", []string{"refresh", "sandbox"}, "[Refresh] when your [sandbox] is old"},
		{"no match here", []string{"zzz"}, "no match here"},
		{"", []string{"a"}, ""},
	}
	for _, tt := range tests {
		got := Highlight(tt.s, Find(tt.s, tt.terms...), plain, mark)
		if got != tt.want {
			t.Errorf("Highlight(%q, %q) = %q, want %q", tt.s, tt.terms, got, tt.want)
		}
	}
}

func TestHighlightStyledKeepsText(t *testing.T) {
	bold := lipgloss.NewStyle().Bold(true)
	styled := bold.Render("Redemption rate:") + " redemptions over " + bold.Render("offers")
	plain := ansi.Strip(styled)
	out := HighlightStyled(styled, plain, Find(plain, "rate", "redemption", "offers"), lipgloss.NewStyle().Underline(true))
	if ansi.Strip(out) != plain {
		t.Fatalf("highlighting changed the text:\n got %q\nwant %q", ansi.Strip(out), plain)
	}
	if out == styled {
		t.Fatal("nothing was highlighted")
	}
}

func TestPositions(t *testing.T) {
	s := "Snowflake roles"
	got := Positions(s, []int{0, 1, 2, 3, 10, 99})
	want := []Span{{0, 4}, {10, 11}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %v, want %v", got, want)
	}
	// Multi-byte runes: a span covers the whole rune.
	if sp := Positions("né", []int{1}); len(sp) != 1 || sp[0] != (Span{1, 3}) {
		t.Fatalf("rune span %v", sp)
	}
}

func FuzzHighlight(f *testing.F) {
	f.Add("Redemption rate: redemptionrate:", "rate redemption")
	f.Add("ÅÄÖ åäö İstanbul", "i å")
	f.Fuzz(func(t *testing.T, s, query string) {
		s = termsafe.Line(s) // what every caller draws
		out := Highlight(s, Find(s, strings.Fields(query)...), lipgloss.NewStyle(), mark)
		if strings.NewReplacer("[", "", "]", "").Replace(out) != strings.NewReplacer("[", "", "]", "").Replace(s) {
			t.Fatalf("Highlight changed %q into %q", s, out)
		}
	})
}

func TestHomePath(t *testing.T) {
	for _, tc := range []struct{ p, home, want string }{
		{"/home/jane/repo", "/home/jane", "~/repo"},
		{"/home/jane", "/home/jane/", "~"},
		{"/home/janet/repo", "/home/jane", "/home/janet/repo"},
		{"/srv/repo", "/home/jane", "/srv/repo"},
		{"/srv/repo", "", "/srv/repo"},
		{"/srv/repo", "/", "/srv/repo"},
		{"relative/dir", "/home/jane", "relative/dir"},
	} {
		if got := HomePath(tc.p, tc.home); got != tc.want {
			t.Errorf("HomePath(%q, %q) = %q, want %q", tc.p, tc.home, got, tc.want)
		}
	}
}
