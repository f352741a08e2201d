package markdown

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/testutil/fixtures"
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
	if _, err := NewRenderer().Render("x", "no-such-style", 40); err == nil {
		t.Fatal("an unknown style should fail")
	}
}

func readTestdata(t testing.TB, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGolden renders a document with every block the handbook uses. The colour style is
// compared without its escapes (TestColourStyle checks those), so every golden reads as
// text.
func TestGolden(t *testing.T) {
	md := readTestdata(t, "everything.md")
	for _, style := range []string{"notty", "ascii", "dark"} {
		for _, w := range []int{40, 80} {
			t.Run(fmt.Sprintf("%s-%d", style, w), func(t *testing.T) {
				out, err := NewRenderer().Render(md, style, w)
				if err != nil {
					t.Fatal(err)
				}
				checkLines(t, out, w)
				golden.RequireEqual(t, []byte(ansi.Strip(out)+"\n"))
			})
		}
	}
}

// checkLines fails when a line is wider than w or ends with a space.
func checkLines(t *testing.T, out string, w int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		p := ansi.Strip(l)
		if cw := ansi.StringWidth(p); cw > max(w, MinWidth) {
			t.Errorf("line %d is %d cells wide, more than %d: %q", i+1, cw, w, p)
		}
		if strings.HasSuffix(l, " ") {
			t.Errorf("line %d ends with a space: %q", i+1, l)
		}
	}
}

func TestPlainStylesHaveNoEscapes(t *testing.T) {
	md := readTestdata(t, "everything.md")
	for _, style := range []string{"notty", "ascii"} {
		out, err := NewRenderer().Render(md, style, 60)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("%s has escape sequences", style)
		}
		if style == "ascii" {
			for _, r := range out {
				if r > 0x7e {
					t.Fatalf("ascii has %q", r)
				}
			}
		}
	}
}

// TestColourStyle checks what the colour styles add: the title on a band, bold headings,
// links as hyperlinks, code spans and code blocks in their own colours.
func TestColourStyle(t *testing.T) {
	md := readTestdata(t, "everything.md")
	for _, style := range []string{"dark", "light"} {
		out, err := NewRenderer().Render(md, style, 80)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(out, "\n")
		th, _ := themeFor(style)
		for _, want := range []struct {
			what, in, seq string
		}{
			{"title band", " Everything the handbook uses ", th.sgr(fH1)},
			{"section heading", "## Lists", th.sgr(fH2)},
			{"code span", "code spans", th.sgr(fCode)},
			{"bold", "strong text", th.sgr(fBold)},
			{"hyperlink", "link", ansi.SetHyperlink("https://docs.getdbt.com/docs/build/models") + th.sgr(fLink)},
			{"SQL keyword", "select", th.sgr(fBlock | fKeyword)},
			{"SQL comment", "-- comment", th.sgr(fBlock | fComment)},
			{"SQL string", "'text'", th.sgr(fBlock | fString)},
			{"Jinja", "{{ ref('stg_orders') }}", th.sgr(fBlock | fTmpl)},
			{"YAML key", "description", th.sgr(fBlock | fKeyword)},
			{"shell command", "datatui", th.sgr(fBlock | fKeyword)},
		} {
			found := false
			for _, l := range lines {
				if strings.Contains(l, want.seq+want.in) {
					found = true
					break
				}
			}
			if !found || want.seq == "" {
				t.Errorf("%s: %s: %q is not drawn after %q", style, want.what, want.in, want.seq)
			}
		}
		// A code block is a panel: its lines have the same width.
		var widths []int
		for _, l := range lines {
			if strings.Contains(l, th.sgr(fBlock)) {
				widths = append(widths, ansi.StringWidth(l))
			}
		}
		if len(widths) < 4 || widths[0] != widths[1] {
			t.Errorf("%s: code block rows are not one panel: %v", style, widths)
		}
	}
}

// TestRowsMatchTheGuides renders every built-in guide and checks that the row the renderer
// reports for each heading, link and code block of the guide (taken from the same syntax
// tree by the guides package) shows it.
func TestRowsMatchTheGuides(t *testing.T) {
	for _, g := range guides.Embedded().Guides() {
		for _, w := range []int{40, 100} {
			d, err := NewRenderer().RenderDoc(g.Body, Options{Style: "notty", Width: w}, 0, nil)
			if err != nil {
				t.Fatal(err)
			}
			row := func(what string, off int, text string) {
				r, ok := d.Rows[off]
				if !ok {
					t.Errorf("%s at %d: %s %q has no row", g.Slug, w, what, text)
					return
				}
				first := strings.Fields(text)
				if len(first) == 0 {
					return
				}
				if !strings.Contains(d.Lines[r], first[0][:min(len(first[0]), w/2)]) {
					t.Errorf("%s at %d: %s %q is reported on row %d: %q", g.Slug, w, what, text, r, d.Lines[r])
				}
			}
			for _, h := range g.Headings {
				row("heading", h.Offset, h.Text)
			}
			for _, l := range g.Links {
				row("link", l.Offset, l.Text)
			}
			for _, c := range g.CodeBlocks {
				row("code block", c.Offset, strings.TrimSpace(c.Code))
			}
		}
	}
}

// TestRealDocuments renders the markdown files among the fixtures (dbt packages' READMEs and
// change logs: HTML, badges, long tables) at several widths: nothing is wider than asked.
func TestRealDocuments(t *testing.T) {
	root := fixtures.Path(t, "projects")
	n := 0
	_ = filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".md") || n >= 40 {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		n++
		for _, w := range []int{30, 90} {
			out, err := NewRenderer().Render(termsafe.Text(string(b)), "dark", w)
			if err != nil {
				t.Fatal(err)
			}
			checkLines(t, out, w)
		}
		return nil
	})
	if n == 0 {
		t.Fatal("no markdown files among the fixtures")
	}
}

func TestFirstScreens(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, "## Part %d\n\n%s\n\n", i, strings.Repeat("text ", 40))
	}
	var first *Doc
	full, err := NewRenderer().RenderDoc(b.String(), Options{Style: "dark", Width: 60}, 20, func(d *Doc) { first = d })
	if err != nil {
		t.Fatal(err)
	}
	if first == nil || len(first.Lines) < 20 || len(first.Lines) >= len(full.Lines) {
		t.Fatalf("first screens: %v", first)
	}
	for i, l := range first.Lines {
		if full.Lines[i] != l {
			t.Fatalf("line %d of the first screens differs", i)
		}
	}
	for k, r := range first.Rows {
		if full.Rows[k] != r {
			t.Fatalf("row of %d differs", k)
		}
	}
}

func TestLinkOption(t *testing.T) {
	md := "See [the guide](other.md) and [dbt](https://docs.getdbt.com)."
	out, err := NewRenderer().RenderDoc(md, Options{Style: "notty", Width: 80, Link: func(d string) string {
		if strings.HasSuffix(d, ".md") {
			return ""
		}
		return d
	}}, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.String(), "  See the guide and dbt (https://docs.getdbt.com)."; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestWrapCutsLongWords(t *testing.T) {
	out, err := NewRenderer().Render("# T\n\n"+strings.Repeat("word ", 100)+strings.Repeat("x", 70), "dark", 5)
	if err != nil {
		t.Fatal(err)
	}
	checkLines(t, out, MinWidth)
	if !strings.Contains(ansi.Strip(out), strings.Repeat("x", MinWidth-margin)) {
		t.Fatalf("a long word is not cut at the line's end:\n%s", ansi.Strip(out))
	}
}

func TestHighlighters(t *testing.T) {
	th, _ := themeFor("dark")
	for _, tc := range []struct {
		lang, line string
		want       map[string]flags // token -> its flags
	}{
		{"sql", "select 'a--b' as x, 42 -- note", map[string]flags{"select": fKeyword, "'a--b'": fString, "42": fNumber, "-- note": fComment, "x,": 0}},
		{"sql", "from {{ ref('o') }} where", map[string]flags{"{{ ref('o') }}": fTmpl, "where": fKeyword}},
		{"yaml", "  - name: stg_orders # c", map[string]flags{"name": fKeyword, "# c": fComment}},
		{"yaml", "version: 2", map[string]flags{"version": fKeyword, ": 2": fNumber}},
		{"shell", "dbt build -s x | tee log", map[string]flags{"dbt": fKeyword, "-s": fNumber, "tee": fKeyword, "build": 0}},
		{"shell", `export A="b" # c`, map[string]flags{"export": fKeyword, `"b"`: fString, "# c": fComment}},
	} {
		frags, _ := highlighterFor(tc.lang)(tc.line, 0, nil)
		got := map[string]flags{}
		var text strings.Builder
		for _, f := range frags {
			text.WriteString(f.text)
			for _, tok := range strings.Fields(f.text) {
				got[tok] = f.f &^ fBlock
			}
			got[strings.TrimSpace(f.text)] = f.f &^ fBlock
		}
		if text.String() != tc.line {
			t.Errorf("%s %q: text changed to %q", tc.lang, tc.line, text.String())
		}
		for tok, f := range tc.want {
			if g, ok := got[tok]; !ok || g != f {
				t.Errorf("%s %q: %q has flags %b, want %b", tc.lang, tc.line, tok, g, f)
			}
		}
	}
	_ = th
	// A block comment runs over lines.
	if _, st := highlightSQL("select /* open", 0, nil); st != inBlockComment {
		t.Error("an open block comment is not carried to the next line")
	}
	if fr, st := highlightSQL("still */ select", inBlockComment, nil); st != 0 || fr[0].f&fComment == 0 {
		t.Error("a block comment does not close")
	}
}

var ownSequences = regexp.MustCompile(`\x1b\[[0-9;:]*m|\x1b\]8;;[^\x07\x1b]*\x07`)

// FuzzRender: a guide is outside input. Whatever it holds, rendering does not panic, keeps to
// the width, and draws nothing a terminal would obey except the renderer's own colours and
// hyperlinks.
func FuzzRender(f *testing.F) {
	f.Add(readTestdata(f, "everything.md"), 40)
	f.Add("# \x1b]0;title\x07 x\n\n[a](\x1b[2J) `\x9b` <https://x\x07>", 30)
	f.Add("| a |\n|---|\n| \x1b[31m |", 20)
	f.Add("```sql\n\tselect\x00 '\u202e'\n```", 25)
	f.Add("- [x] a\n  - b\n    > c\n    > ```\n    > d", 21)
	f.Fuzz(func(t *testing.T, md string, w int) {
		w = w%200 + 1
		for _, style := range []string{"dark", "notty"} {
			d, err := NewRenderer().RenderDoc(md, Options{Style: style, Width: w}, 5, func(*Doc) {})
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range d.Lines {
				rest := ownSequences.ReplaceAllString(l, "")
				if !termsafe.Safe(rest) {
					t.Fatalf("%s line %d draws unsafe text: %q", style, i, l)
				}
				if cw := ansi.StringWidth(rest); cw > max(w, MinWidth) {
					t.Fatalf("%s line %d is %d cells at width %d: %q", style, i, cw, w, rest)
				}
			}
			for k, r := range d.Rows {
				if r < 0 || r >= max(len(d.Lines), 1) {
					t.Fatalf("row %d of %d is outside the document (%d lines)", r, k, len(d.Lines))
				}
			}
		}
	})
}
