package onboard

import (
	"context"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/redact"
)

// debugStep is the onboarding step "dbt debug passes" (StepDebug).
func (e *Env) debugStep() *Step {
	return &Step{
		Name: StepDebug, Title: "dbt debug passes",
		Explain:  "`dbt debug` checks the project, the profile and the connection in one go: the last check before your first build.",
		Guide:    "running-dbt-in-your-sandbox",
		Required: true, Timeout: 60 * time.Second,
		Needs: []string{StepProfile},
		Check: e.checkDebug,
	}
}

func (e *Env) checkDebug(ctx context.Context) Result {
	if !e.hasDBT() {
		return blockedBy(StepTools, "dbt is not installed")
	}
	args := []string{"debug"}
	if t := e.cfg().DBT.Target; t != "" {
		args = append(args, "--target", t)
	}
	out, stderr, err := e.runDBT(ctx, args...)
	text := redact.String(string(out) + string(stderr))
	checked := "dbt " + strings.Join(args, " ")
	if ctx.Err() != nil {
		return unknown(checked, "could not check: dbt debug did not finish in time (a slow warehouse login?)")
	}
	if err == nil && strings.Contains(text, "All checks passed!") {
		return ok(checked, "all checks passed")
	}
	var bad []string
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if strings.Contains(t, "ERROR") || strings.Contains(t, "FAIL") || strings.HasPrefix(t, "Error") || strings.Contains(t, "not found") {
			bad = append(bad, stripLogPrefix(t))
		}
	}
	if len(bad) == 0 {
		bad = []string{lastLines(text, 3)}
	}
	if len(bad) > 4 {
		bad = bad[:4]
	}
	return fail(checked, strings.Join(bad, "\n"))
}

// stripLogPrefix drops dbt's "12:01:02  " time prefix.
func stripLogPrefix(l string) string {
	if len(l) > 10 && l[2] == ':' && l[5] == ':' {
		return strings.TrimSpace(l[8:])
	}
	return l
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	for i := range lines {
		lines[i] = stripLogPrefix(strings.TrimSpace(lines[i]))
	}
	return strings.Join(lines, "\n")
}
