package dbt

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// wholeGraph is every part of a graph a reader can see, for comparing graphs whole: the
// exported fields, the id index, both adjacencies and where each node's SQL is.
type wholeGraph struct {
	Origin   Origin
	Nodes    []Node
	ByID     map[string]int
	Parents  [][]int32
	Children [][]int32
	Macros   map[string]Macro
	SQL      *sqlSource
}

func wholeOf(g *Graph) wholeGraph {
	w := wholeGraph{Origin: g.Origin, ByID: g.ids(), Parents: g.parents, Children: g.children, Macros: g.Macros, SQL: g.sql}
	// An empty map and a missing one read the same (len, range, index); the cache keeps
	// neither, so they are compared as missing.
	w.Nodes = make([]Node, len(g.Nodes))
	for i, n := range g.Nodes {
		if len(n.Meta) == 0 {
			n.Meta = nil
		}
		if len(n.Config.Extra) == 0 {
			n.Config.Extra = nil
		}
		if len(n.Config.Kinds) == 0 {
			n.Config.Kinds = nil
		}
		w.Nodes[i] = n
	}
	return w
}

// cacheTestManifests are every manifest.json of the shared fixtures and of the package's test
// data, and a synthetic one of several chunks (the fixtures have fewer than cacheChunk nodes).
func cacheTestManifests(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, root := range []string{fixtures.Path(t, "."), "testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == "manifest.json" {
				paths = append(paths, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	synth := filepath.Join(t.TempDir(), "manifest.json")
	f, err := os.Create(synth)
	if err != nil {
		t.Fatal(err)
	}
	if err := dbtsynth.Write(f, dbtsynth.Options{Models: 1300, SQLBytes: 16}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return append(paths, synth)
}

// TestCacheRoundTripWhole: for every manifest the warm graph is the cold one in every field
// the decoder fills, its id index, edges both ways and SQL spans; so is a one-shot command's,
// whose slabs and strings take the huge-page path here whatever their size.
func TestCacheRoundTripWhole(t *testing.T) {
	settled(t)
	keepGC(t)
	defer func(min uintptr) { hugeSlab = min }(hugeSlab)
	hugeSlab = 1
	paths := cacheTestManifests(t)
	chunked := false
	for _, p := range paths {
		dir := t.TempDir()
		cold, err := LoadManifest(p, LoadOptions{CacheDir: dir})
		if err != nil {
			if strings.Contains(p, "testdata") {
				continue // deliberately broken test manifests
			}
			t.Fatalf("%s: %v", p, err)
		}
		chunked = chunked || cold.Len() > 2*cacheChunk
		for _, oneShot := range []bool{false, true} {
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			warm := readCachedIndex(p, st, dir, oneShot)
			if warm == nil {
				t.Fatalf("%s: cache not used", p)
			}
			if a, b := wholeOf(cold), wholeOf(warm); !reflect.DeepEqual(a, b) {
				for i := range a.Nodes {
					if !reflect.DeepEqual(a.Nodes[i], b.Nodes[i]) {
						t.Fatalf("%s, one-shot %v: node %d differs:\n%#v\n%#v", p, oneShot, i, a.Nodes[i], b.Nodes[i])
					}
				}
				t.Fatalf("%s, one-shot %v: graphs differ:\n%+v\n%+v", p, oneShot, a.Origin, b.Origin)
			}
		}
	}
	if len(paths) < 20 || !chunked {
		t.Fatalf("%d manifests, none of several chunks: the test reads too little", len(paths))
	}
}
