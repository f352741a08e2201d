package tasks

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// pump plays the root for one task: it runs cmd, passes every message through Handle and
// re-arms the reader, and returns what would have been delivered, in order, with its owner.
func pump(t *testing.T, m *Manager, cmd tea.Cmd) (delivered []tea.Msg, owners []string) {
	t.Helper()
	for cmd != nil {
		msg := cmd()
		owner, next, ok := m.Handle(msg)
		if !ok {
			t.Fatalf("Handle does not know %T", msg)
		}
		if owner != "" {
			delivered = append(delivered, msg)
			owners = append(owners, owner)
		}
		cmd = next
	}
	return delivered, owners
}

func TestTypedResultAndEventsInOrder(t *testing.T) {
	m := NewManager(context.Background())
	type result struct{ rows int }
	ref, cmd := Start(m, Spec{Owner: "lineage", Title: "Loading"}, func(_ context.Context, emit Emit) (*result, error) {
		for i := range 100 {
			emit(i)
		}
		return &result{rows: 42}, nil
	})
	if m.Busy() != 1 {
		t.Fatalf("busy %d before the first message", m.Busy())
	}
	msgs, owners := pump(t, m, cmd)
	if len(msgs) != 101 {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, msg := range msgs[:100] {
		ev, ok := ref.Event(msg)
		if !ok || ev != i {
			t.Fatalf("event %d is %v (%v): events must arrive in order", i, ev, ok)
		}
	}
	out, ok := ref.Done(msgs[100])
	if !ok || out.Err != nil || out.Value == nil || out.Value.rows != 42 {
		t.Fatalf("typed result %+v %v", out, ok)
	}
	for _, o := range owners {
		if o != "lineage" {
			t.Fatalf("delivered to %q, not the owner", o)
		}
	}
	if m.Busy() != 0 || len(m.Running()) != 0 {
		t.Fatalf("busy %d after the result was taken", m.Busy())
	}
	// Another task's Ref does not match.
	other := Ref[*result]{id: ref.ID() + 1}
	if _, ok := other.Done(msgs[100]); ok {
		t.Fatal("a Ref matched another task's result")
	}
	var zero Ref[*result]
	if _, ok := zero.Done(msgs[100]); ok {
		t.Fatal("the zero Ref matched")
	}
}

func TestSlotCancelsAndDropsTheOldTask(t *testing.T) {
	m := NewManager(context.Background())
	started := make(chan struct{})
	cancelled := make(chan struct{})
	old, oldCmd := Start(m, Spec{Owner: "home", Title: "old", Slot: "card:runs"}, func(ctx context.Context, emit Emit) (string, error) {
		close(started)
		<-ctx.Done()
		close(cancelled)
		emit("late event")
		return "stale", nil // a task that ignores the error and returns data anyway
	})
	oldMsgs := make(chan []tea.Msg, 1)
	go func() {
		msgs, _ := pump(t, m, oldCmd)
		oldMsgs <- msgs
	}()
	<-started
	newer, newCmd := Start(m, Spec{Owner: "home", Title: "new", Slot: "card:runs"}, func(context.Context, Emit) (string, error) {
		return "fresh", nil
	})
	select {
	case <-cancelled:
	case <-time.After(5 * time.Second):
		t.Fatal("starting in a busy slot did not cancel the old task")
	}
	if got := <-oldMsgs; len(got) != 0 {
		t.Fatalf("the dropped task delivered %v", got)
	}
	msgs, _ := pump(t, m, newCmd)
	if out, ok := newer.Done(msgs[0]); !ok || out.Value != "fresh" {
		t.Fatalf("new task: %+v", msgs)
	}
	if _, ok := old.Done(msgs[0]); ok {
		t.Fatal("old ref matched the new result")
	}
	// Other owners' slots of the same name are separate.
	_, a := Start(m, Spec{Owner: "a", Slot: "load"}, func(context.Context, Emit) (int, error) { return 1, nil })
	_, b := Start(m, Spec{Owner: "b", Slot: "load"}, func(context.Context, Emit) (int, error) { return 2, nil })
	if ma, _ := pump(t, m, a); len(ma) != 1 {
		t.Fatal("owner a's task was dropped by owner b's slot")
	}
	if mb, _ := pump(t, m, b); len(mb) != 1 {
		t.Fatal("owner b's task lost")
	}
	if m.Busy() != 0 {
		t.Fatalf("busy %d", m.Busy())
	}
}

func TestCancelSlot(t *testing.T) {
	m := NewManager(context.Background())
	_, cmd := Start(m, Spec{Owner: "runs", Slot: "run"}, func(ctx context.Context, _ Emit) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	done := make(chan []tea.Msg, 1)
	go func() { msgs, _ := pump(t, m, cmd); done <- msgs }()
	waitBusy(t, m, 1)
	m.CancelSlot("runs", "run")
	if msgs := <-done; len(msgs) != 0 {
		t.Fatalf("a cancelled slot still delivered %v", msgs)
	}
}

func TestPanicBecomesAnError(t *testing.T) {
	m := NewManager(context.Background())
	ref, cmd := Start(m, Spec{Owner: "x", Title: "Exploding"}, func(context.Context, Emit) (int, error) {
		panic("boom")
	})
	msgs, _ := pump(t, m, cmd)
	out, ok := ref.Done(msgs[0])
	if !ok || out.Err == nil || !strings.Contains(out.Err.Error(), `internal error in "Exploding": boom`) {
		t.Fatalf("panic outcome %+v", out)
	}
}

func TestCancelAllAndCancelledFlag(t *testing.T) {
	m := NewManager(context.Background())
	ref, cmd := Start(m, Spec{Owner: "x"}, func(ctx context.Context, _ Emit) (int, error) {
		<-ctx.Done()
		return 0, ctx.Err()
	})
	res := make(chan []tea.Msg, 1)
	go func() { msgs, _ := pump(t, m, cmd); res <- msgs }()
	waitBusy(t, m, 1)
	m.CancelAll()
	msgs := <-res
	out, ok := ref.Done(msgs[0])
	if !ok || !out.Cancelled || !errors.Is(out.Err, context.Canceled) {
		t.Fatalf("cancelled outcome %+v", out)
	}
}

func TestIdleWaitsForTheResultToBeTaken(t *testing.T) {
	m := NewManager(context.Background())
	select {
	case <-m.Idle():
	default:
		t.Fatal("a new manager is not idle")
	}
	release := make(chan struct{})
	_, cmd := Start(m, Spec{Owner: "x"}, func(context.Context, Emit) (int, error) {
		<-release
		return 1, nil
	})
	idle := m.Idle()
	msgC := make(chan tea.Msg, 1)
	go func() { msgC <- cmd() }()
	close(release)
	msg := <-msgC
	select {
	case <-idle:
		t.Fatal("idle before the root took the result")
	default:
	}
	m.Handle(msg)
	select {
	case <-idle:
	case <-time.After(5 * time.Second):
		t.Fatal("not idle after the result was taken")
	}
}

// Continue re-arms a task's reader after an event (drivers that play the root use it).
func TestContinue(t *testing.T) {
	m := NewManager(context.Background())
	ref, cmd := Start(m, Spec{Owner: "guides", Title: "Loading the handbook"}, func(_ context.Context, emit Emit) (string, error) {
		emit("first")
		return "lib", nil
	})
	id := ref.ID()
	msg := cmd()
	ev, ok := msg.(EventMsg)
	if !ok || ev.ID != id || ev.Owner != "guides" {
		t.Fatalf("first message %#v", msg)
	}
	d, ok := m.Continue(id)().(DoneMsg)
	if !ok || d.Result != "lib" || d.Owner != "guides" || d.Title != "Loading the handbook" {
		t.Fatalf("done %#v", d)
	}
	if m.Continue(999) != nil {
		t.Fatal("Continue of an unknown id")
	}
}

func TestHandleIgnoresOtherMessages(t *testing.T) {
	m := NewManager(context.Background())
	if _, _, ok := m.Handle(tea.KeyPressMsg{}); ok {
		t.Fatal("a key is not a task message")
	}
	// A result nobody registered (a test's hand-made message) still goes to its owner.
	if owner, _, ok := m.Handle(DoneMsg{ID: 7, Owner: "prs"}); !ok || owner != "prs" {
		t.Fatalf("unregistered result: %q %v", owner, ok)
	}
}

func waitBusy(t *testing.T, m *Manager, n int) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for m.Busy() != n {
		select {
		case <-deadline:
			t.Fatalf("busy %d, want %d", m.Busy(), n)
		case <-time.After(time.Millisecond):
		}
	}
}
