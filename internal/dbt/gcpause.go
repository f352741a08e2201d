package dbt

import (
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// gcRelax counts the decodes under way that asked for a lazier collector, by the setting each
// asked for (relaxGC).
var gcRelax struct {
	mu      sync.Mutex
	asked   map[int]int // GC percent (-1: off) -> decodes asking for it
	percent int         // the setting to restore when the last one ends
	// spared is set while the collector is off with a memory limit for a graph the process
	// keeps to its end (spareGraph); limit is the memory limit to restore.
	spared bool
	limit  int64
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
	if gcRelax.spared {
		// A new decode after a spared one: the collector paces this one as usual, and
		// gcRelax.percent still holds the user's setting.
		debug.SetMemoryLimit(gcRelax.limit)
		gcRelax.spared = false
	} else if len(gcRelax.asked) == 0 {
		gcRelax.percent = debug.SetGCPercent(-1)
	}
	if gcRelax.asked == nil {
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
// for, the one to restore, unless the last decode spared its graph. gcRelax.mu is held.
func applyGC() {
	p := gcRelax.percent
	if gcRelax.spared && len(gcRelax.asked) == 0 {
		p = -1
	}
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

// spareGraph is for the end of a decode whose graph the process keeps until it exits soon after
// (LoadOptions.OneShot), called before the decode's resume (an index) or after it (a
// manifest, whose decode relaxes the collector itself). Go sets the next
// collection's goal from the heap the last collection found live, a few megabytes at the start
// of a process, so the end of the pause would start a collection at once that scans the whole
// graph and finds next to nothing to free: at 108k nodes that was a third of the CPU of a warm
// ls asked a new question. Instead the collector stays off after the pause, with a memory limit
// of twice the memory in use now (and at least 64 MiB more): a command that goes on to make
// garbage is collected when its garbage has grown as large as the graph, the pacing GOGC=100
// would give had a collection just found the graph live. A lower GOMEMLIMIT, a GOGC=off and a
// later decode (which lifts the limit, see relaxGC) are kept.
func spareGraph() {
	gcRelax.mu.Lock()
	defer gcRelax.mu.Unlock()
	if gcRelax.percent < 0 || gcRelax.spared {
		return
	}
	inUse, ok := memoryInUse()
	if !ok {
		return // without a limit to fall back on, the collector keeps its pacing
	}
	limit := inUse + max(inUse, 64<<20)
	user := debug.SetMemoryLimit(-1)
	if user <= limit {
		return
	}
	debug.SetMemoryLimit(limit)
	gcRelax.spared, gcRelax.limit = true, user
	applyGC()
}

// memoryInUse is the memory the runtime counts against its memory limit: all it has mapped
// less what it gave back to the system; ok is false where the runtime does not report it.
func memoryInUse() (n int64, ok bool) {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0, false
	}
	return int64(s[0].Value.Uint64() - s[1].Value.Uint64()), true
}
