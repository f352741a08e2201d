package onboard

import (
	"context"
	"time"
)

// guideStep is the onboarding step that asks to read the getting-started guide (StepGuide).
func (e *Env) guideStep() *Step {
	return &Step{
		Name: StepGuide, Title: "Read \"Getting started with dbt development\"",
		Explain:  "A short tour of how the team works: from editing a model to a merged pull request. It is marked done when you open it in the guide reader.",
		Guide:    GettingStartedGuide,
		Required: false, Timeout: time.Second,
		Check: e.checkGuide,
	}
}

func (e *Env) checkGuide(_ context.Context) Result {
	if e.Workspace == nil {
		return fail("", "no workspace")
	}
	st, err := LoadProgress(e.Workspace)
	if err != nil {
		return unknown("", err.Error())
	}
	if st.GuideReadAt.IsZero() {
		return fail("progress", "not read yet: open it in the Guides screen, or read it with: datatui guide show "+GettingStartedGuide)
	}
	return ok("progress", "read on "+st.GuideReadAt.Local().Format("2 Jan 2006"))
}
