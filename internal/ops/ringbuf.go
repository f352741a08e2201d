package ops

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Defaults for a run's raw log: enough to scroll back through any ordinary run, bounded so a
// debug-level log of a million lines costs at most a few megabytes.
const (
	DefaultLogLines   = 20000
	DefaultLineLength = 1000
)

// RingBuffer keeps the last lines of a log. Lines longer than the line limit are cut (ending
// in "…"), so memory is bounded by about lines × line limit whatever the process prints. It is
// safe for concurrent use: the runner writes while a screen reads.
type RingBuffer struct {
	mu       sync.Mutex
	lines    []string
	capLines int
	start    int // index of the oldest line once full
	maxLine  int
	total    int64 // lines ever written
	bytes    int   // bytes currently held
}

// NewRingBuffer returns a buffer holding at most lines lines of at most lineLen bytes each.
// Non-positive values take the defaults.
func NewRingBuffer(lines, lineLen int) *RingBuffer {
	if lines <= 0 {
		lines = DefaultLogLines
	}
	if lineLen <= 0 {
		lineLen = DefaultLineLength
	}
	// Grow on demand: most runs print far fewer lines than the cap.
	return &RingBuffer{lines: make([]string, 0, min(lines, 256)), capLines: lines, maxLine: lineLen}
}

// Add appends a line (multi-line text is split), dropping the oldest when full.
func (r *RingBuffer) Add(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		line, rest, more := strings.Cut(text, "\n")
		r.add(line)
		if !more {
			return
		}
		text = rest
	}
}

func (r *RingBuffer) add(line string) {
	if len(line) > r.maxLine {
		cut := r.maxLine
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		// Copy so the cut line does not pin the long original in memory.
		line = strings.Clone(line[:cut]) + "…"
	}
	r.total++
	if len(r.lines) < r.capLines {
		r.lines = append(r.lines, line)
		r.bytes += len(line)
		return
	}
	r.bytes += len(line) - len(r.lines[r.start])
	r.lines[r.start] = line
	r.start = (r.start + 1) % r.capLines
}

// Len is the number of lines held.
func (r *RingBuffer) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.lines)
}

// Total is the number of lines ever added (held or dropped).
func (r *RingBuffer) Total() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Bytes is the size of the text held.
func (r *RingBuffer) Bytes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bytes
}

// Lines returns up to n lines starting at from (0 = the oldest line held).
func (r *RingBuffer) Lines(from, n int) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if from < 0 {
		from = 0
	}
	if from >= len(r.lines) || n <= 0 {
		return nil
	}
	n = min(n, len(r.lines)-from)
	out := make([]string, n)
	for i := range n {
		out[i] = r.lines[(r.start+from+i)%len(r.lines)]
	}
	return out
}

// Tail returns the last n lines.
func (r *RingBuffer) Tail(n int) []string {
	l := r.Len()
	return r.Lines(l-n, n)
}
