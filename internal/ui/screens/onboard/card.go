package onboard

import (
	"context"
	"fmt"

	ob "github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/ui/common"
	"github.com/datatui/datatui/internal/workspace"
)

// CardLines is the Home card: how far onboarding got ("6 of 10 done") and what to do next,
// from the progress file (no check runs). Home calls it in a task.
func CardLines(_ context.Context, ws *workspace.Workspace, c *common.Common) ([]string, error) {
	st, err := ob.LoadProgress(ws)
	if err != nil {
		return nil, err
	}
	steps := ob.Steps(ob.NewEnv(ws))
	names := ob.Names(steps)
	done := st.Done(names)
	muted := func(s string) string {
		if c != nil && c.Styles != nil {
			return c.Styles.Muted.Render(s)
		}
		return s
	}
	if len(st.Steps) == 0 {
		return []string{"Not started yet.", muted("Open the Onboarding tab: it checks your laptop step by step, up to your first model built in your sandbox.")}, nil
	}
	lines := []string{fmt.Sprintf("%d of %d done", done, len(steps))}
	if done == len(steps) {
		return append(lines, "✓ You are set up to contribute."), nil
	}
	var todo []string
	for _, s := range steps {
		if r, ok := st.Steps[s.Name]; !ok || !r.Status.Passed() {
			todo = append(todo, ob.StatusIcon(r.Status)+" "+s.Title)
		}
	}
	if len(todo) > 4 {
		todo = append(todo[:3], fmt.Sprintf("… and %d more", len(todo)-3))
	}
	lines = append(lines, todo...)
	return append(lines, muted("Open the Onboarding tab to continue.")), nil
}
