package ops

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/logevents"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// BenchmarkParseAndTrack is the runner's per-line work on every fixture stream, repeated in
// memory: parse the line, keep it in the ring buffer, update the progress state.
func BenchmarkParseAndTrack(b *testing.B) {
	dir := fixtures.Path(b, "dbt-logs/openlineage")
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*.jsonl"))
	var streams [][][]byte
	n := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		lines := bytes.Split(bytes.TrimSpace(data), []byte("\n"))
		streams = append(streams, lines)
		n += len(lines)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, lines := range streams {
			tr := NewTracker(time.Now())
			rb := NewRingBuffer(0, 0)
			for _, l := range lines {
				ev := logevents.Parse(l)
				rb.Add(ev.Msg)
				tr.Apply(&ev)
			}
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}
