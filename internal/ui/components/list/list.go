// Package list is datatui's one scrolling list: a cursor, an offset that keeps the cursor in
// view (with its section heading when there is room), paging, the mouse wheel and clicks, and a
// `/` filter that ranks items and reports which characters matched so rows can highlight them
// (text.Highlight never corrupts the text it marks).
//
// The list owns no styles and draws no rows itself: View calls the screen's render function for
// each visible row, so a row can be a table line, a two-line search result or a checklist entry.
//
// # Moving a screen onto it
//
//  1. Replace the screen's items/cursor/offset fields with one *list.Model[T], built with
//     list.New(&c.KeyMap().Nav, textOf); add WithGroups for section headings, WithRanker for
//     a domain ranking (the guides' title-tags-aliases order), WithRowHeight for multi-line rows.
//  2. In SetSize call SetHeight with the rows the list gets; after a load call SetItems.
//  3. In Update, first `if l.Update(msg) { return nil }`, then handle the screen's own keys
//     (Open on l.Selected()). Capturing() must return true while l.Filtering().
//  4. In View, `lines := l.View(width, func(r list.Row[T], w int) string {…})`; in the render
//     function use text.Highlight(label, r.Spans, st.Text, st.Match) for the filter's marks and
//     r.Selected for the cursor row ("› " marker, st.Selected). Put l.FilterBar in the header.
//  5. Delete the screen's fit/plural/clamp copies in favour of package text, and its old
//     harness in favour of uitest.
package list

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/keys"
	"github.com/datatui/datatui/internal/ui/styles"
)

// Match is one item that passed the filter: its index in the items and the byte spans of its
// text that matched.
type Match struct {
	Index int
	Spans []text.Span
}

// Ranker orders the items that match query, best first. textOf(i) is item i's text.
type Ranker func(query string, n int, textOf func(i int) string) []Match

// Fuzzy is the default ranker: sahilm/fuzzy's subsequence matching (sublime-text style).
func Fuzzy(query string, n int, textOf func(i int) string) []Match {
	ms := fuzzy.FindFrom(query, source{n, textOf})
	out := make([]Match, 0, len(ms))
	for _, m := range ms {
		out = append(out, Match{Index: m.Index, Spans: text.Positions(m.Str, m.MatchedIndexes)})
	}
	return out
}

type source struct {
	n      int
	textOf func(int) string
}

func (s source) String(i int) string { return s.textOf(i) }
func (s source) Len() int            { return s.n }

// Row is one visible row given to the render function: a section heading (Heading set) or an
// item.
type Row[T any] struct {
	Heading  string
	Item     T
	Index    int         // the item's index in the items given to SetItems
	Spans    []text.Span // what the filter matched in the item's text
	Selected bool
}

// row is a heading (item < 0) or the position of an item in matches.
type row struct {
	heading string
	item    int
}

// Model is a list of T.
type Model[T any] struct {
	keys      *keys.Nav
	textOf    func(T) string
	groupOf   func(T) string
	rank      Ranker
	rowHeight int

	items   []T
	matches []Match
	rows    []row
	cursor  int // in matches
	offset  int // first visible row
	height  int // lines for the list

	filter    input.Line
	filtering bool
}

// New returns an empty list whose filter matches textOf(item).
func New[T any](nav *keys.Nav, textOf func(T) string) *Model[T] {
	if nav == nil {
		n := keys.NewNav()
		nav = &n
	}
	return &Model[T]{keys: nav, textOf: textOf, rank: Fuzzy, rowHeight: 1}
}

// WithGroups shows a heading before each run of items with the same group (when not filtering).
func (l *Model[T]) WithGroups(groupOf func(T) string) *Model[T] {
	l.groupOf = groupOf
	l.rebuild()
	return l
}

// WithRanker replaces the fuzzy ranking.
func (l *Model[T]) WithRanker(r Ranker) *Model[T] {
	l.rank = r
	l.rebuild()
	return l
}

// WithRowHeight sets how many lines each item takes (headings take one).
func (l *Model[T]) WithRowHeight(n int) *Model[T] {
	l.rowHeight = max(1, n)
	return l
}

// SetItems replaces the items, keeping the filter and, as far as it can, the cursor position.
func (l *Model[T]) SetItems(items []T) {
	l.items = items
	l.rebuild()
}

// Items are the items last given to SetItems.
func (l *Model[T]) Items() []T { return l.items }

// SetHeight sets the lines the list may draw.
func (l *Model[T]) SetHeight(h int) {
	l.height = max(0, h)
	l.scroll()
}

// Height is the lines the list draws.
func (l *Model[T]) Height() int { return l.height }

// rebuild applies the filter and lays out the rows.
func (l *Model[T]) rebuild() {
	q := strings.TrimSpace(l.filter.Value())
	l.matches = l.matches[:0]
	if q == "" {
		for i := range l.items {
			l.matches = append(l.matches, Match{Index: i})
		}
	} else {
		l.matches = append(l.matches, l.rank(q, len(l.items), func(i int) string { return l.textOf(l.items[i]) })...)
	}
	l.rows = l.rows[:0]
	last := "\x00"
	for i, m := range l.matches {
		if l.groupOf != nil && q == "" {
			if g := l.groupOf(l.items[m.Index]); g != last {
				l.rows = append(l.rows, row{heading: g, item: -1})
				last = g
			}
		}
		l.rows = append(l.rows, row{item: i})
	}
	l.cursor = text.Clamp(l.cursor, 0, len(l.matches)-1)
	l.scroll()
}

// Visible is the items that pass the filter, in the order shown.
func (l *Model[T]) Visible() []T {
	out := make([]T, len(l.matches))
	for i, m := range l.matches {
		out[i] = l.items[m.Index]
	}
	return out
}

// Len is the number of items that pass the filter.
func (l *Model[T]) Len() int { return len(l.matches) }

// Selected is the item under the cursor.
func (l *Model[T]) Selected() (T, bool) {
	var zero T
	if l.cursor < 0 || l.cursor >= len(l.matches) {
		return zero, false
	}
	return l.items[l.matches[l.cursor].Index], true
}

// Index is the index (in Items) of the item under the cursor, or -1.
func (l *Model[T]) Index() int {
	if l.cursor < 0 || l.cursor >= len(l.matches) {
		return -1
	}
	return l.matches[l.cursor].Index
}

// Select puts the cursor on item index (in Items), if it passes the filter.
func (l *Model[T]) Select(index int) bool {
	for i, m := range l.matches {
		if m.Index == index {
			l.cursor = i
			l.scroll()
			return true
		}
	}
	return false
}

// Move moves the cursor by n items (negative is up), stopping at the ends.
func (l *Model[T]) Move(n int) {
	l.cursor = text.Clamp(l.cursor+n, 0, len(l.matches)-1)
	l.scroll()
}

// Filtering reports whether the filter field has the keyboard (the screen must then report
// Capturing, so the root passes it every key).
func (l *Model[T]) Filtering() bool { return l.filtering }

// Query is the filter's text.
func (l *Model[T]) Query() string { return l.filter.Value() }

// SetQuery sets the filter's text (without focusing it).
func (l *Model[T]) SetQuery(q string) {
	l.filter.Set(q)
	l.cursor = 0
	l.rebuild()
}

// StartFilter gives the filter the keyboard, keeping its text.
func (l *Model[T]) StartFilter() { l.filtering = true }

// ClearFilter empties the filter and takes the keyboard back.
func (l *Model[T]) ClearFilter() {
	l.filtering = false
	if l.filter.Value() != "" {
		sel := l.Index()
		l.filter.Clear()
		l.rebuild()
		if sel >= 0 {
			l.Select(sel) // the item chosen while filtering stays chosen
		}
	}
}

// Paste adds pasted text to the filter while it has the keyboard.
func (l *Model[T]) Paste(s string) bool {
	if !l.filtering {
		return false
	}
	l.filter.Paste(s)
	l.cursor = 0
	l.rebuild()
	return true
}

// page is how many items a page moves.
func (l *Model[T]) page() int { return max(1, l.height/l.rowHeight-1) }

// Update handles navigation keys, the filter and the mouse wheel. It reports whether it used
// msg; enter (Open) is never used, so the screen decides what opening means. While filtering,
// enter keeps the filter and gives the keyboard back, esc clears it, and ↑/↓ still move.
func (l *Model[T]) Update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if l.filtering {
			return l.filterKey(msg)
		}
		k := l.keys
		switch {
		case key.Matches(msg, k.Down):
			l.Move(1)
		case key.Matches(msg, k.Up):
			l.Move(-1)
		case key.Matches(msg, k.PageDown):
			l.Move(l.page())
		case key.Matches(msg, k.PageUp):
			l.Move(-l.page())
		case key.Matches(msg, k.HalfDown):
			l.Move(max(1, l.page()/2))
		case key.Matches(msg, k.HalfUp):
			l.Move(-max(1, l.page()/2))
		case key.Matches(msg, k.Top):
			l.Move(-len(l.matches))
		case key.Matches(msg, k.Bottom):
			l.Move(len(l.matches))
		case key.Matches(msg, k.Filter):
			l.filtering = true
		case key.Matches(msg, k.Back) && l.filter.Value() != "":
			l.ClearFilter()
		default:
			return false
		}
		return true
	case tea.PasteMsg:
		return l.Paste(msg.Content)
	case tea.MouseWheelMsg:
		step := 3
		if l.rowHeight > 1 {
			step = 1
		}
		switch msg.Button {
		case tea.MouseWheelUp:
			l.Move(-step)
		case tea.MouseWheelDown:
			l.Move(step)
		default:
			return false
		}
		return true
	}
	return false
}

func (l *Model[T]) filterKey(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "esc":
		l.ClearFilter()
		return true
	case "enter":
		l.filtering = false
		return false // the screen may open the selection at once
	case "up", "ctrl+p":
		l.Move(-1)
		return true
	case "down", "ctrl+n":
		l.Move(1)
		return true
	case "pgup":
		l.Move(-l.page())
		return true
	case "pgdown":
		l.Move(l.page())
		return true
	}
	if l.filter.Update(msg) {
		l.cursor = 0
		l.offset = 0
		l.rebuild()
	}
	return true // every other key belongs to the field while it is focused
}

// rowLines is how many lines row r takes.
func (l *Model[T]) rowLines(r row) int {
	if r.item < 0 {
		return 1
	}
	return l.rowHeight
}

// cursorRow is the row index of the cursor's item.
func (l *Model[T]) cursorRow() int {
	for i, r := range l.rows {
		if r.item == l.cursor {
			return i
		}
	}
	return 0
}

// scroll adjusts the offset so the cursor's row is fully visible, with its heading when the
// heading is just above and fits, and never leaves blank lines below the last row that an
// earlier offset could fill (a resize or a shorter list).
func (l *Model[T]) scroll() {
	if len(l.rows) == 0 || l.height <= 0 {
		l.offset = 0
		return
	}
	cur := l.cursorRow()
	if cur < l.offset {
		l.offset = cur
	}
	if cur == l.offset && cur > 0 && l.rows[cur-1].item < 0 {
		l.offset = cur - 1 // show the section heading of the first visible item
	}
	for l.offset < cur && l.linesBetween(l.offset, cur+1) > l.height {
		l.offset++
	}
	// Fill the page from the bottom when the rows after the offset do not fill it.
	for l.offset > 0 && l.linesBetween(l.offset-1, len(l.rows)) <= l.height {
		l.offset--
	}
}

func (l *Model[T]) linesBetween(from, to int) int {
	n := 0
	for i := from; i < to && i < len(l.rows); i++ {
		n += l.rowLines(l.rows[i])
	}
	return n
}

// View draws the visible rows through render (given the row and the width) and returns
// exactly Height lines; a render result with more lines than the row height is cut.
func (l *Model[T]) View(width int, render func(r Row[T], width int) string) []string {
	out := make([]string, 0, l.height)
	for i := l.offset; i < len(l.rows) && len(out) < l.height; i++ {
		r := l.rows[i]
		var rendered string
		want := 1
		if r.item < 0 {
			rendered = render(Row[T]{Heading: r.heading, Index: -1}, width)
		} else {
			m := l.matches[r.item]
			want = l.rowHeight
			rendered = render(Row[T]{Item: l.items[m.Index], Index: m.Index, Spans: m.Spans, Selected: r.item == l.cursor}, width)
		}
		lines := strings.Split(rendered, "\n")
		for len(lines) < want {
			lines = append(lines, "")
		}
		for _, ln := range lines[:want] {
			if len(out) < l.height {
				out = append(out, ln)
			}
		}
	}
	for len(out) < l.height {
		out = append(out, "")
	}
	return out
}

// ClickRow puts the cursor on the item drawn at line y of the last View (0 = first line) and
// reports whether there was one.
func (l *Model[T]) ClickRow(y int) bool {
	line := 0
	for i := l.offset; i < len(l.rows); i++ {
		n := l.rowLines(l.rows[i])
		if y >= line && y < line+n {
			if l.rows[i].item < 0 {
				return false
			}
			l.cursor = l.rows[i].item
			l.scroll()
			return true
		}
		line += n
	}
	return false
}

// Count says how many items are shown: "24 guides", or "3 of 24 guides" while filtering.
func (l *Model[T]) Count(one, many string) string {
	if strings.TrimSpace(l.filter.Value()) == "" {
		return text.Plural(len(l.items), one, many)
	}
	return fmt.Sprintf("%d of %s", len(l.matches), text.Plural(len(l.items), one, many))
}

// FilterBar draws the filter ("/ filter" hint when empty and unfocused, the field otherwise).
func (l *Model[T]) FilterBar(st *styles.Styles) string {
	if !l.filtering && l.filter.Value() == "" {
		return st.Muted.Render(l.keys.Filter.Help().Key + " filter")
	}
	return l.filter.View("Filter: ", l.filtering, st.Key, st.Text)
}

// Offset is the first visible row (tests and mouse mapping).
func (l *Model[T]) Offset() int { return l.offset }
