package ui

import (
	"context"
	"errors"
	"time"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/ui/components/text"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

// freshnessShown is how many stale sources the card names before "+N more".
const freshnessShown = 3

// freshnessCard is what the last `dbt source freshness` found (target/sources.json): the
// stale sources, worst first, with the thresholds they broke. It reads one small file and
// never runs dbt; `datatui freshness` (or dbt itself) writes the file.
func freshnessCard(_ context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	if ws == nil {
		return nil, nil
	}
	sf, err := dbt.LoadSourceFreshness(ws.TargetDir())
	if errors.Is(err, dbt.ErrNoSources) {
		return []styles.Line{
			styles.Text("No freshness check yet."),
			{styles.Dim("Run "), styles.Code("datatui freshness"), styles.Dim(" to ask dbt how old each source's newest row is.")},
		}, nil
	}
	if err != nil {
		return nil, err
	}
	var lines []styles.Line
	if ws.Demo {
		lines = append(lines, styles.Line{styles.Dim("Demo data: a recorded freshness check.")})
	}
	stale := sf.Stale()
	if len(stale) == 0 {
		lines = append(lines, styles.Line{styles.Icon("pass"), styles.Plain(" " + sf.Summary())})
	} else {
		lines = append(lines, styles.Text(text.Plural(len(stale), "source", "sources")+" stale:"))
		for i := range stale {
			if i == freshnessShown {
				lines = append(lines, styles.Line{styles.Dim("+" + text.Plural(len(stale)-freshnessShown, "more source", "more sources"))})
				break
			}
			lines = append(lines, styles.Line{styles.Icon(freshnessIcon(stale[i].Status)), styles.Plain(" " + stale[i].Headline())})
		}
	}
	if failed := sf.Counts()[dbt.FreshnessRuntimeError]; failed > 0 && len(stale) > 0 {
		lines = append(lines, styles.Line{styles.Warn(text.Plural(failed, "source", "sources") + " could not be checked")})
	}
	if !sf.GeneratedAt.IsZero() {
		lines = append(lines, styles.Line{styles.Dim("checked "), styles.Ago(sf.GeneratedAt), styles.Dim("; ages are as of that check")})
	}
	return lines, nil
}

// freshnessIcon maps a freshness status onto the status icons every screen shares.
func freshnessIcon(status string) string {
	switch status {
	case dbt.FreshnessError, dbt.FreshnessRuntimeError:
		return "error"
	case dbt.FreshnessWarn:
		return "warn"
	}
	return "pass"
}

// onCallTimeout bounds the card's PagerDuty calls: Home must settle even when the API hangs.
const onCallTimeout = 10 * time.Second

// whoToAskCard answers "who do I ask?": who is on call now and the open incidents of the
// data services (PagerDuty, when datatui.yml names a schedule or services), then the team's
// help channels and office hours. Each half works without the other.
func whoToAskCard(ctx context.Context, ws *workspace.Workspace) ([]styles.Line, error) {
	return whoToAsk(ctx, ws, oncall.Options{Keyring: credstore.OS()})
}

func whoToAsk(ctx context.Context, ws *workspace.Workspace, opts oncall.Options) ([]styles.Line, error) {
	if ws == nil || ws.Config == nil {
		return nil, nil
	}
	var lines []styles.Line
	svc := oncall.New(ws, opts)
	defer svc.Close()
	if svc.Configured() {
		ctx, cancel := context.WithTimeout(ctx, onCallTimeout)
		defer cancel()
		r, err := svc.Check(ctx)
		switch {
		case errors.Is(err, pagerduty.ErrNoToken):
			lines = append(lines, styles.Line{styles.Dim("On call: sign in with "), styles.Code("datatui auth pagerduty login"), styles.Dim(" to see who it is.")})
		case err != nil:
			lines = append(lines, styles.Line{styles.Warn("On call: PagerDuty could not be asked: " + err.Error())})
		default:
			lines = append(lines, onCallLines(r, opts.Now)...)
		}
	}
	// The card names each channel and what it is for; the links are in `datatui oncall`, the
	// guide enter opens and the end of a doctor report.
	for _, c := range ws.Config.Help.Channels {
		l := styles.Line{styles.Plain("Ask in "), styles.Strong(c.Name)}
		if c.For != "" {
			l = append(l, styles.Plain(": "+c.For))
		}
		lines = append(lines, l)
	}
	if oh := ws.Config.Help.OfficeHours; oh != "" {
		lines = append(lines, styles.Text("Office hours: "+oh))
	}
	if len(lines) == 0 {
		lines = append(lines, styles.Line{styles.Dim("datatui.yml names no help channels or on-call schedule (help:, pagerduty:).")})
	}
	return lines, nil
}

func onCallLines(r *oncall.Report, now func() time.Time) []styles.Line {
	if now == nil {
		now = time.Now
	}
	t := now()
	var lines []styles.Line
	if r.Demo {
		lines = append(lines, styles.Line{styles.Dim("Demo data: a recorded PagerDuty account.")})
	}
	if r.Schedule != "" {
		if p, ok := r.First(); ok {
			l := styles.Line{styles.Plain("On call: "), styles.Strong(p.Name)}
			if p.Until != nil {
				l = append(l, styles.Plain(" until "+p.Until.Local().Format("Mon 15:04")))
			}
			lines = append(lines, l)
		} else {
			lines = append(lines, styles.Line{styles.Warn("On call: nobody (the schedule has a gap now)")})
		}
	}
	for _, in := range r.Incidents {
		lines = append(lines, styles.Line{styles.Icon(incidentIcon(in.Status)), styles.Plain(" " + in.Title + " · " + oncall.IncidentState(in, t))})
	}
	if len(r.Services) > 0 && len(r.Incidents) == 0 {
		lines = append(lines, styles.Line{styles.Icon("pass"), styles.Plain(" No open incidents on the data services.")})
	}
	for _, w := range r.Warnings {
		lines = append(lines, styles.Line{styles.Warn("! " + w)})
	}
	return lines
}

// incidentIcon: a triggered incident nobody has taken is an error; an acknowledged one is in
// hand (a warning).
func incidentIcon(status string) string {
	if status == "triggered" {
		return "error"
	}
	return "warn"
}
