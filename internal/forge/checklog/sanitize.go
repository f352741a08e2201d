package checklog

import (
	"strings"
	"unicode/utf8"

	"github.com/datatui/datatui/internal/lazyre"
)

// Logs come from CI machines and may hold colour codes or any control sequence (a test can
// print anything). They are shown in a terminal, so escape sequences and control characters
// are removed: a log must not be able to move the cursor, retitle the window or hide text.
var escapeSeq = lazyre.New(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b[@-Z\\-_]`)

// Clean returns line without escape sequences and control characters (tabs become spaces).
func Clean(line string) string {
	if !utf8.ValidString(line) {
		line = strings.ToValidUTF8(line, "")
	}
	if !strings.ContainsFunc(line, isControl) {
		return line
	}
	line = escapeSeq.ReplaceAllString(line, "")
	line = strings.ReplaceAll(line, "\t", "    ")
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, line)
}

func isControl(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0)
}

func cleanAll(lines []string) []string {
	for i, l := range lines {
		lines[i] = Clean(l)
	}
	return lines
}

// cleanText cleans every line of a multi-line text, keeping the line breaks.
func cleanText(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.Join(cleanAll(lines), "\n")
}
