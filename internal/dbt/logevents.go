package dbt

import (
	"bytes"
	"strconv"
	"strings"
)

// LogKind classifies a line of dbt's `--log-format json` output by the event it carries. Only
// the events a progress view needs have their own kind; every other event is KindOther (its
// text is still kept), and a line that is not JSON at all (a Python traceback, a print() from a
// macro, a dbt that ignored the flag) is KindRaw.
type LogKind uint8

const (
	KindOther LogKind = iota
	KindRaw
	KindMainReportVersion  // A001 "Running with dbt=1.8.2"
	KindConcurrencyLine    // Q027: data.node_count is the number of nodes to run
	KindLogStartLine       // Q011: a node started
	KindNodeStart          // Q024 (debug): a node started
	KindNodeResult         // LogModelResult, LogTestResult, LogSeedResult, LogSnapshotResult, LogFreshnessResult, LogNodeNoOpResult
	KindSkippingDetails    // Q034: a node skipped because something upstream failed
	KindLogSkipBecauseErr  // Z034: a node skipped because of an ephemeral model's error
	KindNodeFinished       // Q025 (debug): authoritative final status with run_result
	KindEndOfRunSummary    // Z030 "Completed with 1 error and 0 warnings:"
	KindRunResultError     // Z024: error text of a failed node (after the summary)
	KindRunResultFailure   // Z022 "Failure in test …"
	KindRunResultWarning   // Z021
	KindStatsLine          // Z023 "Done. PASS=… WARN=… ERROR=… SKIP=… TOTAL=…"
	KindMainEncounteredErr // Z002: fatal error outside the run (parse error, bad profile)
	KindMainKeyboardInt    // Z001: ctrl-c
	KindCommandCompleted   // Q039 (debug): end of the command
	KindNothingSelected    // M030 / Q035 / Q038: the selection matched nothing
)

// NodeLogInfo is data.node_info: which node an event is about.
type NodeLogInfo struct {
	UniqueID     string
	Name         string
	ResourceType string
	Path         string
	Materialized string
	// Status walks "started" → the final status (success, error, skipped, pass, fail, warn,
	// no-op); summary events carry "None".
	Status     string
	StartedAt  string
	FinishedAt string
}

// LogRunResult is data.run_result of NodeFinished.
type LogRunResult struct {
	Status         string
	Message        string
	ExecutionTime  float64
	NumFailures    int
	AdapterMessage string // adapter_response._message ("SELECT 100", "CREATE VIEW", "OK")
	RowsAffected   int64  // adapter_response.rows_affected; -1 when the adapter did not say
}

// LogStats is StatsLine's data.stats, dbt's own end-of-run counts.
type LogStats struct {
	Pass, Warn, Error, Skip, NoOp, Total int
}

// LogEvent is one parsed line of dbt's JSON log. Only the fields the progress view needs are
// decoded; the rest of the line is skipped without being built.
type LogEvent struct {
	Kind LogKind
	// Name is info.name (the event type, "LogModelResult"); "" for raw lines.
	Name  string
	Code  string
	Level string // debug, info, warn, error
	// Msg is info.msg (ANSI colours removed), or the whole line for a raw line.
	Msg string
	TS  string // info.ts, ISO 8601 UTC

	Node NodeLogInfo
	// Index/Total: "3 of 20"; Total is also ConcurrencyLine's node_count and
	// LogTestResult's num_models.
	Index, Total int
	// Status is data.status: the adapter message for a model ("CREATE VIEW", "SELECT 5",
	// "error"), pass/fail/warn/error for a test, success/error for seeds and snapshots.
	Status        string
	ResultMessage string // data.result_message (seeds, snapshots: "INSERT 100")
	ExecutionTime float64
	NumFailures   int
	Description   string

	RunResult *LogRunResult // NodeFinished
	Stats     *LogStats     // StatsLine

	// EndOfRunSummary.
	NumErrors, NumWarnings int
	KeyboardInterrupt      bool
	// Text is data.msg (RunResultError) or data.exc (MainEncounteredError).
	Text string
	// CommandCompleted.
	Command string
	Success bool
	Elapsed float64
	// MainReportVersion.
	Version string
}

// kindByName maps the event names datatui follows to their kind. A switch on the name keeps
// this free of package-level state.
func kindByName(name []byte) LogKind {
	switch string(name) {
	case "MainReportVersion":
		return KindMainReportVersion
	case "ConcurrencyLine":
		return KindConcurrencyLine
	case "LogStartLine":
		return KindLogStartLine
	case "NodeStart":
		return KindNodeStart
	case "LogModelResult", "LogTestResult", "LogSeedResult", "LogSnapshotResult", "LogFreshnessResult", "LogNodeNoOpResult":
		return KindNodeResult
	case "SkippingDetails":
		return KindSkippingDetails
	case "LogSkipBecauseError":
		return KindLogSkipBecauseErr
	case "NodeFinished":
		return KindNodeFinished
	case "EndOfRunSummary":
		return KindEndOfRunSummary
	case "RunResultError", "RunResultErrorNoMessage":
		return KindRunResultError
	case "RunResultFailure":
		return KindRunResultFailure
	case "RunResultWarning":
		return KindRunResultWarning
	case "StatsLine":
		return KindStatsLine
	case "MainEncounteredError":
		return KindMainEncounteredErr
	case "MainKeyboardInterrupt":
		return KindMainKeyboardInt
	case "CommandCompleted":
		return KindCommandCompleted
	case "NoNodesForSelectionCriteria", "NothingToDo", "NoNodesSelected":
		return KindNothingSelected
	}
	return KindOther
}

// ParseLogLine parses one line of `dbt --log-format json` output. It never fails: a line that
// is not a JSON log object (or is malformed JSON) comes back as KindRaw with the line as Msg,
// so nothing dbt printed is lost.
func ParseLogLine(line []byte) LogEvent {
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

func rawEvent(line []byte) LogEvent {
	return LogEvent{Kind: KindRaw, Msg: stripANSI(string(line))}
}

func parseLogObject(b []byte) (ev LogEvent, err error) {
	defer catchJSON(&err)
	s := &jsonScanner{b: b}
	dataStart, dataEnd := -1, -1
	var name []byte
	s.object(func(key []byte) {
		switch string(key) {
		case "data":
			s.ws()
			dataStart = s.i
			s.skip()
			dataEnd = s.i
		case "info":
			s.object(func(k []byte) {
				switch string(k) {
				case "name":
					if s.peek() == '"' {
						raw, esc := s.rawString()
						if esc {
							raw = []byte(s.unescape(raw))
						}
						name = raw
					} else {
						s.skip()
					}
				case "level":
					ev.Level = s.str()
				case "msg":
					ev.Msg = stripANSI(s.str())
				case "code":
					ev.Code = s.str()
				case "ts":
					ev.TS = s.str()
				default:
					s.skip()
				}
			})
		default:
			s.skip()
		}
	})
	s.ws()
	if s.i != len(b) {
		s.fail("unexpected text after the JSON object")
	}
	if name == nil {
		return ev, nil
	}
	ev.Kind = kindByName(name)
	ev.Name = knownName(name)
	if ev.Kind != KindOther && dataStart >= 0 {
		ds := &jsonScanner{b: b[:dataEnd], i: dataStart}
		ds.logData(&ev)
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
	}
	return string(name)
}

// logData decodes the data fields the event's kind needs.
func (s *jsonScanner) logData(ev *LogEvent) {
	s.object(func(key []byte) {
		switch string(key) {
		case "node_info":
			s.nodeInfo(&ev.Node)
		case "index", "batch_index":
			ev.Index = s.integer()
		case "total", "node_count", "num_models":
			ev.Total = s.integer()
		case "status":
			ev.Status = s.str()
		case "result_message":
			ev.ResultMessage = s.str()
		case "execution_time":
			ev.ExecutionTime = s.float()
		case "num_failures", "num_errors":
			if string(key) == "num_failures" {
				ev.NumFailures = s.integer()
			} else {
				ev.NumErrors = s.integer()
			}
		case "num_warnings":
			ev.NumWarnings = s.integer()
		case "keyboard_interrupt":
			ev.KeyboardInterrupt = s.boolean()
		case "description":
			ev.Description = s.str()
		case "run_result":
			ev.RunResult = s.runResult()
		case "stats":
			ev.Stats = s.stats()
		case "msg", "exc":
			ev.Text = s.str()
		case "command":
			ev.Command = s.str()
		case "success":
			ev.Success = s.boolean()
		case "elapsed":
			ev.Elapsed = s.float()
		case "version":
			ev.Version = strings.TrimPrefix(s.str(), "=")
		case "unique_id":
			// MarkSkippedChildren and older events name the node outside node_info.
			if id := s.str(); ev.Node.UniqueID == "" {
				ev.Node.UniqueID = id
			}
		case "node_name":
			if n := s.str(); ev.Node.Name == "" {
				ev.Node.Name = n
			}
		case "resource_type":
			if n := s.str(); ev.Node.ResourceType == "" {
				ev.Node.ResourceType = n
			}
		default:
			s.skip()
		}
	})
}

func (s *jsonScanner) nodeInfo(n *NodeLogInfo) {
	s.object(func(key []byte) {
		switch string(key) {
		case "unique_id":
			n.UniqueID = s.str()
		case "node_name":
			n.Name = s.str()
		case "resource_type":
			n.ResourceType = s.str()
		case "node_path":
			n.Path = s.str()
		case "materialized":
			n.Materialized = s.str()
		case "node_status":
			n.Status = s.str()
		case "node_started_at":
			n.StartedAt = s.str()
		case "node_finished_at":
			n.FinishedAt = s.str()
		default:
			s.skip()
		}
	})
}

func (s *jsonScanner) runResult() *LogRunResult {
	r := &LogRunResult{RowsAffected: -1}
	s.object(func(key []byte) {
		switch string(key) {
		case "status":
			r.Status = s.str()
		case "message":
			r.Message = s.str()
		case "execution_time":
			r.ExecutionTime = s.float()
		case "num_failures":
			r.NumFailures = s.integer()
		case "adapter_response":
			s.object(func(k []byte) {
				switch string(k) {
				case "_message":
					r.AdapterMessage = s.str()
				case "rows_affected":
					r.RowsAffected = int64(s.integer())
				default:
					s.skip()
				}
			})
		default:
			s.skip()
		}
	})
	return r
}

func (s *jsonScanner) stats() *LogStats {
	st := &LogStats{}
	s.object(func(key []byte) {
		switch string(key) {
		case "pass":
			st.Pass = s.integer()
		case "warn":
			st.Warn = s.integer()
		case "error":
			st.Error = s.integer()
		case "skip":
			st.Skip = s.integer()
		case "noop":
			st.NoOp = s.integer()
		case "total":
			st.Total = s.integer()
		default:
			s.skip()
		}
	})
	return st
}

// integer reads a number (or a numeric string) as an int; anything else reads as 0.
func (s *jsonScanner) integer() int {
	v, ok := s.text()
	if !ok {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && f >= -1e15 && f <= 1e15 {
		return int(f)
	}
	return 0
}

// float reads a number (or a numeric string); anything else reads as 0.
func (s *jsonScanner) float() float64 {
	v, ok := s.text()
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return f
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

// FinalStatus is the node's final status as dbt reports it: node_info.node_status when it
// is final, else run_result.status, else data.status for tests (pass/fail/warn/error).
func (e *LogEvent) FinalStatus() string {
	if e.RunResult != nil && e.RunResult.Status != "" {
		return e.RunResult.Status
	}
	switch e.Node.Status {
	case "", "started", "None", "compiling", "executing":
	default:
		return e.Node.Status
	}
	switch e.Kind {
	case KindSkippingDetails, KindLogSkipBecauseErr:
		return "skipped"
	}
	switch e.Status {
	case "pass", "fail", "warn", "error", "success", "skipped", "no-op", "runtime error":
		return e.Status
	}
	if e.Level == "error" {
		return "error"
	}
	return "success"
}
