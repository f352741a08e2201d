package ui

import (
	"context"

	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/ui/common"
	guidesscreen "github.com/datatui/datatui/internal/ui/screens/guides"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/screens/lineage"
	onboardscreen "github.com/datatui/datatui/internal/ui/screens/onboard"
	"github.com/datatui/datatui/internal/ui/screens/prs"
	"github.com/datatui/datatui/internal/ui/screens/runs"
	"github.com/datatui/datatui/internal/ui/screens/sandbox"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// DefaultScreens is the app's screen set, in tab order: the contributor's day from first
// setup to a merged pull request.
func DefaultScreens(c *common.Common) []common.Screen {
	return []common.Screen{
		home.New(c, homeCards()),
		onboardscreen.New(c),
		guidesscreen.New(c),
		sandbox.New(c),
		prs.New(c),
		lineage.New(c),
		runs.New(c),
	}
}

// homeCards are the capability cards on Home, in display order.
func homeCards() []home.Card {
	return []home.Card{
		{Title: "Onboarding", Screen: "onboard", Load: byWorkspace(onboardscreen.CardLines), Topic: common.TopicOnboarding},
		{Title: "Handbook", Screen: "guides", Load: byWorkspace(handbookCard), Topic: common.TopicHandbook},
		{Title: "Sandbox", Screen: "sandbox", Load: byWorkspace(sandbox.CardLines), Topic: common.TopicSandbox},
		{Title: "Pull requests", Screen: "prs", Load: byWorkspace(prs.CardLines), Topic: common.TopicPullRequests},
		// The graph is the one the Lineage screen loaded (the shared store): after a dbt run
		// changes the artifacts the card rereads it, which costs one stat when nothing changed.
		{Title: "Lineage", Screen: "lineage", Load: lineage.CardLines, Topic: common.TopicArtifacts},
		{Title: "dbt runs", Screen: "runs", Load: byWorkspace(runs.CardLines), Topic: common.TopicRuns},
		// A freshness check is a dbt run, so the card reloads when a run finishes.
		{Title: "Source freshness", Guide: "data-freshness-and-alerts", Load: byWorkspace(freshnessCard), Topic: common.TopicRuns},
		{Title: "Who to ask", Guide: "office-hours-and-support", Load: byWorkspace(whoToAskCard)},
	}
}

// byWorkspace adapts a card that reads only the workspace's own files.
func byWorkspace(load func(context.Context, *workspace.Workspace) ([]styles.Line, error)) home.Loader {
	return func(ctx context.Context, svc *service.Services) ([]styles.Line, error) {
		return load(ctx, svc.Workspace())
	}
}
