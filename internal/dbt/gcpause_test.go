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

// TestRelaxGC: overlapping decodes get the laziest setting any of them asked for, never one
// busier than the user's, and the user's back when the last ends.
func TestRelaxGC(t *testing.T) {
	cases := []struct {
		user       int
		asked      []int
		want       []int // the setting after each ask
		afterFirst int   // the setting once the first ask has ended
	}{
		{100, []int{400}, []int{400}, 100},
		{100, []int{400, -1}, []int{400, -1}, -1},
		{100, []int{-1, 400}, []int{-1, -1}, 400},
		{100, []int{400, 200}, []int{400, 400}, 200},
		{100, []int{400, 400}, []int{400, 400}, 400},
		{800, []int{400}, []int{800}, 800},
		{-1, []int{400}, []int{-1}, -1},
	}
	for _, c := range cases {
		func() {
			defer debug.SetGCPercent(debug.SetGCPercent(c.user))
			var resumes []func()
			for k, p := range c.asked {
				resumes = append(resumes, relaxGC(p))
				if got := gcPercent(); got != c.want[k] {
					t.Errorf("user %d, asked %v: after %d the collector is at %d, want %d", c.user, c.asked, p, got, c.want[k])
				}
			}
			resumes[0]()
			if got := gcPercent(); got != c.afterFirst {
				t.Errorf("user %d, asked %v: with the first ended the collector is at %d, want %d", c.user, c.asked, got, c.afterFirst)
			}
			for _, r := range resumes[1:] {
				r()
			}
			if got := gcPercent(); got != c.user {
				t.Errorf("user %d, asked %v: after the last the collector is at %d", c.user, c.asked, got)
			}
		}()
	}
}
