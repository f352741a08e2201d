package checklog

import (
	"strings"

	"github.com/datatui/datatui/internal/termsafe"
)

// Clean makes one log line safe to draw. Logs come from CI machines and may hold colour
// codes or any control sequence (a test can print anything); a log must not be able to move
// the cursor, retitle the window or hide text. Complete escape sequences are removed, other
// control characters shown (termsafe.Log), and tabs become spaces so columns line up.
func Clean(line string) string {
	return termsafe.Line(strings.ReplaceAll(termsafe.Log(line), "\t", "    "))
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
