package markdown

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/glamour/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestStyle(t *testing.T) {
	for _, tc := range []struct {
		dark, noColor bool
		want          string
	}{{true, false, "dark"}, {false, false, "light"}, {true, true, "notty"}, {false, true, "notty"}} {
		if got := Style(tc.dark, tc.noColor); got != tc.want {
			t.Errorf("Style(%v, %v) = %s, want %s", tc.dark, tc.noColor, got, tc.want)
		}
	}
}

func TestTrimRightSpace(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain   ", "plain"},
		{"   ", ""},
		{"\x1b[38;5;252mtext\x1b[m\x1b[38;5;252m \x1b[m\x1b[38;5;252m \x1b[m", "\x1b[38;5;252mtext\x1b[m"},
		{"\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[1m  \x1b[m", "\x1b]8;;http://x\x07link\x1b]8;;\x07\x1b[m"},
		{"\x1b[1m \x1b[m", ""},
	} {
		if got := trimRightSpace(tc.in); got != tc.want {
			t.Errorf("trimRightSpace(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSplitSections(t *testing.T) {
	var b strings.Builder
	for i := range 4 {
		fmt.Fprintf(&b, "## Part %d\n\n%s\n```\n## not a heading\n```\n", i, strings.Repeat("text\n", 45))
	}
	b.WriteString("[ref]: https://example.com\n")
	secs := splitSections(b.String())
	if len(secs) != 4 {
		t.Fatalf("got %d sections", len(secs))
	}
	for i, s := range secs {
		if !strings.HasPrefix(s, fmt.Sprintf("## Part %d", i)) || !strings.Contains(s, "[ref]: https://example.com") {
			t.Errorf("section %d = %.40q…", i, s)
		}
	}
	if got := splitSections("# Short\n\n## A\n\n## B\n"); len(got) != 1 {
		t.Errorf("short documents should stay whole, got %d sections", len(got))
	}
}

// TestSectionsRenderLikeWhole checks that rendering a long guide by sections gives the same
// text as rendering it whole.
func TestSectionsRenderLikeWhole(t *testing.T) {
	var b strings.Builder
	b.WriteString("# Title\n\nIntro with a [ref link][r].\n\n")
	for i := range 6 {
		fmt.Fprintf(&b, "## Part %d\n\n", i)
		for range 10 {
			b.WriteString("Some prose that is long enough to wrap around at sixty columns, with `code` and **bold**.\n\n")
		}
		b.WriteString("- a\n- b\n\n```sql\nselect 1\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n")
	}
	b.WriteString("[r]: https://example.com/r\n")
	md := b.String()
	if n := len(splitSections(md)); n < 3 {
		t.Fatalf("test document should split, got %d sections", n)
	}
	for _, style := range []string{"notty", "dark"} {
		r := NewRenderer()
		got, err := r.Render(md, style, 60)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := glamour.NewTermRenderer(glamour.WithStandardStyle(style), glamour.WithWordWrap(60), glamour.WithChromaFormatter("terminal16m"))
		if err != nil {
			t.Fatal(err)
		}
		whole, err := tr.Render(md)
		if err != nil {
			t.Fatal(err)
		}
		if a, b := ansi.Strip(got), ansi.Strip(tidy(whole)); a != b {
			t.Errorf("%s: sections render differently from the whole:\n%s\n-----\n%s", style, a, b)
		}
		var first string
		full, err := r.RenderFirst(md, style, 60, 20, func(s string) { first = s })
		if err != nil || full != got {
			t.Fatalf("RenderFirst differs from Render (err %v)", err)
		}
		if first == "" || !strings.HasPrefix(full, first) || len(first) >= len(full) {
			t.Errorf("first part %d bytes is not a prefix of the %d-byte document", len(first), len(full))
		}
	}
}

func TestRenderWidth(t *testing.T) {
	out, err := NewRenderer().Render("# T\n\n"+strings.Repeat("word ", 100), "dark", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(out, "\n") {
		if w := ansi.StringWidth(l); w > MinWidth {
			t.Fatalf("line wider than the minimum width %d: %d %q", MinWidth, w, ansi.Strip(l))
		}
	}
	if _, err := NewRenderer().Render("x", "no-such-style", 40); err == nil {
		t.Fatal("unknown style should fail")
	}
}
