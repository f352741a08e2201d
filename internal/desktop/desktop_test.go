package desktop

import (
	"slices"
	"testing"
)

func TestEditorArgv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"VISUAL wins, as in git", map[string]string{"VISUAL": "code --wait", "EDITOR": "nano"}, []string{"code", "--wait", "/p/a.sql"}},
		{"EDITOR with arguments", map[string]string{"EDITOR": "  emacs -nw "}, []string{"emacs", "-nw", "/p/a.sql"}},
		{"blank VISUAL is unset", map[string]string{"VISUAL": " ", "EDITOR": "hx"}, []string{"hx", "/p/a.sql"}},
		{"neither: vi", nil, []string{"vi", "/p/a.sql"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EditorArgv(func(k string) string { return tc.env[k] }, "/p/a.sql")
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("EditorArgv = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := EditorArgv(func(string) string { return "" }, ""); err == nil {
		t.Fatal("an empty path was accepted")
	}
}

// TestSystemEdit: the command the UI runs is the person's editor with the file last.
func TestSystemEdit(t *testing.T) {
	s := system{getenv: func(k string) string { return map[string]string{"EDITOR": "nano -w"}[k] }}
	c, err := s.Edit("/p/a.sql")
	if err != nil {
		t.Fatal(err)
	}
	p := c.(process)
	if !slices.Equal(p.Args, []string{"nano", "-w", "/p/a.sql"}) {
		t.Fatalf("args = %q", p.Args)
	}
}

func TestRecorder(t *testing.T) {
	var r Recorder
	if err := r.Browse("https://github.com/acme/analytics/pull/7"); err != nil {
		t.Fatal(err)
	}
	c, err := r.Edit("/p/a.sql")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pages(), []string{"https://github.com/acme/analytics/pull/7"}) || !slices.Equal(r.Edited(), []string{"/p/a.sql"}) {
		t.Fatalf("pages %q edited %q", r.Pages(), r.Edited())
	}
}
