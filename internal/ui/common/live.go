package common

import tea "charm.land/bubbletea/v2"

// Topic names a piece of state that more than one view shows. The screen that changes it
// publishes the topic; the root delivers the news to every screen that subscribed, so Home's
// cards and other tabs update without polling and without a goroutine pub/sub.
type Topic string

const (
	// TopicRuns: a dbt run finished (the run history changed).
	TopicRuns Topic = "runs"
	// TopicSandbox: the sandbox was listed, refreshed or had a schema dropped.
	TopicSandbox Topic = "sandbox"
	// TopicOnboarding: an onboarding step was checked or fixed (progress changed).
	TopicOnboarding Topic = "onboarding"
	// TopicPullRequests: the pull requests and their checks were refreshed.
	TopicPullRequests Topic = "prs"
	// TopicLineage: the project's graph was reloaded.
	TopicLineage Topic = "lineage"
	// TopicArtifacts: dbt may have rewritten its artifacts (manifest, run results, catalog,
	// sources.json) — a run finished. Views of them ask the shared store again, which rereads
	// only the files that changed.
	TopicArtifacts Topic = "artifacts"
	// TopicHandbook: the handbook was reloaded, or a guide was read.
	TopicHandbook Topic = "handbook"
)

// ChangedMsg says that the state named by Topic changed. From is the publishing screen.
type ChangedMsg struct {
	Topic Topic
	From  string
}

// Publish returns the command that announces a change of topic by screen from. Publish after
// the new state is saved (the history written, the progress file updated): subscribers reload
// from it.
func Publish(from string, topic Topic) tea.Cmd {
	return func() tea.Msg { return ChangedMsg{Topic: topic, From: from} }
}

// Subscriber is a screen that shows state other screens own. The root sends it the
// ChangedMsg of the topics it lists, whichever screen is in front.
type Subscriber interface {
	Topics() []Topic
}
