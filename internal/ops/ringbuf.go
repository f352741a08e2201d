package ops

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// Defaults for a run's raw log: enough to scroll back through any ordinary run, bounded so a
// debug-level log of a million lines costs at most a few megabytes. Lines are kept whole up to
// 64 KiB (a compiled query, a stack trace line), and the whole log at most DefaultLogBytes.
const (
	DefaultLogLines   = 20000
	DefaultLineLength = 64 << 10
	DefaultLogBytes   = 16 << 20
)

// RingBuffer keeps the last lines of a log. Lines longer than the line limit are cut (ending
// in "…"), and the oldest lines go when the line or byte limit is reached, so memory stays
// bounded whatever the process prints; Cut and Total tell a reader that something is missing.
// It is safe for concurrent use: the runner writes while a screen reads.
type RingBuffer struct {
	mu       sync.Mutex
	lines    []string // circular: the oldest at start, n held
	start, n int
	capLines int
	maxLine  int
	maxBytes int
	total    int64 // lines ever written
	cut      int64 // lines cut at the line limit
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
	return &RingBuffer{lines: make([]string, min(lines, 256)), capLines: lines, maxLine: lineLen, maxBytes: DefaultLogBytes}
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
		r.cut++
	}
	r.total++
	for r.n > 0 && (r.n == r.capLines || r.bytes+len(line) > r.maxBytes) {
		r.bytes -= len(r.lines[r.start])
		r.lines[r.start] = ""
		r.start = (r.start + 1) % len(r.lines)
		r.n--
	}
	if r.n == len(r.lines) {
		grown := make([]string, min(max(2*len(r.lines), 1), r.capLines))
		for i := range r.n {
			grown[i] = r.lines[(r.start+i)%len(r.lines)]
		}
		r.lines, r.start = grown, 0
	}
	r.lines[(r.start+r.n)%len(r.lines)] = line
	r.n++
	r.bytes += len(line)
}

// Len is the number of lines held.
func (r *RingBuffer) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// Total is the number of lines ever added (held or dropped).
func (r *RingBuffer) Total() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}

// Cut is the number of lines that were cut at the line limit.
func (r *RingBuffer) Cut() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cut
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
	if from >= r.n || n <= 0 {
		return nil
	}
	n = min(n, r.n-from)
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
