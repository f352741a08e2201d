package ui

import (
	"context"
	"fmt"

	"github.com/datatui/datatui/guides"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// handbookCard summarises the handbook: how many guides, from where, and where to start.
func handbookCard(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
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
	st := c.Styles
	lines := []string{fmt.Sprintf("%d guides in %d sections", lib.Len(), len(lib.Sections()))}
	if team > 0 {
		lines[0] += fmt.Sprintf(" (%d from your team)", team)
	}
	if g, ok := lib.Get("getting-started"); ok {
		lines = append(lines, "New here? Start with "+st.Bold.Render(g.Title)+".")
	}
	lines = append(lines, st.Muted.Render("Press s on the Guides screen to search all of them."))
	for _, w := range lib.Warnings() {
		lines = append(lines, st.Warning.Render("! "+w))
	}
	return lines, nil
}
