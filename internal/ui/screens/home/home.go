// Package home is the dashboard: one card for the project and its git state, and one card per
// capability (onboarding, handbook, sandbox, pull requests, lineage, runs). Each card loads in
// the background and says where to go for more.
package home

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/ui/tasks"
	"github.com/datatui/datatui/internal/workspace"
)

// ID is the screen id.
const ID = "home"

// Card is one capability's summary on the dashboard.
type Card struct {
	// Title is the card's heading.
	Title string
	// Screen is the id of the screen that shows more (enter on the card goes there).
	Screen string
	// Load reads the card's lines in the background. Lines may carry styles from Styles.
	Load func(ctx context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error)
}

// cardState is a card with its latest content.
type cardState struct {
	Card
	lines   []string
	err     error
	loaded  bool
	taskID  int
	started time.Time
}

// Model is the Home screen.
type Model struct {
	c        *common.Common
	cards    []*cardState
	info     common.InfoMsg
	hasInfo  bool
	selected int
	w, h     int
	keys     keyMap
	// Layout of the last View, for mouse clicks and scrolling.
	firstRow int
	rowTops  []int
}

type keyMap struct {
	Left, Right, Up, Down, Open, Refresh key.Binding
}

// New returns the Home screen with the given capability cards.
func New(c *common.Common, cards []Card) *Model {
	m := &Model{c: c, keys: keyMap{
		Left:    key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "previous card")),
		Right:   key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next card")),
		Up:      key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "card above")),
		Down:    key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "card below")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open the card's screen")),
		Refresh: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "refresh")),
	}}
	for _, card := range cards {
		m.cards = append(m.cards, &cardState{Card: card})
	}
	return m
}

func (m *Model) ID() string    { return ID }
func (m *Model) Title() string { return "Home" }

// Capturing is always false: Home has no text input.
func (m *Model) Capturing() bool { return false }

func (m *Model) KeyMap() []key.Binding {
	return []key.Binding{m.keys.Open, m.keys.Right, m.keys.Left, m.keys.Down, m.keys.Up, m.keys.Refresh}
}

func (m *Model) Actions() []common.Action {
	return []common.Action{{ID: "home.refresh", Title: "Refresh the dashboard", Hint: "r", Run: func() tea.Cmd { return m.refresh() }}}
}

func (m *Model) SetSize(w, h int) { m.w, m.h = w, h }

func (m *Model) Init() tea.Cmd { return m.refresh() }

// refresh starts one task per card; each card shows its previous content until its new
// content arrives.
func (m *Model) refresh() tea.Cmd {
	var cmds []tea.Cmd
	for _, cs := range m.cards {
		if cs.Load == nil {
			continue
		}
		load, ws, c := cs.Load, m.c.Workspace, m.c
		id, cmd := m.c.Tasks.Start(ID, "Loading "+strings.ToLower(cs.Title), func(ctx context.Context, _ tasks.Emit) (any, error) {
			return load(ctx, ws, c)
		})
		cs.taskID, cs.started = id, time.Now()
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

func (m *Model) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case common.InfoMsg:
		m.info, m.hasInfo = msg, true
	case tasks.DoneMsg:
		if msg.Owner != ID {
			return nil
		}
		for _, cs := range m.cards {
			if cs.taskID == msg.ID {
				cs.loaded, cs.err = true, msg.Err
				if lines, ok := msg.Result.([]string); ok {
					cs.lines = lines
				}
			}
		}
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseClickMsg:
		if i := m.cardAt(msg.X, msg.Y); i >= 0 {
			m.selected = i
		}
	}
	return nil
}

func (m *Model) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	n := len(m.cards) + 1 // the project card comes first
	cols := m.columns()
	switch {
	case key.Matches(msg, m.keys.Right):
		m.selected = min(n-1, m.selected+1)
	case key.Matches(msg, m.keys.Left):
		m.selected = max(0, m.selected-1)
	case key.Matches(msg, m.keys.Down):
		m.selected = min(n-1, m.selected+cols)
	case key.Matches(msg, m.keys.Up):
		m.selected = max(0, m.selected-cols)
	case key.Matches(msg, m.keys.Refresh):
		return m.refresh()
	case key.Matches(msg, m.keys.Open):
		if m.selected > 0 {
			if s := m.cards[m.selected-1].Screen; s != "" {
				return common.SwitchTo(s)
			}
		}
	}
	return nil
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

// maxCardLines caps a card's content so one busy card cannot push the others off screen.
const maxCardLines = 10

// cardAt maps a click to a card index (-1 when none), using the layout of the last View.
func (m *Model) cardAt(x, y int) int {
	cols := m.columns()
	cw := max(1, m.w/cols)
	for r, top := range m.rowTops {
		if y >= top && (r == len(m.rowTops)-1 || y < m.rowTops[r+1]) {
			if i := (m.firstRow+r)*cols + x/cw; i <= len(m.cards) {
				return i
			}
		}
	}
	return -1
}

func (m *Model) View() string {
	if m.w <= 0 || m.h <= 0 {
		return ""
	}
	cols := m.columns()
	cw := m.w / cols
	type card struct {
		title string
		lines []string
	}
	all := []card{{"Project", m.projectLines()}}
	for _, cs := range m.cards {
		all = append(all, card{cs.Title, m.cardLines(cs)})
	}
	// Lay out rows whose height is that of their tallest card.
	var rows []string
	for i := 0; i < len(all); i += cols {
		row := all[i:min(len(all), i+cols)]
		h := 0
		wrapped := make([][]string, len(row))
		for j, c := range row {
			wrapped[j] = m.wrapLines(c.lines, cw-4)
			h = max(h, min(len(wrapped[j]), maxCardLines))
		}
		rendered := make([]string, len(row))
		for j, c := range row {
			rendered[j] = m.renderCard(i+j, c.title, wrapped[j], cw, h+3)
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, rendered...))
	}
	// Scroll by rows so the selected card is visible.
	selRow := m.selected / cols
	if selRow < m.firstRow {
		m.firstRow = selRow
	}
	for {
		used := 0
		for r := m.firstRow; r <= selRow; r++ {
			used += lipgloss.Height(rows[r])
		}
		if used <= m.h || m.firstRow >= selRow {
			break
		}
		m.firstRow++
	}
	m.rowTops = m.rowTops[:0]
	top := 0
	for _, r := range rows[m.firstRow:] {
		m.rowTops = append(m.rowTops, top)
		top += lipgloss.Height(r)
	}
	return strings.Join(rows[m.firstRow:], "\n")
}

func (m *Model) wrapLines(lines []string, width int) []string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(ansi.Wrap(l, max(1, width), ""), "\n")...)
	}
	return out
}

func (m *Model) renderCard(i int, title string, lines []string, w, h int) string {
	st := m.c.Styles
	style := st.Card
	if i == m.selected {
		style = st.CardFocus
	}
	body := append([]string{st.Title.Render(ansi.Truncate(title, w-4, "…"))}, lines...)
	if len(body) > h-2 {
		body = append(body[:h-3], st.Muted.Render("…"))
	}
	return style.Width(w).Height(h).MaxHeight(h).Render(strings.Join(body, "\n"))
}

func (m *Model) projectLines() []string {
	st := m.c.Styles
	ws := m.c.Workspace
	if ws == nil {
		return []string{st.Muted.Render("No workspace.")}
	}
	name := m.info.Project
	switch {
	case !m.hasInfo:
		name = filepath.Base(ws.ProjectDir)
	case name == "":
		name = "(dbt_project.yml has no name)"
	}
	lines := []string{st.Bold.Render(name) + st.Muted.Render("  "+ws.ProjectDir)}
	if ws.Demo {
		lines = append(lines, st.InfoText.Render("Demo workspace: run datatui in your analytics repo, or pass --project DIR."))
	}
	if ws.ConfigPath != "" {
		lines = append(lines, st.Muted.Render("Team config: ")+ws.ConfigPath)
	} else {
		lines = append(lines, st.Muted.Render("No datatui.yml: using defaults."))
	}
	if !m.hasInfo {
		return append(lines, st.Muted.Render("Reading git…"))
	}
	g := m.info.Git
	switch {
	case !ws.InGit:
		lines = append(lines, st.Warning.Render("Not a git repository: changes cannot become pull requests."))
	case m.info.GitErr != nil:
		lines = append(lines, st.Error.Render("git: "+m.info.GitErr.Error()))
	default:
		branch := g.Branch
		if g.Detached {
			branch = "(detached HEAD)"
		}
		sync := "no upstream"
		if g.Upstream != "" {
			sync = fmt.Sprintf("↑%d ↓%d vs %s", g.Ahead, g.Behind, g.Upstream)
		}
		lines = append(lines, "Branch "+st.Code.Render(branch)+st.Muted.Render("  "+sync))
		if g.Subject != "" {
			lines = append(lines, st.Muted.Render("Last commit ")+g.Head+" "+g.Subject+st.Muted.Render(" ("+g.When+")"))
		}
		switch n := len(g.Changed); n {
		case 0:
			lines = append(lines, st.Success.Render("✓ No uncommitted changes"))
		default:
			lines = append(lines, st.Warning.Render(fmt.Sprintf("%d changed file(s):", n)))
			for i, ch := range g.Changed {
				if i == 4 {
					lines = append(lines, st.Muted.Render(fmt.Sprintf("  … and %d more", n-4)))
					break
				}
				lines = append(lines, "  "+st.Muted.Render(ch.Kind)+" "+ch.Path)
			}
		}
	}
	return lines
}

func (m *Model) cardLines(cs *cardState) []string {
	st := m.c.Styles
	switch {
	case cs.err != nil:
		return []string{st.Error.Render(cs.err.Error())}
	case !cs.loaded:
		return []string{st.Muted.Render("Loading…")}
	}
	return cs.lines
}
