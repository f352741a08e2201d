package lazyre

import (
	"sync"
	"testing"
)

func TestCompiledOnFirstUseOnly(t *testing.T) {
	r := New(`^(\w+)-(\d+)$`)
	if r.re != nil {
		t.Fatal("compiled before use")
	}
	if r.String() != `^(\w+)-(\d+)$` || r.re != nil {
		t.Fatal("String compiled the pattern")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if m := r.FindStringSubmatch("abc-42"); len(m) != 3 || m[2] != "42" {
				t.Errorf("match %q", m)
			}
		})
	}
	wg.Wait()
	first := r.Re()
	if first == nil || r.Re() != first {
		t.Fatal("not compiled once")
	}
	if got := r.ReplaceAllString("x-1", "$2$1"); got != "1x" {
		t.Errorf("replace %q", got)
	}
	if !r.MatchString("a-1") || r.MatchString("a-b") || !r.Match([]byte("b-2")) {
		t.Error("match")
	}
}

func TestInvalidPatternPanicsOnUse(t *testing.T) {
	r := New(`(`) // declaring it is fine
	defer func() {
		if recover() == nil {
			t.Error("no panic for an invalid pattern")
		}
	}()
	r.MatchString("x")
}

// pkgLevel is initialised statically: no code runs for it at process start.
var pkgLevel = New(`a+`)

func TestPackageLevel(t *testing.T) {
	if !pkgLevel.MatchString("aa") {
		t.Error("package-level pattern")
	}
}
