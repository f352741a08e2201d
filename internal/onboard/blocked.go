package onboard

import (
	"fmt"
	"slices"
)

// blockedBy is the result of a check that cannot run because step name has not passed (git
// is missing, so the GitHub step cannot ask git who you are); why is what is missing there.
func blockedBy(name, why string) Result {
	return Result{Status: StatusBlocked, BlockedBy: name, Detail: why}
}

// Resolve is the result to show for steps[i], whose own check returned own: a failing step
// whose check named a blocker, or that needs an earlier step which has not passed (by
// Step.Needs, looked up in known), says which step blocks it and why, instead of repeating
// that step's error; the own error stays in Raw. Passing steps are shown as they are.
func Resolve(steps []*Step, i int, own Result, known func(name string) (Result, bool)) Result {
	if own.Status.Passed() {
		return own
	}
	by, why := "", ""
	if own.Status == StatusBlocked && own.BlockedBy != "" {
		by, why = own.BlockedBy, own.Detail
	} else {
		for _, n := range steps[i].Needs {
			if r, ok := known(n); ok && !r.Status.Passed() {
				by = n
				break
			}
		}
	}
	if by == "" {
		return own
	}
	num, title := 0, by
	for j, s := range steps {
		if s.Name == by {
			num, title = j+1, s.Title
		}
	}
	// Numbered as the wizard's checklist numbers them, also when only some steps ran.
	if j := slices.Index(StepNames(), by); j >= 0 {
		num = j + 1
	}
	detail := fmt.Sprintf("Waits for step %d, %q: do that step first, then this one is checked again.", num, title)
	if why != "" {
		detail = fmt.Sprintf("Waits for step %d, %q (%s): do that step first, then this one is checked again.", num, title, why)
	}
	raw := own.Raw
	if raw == "" && own.Status != StatusBlocked {
		raw = own.Detail
	}
	return Result{Status: StatusBlocked, BlockedBy: by, Detail: detail, Raw: raw, Checked: own.Checked, Duration: own.Duration}
}

// ResolveAll applies Resolve to outcomes (in the steps' order, as CheckAll returns them).
func ResolveAll(outcomes []Outcome) []Outcome {
	steps := make([]*Step, len(outcomes))
	byName := map[string]Result{}
	for i, o := range outcomes {
		steps[i] = o.Step
		byName[o.Step.Name] = o.Result
	}
	known := func(n string) (Result, bool) { r, ok := byName[n]; return r, ok }
	out := make([]Outcome, len(outcomes))
	for i, o := range outcomes {
		out[i] = Outcome{Step: o.Step, Result: Resolve(steps, i, o.Result, known)}
	}
	return out
}

// Next is the step to do next: the first required step that has not passed, else the first
// optional one; nil when every step passed. Steps without a known result count as not done.
func Next(steps []*Step, known func(name string) (Result, bool)) *Step {
	var optional *Step
	for _, s := range steps {
		if r, ok := known(s.Name); ok && r.Status.Passed() {
			continue
		}
		if s.Required {
			return s
		}
		if optional == nil {
			optional = s
		}
	}
	return optional
}
