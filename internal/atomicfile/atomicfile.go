// Package atomicfile is how datatui writes every file: the new content goes to a temporary
// file in the same folder, is synced to disk and renamed over the old file, so a reader, a
// crash, a kill -9 or a full disk never sees or leaves half a file. A symlinked path is
// written through to the file it points to (the link stays a link), an existing file keeps
// its mode, the user's own files can be backed up first, and temporary files left by a write
// that was killed are removed by the next write of the same file.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

// DefaultPerm is the mode of a new file when Options.Perm is zero: only the user can read it,
// since most of what datatui writes names people, databases or accounts.
const DefaultPerm fs.FileMode = 0o600

// Options steer Write.
type Options struct {
	// Perm is the mode of a new file (DefaultPerm when zero). An existing file keeps its own.
	Perm fs.FileMode
	// Backup keeps the previous content beside the file, as NAME.bak-YYYYMMDD-HHMMSS (UTC),
	// before replacing it. For the user's own files datatui changes (profiles.yml…), never
	// for datatui's state files.
	Backup bool
	// Now stamps the backup's name (time.Now when zero); tests fix it.
	Now time.Time
	// NoSync leaves out the syncs to disk, for caches whose readers check their content: a
	// crash may then leave the new file empty or cut short (never a mix of old and new), and
	// a cache of several megabytes is written in a fraction of the time.
	NoSync bool
}

// Result says what Write did.
type Result struct {
	// Path is the file that really changed: the final target when the path given was a
	// symlink, so the caller can tell the user which file it was.
	Path string
	// Backup is the copy of the previous content ("" when none was made: no Backup option,
	// or no previous file).
	Backup string
}

// maxLinks bounds how many symlinks are followed, as the kernel does (ELOOP).
const maxLinks = 40

// Write replaces the file at path with data atomically. On any error the old file is as it
// was and no temporary file is left behind.
func Write(path string, data []byte, opts Options) (Result, error) {
	target, err := Resolve(path)
	if err != nil {
		return Result{Path: path}, err
	}
	res := Result{Path: target}
	perm := opts.Perm
	if perm == 0 {
		perm = DefaultPerm
	}
	st, err := os.Stat(target)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return res, fmt.Errorf("%s is not a regular file", target)
	case err == nil:
		perm = st.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return res, err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	RemoveLeftovers(target)
	if opts.Backup && st != nil {
		old, err := os.ReadFile(target)
		if err != nil {
			return res, fmt.Errorf("reading %s for its backup: %w", target, err)
		}
		now := opts.Now
		if now.IsZero() {
			now = time.Now()
		}
		if res.Backup, err = backupName(target, now); err != nil {
			return res, err
		}
		if err := replace(dir, base, res.Backup, old, perm); err != nil {
			res.Backup = ""
			return res, fmt.Errorf("backing up %s: %w", target, err)
		}
	}
	return res, replace(dir, base, target, data, perm)
}

// Resolve follows path through every symlink to the file it names (which may not exist
// yet). A path that is no link is returned as it is.
func Resolve(path string) (string, error) {
	p := path
	for range maxLinks {
		st, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		if err != nil {
			return p, err
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			return p, nil
		}
		link, err := os.Readlink(p)
		if err != nil {
			return p, err
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(p), link)
		}
		p = link
	}
	return path, fmt.Errorf("%s: too many levels of symbolic links", path)
}

// tempPrefix is the start of the name of base's temporary files. os.CreateTemp ends it with
// digits only, which is how leftovers are told from the user's own files. Earlier versions
// of datatui used the same names, so their leftovers are cleaned up too.
func tempPrefix(base string) string { return "." + base + ".tmp" }

// isTemp reports whether name is one of base's temporary files.
func isTemp(name, base string) bool {
	rest, ok := strings.CutPrefix(name, tempPrefix(base))
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// RemoveLeftovers removes the temporary files of path left by writes that were killed. A
// temporary file is locked while its write runs, so one that can be locked belongs to no
// running write and can go.
func RemoveLeftovers(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() && isTemp(e.Name(), base) {
			removeIfAbandoned(filepath.Join(dir, e.Name()))
		}
	}
}

// abandonedAge is how old a temporary file must be before it counts as abandoned where files
// cannot be locked without blocking the write itself (Windows' locks are mandatory).
const abandonedAge = 10 * time.Minute

func removeIfAbandoned(p string) {
	if runtime.GOOS == "windows" {
		// A file another process has open cannot be removed there anyway.
		if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > abandonedAge {
			_ = os.Remove(p)
		}
		return
	}
	lk := flock.New(p, flock.SetFlag(os.O_RDONLY))
	if ok, err := lk.TryLock(); err != nil || !ok {
		return // in use by a write that is running now (or gone already)
	}
	_ = os.Remove(p)
	_ = lk.Close()
}

// backupName is target.bak-STAMP, with -2, -3… when a backup of the same second exists.
func backupName(target string, now time.Time) (string, error) {
	stamp := target + ".bak-" + now.UTC().Format("20060102-150405")
	name := stamp
	for i := 2; ; i++ {
		if _, err := os.Lstat(name); errors.Is(err, fs.ErrNotExist) {
			return name, nil
		} else if err != nil {
			return "", err
		}
		name = fmt.Sprintf("%s-%d", stamp, i)
	}
}

// replace writes data to a temporary file named after base in dir and renames it to dst.
func replace(dir, base, dst string, data []byte, perm fs.FileMode) error {
	s, err := openStream(dir, base, dst, perm, true)
	if err != nil {
		return err
	}
	half := len(data) / 2
	if _, err := s.Write(data[:half]); err != nil {
		s.Abort()
		return err
	}
	hook("half-written", dst)
	if _, err := s.Write(data[half:]); err != nil {
		s.Abort()
		return err
	}
	return s.Commit()
}

// testHook lets the crash tests stop a write of dst at a given stage; nil in the product.
var testHook func(stage, dst string)

func hook(stage, dst string) {
	if testHook != nil {
		testHook(stage, dst)
	}
}

// createLocked creates base's temporary file in dir and locks it, so RemoveLeftovers leaves it
// alone. A leftover sweep that ran between the create and the lock may have removed the new
// file; then it is made again.
func createLocked(dir, base string) (*os.File, func(), error) {
	for range 10 {
		f, err := os.CreateTemp(dir, tempPrefix(base)+"*")
		if err != nil {
			return nil, nil, err
		}
		if runtime.GOOS == "windows" {
			return f, func() {}, nil
		}
		lock := flock.New(f.Name(), flock.SetFlag(os.O_RDONLY))
		if err := lock.Lock(); err != nil {
			f.Close()
			if errors.Is(err, fs.ErrNotExist) {
				continue // swept already
			}
			os.Remove(f.Name())
			return nil, nil, err
		}
		fst, err1 := f.Stat()
		pst, err2 := os.Stat(f.Name())
		if err1 == nil && err2 == nil && os.SameFile(fst, pst) {
			return f, func() { lock.Close() }, nil
		}
		lock.Close()
		f.Close()
	}
	return nil, nil, fmt.Errorf("could not create a temporary file in %s", dir)
}

// syncDir makes the rename itself durable. Not every system can sync a folder; a failure
// only weakens durability, not atomicity.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}

// Lock takes the lock several datatui processes share for path, for appends and
// read-modify-write updates that must not lose each other's entries. It blocks until the lock
// is free. The lock is a file beside path (path+".lock", left in place: removing it would
// let two processes lock two different files), since path itself is replaced by every Write.
// Unlock by calling the returned function.
func Lock(path string) (unlock func(), err error) {
	lk := flock.New(path+".lock", flock.SetPermissions(DefaultPerm))
	if err := lk.Lock(); err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { _ = lk.Close() }, nil
}

// Stream is a file being written as its content is produced; Commit puts it in place of path
// atomically, and Abort leaves path as it was. Write writes through one too.
type Stream struct {
	tmp         *os.File
	unlock      func()
	dir, target string
	sync        bool
	err         error
}

// Create starts a Stream replacing path (no symlinks followed, no backup: for datatui's own
// state files). A new file gets opts.Perm.
func Create(path string, opts Options) (*Stream, error) {
	perm := opts.Perm
	if perm == 0 {
		perm = DefaultPerm
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	RemoveLeftovers(path)
	return openStream(dir, base, path, perm, !opts.NoSync)
}

// openStream creates base's temporary file in dir, of mode perm, to be renamed to dst.
func openStream(dir, base, dst string, perm fs.FileMode, sync bool) (*Stream, error) {
	tmp, unlock, err := createLocked(dir, base)
	if err != nil {
		return nil, err
	}
	s := &Stream{tmp: tmp, unlock: unlock, dir: dir, target: dst, sync: sync}
	hook("created", dst)
	if err := tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		s.Abort()
		return nil, err
	}
	return s, nil
}

// Write appends p. An error is kept for Commit, which then fails; Write itself reports it too.
func (s *Stream) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.tmp.Write(p)
	s.err = err
	return n, err
}

// Commit replaces the file with what was written, unless a write failed.
func (s *Stream) Commit() error {
	if s.tmp == nil {
		return errors.New("stream already ended")
	}
	if s.err == nil && s.sync {
		s.err = s.tmp.Sync()
	}
	if s.err == nil {
		hook("synced", s.target)
	}
	if err := s.tmp.Close(); s.err == nil {
		s.err = err
	}
	name := s.tmp.Name()
	s.tmp = nil
	defer s.unlock()
	if s.err == nil {
		s.err = os.Rename(name, s.target)
	}
	if s.err != nil {
		os.Remove(name)
		return s.err
	}
	hook("renamed", s.target)
	if s.sync {
		syncDir(s.dir)
	}
	return nil
}

// Abort removes what was written; the file stays as it was.
func (s *Stream) Abort() {
	if s.tmp == nil {
		return
	}
	s.tmp.Close()
	os.Remove(s.tmp.Name())
	s.tmp = nil
	s.unlock()
}
