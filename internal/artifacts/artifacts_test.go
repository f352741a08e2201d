package artifacts

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// builtProject makes a dbt project whose target/ holds the artifacts of a real jaffle-shop
// build (dbt 1.11), and a state folder.
func builtProject(t *testing.T) (dir, stateDir string) {
	return dbttest.BuiltProject(t, "manifest.json", "run_results.json", "catalog.json"), t.TempDir()
}

// TestLoadedOnce: eight views asking at once for the graph, the run results and the catalog
// (Home's card, the Lineage screen, the Sandbox screen…) share one read of each.
func TestLoadedOnce(t *testing.T) {
	dir, stateDir := builtProject(t)
	s := New(dir, stateDir)
	ctx := context.Background()
	var wg sync.WaitGroup
	graphs := make([]*dbt.Graph, 8)
	for i := range graphs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g, err := s.Graph(ctx, Options{})
			if err != nil {
				t.Error(err)
			}
			graphs[i] = g
			if rr, err := s.RunResults(ctx); err != nil || rr == nil || len(rr.Results) == 0 {
				t.Errorf("run results %v, %v", rr, err)
			}
			if c, err := s.Catalog(ctx); err != nil || c == nil || len(c.Columns) == 0 {
				t.Errorf("catalog %v, %v", c, err)
			}
		}()
	}
	wg.Wait()
	for _, g := range graphs[1:] {
		if g != graphs[0] {
			t.Fatal("views got different graphs")
		}
	}
	if graphs[0].Origin.Kind == dbt.OriginQuickParse || graphs[0].Origin.Stale {
		t.Fatalf("graph from %+v, want the manifest", graphs[0].Origin)
	}
	want := map[Kind]int{KindGraph: 1, KindRunResults: 1, KindCatalog: 1}
	if got := s.Loads(); !equalCounts(got, want) {
		t.Fatalf("loads = %v, want %v", got, want)
	}
	if s.Changed() {
		t.Fatal("nothing changed on disk")
	}
	idx, _ := filepath.Glob(filepath.Join(stateDir, "cache", "manifest-*.idx"))
	if len(idx) != 1 {
		t.Fatalf("manifest index cache files in cache/: %v", idx)
	}
}

// TestChangeOnDiskReloads: a dbt run that rewrites run_results.json is seen by the next
// request, which reads that file only; Fresh rereads the graph without a change.
func TestChangeOnDiskReloads(t *testing.T) {
	dir, stateDir := builtProject(t)
	s := New(dir, stateDir)
	ctx := context.Background()
	g1, _ := s.Graph(ctx, Options{})
	rr1, _ := s.RunResults(ctx)
	dbttest.WriteArtifact(t, fixtures.Path(t, "run-results/jaffle-shop-build-dbt1.9.0.run_results.json"), filepath.Join(dir, "target", "run_results.json"))
	if !s.Changed() {
		t.Fatal("a rewritten run_results.json was not noticed")
	}
	rr2, err := s.RunResults(ctx)
	if err != nil || rr2 == rr1 || rr2.DBTVersion == rr1.DBTVersion {
		t.Fatalf("after the run: %+v (%v), before %+v", rr2, err, rr1)
	}
	if g2, _ := s.Graph(ctx, Options{}); g2 != g1 {
		t.Fatal("the graph was reread though manifest.json did not change")
	}
	if g3, _ := s.Graph(ctx, Options{Fresh: true}); g3 == g1 {
		t.Fatal("Fresh served the graph from memory")
	}
	want := map[Kind]int{KindGraph: 2, KindRunResults: 2}
	if got := s.Loads(); !equalCounts(got, want) {
		t.Fatalf("loads = %v, want %v", got, want)
	}
}

// TestAbsentArtifacts: no run results or catalog yet is an answer (nil), not an error, and
// the file dbt writes later is read.
func TestAbsentArtifacts(t *testing.T) {
	dir, stateDir := builtProject(t)
	os.Remove(filepath.Join(dir, "target", "run_results.json"))
	os.Remove(filepath.Join(dir, "target", "catalog.json"))
	s := New(dir, stateDir)
	ctx := context.Background()
	if rr, err := s.RunResults(ctx); rr != nil || err != nil {
		t.Fatalf("no run results: %v, %v", rr, err)
	}
	if c, err := s.Catalog(ctx); c != nil || err != nil {
		t.Fatalf("no catalog: %v, %v", c, err)
	}
	dbttest.WriteArtifact(t, fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/run_results.json"), filepath.Join(dir, "target", "run_results.json"))
	if rr, err := s.RunResults(ctx); rr == nil || err != nil {
		t.Fatalf("after dbt wrote it: %v, %v", rr, err)
	}
}

// TestOneCacheFolder: indexes an older datatui cached in the state folder itself are removed;
// the one cache is cache/.
func TestOneCacheFolder(t *testing.T) {
	dir, stateDir := builtProject(t)
	stray := filepath.Join(stateDir, "manifest-0123456789abcdef.idx")
	if err := os.WriteFile(stray, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := New(dir, stateDir)
	if s.CacheDir() != filepath.Join(stateDir, "cache") {
		t.Fatalf("cache dir %s", s.CacheDir())
	}
	if _, err := s.Graph(context.Background(), Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stray); !os.IsNotExist(err) {
		t.Fatal("the old cache file is still there")
	}
}

// TestCancelledWaiter: a request cancelled while another loads returns at once.
func TestCancelledWaiter(t *testing.T) {
	dir, stateDir := builtProject(t)
	s := New(dir, stateDir)
	e := &entry{sem: make(chan struct{}, 1)}
	s.entries["graph"] = e
	e.sem <- struct{}{} // someone is loading
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Graph(ctx, Options{}); err != context.Canceled {
		t.Fatalf("err = %v", err)
	}
}

func equalCounts(a, b map[Kind]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
