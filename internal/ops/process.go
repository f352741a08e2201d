package ops

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// stopSignal is a stage of stopping dbt's process group.
type stopSignal int

const (
	stopInterrupt stopSignal = iota // SIGINT: dbt cancels its queries and exits
	stopTerminate                   // SIGTERM
	stopKill                        // SIGKILL: the group ends now
)

// process is a started dbt: its process group and the read ends of its output.
type process struct {
	cmd        *exec.Cmd
	launch     *Launch
	outR, errR *os.File
	pgid       int
	// stopStage is how far a cancel has gone: 0 not asked, 1 SIGINT sent, 2 SIGTERM sent.
	stopStage int
}

// start starts l in the runner's folder, in its own process group so that cancelling reaches
// dbt's children (adapters, git for deps), with stdout and stderr on pipes.
func (r *Runner) start(l *Launch) (*process, error) {
	cmd := exec.Command(l.Path, l.Args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), l.Env...)
	cmd.SysProcAttr = groupAttr()
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		outR.Close()
		outW.Close()
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = outW, errW
	if err := cmd.Start(); err != nil {
		for _, f := range []*os.File{outR, outW, errR, errW} {
			f.Close()
		}
		return nil, fmt.Errorf("starting dbt: %w", err)
	}
	outW.Close()
	errW.Close()
	return &process{cmd: cmd, launch: l, outR: outR, errR: errR, pgid: cmd.Process.Pid}, nil
}

// supervise hands each line dbt writes to handle, in order, until dbt has exited and its
// output is read. Cancelling ctx stops dbt in stages: SIGINT to its process group, after
// interrupt SIGTERM (and docker stop), after term SIGKILL (and docker kill).
func (p *process) supervise(ctx context.Context, handle func(rawLine), interrupt, term time.Duration) (cancelled bool, waitErr error) {
	lines := make(chan rawLine, 512)
	var wg sync.WaitGroup
	wg.Add(2)
	go readLines(p.outR, Stdout, lines, &wg)
	go readLines(p.errR, Stderr, lines, &wg)
	go func() { wg.Wait(); close(lines) }()
	waitDone := make(chan error, 1)
	go func() { waitDone <- p.cmd.Wait() }()

	var (
		exited   bool
		escalate <-chan time.Time
		drain    <-chan time.Time
		ctxDone  = ctx.Done()
		linesCh  = (<-chan rawLine)(lines)
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
				signalGroup(p.pgid, stopKill)
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
			signalGroup(p.pgid, stopInterrupt)
			p.stopStage = 1
			escalate = time.After(interrupt)
		case <-escalate:
			escalate = p.escalate(term)
		case <-drain:
			p.closeOutput()
			drain = nil
		}
	}
	p.closeOutput()
	return cancelled, waitErr
}

// escalate is the next stage of a cancel dbt has not answered: SIGTERM after SIGINT, then
// SIGKILL. It returns when to escalate again (never after SIGKILL).
func (p *process) escalate(term time.Duration) <-chan time.Time {
	if p.stopStage == 1 {
		signalGroup(p.pgid, stopTerminate)
		p.launch.container("stop", "--time", strconv.Itoa(int(term/time.Second)+1))
		p.stopStage = 2
		return time.After(term)
	}
	signalGroup(p.pgid, stopKill)
	p.launch.container("kill")
	return nil
}

func (p *process) closeOutput() {
	p.outR.Close()
	p.errR.Close()
}
