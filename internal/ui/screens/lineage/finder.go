package lineage

import (
	"context"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/ui/tasks"
)

// The finder (/) and the selector prompt (S): both filter the graph as the user types.

func (m *Model) openFinder() tea.Cmd {
	m.finding = true
	m.selecting = false
	m.finder.SetValue("")
	return tea.Batch(m.filter(), m.finder.Focus())
}

// filter re-ranks the finder's list for its query. An empty query lists models and the other
// nodes (not tests) by name, at once; otherwise the matching runs in a task (slot "finder":
// a newer key cancels it and its result is dropped), narrowing the matches of the longest
// earlier query that the new one extends.
func (m *Model) filter() tea.Cmd {
	m.hitCursor, m.hitOffset = 0, 0
	if m.data == nil {
		m.hits, m.hitTotal = nil, 0
		return nil
	}
	ix := m.data.finder
	q := strings.ToLower(strings.TrimSpace(m.finder.Value()))
	for len(m.narrowed) > 0 && !strings.HasPrefix(q, m.narrowed[len(m.narrowed)-1].query) {
		m.narrowed = m.narrowed[:len(m.narrowed)-1]
	}
	if q == "" {
		m.c.Tasks.CancelSlot(ID, finderSlot)
		m.finderRef = tasks.Ref[narrowing]{}
		m.hits, m.hitTotal = ix.listed, len(ix.listed)
		return nil
	}
	var base []candidate
	from := ""
	if k := len(m.narrowed); k > 0 {
		top := m.narrowed[k-1]
		if top.query == q {
			// Back to a query already ranked (a backspace): no work at all.
			m.c.Tasks.CancelSlot(ID, finderSlot)
			m.finderRef = tasks.Ref[narrowing]{}
			m.hits, m.hitTotal = top.hits, len(top.cands)
			return nil
		}
		base, from = top.cands, top.query
	}
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Finding", Slot: finderSlot},
		func(ctx context.Context, _ tasks.Emit) (narrowing, error) {
			cands := ix.narrow(ctx, base, from, q)
			if ctx.Err() != nil {
				return narrowing{}, ctx.Err()
			}
			return narrowing{query: q, cands: cands, hits: ix.rank(cands, q, maxHits)}, nil
		})
	m.finderRef = ref
	return cmd
}

const finderSlot = "finder"

// narrowing is one query's matches: every matching node (what a longer query narrows) and the
// best maxHits of them, ranked.
type narrowing struct {
	query string
	cands []candidate
	hits  []int
}

// finderDone shows a finished filtering, unless the query moved on since it started.
func (m *Model) finderDone(out tasks.Outcome[narrowing]) {
	m.finderRef = tasks.Ref[narrowing]{}
	n := out.Value
	if out.Err != nil || out.Cancelled || m.data == nil || n.query != strings.ToLower(strings.TrimSpace(m.finder.Value())) {
		return
	}
	// Keep the chain of queries each extending the last, so typing on narrows and a
	// backspace is free; the chain is as long as the query.
	m.narrowed = append(m.narrowed, n)
	m.hits, m.hitTotal = n.hits, len(n.cands)
	m.hitCursor, m.hitOffset = 0, 0
}

// maxHits bounds the finder's list; nobody scrolls past it, and it keeps ranking fast.
const maxHits = 500

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
		return tea.Batch(cmd, m.filter())
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
		return tea.Batch(cmd, m.evalSelector())
	}
	return cmd
}

func (m *Model) clearSelector() {
	m.selExpr, m.selMatches, m.selErr, m.selList, m.selNotes, m.selErrCol = "", nil, "", nil, nil, 0
	m.c.Tasks.CancelSlot(ID, selectorSlot)
	m.selRef = tasks.Ref[selection]{}
}

const selectorSlot = "selector"

// evalSelector re-evaluates the selector on each edit, in a task (slot "selector": a newer
// key cancels it and drops its result); the tree highlights the matches and the prompt lists
// them like dbt ls, with dbt's warnings and syntax errors at their position. Until the result
// arrives the previous one stays on screen.
func (m *Model) evalSelector() tea.Cmd {
	expr := strings.TrimSpace(m.selInput.Value())
	if expr == "" || m.data == nil {
		m.clearSelector()
		return nil
	}
	d := m.data
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Evaluating the selector", Slot: selectorSlot},
		func(ctx context.Context, _ tasks.Emit) (selection, error) {
			s, err := selectNodes(ctx, d, expr)
			s.expr = expr
			return s, err
		})
	m.selRef = ref
	return cmd
}

// selectorDone shows a finished evaluation, unless the prompt moved on since it started.
func (m *Model) selectorDone(out tasks.Outcome[selection]) {
	m.selRef = tasks.Ref[selection]{}
	s := out.Value
	if out.Cancelled || s.expr != strings.TrimSpace(m.selInput.Value()) {
		return
	}
	m.selExpr, m.selMatches, m.selErr, m.selList, m.selNotes, m.selErrCol = s.expr, nil, "", nil, nil, 0
	if out.Err != nil {
		m.selErr, m.selErrCol = out.Err.Error(), s.errCol
		return
	}
	m.selMatches, m.selList, m.selNotes = s.set, s.list, s.notes
}
