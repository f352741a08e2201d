package mdtree

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
)

func TestTextStartAndDestination(t *testing.T) {
	src := []byte("## The `ref()` *macro* \\& more\n\nSee [the **docs**][d], <https://x.io> and mail <a@b.co>.\n\n[d]: https://docs.getdbt.com\n")
	doc := Parse(src)
	h := doc.FirstChild()
	if got := Text(h, src); got != "The ref() macro & more" {
		t.Errorf("heading text = %q", got)
	}
	if s := Start(h); !strings.HasPrefix(string(src[s:]), "The `ref()`") {
		t.Errorf("heading starts at %q", src[s:])
	}
	var links []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if d, ok := Destination(n, src); ok && entering {
			links = append(links, Text(n, src)+"|"+d+"|"+string(src[Start(n):Start(n)+2]))
		}
		return ast.WalkContinue, nil
	})
	want := []string{"the docs|https://docs.getdbt.com|th", "https://x.io|https://x.io|<h", "a@b.co|mailto:a@b.co|<a"}
	if strings.Join(links, "\n") != strings.Join(want, "\n") {
		t.Errorf("links:\n%s\nwant:\n%s", strings.Join(links, "\n"), strings.Join(want, "\n"))
	}
	if p := Start(h.NextSibling()); !strings.HasPrefix(string(src[p:]), "See [the") {
		t.Errorf("the paragraph starts at %q", src[p:])
	}
}
