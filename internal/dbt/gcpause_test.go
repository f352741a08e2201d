package dbt

import (
	"runtime/debug"
	"testing"
)

// gcPercent reads the collector's setting without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(-1)
	debug.SetGCPercent(p)
	return p
}

func TestPauseGCOverlapping(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(150))
	first := pauseGC()
	if got := gcPercent(); got != -1 {
		t.Fatalf("during a pause the collector is at %d, want off (-1)", got)
	}
	second := pauseGC()
	first()
	first() // a second call of the same resume changes nothing
	if got := gcPercent(); got != -1 {
		t.Fatalf("with one pause still running the collector is at %d, want off", got)
	}
	second()
	if got := gcPercent(); got != 150 {
		t.Fatalf("after the last pause the collector is at %d, want the 150 it had", got)
	}
}

func TestPauseGCKeepsOff(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	pauseGC()()
	if got := gcPercent(); got != -1 {
		t.Fatalf("a collector the user turned off (GOGC=off) is at %d after a pause", got)
	}
}
