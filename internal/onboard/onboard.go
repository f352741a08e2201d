// Package onboard holds the first-day onboarding steps: from a fresh laptop to a first model
// built in the contributor's own sandbox. Every step checks the machine for real (Check),
// some can repair what they found (Fix), and each points to the guide that explains it. The
// wizard screen and `datatui doctor` run the same steps.
package onboard

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Status is the outcome of a check.
type Status string

const (
	// StatusOK: the step is done.
	StatusOK Status = "ok"
	// StatusFail: the step is not done; Detail says why and what to do.
	StatusFail Status = "fail"
	// StatusWarn: done, with something the user should know (an admin role, an old tool).
	StatusWarn Status = "warn"
	// StatusSkip: the step does not apply here (a project without packages).
	StatusSkip Status = "skip"
	// StatusUnknown: the check could not run (timed out, needs something not available).
	StatusUnknown Status = "unknown"
	// StatusBlocked: an earlier step must pass first (Result.BlockedBy names it); the step's
	// own failure would only repeat that step's.
	StatusBlocked Status = "blocked"
)

// Passed reports whether the status counts as done: ok, warn or skip.
func (s Status) Passed() bool { return s == StatusOK || s == StatusWarn || s == StatusSkip }

// Result is what a check found.
type Result struct {
	Status Status `json:"status"`
	// Detail is what failed and why, and what to do about it (one or a few lines).
	Detail string `json:"detail"`
	// Checked says what was looked at ("git 2.43.0 at /usr/bin/git").
	Checked string `json:"checked,omitempty"`
	// Fixable is set by a check when the step's Fix would repair what it found (a missing
	// git identity, not a missing GitHub login).
	Fixable bool `json:"fixable,omitempty"`
	// Raw is the error as the tool or service gave it, when Detail says it in plain
	// language (redacted; the wizard shows it on a key, doctor --json as "raw").
	Raw string `json:"raw,omitempty"`
	// Guide and Anchor, when set, name the guide section that helps with this failure
	// (rather than the step's own guide): a TLS error points to the troubleshooting table.
	Guide  string `json:"guide,omitempty"`
	Anchor string `json:"anchor,omitempty"`
	// BlockedBy names the earlier step that must pass first (with StatusBlocked).
	BlockedBy string `json:"blocked_by,omitempty"`
	// Duration is how long the check took.
	Duration time.Duration `json:"-"`
}

// Field is one input a fix asks for. The wizard turns the fields into a form; the CLI reads
// them from flags. Values are never secrets: passwords are referenced through env vars.
type Field struct {
	Key     string
	Title   string
	Help    string
	Default string
	// Options, when set, restrict the value to one of them (a select); OptionLabels say
	// what an option means, in words (the option itself when missing).
	Options      []string
	OptionLabels map[string]string
	// Optional fields may be left empty.
	Optional bool
	// ShowWhen, when set, shows the field only when another field has one of these values
	// (e.g. the key path only for key-pair auth): map of field key to accepted values.
	ShowWhen map[string][]string
	// Check, when set, validates the value where it is typed: the form stays on the field
	// with the message, keeping what was typed.
	Check func(value string) error
	// HelpFor, when set, is the help computed from the answers so far (the sandbox name
	// from the user typed above); it replaces Help.
	HelpFor func(in Input) string
	// Notes say why an option is offered, by option (the first build's models).
	Notes map[string]string
}

// HelpWith is the field's help for the answers in.
func (f Field) HelpWith(in Input) string {
	if f.HelpFor != nil {
		return f.HelpFor(in)
	}
	return f.Help
}

// OptionLabel is the words the form shows for option o.
func (f Field) OptionLabel(o string) string {
	if l := f.OptionLabels[o]; l != "" {
		return l
	}
	return o
}

// Input holds the values for a fix's fields, by Field.Key.
type Input map[string]string

// Step is one onboarding step.
type Step struct {
	// Name is the stable id used by `doctor --step` and the progress file.
	Name string
	// Title is the checklist label.
	Title string
	// Explain says why the step matters, for someone new to all of it.
	Explain string
	// Guide is the slug of the guide that explains the step; Anchor a heading in it.
	Guide, Anchor string
	// Required steps must pass for doctor to exit 0.
	Required bool
	// Needs names the earlier steps this one cannot pass without: while one of them fails,
	// this step shows as blocked by it instead of repeating its error (see Blocker).
	Needs []string
	// Timeout bounds the check; a check that runs out shows as unknown ("could not check").
	Timeout time.Duration
	// Check looks at the machine. It must return promptly when ctx ends.
	Check func(ctx context.Context) Result
	// Fix repairs the step, when it can; nil when the user has to act.
	Fix func(ctx context.Context, in Input) error
	// Fields returns the inputs Fix needs (nil for most fixes). It may read files (the
	// current profile, to offer its values as defaults), so call it outside the UI loop.
	Fields func() []Field
	// FixTitle names what Fix does ("Install the dbt packages").
	FixTitle string
	// Confirm, when set, says exactly what Fix will do, to be asked before it runs (the
	// commands of an install). It may look at PATH and files, so call it outside the UI loop.
	Confirm func() (Confirmation, error)
	// Preview, when set, says what Fix will change for the answers in (the diff of
	// profiles.yml), to be shown before it runs; an error is a problem with the answers,
	// shown in the form. It reads files: call it outside the UI loop.
	Preview func(in Input) (Confirmation, error)
}

// Confirmation is the question asked before a fix: a title naming what happens, and one
// fact per line (each command, where things go).
type Confirmation struct {
	Title string
	Lines []string
	Verb  string
}

// Fixable reports whether the step has a fix.
func (s *Step) Fixable() bool { return s.Fix != nil }

// RunCheck runs the step's check with its timeout and turns a timeout or a panic into an
// unknown result, so one broken check never takes the others (or the app) down.
func (s *Step) RunCheck(ctx context.Context) (res Result) {
	start := time.Now()
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			res = Result{Status: StatusUnknown, Detail: fmt.Sprintf("the check failed unexpectedly: %v", r)}
		}
		res.Duration = time.Since(start)
	}()
	res = s.Check(ctx)
	switch {
	case res.Status.Passed():
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		res = Result{Status: StatusUnknown, Checked: res.Checked, Detail: fmt.Sprintf("could not check: no answer within %s", timeout)}
	case ctx.Err() != nil:
		res = Result{Status: StatusUnknown, Checked: res.Checked, Detail: "check cancelled"}
	}
	return res
}

// Outcome pairs a step with its result.
type Outcome struct {
	Step   *Step
	Result Result
}

// CheckAll runs the checks of steps concurrently, each with its own timeout, and returns the
// outcomes in the steps' order.
func CheckAll(ctx context.Context, steps []*Step) []Outcome {
	out := make([]Outcome, len(steps))
	var wg sync.WaitGroup
	for i, s := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = Outcome{Step: s, Result: s.RunCheck(ctx)}
		}()
	}
	wg.Wait()
	return out
}

// AllRequiredPassed reports whether every required step passed.
func AllRequiredPassed(outcomes []Outcome) bool {
	for _, o := range outcomes {
		if o.Step.Required && !o.Result.Status.Passed() {
			return false
		}
	}
	return true
}

// Find returns the step named name.
func Find(steps []*Step, name string) (*Step, bool) {
	for _, s := range steps {
		if s.Name == name {
			return s, true
		}
	}
	return nil, false
}

// Names lists the steps' names, for help texts and errors.
func Names(steps []*Step) []string {
	names := make([]string, len(steps))
	for i, s := range steps {
		names[i] = s.Name
	}
	return names
}

func ok(checked, detail string) Result {
	return Result{Status: StatusOK, Checked: checked, Detail: detail}
}

func fail(checked, detail string) Result {
	return Result{Status: StatusFail, Checked: checked, Detail: detail}
}

func warn(checked, detail string) Result {
	return Result{Status: StatusWarn, Checked: checked, Detail: detail}
}

func unknown(checked, detail string) Result {
	return Result{Status: StatusUnknown, Checked: checked, Detail: detail}
}

// fixable marks a failure the step's Fix repairs.
func fixable(r Result) Result {
	r.Fixable = true
	return r
}

func skip(checked, detail string) Result {
	return Result{Status: StatusSkip, Checked: checked, Detail: detail}
}
