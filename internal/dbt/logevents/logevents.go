// Package logevents reads dbt's structured log (`--log-format json`, one JSON object a line)
// into typed events: which node started, finished, failed or was skipped, with dbt's own
// counts. internal/ops follows a run with it; nothing here runs dbt or draws.
package logevents

import (
	"bytes"
	"strings"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// Kind classifies a line of dbt's `--log-format json` output by the event it carries. Only
// the events that change what a run shows have their own kind; every other event is KindOther
// (its text is still kept), and a line that is not JSON at all (a Python traceback, a print()
// from a macro, a dbt that ignored the flag) is KindRaw.
//
// The kinds cover dbt-core 1.5 to 1.11 (event names and codes are stable across those
// versions, see ../shared/fixtures/dbt-logs/event-codes-by-version.json) and dbt Fusion, which
// writes the same envelope with a subset of the events.
type Kind uint8

const (
	KindOther Kind = iota
	KindRaw
	KindMainReportVersion // A001 "Running with dbt=1.8.2" / "Running with dbt-fusion=2.0.0"
	KindConcurrencyLine   // Q027: data.node_count is the number of nodes to run
	KindLogStartLine      // Q011: a node started
	KindNodeStart         // Q024 (debug): a node started
	// KindNodeResult is a node's result line: LogModelResult, LogTestResult, LogSeedResult,
	// LogSnapshotResult, LogFreshnessResult, LogNodeNoOpResult, LogFunctionResult (1.11) and
	// LogNodeResult (1.10+, and Fusion's result for every other node type).
	KindNodeResult
	KindSkippingDetails   // Q034: a node skipped because something upstream failed
	KindLogSkipBecauseErr // Z034: skipped because an ephemeral model failed; names the node only by schema and name
	KindNodeFinished      // Q025 (debug): authoritative final status with run_result
	// KindMarkSkippedChildren is Z033 (1.9+, debug; Fusion): the node in data.unique_id failed
	// with data.run_result and its children will be skipped.
	KindMarkSkippedChildren
	// KindNodeException is a node that ended in an unhandled error: GenericExceptionOnRun
	// (W004) and InternalErrorOnRun (W003). data.exc is the error.
	KindNodeException
	// KindCatchableException is CatchableExceptionOnRun (W002, debug): the error text of a node
	// whose result line follows.
	KindCatchableException
	KindBatchStart         // Q045 LogStartBatch (1.9+): a microbatch model started a batch
	KindBatchResult        // Q046 LogBatchResult (1.9+): a batch finished
	KindCancelLine         // Q022 LogCancelLine: dbt cancelled the query of data.conn_name
	KindEndOfRunSummary    // Z030 "Completed with 1 error and 0 warnings:"
	KindRunResultError     // Z024 RunResultError, Z025 RunResultErrorNoMessage: error text of a failed node
	KindFirstResultError   // Z028 FirstRunResultError (1.5–1.6): first line of a node's error text
	KindAfterResultError   // Z029 AfterFirstRunResultError (1.5–1.6): a further line of it
	KindRunResultFailure   // Z022 "Failure in test …"
	KindRunResultWarning   // Z021 "Warning in test …"
	KindRunResultWarnMsg   // Z046 RunResultWarningMessage: the text of a warning
	KindStatsLine          // Z023 "Done. PASS=… WARN=… ERROR=… SKIP=… TOTAL=…"
	KindMainEncounteredErr // Z002: fatal error outside the run (parse error, bad profile)
	KindMainStackTrace     // Z003: the Python traceback after a fatal error
	KindMainKeyboardInt    // Z001: ctrl-c
	KindOperationError     // Q001 / Q036 RunningOperation(Un)caughtError: `dbt run-operation` failed
	KindCommandCompleted   // Q039 (debug): end of the command
	KindDebugResult        // Z048 DebugCmdResult: `dbt debug`'s verdict ("1 check failed: …")
	KindNothingSelected    // M030 / Q035 / Q038: the selection matched nothing
	// KindNodeLog is a message about one node that is not one of the events above: Fusion's
	// "Generic" lines carry a failed node's error this way (only data.node_info.unique_id).
	KindNodeLog
)

// NodeInfo is data.node_info: which node an event is about.
type NodeInfo struct {
	UniqueID     string
	Name         string
	ResourceType string
	Path         string
	Materialized string
	// Status walks "started" → the final status (success, error, skipped, pass, fail, warn,
	// no-op; Fusion adds reused and cancelled); summary events carry "None".
	Status     string
	StartedAt  string
	FinishedAt string
}

// RunResult is data.run_result of NodeFinished and MarkSkippedChildren.
type RunResult struct {
	Status         string
	Message        string
	ExecutionTime  float64
	NumFailures    int
	AdapterMessage string // adapter_response._message ("SELECT 100", "CREATE VIEW", "OK")
	RowsAffected   int64  // adapter_response.rows_affected; -1 when the adapter did not say
}

// Stats is StatsLine's data.stats, dbt's own end-of-run counts.
type Stats struct {
	Pass, Warn, Error, Skip, NoOp, Total int
}

// Event is one parsed line of dbt's JSON log. Only the fields the progress view needs are
// decoded; the rest of the line is skipped without being built.
type Event struct {
	Kind Kind
	// Name is info.name (the event type, "LogModelResult"); "" for raw lines.
	Name  string
	Code  string
	Level string // debug, info, warn, error
	// Msg is info.msg (ANSI colours removed), or the whole line for a raw line.
	Msg string
	TS  string // info.ts, ISO 8601 UTC

	Node NodeInfo
	// Index/Total: "3 of 20"; Total is also ConcurrencyLine's node_count and
	// LogTestResult's num_models.
	Index, Total int
	// BatchIndex/BatchTotal: "batch 3 of 10" of a microbatch model.
	BatchIndex, BatchTotal int
	// Status is data.status: the adapter message for a model ("CREATE VIEW", "SELECT 5",
	// "error"), pass/fail/warn/error for a test, success/error for seeds and snapshots.
	Status        string
	ResultMessage string // data.result_message (seeds, snapshots: "INSERT 100")
	ExecutionTime float64
	NumFailures   int
	Description   string
	// Schema and Relation: LogSkipBecauseError's only way of naming its node (relation is the
	// node's name).
	Schema, Relation string
	// ConnName is LogCancelLine's connection: a node's unique id, or "master" / "list_…".
	ConnName string

	RunResult *RunResult // NodeFinished, MarkSkippedChildren
	Stats     *Stats     // StatsLine

	// EndOfRunSummary.
	NumErrors, NumWarnings, NumPartialSuccess int
	KeyboardInterrupt                         bool
	// Text is data.msg (RunResultError, RunResultWarningMessage), data.exc (exceptions,
	// MainEncounteredError) or data.stack_trace, with ANSI colours removed.
	Text string
	// CommandCompleted.
	Command string
	Success bool
	Elapsed float64
	// MainReportVersion: Version without the leading "="; Fusion when dbt Fusion wrote the log.
	Version string
	Fusion  bool
}

// kindByName maps the event names datatui follows to their kind. A switch on the name keeps
// this free of package-level state.
func kindByName(name []byte) Kind {
	switch string(name) {
	case "MainReportVersion":
		return KindMainReportVersion
	case "ConcurrencyLine":
		return KindConcurrencyLine
	case "LogStartLine":
		return KindLogStartLine
	case "NodeStart":
		return KindNodeStart
	case "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogFreshnessResult",
		"LogNodeNoOpResult", "LogFunctionResult", "LogNodeResult":
		return KindNodeResult
	case "SkippingDetails":
		return KindSkippingDetails
	case "LogSkipBecauseError":
		return KindLogSkipBecauseErr
	case "NodeFinished":
		return KindNodeFinished
	case "MarkSkippedChildren":
		return KindMarkSkippedChildren
	case "GenericExceptionOnRun", "InternalErrorOnRun":
		return KindNodeException
	case "CatchableExceptionOnRun":
		return KindCatchableException
	case "LogStartBatch":
		return KindBatchStart
	case "LogBatchResult":
		return KindBatchResult
	case "LogCancelLine":
		return KindCancelLine
	case "EndOfRunSummary":
		return KindEndOfRunSummary
	case "RunResultError", "RunResultErrorNoMessage":
		return KindRunResultError
	case "FirstRunResultError":
		return KindFirstResultError
	case "AfterFirstRunResultError":
		return KindAfterResultError
	case "RunResultFailure":
		return KindRunResultFailure
	case "RunResultWarning":
		return KindRunResultWarning
	case "RunResultWarningMessage":
		return KindRunResultWarnMsg
	case "StatsLine":
		return KindStatsLine
	case "MainEncounteredError":
		return KindMainEncounteredErr
	case "MainStackTrace":
		return KindMainStackTrace
	case "MainKeyboardInterrupt":
		return KindMainKeyboardInt
	case "RunningOperationCaughtError", "RunningOperationUncaughtError":
		return KindOperationError
	case "CommandCompleted":
		return KindCommandCompleted
	case "DebugCmdResult":
		return KindDebugResult
	case "NoNodesForSelectionCriteria", "NothingToDo", "NoNodesSelected":
		return KindNothingSelected
	}
	return KindOther
}

// Parse parses one line of `dbt --log-format json` output. It never fails: a line that
// is not a JSON log object (or is malformed JSON) comes back as KindRaw with the line as Msg,
// so nothing dbt printed is lost.
func Parse(line []byte) Event {
	line = bytes.TrimRight(line, "\r\n")
	trimmed := bytes.TrimLeft(line, " \t")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return rawEvent(line)
	}
	ev, err := parseLogObject(trimmed)
	if err != nil || ev.Name == "" {
		return rawEvent(line)
	}
	return ev
}

func rawEvent(line []byte) Event {
	return Event{Kind: KindRaw, Msg: stripANSI(string(line))}
}

func parseLogObject(b []byte) (ev Event, err error) {
	defer jsonscan.Catch(&err)
	s := jsonscan.New(b)
	dataStart, dataEnd := -1, -1
	var name []byte
	s.Object(func(key []byte) {
		switch string(key) {
		case "data":
			s.SkipSpace()
			dataStart = s.Pos()
			s.Skip()
			dataEnd = s.Pos()
		case "info":
			s.Object(func(k []byte) {
				switch string(k) {
				case "name":
					if s.Peek() == '"' {
						raw, esc := s.RawString()
						if esc {
							raw = []byte(s.Unescape(raw))
						}
						name = raw
					} else {
						s.Skip()
					}
				case "level":
					ev.Level = s.Str()
				case "msg":
					ev.Msg = stripANSI(s.Str())
				case "code":
					ev.Code = s.Str()
				case "ts":
					ev.TS = s.Str()
				default:
					s.Skip()
				}
			})

		default:
			s.Skip()
		}
	})

	if !s.AtEnd() {
		s.Fail("unexpected text after the JSON object")
	}
	if name == nil {
		return ev, nil
	}
	ev.Kind = kindByName(name)
	ev.Name = knownName(name)
	if dataStart < 0 {
		return ev, nil
	}
	ds := &scanner{jsonscan.New(b[:dataEnd])}
	ds.Seek(dataStart)
	if ev.Kind != KindOther {
		ds.logData(&ev)
	} else if ev.Level == "error" || ev.Level == "warn" {
		// An event datatui does not follow may still be about one node (Fusion's "Generic"
		// error lines are): read only node_info to tell.
		ds.Object(func(key []byte) {
			if string(key) == "node_info" {
				ds.nodeInfo(&ev.Node)
			} else {
				ds.Skip()
			}
		})

		if ev.Node.UniqueID != "" {
			ev.Kind = KindNodeLog
		}
	}
	if ev.Kind == KindMainReportVersion {
		ev.Fusion = strings.Contains(ev.Msg, "dbt-fusion")
	}
	return ev, nil
}

// knownName returns the event name, sharing a constant string for the frequent ones so a
// debug stream of SQLQuery lines does not allocate a name per line.
func knownName(name []byte) string {
	switch string(name) {
	case "SQLQuery":
		return "SQLQuery"
	case "SQLQueryStatus":
		return "SQLQueryStatus"
	case "SQLCommit":
		return "SQLCommit"
	case "NewConnection":
		return "NewConnection"
	case "ConnectionUsed":
		return "ConnectionUsed"
	case "ConnectionReused":
		return "ConnectionReused"
	case "ConnectionClosed":
		return "ConnectionClosed"
	case "LogModelResult":
		return "LogModelResult"
	case "LogTestResult":
		return "LogTestResult"
	case "LogStartLine":
		return "LogStartLine"
	case "NodeStart":
		return "NodeStart"
	case "NodeFinished":
		return "NodeFinished"
	case "NodeCompiling":
		return "NodeCompiling"
	case "NodeExecuting":
		return "NodeExecuting"
	case "WritingInjectedSQLForNode":
		return "WritingInjectedSQLForNode"
	case "Formatting":
		return "Formatting"
	case "Generic":
		return "Generic"
	}
	return string(name)
}

// logData decodes the data fields the event's kind needs.
// scanner is the JSON scanner with the readers of the log's data objects.
type scanner struct{ jsonscan.Scanner }

func (s *scanner) logData(ev *Event) {
	s.Object(func(key []byte) {
		switch string(key) {
		case "node_info":
			s.nodeInfo(&ev.Node)
		case "index":
			ev.Index = s.Int()
		case "total", "node_count", "num_models":
			ev.Total = s.Int()
		case "batch_index":
			ev.BatchIndex = s.Int()
		case "total_batches":
			ev.BatchTotal = s.Int()
		case "status":
			ev.Status = s.Str()
		case "result_message":
			ev.ResultMessage = s.Str()
		case "execution_time":
			ev.ExecutionTime = s.Float()
		case "num_failures":
			ev.NumFailures = s.Int()
		case "num_errors":
			ev.NumErrors = s.Int()
		case "num_warnings":
			ev.NumWarnings = s.Int()
		case "num_partial_success":
			ev.NumPartialSuccess = s.Int()
		case "keyboard_interrupt":
			ev.KeyboardInterrupt = s.Bool()
		case "description":
			ev.Description = s.Str()
		case "run_result":
			ev.RunResult = s.runResult()
		case "stats":
			ev.Stats = s.stats()
		case "msg", "exc", "stack_trace":
			ev.Text = cleanText(s.Str())
		case "command":
			ev.Command = s.Str()
		case "success":
			ev.Success = s.Bool()
		case "elapsed":
			ev.Elapsed = s.Float()
		case "version":
			ev.Version = strings.TrimPrefix(s.Str(), "=")
		case "schema":
			ev.Schema = s.Str()
		case "relation":
			ev.Relation = s.Str()
		case "conn_name":
			ev.ConnName = s.Str()
		case "unique_id":

			if id := s.Str(); ev.Node.UniqueID == "" {
				ev.Node.UniqueID = id
			}
		case "node_name":
			if n := s.Str(); ev.Node.Name == "" {
				ev.Node.Name = n
			}
		case "resource_type":
			if n := s.Str(); ev.Node.ResourceType == "" {
				ev.Node.ResourceType = n
			}
		default:
			s.Skip()
		}
	})

}

func (s *scanner) nodeInfo(n *NodeInfo) {
	s.Object(func(key []byte) {
		switch string(key) {
		case "unique_id":
			n.UniqueID = s.Str()
		case "node_name":
			n.Name = s.Str()
		case "resource_type":
			n.ResourceType = s.Str()
		case "node_path":
			n.Path = s.Str()
		case "materialized":
			n.Materialized = s.Str()
		case "node_status":
			n.Status = s.Str()
		case "node_started_at":
			n.StartedAt = s.Str()
		case "node_finished_at":
			n.FinishedAt = s.Str()
		default:
			s.Skip()
		}
	})

}

func (s *scanner) runResult() *RunResult {
	r := &RunResult{RowsAffected: -1}
	s.Object(func(key []byte) {
		switch string(key) {
		case "status":
			r.Status = s.Str()
		case "message":
			r.Message = cleanText(s.Str())
		case "execution_time":
			r.ExecutionTime = s.Float()
		case "num_failures":
			r.NumFailures = s.Int()
		case "adapter_response":
			s.Object(func(k []byte) {
				switch string(k) {
				case "_message":
					r.AdapterMessage = s.Str()
				case "rows_affected":
					r.RowsAffected = int64(s.Int())
				default:
					s.Skip()
				}
			})

		default:
			s.Skip()
		}
	})

	return r
}

func (s *scanner) stats() *Stats {
	st := &Stats{}
	s.Object(func(key []byte) {
		switch string(key) {
		case "pass":
			st.Pass = s.Int()
		case "warn":
			st.Warn = s.Int()
		case "error":
			st.Error = s.Int()
		case "skip":
			st.Skip = s.Int()
		case "noop":
			st.NoOp = s.Int()
		case "total":
			st.Total = s.Int()
		default:
			s.Skip()
		}
	})

	return st
}

// stripANSI removes ANSI escape sequences (dbt colours "OK"/"ERROR" unless --no-use-colors).
// The common case, no escape at all, costs one byte scan and no allocation.
func stripANSI(s string) string {
	if strings.IndexByte(s, 0x1b) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != 0x1b {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '[' {
			// CSI: ESC [ params final-byte(0x40–0x7e)
			j := i + 2
			for j < len(s) && (s[j] < 0x40 || s[j] > 0x7e) {
				j++
			}
			i = j
			continue
		}
		if i+1 < len(s) && s[i+1] == ']' {
			// OSC: up to BEL or ESC \
			j := i + 2
			for j < len(s) && s[j] != 0x07 && !(s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\') {
				j++
			}
			if j < len(s) && s[j] == 0x1b {
				j++
			}
			i = j
			continue
		}
		i++ // a two-byte escape
	}
	return b.String()
}

// cleanText is a multi-line text from the log as people read it: colours removed (a unit
// test's diff table is coloured) and Windows line ends made plain.
func cleanText(s string) string {
	s = stripANSI(s)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\r")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	return s
}

// IsFinalStatus reports whether s is a status a node ends with (rather than "started",
// "compiling", "executing" or a summary event's "None").
func IsFinalStatus(s string) bool {
	switch s {
	case "success", "error", "skipped", "pass", "fail", "warn", "no-op", "partial success",
		"runtime error", "reused", "cancelled":
		return true
	}
	return false
}

// FinalStatus is the node's final status as dbt reports it: run_result.status, else
// node_info.node_status when it is final, else data.status when it is a status (tests, seeds,
// Fusion), else what the event itself means (a skip, an unhandled error).
func (e *Event) FinalStatus() string {
	if e.RunResult != nil && e.RunResult.Status != "" {
		return e.RunResult.Status
	}
	if IsFinalStatus(e.Node.Status) {
		return e.Node.Status
	}
	switch e.Kind {
	case KindSkippingDetails, KindLogSkipBecauseErr:
		return "skipped"
	case KindNodeException:
		return "error"
	}
	if IsFinalStatus(e.Status) {
		return e.Status
	}
	if e.Level == "error" {
		return "error"
	}
	return "success"
}

// KindOf is the kind Parse gives an event of that name.
func KindOf(name string) Kind { return kindByName([]byte(name)) }
