package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/ops"
)

// freshnessJSON is `datatui freshness --json`.
type freshnessJSON struct {
	GeneratedAt time.Time             `json:"generated_at,omitzero"`
	DBTVersion  string                `json:"dbt_version,omitempty"`
	Results     []dbt.FreshnessResult `json:"results"`
	Summary     map[string]int        `json:"summary"`
	ExitCode    int                   `json:"exit_code"`
	Error       string                `json:"error,omitempty"`
	Demo        bool                  `json:"demo,omitempty"`
}

func newFreshnessCmd(a *app) *cobra.Command {
	var (
		asJSON, last bool
		selects      []string
	)
	cmd := &cobra.Command{
		Use:   "freshness",
		Short: "Check how fresh the sources are (dbt source freshness) and print the table",
		Long: `Runs dbt source freshness against your sandbox target, through the same runner and write
guard as datatui run (live progress on a terminal, the run added to the history), then prints
per source table: dbt's status (pass, warn, error, runtime error), when the newest row was
loaded, how old it was when dbt looked, and the warn_after and error_after thresholds.
--last prints the last check (target/sources.json) without running dbt.

Runtime errors (a missing loaded_at_field column) are taken from dbt's log: dbt leaves them
out of sources.json. The exit code is dbt's: 0 all pass or warn, 1 an error or runtime error,
2 dbt could not run.

--json prints {generated_at, dbt_version, results[{unique_id, name, status, max_loaded_at,
snapshotted_at, age_ns, warn_after{count, period}, error_after{count, period}, filter, error,
execution_time}], summary{status: count}, exit_code, error, demo}.`,
		Example: `  datatui freshness
  datatui freshness -s source:app
  datatui freshness --last --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := a.workspace()
			if ws == nil {
				return err
			}
			target := ws.TargetDir()
			out := freshnessJSON{}
			var sf *dbt.SourceFreshness
			if last {
				if sf, err = dbt.LoadSourceFreshness(target); err != nil {
					return err
				}
			} else {
				a.readOnlyBanner(ws)
				// The same runner as datatui run: the sandbox target pinned, the write guard
				// asked with the session's identity before dbt starts.
				r := a.services(ws).DBT()
				args := []string{"source", "freshness"}
				for _, s := range selects {
					args = append(args, "--select", s)
				}
				p := &freshnessProgress{w: a.stderr, tty: !asJSON && isTerminal(a.stderr)}
				res := r.Run(a.ctx, args, p.event)
				p.clear()
				if notStarted, err := a.dbtNotStarted(res, "  (datatui freshness --last prints the last check without dbt)\n"); notStarted {
					return err
				}
				switch {
				case res.Cancelled:
					fmt.Fprintln(a.stderr, "datatui: dbt source freshness cancelled")
					return silentExit(res.ExitCode)
				}
				sf, err = freshnessOfRun(target, res)
				out.ExitCode = res.ExitCode
				if err != nil {
					if res.Fatal != "" {
						err = fmt.Errorf("dbt stopped: %s", res.Fatal)
					}
					if asJSON {
						out.Error, out.Results, out.Summary = err.Error(), []dbt.FreshnessResult{}, map[string]int{}
						_ = a.writeJSON(out)
						return silentExit(max(res.ExitCode, 1))
					}
					return withCode(max(res.ExitCode, 1), err)
				}
			}
			out.GeneratedAt, out.DBTVersion, out.Results, out.Summary, out.Demo = sf.GeneratedAt, sf.DBTVersion, sf.SortedResults(), sf.Counts(), ws.Demo
			if out.Results == nil {
				out.Results = []dbt.FreshnessResult{}
			}
			if asJSON {
				if err := a.writeJSON(out); err != nil {
					return err
				}
			} else {
				printFreshness(a.stdout, sf, time.Now(), ws.Demo)
			}
			if out.ExitCode != 0 {
				return silentExit(out.ExitCode)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print JSON (fields in the help above)")
	f.BoolVar(&last, "last", false, "print the last check (target/sources.json) without running dbt")
	f.StringArrayVarP(&selects, "select", "s", nil, "dbt's --select: the sources to check (repeatable)")
	_ = cmd.RegisterFlagCompletionFunc("select", func(_ *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		return a.completeNodes(toComplete)
	})
	return cmd
}

// freshnessOfRun reads the sources.json the run wrote (one older than the run is an earlier
// check, not this one's) and adds the runtime errors dbt only logged.
func freshnessOfRun(target string, res *ops.Result) (*dbt.SourceFreshness, error) {
	st, err := os.Stat(filepath.Join(target, dbt.SourcesFile))
	if err != nil || st.ModTime().Before(res.Started.Add(-time.Second)) {
		return nil, errors.New("dbt wrote no sources.json: no source has a freshness check (loaded_at_field and freshness in its properties), or dbt failed first")
	}
	sf, err := dbt.LoadSourceFreshness(target)
	if err != nil {
		return nil, err
	}
	for _, n := range res.Nodes {
		if n.Status == dbt.FreshnessRuntimeError && sf.ByID[n.UniqueID] == nil {
			sf.Add(dbt.FreshnessResult{UniqueID: n.UniqueID, Name: dbt.SourceDisplayName(n.UniqueID), Status: n.Status, Error: strings.TrimSpace(n.Message)})
		}
	}
	return sf, nil
}

// printFreshness prints the table, worst first, then when dbt checked.
func printFreshness(w io.Writer, sf *dbt.SourceFreshness, now time.Time, demo bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tSTATUS\tNEWEST ROW\tAGE\tWARN AFTER\tERROR AFTER")
	threshold := func(t *dbt.FreshnessThreshold) string {
		if t == nil {
			return "-"
		}
		return t.String()
	}
	var errs []dbt.FreshnessResult
	for _, r := range sf.SortedResults() {
		if r.Status == dbt.FreshnessRuntimeError {
			errs = append(errs, r)
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\n", r.Name, freshnessWord(r.Status))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, freshnessWord(r.Status), r.MaxLoadedAt.Local().Format("2006-01-02 15:04"),
			dbt.FormatAge(r.Age), threshold(r.WarnAfter), threshold(r.ErrorAfter))
	}
	tw.Flush()
	for _, r := range errs {
		fmt.Fprintf(w, "\n%s could not be checked:\n", r.Name)
		for _, l := range strings.Split(r.Error, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				fmt.Fprintln(w, "  "+l)
			}
		}
	}
	fmt.Fprintln(w)
	if len(sf.Results) == 0 {
		fmt.Fprintln(w, "dbt checked no source.")
	} else {
		fmt.Fprintln(w, sf.Summary()+".")
	}
	when := ""
	if !sf.GeneratedAt.IsZero() {
		when = fmt.Sprintf("Checked %s ago", dbt.FormatAge(now.Sub(sf.GeneratedAt)))
		if sf.DBTVersion != "" {
			when += " by dbt " + sf.DBTVersion
		}
		when += "; ages are as of that check."
	}
	if demo {
		when = strings.TrimSpace(when + " (demo data: a recorded check)")
	}
	if when != "" {
		fmt.Fprintln(w, when)
	}
}

// freshnessWord is the status as dbt prints it in its freshness lines.
func freshnessWord(status string) string {
	switch status {
	case dbt.FreshnessError:
		return "ERROR STALE"
	case dbt.FreshnessRuntimeError:
		return "ERROR"
	}
	return strings.ToUpper(status)
}

// freshnessProgress keeps one live line on a terminal while dbt checks the sources.
type freshnessProgress struct {
	w    io.Writer
	tty  bool
	live bool
}

func (p *freshnessProgress) event(e ops.Event) {
	if !p.tty {
		return
	}
	if pr, ok := e.(ops.Progress); ok {
		line := fmt.Sprintf("[%d/%d] %s  checking sources", pr.Done, pr.Total, pr.Elapsed.Round(time.Second))
		if pr.Node != "" && pr.Status == "running" {
			line += ": " + dbt.SourceDisplayName(pr.Node)
		}
		fmt.Fprint(p.w, "\r\x1b[K"+truncate(line, 100))
		p.live = true
	}
}

func (p *freshnessProgress) clear() {
	if p.live {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.live = false
	}
}
