package tasks

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestShutdownWaitsForCancelledWork: after the UI has stopped (nobody reads results any
// more), Shutdown cancels running work and returns only when it has finished its clean-up.
func TestShutdownWaitsForCancelledWork(t *testing.T) {
	m := NewManager(context.Background())
	started := make(chan struct{})
	var cleanedUp atomic.Bool
	_, cmd := Start(m, Spec{Owner: "runs", Title: "dbt build"}, func(ctx context.Context, _ Emit) (any, error) {
		close(started)
		<-ctx.Done()
		cleanedUp.Store(true) // what a cancelled run does: stop dbt, write the history
		return nil, ctx.Err()
	})
	go cmd() // as Bubble Tea runs commands
	<-started
	if !m.Shutdown(10 * time.Second) {
		t.Fatal("Shutdown timed out")
	}
	if !cleanedUp.Load() {
		t.Error("Shutdown returned before the work finished")
	}

	// No task starts after Shutdown.
	var ran atomic.Bool
	_, cmd = Start(m, Spec{Owner: "runs", Title: "late"}, func(context.Context, Emit) (any, error) { ran.Store(true); return nil, nil })
	if msg, ok := cmd().(DoneMsg); !ok || !msg.Cancelled {
		t.Errorf("late task: %#v", msg)
	}
	if ran.Load() {
		t.Error("a task started after Shutdown")
	}
}

func TestShutdownGivesUpAfterTimeout(t *testing.T) {
	m := NewManager(context.Background())
	release := make(chan struct{})
	defer close(release)
	started := make(chan struct{})
	_, cmd := Start(m, Spec{Owner: "x", Title: "stuck"}, func(context.Context, Emit) (any, error) {
		close(started)
		<-release // ignores cancellation
		return nil, nil
	})
	go func() { _ = tea.Cmd(cmd)() }()
	<-started
	if m.Shutdown(20 * time.Millisecond) {
		t.Error("Shutdown reported stuck work as stopped")
	}
}

// A read-only task that ignores cancellation (a slow parse) does not hold the quit; work that
// writes, started beside it, is still waited for.
func TestShutdownDoesNotWaitForReadOnlyWork(t *testing.T) {
	m := NewManager(context.Background())
	release := make(chan struct{})
	defer close(release)
	readStarted, writeStarted := make(chan struct{}), make(chan struct{})
	_, read := Start(m, Spec{Owner: "home", Title: "Loading a card", ReadOnly: true}, func(context.Context, Emit) (struct{}, error) {
		close(readStarted)
		<-release // ignores cancellation
		return struct{}{}, nil
	})
	var wrote atomic.Bool
	_, write := Start(m, Spec{Owner: "runs", Title: "dbt build"}, func(ctx context.Context, _ Emit) (any, error) {
		close(writeStarted)
		<-ctx.Done()
		wrote.Store(true)
		return nil, ctx.Err()
	})
	go func() { _ = tea.Cmd(read)() }()
	go func() { _ = tea.Cmd(write)() }()
	<-readStarted
	<-writeStarted
	if !m.Shutdown(10 * time.Second) {
		t.Fatal("Shutdown waited for a read-only task")
	}
	if !wrote.Load() {
		t.Error("Shutdown returned before the writing work finished")
	}
}
