package desktop

import (
	"slices"
	"testing"
)

func TestEditorArgv(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		line int
		want []string
	}{
		{"VISUAL wins, as in git", map[string]string{"VISUAL": "code --wait", "EDITOR": "nano"}, 0, []string{"code", "--wait", "/p/a.sql"}},
		{"EDITOR with arguments", map[string]string{"EDITOR": "  emacs -nw "}, 0, []string{"emacs", "-nw", "/p/a.sql"}},
		{"blank VISUAL is unset", map[string]string{"VISUAL": " ", "EDITOR": "hx"}, 0, []string{"hx", "/p/a.sql"}},
		{"neither: vi", nil, 0, []string{"vi", "/p/a.sql"}},
		// With a line, each editor family gets it its own way.
		{"vi at a line", nil, 42, []string{"vi", "+42", "/p/a.sql"}},
		{"nvim by path at a line", map[string]string{"EDITOR": "/usr/bin/nvim"}, 42, []string{"/usr/bin/nvim", "+42", "/p/a.sql"}},
		{"emacs keeps its flags", map[string]string{"EDITOR": "emacs -nw"}, 7, []string{"emacs", "-nw", "+7", "/p/a.sql"}},
		{"VS Code --goto", map[string]string{"VISUAL": "code --wait"}, 42, []string{"code", "--wait", "--goto", "/p/a.sql:42"}},
		{"Helix file:line", map[string]string{"EDITOR": "hx"}, 3, []string{"hx", "/p/a.sql:3"}},
		{"Sublime on Windows", map[string]string{"EDITOR": `C:\bin\subl.exe -w`}, 3, []string{`C:\bin\subl.exe`, "-w", "/p/a.sql:3"}},
		{"JetBrains --line", map[string]string{"EDITOR": "goland --wait"}, 9, []string{"goland", "--wait", "--line", "9", "/p/a.sql"}},
		{"an unknown editor gets the file only", map[string]string{"EDITOR": "ed"}, 42, []string{"ed", "/p/a.sql"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EditorArgv(func(k string) string { return tc.env[k] }, "/p/a.sql", tc.line)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("EditorArgv = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := EditorArgv(func(string) string { return "" }, "", 0); err == nil {
		t.Fatal("an empty path was accepted")
	}
}

// TestSystemEdit: the command the UI runs is the person's editor with the file last.
func TestSystemEdit(t *testing.T) {
	s := system{getenv: func(k string) string { return map[string]string{"EDITOR": "nano -w"}[k] }}
	c, err := s.Edit("/p/a.sql", 0)
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
	c, err := r.Edit("/p/a.sql", 12)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Run(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Pages(), []string{"https://github.com/acme/analytics/pull/7"}) || !slices.Equal(r.Edited(), []string{"/p/a.sql"}) || !slices.Equal(r.Lines(), []int{12}) {
		t.Fatalf("pages %q edited %q", r.Pages(), r.Edited())
	}
}
