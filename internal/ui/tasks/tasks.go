// Package tasks bridges background work to the UI. Every task has an id, an owner (the screen
// that started it), a cancel func and a title for the status bar; its events and result come
// back as messages tagged with the id, and the root delivers them to the owner only.
//
// Start a task with the typed API and keep its Ref:
//
//	ws := m.c.Workspace // a value snapshot, taken on the UI goroutine
//	m.load, cmd = tasks.Start(m.c.Tasks, tasks.Spec{Owner: ID, Title: "Loading", Slot: "load"},
//		func(ctx context.Context, emit tasks.Emit) (*Result, error) { return load(ctx, ws) })
//	…
//	case tasks.DoneMsg:
//		if out, ok := m.load.Done(msg); ok { use(out.Value, out.Err) }
//
// The work function runs on its own goroutine and must not touch model state, nor anything
// the UI goroutine may replace (Styles, sizes, the workspace pointer's fields being written):
// snapshot what it needs before calling Start, return data, and let View style it.
//
// A Slot keeps one task per (owner, slot): starting another in a busy slot cancels the old task
// and its events and result are dropped, so a slow stale load can never overwrite a newer one.
//
// The root calls Handle with every message: it says whether the message belongs to a task,
// to which screen it must go (none for a dropped one), and returns the command that keeps the
// task's reader going. Busy counts tasks whose result the root has not taken yet; test drivers
// wait for it to reach zero (Idle) instead of sleeping.
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
// long: when the UI lags, events queue in a bounded buffer and Emit waits only while it is full
// (or until the task is cancelled).
type Emit func(event any)

// work is a task's work with its result untyped.
type work func(ctx context.Context, emit Emit) (result any, err error)

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

// Spec describes a task to start.
type Spec struct {
	// Owner is the id of the screen that receives the task's events and result.
	Owner string
	// Title names the work in the status bar ("Loading the handbook").
	Title string
	// Slot, when set, allows one task per (Owner, Slot): starting another cancels the old
	// one and drops its events and result.
	Slot string
	// ReadOnly marks work that only reads (a card's load, a listing): when datatui quits it is
	// cancelled but not waited for, since the process exit ends it and nothing is left half
	// written. Work that writes or runs a process (dbt) leaves it false and is waited for.
	ReadOnly bool
}

// Info describes a running task for the status bar and the quit prompt.
type Info struct {
	ID      int
	Owner   string
	Title   string
	Slot    string
	Started time.Time
}

type task struct {
	Info
	cancel context.CancelFunc
	// readOnly tasks are not waited for by Shutdown (see Spec.ReadOnly).
	readOnly bool
	events   chan any
	done     chan DoneMsg
	// dropped is set (under Manager.mu) when a newer task took the slot.
	dropped bool
	// finished is closed when the work has returned; nil until it starts.
	finished chan struct{}
}

// Manager tracks running tasks. Its methods are called from the UI goroutine; the fields the
// task goroutines touch are guarded by mu.
type Manager struct {
	parent context.Context
	mu     sync.Mutex
	nextID int
	tasks  map[int]*task
	slots  map[slotKey]int
	idle   chan struct{} // closed when the last task's result has been taken; nil while idle
	// closed is set by Shutdown: no task starts after it.
	closed bool
}

type slotKey struct{ owner, slot string }

// NewManager returns a manager whose tasks are children of ctx.
func NewManager(ctx context.Context) *Manager {
	return &Manager{parent: ctx, tasks: map[int]*task{}, slots: map[slotKey]int{}}
}

// eventBuffer bounds the events queued between a task and the UI.
const eventBuffer = 256

// Ref is a started task whose result has type T. The zero Ref matches nothing.
type Ref[T any] struct{ id int }

// ID is the task's id (0 for the zero Ref).
func (r Ref[T]) ID() int { return r.id }

// Outcome is a finished task's typed result.
type Outcome[T any] struct {
	Value T
	Err   error
	// Cancelled is true when the task ended because it was cancelled.
	Cancelled bool
	Elapsed   time.Duration
}

// Done reports whether msg is this task's result and returns it typed. A task that panicked
// or returned a value of another type gives the zero T with its error.
func (r Ref[T]) Done(msg tea.Msg) (Outcome[T], bool) {
	d, ok := msg.(DoneMsg)
	if !ok || r.id == 0 || d.ID != r.id {
		return Outcome[T]{}, false
	}
	out := Outcome[T]{Err: d.Err, Cancelled: d.Cancelled, Elapsed: d.Elapsed}
	if v, ok := d.Result.(T); ok {
		out.Value = v
	}
	return out, true
}

// Event reports whether msg is an event of this task and returns the event.
func (r Ref[T]) Event(msg tea.Msg) (any, bool) {
	e, ok := msg.(EventMsg)
	if !ok || r.id == 0 || e.ID != r.id {
		return nil, false
	}
	return e.Event, true
}

// Start runs fn in the background with a typed result. The returned command starts it and
// delivers its first event or its result; return it from Update (nothing runs until then).
func Start[T any](m *Manager, spec Spec, fn func(ctx context.Context, emit Emit) (T, error)) (Ref[T], tea.Cmd) {
	id, cmd := m.start(spec, func(ctx context.Context, emit Emit) (any, error) { return fn(ctx, emit) })
	return Ref[T]{id: id}, cmd
}

func (m *Manager) start(spec Spec, fn work) (int, tea.Cmd) {
	m.mu.Lock()
	m.nextID++
	id := m.nextID
	ctx, cancel := context.WithCancel(m.parent)
	t := &task{
		Info:     Info{ID: id, Owner: spec.Owner, Title: spec.Title, Slot: spec.Slot, Started: time.Now()},
		cancel:   cancel,
		readOnly: spec.ReadOnly,
		events:   make(chan any, eventBuffer),
		done:     make(chan DoneMsg, 1),
	}
	if spec.Slot != "" {
		k := slotKey{spec.Owner, spec.Slot}
		if old := m.tasks[m.slots[k]]; old != nil {
			old.dropped = true
			old.cancel()
		}
		m.slots[k] = id
	}
	m.tasks[id] = t
	if m.idle == nil {
		m.idle = make(chan struct{})
	}
	m.mu.Unlock()

	title := spec.Title
	run := func() tea.Msg {
		m.mu.Lock()
		if m.closed {
			m.mu.Unlock()
			cancel()
			return DoneMsg{ID: id, Owner: spec.Owner, Title: title, Err: context.Canceled, Cancelled: true}
		}
		t.finished = make(chan struct{})
		m.mu.Unlock()
		go func() {
			defer close(t.finished)
			var res any
			var err error
			defer func() {
				if r := recover(); r != nil {
					res, err = nil, fmt.Errorf("internal error in %q: %v", title, r)
				}
				close(t.events)
				t.done <- DoneMsg{ID: id, Owner: spec.Owner, Title: title, Result: res, Err: err,
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

// next returns a command that waits for the task's next event or its result.
func (m *Manager) next(t *task) tea.Cmd {
	return func() tea.Msg {
		if ev, ok := <-t.events; ok {
			return EventMsg{ID: t.ID, Owner: t.Owner, Event: ev}
		}
		return <-t.done
	}
}

// Handle is called by the root (and test drivers) with every message. For a task's event or
// result it returns ok, the owner that must receive it ("" when the task was dropped from its
// slot: deliver it to nobody) and the command that reads the task's next event. A result
// ends the task: it leaves Running and stops counting as Busy.
func (m *Manager) Handle(msg tea.Msg) (owner string, next tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case EventMsg:
		m.mu.Lock()
		t := m.tasks[msg.ID]
		m.mu.Unlock()
		if t == nil {
			return "", nil, true // a message made up by a test, or one already finished
		}
		if t.isDropped(m) {
			return "", m.next(t), true
		}
		return msg.Owner, m.next(t), true
	case DoneMsg:
		m.mu.Lock()
		defer m.mu.Unlock()
		t := m.tasks[msg.ID]
		if t == nil {
			return msg.Owner, nil, true
		}
		delete(m.tasks, msg.ID)
		k := slotKey{t.Owner, t.Slot}
		if t.Slot != "" && m.slots[k] == t.ID {
			delete(m.slots, k)
		}
		if len(m.tasks) == 0 && m.idle != nil {
			close(m.idle)
			m.idle = nil
		}
		if t.dropped {
			return "", nil, true
		}
		return msg.Owner, nil, true
	}
	return "", nil, false
}

func (t *task) isDropped(m *Manager) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return t.dropped
}

// Continue re-arms the reader of task id after an EventMsg. It returns nil for unknown ids.
// Screens' own test harnesses use it; the root uses Handle.
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

// CancelSlot cancels the task in owner's slot, if any, and drops its result.
func (m *Manager) CancelSlot(owner, slot string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := slotKey{owner, slot}
	if t := m.tasks[m.slots[k]]; t != nil {
		t.dropped = true
		t.cancel()
		delete(m.slots, k)
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

// Shutdown cancels every task, starts no more, and waits at most timeout for the work of
// those running to return (read-only tasks excepted: see Spec.ReadOnly). A cancelled dbt run stops dbt and its children and records itself
// in the history, which must happen before the process exits (when the terminal closed, or
// a quit did not wait). It reports whether everything stopped in time; it may be called
// again to wait longer.
func (m *Manager) Shutdown(timeout time.Duration) bool {
	m.mu.Lock()
	m.closed = true
	var running []chan struct{}
	for _, t := range m.tasks {
		t.cancel()
		if t.finished != nil && !t.readOnly {
			running = append(running, t.finished)
		}
	}
	m.mu.Unlock()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for _, f := range running {
		select {
		case <-f:
		case <-deadline.C:
			return false
		}
	}
	return true
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

// Busy is the number of tasks started whose result the root has not taken yet.
func (m *Manager) Busy() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.tasks)
}

// Idle returns a channel that is closed once no task is busy (at once when none is).
func (m *Manager) Idle() <-chan struct{} {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.idle == nil {
		c := make(chan struct{})
		close(c)
		return c
	}
	return m.idle
}
