package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/onboard"
	"github.com/datatui/datatui/internal/onboard/live"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/workspace"
)

type doctorStepJSON struct {
	Step     string `json:"step"`
	Title    string `json:"title"`
	Status   string `json:"status"`
	Required bool   `json:"required"`
	Detail   string `json:"detail"`
	Raw      string `json:"raw,omitempty"`
	Checked  string `json:"checked,omitempty"`
	Guide    string `json:"guide"`
	Anchor   string `json:"anchor,omitempty"`
	// BlockedBy names the earlier step that must pass first (status "blocked").
	BlockedBy string `json:"blocked_by,omitempty"`
	Fixable   bool   `json:"fixable"`
	Fixed     bool   `json:"fixed,omitempty"`
	FixError  string `json:"fix_error,omitempty"`
}

type doctorJSON struct {
	OK    bool             `json:"ok"`
	Steps []doctorStepJSON `json:"steps"`
}

// doctorOptions are doctor's flags.
type doctorOptions struct {
	asJSON, fix, report, yes bool
	stepName                 string
	inputs                   []string
}

func newDoctorCmd(a *app) *cobra.Command {
	var o doctorOptions
	cmd := &cobra.Command{
		Use:   "doctor",
		Short: "Check this machine is set up to contribute (the onboarding checks)",
		Long: `doctor runs every onboarding check — tools, git and GitHub, the repository, the dbt
profile, the warehouse login, the sandbox, dbt deps, dbt debug, the first build, the
getting-started guide — concurrently, each with its own timeout, and prints what passed,
what failed and why, and the guide that explains it.

Exit status: 0 when every required step passes, 1 otherwise, 2 for a usage error.

--fix runs the fixes that need no input (installing dbt, dbt deps, pre-commit install, the
first build, creating the sandbox) for failing steps, then checks again; installing dbt
runs only with --yes (the commands are printed first). Fixes that need answers take
them from --input key=value (for example the profile: --step profile --input account=ab123
--input user=jane@example.com --input auth=externalbrowser --input warehouse=TRANSFORMING),
or use the Onboarding screen of the app.

--report prints a redacted block to paste into a support thread: versions, failing steps,
datatui.yml and the dev target with secrets removed.

A step that cannot pass before an earlier one does is "blocked" and names that step
instead of repeating its error. Network, certificate, sign-in and account errors are said in
plain words, with the guide section that helps; the error as the service gave it is kept in
the JSON's "raw".

JSON (--json): {"ok": bool, "steps": [{"step", "title", "status" (ok|fail|warn|skip|unknown|
blocked), "required", "detail", "raw", "checked", "guide", "anchor", "blocked_by", "fixable",
"fixed", "fix_error"}]}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runDoctor(cmd.Context(), o) },
	}
	f := cmd.Flags()
	f.BoolVar(&o.asJSON, "json", false, "print JSON (fields in the help above)")
	f.BoolVar(&o.fix, "fix", false, "run the fixes of failing steps, then check again")
	f.BoolVar(&o.yes, "yes", false, "with --fix: also run the fixes that ask first (installing dbt)")
	f.BoolVar(&o.report, "report", false, "print a redacted support block to paste into a support thread")
	f.StringVar(&o.stepName, "step", "", "check only this step ("+strings.Join(onboard.StepNames(), ", ")+")")
	f.StringArrayVar(&o.inputs, "input", nil, "key=value answers for a fix that needs them (repeatable)")
	return cmd
}

// runDoctor checks the steps (fixing what --fix may), records the progress and prints the
// outcome as a report, JSON or a table.
func (a *app) runDoctor(ctx context.Context, o doctorOptions) error {
	ws, err := a.workspace()
	var cerr *config.Error
	if err != nil && !errors.As(err, &cerr) {
		return err
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "datatui: %v (checking with the defaults; read-only: no fix that writes runs until it is fixed)\n", err)
	}
	env := onboard.NewEnv(ws)
	live.Wire(env)
	steps, err := doctorSteps(env, o.stepName)
	if err != nil {
		return err
	}
	in, err := doctorInputs(o.inputs)
	if err != nil {
		return err
	}
	outcomes := onboard.ResolveAll(onboard.CheckAll(ctx, steps))
	fixes := map[string]error{}
	if o.fix {
		outcomes = a.fixAndRecheck(ctx, outcomes, in, o.yes, fixes)
	}
	if ws != nil && ws.StateDir != "" {
		// Progress is a convenience; the checks' answer stands without it.
		_ = onboard.RecordOutcomes(ws, outcomes, env.Now(), false)
	}
	allOK := onboard.AllRequiredPassed(outcomes)
	switch {
	case o.report:
		v := currentVersion()
		fmt.Fprint(a.stdout, onboard.Report(env, outcomes, onboard.ReportInfo{Version: v.Version, Commit: v.Commit, GoOS: v.OS, GoArch: v.Arch}))
		fmt.Fprintln(a.stdout)
		for _, l := range reportHelp(ws) {
			fmt.Fprintln(a.stdout, l)
		}
	case o.asJSON:
		if err := a.writeJSON(doctorJSONOf(outcomes, fixes, allOK)); err != nil {
			return err
		}
	default:
		printDoctorTable(a.stdout, outcomes, fixes)
		printDoctorVerdict(a.stdout, allOK, o.fix)
	}
	if !allOK {
		return silentExit(1)
	}
	return nil
}

// doctorSteps are every onboarding step, or only the one --step names.
func doctorSteps(env *onboard.Env, name string) ([]*onboard.Step, error) {
	steps := onboard.Steps(env)
	if name == "" {
		return steps, nil
	}
	s, ok := onboard.Find(steps, name)
	if !ok {
		return nil, withCode(2, fmt.Errorf("unknown step %q (steps: %s)", name, strings.Join(onboard.Names(steps), ", ")))
	}
	return []*onboard.Step{s}, nil
}

// doctorInputs reads the --input key=value answers.
func doctorInputs(inputs []string) (onboard.Input, error) {
	in := onboard.Input{}
	for _, kv := range inputs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, withCode(2, fmt.Errorf("--input %q: write key=value", kv))
		}
		in[k] = v
	}
	return in, nil
}

// fixAndRecheck runs the fix of every failing step that has one, records each fix's error in
// fixes, and checks the fixed steps again.
func (a *app) fixAndRecheck(ctx context.Context, outcomes []onboard.Outcome, in onboard.Input, yes bool, fixes map[string]error) []onboard.Outcome {
	var again []*onboard.Step
	for _, o := range outcomes {
		s := o.Step
		if o.Result.Status.Passed() || o.Result.Status == onboard.StatusBlocked || !s.Fixable() || !o.Result.Fixable {
			continue
		}
		if err := a.mayFix(s, in, yes); err != nil {
			fixes[s.Name] = err
			continue
		}
		fixes[s.Name] = s.Fix(onboard.WithOutput(ctx, func(l string) { fmt.Fprintln(a.stderr, "  "+termsafe.Line(redact.String(l))) }), in)
		again = append(again, s)
	}
	for _, o := range onboard.CheckAll(ctx, again) {
		for i := range outcomes {
			if outcomes[i].Step == o.Step {
				outcomes[i] = o
			}
		}
	}
	return onboard.ResolveAll(outcomes)
}

// mayFix decides whether step s's fix may run with the answers in: it needs its answers, and
// a fix the wizard asks about first needs --yes. It prints the change (and what will run) as
// the wizard shows it.
func (a *app) mayFix(s *onboard.Step, in onboard.Input, yes bool) error {
	if s.Fields != nil && !answersFor(s, in) {
		return fmt.Errorf("this fix needs answers: pass them with --input key=value (%s), or use the Onboarding screen", fieldKeys(s))
	}
	if s.Preview != nil {
		// The change is printed before it is written, as the wizard shows it.
		c, err := s.Preview(in)
		if err != nil {
			return err
		}
		fmt.Fprintln(a.stderr, strings.TrimSuffix(c.Title, "?"))
		for _, l := range c.Lines {
			fmt.Fprintln(a.stderr, "  "+termsafe.Line(l))
		}
	}
	if s.Confirm != nil {
		// The wizard asks before these; here --yes is the answer.
		c, err := s.Confirm()
		if err != nil {
			return err
		}
		if !yes {
			return fmt.Errorf("%s %s; run doctor --fix --yes to let it, or use the Onboarding screen", strings.TrimSuffix(c.Title, "?"), strings.Join(c.Lines, " "))
		}
		fmt.Fprintln(a.stderr, c.Title)
		for _, l := range c.Lines {
			fmt.Fprintln(a.stderr, "  "+l)
		}
	}
	return nil
}

// doctorJSONOf is doctor's --json answer, secrets redacted.
func doctorJSONOf(outcomes []onboard.Outcome, fixes map[string]error, allOK bool) doctorJSON {
	out := doctorJSON{OK: allOK, Steps: []doctorStepJSON{}}
	for _, o := range outcomes {
		j := doctorStepJSON{
			Step: o.Step.Name, Title: o.Step.Title, Status: string(o.Result.Status), Required: o.Step.Required,
			Detail: redact.String(o.Result.Detail), Raw: redact.String(o.Result.Raw), Checked: redact.String(o.Result.Checked),
			Guide: o.Step.Guide, Anchor: o.Step.Anchor, BlockedBy: o.Result.BlockedBy,
			Fixable: o.Step.Fixable() && o.Result.Fixable && o.Result.Status != onboard.StatusBlocked,
		}
		if o.Result.Guide != "" {
			j.Guide, j.Anchor = o.Result.Guide, o.Result.Anchor
		}
		if ferr, tried := fixes[o.Step.Name]; tried {
			j.Fixed = ferr == nil
			if ferr != nil {
				j.FixError = redact.String(ferr.Error())
			}
		}
		out.Steps = append(out.Steps, j)
	}
	return out
}

// printDoctorVerdict ends the table with what to do next.
func printDoctorVerdict(w io.Writer, allOK, fixed bool) {
	switch {
	case allOK:
		fmt.Fprintln(w, "\nEvery required step passes.")
	case fixed:
		// The fixes have run: advising --fix again would send the user in a circle.
		fmt.Fprintln(w, "\nSome required steps still fail: each one above says what to do, and the Onboarding screen (datatui) walks you through them.")
	default:
		fmt.Fprintln(w, "\nSome required steps fail: fix them in the Onboarding screen (datatui), or with datatui doctor --fix.")
	}
}

// answersFor reports whether in answers at least one of the step's questions: answers meant
// for another step's fix must not run this one.
func answersFor(s *onboard.Step, in onboard.Input) bool {
	required := false
	for _, f := range s.Fields() {
		if _, ok := in[f.Key]; ok {
			return true
		}
		required = required || !f.Optional
	}
	return !required // a fix whose answers all have defaults (the first build's model)
}

func fieldKeys(s *onboard.Step) string {
	var keys []string
	for _, f := range s.Fields() {
		keys = append(keys, f.Key)
	}
	return strings.Join(keys, ", ")
}

func printDoctorTable(w io.Writer, outcomes []onboard.Outcome, fixes map[string]error) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STEP\tSTATUS\tDETAIL\tGUIDE")
	for _, o := range outcomes {
		var lines []string
		for _, l := range strings.Split(redact.String(o.Result.Detail), "\n") {
			lines = append(lines, wrapWords(l, 72)...)
		}
		status := onboard.StatusIcon(o.Result.Status) + " " + string(o.Result.Status)
		if !o.Step.Required {
			status += " (optional)"
		}
		guide := o.Step.Guide
		if o.Result.Guide != "" {
			guide = o.Result.Guide
		}
		if a := orAnchor(o); a != "" {
			guide += "#" + a
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Step.Name, status, lines[0], guide)
		for _, l := range lines[1:] {
			fmt.Fprintf(tw, "\t\t%s\t\n", l)
		}
		if err, tried := fixes[o.Step.Name]; tried {
			if err != nil {
				fmt.Fprintf(tw, "\t\tfix failed: %s\t\n", redact.String(err.Error()))
			} else {
				fmt.Fprintf(tw, "\t\tfixed\t\n")
			}
		}
	}
	tw.Flush()
}

// orAnchor is the guide section of the outcome: the failure's own, else the step's.
func orAnchor(o onboard.Outcome) string {
	if o.Result.Guide != "" {
		return o.Result.Anchor
	}
	return o.Step.Anchor
}

// wrapWords breaks s into lines of at most width columns at spaces (a longer word, such as a
// path, stays whole on its own line).
func wrapWords(s string, width int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	cur := words[0]
	for _, w := range words[1:] {
		if len([]rune(cur))+1+len([]rune(w)) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		cur += " " + w
	}
	return append(lines, cur)
}

// reportHelp says where the report goes: the team's help channel and office hours from
// datatui.yml, or that the team can name them there.
func reportHelp(ws *workspace.Workspace) []string {
	if ws != nil && ws.Config != nil {
		if lines := ws.Config.Help.ReportLines(); len(lines) > 0 {
			return lines
		}
	}
	return []string{"Paste this report in your data team's help channel (datatui.yml can name it: help.channels)."}
}
