// Package artifacts owns the dbt artifacts datatui has loaded for one workspace: the project's
// graph (the manifest index, or a quick parse), target/run_results.json, catalog.json,
// sources.json and a production manifest for state: selectors. Every screen, Home card and CLI
// command asks one Store, so an artifact is read once per change on disk however many views
// show it, and every manifest index is cached in one folder per repository
// (<state dir>/repos/<repo>/cache).
//
// An artifact is known by its file's identity — size, modification time to the nanosecond and
// the file itself (inode and device on Unix) — checked with one stat on every request: a dbt
// run that rewrites run_results.json or manifest.json is seen by the next request, with no
// watcher. Project files edited without a dbt parse do not change the manifest; a view that
// knows of an edit (the editor closed, the person pressed r) asks with Fresh.
package artifacts

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/project"
)

// Kind names an artifact, for the load counts.
type Kind string

const (
	KindGraph      Kind = "graph"       // the project's graph (manifest.json or a quick parse)
	KindManifest   Kind = "manifest"    // another manifest.json (production state)
	KindRunResults Kind = "run_results" // target/run_results.json
	KindCatalog    Kind = "catalog"     // target/catalog.json
	KindSources    Kind = "sources"     // target/sources.json
)

// Store is the loaded artifacts of one dbt project. It is safe for concurrent use: callers
// asking for the same artifact at once share one load.
type Store struct {
	projectDir string
	cacheDir   string
	oldCache   string

	mu      sync.Mutex
	entries map[string]*entry
	loads   map[Kind]int
	cleaned bool
}

// New returns the store of the project at projectDir. stateDir is the repository's state
// folder (workspace.StateDir); the manifest index cache lives in its cache/ folder. An empty
// stateDir caches nothing on disk.
func New(projectDir, stateDir string) *Store {
	s := &Store{projectDir: projectDir, entries: map[string]*entry{}, loads: map[Kind]int{}}
	if stateDir != "" {
		s.cacheDir, s.oldCache = filepath.Join(stateDir, "cache"), stateDir
	}
	return s
}

// CacheDir is where manifest indexes are cached ("" for none).
func (s *Store) CacheDir() string { return s.cacheDir }

// ProjectDir is the dbt project the store reads.
func (s *Store) ProjectDir() string { return s.projectDir }

// TargetDir is the folder dbt writes its artifacts to (target/, or target-path /
// DBT_TARGET_PATH).
func (s *Store) TargetDir() string { return filepath.Dir(project.ManifestPath(s.projectDir)) }

// Options say how fresh a request must be.
type Options struct {
	// Fresh reloads even when the file looks unchanged (project files were edited).
	Fresh bool
	// QuickParseOnly reads the project files and never the manifest (the graph only).
	QuickParseOnly bool
	// OneShot is for a command that keeps the graph until it exits soon after (the CLI's
	// lineage and completion): see dbt.LoadOptions.OneShot.
	OneShot bool
}

// Graph is the project's graph, as project.LoadProject gives it: the manifest when it is up to
// date, else a quick parse of the project files.
func (s *Store) Graph(ctx context.Context, opts Options) (*dbt.Graph, error) {
	key, path := "graph", project.ManifestPath(s.projectDir)
	if opts.QuickParseOnly {
		key, path = "graph:quick", ""
	}
	v, err := s.get(ctx, key, path, KindGraph, opts.Fresh, func() (any, error) {
		s.removeOldCache()
		return project.LoadProject(s.projectDir, dbt.LoadOptions{CacheDir: s.cacheDir, QuickParseOnly: opts.QuickParseOnly, OneShot: opts.OneShot})
	})
	g, _ := v.(*dbt.Graph)
	return g, err
}

// Manifest is the manifest.json at path (a production manifest for state: selectors).
func (s *Store) Manifest(ctx context.Context, path string) (*dbt.Graph, error) {
	v, err := s.get(ctx, "manifest:"+path, path, KindManifest, false, func() (any, error) {
		return dbt.LoadManifest(path, dbt.LoadOptions{CacheDir: s.cacheDir})
	})
	g, _ := v.(*dbt.Graph)
	return g, err
}

// RunResults is run_results.json in the target folder; nil with no error when dbt has not
// written one.
func (s *Store) RunResults(ctx context.Context) (*dbt.RunResults, error) {
	return s.RunResultsAt(ctx, filepath.Join(s.TargetDir(), "run_results.json"))
}

// RunResultsAt is the run_results.json at path; nil with no error when there is none.
func (s *Store) RunResultsAt(ctx context.Context, path string) (*dbt.RunResults, error) {
	v, err := s.get(ctx, "run_results:"+path, path, KindRunResults, false, func() (any, error) {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return (*dbt.RunResults)(nil), nil
		}
		return dbt.LoadRunResults(path)
	})
	r, _ := v.(*dbt.RunResults)
	return r, err
}

// Catalog is catalog.json in the target folder (dbt docs generate); nil with no error when
// there is none.
func (s *Store) Catalog(ctx context.Context) (*dbt.Catalog, error) {
	path := filepath.Join(s.TargetDir(), "catalog.json")
	v, err := s.get(ctx, "catalog", path, KindCatalog, false, func() (any, error) {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return (*dbt.Catalog)(nil), nil
		}
		return dbt.LoadCatalog(path)
	})
	c, _ := v.(*dbt.Catalog)
	return c, err
}

// Sources is sources.json (dbt source freshness) in dir, the target folder when dir is "".
func (s *Store) Sources(ctx context.Context, dir string) (*dbt.SourceFreshness, error) {
	if dir == "" {
		dir = s.TargetDir()
	}
	path := filepath.Join(dir, "sources.json")
	v, err := s.get(ctx, "sources:"+path, path, KindSources, false, func() (any, error) {
		return dbt.LoadSourceFreshness(dir)
	})
	sf, _ := v.(*dbt.SourceFreshness)
	return sf, err
}

// Loads counts the artifacts really read (not served from memory), by kind.
func (s *Store) Loads() map[Kind]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[Kind]int, len(s.loads))
	for k, n := range s.loads {
		out[k] = n
	}
	return out
}

// Changed reports whether any artifact loaded so far changed on disk since (so a view that
// shows it has something new to show). One stat per artifact.
func (s *Store) Changed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.entries {
		if e.valid && e.path != "" && !e.id.same(identify(e.path)) {
			return true
		}
	}
	return false
}

// entry is one artifact: its value and error as loaded, and the file identity they came from.
type entry struct {
	sem   chan struct{} // held while loading: concurrent requests wait and share the result
	path  string
	valid bool
	id    identity
	val   any
	err   error
}

func (s *Store) get(ctx context.Context, key, path string, kind Kind, fresh bool, load func() (any, error)) (any, error) {
	s.mu.Lock()
	e := s.entries[key]
	if e == nil {
		e = &entry{sem: make(chan struct{}, 1), path: path}
		s.entries[key] = e
	}
	s.mu.Unlock()
	select {
	case e.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-e.sem }()
	id := identify(path)
	s.mu.Lock()
	if e.valid && !fresh && e.id.same(id) {
		v, err := e.val, e.err
		s.mu.Unlock()
		return v, err
	}
	s.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v, err := load()
	s.mu.Lock()
	s.loads[kind]++
	e.valid, e.id, e.val, e.err = true, id, v, err
	s.mu.Unlock()
	return v, err
}

// removeOldCache deletes manifest indexes an older datatui cached in the state folder itself,
// once per process: they are now kept in cache/ only.
func (s *Store) removeOldCache() {
	s.mu.Lock()
	done := s.cleaned || s.oldCache == ""
	s.cleaned = true
	s.mu.Unlock()
	if done {
		return
	}
	old, _ := filepath.Glob(filepath.Join(s.oldCache, "manifest-*.idx"))
	for _, p := range old {
		_ = os.Remove(p)
	}
}

// identity is what tells one version of a file from another without reading it.
type identity struct {
	exists bool
	info   fs.FileInfo
}

func identify(path string) identity {
	if path == "" {
		return identity{}
	}
	st, err := os.Stat(path)
	if err != nil {
		return identity{}
	}
	return identity{exists: true, info: st}
}

// same: both absent, or the same file (inode and device on Unix) with the same size and
// modification time to the nanosecond.
func (a identity) same(b identity) bool {
	if a.exists != b.exists {
		return false
	}
	if !a.exists {
		return true
	}
	return a.info.Size() == b.info.Size() && a.info.ModTime().Equal(b.info.ModTime()) && os.SameFile(a.info, b.info)
}
