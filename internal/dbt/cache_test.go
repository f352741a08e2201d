package dbt

import (
	"bytes"
	"hash/crc32"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// settled moves the clock an hour ahead for the test, so every manifest looks long written and
// caches are not racy: only the metadata and the sampled blocks are checked.
func settled(t *testing.T) {
	t.Helper()
	clock = func() time.Time { return time.Now().Add(time.Hour) }
	t.Cleanup(func() { clock = time.Now })
}

func cacheHeaderOf(t *testing.T, path, dir string) cacheHeader {
	t.Helper()
	b, err := os.ReadFile(cacheFile(path, dir))
	if err != nil {
		t.Fatal(err)
	}
	h, ok := (&cacheReader{b: b}).header()
	if !ok {
		t.Fatal("cache header rejected")
	}
	return h
}

// warmFromCache reads the cached index the way LoadManifest does, so a test can tell a
// cache hit from a silent rebuild.
func warmFromCache(t *testing.T, path, dir string) *Graph {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return readCachedIndex(path, st, dir, false)
}

// TestCacheRoundTripFixtures: every real manifest is served from its cache on the second load,
// with the same graph (a cache that is silently rebuilt every time would pass a comparison of
// graphs alone).
func TestCacheRoundTripFixtures(t *testing.T) {
	settled(t)
	paths := []string{dbttest.ShopManifest(t)}
	for _, p := range []string{
		"manifests/tuva-dbt1.7/manifest.json",
		"manifests/jaffle-shop-dbt1.11/manifest.json",
		"manifests/fivetran-hubspot-dbt1.8/manifest.json",
	} {
		paths = append(paths, fixtures.Path(t, p))
	}
	for _, p := range paths {
		dir := t.TempDir()
		cold, err := LoadManifest(p, LoadOptions{CacheDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		warm := warmFromCache(t, p, dir)
		if warm == nil {
			t.Fatalf("%s: cache not used", p)
		}
		assertSameGraph(t, cold, warm)
	}
	// Origin warnings come through too (a manifest without schema version gets one).
	dir := t.TempDir()
	p := filepath.Join(dir, "manifest.json")
	os.WriteFile(p, []byte(`{"nodes":{"model.p.a":{"unique_id":"model.p.a","name":"a","depends_on":{"nodes":["model.p.gone"]}}}}`), 0o644)
	cold, err := LoadManifest(p, LoadOptions{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	warm := warmFromCache(t, p, dir)
	if warm == nil || len(warm.Origin.Warnings) != 2 || strings.Join(warm.Origin.Warnings, "|") != strings.Join(cold.Origin.Warnings, "|") {
		t.Fatalf("warnings through the cache: %v", warm)
	}
}

// TestCacheInvalidation: each way a manifest can change under an old, trusted (not racy) cache
// makes the cache unusable. The edits fall between the sampled blocks, so it is the metadata
// that must catch them.
func TestCacheInvalidation(t *testing.T) {
	settled(t)
	shop, err := os.ReadFile(dbttest.ShopManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	// The shop manifest with a megabyte of macro text, which the index does not keep.
	end := bytes.LastIndexByte(shop, '}')
	src := append(append(bytes.Clone(shop[:end]), `, "macros": {"macro.shop.pad": {"macro_sql": "`+strings.Repeat("x", 1<<20)+`"}}`...), shop[end:]...)
	spans := sampleSpans(int64(len(src)))
	at := int(spans[5][0] + sampleBlock + 10)
	if at >= int(spans[6][0]) || src[at] != 'x' {
		t.Fatal("the edit must fall between two sampled blocks, in the padding")
	}
	edited := bytes.Clone(src)
	edited[at] = 'y'
	past := time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC)
	cases := []struct {
		name   string
		change func(t *testing.T, path string)
		stale  bool
	}{
		{"unchanged", func(*testing.T, string) {}, false},
		{"touch", func(t *testing.T, path string) {
			os.Chtimes(path, past.Add(time.Nanosecond), past.Add(time.Nanosecond))
		}, true},
		{"rewrite with the same size and mtime", func(t *testing.T, path string) {
			os.WriteFile(path, edited, 0o644)
			os.Chtimes(path, past, past)
		}, true},
		{"copy with preserved times renamed over it", func(t *testing.T, path string) {
			cp := path + ".copy"
			os.WriteFile(cp, edited, 0o644)
			os.Chtimes(cp, past, past)
			if err := os.Rename(cp, path); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "manifest.json")
			os.WriteFile(path, src, 0o644)
			os.Chtimes(path, past, past)
			cache := filepath.Join(dir, "cache")
			if _, err := LoadManifest(path, LoadOptions{CacheDir: cache}); err != nil {
				t.Fatal(err)
			}
			if cacheHeaderOf(t, path, cache).racy {
				t.Fatal("an old manifest got a racy cache")
			}
			c.change(t, path)
			if used := warmFromCache(t, path, cache) != nil; used == c.stale {
				t.Fatalf("cache used = %v", used)
			}
			// The next load rebuilds the cache for the file as it is now.
			g, err := LoadManifest(path, LoadOptions{CacheDir: cache})
			if err != nil {
				t.Fatal(err)
			}
			fresh, _ := LoadManifest(path, LoadOptions{})
			assertSameGraph(t, fresh, g)
			if warmFromCache(t, path, cache) == nil {
				t.Fatal("cache not rebuilt")
			}
		})
	}
}

// TestCacheTrusts checks the validation itself with forged stamps: a file system can keep
// every piece of metadata while the contents change (within one timestamp tick, or without
// ctime and inodes), so the sampled blocks and the racy rule must catch what they cover.
func TestCacheTrusts(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	data := make([]byte, 1<<20)
	rnd := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	spans := sampleSpans(int64(len(data)))
	if len(spans) != sampleBlocks || spans[0][0] != 0 || spans[len(spans)-1][0]+sampleBlock != int64(len(data)) {
		t.Fatalf("samples must cover the first and last byte: %v", spans)
	}
	sampled := spans[3][0] + 100
	unsampled := spans[3][0] + sampleBlock + 100 // between two sampled blocks
	crcs := [2]uint32{}
	for k, part := range halves(int64(len(data))) {
		crcs[k] = crc32Of(data[part[0] : part[0]+part[1]])
	}
	check := func(h cacheHeader, flip int64, stamp func(*fileStamp)) bool {
		t.Helper()
		b := bytes.Clone(data)
		if flip >= 0 {
			b[flip] ^= 0x20
		}
		os.WriteFile(path, b, 0o644)
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		cur := h.stamp // the metadata did not change...
		if stamp != nil {
			stamp(&cur) // ...unless the case says so
		}
		return h.trusts(f, cur)
	}
	base := fileStamp{size: int64(len(data)), mtime: 1_700_000_000_123_456_789, ctime: 1_700_000_000_123_456_789, dev: 2049, ino: 77}
	settledHdr := cacheHeader{stamp: base, sample: sampleCRC(data)}
	racyHdr := cacheHeader{stamp: base, sample: sampleCRC(data), racy: true, full: crcs}

	if !check(settledHdr, -1, nil) || !check(racyHdr, -1, nil) {
		t.Fatal("an unchanged file is not trusted")
	}
	for name, edit := range map[string]func(*fileStamp){
		"size":  func(s *fileStamp) { s.size++ },
		"mtime": func(s *fileStamp) { s.mtime++ },
		"ctime": func(s *fileStamp) { s.ctime++ },
		"dev":   func(s *fileStamp) { s.dev++ },
		"inode": func(s *fileStamp) { s.ino++ },
	} {
		if check(settledHdr, -1, edit) {
			t.Errorf("a changed %s is trusted", name)
		}
	}
	if check(settledHdr, sampled, nil) {
		t.Error("a change in a sampled block, metadata unchanged, is trusted")
	}
	if check(racyHdr, unsampled, nil) {
		t.Error("racy cache: a change between the samples, metadata unchanged, is trusted")
	}
	// The price of constant-time warm starts, and why a racy cache hashes everything: a settled
	// cache reads only the samples.
	if !check(settledHdr, unsampled, nil) {
		t.Error("a settled cache read more than the sampled blocks")
	}
}

// TestRacyCache: a manifest read right after it was written gets a racy cache, which is
// trusted only after a full hash, and is rewritten as settled once the manifest is old enough.
func TestRacyCache(t *testing.T) {
	src, err := os.ReadFile(dbttest.ShopManifest(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	os.WriteFile(path, src, 0o644)
	cache := filepath.Join(dir, "cache")
	cold, err := LoadManifest(path, LoadOptions{CacheDir: cache})
	if err != nil {
		t.Fatal(err)
	}
	h := cacheHeaderOf(t, path, cache)
	if !h.racy || h.full != [2]uint32{crc32Of(src[:len(src)/2]), crc32Of(src[len(src)/2:])} {
		t.Fatalf("fresh manifest: racy=%v full=%x", h.racy, h.full)
	}
	// Still within the window: used after the full hash, and stays racy.
	if g := warmFromCache(t, path, cache); g == nil {
		t.Fatal("racy cache of an unchanged manifest not used")
	}
	if !cacheHeaderOf(t, path, cache).racy {
		t.Fatal("cache settled while the manifest is still racy")
	}
	settled(t)
	warm := warmFromCache(t, path, cache)
	if warm == nil {
		t.Fatal("cache not used once settled")
	}
	assertSameGraph(t, cold, warm)
	if cacheHeaderOf(t, path, cache).racy {
		t.Fatal("the cache was not rewritten as settled")
	}
	if g := warmFromCache(t, path, cache); g == nil {
		t.Fatal("settled cache not used")
	}
}

// TestCacheNotWrittenForChangedManifest: a manifest replaced between its stat and the end of
// decoding does not get the new file's stamp on the old contents.
func TestCacheNotWrittenForChangedManifest(t *testing.T) {
	settled(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "manifest.json")
	src, _ := os.ReadFile(dbttest.ShopManifest(t))
	os.WriteFile(path, src, 0o644)
	st, _ := os.Stat(path)
	g, err := ParseManifest(src, path, st.ModTime())
	if err != nil {
		t.Fatal(err)
	}
	os.Chtimes(path, st.ModTime().Add(time.Second), st.ModTime().Add(time.Second))
	cache := filepath.Join(dir, "cache")
	if err := writeCachedIndex(g, path, st, sampleCRC(src), cache, clock()); err == nil {
		t.Fatal("cache written for a manifest that changed while it was read")
	}
	if _, err := os.Stat(cacheFile(path, cache)); !os.IsNotExist(err) {
		t.Fatalf("cache file: %v", err)
	}
}

func crc32Of(b []byte) uint32 { return crc32.Checksum(b, castagnoli()) }

// TestRacyAt: a file is racy while its mtime or its ctime is within the window of the read,
// or in the future (a clock ahead of ours).
func TestRacyAt(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	old := now.Add(-racyWindow - time.Millisecond).UnixNano()
	recent := now.Add(-racyWindow / 2).UnixNano()
	future := now.Add(time.Minute).UnixNano()
	for _, c := range []struct {
		mtime, ctime int64
		racy         bool
	}{
		{old, old, false},
		{recent, old, true},
		{old, recent, true},
		{future, old, true},
		{old, 0, false}, // no ctime on this platform
	} {
		if got := (fileStamp{mtime: c.mtime, ctime: c.ctime}).racyAt(now); got != c.racy {
			t.Errorf("mtime %d ctime %d: racy = %v", c.mtime, c.ctime, got)
		}
	}
}

// TestColdLoadDropsOnlyFinishedParts: the parts of the manifest the decoder hands back are
// overwritten with garbage at once (as if the pages were gone); the graph must still be the one
// decoded without dropping anything, and the drops must be in order and cover most of the file.
func TestColdLoadDropsOnlyFinishedParts(t *testing.T) {
	var buf bytes.Buffer
	if err := dbtsynth.Write(&buf, dbtsynth.Options{Models: 150, SQLBytes: 4000}); err != nil {
		t.Fatal(err)
	}
	step := dropStep
	dropStep = 64 << 10
	t.Cleanup(func() { dropStep = step })
	data := buf.Bytes()
	want, err := ParseManifest(bytes.Clone(data), "m.json", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	last, total := 0, 0
	got, err := decodeManifest(data, "m.json", time.Time{}, func(lo, hi int) {
		if lo < last || hi <= lo || hi > len(data) {
			t.Errorf("drop [%d, %d) after %d", lo, hi, last)
			return
		}
		for i := lo; i < hi; i++ {
			data[i] = '#'
		}
		last, total = hi, total+hi-lo
	})
	if err != nil {
		t.Fatal(err)
	}
	assertSameGraph(t, want, got)
	if total < len(data)/2 {
		t.Errorf("dropped %d of %d bytes", total, len(data))
	}
}

// TestCachedGraphOutlivesItsFile: a graph read from the cache keeps nothing of the cache file.
// Cut short in place under a live graph (by a full disk, another program), the file must not
// take the graph with it: reading a string that pointed into a mapping of it would crash.
func TestCachedGraphOutlivesItsFile(t *testing.T) {
	settled(t)
	path, dir := dbttest.ShopManifest(t), t.TempDir()
	cold, err := LoadManifest(path, LoadOptions{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	warm := warmFromCache(t, path, dir)
	if warm == nil {
		t.Fatal("no cache hit")
	}
	if err := os.Truncate(cacheFile(path, dir), 0); err != nil {
		t.Fatal(err)
	}
	if len(warm.Nodes) != len(cold.Nodes) || len(warm.Nodes) == 0 {
		t.Fatalf("%d nodes warm, %d cold", len(warm.Nodes), len(cold.Nodes))
	}
	for i := range warm.Nodes {
		w, c := &warm.Nodes[i], &cold.Nodes[i]
		if w.UniqueID != c.UniqueID || w.Name != c.Name || w.Description != c.Description || w.Path != c.Path {
			t.Fatalf("node %d: %q %q, want %q %q", i, w.UniqueID, w.Name, c.UniqueID, c.Name)
		}
	}
}
