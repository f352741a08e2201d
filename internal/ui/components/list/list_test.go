package list

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/datatui/datatui/internal/ui/components/text"
)

type guide struct{ title, section string }

var guides = []guide{
	{"Getting started", "Start here"},
	{"Set up your environment", "Start here"},
	{"Your sandbox database", "Everyday"},
	{"Running dbt in your sandbox", "Everyday"},
	{"Roles and permissions", "Reference"},
	{"Glossary", "Reference"},
}

func newList(h int) *Model[guide] {
	l := New(nil, func(g guide) string { return g.title }).WithGroups(func(g guide) string { return g.section })
	l.SetItems(guides)
	l.SetHeight(h)
	return l
}

var mark = lipgloss.NewStyle().Transform(func(s string) string { return "[" + s + "]" })

// render draws rows the way screens do, with the filter's matches marked.
func render(r Row[guide], w int) string {
	if r.Heading != "" {
		return "# " + r.Heading
	}
	cur := "  "
	if r.Selected {
		cur = "› "
	}
	return cur + text.Highlight(r.Item.title, r.Spans, lipgloss.NewStyle(), mark)
}

func press(l *Model[guide], keys ...string) {
	for _, k := range keys {
		var msg tea.KeyPressMsg
		switch k {
		case "enter":
			msg = tea.KeyPressMsg{Code: tea.KeyEnter}
		case "esc":
			msg = tea.KeyPressMsg{Code: tea.KeyEscape}
		case "down":
			msg = tea.KeyPressMsg{Code: tea.KeyDown}
		case "pgdown":
			msg = tea.KeyPressMsg{Code: tea.KeyPgDown}
		case "backspace":
			msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
		default:
			msg = tea.KeyPressMsg{Code: []rune(k)[0], Text: k}
		}
		l.Update(msg)
	}
}

func TestNavigationAndHeadings(t *testing.T) {
	l := newList(4)
	if got := strings.Join(l.View(30, render), "|"); got != "# Start here|› Getting started|  Set up your environment|# Everyday" {
		t.Fatalf("first page: %q", got)
	}
	press(l, "j", "j")
	if g, _ := l.Selected(); g.title != "Your sandbox database" {
		t.Fatalf("after j j: %v", g)
	}
	// The section heading of the first visible item is kept in view.
	press(l, "j", "j")
	view := l.View(30, render)
	if view[0] != "# Reference" && !strings.Contains(strings.Join(view, "|"), "# Reference") {
		t.Fatalf("heading of the cursor's section not visible: %q", view)
	}
	press(l, "G")
	if g, _ := l.Selected(); g.title != "Glossary" {
		t.Fatalf("G: %v", g)
	}
	press(l, "g")
	if l.Index() != 0 || l.Offset() != 0 {
		t.Fatalf("g: index %d offset %d", l.Index(), l.Offset())
	}
	press(l, "pgdown")
	if l.Index() != 3 {
		t.Fatalf("page down moved to %d", l.Index())
	}
	if l.Update(tea.KeyPressMsg{Code: tea.KeyEnter}) {
		t.Fatal("enter is the screen's to handle")
	}
}

func TestFilterRanksHighlightsAndClears(t *testing.T) {
	l := newList(6)
	press(l, "/")
	if !l.Filtering() {
		t.Fatal("/ did not focus the filter")
	}
	press(l, "s", "a", "n", "d")
	view := strings.Join(l.View(40, render), "|")
	if !strings.HasPrefix(view, "› Your [sand]box database|  Running dbt in your [sand]box") {
		t.Fatalf("filtered view: %q", view)
	}
	if strings.Contains(view, "#") {
		t.Fatal("headings shown while filtering")
	}
	if l.Count("guide", "guides") != "3 of 6 guides" { // fuzzy: "Roles and permissions" has s…a…n…d too
		t.Fatalf("count %q", l.Count("guide", "guides"))
	}
	// q, j and digits are text while the filter has the keyboard.
	press(l, "j")
	if l.Query() != "sandj" {
		t.Fatalf("query %q", l.Query())
	}
	press(l, "backspace", "down")
	if g, _ := l.Selected(); g.title != "Running dbt in your sandbox" {
		t.Fatalf("down while filtering: %v", g)
	}
	press(l, "enter")
	if l.Filtering() || l.Query() != "sand" {
		t.Fatal("enter keeps the filter and gives the keyboard back")
	}
	// esc clears the filter; the chosen item stays chosen.
	press(l, "esc")
	if l.Query() != "" || l.Len() != len(guides) {
		t.Fatal("esc did not clear the filter")
	}
	if g, _ := l.Selected(); g.title != "Running dbt in your sandbox" {
		t.Fatalf("selection after clearing: %v", g)
	}
	// A new filter starts empty: the box never keeps an old query after esc.
	press(l, "/")
	if l.Query() != "" {
		t.Fatalf("new filter starts with %q", l.Query())
	}
}

func TestNoMatches(t *testing.T) {
	l := newList(3)
	l.SetQuery("zzz")
	if _, ok := l.Selected(); ok || l.Index() != -1 || l.Len() != 0 {
		t.Fatal("selection with no match")
	}
	if v := l.View(10, render); len(v) != 3 || strings.Join(v, "") != "" {
		t.Fatalf("empty view %q", v)
	}
}

func TestResizeNeverLeavesBlankPage(t *testing.T) {
	l := newList(3)
	press(l, "G")
	l.SetHeight(20)
	if l.Offset() != 0 {
		t.Fatalf("offset %d after growing: the top rows would be hidden while blank lines show below", l.Offset())
	}
	l.SetHeight(2)
	view := l.View(30, render)
	if !strings.Contains(strings.Join(view, "|"), "› Glossary") {
		t.Fatalf("cursor not visible after shrinking: %q", view)
	}
}

func TestMultiLineRowsWheelAndClick(t *testing.T) {
	items := make([]int, 20)
	for i := range items {
		items[i] = i
	}
	l := New(nil, func(i int) string { return fmt.Sprint(i) }).WithRowHeight(2)
	l.SetItems(items)
	l.SetHeight(6)
	r := func(r Row[int], w int) string { return fmt.Sprintf("item %d\n  detail %d", r.Item, r.Item) }
	if v := l.View(20, r); len(v) != 6 || v[1] != "  detail 0" || v[2] != "item 1" {
		t.Fatalf("two-line rows %q", v)
	}
	l.Update(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if l.Index() != 1 {
		t.Fatalf("wheel moved to %d", l.Index())
	}
	if !l.ClickRow(5) || l.Index() != 2 {
		t.Fatalf("click on line 5 selected %d", l.Index())
	}
	press := func(k string) { l.Update(tea.KeyPressMsg{Code: []rune(k)[0], Text: k}) }
	press("G")
	if v := l.View(20, r); v[5] != "  detail 19" {
		t.Fatalf("last item not fully visible: %q", v)
	}
}

func TestSetItemsKeepsCursorInRange(t *testing.T) {
	l := newList(5)
	press(l, "G")
	l.SetItems(guides[:2])
	if l.Index() != 1 {
		t.Fatalf("cursor %d after the list shrank", l.Index())
	}
	l.SetItems(nil)
	if l.Index() != -1 {
		t.Fatal("cursor on an empty list")
	}
}

func BenchmarkFilter(b *testing.B) {
	items := make([]guide, 5000)
	for i := range items {
		items[i] = guide{title: fmt.Sprintf("model_%04d_orders_by_customer", i), section: "s"}
	}
	l := New(nil, func(g guide) string { return g.title })
	l.SetItems(items)
	l.SetHeight(40)
	for b.Loop() {
		l.SetQuery("ord cust 42")
		_ = l.View(120, render)
	}
}
