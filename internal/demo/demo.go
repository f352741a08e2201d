// Package demo builds the demo workspace: an embedded analytics project (a cashback/offers
// app, with its handbook, Terraform grants and seeds), its git history, a recorded `dbt
// source freshness` result and its local DuckDB warehouse, built with the DuckDB engine's
// own code. Every screen then works on it through the same code as on a real repository;
// the demo's recorded GitHub and dbt Cloud answers are served by forge/demo through the
// real clients, and what is recorded is labelled as demo data wherever it is shown.
package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/atomicfile"
	"github.com/datatui/datatui/internal/git"
	"github.com/datatui/datatui/internal/workspace"
)

// demoFS is the demo analytics project (a cashback/offers app), written by the datatui team.
//
//go:embed all:project
var demoFS embed.FS

// demoRoot is the folder inside demoFS that holds the project.
const demoRoot = "project"

// writtenFile records what datatui last wrote for one demo file, so a later run can tell a
// file the user edited (keep it) from one only datatui touched (safe to update).
const writtenList = ".datatui-demo.json"

// Files lists the embedded demo project's files (slash paths relative to the project).
func Files() ([]string, error) {
	var files []string
	err := fs.WalkDir(demoFS, demoRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files = append(files, strings.TrimPrefix(p, demoRoot+"/"))
		return nil
	})
	sort.Strings(files)
	return files, err
}

// File returns one embedded demo file.
func File(rel string) ([]byte, error) { return demoFS.ReadFile(demoRoot + "/" + rel) }

// Open writes (or refreshes) the demo project under stateHome/demo/project and opens it.
// The first time, the whole project, with its git history (see InitGit), is made in a
// temporary folder and moved into place, so a crash or a kill -9 during the very first start
// leaves no half-made demo. A later start updates the files datatui wrote (never the user's
// edits) and repairs what an interrupted start of an older version left: a .git that holds
// nothing of the user's is made again (see halfMadeGit). Starts take turns through a lock, so two datatui processes opening
// the demo at once do not build it twice.
func Open(stateHome, notice string) (*workspace.Workspace, error) {
	demoDir := filepath.Join(stateHome, "demo")
	dir := filepath.Join(demoDir, "project")
	if err := os.MkdirAll(demoDir, 0o755); err != nil {
		return nil, err
	}
	unlock, err := atomicfile.Lock(dir)
	if err != nil {
		return nil, err
	}
	kept, gitErr, err := prepareDemo(dir)
	unlock()
	if err != nil {
		return nil, fmt.Errorf("writing the demo workspace to %s: %w", dir, err)
	}
	if len(kept) > 0 {
		notice += fmt.Sprintf(" (kept your edits to %d demo file(s))", len(kept))
	}
	switch {
	case errors.Is(gitErr, ErrGitMissing):
		notice += " (git is not installed, so the demo has no git history)"
	case gitErr != nil:
		notice += fmt.Sprintf(" (could not set up the demo's git history: %v)", gitErr)
	}
	if err := writeDemoArtifacts(dir, time.Now()); err != nil {
		notice += fmt.Sprintf(" (could not write the demo's sources.json: %v)", err)
	}
	ws := &workspace.Workspace{Root: dir, ProjectDir: dir, Demo: true, Notice: notice}
	ws.InGit = isDir(filepath.Join(dir, ".git"))
	ws.StateDir = filepath.Join(demoDir, "state")
	// The local warehouse is built when a screen or command first opens it, not here: the
	// demo opens instantly.
	ws.PrepareWarehouse = func(ctx context.Context) error {
		return BuildWarehouse(ctx, dir, WarehouseOptions{MetaDir: ws.StateDir})
	}
	return ws, ws.LoadConfig("")
}

// prepareDemo makes dir a complete demo project. err is a failure to write the files (the demo
// cannot open); gitErr one to set up its git history (the demo opens without it).
func prepareDemo(dir string) (kept []string, gitErr, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), demoGitTimeout)
	defer cancel()
	parent := filepath.Dir(dir)
	buildPrefix := "." + filepath.Base(dir) + ".building-"
	// Temporary folders of starts that were killed (the lock is ours: no start is running).
	removeBuilds(parent, buildPrefix)
	removeBuilds(parent, gitBuildsPrefix)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		tmp, err := os.MkdirTemp(parent, buildPrefix)
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(tmp) // nothing left once renamed
		if err := os.Chmod(tmp, 0o755); err != nil {
			return nil, nil, err
		}
		if _, err := Write(tmp); err != nil {
			return nil, nil, err
		}
		demoStage("files written")
		gitErr = InitGit(ctx, nil, tmp)
		demoStage("project ready")
		if err := os.Rename(tmp, dir); err != nil {
			return nil, nil, err
		}
		demoStage("project renamed")
		return nil, gitErr, nil
	}
	repair := halfMadeGit(ctx, dir)
	if repair {
		if err := os.RemoveAll(filepath.Join(dir, ".git")); err != nil {
			return nil, nil, err
		}
		if err := restoreBranchFiles(dir); err != nil {
			return nil, nil, err
		}
	}
	if kept, err = Write(dir); err != nil {
		return kept, nil, err
	}
	return kept, InitGit(ctx, nil, dir), nil
}

// halfMadeGit reports whether dir/.git was left half-made by an interrupted first start of an
// older datatui: no commit at all, or no demo branch and only datatui's own commits, so
// nothing of the user's is in it. Any other repository is complete (the user's from then on,
// whatever it holds) and is marked so, and later starts need not run git.
func halfMadeGit(ctx context.Context, dir string) bool {
	gitDir := filepath.Join(dir, ".git")
	if st, err := os.Lstat(gitDir); err != nil || !st.IsDir() {
		return false
	}
	if _, err := os.Stat(filepath.Join(gitDir, demoGitMarker)); err == nil {
		return false
	}
	g := demoGit{ctx: ctx, dir: dir, gitDir: gitDir, git: git.System()}
	authors, err := g.output(nil, "log", "--all", "--format=%ae")
	if errors.Is(err, git.ErrNotInstalled) {
		return false // cannot tell: leave it alone
	}
	if err != nil {
		// No commit at all (git log fails on an unborn branch): half-made when no ref exists.
		refs, err := g.output(nil, "for-each-ref", "--count=1")
		return err == nil && refs == ""
	}
	onlyOurs := true
	for _, a := range strings.Fields(authors) {
		onlyOurs = onlyOurs && a == demoAuthorEmail
	}
	if onlyOurs && g.run("rev-parse", "--verify", "--quiet", "refs/heads/"+Branch) != nil {
		return true
	}
	_ = writeFileAtomic(filepath.Join(gitDir, demoGitMarker), []byte("complete\n"), 0o644)
	return false
}

// restoreBranchFiles undoes what an interrupted git set-up of an older datatui left in the
// working tree: a changed file put back to main's version. Only called while repairing a
// half-made repository, where such a file cannot be the user's doing.
func restoreBranchFiles(dir string) error {
	for _, e := range demoEdits() {
		want, err := File(e.file)
		if err != nil {
			return err
		}
		path := filepath.Join(dir, filepath.FromSlash(e.file))
		have, err := os.ReadFile(path)
		if err == nil && bytes.Equal(have, bytes.Replace(want, []byte(e.onBranch), []byte(e.onMain), 1)) {
			if err := writeFileAtomic(path, want, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeBuilds removes the folders in parent whose name starts with prefix: temporary builds
// of starts that were killed.
func removeBuilds(parent, prefix string) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), prefix) {
			_ = os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// demoHook lets the crash tests stop the demo set-up at a named stage; nil in the product.
var demoHook func(stage string)

func demoStage(name string) {
	if demoHook != nil {
		demoHook(name)
	}
}

// Write writes the embedded demo project into dir. A file is written when it is missing or
// still holds exactly what datatui wrote last time; a file the user changed is left alone and
// returned in kept, so user edits are never overwritten silently.
func Write(dir string) (kept []string, err error) {
	files, err := Files()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	prev := map[string]string{}
	if b, err := os.ReadFile(filepath.Join(dir, writtenList)); err == nil {
		_ = json.Unmarshal(b, &prev) // a damaged list only makes us more careful below
	}
	now := map[string]string{}
	for _, rel := range files {
		want, err := File(rel)
		if err != nil {
			return kept, err
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		have, readErr := os.ReadFile(dst)
		switch {
		case readErr == nil && bytes.Equal(have, want):
			now[rel] = hash(want)
			continue
		case readErr == nil && prev[rel] != hash(have):
			kept = append(kept, rel) // edited by the user (or unknown to us): theirs now
			now[rel] = prev[rel]
			continue
		case readErr != nil && !errors.Is(readErr, fs.ErrNotExist):
			return kept, readErr
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return kept, err
		}
		if err := writeFileAtomic(dst, want, 0o644); err != nil {
			return kept, err
		}
		demoStage("wrote " + rel)
		now[rel] = hash(want)
	}
	b, _ := json.MarshalIndent(now, "", "  ")
	if old, err := os.ReadFile(filepath.Join(dir, writtenList)); err == nil && bytes.Equal(old, b) {
		return kept, nil // nothing changed: no write on every start
	}
	return kept, writeFileAtomic(filepath.Join(dir, writtenList), b, 0o644)
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// writeFileAtomic writes a demo file with the same helper as every other file datatui writes.
func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	_, err := atomicfile.Write(path, data, atomicfile.Options{Perm: mode})
	return err
}

// Discover opens the workspace opts finds. With demo set, or when no dbt project is found
// and none was named with --project, it opens the demo workspace instead and says why in
// its Notice.
func Discover(opts workspace.Options, demo bool) (*workspace.Workspace, error) {
	stateHome := opts.StateHome
	if stateHome == "" {
		stateHome = workspace.StateHome()
	}
	if demo {
		return Open(stateHome, "Demo workspace: an example analytics project with a local DuckDB warehouse.")
	}
	ws, err := workspace.Open(opts)
	if errors.Is(err, workspace.ErrNoProject) && opts.Project == "" {
		return Open(stateHome, "No dbt project here, so this is the demo workspace. Run datatui inside your analytics repo, or pass --project DIR.")
	}
	return ws, err
}
