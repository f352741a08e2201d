package ui

import (
	"context"
	"testing"

	tea "charm.land/bubbletea/v2"
)

// BenchmarkFirstFrame measures building the app and rendering its first frame, the part of
// start-up that datatui controls (the process floor is measured by the tmux test's log).
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		m, _ := newTestModel(&testing.T{})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Update(fixedInfo(context.Background(), nil))
		_ = m.Render()
	}
}

// BenchmarkFrame measures one redraw of the shell with Home showing.
func BenchmarkFrame(b *testing.B) {
	m, _ := newTestModel(&testing.T{})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(fixedInfo(context.Background(), nil))
	for b.Loop() {
		_ = m.Render()
	}
}
