//go:build unix

package atomicfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The tests below run this test binary again as a writer that the test then kills or starves
// of disk space: real processes, real signals, real kernel errors.
const helperEnv = "ATOMICFILE_TEST_HELPER"

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "loop":
		helperLoop(os.Args[len(os.Args)-1])
	case "stop":
		helperStop(os.Args[len(os.Args)-2], os.Args[len(os.Args)-1])
	case "fsize":
		helperFsize(os.Args[len(os.Args)-1])
	}
	os.Exit(m.Run())
}

// version is the content of write number n: large enough that a kill often lands mid-write.
func version(n int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("version %d\n", n)), 50_000)
}

// helperLoop writes version 1, 2, 3… to path forever, saying "wrote N" after each.
func helperLoop(path string) {
	for n := 1; ; n++ {
		if _, err := Write(path, version(n), Options{}); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("wrote", n)
	}
}

// helperStop writes version 2 over path (with a backup) and stops at the given stage of the
// write ("backup …" for the backup's), where the test kills it.
func helperStop(stage, path string) {
	testHook = func(s, dst string) {
		if dst != path {
			s = "backup " + s
		}
		if s == stage {
			fmt.Println("at", s)
			select {}
		}
	}
	_, err := Write(path, version(2), Options{Backup: true})
	fmt.Println("result", err)
	os.Exit(0)
}

// helperFsize limits the size of files this process may write below the new content, then
// tries to write it: the kernel refuses the write, as on a full disk.
func helperFsize(path string) {
	limit := uint64(len(version(2)) / 2)
	if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		fmt.Println("setrlimit", err)
		os.Exit(3)
	}
	_, err := Write(path, version(2), Options{Backup: true})
	fmt.Println("result", err)
	os.Exit(0)
}

func helper(mode string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$"}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	return cmd
}

// TestKill9DuringWrites kills a writer at varied points (after 1, 2, 3… whole writes, so the
// kill lands anywhere in the next one): the file always holds one whole version, and the
// next write removes what the killed one left behind.
func TestKill9DuringWrites(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.yml")
	if _, err := Write(path, version(0), Options{}); err != nil {
		t.Fatal(err)
	}
	leftovers := 0
	for iter := range 6 {
		cmd := helper("loop", path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		for seen := 0; seen <= iter && sc.Scan(); {
			if strings.HasPrefix(sc.Text(), "wrote") {
				seen++
			} else {
				t.Fatalf("writer: %s", sc.Text())
			}
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := bytes.Cut(b, []byte("\n"))
		n, err := strconv.Atoi(strings.TrimPrefix(string(first), "version "))
		if err != nil || !bytes.Equal(b, version(n)) {
			t.Fatalf("iteration %d: the file holds a torn write (%d bytes, starting %q)", iter, len(b), first)
		}
		entries, _ := os.ReadDir(dir)
		leftovers += len(entries) - 1

		if _, err := Write(path, version(0), Options{}); err != nil {
			t.Fatal(err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("iteration %d: left after the next write: %v", iter, entries)
		}
	}
	t.Logf("%d of 6 kills left a temporary file behind (all removed by the next write)", leftovers)
}

// TestKill9AtEachStage kills a write at each of its stages: before the rename the old file is
// whole (and a temporary file may be left), after it the new one is; the next write removes
// every leftover and its backup is whole.
func TestKill9AtEachStage(t *testing.T) {
	for _, stage := range []string{"backup created", "backup renamed", "created", "half-written", "synced", "renamed"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "profiles.yml")
			if err := os.WriteFile(path, version(1), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := helper("stop", stage, path)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(out)
			if !sc.Scan() || sc.Text() != "at "+stage {
				t.Fatalf("writer said %q", sc.Text())
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()

			want := version(1)
			if stage == "renamed" {
				want = version(2)
			}
			if b, _ := os.ReadFile(path); !bytes.Equal(b, want) {
				t.Fatalf("after a kill at %s the file is not the expected whole version (%d bytes)", stage, len(b))
			}
			if !strings.HasSuffix(stage, "renamed") {
				if entries, _ := os.ReadDir(dir); len(entries) < 2 {
					t.Fatalf("a kill at %s left no temporary file: the test tests nothing", stage)
				}
			}
			if _, err := Write(path, version(3), Options{}); err != nil {
				t.Fatal(err)
			}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				p := filepath.Join(dir, e.Name())
				got, _ := os.ReadFile(p)
				switch {
				case e.Name() == "profiles.yml" && bytes.Equal(got, version(3)):
				case strings.Contains(e.Name(), ".bak-") && bytes.Equal(got, version(1)):
				default:
					t.Errorf("after a kill at %s, then a write: %s (%d bytes)", stage, e.Name(), len(got))
				}
			}
		})
	}
}

// TestDiskFull: when the kernel refuses the write (file size limit, as with a full disk), the
// error comes back, the old file and its mode are as they were, and no temporary file or
// half backup is left.
func TestDiskFull(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.yml")
	old := version(1)[:1000]
	if err := os.WriteFile(path, old, 0o640); err != nil {
		t.Fatal(err)
	}
	out, err := helper("fsize", path).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	msg := string(out)
	if !strings.Contains(msg, "result ") || strings.Contains(msg, "result <nil>") {
		t.Fatalf("the write did not fail: %s", msg)
	}
	if !strings.Contains(msg, syscall.EFBIG.Error()) {
		t.Errorf("error does not say why: %s", msg)
	}
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b, old) {
		t.Error("the old file changed")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != "profiles.yml" && !strings.Contains(e.Name(), ".bak-") {
			t.Errorf("left behind: %s", e.Name())
		}
		if strings.Contains(e.Name(), ".bak-") {
			if b, _ := os.ReadFile(filepath.Join(dir, e.Name())); !bytes.Equal(b, old) {
				t.Errorf("backup %s is not the old file", e.Name())
			}
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
}
