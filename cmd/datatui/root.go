package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/cli/go-gh/v2/pkg/jq"
	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/demo"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/service"
	"github.com/datatui/datatui/internal/termsafe"
	"github.com/datatui/datatui/internal/workspace"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

// exitError carries a specific exit code (2 for usage errors, 8 for "pending") out of a command.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withCode wraps err so that the process exits with code.
func withCode(code int, err error) error { return &exitError{code: code, err: err} }

// silentExit ends the process with code and prints nothing more (the command already printed).
type silentExit int

func (s silentExit) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// app is what every command shares: global flags and the streams.
type app struct {
	ctx    context.Context
	stdin  io.Reader
	stdout io.Writer // cleaned and terminal-safe
	stderr io.Writer // cleaned and terminal-safe
	// styled is stdout cleaned of secrets only, for output with escapes of its own (live
	// progress, rendered guides); what it prints from outside must be made safe first.
	styled io.Writer

	project string
	demo    bool
	config  string
	debug   bool
	jq      string // --jq: a jq expression applied to --json output

	startScreen string

	log *slog.Logger
	svc *service.Services
}

// services are the operations a command shares with the TUI, for ws: one per process, so the
// artifacts a command loads twice are read once.
func (a *app) services(ws *workspace.Workspace) *service.Services {
	if a.svc == nil || a.svc.Workspace() != ws {
		a.svc = service.New(ws, service.Options{})
	}
	return a.svc
}

// workspace discovers the workspace from the global flags. A broken datatui.yml is returned as
// an error together with a usable workspace; commands decide whether that is fatal.
//
// The secrets of the profiles.yml dbt reads for it are known to the redaction layer from here
// on, whatever the command goes on to print.
func (a *app) workspace() (*workspace.Workspace, error) {
	dir := a.projectDir()
	ws, err := demo.Discover(workspace.Options{Project: dir, ConfigFile: a.config}, a.demo)
	if a.project == "" && dir != "" && errors.Is(err, workspace.ErrNoProject) {
		err = fmt.Errorf("the project folder from DBT_PROJECT_DIR, %w", err)
	}
	if ws != nil {
		profiles.LearnSecrets(profiles.ProfilesOptions{ProjectDir: ws.ProjectDir})
	}
	return ws, err
}

// projectDir is the project folder asked for: --project, else the one dbt reads from the
// environment (DBT_PROJECT_DIR), so datatui shows the project dbt would run in; "" to search
// from the current folder. Like --project, it is never replaced by the demo.
func (a *app) projectDir() string {
	if a.project != "" {
		return a.project
	}
	return profiles.ProjectDirFromEnv(os.LookupEnv)
}

// run builds the command tree, executes it and maps errors to exit codes. Everything it
// prints passes through the redaction layer (the environment's secrets are known from the
// start) and is made terminal-safe: names, messages and logs from the warehouse, dbt, git
// and GitHub cannot drive the terminal. Output that draws its own escapes uses app.styled
// and makes its outside text safe itself; the TUI draws on the terminal and cleans its
// frames.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	redact.LearnEnv(os.Environ())
	styled := redact.Writer(stdout)
	stderr = termsafe.Writer(redact.Writer(stderr))
	a := &app{ctx: ctx, stdin: stdin, stdout: termsafe.Writer(styled), styled: styled, stderr: stderr, log: slog.New(slog.DiscardHandler)}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var se silentExit
	if errors.As(err, &se) {
		return int(se)
	}
	if closedStdout(err) {
		return exitClosedStdout
	}
	var ee *exitError
	code := 1
	if errors.As(err, &ee) {
		code = ee.code
	} else if isUsageError(err) {
		code = 2
	}
	fmt.Fprintf(stderr, "datatui: %s\n", redact.String(err.Error()))
	if code == 2 {
		fmt.Fprintln(stderr, "Run 'datatui --help' for usage.")
	}
	return code
}

// writeJSON prints v as indented JSON, the one way every command's --json is written: through
// the redaction layer (secret keys masked at any depth, every string cleaned and made
// terminal-safe).
func (a *app) writeJSON(v any) error {
	if a.jq == "" {
		return redact.Encode(a.stdout, v)
	}
	// --jq filters the (already redacted) document, as gh's --jq does, with go-gh's jq.
	var buf bytes.Buffer
	if err := redact.Encode(&buf, v); err != nil {
		return err
	}
	if err := jq.Evaluate(&buf, a.stdout, a.jq); err != nil {
		return withCode(2, fmt.Errorf("--jq: %w", err))
	}
	return nil
}

// exitClosedStdout is the status a shell reports for a tool SIGPIPE stopped (128+13), which is
// how git and gh end when the reader of their output goes away.
const exitClosedStdout = 141

// closedStdout reports whether err is a write to stdout that failed because its reader went
// away (`datatui ls | head`). main catches SIGPIPE so that a dbt run is stopped before datatui
// ends; the write then fails instead, and datatui ends without a word, as if SIGPIPE had
// stopped it. Only stdout counts: a broken pipe to a warehouse or an API is a real error.
func closedStdout(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Op == "write" && pe.Path == os.Stdout.Name() && errors.Is(pe.Err, syscall.EPIPE)
}

// isUsageError recognises cobra's argument and flag errors, which it returns as plain errors.
func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "datatui",
		Short: "The analytics repository, in your terminal",
		Long: `datatui turns a dbt + Snowflake analytics repository into a place where anyone who can
write SQL can contribute safely: onboarding, the team's handbook, your sandbox database,
model lineage, dbt runs with live progress, and your pull requests' CI status.

Run it inside the repository. Without a dbt project it opens a demo workspace.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noUnknownCommand,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.jqImpliesJSON(cmd); err != nil {
				return err
			}
			return a.setupLogging()
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return a.runTUI() },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return withCode(2, err) })
	f := root.PersistentFlags()
	f.StringVar(&a.project, "project", "", "the analytics repository or dbt project folder (default: $DBT_PROJECT_DIR, else search from the current folder)")
	f.BoolVar(&a.demo, "demo", false, "open the embedded demo workspace")
	f.StringVar(&a.config, "config", "", "the team's datatui.yml (default: found at the repository root)")
	f.BoolVar(&a.debug, "debug", false, "write a debug log under the state folder")
	f.StringVar(&a.jq, "jq", "", "filter a command's JSON output with a jq expression (implies --json), as gh does")
	root.Flags().StringVar(&a.startScreen, "screen", "", "open this screen first (home, onboard, guides, sandbox, prs, lineage, runs)")

	root.AddCommand(newVersionCmd(a))
	root.AddCommand(newCompletionCmd(a))
	root.AddCommand(newManCmd(a))
	// Feature commands register here, one line each.
	root.AddCommand(newSandboxCmd(a))
	root.AddCommand(newWhoamiCmd(a))
	root.AddCommand(newAccessCmd(a))
	root.AddCommand(newRunCmd(a))
	root.AddCommand(newPRCmd(a))
	root.AddCommand(newAuthCmd(a))
	root.AddCommand(newLineageCmd(a))
	root.AddCommand(newImpactCmd(a))
	root.AddCommand(newLsCmd(a))
	root.AddCommand(newGuideCmd(a))
	root.AddCommand(newDoctorCmd(a))
	root.AddCommand(newFreshnessCmd(a))
	root.AddCommand(newOncallCmd(a))
	groupsRejectUnknown(root)
	return root
}

// groupsRejectUnknown makes every command that only groups others (sandbox, pr, auth…) print
// its help when run alone and refuse an unknown sub-command as a usage error (exit 2). Cobra
// would print the help and exit 0 for `datatui sandbox bogus`, hiding the typo from scripts.
func groupsRejectUnknown(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		groupsRejectUnknown(c)
	}
	if !cmd.HasSubCommands() || cmd.Runnable() {
		return
	}
	cmd.Args = noUnknownCommand
	cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
}

// noUnknownCommand refuses any argument to a command that takes none but sub-commands (the
// root, a group), as a usage error that suggests the sub-commands it is close to.
func noUnknownCommand(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], c.CommandPath())
	if c.SuggestionsMinimumDistance <= 0 {
		c.SuggestionsMinimumDistance = 2 // cobra's own default, which SuggestionsFor does not apply
	}
	if s := c.SuggestionsFor(args[0]); len(s) > 0 {
		msg += "; did you mean " + strings.Join(s, ", ") + "?"
	}
	return withCode(2, errors.New(msg))
}

// jqImpliesJSON turns on --json for --jq, and refuses --jq on a command without JSON output.
func (a *app) jqImpliesJSON(cmd *cobra.Command) error {
	if a.jq == "" {
		return nil
	}
	f := cmd.Flags().Lookup("json")
	if f == nil || f.Value.Type() != "bool" {
		return withCode(2, fmt.Errorf("--jq: %s has no JSON output", cmd.CommandPath()))
	}
	return f.Value.Set("true")
}

// setupLogging opens the --debug log file. Logs never hold secrets: records pass through the
// redaction layer (secret attributes masked, every value and the message cleaned).
func (a *app) setupLogging() error {
	if !a.debug {
		return nil
	}
	dir := workspace.StateHome()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, "debug.log")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	a.log = slog.New(slog.NewTextHandler(redact.Writer(f), &slog.HandlerOptions{Level: slog.LevelDebug, ReplaceAttr: redact.LogAttr}))
	a.log.Debug("datatui starting", "version", version)
	fmt.Fprintf(a.stderr, "datatui: debug log at %s\n", path)
	return nil
}
