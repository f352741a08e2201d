package dbt

import (
	"os"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

func BenchmarkLoadManifestCold(b *testing.B) {
	path := dbtsynth.BenchManifest(b)
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := LoadManifest(path, LoadOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoadManifestCached(b *testing.B) {
	path := dbtsynth.BenchManifest(b)
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

// BenchmarkWriteCachedIndex is the index cache's part of a cold load: encoding the graph and
// writing the file.
func BenchmarkWriteCachedIndex(b *testing.B) {
	path := dbtsynth.BenchManifest(b)
	st, _ := os.Stat(path)
	g, err := LoadManifest(path, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := writeCachedIndex(g, path, st, 0, dir, clock()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteColumns is the selection columns' part of a cold load (also in
// BenchmarkWriteCachedIndex): encoding them and writing the file.
func BenchmarkWriteColumns(b *testing.B) {
	path := dbtsynth.BenchManifest(b)
	g, err := LoadManifest(path, LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	for b.Loop() {
		if err := writeColumns(g, path, dir, cacheHeader{}); err != nil {
			b.Fatal(err)
		}
	}
}
