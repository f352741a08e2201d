package ops

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/logevents"
	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/engines"
	"github.com/datatui/datatui/internal/workspace"
)

// EnvDBT names the dbt executable to run instead of the one found on PATH.
const EnvDBT = "DATATUI_DBT"

// GuideInstallDBT is the handbook guide that explains how to install dbt.
const GuideInstallDBT = "set-up-your-environment"

// MissingDBTError means no dbt executable could be found.
type MissingDBTError struct {
	// Tried says where datatui looked.
	Tried string
	// Guide is the slug of the handbook guide that explains the install.
	Guide string
}

func (e *MissingDBTError) Error() string {
	return fmt.Sprintf("dbt is not installed (%s); install it as the guide %q explains, or set %s to its path", e.Tried, e.Guide, EnvDBT)
}

// TargetError means the command named a dbt target that is not the user's sandbox.
type TargetError struct {
	Target, Sandbox string
}

func (e *TargetError) Error() string {
	return fmt.Sprintf("refusing to run dbt against target %q: datatui only runs dbt against your sandbox target %q (the data team can allow more targets with dbt.allowed_targets in datatui.yml)", e.Target, e.Sandbox)
}

// ErrCancelled is the error of a run stopped by its context.
// (A value of a struct type rather than errors.New, so the package does no work at start-up.)
var ErrCancelled error = cancelledError{}

type cancelledError struct{}

func (cancelledError) Error() string { return "dbt run cancelled" }

// FindDBT returns the dbt executable: $DATATUI_DBT when set, else `dbt` on PATH, else dbt
// Fusion's `dbtf` (DetectEngine tells which engine it is). getenv is os.Getenv outside tests.
func FindDBT(getenv func(string) string) (string, error) {
	if p := getenv(EnvDBT); p != "" {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			return "", &MissingDBTError{Tried: fmt.Sprintf("%s=%s does not exist", EnvDBT, p), Guide: GuideInstallDBT}
		}
		return p, nil
	}
	for _, name := range []string{"dbt", "dbtf"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	// The dbt the onboarding installed in datatui's own virtual environment.
	if p := ManagedDBT(getenv, runtime.GOOS); isExecutable(p) {
		return p, nil
	}
	return "", &MissingDBTError{Tried: "no dbt or dbtf on PATH", Guide: GuideInstallDBT}
}

// DataHome is datatui's data folder: $XDG_DATA_HOME/datatui, else ~/.local/share/datatui
// ("" when neither XDG_DATA_HOME nor HOME is set).
func DataHome(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "datatui")
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "datatui")
}

// ManagedVenv is the virtual environment onboarding creates for dbt when neither uv nor pipx
// is there ("" without a data folder).
func ManagedVenv(getenv func(string) string) string {
	d := DataHome(getenv)
	if d == "" {
		return ""
	}
	return filepath.Join(d, "dbt-venv")
}

// ManagedDBT is the dbt executable inside ManagedVenv, for goos.
func ManagedDBT(getenv func(string) string, goos string) string {
	v := ManagedVenv(getenv)
	switch {
	case v == "":
		return ""
	case goos == "windows":
		return filepath.Join(v, "Scripts", "dbt.exe")
	}
	return filepath.Join(v, "bin", "dbt")
}

func isExecutable(p string) bool {
	if p == "" {
		return false
	}
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && (runtime.GOOS == "windows" || st.Mode().Perm()&0o111 != 0)
}

// Runner runs dbt commands in a project against the user's sandbox target.
type Runner struct {
	// Executable is dbt's path; "" finds it with FindDBT. datatui.yml's dbt.docker and
	// dbt.wrapper (in DBT) take precedence: then dbt is not looked for on the machine.
	Executable string
	// Dir is the dbt project folder (the working directory of dbt).
	Dir string
	// Env is added to the environment.
	Env []string
	// DBT is datatui.yml's dbt section: the sandbox target and the other allowed targets.
	DBT config.DBT
	// Warehouse is datatui.yml's warehouse section: the databases dbt must never build into.
	Warehouse config.Warehouse
	// ConfigErr is datatui.yml's error: while it has one, no command that connects starts.
	ConfigErr error
	// Identify logs in with a target and returns who the session is, for targets whose
	// user: does not decide that (Snowflake with OAuth). nil: such targets are refused.
	Identify func(ctx context.Context, t *profiles.Target) (string, error)
	// Engines says, per target type, where a target writes (default engines.Default()).
	Engines *engine.Registry
	// StateDir is where the run history is kept; "" keeps no history.
	StateDir string
	// LogLines bounds the raw log kept in memory (DefaultLogLines when 0).
	LogLines int
	// InterruptGrace is how long a cancelled run may take to stop after SIGINT before it gets
	// SIGTERM, and TermGrace how long after SIGTERM before SIGKILL (10 s and 5 s when 0):
	// dbt uses the time to cancel its warehouse queries.
	InterruptGrace, TermGrace time.Duration
}

// Result is a finished run.
type Result struct {
	// Args are the arguments as asked for; FullArgs what dbt was given.
	Args     []string
	FullArgs []string
	// Executable is what was started: dbt, the team's wrapper, or docker.
	Executable string
	// Engine is dbt-core or dbt Fusion (also recognised from the log's first line).
	Engine Engine
	// Container is the docker container dbt ran in ("" when it ran locally).
	Container string
	Command   string
	Selection string
	Started   time.Time
	Duration  time.Duration
	ExitCode  int
	Cancelled bool
	Err       error
	Summary   Summary
	// Nodes are every node dbt reported, in the order it first mentioned them.
	Nodes []NodeResult
	// Total is the number of nodes dbt said it would run.
	Total int
	// Fatal is dbt's fatal error text (a parse error, a bad profile, a traceback's last line).
	Fatal string
	// Errors are error texts dbt printed that belong to no node (a failed run-operation).
	Errors  []string
	Version string
	// Interrupted is true when dbt reported a keyboard interrupt (Ctrl-C, or datatui's cancel).
	Interrupted bool
	// NothingSelected is true when dbt said the selection matched no node.
	NothingSelected bool
	Log             *RingBuffer
	// RunResults is target/run_results.json when this run wrote one (or target/sources.json
	// for `dbt source freshness`).
	RunResults *dbt.RunResults
	// HistoryErr is set when the run could not be added to the history.
	HistoryErr error
}

// Run starts dbt with args (e.g. "build", "--select", "orders+"), reports events to sink
// (called from Run's goroutine, in order) and returns when dbt has exited. Cancelling ctx
// interrupts dbt's whole process group: SIGINT, then SIGTERM, then SIGKILL.
func (r *Runner) Run(ctx context.Context, args []string, sink func(Event)) *Result {
	if sink == nil {
		sink = func(Event) {}
	}
	start := time.Now()
	res := &Result{Args: args, Command: CommandOf(args), Selection: SelectionOf(args), Started: start,
		Log: NewRingBuffer(r.LogLines, 0), ExitCode: -1}
	fail := func(err error) *Result {
		res.Err = err
		res.Duration = time.Since(start)
		sink(Done{ExitCode: res.ExitCode, Err: err})
		return res
	}
	full, env, err := r.prepare(ctx, args)
	if err != nil {
		return fail(err)
	}
	res.FullArgs = full
	l, err := r.launch(full, env)
	if err != nil {
		return fail(err)
	}
	res.Executable, res.Engine, res.Container = l.Path, l.Engine, l.Container
	res.FullArgs = l.DBTArgs
	p, err := r.start(l)
	if err != nil {
		return fail(err)
	}
	sink(Started{Executable: l.Path, Args: l.Args, Dir: r.Dir, At: start, Engine: l.Engine, Container: l.Container})
	for _, flag := range l.Dropped {
		note := "datatui: dbt Fusion has no " + flag + " option; it was left out"
		res.Log.Add(note)
		sink(Line{Text: note, Stream: Stderr, Level: "warn"})
	}

	tr := NewTracker(start)
	var fatalText fatalScan
	handle := func(l rawLine) {
		ev := logevents.Parse(l.b)
		res.Log.Add(ev.Msg)
		sink(Line{Text: ev.Msg, Stream: l.stream, Level: ev.Level})
		if ev.Kind == logevents.KindRaw {
			fatalText.add(ev.Msg, l.stream)
		}
		for _, e := range tr.Apply(&ev) {
			sink(e)
		}
	}
	interrupt, term := r.graces()
	cancelled, waitErr := p.supervise(ctx, handle, interrupt, term)

	res.Duration = time.Since(start)
	var sig syscall.Signal
	res.ExitCode, sig = exitCode(p.cmd.ProcessState, waitErr)
	if l.Container != "" && (cancelled || sig != 0) {
		// The docker CLI can die before its container: make sure none is left behind.
		l.removeContainer()
	}
	res.takeTracker(tr, cancelled)
	if res.Fatal == "" && sig == 0 && res.ExitCode >= 2 {
		res.Fatal = fatalText.text()
	}
	var results []dbt.RunResult
	if rr := r.loadArtifact(res.FullArgs, start); rr != nil {
		res.RunResults = rr
		results = rr.Results
	}
	for _, e := range tr.Finish(results) {
		sink(e)
	}
	res.Nodes = tr.Nodes()
	res.Total = tr.Total()
	res.Summary = tr.Summary()
	res.explainExit(sig)
	if r.StateDir != "" {
		res.HistoryErr = AppendHistory(r.StateDir, EntryFromResult(res))
	}
	sink(Done{ExitCode: res.ExitCode, Err: res.Err, Cancelled: cancelled, Summary: res.Summary})
	return res
}

// graces are how long a cancelled dbt gets after SIGINT and after SIGTERM.
func (r *Runner) graces() (interrupt, term time.Duration) {
	interrupt, term = r.InterruptGrace, r.TermGrace
	if interrupt <= 0 {
		interrupt = 10 * time.Second
	}
	if term <= 0 {
		term = 5 * time.Second
	}
	return interrupt, term
}

// takeTracker copies what dbt's log said about the run as a whole.
func (res *Result) takeTracker(tr *Tracker, cancelled bool) {
	res.Version, res.Fatal, res.Errors, res.Interrupted = tr.Version, tr.Fatal, tr.Errors, tr.Interrupted
	res.NothingSelected = tr.NothingSelected
	if tr.Fusion {
		res.Engine = EngineFusion
	}
	res.Cancelled = cancelled || tr.Interrupted
}

// explainExit sets Err from how dbt ended: cancelled, killed by signal sig, finished with
// failures (exit code 1) or failed to run (2 and above).
func (res *Result) explainExit(sig syscall.Signal) {
	switch {
	case res.Cancelled:
		res.Err = ErrCancelled
	case sig != 0:
		res.Err = fmt.Errorf("dbt was stopped by signal %s (exit code %d)", signalName(sig), res.ExitCode)
		if res.Fatal == "" {
			res.Fatal = fmt.Sprintf("dbt was stopped by signal %s before it finished", signalName(sig))
		}
	case res.ExitCode == 1:
		res.Err = fmt.Errorf("dbt finished with errors (exit code 1): %s", res.Summary.Line())
	case res.ExitCode != 0:
		msg := res.Fatal
		if msg == "" {
			msg = "no error message"
		}
		res.Err = fmt.Errorf("dbt failed (exit code %d): %s", res.ExitCode, firstLine(msg))
	}
}

// ForWorkspace is the runner of ws's dbt project under the team's datatui.yml: dbt runs in
// the project folder, only against the sandbox target, and not at all (for commands that
// connect) while datatui.yml has errors.
func ForWorkspace(ws *workspace.Workspace) *Runner {
	r := &Runner{DBT: config.Default().DBT, Warehouse: config.Default().Warehouse}
	if ws == nil {
		return r
	}
	r.Dir, r.StateDir, r.ConfigErr = ws.ProjectDir, ws.StateDir, ws.ConfigErr
	if ws.Config != nil {
		r.DBT, r.Warehouse = ws.Config.DBT, ws.Config.Warehouse
	}
	return r
}

// prepare returns what dbt is started with: its arguments, with the target pinned, and what
// is added to its environment (the runner's Env, and DBT_TARGET set to the pinned target, or
// emptied, which dbt reads as unset, so that none points anywhere else). For a command that
// connects it first resolves the target dbt will really use and asks the write guard: dbt
// is started only when that target writes to the user's own sandbox.
func (r *Runner) prepare(ctx context.Context, args []string) (full, env []string, err error) {
	pl, err := planArgs(args, r.DBT)
	if err != nil {
		return nil, nil, err
	}
	// dbt 1.11 reads DBT_ENGINE_TARGET, then DBT_TARGET, when no --target is given.
	env = append(append([]string(nil), r.Env...), "DBT_TARGET="+pl.target, "DBT_ENGINE_TARGET="+pl.target)
	full = pl.args
	if commandKind(pl.parsed.Command) == kindConnects {
		pins, err := r.guard(ctx, pl, r.dbtEnviron(env))
		if err != nil {
			return nil, nil, fmt.Errorf("not starting dbt %s: %w", pl.parsed.Command, err)
		}
		full = append(full, pins...)
	}
	return append(full, "--log-format", "json"), env, nil
}

// dockerHidesFile refuses a DuckDB file that datatui.yml's dbt.docker.mounts puts somewhere
// else inside the container: there dbt would open the mounted file, not the one checked.
// (The project and profiles folders are mounted at their own paths.)
func dockerHidesFile(d config.Docker, file, dir string) error {
	if !d.Enabled() || file == "" {
		return nil
	}
	for _, m := range d.Mounts {
		host, rest, _ := strings.Cut(m, ":")
		inside, _, _ := strings.Cut(rest, ":")
		if !filepath.IsAbs(host) && !strings.HasPrefix(host, "~") {
			host = filepath.Join(dir, host)
		}
		if inside == "" || filepath.Clean(host) == filepath.Clean(inside) {
			continue
		}
		if rel, err := filepath.Rel(inside, file); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return &warehouse.RefusedError{Database: file,
				Reason: fmt.Sprintf("datatui.yml's dbt.docker.mounts puts %s at %s inside the container, so dbt would not open the file datatui checked", host, inside),
				Fix:    "mount other folders than the one of your sandbox file, or at their own paths"}
		}
	}
	return nil
}

// dbtEnviron is the environment dbt will see, for rendering env_var() in profiles.yml as it
// will: this process's environment with additions; in Docker only what reaches the container
// (dbt's DBT_* variables, the additions, and datatui.yml's dbt.docker.env).
func (r *Runner) dbtEnviron(additions []string) []string {
	all := append(os.Environ(), additions...)
	d := r.DBT.Docker
	if !d.Enabled() {
		return all
	}
	lookup := envLookup(all)
	var out []string
	for _, kv := range all {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "DBT_") || hasKey(additions, k) {
			out = append(out, kv)
		}
	}
	for _, e := range d.Env {
		k, v, literal := strings.Cut(e, "=")
		if !literal {
			var ok bool
			if v, ok = lookup(k); !ok {
				continue
			}
		}
		out = append(out, k+"="+v)
	}
	return out
}

// guard resolves where a command that connects would write and asks the write guard. It
// returns options to add so that every dbt version reads what was checked: dbt versions
// differ in which environment variables they read for --profile, --profiles-dir and
// --project-dir, so a value that came from one is given on the command line as well.
func (r *Runner) guard(ctx context.Context, pl *plan, env []string) ([]string, error) {
	cfg := &config.Config{Warehouse: r.Warehouse, DBT: r.DBT}
	if r.ConfigErr != nil {
		return nil, warehouse.NewPolicy(cfg, r.ConfigErr, "").Check(warehouse.Write{Target: pl.target})
	}
	dir := r.Dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	p := pl.parsed
	res, err := profiles.ResolveTarget(profiles.Invocation{Dir: dir, ProjectDir: p.Last("--project-dir"), ProfilesDir: p.Last("--profiles-dir"),
		Profile: p.Last("--profile"), Target: pl.target, LookupEnv: envLookup(env)})
	if err != nil {
		return nil, &warehouse.RefusedError{Database: "target " + pl.target, Reason: "datatui cannot tell where dbt would write: " + err.Error(),
			Fix: "datatui doctor --step profile shows what is wrong with the profile"}
	}
	t := res.Target
	reg := r.Engines
	if reg == nil {
		reg = engines.Default()
	}
	policy, w, err := reg.ForTarget(cfg, nil, res.Profile, t, dir)
	if err != nil {
		return nil, err
	}
	eng, _ := reg.Lookup(t.Type) // ForTarget refused every type it has no engine for
	if w.File != "" && !filepath.IsAbs(t.Path) && filepath.Clean(res.ProjectDir) != filepath.Clean(dir) {
		return nil, &warehouse.RefusedError{Database: t.Path, Reason: "the " + eng.Name + " path is relative and --project-dir is another folder, so datatui cannot tell which file dbt opens",
			Fix: "give the " + t.Name + " target an absolute path:, or run without --project-dir"}
	}
	if err := dockerHidesFile(r.DBT.Docker, w.File, dir); err != nil {
		return nil, err
	}
	if eng.LoginDecides != nil {
		if why := eng.LoginDecides(t); why != "" {
			if r.Identify == nil {
				return nil, &warehouse.RefusedError{Database: "target " + t.Name, Reason: why + ", and datatui cannot check it here",
					Fix: "run it from datatui itself (datatui run or the Runs screen), which checks the login first"}
			}
			if w.SessionUser, err = r.Identify(ctx, t); err != nil {
				return nil, &warehouse.RefusedError{Database: "target " + t.Name, Reason: "datatui could not check who dbt would log in as: " + err.Error()}
			}
		}
	}
	if err := policy.Check(w); err != nil {
		return nil, err
	}
	var pins []string
	for _, opt := range []struct{ name, value string }{{"--profile", res.Profile.Name}, {"--profiles-dir", res.ProfilesDir}, {"--project-dir", res.ProjectDir}} {
		if _, fromEnv := res.FromEnv[opt.name]; fromEnv {
			pins = append(pins, opt.name, opt.value)
		}
	}
	return pins, nil
}

// envLookup reads an environment list the way a started process sees it (last entry wins).
func envLookup(env []string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		val, found := "", false
		for _, kv := range env {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				val, found = v, true
			}
		}
		return val, found
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// exitCode is the process's exit status as a shell reports it (128+n when signal n killed
// it, which sig then names).
func exitCode(ps *os.ProcessState, err error) (code int, sig syscall.Signal) {
	if ps == nil {
		if err != nil {
			return -1, 0
		}
		return 0, 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), ws.Signal()
	}
	return ps.ExitCode(), 0
}

func signalName(s syscall.Signal) string {
	switch s {
	case syscall.SIGINT:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	case syscall.SIGKILL:
		return "SIGKILL"
	case syscall.SIGHUP:
		return "SIGHUP"
	}
	return s.String()
}

// fatalScan keeps what a dbt that could not start its JSON logger printed as text (a YAML
// error in dbt_project.yml) or a Python traceback on stderr, for the run's error.
type fatalScan struct {
	encountered []string // from dbt's "Encountered an error:" on
	lastStderr  string
}

func (f *fatalScan) add(line string, stream Stream) {
	t := strings.TrimSpace(line)
	if t == "" {
		return
	}
	if _, after, ok := strings.Cut(t, "Encountered an error:"); ok {
		f.encountered = []string{}
		if after = strings.TrimSpace(after); after != "" {
			f.encountered = append(f.encountered, after)
		}
		return
	}
	if f.encountered != nil && len(f.encountered) < 200 {
		f.encountered = append(f.encountered, strings.TrimRight(line, " "))
	}
	if stream == Stderr {
		f.lastStderr = t
	}
}

func (f *fatalScan) text() string {
	if len(f.encountered) > 0 {
		return strings.Join(f.encountered, "\n")
	}
	return f.lastStderr
}

// launch builds the process for full (PrepareArgs's arguments): Docker, the team's wrapper or
// the local dbt, with the runner's environment additions reaching a container too.
func (r *Runner) launch(full, env []string) (*Launch, error) {
	l, err := LaunchFor(r.DBT, r.Executable, r.Dir, full, os.Environ(), env, exec.LookPath)
	if err != nil {
		return nil, err
	}
	l.ForEngine()
	return l, nil
}

// container runs `docker <verb> <container>` in the background, for a cancel that dbt does
// not answer: docker stop, then docker kill.
func (l *Launch) container(verb string, args ...string) {
	if l.Container == "" {
		return
	}
	go l.dockerCmd(15*time.Second, append(append([]string{verb}, args...), l.Container)...)
}

// removeContainer forces the container away (it is gone already after an ordinary exit,
// docker run --rm saw to that; "No such container" is fine).
func (l *Launch) removeContainer() { l.dockerCmd(10*time.Second, "rm", "--force", l.Container) }

func (l *Launch) dockerCmd(timeout time.Duration, args ...string) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, l.Docker, args...)
	cmd.Env = append(os.Environ(), l.Env...) // the same docker as the run's (DOCKER_HOST…)
	cmd.WaitDelay = time.Second
	_ = cmd.Run()
}

// loadArtifact reads the results file this run wrote: target/run_results.json, or for
// `dbt source freshness` its sources.json (--output, else target/sources.json). A file older
// than the run belongs to an earlier one.
func (r *Runner) loadArtifact(full []string, start time.Time) *dbt.RunResults {
	dir := flagValue(full, "--target-path")
	if dir == "" {
		dir = os.Getenv("DBT_TARGET_PATH")
	}
	if dir == "" {
		dir = "target"
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.Dir, dir)
	}
	path := filepath.Join(dir, "run_results.json")
	if CommandOf(full) == "source freshness" {
		path = filepath.Join(dir, "sources.json")
		for _, flag := range []string{"--output", "-o"} {
			if out := flagValue(full, flag); out != "" {
				path = out
				if !filepath.IsAbs(path) {
					path = filepath.Join(r.Dir, path)
				}
			}
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.ModTime().Before(start.Add(-time.Second)) {
		return nil
	}
	rr, err := dbt.LoadRunResults(path)
	if err != nil {
		return nil
	}
	return rr
}

type rawLine struct {
	b      []byte
	stream Stream
}

// maxLineBytes bounds one line read from dbt; the rest of a longer line is dropped.
const maxLineBytes = 1 << 20

func readLines(f io.Reader, stream Stream, out chan<- rawLine, wg *sync.WaitGroup) {
	defer wg.Done()
	br := bufio.NewReaderSize(f, 64<<10)
	var long []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if len(long) < maxLineBytes {
				long = append(long, chunk...)
			}
			continue
		}
		if len(chunk) > 0 || len(long) > 0 {
			var line []byte
			if long != nil {
				line = append(long, chunk...)
				long = nil
			} else {
				line = bytes.Clone(chunk)
			}
			out <- rawLine{b: line, stream: stream}
		}
		if err != nil {
			return
		}
	}
}
