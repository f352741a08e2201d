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
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/dbt"
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
var ErrCancelled = errors.New("dbt run cancelled")

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
	return "", &MissingDBTError{Tried: "no dbt or dbtf on PATH", Guide: GuideInstallDBT}
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
	full, err := PrepareArgs(args, r.DBT)
	if err != nil {
		return fail(err)
	}
	res.FullArgs = full
	l, err := r.launch(full)
	if err != nil {
		return fail(err)
	}
	res.Executable, res.Engine, res.Container = l.Path, l.Engine, l.Container
	res.FullArgs = l.DBTArgs

	cmd := exec.Command(l.Path, l.Args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), l.Env...)
	// Its own process group, so cancelling reaches dbt's children (adapters, git for deps).
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	outR, outW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return fail(err)
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{outR, outW, errR, errW} {
			f.Close()
		}
		return fail(fmt.Errorf("starting dbt: %w", err))
	}
	outW.Close()
	errW.Close()
	pgid := cmd.Process.Pid
	sink(Started{Executable: l.Path, Args: l.Args, Dir: r.Dir, At: start, Engine: l.Engine, Container: l.Container})
	for _, flag := range l.Dropped {
		note := "datatui: dbt Fusion has no " + flag + " option; it was left out"
		res.Log.Add(note)
		sink(Line{Text: note, Stream: Stderr, Level: "warn"})
	}

	lines := make(chan rawLine, 512)
	var wg sync.WaitGroup
	wg.Add(2)
	go readLines(outR, Stdout, lines, &wg)
	go readLines(errR, Stderr, lines, &wg)
	go func() { wg.Wait(); close(lines) }()
	waitDone := make(chan error, 1)
	go func() { waitDone <- cmd.Wait() }()

	tr := NewTracker(start)
	var fatalText fatalScan
	handle := func(l rawLine) {
		ev := dbt.ParseLogLine(l.b)
		res.Log.Add(ev.Msg)
		sink(Line{Text: ev.Msg, Stream: l.stream, Level: ev.Level})
		if ev.Kind == dbt.KindRaw {
			fatalText.add(ev.Msg, l.stream)
		}
		for _, e := range tr.Apply(&ev) {
			sink(e)
		}
	}

	interrupt, term := r.InterruptGrace, r.TermGrace
	if interrupt <= 0 {
		interrupt = 10 * time.Second
	}
	if term <= 0 {
		term = 5 * time.Second
	}
	var (
		cancelled bool
		exited    bool
		waitErr   error
		stage     int
		escalate  <-chan time.Time
		drain     <-chan time.Time
		ctxDone   = ctx.Done()
		linesCh   = (<-chan rawLine)(lines)
	)
	for linesCh != nil || !exited {
		select {
		case l, ok := <-linesCh:
			if !ok {
				linesCh = nil
				continue
			}
			handle(l)
		case waitErr = <-waitDone:
			exited = true
			waitDone = nil
			escalate = nil
			if cancelled {
				// Whatever dbt left behind in its group goes with it.
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
			}
			// A grandchild that inherited the pipes could keep them open forever.
			drain = time.After(2 * time.Second)
		case <-ctxDone:
			ctxDone = nil
			if exited {
				continue
			}
			cancelled = true
			// In Docker too: the docker CLI hands SIGINT on to dbt in the container.
			_ = syscall.Kill(-pgid, syscall.SIGINT)
			stage = 1
			escalate = time.After(interrupt)
		case <-escalate:
			if stage == 1 {
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
				l.container("stop", "--time", strconv.Itoa(int(term/time.Second)+1))
				stage = 2
				escalate = time.After(term)
			} else {
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
				l.container("kill")
				escalate = nil
			}
		case <-drain:
			outR.Close()
			errR.Close()
			drain = nil
		}
	}
	outR.Close()
	errR.Close()

	res.Duration = time.Since(start)
	var sig syscall.Signal
	res.ExitCode, sig = exitCode(cmd.ProcessState, waitErr)
	if l.Container != "" && (cancelled || sig != 0) {
		// The docker CLI can die before its container: make sure none is left behind.
		l.removeContainer()
	}
	res.Version, res.Fatal, res.Errors, res.Interrupted = tr.Version, tr.Fatal, tr.Errors, tr.Interrupted
	res.NothingSelected = tr.NothingSelected
	if tr.Fusion {
		res.Engine = EngineFusion
	}
	res.Cancelled = cancelled || tr.Interrupted
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
	if r.StateDir != "" {
		res.HistoryErr = AppendHistory(r.StateDir, EntryFromResult(res))
	}
	sink(Done{ExitCode: res.ExitCode, Err: res.Err, Cancelled: cancelled, Summary: res.Summary})
	return res
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
func (r *Runner) launch(full []string) (*Launch, error) {
	l, err := LaunchFor(r.DBT, r.Executable, r.Dir, full, os.Environ(), r.Env, exec.LookPath)
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
