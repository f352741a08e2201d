// Package tasks bridges background work to the UI. Every task has an id, an owner (the screen
// that started it), a cancel func and a title for the status bar; its events and result come
// back as messages tagged with the id, so the owner can drop results of a task it has since
// replaced (a stale fetch) and the root can cancel everything before quitting.
//
// The work function runs on its own goroutine and must not touch model state: snapshot what it
// needs before calling Start.
package tasks

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Emit sends a progress event from a running task to the UI. It never blocks the task for
// long: when the UI lags, events queue in a bounded buffer and Emit waits only while it is full.
type Emit func(event any)

// Func is the work of a task.
type Func func(ctx context.Context, emit Emit) (result any, err error)

// EventMsg carries one event of a running task.
type EventMsg struct {
	ID    int
	Owner string
	Event any
}

// DoneMsg carries a finished task's result.
type DoneMsg struct {
	ID     int
	Owner  string
	Title  string
	Result any
	Err    error
	// Cancelled is true when the task ended because it was cancelled.
	Cancelled bool
	Elapsed   time.Duration
}

// Info describes a running task for the status bar and the quit prompt.
type Info struct {
	ID      int
	Owner   string
	Title   string
	Started time.Time
}

type task struct {
	Info
	cancel context.CancelFunc
	events chan any
	done   chan DoneMsg
}

// Manager tracks running tasks. Its methods are called from the UI goroutine; the fields the
// task goroutines touch are guarded by mu.
type Manager struct {
	parent context.Context
	mu     sync.Mutex
	nextID int
	tasks  map[int]*task
}

// NewManager returns a manager whose tasks are children of ctx.
func NewManager(ctx context.Context) *Manager {
	return &Manager{parent: ctx, tasks: map[int]*task{}}
}

// eventBuffer bounds the events queued between a task and the UI.
const eventBuffer = 256

// Start runs fn in the background and returns its id and the command that delivers its
// events and result. Call the command from Update (return it); nothing runs until then.
func (m *Manager) Start(owner, title string, fn Func) (int, tea.Cmd) {
	m.mu.Lock()
	m.nextID++
	id := m.nextID
	ctx, cancel := context.WithCancel(m.parent)
	t := &task{
		Info:   Info{ID: id, Owner: owner, Title: title, Started: time.Now()},
		cancel: cancel,
		events: make(chan any, eventBuffer),
		done:   make(chan DoneMsg, 1),
	}
	m.tasks[id] = t
	m.mu.Unlock()

	run := func() tea.Msg {
		go func() {
			var res any
			var err error
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("internal error in %q: %v", title, r)
				}
				close(t.events)
				t.done <- DoneMsg{ID: id, Owner: owner, Title: title, Result: res, Err: err,
					Cancelled: ctx.Err() != nil && err != nil, Elapsed: time.Since(t.Started)}
			}()
			res, err = fn(ctx, func(ev any) {
				select {
				case t.events <- ev:
				case <-ctx.Done():
				}
			})
		}()
		return m.next(t)()
	}
	return id, run
}

// next returns a command that waits for the task's next event or its result. The root calls
// Continue after each EventMsg to re-arm it.
func (m *Manager) next(t *task) tea.Cmd {
	return func() tea.Msg {
		ev, ok := <-t.events
		if ok {
			return EventMsg{ID: t.ID, Owner: t.Owner, Event: ev}
		}
		d := <-t.done
		m.mu.Lock()
		delete(m.tasks, t.ID)
		m.mu.Unlock()
		return d
	}
}

// Continue re-arms the reader of task id after an EventMsg. It returns nil for unknown ids.
func (m *Manager) Continue(id int) tea.Cmd {
	m.mu.Lock()
	t := m.tasks[id]
	m.mu.Unlock()
	if t == nil {
		return nil
	}
	return m.next(t)
}

// Cancel cancels task id; its DoneMsg still arrives.
func (m *Manager) Cancel(id int) {
	m.mu.Lock()
	t := m.tasks[id]
	m.mu.Unlock()
	if t != nil {
		t.cancel()
	}
}

// CancelAll cancels every running task (before quitting).
func (m *Manager) CancelAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.tasks {
		t.cancel()
	}
}

// Running lists running tasks, oldest first.
func (m *Manager) Running() []Info {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Info, 0, len(m.tasks))
	for _, t := range m.tasks {
		out = append(out, t.Info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
