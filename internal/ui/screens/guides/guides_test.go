package guides

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	guidespkg "github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/markdown"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/ui/uitest"
	"github.com/datatui/datatui/internal/workspace"
)

// testdataHandbook is the guides package's testdata: goldens must not change when the real
// handbook's text does.
const testdataHandbook = "../../../../guides/testdata/handbook"

type harness struct {
	*uitest.Driver
	t      *testing.T
	m      *Model
	opened []string // URLs given to the browser
}

func newModel(t *testing.T) (*Model, *common.Common) {
	ctx := t.Context()
	c := &common.Common{Ctx: ctx, Styles: styles.New(true, true), Tasks: tasks.NewManager(ctx)}
	m := New(c)
	m.loadLibrary = func(*workspace.Workspace) *guidespkg.Library {
		return guidespkg.LoadFrom(os.DirFS(testdataHandbook), "", nil)
	}
	return m, c
}

func newHarness(t *testing.T, w, h int) *harness {
	t.Helper()
	m, c := newModel(t)
	hs := &harness{t: t, m: m}
	m.openURL = func(u string) error { hs.opened = append(hs.opened, u); return nil }
	hs.Driver = uitest.Screen(t, m, c, w, h)
	if m.Library() == nil {
		t.Fatal("handbook did not load")
	}
	return hs
}

func (hs *harness) key(keys ...string) { hs.Key(keys...) }
func (hs *harness) typeText(s string)  { hs.Type(s) }
func (hs *harness) view() string       { return hs.View() }
func (hs *harness) statuses() []string { return hs.Statuses() }

func (hs *harness) openedGuides() []string {
	var out []string
	for _, g := range uitest.Of[common.GuideOpenedMsg](hs.Driver) {
		out = append(out, g.Slug)
	}
	return out
}

// selected is the slug under the list's cursor.
func (hs *harness) selected() string {
	g, ok := hs.m.list.Selected()
	if !ok {
		return ""
	}
	return g.Slug
}

func TestListGolden(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.key("j")
	hs.Goldens(t)
}

func TestReaderGolden(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	hs.Goldens(t)
}

func TestSearchGolden(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.key("s")
	hs.typeText("sandbox")
	hs.Goldens(t)
}

func TestTOCGolden(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	hs.key("t", "j", "j")
	hs.Goldens(t)
}

func TestListNavigationAndOpen(t *testing.T) {
	hs := newHarness(t, 80, 24)
	if hs.m.ID() != "guides" || hs.m.Title() != "Guides" {
		t.Fatalf("id/title = %q/%q", hs.m.ID(), hs.m.Title())
	}
	hs.key("j", "j")
	if got := hs.selected(); got != "reading-a-long-guide" {
		t.Fatalf("selected %s after jj", got)
	}
	hs.key("G")
	if got := hs.selected(); got != "glossary" {
		t.Fatalf("G selected %s", got)
	}
	hs.key("enter")
	if hs.m.mode != modeReader || hs.m.r.g.Slug != "glossary" || hs.m.r.doc == nil {
		t.Fatalf("enter did not open the glossary: mode %v", hs.m.mode)
	}
	if got := hs.openedGuides(); !slices.Equal(got, []string{"glossary"}) {
		t.Fatalf("GuideOpenedMsg = %q", got)
	}
	if !strings.Contains(hs.view(), "Glossary · Help · built-in guide") {
		t.Fatalf("reader header missing:\n%s", hs.view())
	}
	hs.key("esc")
	if hs.m.mode != modeList {
		t.Fatal("esc did not return to the list")
	}
}

func TestFilter(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.key("/")
	if !hs.m.Capturing() {
		t.Fatal("filter should capture keys")
	}
	hs.typeText("dev datab")
	if hs.selected() != "sandbox" {
		t.Fatalf("filter selected %q", hs.selected())
	}
	if v := hs.view(); !strings.Contains(v, "Filter: dev datab") || !strings.Contains(v, "of 4 guides") {
		t.Fatalf("filter not shown:\n%s", v)
	}
	hs.key("backspace", "esc")
	if hs.m.Capturing() || hs.m.list.Query() != "" || hs.m.list.Len() != 4 {
		t.Fatalf("esc should clear the filter: %q %d", hs.m.list.Query(), hs.m.list.Len())
	}
	hs.key("/")
	hs.typeText("zzzz")
	if !strings.Contains(hs.view(), "No guide's title") {
		t.Fatalf("empty filter result not explained:\n%s", hs.view())
	}
	hs.key("esc", "/")
	hs.typeText("gloss")
	hs.key("enter")
	if hs.m.mode != modeReader || hs.m.r.g.Slug != "glossary" {
		t.Fatal("enter in the filter should open the match")
	}
}

func TestSearchOpensAtMatchAndCyclesHits(t *testing.T) {
	hs := newHarness(t, 80, 12)
	hs.key("ctrl+f")
	if hs.m.mode != modeSearch || !hs.m.Capturing() {
		t.Fatal("ctrl+f should open the search view")
	}
	hs.typeText("staging")
	if res := hs.m.search.list.Items(); len(res) == 0 || res[0].Slug != "reading-a-long-guide" {
		t.Fatalf("results = %+v", res)
	}
	hs.key("enter")
	r := &hs.m.r
	if hs.m.mode != modeReader || r.g.Slug != "reading-a-long-guide" || len(r.hits) != 2 {
		t.Fatalf("reader: mode %v hits %v", hs.m.mode, r.hits)
	}
	first := r.hits[0]
	if first < r.offset || first >= r.offset+hs.m.bodyHeight() {
		t.Fatalf("first match row %d not visible from offset %d", first, r.offset)
	}
	if !strings.Contains(hs.view(), `Match 1/2 for "staging"`) {
		t.Fatalf("footer does not count matches:\n%s", hs.view())
	}
	hs.key("n")
	if r.hit != 1 || r.hits[1] < r.offset || r.hits[1] >= r.offset+hs.m.bodyHeight() {
		t.Fatalf("n: hit %d offset %d hits %v", r.hit, r.offset, r.hits)
	}
	if !strings.Contains(hs.view(), "▌") {
		t.Fatal("the current match is not marked")
	}
	hs.key("n")
	if r.hit != 0 {
		t.Fatal("n should wrap around")
	}
	hs.key("N")
	if r.hit != 1 {
		t.Fatal("N should go back (wrapping)")
	}
	hs.key("esc")
	if r.hitQuery != "" || hs.m.mode != modeReader {
		t.Fatal("esc should clear the matches first")
	}
}

func TestFindInGuide(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.Send(common.OpenGuideMsg{Slug: "sandbox"})
	hs.key("/")
	if !hs.m.Capturing() {
		t.Fatal("find should capture keys")
	}
	hs.typeText("refresh")
	hs.key("enter")
	if len(hs.m.r.hits) < 3 || hs.m.Capturing() {
		t.Fatalf("hits = %v", hs.m.r.hits)
	}
	hs.key("/")
	hs.typeText("nowhere")
	hs.key("enter")
	if !slices.Contains(hs.statuses(), `"nowhere" is not in this guide`) {
		t.Fatalf("statuses = %q", hs.statuses())
	}
}

func TestLinksHistoryAndBrowser(t *testing.T) {
	hs := newHarness(t, 100, 8)
	hs.Send(common.OpenGuideMsg{Slug: "first-steps"})
	r := &hs.m.r
	hs.key("]")
	if r.link != 0 || !strings.Contains(hs.view(), "Link 1/4 your sandbox → sandbox#refresh-it") {
		t.Fatalf("] should focus the first link:\n%s", hs.view())
	}
	hs.key("enter")
	if r.g.Slug != "sandbox" {
		t.Fatalf("enter followed to %s", r.g.Slug)
	}
	// The view starts at the "Refresh it" heading.
	if first := strings.Split(hs.view(), "\n")[1]; !strings.Contains(first, "Refresh it") {
		t.Fatalf("not at the anchor; first row %q", first)
	}
	hs.key("backspace")
	if r.g.Slug != "first-steps" || len(r.fwd) != 1 {
		t.Fatalf("back went to %s (fwd %d)", r.g.Slug, len(r.fwd))
	}
	hs.key("L")
	if r.g.Slug != "sandbox" {
		t.Fatalf("forward went to %s", r.g.Slug)
	}
	hs.key("h")
	// The third link is the web page: enter opens it in the browser.
	hs.key("]", "]", "]")
	if got := r.g.Links[r.link].Target; got != "https://example.com/support" {
		t.Fatalf("third link is %s", got)
	}
	hs.key("o")
	if !slices.Equal(hs.opened, []string{"https://example.com/support"}) {
		t.Fatalf("browser got %q", hs.opened)
	}
	// The fourth link is to a heading of the same page.
	hs.key("]", "enter")
	if r.g.Slug != "first-steps" || r.link != -1 {
		t.Fatal("in-page link should stay on the page")
	}
	hs.key("[")
	if r.link < 0 {
		t.Fatal("[ should focus a link")
	}
	hs.key("esc")
	if r.link != -1 || hs.m.mode != modeReader {
		t.Fatal("esc should drop the link focus first")
	}
	hs.key("esc")
	if hs.m.mode != modeList {
		t.Fatal("second esc should go to the list")
	}
}

func TestCopyCode(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	hs.key("c")
	var clip string
	for _, m := range hs.Msgs {
		if s := fmt.Sprint(m); strings.Contains(s, "stg_orders") {
			clip = s
		}
	}
	if !strings.Contains(clip, "select order_id, amount\nfrom {{ ref('stg_orders') }}\nwhere amount > 0") {
		t.Fatalf("clipboard message not found in %v", hs.Msgs)
	}
	if !slices.Contains(hs.statuses(), "Copied the sql block (3 lines) to the clipboard") {
		t.Fatalf("statuses = %q", hs.statuses())
	}
	hs.Send(common.OpenGuideMsg{Slug: "glossary"})
	hs.key("c")
	if !slices.Contains(hs.statuses(), "This guide has no code blocks") {
		t.Fatalf("statuses = %q", hs.statuses())
	}
}

func TestTOCJump(t *testing.T) {
	hs := newHarness(t, 80, 10)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	hs.key("t")
	if !hs.m.r.tocOpen || !strings.Contains(hs.view(), "Contents") {
		t.Fatal("t should open the contents")
	}
	hs.key("G", "enter")
	if hs.m.r.tocOpen {
		t.Fatal("enter should close the contents")
	}
	if v := hs.view(); !strings.Contains(v, "The end") {
		t.Fatalf("did not jump to the last heading:\n%s", v)
	}
	hs.key("backspace")
	if hs.m.r.offset != 0 {
		t.Fatal("back should return to where the jump started")
	}
}

func TestOpenBeforeLoadAndUnknown(t *testing.T) {
	m, c := newModel(t)
	c.Styles = styles.New(false, false)
	d := uitest.Screen(t, m, c, 80, 24)
	m.lib = nil // as if the handbook had not loaded yet
	d.Send(common.OpenGuideMsg{Slug: "glossary", Anchor: "model"})
	if m.mode == modeReader {
		t.Fatal("opened before the handbook loaded")
	}
	d.Run(m.load())
	if m.mode != modeReader || m.r.g.Slug != "glossary" {
		t.Fatal("an open request before the handbook loaded should be kept")
	}
	if !strings.Contains(d.View(), "Model") {
		t.Fatalf("not at the anchor:\n%s", d.View())
	}
	d.Send(common.OpenGuideMsg{Slug: "sandbx"})
	if st := d.Statuses(); len(st) == 0 || !strings.Contains(st[len(st)-1], `There is no guide "sandbx"; did you mean sandbox?`) {
		t.Fatalf("statuses = %q", st)
	}
}

func TestResizeKeepsOldRenderUntilNewArrives(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	old := hs.m.r.doc
	hs.m.SetSize(100, 24)
	if hs.m.r.doc != old {
		t.Fatal("the old render should stay until the new one arrives")
	}
	uitest.CheckSize(t, hs.m.View(), 100, 24)
	if !strings.Contains(hs.view(), "Reading a long guide") {
		t.Fatal("the page went blank during the resize")
	}
	// The next message starts the re-wrap.
	hs.Send(tea.WindowSizeMsg{Width: 100, Height: 27})
	if hs.m.r.doc == old || hs.m.r.doc.key.width != 99 {
		t.Fatalf("not re-rendered for the new width: %+v", hs.m.r.doc.key)
	}
	// Back to the old width: straight from the cache, no task.
	hs.m.SetSize(80, 24)
	if hs.m.r.doc != old || hs.m.needRender {
		t.Fatal("a width rendered before should come from the cache")
	}
	// A theme change re-renders in the new style.
	hs.m.c.Styles = styles.New(true, false)
	hs.Send(tea.BackgroundColorMsg{})
	if hs.m.r.doc.key.style != "dark" {
		t.Fatalf("style = %s", hs.m.r.doc.key.style)
	}
}

func TestTinySizes(t *testing.T) {
	hs := newHarness(t, 80, 24)
	for _, mode := range []func(){
		func() { hs.m.mode = modeList },
		func() { hs.key("s"); hs.typeText("sandbox") },
		func() { hs.Send((common.OpenGuideMsg{Slug: "first-steps"})) },
		func() { hs.key("t") },
	} {
		mode()
		for _, sz := range [][2]int{{0, 0}, {1, 1}, {5, 2}, {12, 3}, {30, 5}} {
			hs.m.SetSize(sz[0], sz[1])
			hs.Send(tea.WindowSizeMsg{})
			v := hs.m.View()
			if sz[0] == 0 {
				if v != "" {
					t.Fatalf("0x0 view = %q", v)
				}
				continue
			}
			uitest.CheckSize(t, v, sz[0], sz[1])
		}
		hs.m.SetSize(80, 24)
	}
}

func TestWheelAndKeyMap(t *testing.T) {
	hs := newHarness(t, 80, 10)
	hs.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if hs.m.list.Index() != 3 {
		t.Fatalf("wheel moved the list to %d", hs.m.list.Index())
	}
	if len(hs.m.KeyMap()) == 0 || len(hs.m.Actions()) == 0 {
		t.Fatal("no keys or actions")
	}
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	hs.Send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if hs.m.r.offset != 3 {
		t.Fatalf("wheel scrolled the reader to %d", hs.m.r.offset)
	}
	var help []string
	for _, b := range hs.m.KeyMap() {
		help = append(help, b.Help().Key)
	}
	for _, want := range []string{"t", "n", "]", "[", "o", "c", "⌫/h", "L"} {
		if !slices.Contains(help, want) {
			t.Errorf("reader help lacks %q: %q", want, help)
		}
	}
}

// BenchmarkRender opens a 2,000-line guide at 120 columns (rendering, and mapping headings,
// links and code blocks to rows): the embedded handbook's guides one after another, cut at 2,000
// lines, so the mix of prose, lists, tables and code is the real one. Target: < 50 ms.
func BenchmarkRender(b *testing.B) {
	benchmarkRender(b, handbookGuide(2000))
}

// BenchmarkRenderCodeHeavy is the worst case: a code block and a table every 23 lines.
func BenchmarkRenderCodeHeavy(b *testing.B) {
	benchmarkRender(b, longGuide(2000))
}

func benchmarkRender(b *testing.B, md string) {
	g := guidespkg.Parse("long.md", []byte(md))
	r := markdown.NewRenderer()
	key := renderKey{slug: g.Slug, width: 120, style: "dark"}
	// ns/op is the whole guide; first-screen-ms is when the reader can show its top.
	var first time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := renderDoc(r, g, key, func(*doc) { first += time.Since(start) }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(first.Milliseconds())/float64(b.N), "first-screen-ms")
}

// handbookGuide concatenates the embedded guides' bodies up to n lines.
func handbookGuide(n int) string {
	var lines []string
	lines = append(lines, "---", "title: Handbook", "section: Help", "---")
	for len(lines) < n {
		for _, g := range guidespkg.Embedded().Guides() {
			lines = append(lines, strings.Split(g.Body, "\n")...)
		}
	}
	return strings.Join(lines[:n], "\n")
}

// longGuide builds a guide of about n lines mixing every block the handbook uses.
func longGuide(n int) string {
	var sb strings.Builder
	sb.WriteString("---\ntitle: Long\nsection: Help\n---\n# A long guide\n\n")
	lines := 6
	for i := 0; lines < n; i++ {
		fmt.Fprintf(&sb, "## Part %d\n\nA paragraph about the sandbox and **staging** models, with a [link](long.md#part-%d)\n"+
			"and `inline code`, long enough to wrap at narrow widths when the pane is small enough to wrap it.\n\n"+
			"- first point\n- second point with [the web](https://example.com/%d)\n\n"+
			"```sql\nselect id, amount\nfrom {{ ref('orders') }}\nwhere amount > %d\n```\n\n"+
			"| Column | Meaning |\n|---|---|\n| id | the key |\n| amount | in cents |\n\n", i, i, i, i)
		lines += 23
	}
	return sb.String()
}

func TestLongGuideShowsTopWhileRendering(t *testing.T) {
	hs := newHarness(t, 80, 24)
	long := guidespkg.Parse("long.md", []byte(longGuide(600)))
	hs.m.lib = guidespkg.FromGuides([]*guidespkg.Guide{long})
	batch, ok := hs.m.Update(common.OpenGuideMsg{Slug: "long"})().(tea.BatchMsg)
	if !ok {
		t.Fatal("open should batch the render and the opened message")
	}
	var ev tasks.EventMsg
	for _, c := range batch {
		if c == nil {
			continue
		}
		if e, ok := c().(tasks.EventMsg); ok {
			ev = e
		}
	}
	d, ok := ev.Event.(*doc)
	if !ok || !d.partial {
		t.Fatalf("no early part of the guide: %#v", ev)
	}
	_, next, _ := hs.m.c.Tasks.Handle(ev) // as the root does
	hs.m.Update(ev)
	if hs.m.r.doc != d || !strings.Contains(hs.view(), "A long guide") {
		t.Fatal("the top of the guide is not shown while the rest renders")
	}
	hs.m.Update(uitest.KeyMsg("j")) // keys while the rest renders (the driver would wait for it)
	hs.m.Update(uitest.KeyMsg("j"))
	done := next()
	if _, ok := done.(tasks.DoneMsg); !ok {
		t.Fatalf("want the finished render, got %T", done)
	}
	hs.Send(done)
	if hs.m.r.doc.partial || len(hs.m.r.doc.lines) <= len(d.lines) || hs.m.r.offset != 2 {
		t.Fatalf("full render: partial %v, %d lines, offset %d", hs.m.r.doc.partial, len(hs.m.r.doc.lines), hs.m.r.offset)
	}
}

// TestColourViewsFit drives every view in colour (dark and light) with matches and a focused
// link highlighted, and checks each frame still fills exactly the pane.
func TestColourViewsFit(t *testing.T) {
	for _, dark := range []bool{true, false} {
		hs := newHarness(t, 90, 20)
		hs.m.c.Styles = styles.New(dark, false)
		hs.Send(tea.BackgroundColorMsg{})
		uitest.CheckSize(t, hs.m.View(), 90, 20)
		hs.key("s")
		hs.typeText("sandbox")
		uitest.CheckSize(t, hs.m.View(), 90, 20)
		hs.key("down", "down", "enter")
		if hs.m.r.doc == nil || hs.m.r.doc.key.style != markdown.Style(dark, false) {
			t.Fatalf("render style = %+v", hs.m.r.doc)
		}
		uitest.CheckSize(t, hs.m.View(), 90, 20)
		hs.key("]")
		uitest.CheckSize(t, hs.m.View(), 90, 20)
		if !strings.Contains(hs.view(), "›") {
			t.Fatal("focused link not marked")
		}
		hs.key("t")
		uitest.CheckSize(t, hs.m.View(), 90, 20)
	}
}

func TestReloadShowsChangedTeamGuide(t *testing.T) {
	dir := t.TempDir()
	write := func(text string) {
		if err := os.WriteFile(dir+"/team-page.md", []byte("---\ntitle: Team page\nsection: Help\n---\n# Team page\n\n"+text+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Old words.")
	hs := newHarness(t, 80, 24)
	hs.m.loadLibrary = func(*workspace.Workspace) *guidespkg.Library {
		return guidespkg.LoadFrom(os.DirFS(testdataHandbook), "", []string{dir})
	}
	hs.key("r")
	hs.Send(common.OpenGuideMsg{Slug: "team-page"})
	if v := hs.view(); !strings.Contains(v, "Old words.") || !strings.Contains(v, "team guide: /") {
		t.Fatalf("team guide not shown:\n%s", v)
	}
	write("New words.")
	hs.key("esc", "r")
	hs.key("L")
	if v := hs.view(); !strings.Contains(v, "New words.") {
		t.Fatalf("reload did not re-render the open guide:\n%s", v)
	}
}

// TestSearchHighlightKeepsText is the corruption a new user saw: highlighting the words of a
// search inside a rendered guide duplicated and dropped text ("Redemption rate:
// redemptionrate:"). Every highlighted line must read exactly as before, in colour too.
func TestSearchHighlightKeepsText(t *testing.T) {
	m, c := newModel(t)
	c.Styles = styles.New(true, false)
	g := guidespkg.Parse("metrics.md", []byte("---\ntitle: Offer metrics\nsection: Help\n---\n# Offer metrics\n\n"+
		"Redemption rate: redemptions over offers. The **rate** counts a redemption once.\n\n"+
		"- Refresh when your sandbox is old; a sandbox refresh replaces it.\n"))
	lib := guidespkg.FromGuides([]*guidespkg.Guide{g})
	m.loadLibrary = func(*workspace.Workspace) *guidespkg.Library { return lib }
	d := uitest.Screen(t, m, c, 100, 20)
	for _, q := range []string{"rate redemption", "sandbox refresh", "redemption"} {
		d.Key("s")
		d.Type(q)
		d.Key("enter")
		if m.r.doc == nil || m.r.hitQuery != q {
			t.Fatalf("%q: the result did not open with its query", q)
		}
		page := m.pageView(m.bodyHeight())
		marked := 0
		for i, line := range page {
			row := m.r.offset + i
			want := ansi.Strip(m.r.doc.lines[row])
			if got := string([]rune(ansi.Strip(line))[1:]); got != want { // drop the gutter
				t.Fatalf("%q: highlighting changed row %d:\n got %q\nwant %q", q, row, got, want)
			}
			if !strings.HasSuffix(line, m.r.doc.lines[row]) {
				marked++
			}
		}
		if marked == 0 {
			t.Fatalf("%q: nothing was highlighted", q)
		}
	}
}

func TestSearchStartsEmptyAndShowsNoScores(t *testing.T) {
	hs := newHarness(t, 80, 24)
	hs.key("s")
	hs.typeText("sandbox")
	first := hs.view()
	for _, r := range hs.m.search.list.Items() {
		if strings.Contains(first, fmt.Sprintf(" %d\n", r.Score)) {
			t.Fatalf("a bare score (%d) is shown:\n%s", r.Score, first)
		}
	}
	hs.key("esc", "s")
	if q := hs.m.search.query.Value(); q != "" {
		t.Fatalf("the search box kept the old query %q", q)
	}
	if !strings.Contains(hs.view(), "Type words to search") {
		t.Fatalf("a new search does not start empty:\n%s", hs.view())
	}
}

func TestReaderKeepsAReadableWidth(t *testing.T) {
	hs := newHarness(t, 200, 30)
	hs.Send(common.OpenGuideMsg{Slug: "reading-a-long-guide"})
	widest := 0
	for _, l := range strings.Split(hs.view(), "\n")[1:] {
		widest = max(widest, ansi.StringWidth(strings.TrimRight(l, " ")))
	}
	if widest > maxReadingWidth+1 || widest < 60 {
		t.Fatalf("at 200 columns the text is %d wide, want at most %d", widest, maxReadingWidth+1)
	}
}

func TestReadGuidesAreMarkedAndRemembered(t *testing.T) {
	dir := t.TempDir()
	ws := &workspace.Workspace{Root: dir, ProjectDir: dir, StateDir: filepath.Join(dir, "state")}
	m, c := newModel(t)
	c.Workspace = ws
	d := uitest.Screen(t, m, c, 80, 24)
	d.Send(common.OpenGuideMsg{Slug: "glossary"})
	d.Key("esc")
	if !strings.Contains(d.View(), "✓   Glossary") && !strings.Contains(d.View(), "✓ Glossary") {
		t.Fatalf("the read guide is not marked:\n%s", d.View())
	}
	if !strings.Contains(d.View(), "1 read") {
		t.Fatalf("the count of read guides is missing:\n%s", d.View())
	}
	if len(uitest.Of[common.ChangedMsg](d)) != 1 {
		t.Fatal("reading a guide did not tell Home's card")
	}
	// Another session sees it.
	m2, c2 := newModel(t)
	c2.Workspace = ws
	d2 := uitest.Screen(t, m2, c2, 80, 24)
	if !m2.read["glossary"] || !strings.Contains(d2.View(), "1 read") {
		t.Fatalf("read marks not remembered:\n%s", d2.View())
	}
}

// TestFilterRanksAndSaysWhy: with the real handbook, `snow` lists the Snowflake guides first
// and each row says what matched instead of a bare score.
func TestFilterRanksAndSaysWhy(t *testing.T) {
	m, c := newModel(t)
	m.loadLibrary = func(*workspace.Workspace) *guidespkg.Library { return guidespkg.Embedded() }
	d := uitest.Screen(t, m, c, 100, 30)
	d.Key("/")
	d.Type("snow")
	rows := strings.Split(d.View(), "\n")[1:4]
	for _, r := range rows {
		if !strings.Contains(r, "tag snowflake") {
			t.Fatalf("snow: row %q is not a Snowflake guide:\n%s", r, d.View())
		}
	}
}
