package workspace

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

	"github.com/datatui/datatui/internal/atomicfile"
)

// demoFS is the demo analytics project (a cashback/offers app), written by the datatui team.
//
//go:embed all:demo
var demoFS embed.FS

// demoRoot is the folder inside demoFS that holds the project.
const demoRoot = "demo"

// writtenFile records what datatui last wrote for one demo file, so a later run can tell a
// file the user edited (keep it) from one only datatui touched (safe to update).
const writtenList = ".datatui-demo.json"

// DemoFiles lists the embedded demo project's files (slash paths relative to the project).
func DemoFiles() ([]string, error) {
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

// DemoFile returns one embedded demo file.
func DemoFile(rel string) ([]byte, error) { return demoFS.ReadFile(demoRoot + "/" + rel) }

// OpenDemo writes (or refreshes) the demo project under stateHome/demo/project and opens it.
// The first time, it also makes the folder a git repository with some history (see
// InitDemoGit), so the screens that show git state have something real to show.
func OpenDemo(stateHome, notice string) (*Workspace, error) {
	dir := filepath.Join(stateHome, "demo", "project")
	kept, err := WriteDemo(dir)
	if err != nil {
		return nil, fmt.Errorf("writing the demo workspace to %s: %w", dir, err)
	}
	if len(kept) > 0 {
		notice += fmt.Sprintf(" (kept your edits to %d demo file(s))", len(kept))
	}
	ctx, cancel := context.WithTimeout(context.Background(), demoGitTimeout)
	defer cancel()
	switch err := InitDemoGit(ctx, dir); {
	case errors.Is(err, ErrGitMissing):
		notice += " (git is not installed, so the demo has no git history)"
	case err != nil:
		notice += fmt.Sprintf(" (could not set up the demo's git history: %v)", err)
	}
	ws := &Workspace{Root: dir, ProjectDir: dir, Demo: true, Notice: notice}
	ws.InGit = isDir(filepath.Join(dir, ".git"))
	ws.StateDir = filepath.Join(stateHome, "demo", "state")
	return ws, ws.loadConfig("")
}

// WriteDemo writes the embedded demo project into dir. A file is written when it is missing or
// still holds exactly what datatui wrote last time; a file the user changed is left alone and
// returned in kept, so user edits are never overwritten silently.
func WriteDemo(dir string) (kept []string, err error) {
	files, err := DemoFiles()
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
		want, err := DemoFile(rel)
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
		now[rel] = hash(want)
	}
	b, _ := json.MarshalIndent(now, "", "  ")
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
