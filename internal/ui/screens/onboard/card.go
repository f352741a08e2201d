package onboard

import (
	"context"
	"fmt"

	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is the Home card: how far onboarding got ("6 of 10 done") and what to do next,
// from the progress file (no check runs). Home calls it in a task, and again whenever this
// screen publishes common.TopicOnboarding, so the card and the tab never disagree.
func CardLines(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	st, err := ob.LoadProgress(ws)
	if err != nil {
		return nil, err
	}
	steps := ob.Steps(ob.NewEnv(ws))
	done := st.Done(ob.Names(steps))
	if len(st.Steps) == 0 {
		return []styles.Line{styles.Text("Not started yet."), {styles.Dim("Open the Onboarding tab: it checks your laptop step by step, up to your first model built in your sandbox.")}}, nil
	}
	lines := []styles.Line{styles.Text(fmt.Sprintf("%d of %d done", done, len(steps)))}
	if done == len(steps) {
		return append(lines, styles.Line{styles.Good("✓ You are set up to contribute.")}), nil
	}
	var todo []styles.Line
	for _, s := range steps {
		if r, ok := st.Steps[s.Name]; !ok || !r.Status.Passed() {
			todo = append(todo, styles.Line{styles.Plain(ob.StatusIcon(r.Status) + " " + s.Title)})
		}
	}
	if len(todo) > 4 {
		todo = append(todo[:3], styles.Text(fmt.Sprintf("… and %d more", len(todo)-3)))
	}
	lines = append(lines, todo...)
	return append(lines, styles.Line{styles.Dim("Open the Onboarding tab to continue.")}), nil
}
