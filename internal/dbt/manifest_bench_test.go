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
