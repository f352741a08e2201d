// Package ops runs the operations contributors start from datatui — dbt builds, tests, seeds
// and friends — as real processes, and reports what happens as typed events that the CLI and
// the runs screen both consume. It knows nothing about terminals or Bubble Tea.
package ops

import "time"

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
	// Status: success, error, skipped, pass, fail, warn, no-op, running.
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
// ERROR (error and failed tests), SKIP, NO-OP.
type Summary struct {
	Pass  int `json:"pass"`
	Warn  int `json:"warn"`
	Error int `json:"error"`
	Skip  int `json:"skip"`
	NoOp  int `json:"noop"`
	Total int `json:"total"`
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
	default:
		return
	}
	s.Total++
}
