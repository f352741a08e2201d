package dbtsynth

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchManifest returns the manifest named by DATATUI_BENCH_MANIFEST (scripts/bench-manifest.sh
// sets it to its scaled manifests) or else writes (once per machine) a synthetic manifest of
// 5,000 models and 5,000 tests, about 90 MB, and returns its path.
func BenchManifest(b testing.TB) string {
	b.Helper()
	if p := os.Getenv("DATATUI_BENCH_MANIFEST"); p != "" {
		return p
	}
	path := filepath.Join(os.TempDir(), "datatui-bench-manifest-5000.json")
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return path
	}
	tmp := path + fmt.Sprintf(".%d.tmp", os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		b.Fatal(err)
	}
	if err := Write(f, Options{Models: 5000, SQLBytes: 6000}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}
