package lineage

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/datatui/datatui/internal/ui/tasks"
)

// The finder (/) and the selector prompt (S): both filter the graph as the user types, in a
// task whose stale results are dropped, and list what they found on the shared list (↑/↓,
// paging, the wheel; enter opens the node under the cursor).

func (m *Model) openFinder() tea.Cmd {
	m.finding = true
	m.selecting = false
	m.finder.Clear()
	return m.filter()
}

// query is the finder's text as the matcher reads it.
func (m *Model) query() string { return strings.ToLower(strings.TrimSpace(m.finder.Value())) }

// filter re-ranks the finder's list for its query. An empty query lists models and the other
// nodes (not tests) by name, at once; otherwise the matching runs in a task (slot "finder":
// a newer key cancels it and its result is dropped), narrowing the matches of the longest
// earlier query that the new one extends.
func (m *Model) filter() tea.Cmd {
	if m.data == nil {
		m.setHits(nil, 0)
		return nil
	}
	ix := m.data.finder
	q := m.query()
	for len(m.narrowed) > 0 && !strings.HasPrefix(q, m.narrowed[len(m.narrowed)-1].query) {
		m.narrowed = m.narrowed[:len(m.narrowed)-1]
	}
	if q == "" {
		m.c.Tasks.CancelSlot(ID, finderSlot)
		m.finderRef = tasks.Ref[narrowing]{}
		m.setHits(ix.listed, len(ix.listed))
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
			m.setHits(top.hits, len(top.cands))
			return nil
		}
		base, from = top.cands, top.query
	}
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Finding", Slot: finderSlot, ReadOnly: true},
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

// setHits shows a ranking with the cursor on the best hit.
func (m *Model) setHits(hits []int, total int) {
	m.hits.SetItems(hits)
	m.hits.Move(-m.hits.Len())
	m.hitTotal = total
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
	if out.Err != nil || out.Cancelled || m.data == nil || n.query != m.query() {
		return
	}
	// Keep the chain of queries each extending the last, so typing on narrows and a
	// backspace is free; the chain is as long as the query.
	m.narrowed = append(m.narrowed, n)
	m.setHits(n.hits, len(n.cands))
}

// maxHits bounds the finder's list; nobody scrolls past it, and it keeps ranking fast.
const maxHits = 500

type mover interface {
	Move(n int)
	Height() int
}

// promptKey moves the cursor of a prompt's list: ↑/↓ (and ctrl+p/ctrl+n), pgup/pgdown and the
// wheel; every other key belongs to the prompt's field.
func promptKey(l mover, msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "up", "ctrl+p":
		l.Move(-1)
	case "down", "ctrl+n":
		l.Move(1)
	case "pgup":
		l.Move(-max(1, l.Height()-1))
	case "pgdown":
		l.Move(max(1, l.Height()-1))
	default:
		return false
	}
	return true
}

func (m *Model) finderKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.nav.Back):
		m.finding = false
		return nil
	case key.Matches(msg, m.nav.Open):
		m.finding = false
		if i, ok := m.hits.Selected(); ok {
			return m.openNode(i)
		}
		return nil
	case promptKey(m.hits, msg):
		return nil
	}
	if m.finder.Update(msg) {
		return m.filter()
	}
	return nil
}

// openNode makes node i the root of the tree (the DAG stays the DAG).
func (m *Model) openNode(i int) tea.Cmd {
	m.setRoot(i)
	if m.mode == modeImpact {
		m.mode = modeTree
	}
	m.layout()
	if m.sql != sqlOff {
		return m.loadSQLCmd()
	}
	return nil
}

func (m *Model) openSelector() tea.Cmd {
	m.selecting = true
	m.finding = false
	m.selInput.Set(m.selExpr)
	return nil
}

func (m *Model) selectorKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.nav.Back):
		m.selecting = false
		m.clearSelector()
		return nil
	case key.Matches(msg, m.nav.Open):
		// Keep the selector (the tree highlights it) and open the match under the cursor.
		m.selecting = false
		if i, ok := m.matches.Selected(); ok && m.selErr == "" {
			return m.openNode(i)
		}
		return nil
	case msg.String() == "ctrl+b":
		// Build what the prompt selects, as `b` does once it is kept.
		if m.selExpr == "" || m.selErr != "" {
			return nil
		}
		m.selecting = false
		return m.build()
	case promptKey(m.matches, msg):
		return nil
	}
	if m.selInput.Update(msg) {
		return m.evalSelector()
	}
	return nil
}

func (m *Model) clearSelector() {
	m.selExpr, m.selMatches, m.selErr, m.selNotes, m.selErrCol = "", nil, "", nil, 0
	m.matches.SetItems(nil)
	m.c.Tasks.CancelSlot(ID, selectorSlot)
	m.selRef = tasks.Ref[selection]{}
	m.dag.key = ""
}

const selectorSlot = "selector"

// evalSelector re-evaluates the selector on each edit, in a task (slot "selector": a newer
// key cancels it, which stops the evaluation, and drops its result); the tree highlights the
// matches and the prompt lists them like dbt ls, with dbt's warnings and syntax errors at their
// position. Until the result arrives the previous one stays on screen.
func (m *Model) evalSelector() tea.Cmd {
	expr := strings.TrimSpace(m.selInput.Value())
	if expr == "" || m.data == nil {
		m.clearSelector()
		return nil
	}
	d := m.data
	ref, cmd := tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Evaluating the selector", Slot: selectorSlot, ReadOnly: true},
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
	m.selExpr, m.selMatches, m.selErr, m.selNotes, m.selErrCol = s.expr, nil, "", nil, 0
	m.dag.key = ""
	if out.Err != nil {
		m.selErr, m.selErrCol = out.Err.Error(), s.errCol
		m.matches.SetItems(nil)
		return
	}
	m.selMatches, m.selNotes = s.set, s.notes
	m.matches.SetItems(s.list)
	m.matches.Move(-m.matches.Len())
}
