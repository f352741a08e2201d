package ui

import (
	"context"
	"fmt"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// handbookCard summarises the handbook: how many guides, from where, and where to start.
func handbookCard(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	lib := guides.Embedded()
	if ws != nil && ws.Config != nil && len(ws.Config.Guides) > 0 {
		lib = guides.Load(ws.Root, ws.Config.Guides)
	}
	team := 0
	for _, g := range lib.Guides() {
		if g.Team() {
			team++
		}
	}
	first := text.Plural(lib.Len(), "guide", "guides") + " in " + text.Plural(len(lib.Sections()), "section", "sections")
	if team > 0 {
		first += fmt.Sprintf(" (%d from your team)", team)
	}
	lines := []styles.Line{styles.Text(first)}
	if g, ok := lib.Get("getting-started"); ok {
		lines = append(lines, styles.Line{styles.Plain("New here? Start with "), styles.Strong(g.Title), styles.Plain(".")})
	}
	lines = append(lines, styles.Line{styles.Dim("Press s on the Guides screen to search all of them.")})
	for _, w := range lib.Warnings() {
		lines = append(lines, styles.Line{styles.Warn("! " + w)})
	}
	return lines, nil
}
