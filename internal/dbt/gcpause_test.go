package dbt

import (
	"math"
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

// keepGC restores the collector's setting and memory limit, and forgets a spared graph, when
// the test ends.
func keepGC(t *testing.T) {
	percent, limit := gcPercent(), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		gcRelax.mu.Lock()
		gcRelax.spared = false
		gcRelax.mu.Unlock()
		debug.SetGCPercent(percent)
		debug.SetMemoryLimit(limit)
	})
}

// TestSpareGraph: a decode that spares its graph leaves the collector off with a memory limit
// of twice the memory in use; the next decode is paced as usual and the user's setting and
// limit come back when it ends; a GOGC=off or a lower GOMEMLIMIT of the user's stays.
func TestSpareGraph(t *testing.T) {
	t.Run("spared", func(t *testing.T) {
		keepGC(t)
		debug.SetGCPercent(150)
		debug.SetMemoryLimit(math.MaxInt64)
		resume := pauseGC()
		spareGraph()
		resume()
		if got := gcPercent(); got != -1 {
			t.Fatalf("after a spared decode the collector is at %d, want off", got)
		}
		inUse, _ := memoryInUse()
		limit := debug.SetMemoryLimit(-1)
		if limit < inUse+64<<20 || limit > 3*inUse+64<<20 {
			t.Fatalf("memory limit %d with %d in use, want about twice that", limit, inUse)
		}
		next := relaxGC(coldDecodeGC)
		if got := gcPercent(); got != coldDecodeGC {
			t.Fatalf("a decode after a spared one runs with the collector at %d, want %d", got, coldDecodeGC)
		}
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Fatalf("a decode after a spared one keeps the memory limit %d", got)
		}
		next()
		if got := gcPercent(); got != 150 {
			t.Fatalf("after the next decode the collector is at %d, want the user's 150", got)
		}
	})
	t.Run("spared after the pause", func(t *testing.T) {
		keepGC(t)
		debug.SetGCPercent(100)
		relaxGC(coldDecodeGC)()
		spareGraph()
		if got := gcPercent(); got != -1 {
			t.Fatalf("sparing a graph after its decode leaves the collector at %d, want off", got)
		}
	})
	t.Run("GOGC=off", func(t *testing.T) {
		keepGC(t)
		debug.SetGCPercent(-1)
		debug.SetMemoryLimit(math.MaxInt64)
		resume := pauseGC()
		spareGraph()
		resume()
		if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
			t.Fatalf("a user's GOGC=off got a memory limit of %d", got)
		}
	})
	t.Run("lower GOMEMLIMIT", func(t *testing.T) {
		keepGC(t)
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(1 << 20)
		resume := pauseGC()
		spareGraph()
		resume()
		if got, limit := gcPercent(), debug.SetMemoryLimit(-1); got != 100 || limit != 1<<20 {
			t.Fatalf("with the user's limit below the spared one: collector %d, limit %d; want 100 and the user's", got, limit)
		}
	})
}
