package onboard

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/datatui/datatui/internal/dbt/dbtyaml"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/safeyaml"
)

// ReportInfo is what the support report says about datatui itself.
type ReportInfo struct {
	Version string // datatui version
	Commit  string
	GoOS    string
	GoArch  string
}

// StatusIcon is the checklist symbol of a status (also used by the CLI table).
func StatusIcon(s Status) string {
	switch s {
	case StatusOK:
		return "✓"
	case StatusFail:
		return "✗"
	case StatusWarn:
		return "!"
	case StatusSkip:
		return "–"
	case StatusBlocked:
		return "○"
	}
	return "?"
}

// Report is a copy-pasteable support block: versions, which steps fail and why, the team's
// config and the dev target, with secrets removed and the home folder shortened to ~.
func Report(env *Env, outcomes []Outcome, info ReportInfo) string {
	var b strings.Builder
	home := env.Home()
	clean := func(s string) string {
		s = redact.String(s)
		if home != "" && home != "/" {
			s = strings.ReplaceAll(s, home, "~")
		}
		return s
	}
	b.WriteString("```text\n")
	b.WriteString("datatui doctor report\n")
	fmt.Fprintf(&b, "datatui: %s", orText(info.Version, "dev"))
	if info.Commit != "" {
		fmt.Fprintf(&b, " (%s)", info.Commit)
	}
	fmt.Fprintf(&b, "\nos: %s/%s\n", orText(info.GoOS, env.GOOS), info.GoArch)
	for _, o := range outcomes {
		if o.Step.Name == StepTools && o.Result.Checked != "" {
			fmt.Fprintf(&b, "tools: %s\n", clean(o.Result.Checked))
		}
	}
	if ws := env.Workspace; ws != nil {
		kind := "repository"
		if ws.Demo {
			kind = "demo workspace"
		}
		fmt.Fprintf(&b, "workspace: %s at %s (git: %v)\n", kind, clean(ws.ProjectDir), ws.InGit)
		if pf, err := dbtyaml.ReadProjectFile(ws.ProjectDir); err == nil {
			fmt.Fprintf(&b, "dbt project: %s, profile %s, require-dbt-version %q\n", pf.Name, pf.Profile, pf.RequireDBT)
		}
	}
	b.WriteString("\nsteps:\n")
	failing := 0
	for _, o := range outcomes {
		req := ""
		if !o.Step.Required {
			req = " (optional)"
		}
		b.WriteString(strings.TrimRight(fmt.Sprintf("  %s %-12s %-7s%s", StatusIcon(o.Result.Status), o.Step.Name, o.Result.Status, req), " ") + "\n")
		if !o.Result.Status.Passed() || o.Result.Status == StatusWarn {
			failing++
			for _, l := range strings.Split(clean(o.Result.Detail), "\n") {
				fmt.Fprintf(&b, "      %s\n", l)
			}
		}
	}
	if failing == 0 {
		b.WriteString("  every step passes\n")
	}

	if ws := env.Workspace; ws != nil && ws.ConfigPath != "" {
		if data, err := os.ReadFile(ws.ConfigPath); err == nil {
			fmt.Fprintf(&b, "\ndatatui.yml (%s, comments and secrets removed):\n", clean(ws.ConfigPath))
			b.WriteString(indent(clean(stripComments(string(data))), "  "))
		}
	}
	st := env.readProjectProfile()
	fmt.Fprintf(&b, "\nprofiles.yml: %s (%s)\n", clean(st.loc.Path), st.loc.Why)
	if st.found {
		fmt.Fprintf(&b, "target %s (secrets removed):\n", st.target)
		keys := make([]string, 0, len(st.t.Fields))
		for k := range st.t.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v := st.t.Fields[k]
			if redact.IsSecretKey(k) {
				v = "[redacted]"
			}
			fmt.Fprintf(&b, "  %s: %s\n", k, clean(v))
		}
		for _, k := range sortedKeys(st.t.Unrendered) {
			fmt.Fprintf(&b, "  %s: (not evaluated: %s)\n", k, clean(st.t.Unrendered[k]))
		}
	} else if st.err != nil {
		fmt.Fprintf(&b, "  %s\n", clean(st.err.Error()))
	} else {
		b.WriteString("  no target for this project yet\n")
	}
	b.WriteString("```\n")
	return b.String()
}

// stripComments drops YAML comments and blank lines, re-encoding through the YAML library
// when the file parses (so nothing a comment held reaches the report).
func stripComments(src string) string {
	var v yaml.MapSlice
	if err := safeyaml.Unmarshal([]byte(src), &v); err == nil {
		if out, err := yaml.Marshal(v); err == nil {
			return string(out)
		}
	}
	var lines []string
	for _, l := range strings.Split(src, "\n") {
		if t := strings.TrimSpace(l); t != "" && !strings.HasPrefix(t, "#") {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(prefix + l + "\n")
	}
	return b.String()
}
