// Package home is the dashboard: one card for the project and its git state, and one card per
// capability (onboarding, handbook, sandbox, pull requests, lineage, runs). Each card loads in
// the background and says where to go for more.
//
// Cards stay current: a card names the topic whose changes it shows (common.TopicRuns…), the
// screen that owns that state publishes the topic when it changes, and Home reloads the card.
// Loaders return lines with roles, not styled text, so they never touch the shared styles off
// the UI goroutine, and the cards follow a light/dark switch and show relative times that tick.
package home

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/components/input"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/ui/tasks"
)

// ID is the screen id.
const ID = "home"

// Loader reads a card's lines in a task. It gets only the shared services (safe for
// concurrent use: a card reads the artifacts the screens loaded, not its own copy) and
// returns data; Home styles it when it draws.
type Loader func(ctx context.Context, svc *service.Services) ([]styles.Line, error)

// Card is one capability's summary on the dashboard.
type Card struct {
	// Title is the card's heading.
	Title string
	// Screen is the id of the screen that shows more (enter on the card goes there).
	Screen string
	// Guide, when set, is the handbook guide enter opens instead: for a card whose "more" is
	// an explanation rather than a screen (whom to ask, what freshness means).
	Guide string
	// Load reads the card's lines in the background.
	Load Loader
	// Topic, when set, reloads the card each time its owner publishes it.
	Topic common.Topic
}

// cardState is a card with its latest content.
type cardState struct {
	Card
	lines  []styles.Line
	err    error
	loaded bool
	task   tasks.Ref[[]styles.Line]
}

// shown is one card as drawn: its index (0 is the project card) and its lines.
type shown struct {
	index int
	title string
	lines []string
}

// Model is the Home screen.
type Model struct {
	c        *common.Common
	cards    []*cardState
	info     common.InfoMsg
	hasInfo  bool
	selected int // card index, 0 = project
	w, h     int
	keys     keyMap

	filter    input.Line
	filtering bool

	// tickSeq identifies the live relative-time tick, so only one chain runs; tickAt is when
	// it fires (zero when none is scheduled).
	tickSeq int
	tickAt  time.Time
	// Layout of the last View, for mouse clicks and scrolling.
	firstRow int
	rowTops  []int
	rowCards [][]int // card indexes of each visible row
	colW     int
}

// keyMap is the shared navigation keys with Home's own descriptions.
type keyMap struct {
	Left, Right, Up, Down, Open, Refresh, Filter key.Binding
}

// New returns the Home screen with the given capability cards.
func New(c *common.Common, cards []Card) *Model {
	nav := c.KeyMap().Nav
	m := &Model{c: c, keys: keyMap{
		Left:    withHelp(nav.Left, "previous card"),
		Right:   withHelp(nav.Right, "next card"),
		Up:      withHelp(nav.Up, "card above"),
		Down:    withHelp(nav.Down, "card below"),
		Open:    withHelp(nav.Open, "open the card's screen"),
		Refresh: withHelp(nav.Refresh, "refresh"),
		Filter:  withHelp(nav.Filter, "filter the cards"),
	}}
	for _, card := range cards {
		m.cards = append(m.cards, &cardState{Card: card})
	}
	return m
}

// withHelp is b with Home's own description.
func withHelp(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "Home" }

// Capturing is true while the card filter has the keyboard.
func (m *Model) Capturing() bool { return m.filtering }

func (m *Model) KeyMap() []key.Binding {
	return []key.Binding{m.keys.Open, m.keys.Right, m.keys.Left, m.keys.Down, m.keys.Up, m.keys.Filter, m.keys.Refresh}
}

func (m *Model) Actions() []common.Action {
	return []common.Action{{ID: "home.refresh", Title: "Refresh the dashboard", Hint: "r", Run: func() tea.Cmd { return m.refresh() }}}
}

// Topics are the topics of the cards: Home reloads a card when its topic is published.
func (m *Model) Topics() []common.Topic {
	var out []common.Topic
	for _, cs := range m.cards {
		if cs.Topic != "" {
			out = append(out, cs.Topic)
		}
	}
	return out
}

func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

func (m *Model) Init() tea.Cmd { return tea.Batch(m.refresh(), m.tick()) }

// refresh reloads every card; each keeps its previous content until the new one arrives.
func (m *Model) refresh() tea.Cmd {
	var cmds []tea.Cmd
	for _, cs := range m.cards {
		cmds = append(cmds, m.load(cs))
	}
	return tea.Batch(cmds...)
}

// load starts the card's loader in the card's slot: a reload while the previous one is still
// running cancels it, so an old result can never replace a newer one.
func (m *Model) load(cs *cardState) tea.Cmd {
	if cs.Load == nil {
		return nil
	}
	load, svc := cs.Load, m.c.Svc()
	var cmd tea.Cmd
	cs.task, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading " + strings.ToLower(cs.Title), Slot: "card:" + cs.Title, ReadOnly: true},
		func(ctx context.Context, _ tasks.Emit) ([]styles.Line, error) { return load(ctx, svc) })
	return cmd
}

// tickMsg redraws relative times.
type tickMsg struct{ seq int }

// tick schedules the next redraw of relative times: soon while a card counts seconds, rarely
// otherwise. A tick already due sooner is kept; a sooner one replaces it (tickSeq), so one
// timer runs at a time.
func (m *Model) tick() tea.Cmd {
	now := m.c.Now()
	next := time.Hour
	for _, cs := range m.cards {
		for _, l := range cs.lines {
			for _, t := range l.Times() {
				next = min(next, text.NextTick(now, t))
			}
		}
	}
	at := time.Now().Add(next)
	if !m.tickAt.IsZero() && !m.tickAt.After(at) {
		return nil
	}
	m.tickSeq++
	seq := m.tickSeq
	m.tickAt = at
	return tea.Tick(next, func(time.Time) tea.Msg { return tickMsg{seq: seq} })
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.InfoMsg:
		m.info, m.hasInfo = msg, true
	case common.ChangedMsg:
		var cmds []tea.Cmd
		for _, cs := range m.cards {
			if cs.Topic == msg.Topic {
				cmds = append(cmds, m.load(cs))
			}
		}
		return tea.Batch(cmds...)
	case tasks.DoneMsg:
		for _, cs := range m.cards {
			if out, ok := cs.task.Done(msg); ok {
				cs.loaded, cs.err = true, out.Err
				if out.Err == nil {
					cs.lines = out.Value
				}
				return m.tick() // a new time may need a faster tick
			}
		}
	case tickMsg:
		if msg.seq == m.tickSeq {
			m.tickAt = time.Time{}
			return m.tick() // the view redraws after every message
		}
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		if m.filtering {
			m.filter.Paste(msg.Content)
			m.keepSelectionVisible()
		}
	case tea.MouseClickMsg:
		if i := m.cardAt(msg.X, msg.Y); i >= 0 {
			m.selected = i
		}
	case tea.MouseWheelMsg:
		switch msg.Button {
		case tea.MouseWheelDown:
			m.moveBy(m.columns())
		case tea.MouseWheelUp:
			m.moveBy(-m.columns())
		}
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.filtering {
		switch msg.String() {
		case "esc":
			m.filtering = false
			m.filter.Clear()
		case "enter":
			m.filtering = false
			return m.open()
		case "up", "left", "ctrl+p":
			m.moveBy(-1)
		case "down", "right", "ctrl+n":
			m.moveBy(1)
		default:
			if m.filter.Update(msg) {
				m.keepSelectionVisible()
			}
		}
		return nil
	}
	cols := m.columns()
	switch {
	case key.Matches(msg, m.keys.Right):
		m.moveBy(1)
	case key.Matches(msg, m.keys.Left):
		m.moveBy(-1)
	case key.Matches(msg, m.keys.Down):
		m.moveBy(cols)
	case key.Matches(msg, m.keys.Up):
		m.moveBy(-cols)
	case key.Matches(msg, m.keys.Refresh):
		return m.refresh()
	case key.Matches(msg, m.keys.Filter):
		m.filtering = true
	case msg.String() == "esc" && m.filter.Value() != "":
		m.filter.Clear()
	case key.Matches(msg, m.keys.Open):
		return m.open()
	}
	return nil
}

func (m *Model) open() tea.Cmd {
	if m.selected > 0 && m.selected <= len(m.cards) {
		if g := m.cards[m.selected-1].Guide; g != "" {
			return func() tea.Msg { return common.OpenGuideMsg{Slug: g} }
		}
		if s := m.cards[m.selected-1].Screen; s != "" {
			return common.SwitchTo(s)
		}
	}
	return nil
}

// moveBy moves the selection by n positions among the cards shown (the filter may hide some).
func (m *Model) moveBy(n int) {
	vis := m.visible()
	if len(vis) == 0 {
		return
	}
	pos := 0
	for i, c := range vis {
		if c.index == m.selected {
			pos = i
		}
	}
	m.selected = vis[text.Clamp(pos+n, 0, len(vis)-1)].index
}

// keepSelectionVisible moves the selection to the first card the filter shows when the
// selected one was filtered out.
func (m *Model) keepSelectionVisible() {
	vis := m.visible()
	for _, c := range vis {
		if c.index == m.selected {
			return
		}
	}
	if len(vis) > 0 {
		m.selected = vis[0].index
	}
}

// columns is how many cards fit side by side.
func (m *Model) columns() int {
	switch {
	case m.w >= 150:
		return 3
	case m.w >= 80:
		return 2
	default:
		return 1
	}
}

// maxCardLines caps a card's content so one busy card cannot push the others off screen; the
// card's screen shows everything (enter).
const maxCardLines = 10

// cardAt maps a click to a card index (-1 when none), using the layout of the last View.
func (m *Model) cardAt(x, y int) int {
	if m.colW <= 0 {
		return -1
	}
	for r, top := range m.rowTops {
		if y >= top && (r == len(m.rowTops)-1 || y < m.rowTops[r+1]) {
			if col := x / m.colW; col < len(m.rowCards[r]) {
				return m.rowCards[r][col]
			}
		}
	}
	return -1
}

// visible lists the cards to draw, with their lines styled now; with a filter, only the
// cards whose title or text contain it, with the matches marked.
func (m *Model) visible() []shown {
	st := m.c.Styles
	now := m.c.Now()
	q := strings.TrimSpace(m.filter.Value())
	all := []shown{{index: 0, title: "Project", lines: m.render(m.projectLines(), now)}}
	for i, cs := range m.cards {
		all = append(all, shown{index: i + 1, title: cs.Title, lines: m.render(m.cardLines(cs), now)})
	}
	if q == "" {
		return all
	}
	var out []shown
	for i, c := range all {
		src := append([]styles.Line{styles.Text(c.title)}, m.cardSource(i)...)
		hit := false
		lines := c.lines
		for j, l := range src {
			plain := l.Plain(now)
			spans := text.Find(plain, q)
			if len(spans) == 0 {
				continue
			}
			hit = true
			marked := text.Highlight(plain, spans, st.Text, st.Match)
			if j == 0 {
				c.title = marked
			} else {
				lines = append([]string(nil), lines...)
				lines[j-1] = marked
			}
		}
		c.lines = lines
		if hit {
			out = append(out, c)
		}
	}
	return out
}

// cardSource is the unstyled content of card i (0 = project).
func (m *Model) cardSource(i int) []styles.Line {
	if i == 0 {
		return m.projectLines()
	}
	return m.cardLines(m.cards[i-1])
}

func (m *Model) render(lines []styles.Line, now time.Time) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = m.c.Styles.Render(l, now)
	}
	return out
}

func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	st := m.c.Styles
	var header []string
	if m.filtering || m.filter.Value() != "" {
		header = append(header, text.Spread(m.filter.View("Filter cards: ", m.filtering, st.Key, st.Text),
			st.Muted.Render("enter open · esc clear"), m.w))
	}
	vis := m.visible()
	if len(vis) == 0 {
		header = append(header, st.Muted.Render(fmt.Sprintf("  No card mentions %q.", m.filter.Value())))
		return text.Block(header, m.w, m.h)
	}
	cols := m.columns()
	m.colW = m.w / cols
	// Lay out rows whose height is that of their tallest card.
	var rows []string
	var rowCards [][]int
	selRow := 0
	for i := 0; i < len(vis); i += cols {
		row := vis[i:min(len(vis), i+cols)]
		h := 0
		wrapped := make([][]string, len(row))
		idx := make([]int, len(row))
		for j, c := range row {
			wrapped[j] = text.WrapAll(c.lines, m.colW-4)
			limit := maxCardLines
			if c.index == 0 {
				limit = len(wrapped[j]) // the project card has no screen to show the rest
			}
			h = max(h, min(len(wrapped[j]), limit))
			idx[j] = c.index
			if c.index == m.selected {
				selRow = len(rows)
			}
		}
		rendered := make([]string, len(row))
		for j, c := range row {
			rendered[j] = m.renderCard(c.index, c.title, wrapped[j], m.colW, h+3)
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, rendered...))
		rowCards = append(rowCards, idx)
	}
	m.scrollTo(rows, selRow, m.h-len(header))
	m.rowTops, m.rowCards = m.rowTops[:0], rowCards[m.firstRow:]
	top := len(header)
	for _, r := range rows[m.firstRow:] {
		m.rowTops = append(m.rowTops, top)
		top += lipgloss.Height(r)
	}
	return text.Block(append(header, strings.Split(strings.Join(rows[m.firstRow:], "\n"), "\n")...), m.w, m.h)
}

// scrollTo picks the first row shown so the selected row is visible, and never scrolls past
// the point where the rows below would leave the screen partly blank (a resize that made the
// cards fit, a filter that hid some).
func (m *Model) scrollTo(rows []string, selRow, height int) {
	m.firstRow = text.Clamp(m.firstRow, 0, selRow)
	used := func(from, to int) int {
		n := 0
		for r := from; r <= to && r < len(rows); r++ {
			n += lipgloss.Height(rows[r])
		}
		return n
	}
	for m.firstRow < selRow && used(m.firstRow, selRow) > height {
		m.firstRow++
	}
	for m.firstRow > 0 && used(m.firstRow-1, len(rows)-1) <= height {
		m.firstRow--
	}
}

func (m *Model) renderCard(i int, title string, lines []string, w, h int) string {
	st := m.c.Styles
	style := st.Card
	if i == m.selected {
		style = st.CardFocus
	}
	body := append([]string{st.Title.Render(text.Fit(title, w-4))}, lines...)
	if len(body) > h-2 {
		body = append(body[:h-3], st.Muted.Render("… enter shows the rest"))
	}
	return style.Width(w).Height(h).MaxHeight(h).Render(strings.Join(body, "\n"))
}

func (m *Model) projectLines() []styles.Line {
	ws := m.c.Workspace
	if ws == nil {
		return []styles.Line{{styles.Dim("No workspace.")}}
	}
	name := m.info.Project
	switch {
	case !m.hasInfo:
		name = filepath.Base(ws.ProjectDir)
	case name == "":
		name = "(dbt_project.yml has no name)"
	}
	home, _ := os.UserHomeDir()
	lines := []styles.Line{{styles.Strong(name), styles.Dim("  " + text.HomePath(ws.ProjectDir, home))}}
	if ws.Demo {
		lines = append(lines, styles.Line{styles.Note("Demo workspace: run datatui in your analytics repo, or pass --project DIR.")})
	}
	if ws.ConfigPath != "" {
		cfg := text.HomePath(ws.ConfigPath, home)
		if rel, err := filepath.Rel(ws.Root, ws.ConfigPath); err == nil && !strings.HasPrefix(rel, "..") {
			cfg = rel // the repository's own datatui.yml, as its contributors know it
		}
		lines = append(lines, styles.Line{styles.Dim("Team config: "), styles.Plain(cfg)})
	} else {
		lines = append(lines, styles.Line{styles.Dim("No datatui.yml: using defaults.")})
	}
	if !m.hasInfo {
		return append(lines, styles.Line{styles.Dim("Reading git…")})
	}
	g := m.info.Git
	switch {
	case !ws.InGit:
		lines = append(lines, styles.Line{styles.Warn("Not a git repository: changes cannot become pull requests.")})
	case m.info.GitErr != nil:
		lines = append(lines, styles.Line{styles.Bad("git: " + redact.String(m.info.GitErr.Error()))})
	default:
		branch := g.Branch
		if g.Detached {
			branch = "(detached HEAD)"
		}
		sync := "no upstream"
		if g.Upstream != "" {
			sync = fmt.Sprintf("↑%d ↓%d vs %s", g.Ahead, g.Behind, g.Upstream)
		}
		lines = append(lines, styles.Line{styles.Plain("Branch "), styles.Code(branch), styles.Dim("  " + sync)})
		if g.Subject != "" {
			lines = append(lines, styles.Line{styles.Dim("Last commit "), styles.Plain(g.Head + " " + g.Subject), styles.Dim(" (" + g.When + ")")})
		}
		switch n := len(g.Changed); n {
		case 0:
			lines = append(lines, styles.Line{styles.Good("✓ No uncommitted changes")})
		default:
			lines = append(lines, styles.Line{styles.Warn(text.Plural(n, "changed file", "changed files") + ":")})
			for i, ch := range g.Changed {
				if i == 4 {
					lines = append(lines, styles.Line{styles.Dim(fmt.Sprintf("  … and %d more", n-4))})
					break
				}
				lines = append(lines, styles.Line{styles.Dim("  " + ch.Kind), styles.Plain(" " + ch.Path)})
			}
		}
	}
	return lines
}

func (m *Model) cardLines(cs *cardState) []styles.Line {
	switch {
	case cs.err != nil:
		return []styles.Line{{styles.Bad(redact.String(cs.err.Error()))}}
	case !cs.loaded:
		return []styles.Line{{styles.Dim("Loading…")}}
	}
	return cs.lines
}
