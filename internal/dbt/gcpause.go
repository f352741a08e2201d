package dbt

import (
	"runtime/debug"
	"sync"
)

// gcRelax counts the decodes under way that asked for a lazier collector, by the setting each
// asked for (relaxGC).
var gcRelax struct {
	mu      sync.Mutex
	asked   map[int]int // GC percent (-1: off) -> decodes asking for it
	percent int         // the setting to restore when the last one ends
}

// pauseGC turns the garbage collector off until the returned function is called, and is for
// decoding an index cache: everything that decode allocates is the graph being built, so a
// collection during it frees nothing and only scans what was just made, while the heap's
// growth from a few megabytes to the whole graph would start several. In paired runs of a warm
// ls at 10.8k, 43k and 108k nodes the pause takes 0.80x, 0.83x and 0.81x the wall time and
// about 30% fewer page faults; the one collection that may follow runs beside the caller's
// work.
func pauseGC() (resume func()) { return relaxGC(-1) }

// coldDecodeGC is the collector's setting while a manifest is decoded. Most of what that
// decode allocates is the graph, which stays, but it also makes garbage (unescaped strings,
// batches): off, a cold ls at 10.8k nodes peaks at 1.20x the file against 1.08x. At 400 it
// collects about twice while the heap grows to the whole graph, instead of five or six times
// at Go's default of 100: 0.91x the wall time in paired runs, with the same peak.
const coldDecodeGC = 400

// relaxGC sets the collector to percent (-1: off) until the returned function is called,
// unless it is lazier already (GOGC=off stays off, a higher GOGC stays). Decodes may overlap
// (two loads of a TUI session, ls's manifest and its --state manifest): the laziest setting
// asked for holds, and the collector comes back at the setting it had when the last ends.
func relaxGC(percent int) (resume func()) {
	gcRelax.mu.Lock()
	if len(gcRelax.asked) == 0 {
		gcRelax.percent = debug.SetGCPercent(-1)
		gcRelax.asked = map[int]int{}
	}
	gcRelax.asked[percent]++
	applyGC()
	gcRelax.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			gcRelax.mu.Lock()
			if gcRelax.asked[percent]--; gcRelax.asked[percent] == 0 {
				delete(gcRelax.asked, percent)
			}
			applyGC()
			gcRelax.mu.Unlock()
		})
	}
}

// applyGC sets the laziest of the settings asked for and the one to restore; with none asked
// for, the one to restore. gcRelax.mu is held.
func applyGC() {
	p := gcRelax.percent
	for asked := range gcRelax.asked {
		switch {
		case p < 0:
		case asked < 0:
			p = -1
		case asked > p:
			p = asked
		}
	}
	debug.SetGCPercent(p)
}
