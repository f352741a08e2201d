package lineage

import (
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/sahilm/fuzzy"

	"github.com/datatui/datatui/internal/dbt"
)

// The finder (/) and the selector prompt (S): both filter the graph as the user types.

func (m *Model) openFinder() tea.Cmd {
	m.finding = true
	m.selecting = false
	m.finder.SetValue("")
	m.filter()
	return m.finder.Focus()
}

// filter runs the fuzzy matcher over the prebuilt haystack; an empty query lists models first.
func (m *Model) filter() {
	m.hits = m.hits[:0]
	m.hitCursor, m.hitOffset = 0, 0
	if m.data == nil {
		return
	}
	q := strings.TrimSpace(m.finder.Value())
	if q == "" {
		g := m.data.graph
		for i := range g.Nodes {
			if t := g.Nodes[i].ResourceType; t != "test" && t != "unit_test" && !g.Nodes[i].Disabled {
				m.hits = append(m.hits, i)
			}
		}
		sort.SliceStable(m.hits, func(a, b int) bool {
			return dbt.DisplayName(&g.Nodes[m.hits[a]]) < dbt.DisplayName(&g.Nodes[m.hits[b]])
		})
		return
	}
	// Names first (what people usually type), then matches in paths, tags and descriptions.
	seen := map[int]bool{}
	for _, r := range fuzzy.FindFrom(q, nameSource{m.data.graph}) {
		seen[r.Index] = true
		m.hits = append(m.hits, r.Index)
	}
	for _, r := range fuzzy.Find(q, m.data.search) {
		if len(m.hits) >= maxHits {
			break
		}
		if !seen[r.Index] {
			m.hits = append(m.hits, r.Index)
		}
	}
	if len(m.hits) > maxHits {
		m.hits = m.hits[:maxHits]
	}
}

// maxHits bounds the finder's list; nobody scrolls past it, and it keeps filtering fast.
const maxHits = 500

// nameSource lets the fuzzy matcher read node names without copying them.
type nameSource struct{ g *dbt.Graph }

func (s nameSource) String(i int) string { return dbt.DisplayName(&s.g.Nodes[i]) }

func (s nameSource) Len() int { return s.g.Len() }

func (m *Model) finderKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.finding = false
		m.finder.Blur()
		return nil
	case "enter":
		m.finding = false
		m.finder.Blur()
		if m.hitCursor < len(m.hits) {
			m.setRoot(m.hits[m.hitCursor])
			m.mode = modeTree
			if m.sql != sqlOff {
				return m.loadSQLCmd()
			}
		}
		return nil
	case "up", "ctrl+p", "ctrl+k":
		m.hitCursor = max(0, m.hitCursor-1)
		m.clampScroll()
		return nil
	case "down", "ctrl+n", "ctrl+j":
		m.hitCursor = min(max(0, len(m.hits)-1), m.hitCursor+1)
		m.clampScroll()
		return nil
	}
	var cmd tea.Cmd
	before := m.finder.Value()
	m.finder, cmd = m.finder.Update(msg)
	if m.finder.Value() != before {
		m.filter()
	}
	return cmd
}

func (m *Model) openSelector() tea.Cmd {
	m.selecting = true
	m.finding = false
	m.selInput.SetValue(m.selExpr)
	m.selInput.CursorEnd()
	return m.selInput.Focus()
}

func (m *Model) selectorKey(msg tea.KeyPressMsg) tea.Cmd {
	switch msg.String() {
	case "esc":
		m.selecting = false
		m.selInput.Blur()
		m.clearSelector()
		return nil
	case "enter":
		m.selecting = false
		m.selInput.Blur()
		return nil
	case "ctrl+b":
		// Build what the prompt selects, as `b` does once it is kept.
		if m.selExpr == "" || m.selErr != "" {
			return nil
		}
		m.selecting = false
		m.selInput.Blur()
		return m.build()
	}
	var cmd tea.Cmd
	before := m.selInput.Value()
	m.selInput, cmd = m.selInput.Update(msg)
	if m.selInput.Value() != before {
		m.evalSelector()
	}
	return cmd
}

func (m *Model) clearSelector() {
	m.selExpr, m.selMatches, m.selErr, m.selList, m.selNotes, m.selErrCol = "", nil, "", nil, nil, 0
}

// evalSelector re-evaluates the selector on each edit; the tree highlights the matches and
// the prompt lists them like dbt ls, with dbt's warnings and syntax errors at their position.
func (m *Model) evalSelector() {
	expr := strings.TrimSpace(m.selInput.Value())
	m.clearSelector()
	m.selExpr = expr
	if m.selExpr == "" || m.data == nil {
		return
	}
	s, err := selectNodes(m.data, m.selExpr)
	if err != nil {
		m.selErr, m.selErrCol = err.Error(), s.errCol
		return
	}
	m.selMatches, m.selList, m.selNotes = s.set, s.list, s.notes
}
