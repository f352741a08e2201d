package dbt

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

// benchManifest returns the manifest named by DATATUI_BENCH_MANIFEST (scripts/bench-manifest.sh
// sets it to its scaled manifests) or else writes (once per machine) a synthetic manifest of
// 5,000 models and 5,000 tests, about 90 MB, and returns its path.
func benchManifest(b *testing.B) string {
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
	if err := dbtsynth.Write(f, dbtsynth.Options{Models: 5000, SQLBytes: 6000}); err != nil {
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

func BenchmarkLoadManifestCold(b *testing.B) {
	path := benchManifest(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := LoadManifest(path, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadManifestCached(b *testing.B) {
	path := benchManifest(b)
	cache := b.TempDir()
	if _, err := LoadManifest(path, LoadOptions{CacheDir: cache}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadManifest(path, LoadOptions{CacheDir: cache}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSelectPlusNodePlus evaluates +X+ (with eager test selection) on a different node
// of the 10,000-node graph each time.
func BenchmarkSelectPlusNodePlus(b *testing.B) {
	g, err := LoadManifest(benchManifest(b), LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	var models []string
	for _, n := range g.Nodes {
		if n.ResourceType == "model" {
			models = append(models, n.Name)
		}
	}
	sels := make([]*Selection, 0, 200)
	for k := 0; k < 200; k++ {
		s, err := ParseSelection([]string{"+" + models[(k*37)%len(models)] + "+"}, nil)
		if err != nil {
			b.Fatal(err)
		}
		sels = append(sels, s)
	}
	k := 0
	for b.Loop() {
		if _, err := Select(g, sels[k%len(sels)], SelectOptions{}); err != nil {
			b.Fatal(err)
		}
		k++
	}
}

// BenchmarkSelectDefault lists everything, like a bare `datatui ls`.
func BenchmarkSelectDefault(b *testing.B) {
	g, err := LoadManifest(benchManifest(b), LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sel, _ := ParseSelection(nil, nil)
	for b.Loop() {
		if _, err := Select(g, sel, SelectOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
