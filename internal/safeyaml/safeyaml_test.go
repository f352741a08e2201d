package safeyaml

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// typed is the kind of target go-yaml panics on: a struct with slices and maps, as datatui.yml
// and profiles.yml are read into.
type typed struct {
	Guides []string
	A      []string
	M      map[string][]string
	N      struct{ List []int }
}

// Inputs on which go-yaml v1.19.2 itself panics when decoding into typed (found by fuzzing
// internal/config, then reduced).
var panicking = []string{
	"guides:\n  !00\n000000",
	"a: !00\nb: 1",
	"a: !!map\n",
}

func TestPanicsBecomeErrors(t *testing.T) {
	for _, in := range panicking {
		t.Run(in, func(t *testing.T) {
			if !goYAMLPanics(in) {
				t.Fatalf("go-yaml no longer panics on %q: drop it from the list", in)
			}
			for name, err := range map[string]error{
				"Unmarshal": Unmarshal([]byte(in), &typed{}),
				"Decode":    Decode([]byte(in), &typed{}, yaml.Strict()),
			} {
				var e *Error
				if !errors.As(err, &e) || e.Panic == "" || !strings.Contains(err.Error(), "cannot say where") {
					t.Errorf("%s: want *Error, got %v", name, err)
				}
			}
		})
	}
}

// goYAMLPanics tells whether go-yaml panics on in, so that the list above stays a list of
// real panics.
func goYAMLPanics(in string) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	var v typed
	_ = yaml.Unmarshal([]byte(in), &v)
	return false
}

func TestDecodesLikeGoYAML(t *testing.T) {
	in := "guides: [a, b]\nm: {x: [c]}\nn: {list: [1, 2]}\n"
	var got, want typed
	if err := Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(in), &want); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Guides, ",") != "a,b" || got.M["x"][0] != "c" || len(got.N.List) != 2 {
		t.Fatalf("got %+v", got)
	}
	if err := Decode([]byte("# only a comment\n"), &got); !errors.Is(err, io.EOF) {
		t.Fatalf("a document of comments: want io.EOF, got %v", err)
	}
	if err := Decode([]byte("nope: 1\n"), &got, yaml.Strict()); err == nil || errors.As(err, new(*Error)) {
		t.Fatalf("an unknown key in strict mode: want go-yaml's error, got %v", err)
	}
	if _, err := ParseBytes([]byte("a: [1\n"), 0); err == nil {
		t.Fatal("ParseBytes accepted broken YAML")
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, in := range panicking {
		f.Add([]byte(in))
	}
	f.Add([]byte("guides: [a]\nm: {k: [v]}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var v typed
		_ = Unmarshal(data, &v)
		_ = Decode(data, &v, yaml.Strict())
		var a any
		_ = Unmarshal(data, &a, yaml.UseOrderedMap())
		_, _ = ParseBytes(data, 0)
	})
}

// TestDecodersGoThroughSafeyaml: no product code outside this package calls go-yaml's
// decoders directly.
func TestDecodersGoThroughSafeyaml(t *testing.T) {
	direct := regexp.MustCompile(`\b(yaml\.(Unmarshal|UnmarshalWithOptions|UnmarshalContext|NewDecoder|NodeToValue)|parser\.Parse(Bytes|File))\(`)
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || filepath.Base(filepath.Dir(path)) == "safeyaml" {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		if !strings.Contains(string(b), "github.com/goccy/go-yaml") {
			return nil
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d decodes YAML with go-yaml directly; use safeyaml: %s", path, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("only %d Go files found under %s", checked, root)
	}
}
