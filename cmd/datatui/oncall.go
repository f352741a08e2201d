package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
)

func newOncallCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "oncall",
		Short: "Who is on call for the data now, and the open incidents of the data services",
		Long: `Asks PagerDuty who is on call now on the team's schedule (pagerduty.schedule in datatui.yml)
and until when, and lists the open (triggered or acknowledged) incidents of the data services
(pagerduty.services): failed loads and builds someone is already working on. Then where to ask
(help.channels).

The token is yours: PAGERDUTY_TOKEN (a PagerDuty REST API key; read-only is enough), else the
one datatui auth pagerduty login stored in the OS keyring. DATATUI_PAGERDUTY_API_URL points
datatui at another API URL (https://api.eu.pagerduty.com for EU accounts, a test server).

Exit status: 0 answered, 1 PagerDuty could not be asked, 3 not set up (no schedule or
services in datatui.yml, or no token).

--json prints {demo, schedule, schedule_url, oncall[{name, email, escalation_level, since,
until, url}], services[], incidents[{id, incident_number, title, status, urgency, created_at,
html_url, service{id, summary}, assignments[], acknowledgements[]}], warnings[], checked_at}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.workspace()
			if ws == nil {
				return err
			}
			svc := oncall.New(ws, oncall.Options{Keyring: openKeyring()})
			defer svc.Close()
			r, err := svc.Check(cmd.Context())
			if errors.Is(err, oncall.ErrNotConfigured) || errors.Is(err, pagerduty.ErrNoToken) {
				return withCode(3, err)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return a.writeJSON(r)
			}
			printOncall(a.stdout, r, ws.Config.Help, time.Now())
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	return cmd
}

func printOncall(w io.Writer, r *oncall.Report, help config.Help, now time.Time) {
	if r.Demo {
		fmt.Fprintf(w, "(%s: a recorded PagerDuty account of the demo workspace)\n\n", pddemo.Label)
	}
	if r.Schedule != "" {
		fmt.Fprintf(w, "On call now (%s):\n", r.Schedule)
		if len(r.OnCall) == 0 {
			fmt.Fprintln(w, "  nobody: the schedule has a gap now")
		}
		for _, p := range r.OnCall {
			line := "  " + p.Name
			if p.Email != "" {
				line += " <" + p.Email + ">"
			}
			line += fmt.Sprintf("  level %d", p.Level)
			if p.Until != nil {
				line += fmt.Sprintf(", until %s (in %s)", p.Until.Local().Format("Mon 15:04"), dbt.FormatAge(p.Until.Sub(now)))
			} else {
				line += ", always on call"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(r.Services) > 0 {
		if r.Schedule != "" {
			fmt.Fprintln(w)
		}
		if len(r.Incidents) == 0 {
			fmt.Fprintf(w, "No open incidents on %s.\n", strings.Join(r.Services, ", "))
		} else {
			fmt.Fprintf(w, "Open incidents on %s:\n", strings.Join(r.Services, ", "))
		}
		for _, in := range r.Incidents {
			fmt.Fprintf(w, "  #%d %s  (%s)\n", in.IncidentNumber, in.Title, in.Service.Summary)
			fmt.Fprintf(w, "        %s\n", oncall.IncidentState(in, now))
			if in.HTMLURL != "" {
				fmt.Fprintf(w, "        %s\n", in.HTMLURL)
			}
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "\nwarning: %s\n", warn)
	}
	if lines := help.Lines(); len(lines) > 0 {
		fmt.Fprintln(w)
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
}
