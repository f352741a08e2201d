// Package ops runs the operations contributors start from datatui — dbt builds, tests, seeds
// and friends — as real processes, and reports what happens as typed events that the CLI and
// the runs screen both consume. It knows nothing about terminals or Bubble Tea.
package ops

import (
	"fmt"
	"time"
)

// Event is what a running operation reports: Started, Progress, NodeResult, Line, Done.
type Event interface{ opEvent() }

// Started is the first event: the process is running.
type Started struct {
	// Executable is the dbt that runs; Args are its arguments as passed (with the flags
	// datatui adds: --log-format json and the sandbox --target).
	Executable string
	Args       []string
	Dir        string
	At         time.Time
	// Engine is the dbt that runs; Container the docker container it runs in ("" locally).
	Engine    Engine
	Container string
}

// Progress reports how far the run is: Done of Total nodes finished. Node is the unique id of
// the node whose start or finish caused the update and Status its status ("running" on start).
type Progress struct {
	Done, Total int
	Node        string
	Status      string
	Elapsed     time.Duration
}

// NodeResult is one node's outcome. It can arrive more than once for the same UniqueID when a
// later log line adds detail (the error text after the run summary, the adapter response of a
// debug-level NodeFinished): the last one wins.
type NodeResult struct {
	UniqueID     string `json:"unique_id"`
	Name         string `json:"name"`
	ResourceType string `json:"resource_type"`
	// Path is node_info.node_path, relative to the model/seed/snapshot folder.
	Path string `json:"path,omitempty"`
	// Status: success, error, skipped, pass, fail, warn, no-op, partial success, runtime error
	// (source freshness), reused and cancelled (dbt Fusion; datatui also gives "cancelled" to a
	// node dbt never finished), or running.
	Status string `json:"status"`
	// Message is the error or failure text for failed nodes, else the adapter message.
	Message string        `json:"message,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
	// AdapterMessage is what the warehouse said ("CREATE VIEW", "SELECT 100", "INSERT 99").
	AdapterMessage string `json:"adapter_message,omitempty"`
	// Rows is the rows affected when the adapter reported it, else -1.
	Rows int64 `json:"rows"`
	// Failures is a test's failing-row count.
	Failures int `json:"failures,omitempty"`
	// Index is the "N of M" position dbt gave the node.
	Index int `json:"index,omitempty"`
	// Batches of a microbatch model (dbt 1.9+): how many there are, how many finished, how
	// many of those failed.
	Batches       int `json:"batches,omitempty"`
	BatchesDone   int `json:"batches_done,omitempty"`
	BatchesFailed int `json:"batches_failed,omitempty"`
	// Replaces is the id this node was known by until now, when dbt first named it only by
	// schema and name (LogSkipBecauseError) and later by its unique id: drop that entry.
	Replaces string `json:"replaces,omitempty"`
}

// Stream says where a Line came from.
type Stream int

const (
	Stdout Stream = iota
	Stderr
)

func (s Stream) String() string {
	if s == Stderr {
		return "stderr"
	}
	return "stdout"
}

// Line is one line of output, as text for people: the rendered message of a JSON log line,
// or the line itself when it was not JSON (a traceback, a print from a macro).
type Line struct {
	Text   string
	Stream Stream
	// Level is the log level (debug, info, warn, error); "" for non-JSON lines.
	Level string
}

// Summary counts node outcomes the way dbt's "Done." line does: PASS (success, pass), WARN,
// ERROR (error, failed tests, partial success, a freshness runtime error), SKIP, NO-OP; and
// what dbt-core never reports but dbt Fusion does: REUSED (a cached node) and CANCELLED.
type Summary struct {
	Pass      int `json:"pass"`
	Warn      int `json:"warn"`
	Error     int `json:"error"`
	Skip      int `json:"skip"`
	NoOp      int `json:"noop"`
	Reused    int `json:"reused,omitempty"`
	Cancelled int `json:"cancelled,omitempty"`
	Total     int `json:"total"`
}

// Done is the last event.
type Done struct {
	ExitCode  int
	Err       error
	Cancelled bool
	Summary   Summary
}

func (Started) opEvent()    {}
func (Progress) opEvent()   {}
func (NodeResult) opEvent() {}
func (Line) opEvent()       {}
func (Done) opEvent()       {}

// Failed reports whether a status is a failure (shown first, counted as ERROR).
func Failed(status string) bool {
	switch status {
	case "error", "fail", "runtime error", "partial success":
		return true
	}
	return false
}

// count adds a final status to the summary.
func (s *Summary) count(status string) {
	switch status {
	case "success", "pass":
		s.Pass++
	case "warn":
		s.Warn++
	case "error", "fail", "runtime error", "partial success":
		s.Error++
	case "skipped":
		s.Skip++
	case "no-op":
		s.NoOp++
	case "reused":
		s.Reused++
	case "cancelled":
		s.Cancelled++
	case "", "running":
		return
	}
	// A status datatui has no column for (a newer dbt's) still counts in the total.
	s.Total++
}

// Line renders a summary like dbt's "Done." line (REUSED and CANCELLED only when there are).
func (s Summary) Line() string {
	line := fmt.Sprintf("PASS=%d WARN=%d ERROR=%d SKIP=%d", s.Pass, s.Warn, s.Error, s.Skip)
	if s.NoOp > 0 {
		line += fmt.Sprintf(" NO-OP=%d", s.NoOp)
	}
	if s.Reused > 0 {
		line += fmt.Sprintf(" REUSED=%d", s.Reused)
	}
	if s.Cancelled > 0 {
		line += fmt.Sprintf(" CANCELLED=%d", s.Cancelled)
	}
	return line + fmt.Sprintf(" TOTAL=%d", s.Total)
}
