package dbt

import (
	"bytes"
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
	"github.com/datatui/datatui/internal/dbt/dbttest"
)

// decodePayload decodes payload as a cache's payload behind a valid header and CRC, the way
// readCachedIndex does once the cache is trusted.
func decodePayload(payload []byte) *Graph {
	r := &cacheReader{b: appendCache(nil, &cacheHeader{}, payload)}
	if _, ok := r.header(); !ok {
		return nil
	}
	return r.graph("fuzz.json", 1<<20, time.Time{})
}

// checkDecoded fails when a graph decoded from a damaged payload is not a graph: edges out of
// range or adjacency that does not hold.
func checkDecoded(t *testing.T, g *Graph) {
	t.Helper()
	if len(g.parents) != g.Len() || len(g.children) != g.Len() || len(g.sql.spans) != g.Len() {
		t.Fatal("adjacency or spans not one per node")
	}
	edges := 0
	for i := range g.Nodes {
		for _, p := range g.Parents(i) {
			if int(p) >= g.Len() || p < 0 {
				t.Fatalf("edge %d -> %d out of range", i, p)
			}
			edges++
		}
		edges -= len(g.Children(i))
	}
	if edges != 0 {
		t.Fatal("parents and children disagree")
	}
	for i := range g.Nodes {
		_, _ = g.Index(g.Nodes[i].UniqueID)
	}
}

// FuzzCacheReader: a damaged index, whether its CRC catches it or not, is rejected or decodes
// to a consistent graph; it never panics or reads out of bounds.
func FuzzCacheReader(f *testing.F) {
	g, err := ParseManifest(fuzzManifest, "fuzz.json", time.Time{})
	if err != nil {
		f.Fatal(err)
	}
	payload := newCacheWriter(g.Len()).encode(g)
	f.Add(payload)
	f.Add(payload[:len(payload)/2])
	f.Add(appendCache(nil, &cacheHeader{racy: true}, payload))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		// As a whole cache file: the CRC and header checks come first.
		r := &cacheReader{b: data}
		if _, ok := r.header(); ok {
			if g := r.graph("fuzz.json", 1<<20, time.Time{}); g != nil {
				checkDecoded(t, g)
			}
		}
		// As a payload behind a valid CRC: only the decoder's own checks stand.
		if g := decodePayload(data); g != nil {
			checkDecoded(t, g)
		}
	})
}

// TestCacheTruncatedRejected: every cut of a payload, even behind a valid CRC, is rejected
// (for a payload of several chunks, cuts spread over it), and every cut of a cache file fails
// its CRC.
func TestCacheTruncatedRejected(t *testing.T) {
	g := loadShop(t)
	payload := newCacheWriter(g.Len()).encode(g)
	var synth bytes.Buffer
	if err := dbtsynth.Write(&synth, dbtsynth.Options{Models: 1300, SQLBytes: 16}); err != nil {
		t.Fatal(err)
	}
	big, err := ParseManifest(synth.Bytes(), "synth.json", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	chunked := newCacheWriter(big.Len()).encode(big)
	for _, p := range [][]byte{payload, chunked} {
		if decodePayload(p) == nil {
			t.Fatal("the whole payload is rejected")
		}
		step := max(1, len(p)/2000)
		for n := 0; n < len(p); n += step {
			if decodePayload(p[:n]) != nil {
				t.Fatalf("payload cut at %d of %d bytes decoded", n, len(p))
			}
		}
	}
	file := appendCache(nil, &cacheHeader{}, payload)
	for n := range len(file) {
		if _, ok := (&cacheReader{b: file[:n]}).header(); ok {
			t.Fatalf("cache cut at %d of %d bytes passed its checks", n, len(file))
		}
	}
}

// TestCacheOldVersionRebuilt: a cache in an older format is never read; the next load
// rebuilds it in the current one.
func TestCacheOldVersionRebuilt(t *testing.T) {
	settled(t)
	p, dir := dbttest.ShopManifest(t), t.TempDir()
	if _, err := LoadManifest(p, LoadOptions{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	file := cacheFile(p, dir)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The CRC is made to match again: only the version byte tells the format apart.
	b[len(cacheMagic)] = cacheVersion - 1
	body := b[:len(b)-4]
	if err := os.WriteFile(file, binary.LittleEndian.AppendUint32(body, crc32Of(body)), 0o600); err != nil {
		t.Fatal(err)
	}
	if warmFromCache(t, p, dir) != nil {
		t.Fatal("a cache of format version", cacheVersion-1, "was read")
	}
	if _, err := LoadManifest(p, LoadOptions{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(file); len(now) <= len(cacheMagic) || now[len(cacheMagic)] != cacheVersion || warmFromCache(t, p, dir) == nil {
		t.Fatal("the old cache was not rebuilt in the current format")
	}
}

// TestCacheParts: the nodes are encoded in parts on up to cacheEncoders cores, each part with
// string and map tables of its own; whatever the number of parts (and of chunks per part), the
// graph decoded is the graph encoded, and a part's strings and maps are read from its own
// tables (a chunk read against another part's would get wrong strings, not an error).
func TestCacheParts(t *testing.T) {
	var synth bytes.Buffer
	// 5 chunks: parts of one or two chunks, and parts of unequal size.
	if err := dbtsynth.Write(&synth, dbtsynth.Options{Models: 4600, SQLBytes: 16}); err != nil {
		t.Fatal(err)
	}
	g, err := ParseManifest(synth.Bytes(), "synth.json", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() <= 4*cacheChunk {
		t.Fatalf("%d nodes: the test needs more than %d chunks", g.Len(), cacheEncoders)
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	sizes := map[int]int{}
	for procs := 1; procs <= cacheEncoders+1; procs++ {
		runtime.GOMAXPROCS(procs)
		payload := newCacheWriter(g.Len()).encode(g)
		sizes[procs] = len(payload)
		back := decodePayload(payload)
		if back == nil {
			t.Fatalf("%d cores: payload rejected", procs)
		}
		back.Origin.Path = g.Origin.Path
		assertSameGraph(t, g, back)
	}
	// The parts are real: each number of them up to cacheEncoders lays the payload out
	// differently (shared strings kept once per part, offsets within smaller tables), and more
	// cores than that change nothing.
	for procs := 2; procs <= cacheEncoders; procs++ {
		if sizes[procs] == sizes[procs-1] {
			t.Errorf("%d and %d cores: the same payload size %d", procs-1, procs, sizes[procs])
		}
	}
	if sizes[cacheEncoders+1] != sizes[cacheEncoders] {
		t.Errorf("payload sizes by cores: %v", sizes)
	}
}
