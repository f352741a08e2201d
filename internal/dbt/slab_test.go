package dbt

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"unsafe"
)

func TestMakeSlab(t *testing.T) {
	for _, huge := range []bool{false, true} {
		for _, n := range []uint64{0, 1, 1000, 200_000} {
			s := makeSlab[Column](n, huge)
			if uint64(len(s)) != n {
				t.Fatalf("huge %v: %d columns, want %d", huge, len(s), n)
			}
			for i := range s {
				if s[i] != (Column{}) {
					t.Fatalf("huge %v: column %d of %d is not zero", huge, i, n)
				}
				s[i].Name = "x" // the slab is writable throughout
			}
		}
	}
	b := []byte(strings.Repeat("abc", 3<<20))
	for _, huge := range []bool{false, true} {
		s := copyString(b, huge)
		if s != string(b) {
			t.Fatalf("huge %v: the copy differs", huge)
		}
		b[0] = 'z'
		if s[0] != 'a' {
			t.Fatalf("huge %v: the string shares the caller's bytes", huge)
		}
		b[0] = 'a'
	}
}

// TestMakeSlabAdvisesHugePages: on Linux a large slab asked for on huge pages lies in a mapping
// the kernel has marked for them (VmFlags "hg" in /proc/self/smaps), and a small one or one
// not asked for does not. It runs in a process of its own: memory the collector took back from
// another test's slab keeps that slab's advice.
func TestMakeSlabAdvisesHugePages(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("huge page advice is Linux only")
	}
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		t.Skip("this kernel has no transparent huge pages")
	}
	if os.Getenv("DATATUI_SLAB_PROCESS") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMakeSlabAdvisesHugePages$", "-test.count=1")
		cmd.Env = append(os.Environ(), "DATATUI_SLAB_PROCESS=1")
		if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "PASS") {
			t.Fatalf("in a process of its own: %v\n%s", err, out)
		}
		return
	}
	cases := []struct {
		n    uint64
		huge bool
		want bool
	}{{8 << 20, false, false}, {64 << 10, true, false}, {8 << 20, true, true}}
	// All slabs stay alive until every one is checked: memory the collector took back from one
	// and gave to the next would keep the first one's advice.
	slabs := make([][]byte, len(cases))
	for k, c := range cases {
		slabs[k] = makeSlab[byte](c.n, c.huge)
	}
	for k, c := range cases {
		mid := uintptr(unsafe.Pointer(&slabs[k][len(slabs[k])/2]))
		if got := advisedHuge(t, mid); got != c.want {
			t.Errorf("%d bytes, huge %v: the middle of the slab is advised for huge pages: %v, want %v", c.n, c.huge, got, c.want)
		}
	}
	runtime.KeepAlive(slabs)
}

// advisedHuge reports whether the mapping holding addr has MADV_HUGEPAGE set.
func advisedHuge(t *testing.T, addr uintptr) bool {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		var lo, hi uintptr
		if n, _ := fmt.Sscanf(line, "%x-%x ", &lo, &hi); n == 2 && strings.Contains(line, " ") && !strings.HasSuffix(strings.Fields(line)[0], ":") {
			in = lo <= addr && addr < hi
			continue
		}
		if in && strings.HasPrefix(line, "VmFlags:") {
			return strings.Contains(" "+strings.TrimPrefix(line, "VmFlags:")+" ", " hg ")
		}
	}
	t.Fatalf("no mapping holds %#x", addr)
	return false
}
