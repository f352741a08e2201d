package atomicfile

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// names lists a folder's entries.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteNewAndExisting(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "state.json")
	res, err := Write(p, []byte("one"), Options{})
	if err != nil || res.Path != p || res.Backup != "" {
		t.Fatalf("%+v %v", res, err)
	}
	if got := read(t, p); got != "one" {
		t.Errorf("content %q", got)
	}
	if runtime.GOOS != "windows" && mode(t, p) != DefaultPerm {
		t.Errorf("new file mode %v, want %v", mode(t, p), DefaultPerm)
	}

	// An existing file keeps its mode, whatever Perm says.
	if err := os.Chmod(p, 0o640); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(p, []byte("two"), Options{Perm: 0o600}); err != nil {
		t.Fatal(err)
	}
	if got := read(t, p); got != "two" {
		t.Errorf("content %q", got)
	}
	if runtime.GOOS != "windows" && mode(t, p) != 0o640 {
		t.Errorf("mode changed to %v", mode(t, p))
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("files left: %v", got)
	}

	// Perm is the mode of a new file.
	q := filepath.Join(dir, "demo.sql")
	if _, err := Write(q, nil, Options{Perm: 0o644}); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && mode(t, q) != 0o644 {
		t.Errorf("mode %v", mode(t, q))
	}
}

func TestWriteThroughSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "profiles.yml")
	os.MkdirAll(filepath.Dir(real), 0o700)
	os.WriteFile(real, []byte("old"), 0o644)
	dbtDir := filepath.Join(dir, ".dbt")
	os.MkdirAll(dbtDir, 0o700)
	link := filepath.Join(dbtDir, "profiles.yml")
	// A relative link to a relative link: the chain is followed to the end.
	if err := os.Symlink("../dotfiles/profiles.yml", filepath.Join(dbtDir, "middle.yml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("middle.yml", link); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	res, err := Write(link, []byte("new"), Options{Backup: true, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != real {
		t.Errorf("Path = %s, want the link's target %s", res.Path, real)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v %v", st.Mode(), err)
	}
	if got := read(t, real); got != "new" {
		t.Errorf("target holds %q", got)
	}
	if mode(t, real) != 0o644 {
		t.Errorf("target mode %v", mode(t, real))
	}
	if want := real + ".bak-20261129-093000"; res.Backup != want || read(t, want) != "old" {
		t.Errorf("backup %q", res.Backup)
	}
	if got := names(t, dbtDir); len(got) != 2 {
		t.Errorf("files beside the link: %v", got)
	}

	// A dangling link: the file it names is created.
	dangling := filepath.Join(dir, "dangling.yml")
	os.Symlink(filepath.Join(dir, "made.yml"), dangling)
	if res, err := Write(dangling, []byte("x"), Options{}); err != nil || res.Path != filepath.Join(dir, "made.yml") {
		t.Fatalf("%+v %v", res, err)
	}

	// A loop is an error, not a hang.
	loop := filepath.Join(dir, "loop")
	os.Symlink("loop", loop)
	if _, err := Write(loop, []byte("x"), Options{}); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("loop: %v", err)
	}
}

func TestWriteBackups(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "profiles.yml")
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	// No previous file: nothing to back up.
	res, err := Write(p, []byte("v1"), Options{Backup: true, Now: now})
	if err != nil || res.Backup != "" {
		t.Fatalf("%+v %v", res, err)
	}
	var backups []string
	for i, v := range []string{"v2", "v3", "v4"} {
		res, err := Write(p, []byte(v), Options{Backup: true, Now: now})
		if err != nil || res.Backup == "" {
			t.Fatalf("%+v %v", res, err)
		}
		if got := read(t, res.Backup); got != fmt.Sprintf("v%d", i+1) {
			t.Errorf("backup %s holds %q", res.Backup, got)
		}
		backups = append(backups, filepath.Base(res.Backup))
	}
	want := []string{"profiles.yml.bak-20261129-093000", "profiles.yml.bak-20261129-093000-2", "profiles.yml.bak-20261129-093000-3"}
	if strings.Join(backups, " ") != strings.Join(want, " ") {
		t.Errorf("backups %v, want %v", backups, want)
	}
}

func TestWriteErrorsLeaveNothing(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "a-folder")
	os.Mkdir(sub, 0o700)
	if _, err := Write(sub, []byte("x"), Options{}); err == nil {
		t.Error("wrote over a folder")
	}
	if _, err := Write(filepath.Join(dir, "missing", "f"), []byte("x"), Options{}); err == nil {
		t.Error("wrote into a missing folder")
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("files left: %v", got)
	}
}

func TestLeftoversRemoved(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "profiles.yml")
	os.WriteFile(p, []byte("old"), 0o600)
	for _, n := range []string{".profiles.yml.tmp123456", ".profiles.yml.tmp9"} {
		os.WriteFile(filepath.Join(dir, n), []byte("half"), 0o600)
	}
	// Not ours: kept.
	keep := []string{".profiles.yml.tmpl", ".profiles.yml.tmp-notes", ".other.yml.tmp123", "profiles.yml.tmp1"}
	for _, n := range keep {
		os.WriteFile(filepath.Join(dir, n), []byte("mine"), 0o600)
	}
	// One in use by a write running now (it holds the lock): kept too.
	busy := filepath.Join(dir, ".profiles.yml.tmp777")
	os.WriteFile(busy, nil, 0o600)
	if runtime.GOOS != "windows" {
		lk := flock.New(busy)
		if err := lk.Lock(); err != nil {
			t.Fatal(err)
		}
		defer lk.Close()
		keep = append(keep, filepath.Base(busy))
	}

	if _, err := Write(p, []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(names(t, dir), " ")
	want := append([]string{"profiles.yml"}, keep...)
	for _, n := range want {
		if !strings.Contains(" "+got+" ", " "+n+" ") {
			t.Errorf("%s removed (left: %s)", n, got)
		}
	}
	if n := len(names(t, dir)); n != len(want) {
		t.Errorf("left %s, want only %v", got, want)
	}
}

// TestConcurrentWrites: writers of one file never break each other (a leftover sweep must
// not take the temporary file of a write that is running), and the file always holds one
// whole version.
func TestConcurrentWrites(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sandbox.json")
	versions := map[string]bool{}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 8 {
		body := strings.Repeat(fmt.Sprintf("writer %d\n", w), 20000)
		versions[body] = true
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 8 {
				if _, err := Write(p, []byte(body), Options{}); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if !versions[read(t, p)] {
		t.Error("the file holds no whole version")
	}
	if got := names(t, dir); len(got) != 1 {
		t.Errorf("files left: %v", got)
	}
}

func TestResolvePlainPath(t *testing.T) {
	p := filepath.Join(t.TempDir(), "nothing-here")
	if got, err := Resolve(p); err != nil || got != p {
		t.Errorf("%s %v", got, err)
	}
}

func BenchmarkWrite(b *testing.B) {
	p := filepath.Join(b.TempDir(), "runs.jsonl")
	data := bytes.Repeat([]byte(`{"command":"build","exit_code":0}`+"\n"), 200)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Write(p, data, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStream: a streamed file replaces the old one only on Commit, whole; Abort and a failed
// write leave the old file and no temporary file; a running stream's temporary file survives
// another write's sweep of leftovers.
func TestStream(t *testing.T) {
	for _, sync := range []bool{true, false} {
		t.Run(fmt.Sprintf("sync=%v", sync), func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "cache.bin")
			if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Create(p, Options{Perm: 0o600, NoSync: !sync})
			if err != nil {
				t.Fatal(err)
			}
			s.Write([]byte("new "))
			RemoveLeftovers(p) // another process's write of the same file, meanwhile
			if got, _ := os.ReadFile(p); string(got) != "old" {
				t.Fatalf("before Commit the file reads %q", got)
			}
			s.Write([]byte("content"))
			if err := s.Commit(); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); string(got) != "new content" || mode(t, p).Perm() != 0o600 {
				t.Fatalf("after Commit: %q, %v", got, mode(t, p))
			}
			if s.Commit() == nil {
				t.Error("a second Commit succeeded")
			}

			s, err = Create(p, Options{NoSync: !sync})
			if err != nil {
				t.Fatal(err)
			}
			s.Write([]byte("abandoned"))
			s.Abort()
			s.Abort() // twice is harmless
			if got, _ := os.ReadFile(p); string(got) != "new content" {
				t.Fatalf("after Abort: %q", got)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != 1 {
				t.Fatalf("left behind: %v", entries)
			}
		})
	}
}

// TestStreamWriteError: a write that fails fails the Commit, which leaves the old file.
func TestStreamWriteError(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cache.bin")
	os.WriteFile(p, []byte("old"), 0o600)
	s, err := Create(p, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	s.tmp.Close() // the next write fails
	if _, err := s.Write([]byte("x")); err == nil {
		t.Fatal("write to a closed file succeeded")
	}
	if s.Commit() == nil {
		t.Fatal("Commit after a failed write succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "old" {
		t.Fatalf("after a failed stream: %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("left behind: %v", entries)
	}
}
