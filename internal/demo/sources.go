package demo

import (
	"bytes"
	_ "embed"
	"os"
	"path/filepath"
	"time"

	"github.com/datatui/datatui/internal/lazyre"
)

// demoSources is the demo's recorded `dbt source freshness` result (dbt's sources.json):
// app.transactions past its error threshold, app.offers past its warn threshold. It is demo
// data, written into the demo's target/ folder like dbt would.
//
//go:embed artifacts/sources.json
var demoSources []byte

// demoSourcesInvocation is the invocation id of the recording: a sources.json with another one
// was written by a real `dbt source freshness` in the demo and is left alone.
const demoSourcesInvocation = "00000000-0000-4000-8000-000000000de0"

// demoRecordedAt is the moment the recording describes; its timestamps move by the time since,
// so the demo's freshness check reads "2 h ago" whenever the demo opens.
func demoRecordedAt() time.Time { return time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC) }

var artifactTimestamp = lazyre.New(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)`)

// writeDemoArtifacts writes target/sources.json with the recording's times moved to now,
// unless a real dbt run has written its own.
func writeDemoArtifacts(dir string, now time.Time) error {
	path := filepath.Join(dir, "target", "sources.json")
	if have, err := os.ReadFile(path); err == nil && !bytes.Contains(have, []byte(demoSourcesInvocation)) {
		return nil
	}
	shift := now.UTC().Truncate(time.Minute).Sub(demoRecordedAt())
	out := artifactTimestamp.Re().ReplaceAllFunc(demoSources, func(ts []byte) []byte {
		t, err := time.Parse(time.RFC3339Nano, string(bytes.Replace(ts, []byte("+00:00"), []byte("Z"), 1)))
		if err != nil {
			return ts
		}
		layout := "2006-01-02T15:04:05.000000Z"
		if bytes.HasSuffix(ts, []byte("+00:00")) {
			layout = "2006-01-02T15:04:05.000000+00:00"
		}
		return []byte(t.Add(shift).UTC().Format(layout))
	})
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return writeFileAtomic(path, out, 0o644)
}
