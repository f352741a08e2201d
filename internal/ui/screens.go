package ui

import (
	"github.com/datatui/datatui/internal/ui/common"
	guidesscreen "github.com/datatui/datatui/internal/ui/screens/guides"
	"github.com/datatui/datatui/internal/ui/screens/home"
	"github.com/datatui/datatui/internal/ui/screens/lineage"
	onboardscreen "github.com/datatui/datatui/internal/ui/screens/onboard"
	"github.com/datatui/datatui/internal/ui/screens/prs"
	"github.com/datatui/datatui/internal/ui/screens/runs"
	"github.com/datatui/datatui/internal/ui/screens/sandbox"
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
		{Title: "Onboarding", Screen: "onboard", Load: onboardscreen.CardLines, Topic: common.TopicOnboarding},
		{Title: "Handbook", Screen: "guides", Load: handbookCard, Topic: common.TopicHandbook},
		{Title: "Sandbox", Screen: "sandbox", Load: sandbox.CardLines, Topic: common.TopicSandbox},
		{Title: "Pull requests", Screen: "prs", Load: prs.CardLines, Topic: common.TopicPullRequests},
		{Title: "Lineage", Screen: "lineage", Load: lineage.CardLines, Topic: common.TopicLineage},
		{Title: "dbt runs", Screen: "runs", Load: runs.CardLines, Topic: common.TopicRuns},
		// A freshness check is a dbt run, so the card reloads when a run finishes.
		{Title: "Source freshness", Guide: "data-freshness-and-alerts", Load: freshnessCard, Topic: common.TopicRuns},
		{Title: "Who to ask", Guide: "office-hours-and-support", Load: whoToAskCard},
	}
}
