package text

import (
	"path/filepath"
	"strings"
)

// HomePath writes p the way a shell prompt does: under home it starts with "~" ("~/.local/
// state/datatui/demo/project"), so a path fits a card and never shows the user's home
// directory in a screenshot or a shared capture. Other paths are returned as they are.
func HomePath(p, home string) string {
	if home == "" || p == "" {
		return p
	}
	home = filepath.Clean(home)
	if home == string(filepath.Separator) {
		return p
	}
	clean := filepath.Clean(p)
	if clean == home {
		return "~"
	}
	if rest, ok := strings.CutPrefix(clean, home+string(filepath.Separator)); ok {
		return "~" + string(filepath.Separator) + rest
	}
	return p
}
