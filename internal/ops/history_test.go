package ops

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestHistoryConcurrentAppends: appends from many goroutines at once, across a trim, lose
// nothing (the processes version of this is cmd/datatui's TestConcurrentRunsKeepHistory).
func TestHistoryConcurrentAppends(t *testing.T) {
	dir := t.TempDir()
	const writers, each = 10, 30 // 300 entries: the file is trimmed along the way
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := HistoryEntry{Command: "build", DurationMS: int64(w*1000 + i)}
				if err := AppendHistory(dir, e); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	b, _ := os.ReadFile(filepath.Join(dir, HistoryFile))
	if n := bytes.Count(b, []byte("\n")); n > 2*HistoryLimit || n < HistoryLimit {
		t.Errorf("%d lines after 300 appends", n)
	}
	h, err := LoadHistory(dir, 0)
	if err != nil || len(h) != HistoryLimit {
		t.Fatalf("%d entries, %v", len(h), err)
	}
	// The newest HistoryLimit entries are all there, each writer's in its own order.
	seen := map[int64]bool{}
	for _, e := range h {
		if seen[e.DurationMS] {
			t.Errorf("entry %d twice", e.DurationMS)
		}
		seen[e.DurationMS] = true
	}
	// Keeping the newest entries keeps a suffix of each writer's appends: once one of a
	// writer's entries is there, every later one of it is too. (A writer that finished early
	// may have none left.)
	for w := range writers {
		kept := false
		for i := range each {
			switch k := seen[int64(w*1000+i)]; {
			case k:
				kept = true
			case kept:
				t.Errorf("writer %d: entry %d is missing after an older one was kept", w, i)
			}
		}
	}
}

// TestHistoryTornLine: a run killed in the middle of its append leaves half a line; the next
// entry starts a line of its own, and readers skip the half.
func TestHistoryTornLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, HistoryFile)
	if err := AppendHistory(dir, HistoryEntry{Command: "seed", DurationMS: 1}); err != nil {
		t.Fatal(err)
	}
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"command":"build","args":["bu`)
	f.Close()
	if err := AppendHistory(dir, HistoryEntry{Command: "test", DurationMS: 2, Started: time.Unix(0, 0).UTC()}); err != nil {
		t.Fatal(err)
	}
	h, err := LoadHistory(dir, 0)
	if err != nil || len(h) != 2 || h[0].Command != "test" || h[1].Command != "seed" {
		t.Fatalf("%+v %v", h, err)
	}
}

func BenchmarkAppendHistory(b *testing.B) {
	dir := b.TempDir()
	e := HistoryEntry{Command: "build", Args: []string{"build", "--select", "orders+"}, Failed: []string{"model.shop.orders"}}
	for b.Loop() {
		if err := AppendHistory(dir, e); err != nil {
			b.Fatal(err)
		}
	}
}
