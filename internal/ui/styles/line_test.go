package styles

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

func TestLineRendersRolesAtDrawTime(t *testing.T) {
	at := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	l := Line{Icon("pass"), Plain(" dbt build · "), Warn("1 warning"), Dim(" · "), Ago(at)}
	dark, light := New(true, false), New(false, false)
	now := at.Add(3 * time.Second)
	d, li := dark.Render(l, now), light.Render(l, now)
	if ansi.Strip(d) != "✓ dbt build · 1 warning · 3 seconds ago" || ansi.Strip(d) != l.Plain(now) {
		t.Fatalf("dark: %q", ansi.Strip(d))
	}
	if d == li {
		t.Fatal("the same line must draw differently on a light background")
	}
	if later := ansi.Strip(dark.Render(l, at.Add(2*time.Minute))); later != "✓ dbt build · 1 warning · 2 minutes ago" {
		t.Fatalf("relative time does not move on: %q", later)
	}
	if ts := l.Times(); len(ts) != 1 || !ts[0].Equal(at) {
		t.Fatalf("times %v", ts)
	}
}

func TestLineSpansAreTerminalSafe(t *testing.T) {
	l := Line{Plain("schema "), Code("evil\x1b]0;PWNED\x07\x1b[31m"), Dim(" by \u202eann")}
	want := "schema evil␛]0;PWNED␇␛[31m by <U+202E>ann"
	if got := l.Plain(time.Now()); got != want {
		t.Errorf("Plain = %q, want %q", got, want)
	}
	if got := ansi.Strip(New(true, true).Render(l, time.Now())); got != want {
		t.Errorf("Render = %q, want %q", got, want)
	}
}
