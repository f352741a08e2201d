package ui

import (
	"context"

	"github.com/datatui/datatui/internal/ui/common"
	guidesscreen "github.com/datatui/datatui/internal/ui/screens/guides"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/screens/lineage"
	"github.com/datatui/datatui/internal/ui/screens/prs"
	"github.com/datatui/datatui/internal/workspace"
)

// DefaultScreens is the app's screen set, in tab order.
func DefaultScreens(c *common.Common) []common.Screen {
	return []common.Screen{
		home.New(c, homeCards()),
		guidesscreen.New(c),
		prs.New(c),
		lineage.New(c),
	}
}

// homeCards are the capability cards on Home, in display order.
func homeCards() []home.Card {
	return []home.Card{
		{Title: "Onboarding", Screen: "onboard", Load: static("Checks your tools, GitHub access, Snowflake login, profiles.yml and sandbox, and walks you to a first build.")},
		{Title: "Handbook", Screen: "guides", Load: handbookCard},
		{Title: "Pull requests", Screen: "prs", Load: prs.CardLines},
		{Title: "Lineage", Screen: "lineage", Load: lineage.CardLines},
	}
}

// static is a card loader that always shows the same lines.
func static(lines ...string) func(context.Context, *workspace.Workspace, *common.Common) ([]string, error) {
	return func(context.Context, *workspace.Workspace, *common.Common) ([]string, error) { return lines, nil }
}
