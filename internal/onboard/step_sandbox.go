package onboard

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// sandboxStep is the onboarding step "Your sandbox exists" (StepSandbox).
func (e *Env) sandboxStep() *Step {
	return &Step{
		Name: StepSandbox, Title: "Your sandbox exists",
		Explain:  "Your sandbox is your own copy of the production data, cloned from the clone of prod. dbt builds your models there.",
		Guide:    "your-sandbox",
		Required: true, Timeout: 20 * time.Second,
		Needs: []string{StepWarehouse},
		Check: e.checkSandbox,
		Fix:   e.fixSandbox, FixTitle: "Create your sandbox (clone)",
	}
}

func (e *Env) checkSandbox(ctx context.Context) Result {
	if e.Sandbox == nil {
		return unknown("", "this check needs datatui's sandbox feature, which is not available in this build yet")
	}
	sb, err := e.Sandbox(ctx)
	switch {
	case err != nil && ctx.Err() != nil:
		return unknown("", "could not check: the warehouse did not answer in time")
	case err != nil:
		return failExplained("", "", err)
	case !sb.Exists:
		return fixable(fail("sandbox "+sb.Name, fmt.Sprintf("your sandbox %s does not exist yet: create it as a clone of %s (the fix does it)", sb.Name, e.cfg().Warehouse.CloneDatabase)))
	}
	return ok("sandbox "+sb.Name, orText(sb.Detail, "your sandbox exists"))
}

func (e *Env) fixSandbox(ctx context.Context, _ Input) error {
	if e.CreateSandbox == nil {
		return errors.New("creating the sandbox needs datatui's sandbox feature, which is not available in this build yet; ask your data team, or see the guide")
	}
	return e.CreateSandbox(ctx)
}
