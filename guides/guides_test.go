package guides

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func testLibrary(t *testing.T, folders ...string) *Library {
	t.Helper()
	return LoadFrom(os.DirFS("testdata/handbook"), "testdata", folders)
}

// TestEmbeddedLinks walks every link of every embedded guide: each relative link must name an
// existing guide and, with #anchor, an existing heading of it.
func TestEmbeddedLinks(t *testing.T) {
	l := Embedded()
	if l.Len() == 0 {
		t.Fatal("no embedded guides")
	}
	if broken := l.BrokenLinks(); len(broken) > 0 {
		t.Fatalf("%d broken links in the handbook:\n%s", len(broken), strings.Join(broken, "\n"))
	}
}

// TestEmbeddedFrontMatter keeps every embedded guide complete: front matter without warnings
// and a section the handbook knows.
func TestEmbeddedFrontMatter(t *testing.T) {
	for _, g := range Embedded().Guides() {
		if len(g.Warnings) > 0 {
			t.Errorf("%s: %s", g.File(), strings.Join(g.Warnings, "; "))
		}
		if !slices.Contains(Sections, g.Section) {
			t.Errorf("%s: section %q is not one of %q", g.File(), g.Section, Sections)
		}
		if g.Summary == "" {
			t.Errorf("%s: no summary", g.File())
		}
	}
}

func TestTestdataLinks(t *testing.T) {
	l := testLibrary(t)
	if broken := l.BrokenLinks(); len(broken) > 0 {
		t.Fatalf("broken links:\n%s", strings.Join(broken, "\n"))
	}
}

func TestBrokenLinksReported(t *testing.T) {
	g := Parse("a.md", []byte("---\ntitle: A\nsection: Help\n---\n# A\n\n[x](missing.md) [y](a.md#nope) [z](#a) [w](b.txt)\n"))
	l := FromGuides([]*Guide{g})
	broken := l.BrokenLinks()
	if len(broken) != 3 {
		t.Fatalf("want 3 broken links, got %q", broken)
	}
	for i, want := range []string{`"missing"`, "#nope", "b.txt"} {
		if !strings.Contains(broken[i], want) || !strings.Contains(broken[i], ":7:") {
			t.Errorf("broken[%d] = %q, want it to mention %s and line 7", i, broken[i], want)
		}
	}
}

func TestResolve(t *testing.T) {
	l := testLibrary(t)
	from, _ := l.Get("first-steps")
	tests := []struct {
		href    string
		want    Target
		wantErr string
	}{
		{"sandbox.md", Target{Slug: "sandbox"}, ""},
		{"sandbox.md#refresh-it", Target{Slug: "sandbox", Anchor: "refresh-it"}, ""},
		{"./sandbox.md#Refresh-It", Target{Slug: "sandbox", Anchor: "refresh-it"}, ""},
		{"../handbook/sandbox.md#refresh-it-1", Target{Slug: "sandbox", Anchor: "refresh-it-1"}, ""},
		{"glossary", Target{Slug: "glossary"}, ""},
		{"#install-the-tools", Target{Slug: "first-steps", Anchor: "install-the-tools"}, ""},
		{"https://docs.getdbt.com/", Target{URL: "https://docs.getdbt.com/"}, ""},
		{"mailto:data@example.com", Target{URL: "mailto:data@example.com"}, ""},
		{"sandbx.md", Target{}, "did you mean sandbox"},
		{"sandbox.md#nope", Target{}, "heading #nope"},
		{"picture.png", Target{}, "not a guide"},
		{"ftp://x", Target{}, "ftp"},
		{"", Target{}, "empty"},
	}
	for _, tc := range tests {
		got, err := l.Resolve(from, tc.href)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Resolve(%q) error = %v, want %q", tc.href, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("Resolve(%q) = %+v, %v; want %+v", tc.href, got, err, tc.want)
		}
	}
}

func TestParseFrontMatter(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		data      string
		title     string
		section   string
		order     int
		tags      []string
		warn      string // substring of the joined warnings; "" means none
		bodyStart int
	}{
		{name: "complete", file: "a.md", data: "---\ntitle: A title\nsection: start here\norder: 3\nsummary: S\ntags: [x, y]\naliases: [z]\n---\n# H\n",
			title: "A title", section: "Start here", order: 3, tags: []string{"x", "y"}, bodyStart: 8},
		{name: "tags as text and order as text", file: "b.md", data: "---\ntitle: B\nsection: Help\norder: \"7\"\ntags: one, two\n---\nbody\n",
			title: "B", section: "Help", order: 7, tags: []string{"one", "two"}, bodyStart: 6},
		{name: "missing keys", file: "c.md", data: "---\nsummary: only a summary\n---\n# From heading\n",
			title: "From heading", warn: "no title or section", bodyStart: 3},
		{name: "broken yaml", file: "d.md", data: "---\ntitle: [unclosed\nsection: Help\n---\n# Fallback\n",
			title: "Fallback", warn: "broken front matter", bodyStart: 4},
		{name: "no front matter", file: "e-page.md", data: "just text\n",
			title: "E page", warn: "no front matter"},
		{name: "no front matter, heading", file: "f.md", data: "intro\n\nSetext title\n============\n",
			title: "Setext title", warn: "no front matter"},
		{name: "not closed", file: "g.md", data: "---\ntitle: G\n# body\n",
			title: "body", warn: "not closed"},
		{name: "empty", file: "h.md", data: "", title: "H", warn: "empty"},
		{name: "wrong types", file: "i.md", data: "---\ntitle: {a: b}\nsection: Help\norder: soon\ntags: {x: 1}\n---\n# I\n",
			title: "I", section: "Help", warn: "title should be text; tags should be a list; order should be a number", bodyStart: 6},
		{name: "crlf", file: "j.md", data: "---\r\ntitle: J\r\nsection: Help\r\n---\r\n# J\r\n",
			title: "J", section: "Help", bodyStart: 4},
		{name: "latin-1", file: "k.md", data: "---\ntitle: Caf\xe9\nsection: Help\n---\nNa\xefve\n",
			title: "Café", section: "Help", warn: "not valid UTF-8", bodyStart: 4},
		{name: "huge front matter", file: "m.md", data: "---\nsummary: " + strings.Repeat("x", 70<<10) + "\n---\n# Huge\n",
			title: "Huge", warn: "longer than 64 KiB", bodyStart: 3},
		{name: "utf-16", file: "l.md", data: utf16LE("---\ntitle: L\nsection: Help\n---\nbody\n"),
			title: "L", section: "Help", warn: "UTF-16", bodyStart: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := Parse(tc.file, []byte(tc.data))
			if g.Title != tc.title || g.Section != tc.section || g.Order != tc.order || g.BodyStart != tc.bodyStart {
				t.Errorf("got title %q section %q order %d bodyStart %d; want %q %q %d %d", g.Title, g.Section, g.Order, g.BodyStart, tc.title, tc.section, tc.order, tc.bodyStart)
			}
			if tc.tags != nil && !slices.Equal(g.Tags, tc.tags) {
				t.Errorf("tags = %q, want %q", g.Tags, tc.tags)
			}
			w := strings.Join(g.Warnings, "; ")
			if (tc.warn == "") != (w == "") || !strings.Contains(w, tc.warn) {
				t.Errorf("warnings = %q, want %q", w, tc.warn)
			}
		})
	}
}

func utf16LE(s string) string {
	b := []byte{0xFF, 0xFE}
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return string(b)
}

func TestHeadingsAndAnchors(t *testing.T) {
	g := Parse("x.md", []byte("# Title\n\n## Deferral: how `unchanged` models are found\n\n```\n# not a heading\n```\n\n## Refresh it\n## Refresh it\n### [Linked](y.md) *heading* ##\n#nospace\n"))
	var got []string
	for _, h := range g.Headings {
		got = append(got, h.Anchor)
	}
	want := []string{"title", "deferral-how-unchanged-models-are-found", "refresh-it", "refresh-it-1", "linked-heading"}
	if !slices.Equal(got, want) {
		t.Fatalf("anchors = %q, want %q", got, want)
	}
	if g.Headings[2].Line != 9 || g.Headings[4].Text != "Linked heading" {
		t.Errorf("headings = %+v", g.Headings)
	}
}

func TestLinksScan(t *testing.T) {
	body := "See [a](a.md), ![img](pic.png), `[not](code.md)` and <https://x.io>.\n" +
		"[ref link][r] and [t](<b c.md> \"title\")\n\n```\n[in](fence.md)\n```\n[r]: ref.md#h\n"
	g := Parse("x.md", []byte(body))
	var got []string
	for _, lk := range g.Links {
		got = append(got, lk.Text+"->"+lk.Target)
	}
	want := []string{"a->a.md", "https://x.io->https://x.io", "ref link->ref.md#h", "t->b c.md"}
	if !slices.Equal(got, want) {
		t.Fatalf("links = %q, want %q", got, want)
	}
}

func TestTeamOverride(t *testing.T) {
	dir := t.TempDir()
	team := filepath.Join(dir, "docs", "handbook")
	if err := os.MkdirAll(team, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sandbox.md", "team-only.md", "latin1.md", "no-front.md"} {
		data, err := os.ReadFile(filepath.Join("testdata", "team", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(team, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := LoadFrom(os.DirFS("testdata/handbook"), dir, []string{"docs/handbook", "missing/folder"})

	g, ok := l.Get("sandbox")
	if !ok || g.Title != "Our sandbox rules" || g.Origin != filepath.Join(team, "sandbox.md") || !g.Team() {
		t.Fatalf("sandbox = %+v, want the team's guide", g)
	}
	if fs, _ := l.Get("first-steps"); fs == nil || fs.Origin != OriginEmbedded {
		t.Fatalf("first-steps should stay the base guide: %+v", fs)
	}
	if c, _ := l.Get("latin1"); c == nil || c.Title != "Café rules" {
		t.Errorf("latin1 title = %+v", c)
	}
	if n, _ := l.Get("no-front"); n == nil || n.Title != "Heading Only" || n.Section != "" {
		t.Errorf("no-front = %+v", n)
	}
	var names []string
	for _, s := range l.Sections() {
		names = append(names, s.Name)
	}
	if want := []string{"Start here", "Working within Snowflake", "Help", "Our team", OtherSection}; !slices.Equal(names, want) {
		t.Errorf("sections = %q, want %q", names, want)
	}
	ws := strings.Join(l.Warnings(), "\n")
	for _, want := range []string{"missing/folder", "does not exist", "latin1.md: file is not valid UTF-8", "no-front.md: no front matter"} {
		if !strings.Contains(filepath.ToSlash(ws), want) {
			t.Errorf("warnings %q do not mention %q", ws, want)
		}
	}
	// The team's sandbox page lacks the "refresh-it-1" heading the base guide had, and the
	// base guide's link to #refresh-it still resolves against the replacement.
	if broken := l.BrokenLinks(); len(broken) != 0 {
		t.Errorf("broken links: %q", broken)
	}
}

func TestTwoTeamFoldersSameSlug(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	for _, d := range []string{a, b} {
		if err := os.WriteFile(filepath.Join(d, "x.md"), []byte("---\ntitle: "+filepath.Base(d)+"\nsection: Help\n---\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l := LoadFrom(nil, "", []string{a, b})
	if g, _ := l.Get("x"); g == nil || g.Origin != filepath.Join(b, "x.md") {
		t.Fatalf("the later folder should win: %+v", g)
	}
	if w := strings.Join(l.Warnings(), "\n"); !strings.Contains(w, "same slug") {
		t.Fatalf("warnings = %q", w)
	}
}

func TestFolderIsAFileAndReadmeSkipped(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("# About this folder\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := LoadFrom(os.DirFS("testdata/handbook"), dir, []string{"notes.txt", "."})
	if w := strings.Join(l.Warnings(), "\n"); !strings.Contains(w, "is a file, not a folder") {
		t.Fatalf("warnings = %q", w)
	}
	if _, ok := l.Get("readme"); ok || l.Len() != 4 {
		t.Fatalf("README.md should not be a guide (%d guides)", l.Len())
	}
	if _, ok := Embedded().Get("readme"); ok {
		t.Fatal("the handbook's README.md is not a guide")
	}
}

func TestGetAndSuggest(t *testing.T) {
	l := testLibrary(t)
	for _, s := range []string{"sandbox", "Sandbox.md", " glossary ", "quickstart", "Dev Database"} {
		if _, ok := l.Get(s); !ok {
			t.Errorf("Get(%q) found nothing", s)
		}
	}
	tests := map[string]string{"sandbx": "sandbox", "first": "first-steps", "glosary": "glossary", "long": "reading-a-long-guide", "warehouse day": "first-steps"}
	for in, want := range tests {
		got := l.Suggest(in, 3)
		if len(got) == 0 || got[0] != want {
			t.Errorf("Suggest(%q) = %q, want %q first", in, got, want)
		}
	}
}

func TestFilter(t *testing.T) {
	l := testLibrary(t)
	if got := l.Filter(""); len(got) != l.Len() {
		t.Fatalf("empty filter = %d guides, want all %d", len(got), l.Len())
	}
	for q, want := range map[string]string{"sndbx": "sandbox", "quickst": "first-steps", "terms": "glossary", "long page": "reading-a-long-guide"} {
		got := l.Filter(q)
		if len(got) == 0 || got[0].Guide.Slug != want {
			t.Errorf("Filter(%q) = %v, want %s first", q, matchSlugs(got), want)
		}
	}
}

// TestFilterRanksWordStartsFirst is the handbook's own ranking problem: `snow` must list the
// guides about Snowflake (tagged snowflake, Snowpipe) before titles with s…n…o…w scattered in
// them, and say where each matched.
func TestFilterRanksWordStartsFirst(t *testing.T) {
	l := Embedded()
	got := l.Filter("snow")
	if len(got) < 4 {
		t.Fatalf("snow: %v", matchSlugs(got))
	}
	for _, m := range got[:4] {
		hit := strings.ToLower(m.Text[m.Where[0].Start:m.Where[0].End])
		if hit != "snow" || !strings.HasPrefix(strings.ToLower(m.Text), "snow") {
			t.Errorf("snow: %s ranked high for %s %q (%q)", m.Guide.Slug, m.Field, m.Text, hit)
		}
	}
	for _, m := range got[4:] {
		if strings.Contains(strings.ToLower(m.Text), "snow") && m.Field != FieldSlug {
			t.Errorf("snow: %s (%s %q) ranked after a scattered match", m.Guide.Slug, m.Field, m.Text)
		}
	}
	// A title hit beats a tag hit of the same strength.
	if m := l.Filter("sandbox"); m[0].Field != FieldTitle {
		t.Errorf("sandbox: first match is a %s", m[0].Field)
	}
	// Matched bytes are inside the text and spell the query's letters.
	for _, q := range []string{"snow", "sndbx", "dbt build", "ÅÄÖ"} {
		for _, m := range l.Filter(q) {
			for _, r := range m.Where {
				if r.Start < 0 || r.End > len(m.Text) || r.Start >= r.End {
					t.Fatalf("%q: bad range %v in %q", q, r, m.Text)
				}
			}
		}
	}
}

func matchSlugs(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Guide.Slug+"("+m.Field.String()+")")
	}
	return out
}

func TestSectionsOrder(t *testing.T) {
	l := testLibrary(t)
	var got []string
	for _, g := range l.Guides() {
		got = append(got, g.Slug)
	}
	want := []string{"first-steps", "sandbox", "reading-a-long-guide", "glossary"}
	if !slices.Equal(got, want) {
		t.Fatalf("order = %q, want %q", got, want)
	}
}

// FuzzParseGuide feeds arbitrary files to the parser: it must never panic, always produce a
// slug and a title, and report line numbers inside the file.
func FuzzParseGuide(f *testing.F) {
	f.Add([]byte("---\ntitle: A\nsection: Help\n---\n# A\n[x](y.md#z)\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---"))
	f.Add([]byte("\xff\xfe-\x00-\x00"))
	f.Add([]byte("Title\n===\n```\n# x\n```\n[a][b]\n[b]: c.md\n![i](j)\n<https://x>"))
	f.Add([]byte("---\norder: 99999999999999999999\ntags: {a: [b]}\n---\n### [`x`](<y) z\n"))
	f.Add([]byte("---\n\x00: &a [*a]\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		g := Parse("fuzz.md", data)
		if g.Slug == "" || g.Title == "" {
			t.Fatalf("empty slug or title: %+v", g)
		}
		lines := strings.Count(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), "\n") + 1
		for _, h := range g.Headings {
			if h.Line < 1 || h.Line > lines+1 || h.Anchor == "" && Anchor(h.Text) != "" {
				t.Fatalf("bad heading %+v (file has %d lines)", h, lines)
			}
		}
		offsets := []int{}
		for _, h := range g.Headings {
			offsets = append(offsets, h.Offset)
		}
		for _, lk := range g.Links {
			offsets = append(offsets, lk.Offset)
		}
		for _, c := range g.CodeBlocks {
			offsets = append(offsets, c.Offset)
		}
		for _, o := range offsets {
			if o < -1 || o > len(g.Body) {
				t.Fatalf("offset %d outside the %d-byte body", o, len(g.Body))
			}
		}
		l := FromGuides([]*Guide{g})
		_ = l.BrokenLinks()
		_ = l.Search(g.Title, 3)
	})
}

// TestOutlineOffsets: every heading, link and code block knows where it starts in the body
// (the key the renderer reports its row by), and links in headings, tables, lists and
// quotes are found like those in paragraphs.
func TestOutlineOffsets(t *testing.T) {
	body := "## See [a](a.md)\n\nText [b](<b.md#c> \"t\") and `[c](c.md)` [d][r]\n\n" +
		"| x | y |\n|---|---|\n| [e](e.md) | 1 |\n\n- item <https://f.io>\n\n> quoted [g](g.md)\n\n" +
		"```sql\nselect 1\n```\n\n[r]: d.md\n"
	g := Parse("x.md", []byte("---\ntitle: X\n---\n"+body))
	var got []string
	for _, lk := range g.Links {
		got = append(got, fmt.Sprintf("%s->%s@%d:%q", lk.Text, lk.Target, lk.Line, g.Body[lk.Offset:lk.Offset+1]))
	}
	want := []string{`a->a.md@4:"a"`, `b->b.md#c@6:"b"`, `d->d.md@6:"d"`, `e->e.md@10:"e"`, `https://f.io->https://f.io@12:"<"`, `g->g.md@14:"g"`}
	if !slices.Equal(got, want) {
		t.Fatalf("links = %q\nwant %q", got, want)
	}
	if h := g.Headings[0]; !strings.HasPrefix(g.Body[h.Offset:], "See [a]") || h.Line != 4 {
		t.Errorf("heading %+v starts at %q", h, g.Body[h.Offset:])
	}
	if c := g.CodeBlocks[0]; !strings.HasPrefix(g.Body[c.Offset:], "select 1") || c.Line != 16 {
		t.Errorf("code block %+v starts at %q", c, g.Body[c.Offset:])
	}
}

func TestCodeBlocks(t *testing.T) {
	g := Parse("x.md", []byte("---\ntitle: X\n---\ntext\n\n```sql\nselect 1\nfrom t\n```\n\n~~~~\nopen\n"))
	want := []CodeBlock{{Lang: "sql", Code: "select 1\nfrom t", Line: 6, Offset: 13}, {Code: "open", Line: 11, Offset: 39}}
	if !slices.Equal(g.CodeBlocks, want) {
		t.Fatalf("blocks = %+v, want %+v", g.CodeBlocks, want)
	}
}
