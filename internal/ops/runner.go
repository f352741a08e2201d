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
// Fusion's `dbtf`. getenv is os.Getenv outside tests.
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
	// Executable is dbt's path; "" finds it with FindDBT.
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
	Args       []string
	FullArgs   []string
	Executable string
	Command    string
	Selection  string
	Started    time.Time
	Duration   time.Duration
	ExitCode   int
	Cancelled  bool
	Err        error
	Summary    Summary
	// Nodes are every node dbt reported, in the order it first mentioned them.
	Nodes []NodeResult
	// Total is the number of nodes dbt said it would run.
	Total int
	// Fatal is dbt's fatal error text (a parse error, a bad profile, a traceback's last line).
	Fatal   string
	Version string
	Log     *RingBuffer
	// RunResults is target/run_results.json when this run wrote one.
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
	exe := r.Executable
	if exe == "" {
		var err error
		if exe, err = FindDBT(os.Getenv); err != nil {
			return fail(err)
		}
	}
	res.Executable = exe
	full, err := PrepareArgs(args, r.DBT)
	if err != nil {
		return fail(err)
	}
	res.FullArgs = full

	cmd := exec.Command(exe, full...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), r.Env...)
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
	sink(Started{Executable: exe, Args: full, Dir: r.Dir, At: start})

	lines := make(chan rawLine, 512)
	var wg sync.WaitGroup
	wg.Add(2)
	go readLines(outR, Stdout, lines, &wg)
	go readLines(errR, Stderr, lines, &wg)
	go func() { wg.Wait(); close(lines) }()
	waitDone := make(chan error, 1)
	go func() { waitDone <- cmd.Wait() }()

	tr := NewTracker(start)
	var lastStderr string
	handle := func(l rawLine) {
		ev := dbt.ParseLogLine(l.b)
		res.Log.Add(ev.Msg)
		sink(Line{Text: ev.Msg, Stream: l.stream, Level: ev.Level})
		if ev.Kind == dbt.KindRaw && l.stream == Stderr && strings.TrimSpace(ev.Msg) != "" {
			lastStderr = strings.TrimSpace(ev.Msg)
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
			_ = syscall.Kill(-pgid, syscall.SIGINT)
			stage = 1
			escalate = time.After(interrupt)
		case <-escalate:
			if stage == 1 {
				_ = syscall.Kill(-pgid, syscall.SIGTERM)
				stage = 2
				escalate = time.After(term)
			} else {
				_ = syscall.Kill(-pgid, syscall.SIGKILL)
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
	res.ExitCode = exitCode(cmd.ProcessState, waitErr)
	res.Cancelled = cancelled
	res.Version = tr.Version
	res.Fatal = tr.Fatal
	if res.Fatal == "" && res.ExitCode >= 2 && lastStderr != "" {
		res.Fatal = lastStderr
	}
	if rr := r.loadRunResults(full, start); rr != nil {
		res.RunResults = rr
		mergeRunResults(tr, rr)
	}
	res.Nodes = tr.Nodes()
	res.Total = tr.Total()
	res.Summary = tr.Summary()
	switch {
	case cancelled:
		res.Err = ErrCancelled
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

// Line renders a summary like dbt's "Done." line.
func (s Summary) Line() string {
	line := fmt.Sprintf("PASS=%d WARN=%d ERROR=%d SKIP=%d", s.Pass, s.Warn, s.Error, s.Skip)
	if s.NoOp > 0 {
		line += fmt.Sprintf(" NO-OP=%d", s.NoOp)
	}
	return line + fmt.Sprintf(" TOTAL=%d", s.Total)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func exitCode(ps *os.ProcessState, err error) int {
	if ps == nil {
		if err != nil {
			return -1
		}
		return 0
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}

// loadRunResults reads target/run_results.json when this run wrote it (a file older than the
// run belongs to an earlier one).
func (r *Runner) loadRunResults(full []string, start time.Time) *dbt.RunResults {
	dir := flagValue(full, "--target-path")
	if dir == "" {
		dir = "target"
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(r.Dir, dir)
	}
	path := filepath.Join(dir, "run_results.json")
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

// mergeRunResults fills what the log did not say: nodes it never mentioned, error texts, rows.
func mergeRunResults(tr *Tracker, rr *dbt.RunResults) {
	for _, x := range rr.Results {
		n := tr.nodes[x.UniqueID]
		if n == nil {
			n = &NodeResult{UniqueID: x.UniqueID, Name: nameFromID(x.UniqueID), ResourceType: strings.SplitN(x.UniqueID, ".", 2)[0], Status: x.Status, Rows: -1,
				Elapsed: time.Duration(x.ExecutionTime * float64(time.Second)), Message: x.Message}
			tr.nodes[x.UniqueID] = n
			tr.order = append(tr.order, x.UniqueID)
			tr.finished[x.UniqueID] = true
			tr.done++
			continue
		}
		if n.Status == "running" && x.Status != "" {
			n.Status = x.Status
		}
		if Failed(n.Status) && x.Message != "" && (n.Message == "" || n.Message == n.AdapterMessage) {
			n.Message = x.Message
		}
	}
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
