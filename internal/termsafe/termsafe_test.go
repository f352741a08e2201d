package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// hostileSchema is the schema name of issue 11: it retitles the window (OSC 0, ended by BEL)
// and turns what follows red (SGR).
const hostileSchema = "evil\x1b]0;PWNED\x07\x1b[31mMARTS"

func TestLine(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "SANDBOX_ANN.marts", "SANDBOX_ANN.marts"},
		{"unicode kept", "jöhn · 数据 🧪", "jöhn · 数据 🧪"},
		{"hostile schema", hostileSchema, "evil␛]0;PWNED␇␛[31mMARTS"},
		{"newline and tab shown", "a\nb\tc", "a␊b␉c"},
		{"cr shown", "ok\rFAIL", "ok␍FAIL"},
		{"nul and del", "a\x00b\x7f", "a␀b␡"},
		{"c1 csi", "a\u009b31mb", "a<U+009B>31mb"},
		{"raw c1 byte", "a\x9b31mb", "a\ufffd31mb"},
		{"bidi override", "invoice\u202egpj.exe", "invoice<U+202E>gpj.exe"},
		{"isolates", "a\u2066b\u2069", "a<U+2066>b<U+2069>"},
		{"zero width space", "SANDBOX_\u200bANN", "SANDBOX_<U+200B>ANN"},
		{"bom", "\ufeffname", "<U+FEFF>name"},
		{"line separator", "a\u2028b", "a<U+2028>b"},
		{"zwj kept", "👩\u200d💻", "👩\u200d💻"},
		{"dcs", "\x1bP1$r\x1b\\", "␛P1$r␛\\"},
		{"apc pm sos", "\x1b_x\x1b^y\x1bXz", "␛_x␛^y␛Xz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if Safe(tt.in) != (tt.in == tt.want) {
				t.Errorf("Safe(%q) = %v", tt.in, Safe(tt.in))
			}
		})
	}
}

func TestTextKeepsLinesAndTabs(t *testing.T) {
	in := "line 1\r\n\tline 2\nline 3\rover\x1b[2K"
	want := "line 1\n\tline 2\nline 3␍over␛[2K"
	if got := Text(in); got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
}

func TestLogDropsSequencesShowsTheRest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"\x1b[32mOK\x1b[0m created sql view model", "OK created sql view model"},
		{"\x1b[1;31mERROR\x1b[0m\x1b[K", "ERROR"},
		{"title\x1b]0;PWNED\x07", "title"},
		{"incomplete \x1b[31", "incomplete ␛[31"},
		{"unterminated title \x1b]0;PWNED", "unterminated title ␛]0;PWNED"},
		{"hyperlink \x1b]8;;http://evil\x1b\\x\x1b]8;;\x1b\\", "hyperlink x"},
		{"dcs \x1bP1$r\x1b\\ apc \x1b_x\x1b\\ charset \x1b(B\x1b[m end", "dcs  apc  charset  end"},
		{"lone esc at end \x1b", "lone esc at end ␛"},
		{"c1 csi \u009b31m", "c1 csi <U+009B>31m"},
		{"a\r\nb", "a\nb"},
	}
	for _, tt := range tests {
		if got := Log(tt.in); got != tt.want {
			t.Errorf("Log(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// unsafeAt returns the index of the first byte or character a terminal would obey in s, or
// -1. keep lists the C0 controls allowed.
func unsafeAt(s string, keep string) int {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\ufffd"):
			return i
		case r < 0x20 && !strings.ContainsRune(keep, r), r == 0x7f, r >= 0x80 && r <= 0x9f:
			return i
		case Hidden(r):
			return i
		}
	}
	return -1
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{hostileSchema, "plain", "a\r\nb\tc", "\x1b[31;1mx\x1b[0m", "\x9b\xc2\x9b\u202e", "\x1bP\x1b\\", "\xff\xfe", "🧪\u200d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range []struct {
			name string
			fn   func(string) string
			keep string
		}{{"Line", Line, ""}, {"Text", Text, "\n\t"}, {"Log", Log, "\n\t"}} {
			out := c.fn(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s(%q) = %q is not valid UTF-8", c.name, s, out)
			}
			if i := unsafeAt(out, c.keep); i >= 0 {
				t.Fatalf("%s(%q) = %q keeps a control at byte %d", c.name, s, out, i)
			}
			if strings.ContainsRune(out, 0x1b) {
				t.Fatalf("%s(%q) = %q keeps ESC", c.name, s, out)
			}
			if again := c.fn(out); again != out {
				t.Fatalf("%s is not idempotent: %q then %q", c.name, out, again)
			}
		}
		if Safe(s) && Line(s) != s {
			t.Fatalf("Safe(%q) but Line changed it", s)
		}
		if Line(s) == s && !Safe(s) {
			t.Fatalf("Line(%q) kept it but Safe says no", s)
		}
	})
}

func BenchmarkLineSafe(b *testing.B) {
	s := strings.Repeat("SANDBOX_ANN.marts.fct_orders ", 4)
	for b.Loop() {
		Line(s)
	}
}

func BenchmarkLogColoured(b *testing.B) {
	s := "12:00:01  1 of 5 \x1b[32mOK\x1b[0m created sql view model marts.fct_orders ....... [\x1b[32mOK\x1b[0m in 0.42s]"
	for b.Loop() {
		Log(s)
	}
}

func TestWriter(t *testing.T) {
	var b strings.Builder
	w := Writer(&b)
	// "ö" split between two writes, a hostile name, a table row.
	for _, chunk := range []string{"j\xc3", "\xb6hn\n", "schema " + hostileSchema + "\n", "a\tb\r\n"} {
		if n, err := w.Write([]byte(chunk)); n != len(chunk) || err != nil {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if want := "jöhn\nschema evil␛]0;PWNED␇␛[31mMARTS\na\tb\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
