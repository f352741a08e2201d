package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/ops"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/warehouse"
)

func newRunCmd(a *app) *cobra.Command {
	var asJSON, withLog bool
	cmd := &cobra.Command{
		Use:   "run [--json] -- DBT_ARGS...",
		Short: "Run dbt against your sandbox with live progress",
		Long: `Run dbt (build, run, test, seed, snapshot, compile, deps, debug, docs generate, retry…)
in the project, always against your sandbox target: the target named in datatui.yml is added
when you name none, and any other --target is refused unless datatui.yml allows it. Before
dbt starts, datatui resolves the target dbt will really use (--profile, --profiles-dir,
--project-dir, DBT_PROFILES_DIR and the other variables dbt reads, env_var() in
profiles.yml) and refuses to start it when that target writes anywhere but your sandbox,
when it cannot tell, or while datatui.yml has errors (exit 2, nothing started).
datatui asks dbt for JSON logs and shows one line per finished node, a live progress line on a
terminal, and dbt's summary with each failure's message at the end. The exit code is dbt's
(0 ok, 1 some nodes failed, 2 dbt could not run). The run is added to the history the runs
screen and Home show. ctrl+c interrupts dbt (it cancels its warehouse queries).

The dbt executable is $DATATUI_DBT, else dbt (or dbt Fusion's dbtf) on PATH; with
dbt.docker.image in datatui.yml, dbt runs in that image through docker run, and with
dbt.wrapper through the team's command.

--json prints one JSON object per line instead, each with a "type":
  started   executable, args, dir
  progress  done, total, node, status, elapsed_ms
  node      unique_id, name, resource_type, path, status, message, elapsed_ns,
            adapter_message, rows (-1 when unknown), failures, index; a node can
            appear again when a later log line adds detail: the last one wins
  line      text, stream (stdout|stderr), level   (only with --log)
  done      exit_code, cancelled, error, fatal (dbt's message when it stopped),
            errors (dbt's messages about no node), engine (dbt-core or dbt Fusion),
            summary {pass, warn, error, skip, noop, reused, cancelled, total},
            duration_ms
--log also prints dbt's log messages (as text, or as "line" objects with --json).`,
		Example: `  datatui run -- build --select +orders
  datatui run -- test --select state:modified --log-level debug
  datatui run --json -- seed`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return withCode(2, errors.New("give dbt's arguments after --, for example: datatui run -- build --select my_model"))
			}
			ws, err := a.workspace()
			if ws == nil {
				return err
			}
			a.readOnlyBanner(ws)
			r := a.services(ws).DBT()
			var p runPrinter
			if asJSON {
				p = &jsonRunPrinter{w: a.stdout, log: withLog}
			} else {
				p = &textRunPrinter{w: a.stdout, ctl: a.styled, tty: isTerminal(a.stdout), log: withLog}
			}
			res := r.Run(a.ctx, args, p.event)
			p.finish(res)
			if notStarted, err := a.dbtNotStarted(res, ""); notStarted {
				return err
			}
			switch {
			case res.Cancelled:
				fmt.Fprintln(a.stderr, "datatui: dbt run cancelled")
			case res.Fatal != "" && !asJSON:
				fmt.Fprintf(a.stderr, "datatui: dbt stopped: %s\n", res.Fatal)
			}
			if res.HistoryErr != nil {
				fmt.Fprintf(a.stderr, "datatui: could not save the run history: %v\n", res.HistoryErr)
			}
			if res.ExitCode != 0 {
				return silentExit(res.ExitCode)
			}
			return nil
		},
	}
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print events as JSON lines")
	cmd.Flags().BoolVar(&withLog, "log", false, "also print dbt's log messages")
	return cmd
}

type runPrinter interface {
	event(ops.Event)
	finish(*ops.Result)
}

// textRunPrinter prints one line per finished node; on a terminal it keeps a live progress
// line at the bottom, rewritten in place.
type textRunPrinter struct {
	// w takes every line (it makes dbt's text terminal-safe); ctl takes only the printer's
	// own line-clearing escapes.
	w, ctl   io.Writer
	tty, log bool
	live     bool // a progress line is on screen
	progress ops.Progress
	running  string
	// printed marks nodes already shown: a later detail (the error text after the summary)
	// updates the final report, not the stream of lines.
	printed map[string]bool
}

func (p *textRunPrinter) clearLive() {
	if p.live {
		fmt.Fprint(p.ctl, "\r\x1b[K")
		p.live = false
	}
}

func (p *textRunPrinter) drawLive() {
	if !p.tty {
		return
	}
	line := fmt.Sprintf("[%d/%d] %s", p.progress.Done, p.progress.Total, p.progress.Elapsed.Round(time.Second))
	if p.progress.Total == 0 { // dbt Fusion announces no total
		line = fmt.Sprintf("[%d done] %s", p.progress.Done, p.progress.Elapsed.Round(time.Second))
	}
	if p.running != "" {
		line += "  running " + p.running
	}
	fmt.Fprint(p.ctl, "\r\x1b[K")
	fmt.Fprint(p.w, truncate(line, 100))
	p.live = true
}

func (p *textRunPrinter) event(e ops.Event) {
	switch e := e.(type) {
	case ops.Started:
		p.clearLive()
		fmt.Fprintf(p.w, "dbt %s\n", strings.Join(e.Args, " "))
	case ops.Progress:
		p.progress = e
		if e.Status == "running" {
			p.running = nameOf(e.Node)
		}
		p.drawLive()
	case ops.NodeResult:
		if p.printed == nil {
			p.printed = map[string]bool{}
		}
		if e.Replaces != "" && p.printed[e.Replaces] {
			p.printed[e.UniqueID] = true // the same node, now named by its unique id
		}
		if e.Status == "running" || p.printed[e.UniqueID] {
			return
		}
		p.printed[e.UniqueID] = true
		p.clearLive()
		fmt.Fprintln(p.w, nodeLine(e))
		p.drawLive()
	case ops.Line:
		if p.log && e.Level != "debug" || p.log && e.Stream == ops.Stderr {
			p.clearLive()
			fmt.Fprintln(p.w, e.Text)
			p.drawLive()
		} else if e.Stream == ops.Stderr && e.Level == "" {
			// Not JSON on stderr: a traceback or a warning people need to see.
			p.clearLive()
			fmt.Fprintln(p.w, e.Text)
			p.drawLive()
		}
	}
}

func nodeLine(n ops.NodeResult) string {
	s := fmt.Sprintf("%4d  %-5s %-8s %s", n.Index, statusWord(n.Status), n.ResourceType, n.Name)
	if n.Elapsed > 0 {
		s += fmt.Sprintf("  %.2fs", n.Elapsed.Seconds())
	}
	switch {
	case n.Failures > 0:
		s += fmt.Sprintf("  %d failing rows", n.Failures)
	case n.AdapterMessage != "" && !ops.Failed(n.Status):
		s += "  " + n.AdapterMessage
	}
	return s
}

func (p *textRunPrinter) finish(res *ops.Result) {
	p.clearLive()
	if res.ExitCode < 0 && len(res.Nodes) == 0 {
		return
	}
	var failed []ops.NodeResult
	for _, n := range res.Nodes {
		if ops.Failed(n.Status) || n.Status == "warn" {
			failed = append(failed, n)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintln(p.w, "\nFailures and warnings:")
		for _, n := range failed {
			fmt.Fprintf(p.w, "  %s %s %s", statusWord(n.Status), n.ResourceType, n.Name)
			if n.Path != "" {
				fmt.Fprintf(p.w, " (%s)", n.Path)
			}
			fmt.Fprintln(p.w)
			// dbt's own indentation kept: a caret points at a column of the line above.
			for _, l := range strings.Split(strings.TrimSpace(n.Message), "\n") {
				if l = strings.TrimRight(l, " "); l != "" {
					fmt.Fprintln(p.w, "    "+l)
				}
			}
		}
	}
	if len(res.Errors) > 0 {
		fmt.Fprintln(p.w, "\ndbt said:")
		for _, e := range res.Errors {
			for _, l := range strings.Split(strings.TrimSpace(e), "\n") {
				fmt.Fprintln(p.w, "    "+strings.TrimRight(l, " "))
			}
		}
	}
	word := "Done."
	if res.Cancelled {
		word = "Cancelled."
	}
	fmt.Fprintf(p.w, "\n%s %s in %s\n", word, res.Summary.Line(), res.Duration.Round(10*time.Millisecond))
}

func statusWord(s string) string {
	switch s {
	case "success", "pass":
		return "PASS"
	case "warn":
		return "WARN"
	case "error", "fail", "runtime error", "partial success":
		return "ERROR"
	case "skipped":
		return "SKIP"
	case "no-op":
		return "NO-OP"
	}
	return strings.ToUpper(s)
}

func nameOf(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 4 && parts[0] == "test" {
		return parts[2]
	}
	if len(parts) >= 3 {
		return strings.Join(parts[2:], ".")
	}
	return id
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// jsonRunPrinter prints events as JSON lines with stable field names (see the command's help).
type jsonRunPrinter struct {
	w   io.Writer
	log bool
}

func (p *jsonRunPrinter) emit(v any) {
	_ = redact.EncodeLine(p.w, v)
}

func (p *jsonRunPrinter) event(e ops.Event) {
	switch e := e.(type) {
	case ops.Started:
		p.emit(map[string]any{"type": "started", "executable": e.Executable, "args": e.Args, "dir": e.Dir})
	case ops.Progress:
		p.emit(map[string]any{"type": "progress", "done": e.Done, "total": e.Total, "node": e.Node, "status": e.Status, "elapsed_ms": e.Elapsed.Milliseconds()})
	case ops.NodeResult:
		p.emit(struct {
			Type string `json:"type"`
			ops.NodeResult
		}{"node", e})
	case ops.Line:
		if p.log {
			p.emit(map[string]any{"type": "line", "text": e.Text, "stream": e.Stream.String(), "level": e.Level})
		}
	}
}

func (p *jsonRunPrinter) finish(res *ops.Result) {
	errText := ""
	if res.Err != nil {
		errText = res.Err.Error()
	}
	p.emit(map[string]any{"type": "done", "exit_code": res.ExitCode, "cancelled": res.Cancelled, "error": errText,
		"fatal": res.Fatal, "errors": append([]string{}, res.Errors...), "engine": res.Engine.String(),
		"summary": res.Summary, "duration_ms": res.Duration.Milliseconds()})
}

// dbtNotStarted reports, for a run whose dbt never started, the error the command ends with:
// dbt missing (exit 1, with its guide and hint), refused by the write guard or the argument
// check (exit 2), or failing to start at all. notStarted is false when dbt ran.
func (a *app) dbtNotStarted(res *ops.Result, hint string) (notStarted bool, err error) {
	var me *ops.MissingDBTError
	var te *ops.TargetError
	var re *warehouse.RefusedError
	var ae *ops.ArgsError
	switch {
	case errors.As(res.Err, &me):
		fmt.Fprintf(a.stderr, "datatui: %v\n  see: datatui guide show %s\n%s", me, me.Guide, hint)
		return true, silentExit(1)
	case errors.As(res.Err, &te), errors.As(res.Err, &re), errors.As(res.Err, &ae):
		// dbt was not started: the write guard or the argument check said no.
		fmt.Fprintf(a.stderr, "datatui: %v\n", res.Err)
		return true, silentExit(2)
	case res.ExitCode < 0:
		return true, res.Err
	}
	return false, nil
}
