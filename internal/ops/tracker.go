package ops

import (
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/logevents"
	"github.com/datatui/datatui/internal/lazyre"
)

// Tracker follows a dbt log stream and keeps the run's state: the total, each node's latest
// result, dbt's own counts. It works at the default info level (LogStartLine, Log*Result,
// SkippingDetails), with --log-level debug (NodeStart/NodeFinished, whose run_result is
// authoritative), for dbt-core 1.5 to 1.11 and for dbt Fusion (no ConcurrencyLine, StatsLine
// or EndOfRunSummary, no index/total on LogStartLine). It is not safe for concurrent use; the
// runner feeds it from one goroutine.
type Tracker struct {
	start time.Time
	now   func() time.Time

	total int
	done  int
	nodes map[string]*NodeResult
	order []string
	// finished marks nodes already counted in done, so NodeFinished after LogModelResult does
	// not count a node twice.
	finished map[string]bool
	// byName indexes node ids by name, to find the node of an event that names it only so
	// (RunResultFailure of old versions, LogSkipBecauseError, an error message's "in model x").
	byName map[string][]string
	// named is the node the last RunResultFailure / RunResultWarning named: the error or
	// warning text that follows it is that node's.
	named string
	// block is the node whose error text FirstRunResultError started (dbt 1.5–1.6 print it
	// one line per event); blockErr is the index in Errors when that node is unknown.
	block    string
	blockErr int
	// early holds error lines about a node that has not started yet (Fusion prints a node's
	// error before its result).
	early map[string][]string

	// Stats is dbt's StatsLine when it arrived.
	Stats *logevents.Stats
	// Version is the dbt version from the first line; Fusion is true for dbt Fusion.
	Version string
	Fusion  bool
	// Fatal is dbt's error when it stopped before or outside the run (MainEncounteredError,
	// else the last line of its traceback).
	Fatal string
	// Errors are error texts dbt printed that belong to no node datatui can name for sure (a
	// failed run-operation, a 1.5 error line about a node it never reported): they are shown
	// for the whole run rather than pinned on a guess.
	Errors []string
	// Interrupted is true when dbt reported a keyboard interrupt.
	Interrupted bool
	// NothingSelected is true when the selection matched no node.
	NothingSelected bool
	// SummaryErrors and PartialSuccess are EndOfRunSummary's counts (dbt 1.9+ adds the
	// latter); SummarySeen is true once it arrived.
	SummaryErrors, PartialSuccess int
	SummarySeen                   bool

	stackLast string
	debugErr  int
}

// NewTracker returns a tracker whose elapsed times count from start.
func NewTracker(start time.Time) *Tracker {
	return &Tracker{start: start, now: time.Now, nodes: map[string]*NodeResult{}, finished: map[string]bool{},
		byName: map[string][]string{}, blockErr: -1, debugErr: -1}
}

// Apply takes one parsed log line and returns the events it causes (in order). The Line event
// for the text itself is the caller's business.
func (t *Tracker) Apply(ev *logevents.Event) []Event {
	if ev.Kind != logevents.KindAfterResultError && ev.Kind != logevents.KindOther && ev.Kind != logevents.KindRaw {
		t.block, t.blockErr = "", -1
	}
	if evs, ok := t.nodeEvent(ev); ok {
		return evs
	}
	if evs, ok := t.resultEvent(ev); ok {
		return evs
	}
	t.runEvent(ev)
	return nil
}

// nodeEvent follows the events about one node (or the count of nodes): started, finished,
// failed, skipped, cancelled, a batch of a microbatch model. ok is false for other events.
func (t *Tracker) nodeEvent(ev *logevents.Event) (_ []Event, ok bool) {
	switch ev.Kind {
	case logevents.KindConcurrencyLine:
		if ev.Total > t.total {
			t.total = ev.Total
			return []Event{t.progress("", "")}, true
		}
	case logevents.KindLogStartLine, logevents.KindNodeStart:
		if ev.Node.Materialized == "ephemeral" {
			return nil, true // compiled into its children, not run: dbt reports no result for it
		}
		return t.started(ev), true
	case logevents.KindNodeResult, logevents.KindSkippingDetails, logevents.KindNodeFinished, logevents.KindMarkSkippedChildren:
		return t.nodeResult(ev), true
	case logevents.KindNodeException:
		// An unhandled error ends the node; for some node types (saved queries in 1.8) it is
		// the only line dbt prints about it.
		return t.finish(ev.Node.UniqueID, ev, "error", ev.Text), true
	case logevents.KindLogSkipBecauseErr:
		return t.skipBecauseError(ev), true
	case logevents.KindCatchableException:
		if n := t.nodes[ev.Node.UniqueID]; n != nil && n.Message == "" && strings.TrimSpace(ev.Text) != "" {
			n.Message = strings.TrimSpace(ev.Text)
			return []Event{*n}, true
		}
	case logevents.KindBatchStart, logevents.KindBatchResult:
		return t.batch(ev), true
	case logevents.KindCancelLine:
		// The connection of a node is named by its unique id: that node will not finish.
		if n := t.nodes[ev.ConnName]; n != nil && !t.finished[n.UniqueID] {
			return t.finish(n.UniqueID, ev, "cancelled", "dbt cancelled its query"), true
		}
	case logevents.KindNodeLog:
		return t.nodeLog(ev), true
	default:
		return nil, false
	}
	return nil, true
}

// nodeResult ends a node with the status its result line gives.
func (t *Tracker) nodeResult(ev *logevents.Event) []Event {
	status := ev.FinalStatus()
	if ev.Node.Materialized == "ephemeral" && !Failed(status) {
		return nil
	}
	if status == "error" && t.nodes[ev.Node.UniqueID] != nil && t.nodes[ev.Node.UniqueID].Status == "cancelled" {
		// The error of a query dbt cancelled is the cancel's doing.
		status = "cancelled"
	}
	return t.finish(ev.Node.UniqueID, ev, status, "")
}

// resultEvent follows the end-of-run summary: dbt's counts and the error and warning texts
// it repeats there for the nodes that failed. ok is false for other events.
func (t *Tracker) resultEvent(ev *logevents.Event) (_ []Event, ok bool) {
	switch ev.Kind {
	case logevents.KindEndOfRunSummary:
		t.SummarySeen = true
		t.SummaryErrors, t.PartialSuccess = ev.NumErrors, ev.NumPartialSuccess
		if ev.KeyboardInterrupt {
			t.Interrupted = true
		}
	case logevents.KindRunResultFailure, logevents.KindRunResultWarning:
		t.named = t.identify(ev)
	case logevents.KindRunResultError, logevents.KindRunResultWarnMsg, logevents.KindFirstResultError:
		named := t.named
		t.named = ""
		return t.errorText(ev, named), true
	case logevents.KindAfterResultError:
		return t.moreErrorText(ev), true
	case logevents.KindStatsLine:
		if ev.Stats != nil {
			st := *ev.Stats
			t.Stats = &st
		}
	default:
		return nil, false
	}
	return nil, true
}

// runEvent follows what is about the run as a whole: dbt's version, a fatal error and its
// traceback, ctrl-c, a failed run-operation, an empty selection, dbt debug's verdict.
func (t *Tracker) runEvent(ev *logevents.Event) {
	switch ev.Kind {
	case logevents.KindMainReportVersion:
		t.Version, t.Fusion = ev.Version, ev.Fusion
	case logevents.KindMainEncounteredErr:
		t.Fatal = strings.TrimSpace(ev.Text)
		if t.Fatal == "" {
			t.Fatal = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(ev.Msg), "Encountered an error:"))
		}
		if t.Fatal == "" && t.stackLast != "" && !t.Interrupted {
			t.Fatal = t.stackLast
		}
	case logevents.KindMainStackTrace:
		t.stackLast = lastLine(ev.Text)
		// dbt-core 1.8 reports Ctrl-C as an empty MainEncounteredError whose traceback ends
		// in KeyboardInterrupt (it never fires MainKeyboardInterrupt).
		if t.stackLast == "KeyboardInterrupt" {
			t.Interrupted = true
		} else if t.Fatal == "" {
			t.Fatal = t.stackLast
		}
	case logevents.KindMainKeyboardInt:
		t.Interrupted = true
	case logevents.KindOperationError:
		if text := strings.TrimSpace(ev.Text); text != "" {
			t.Errors = append(t.Errors, text)
		} else if msg := strings.TrimSpace(ev.Msg); msg != "" {
			t.Errors = append(t.Errors, msg)
		}
	case logevents.KindNothingSelected:
		t.NothingSelected = true
	case logevents.KindDebugResult:
		t.debugResult(strings.TrimSpace(ev.Msg))
	}
}

// debugResult keeps dbt debug's failure: "1 check failed:" and its explanation arrive as
// consecutive events; the others list what was checked.
func (t *Tracker) debugResult(msg string) {
	switch {
	case strings.Contains(msg, "check failed") || strings.Contains(msg, "checks failed"):
		t.Errors = append(t.Errors, msg)
		t.debugErr = len(t.Errors) - 1
	case msg != "" && t.debugErr >= 0 && t.debugErr == len(t.Errors)-1:
		t.Errors[t.debugErr] += "\n" + msg
	}
}

func (t *Tracker) started(ev *logevents.Event) []Event {
	id := ev.Node.UniqueID
	if id == "" {
		return nil
	}
	t.total = max(t.total, ev.Total)
	n := t.node(id, ev)
	if t.finished[id] || n.Status == "running" {
		return nil
	}
	n.Status = "running"
	return []Event{*n, t.progress(id, "running")}
}

// node returns the node id, creating it, and takes what ev says about it.
func (t *Tracker) node(id string, ev *logevents.Event) *NodeResult {
	n := t.nodes[id]
	if n == nil {
		n = &NodeResult{UniqueID: id, Rows: -1}
		t.nodes[id] = n
		t.order = append(t.order, id)
		if lines := t.early[id]; len(lines) > 0 {
			n.Message = strings.Join(lines, "\n")
			delete(t.early, id)
		}
	}
	if ev != nil && (ev.Node.UniqueID == id || ev.Node.UniqueID == "") {
		if ev.Node.Name != "" {
			n.Name = ev.Node.Name
		}
		if ev.Node.ResourceType != "" {
			n.ResourceType = ev.Node.ResourceType
		}
		if ev.Node.Path != "" {
			n.Path = ev.Node.Path
		}
		if ev.Index > 0 {
			n.Index = ev.Index
		}
	}
	if n.Name == "" {
		n.Name = nameFromID(id)
	}
	if n.ResourceType == "" {
		n.ResourceType = typeFromID(id)
	}
	t.index(n)
	return n
}

func (t *Tracker) index(n *NodeResult) {
	for _, id := range t.byName[n.Name] {
		if id == n.UniqueID {
			return
		}
	}
	t.byName[n.Name] = append(t.byName[n.Name], n.UniqueID)
}

// finish records a node's final status (msg, when set, is its message if it has none yet).
func (t *Tracker) finish(id string, ev *logevents.Event, status, msg string) []Event {
	if id == "" {
		return nil
	}
	t.total = max(t.total, ev.Total)
	var out []Event
	if r := t.provisional(id); r != nil {
		out = append(out, *r)
	}
	n := t.node(id, ev)
	n.Status = status
	if ev.ExecutionTime > 0 {
		n.Elapsed = seconds(ev.ExecutionTime)
	}
	if ev.NumFailures > 0 {
		n.Failures = ev.NumFailures
	}
	switch {
	case ev.RunResult != nil:
		r := ev.RunResult
		if r.ExecutionTime > 0 {
			n.Elapsed = seconds(r.ExecutionTime)
		}
		if r.AdapterMessage != "" {
			n.AdapterMessage = r.AdapterMessage
		}
		if r.RowsAffected >= 0 {
			n.Rows = r.RowsAffected
		}
		if r.NumFailures > 0 {
			n.Failures = r.NumFailures
		}
		if m := strings.TrimSpace(r.Message); m != "" && (Failed(status) || status == "warn" || n.Message == "") {
			n.Message = m
		}
	case ev.ResultMessage != "":
		n.AdapterMessage = ev.ResultMessage
	case ev.Name == "LogModelResult" && ev.Status != "" && !logevents.IsFinalStatus(ev.Status):
		n.AdapterMessage = ev.Status
	}
	if m := strings.TrimSpace(msg); m != "" && (n.Message == "" || n.Message == n.AdapterMessage) {
		n.Message = m
	}
	if n.Message == "" && n.AdapterMessage != "" && !Failed(status) {
		n.Message = n.AdapterMessage
	}
	out = append(out, *n)
	if !t.finished[id] {
		t.finished[id] = true
		t.done++
		out = append(out, t.progress(id, status))
	}
	return out
}

// skipBecauseError handles LogSkipBecauseError, which names its node only by schema and name.
// A node of that name the log already mentioned is it; else it is kept under a provisional id
// until a later event names it by unique id (the RunResultError after the summary does:
// "Compilation Error in model.shop.child, caused by …", and NodeFinished at debug level).
func (t *Tracker) skipBecauseError(ev *logevents.Event) []Event {
	name := ev.Relation
	if name == "" {
		return nil
	}
	if ids := t.byName[name]; len(ids) == 1 {
		return t.finish(ids[0], ev, "skipped", "")
	}
	id := provisionalID(ev.Schema, name)
	n := t.node(id, nil)
	n.Name = name
	n.ResourceType = ""
	return t.finish(id, ev, "skipped", "")
}

// provisionalID is the id of a node known only by schema and name. It cannot collide with a
// unique id: those start with the resource type and never contain a space.
func provisionalID(schema, name string) string { return "(skipped) " + schema + "." + name }

func isProvisional(id string) bool { return strings.HasPrefix(id, "(skipped) ") }

// provisional moves a node known by a provisional id to id, when id names it (same name);
// the returned event tells consumers the old entry is gone.
func (t *Tracker) provisional(id string) *NodeResult {
	if t.nodes[id] != nil || isProvisional(id) {
		return nil
	}
	name := nameFromID(id)
	if typeFromID(id) == "unit_test" {
		name = id[strings.LastIndexByte(id, '.')+1:]
	}
	for _, old := range t.byName[name] {
		if !isProvisional(old) {
			continue
		}
		n := t.nodes[old]
		delete(t.nodes, old)
		n.UniqueID, n.Replaces = id, old
		n.ResourceType = typeFromID(id)
		t.nodes[id] = n
		for i, o := range t.order {
			if o == old {
				t.order[i] = id
			}
		}
		if t.finished[old] {
			delete(t.finished, old)
			t.finished[id] = true
		}
		ids := t.byName[name][:0]
		for _, x := range t.byName[name] {
			if x != old {
				ids = append(ids, x)
			}
		}
		t.byName[name] = append(ids, id)
		ev := *n
		n.Replaces = ""
		return &ev
	}
	return nil
}

func (t *Tracker) batch(ev *logevents.Event) []Event {
	id := ev.Node.UniqueID
	if id == "" || t.finished[id] {
		return nil
	}
	n := t.node(id, ev)
	if ev.BatchTotal > 0 {
		n.Batches = ev.BatchTotal
	}
	if ev.Kind == logevents.KindBatchResult {
		n.BatchesDone++
		if Failed(ev.Status) {
			n.BatchesFailed++
		}
	}
	n.Status = "running"
	return []Event{*n}
}

// identify names the node a summary event is about: its node_info, else the one known node of
// that name and type.
func (t *Tracker) identify(ev *logevents.Event) string {
	if id := ev.Node.UniqueID; id != "" {
		return id
	}
	return t.byNameAndType(ev.Node.Name, ev.Node.ResourceType)
}

func (t *Tracker) byNameAndType(name, typ string) string {
	found := ""
	for _, id := range t.byName[name] {
		if n := t.nodes[id]; n != nil && (typ == "" || n.ResourceType == typ || isProvisional(id)) {
			if found != "" {
				return "" // two nodes of that name: not sure which
			}
			found = id
		}
	}
	return found
}

// Messages that name their node: dbt's exceptions read "<Kind> Error in <type> <name>
// (<path>)", and the skip of a child of a failed ephemeral model "… in <unique id>, caused by".
var (
	errorInNode = lazyre.New(`^[A-Za-z ]*?Error in ([a-z_]+) ([^\s(]+) \(`)
	errorInID   = lazyre.New(`^[A-Za-z ]*?Error in ((?:model|seed|snapshot|test|unit_test|analysis|operation|source|saved_query|semantic_model|function|exposure|metric)\.[^\s,]+), caused by`)
)

// errorNode is the node an error text is about, without guessing: the event's node_info, the
// node the preceding RunResultFailure/Warning named, or the node the text itself names.
func (t *Tracker) errorNode(ev *logevents.Event, named string) string {
	if id := ev.Node.UniqueID; id != "" {
		return id
	}
	if named != "" {
		return named
	}
	text := strings.TrimSpace(ev.Text)
	if m := errorInID.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	if m := errorInNode.FindStringSubmatch(text); m != nil {
		return t.byNameAndType(m[2], m[1])
	}
	return ""
}

// errorText attaches RunResultError, RunResultWarningMessage and FirstRunResultError texts.
func (t *Tracker) errorText(ev *logevents.Event, named string) []Event {
	text := strings.TrimSpace(ev.Text)
	if text == "" {
		text = strings.TrimSpace(ev.Msg)
	}
	if text == "" && ev.Kind != logevents.KindFirstResultError {
		return nil
	}
	id := t.errorNode(ev, named)
	if id == "" {
		t.Errors = append(t.Errors, text)
		if ev.Kind == logevents.KindFirstResultError {
			t.blockErr = len(t.Errors) - 1
		}
		return nil
	}
	if ev.Kind == logevents.KindFirstResultError {
		t.block = id
	}
	var out []Event
	if r := t.provisional(id); r != nil {
		out = append(out, *r)
	}
	if t.nodes[id] == nil || !t.finished[id] && t.nodes[id].Status != "running" {
		// A node the log never reported before: its error is dbt's word that it failed
		// (the failed ephemeral model behind a LogSkipBecauseError, the nodes fail-fast
		// never ran). run_results.json, when written, has the last word.
		status := "error"
		if ev.Kind == logevents.KindRunResultWarnMsg {
			status = "warn"
		} else if text == "Skipping due to fail_fast" {
			status = "skipped"
		}
		out = append(out, t.finish(id, ev, status, text)...)
		return out
	}
	n := t.node(id, ev)
	n.Message = text
	return append(out, *n)
}

// moreErrorText appends an AfterFirstRunResultError line to the text FirstRunResultError began.
func (t *Tracker) moreErrorText(ev *logevents.Event) []Event {
	line := strings.TrimRight(ev.Text, " ")
	switch {
	case t.block != "":
		n := t.nodes[t.block]
		if n == nil {
			return nil
		}
		if strings.TrimSpace(n.Message) == "" || n.Message == n.AdapterMessage {
			n.Message = strings.TrimSpace(line)
		} else {
			n.Message += "\n" + line
		}
		return []Event{*n}
	case t.blockErr >= 0 && t.blockErr < len(t.Errors):
		t.Errors[t.blockErr] += "\n" + line
	}
	return nil
}

// nodeLog keeps an error or warning line about a node (Fusion's "Generic" events) as part of
// its message.
func (t *Tracker) nodeLog(ev *logevents.Event) []Event {
	if ev.Level != "error" {
		return nil
	}
	text := strings.TrimSpace(ev.Text)
	if text == "" {
		text = strings.TrimSpace(ev.Msg)
	}
	id := ev.Node.UniqueID
	if text == "" || id == "" {
		return nil
	}
	n := t.nodes[id]
	if n == nil {
		if t.early == nil {
			t.early = map[string][]string{}
		}
		t.early[id] = append(t.early[id], text)
		return nil
	}
	if n.Message == "" || n.Message == n.AdapterMessage {
		n.Message = text
	} else if !strings.Contains(n.Message, text) {
		n.Message += "\n" + text
	}
	return []Event{*n}
}

// takeError moves the run-level error that names n ("Compilation Error in macro hello_fail
// (macros/hello.sql)" of a failed run-operation) onto n.
func (t *Tracker) takeError(n *NodeResult) string {
	for i, e := range t.Errors {
		if m := errorInNode.FindStringSubmatch(e); m != nil && m[1] == n.ResourceType && m[2] == n.Name {
			t.Errors = append(t.Errors[:i], t.Errors[i+1:]...)
			return e
		}
	}
	return ""
}

// Finish is called once dbt has exited: a node still running never finished (dbt was
// interrupted, killed or crashed) and is reported cancelled; results is run_results.json (or
// sources.json) when this run wrote one, dbt's final word on every node it lists.
func (t *Tracker) Finish(results []dbt.RunResult) []Event {
	var out []Event
	for _, x := range results {
		if x.UniqueID == "" {
			continue
		}
		if r := t.provisional(x.UniqueID); r != nil {
			out = append(out, *r)
		}
		n := t.nodes[x.UniqueID]
		if n == nil {
			n = t.node(x.UniqueID, nil)
			n.Elapsed = seconds(x.ExecutionTime)
		}
		if x.Status != "" {
			n.Status = x.Status
		}
		if x.Failures != nil && *x.Failures > 0 && (n.Status == "fail" || n.Status == "warn") {
			n.Failures = *x.Failures
		}
		if x.Message != "" && (Failed(n.Status) || n.Status == "warn" || n.Status == "skipped") && (n.Message == "" || n.Message == n.AdapterMessage || n.Status == "skipped") {
			n.Message = x.Message
		}
		if m := x.FreshnessMessage(); m != "" && (n.Message == "" || n.Message == n.AdapterMessage) {
			n.Message = m
		}
		if Failed(n.Status) && n.Message == "" {
			n.Message = t.takeError(n)
		}
		if !t.finished[x.UniqueID] {
			t.finished[x.UniqueID] = true
			t.done++
		}
		out = append(out, *n)
	}
	for _, id := range t.order {
		n := t.nodes[id]
		if n.Status != "running" {
			continue
		}
		n.Status = "cancelled"
		if n.Message == "" {
			n.Message = "dbt stopped before this node finished"
		}
		t.finished[id] = true
		t.done++
		out = append(out, *n)
	}
	if len(out) > 0 {
		p := t.progress("", "")
		p.Total = t.Total() // every node has its final status: the total is known now
		out = append(out, p)
	}
	return out
}

// progress reports done and total; Total is 0 while dbt has not said (dbt Fusion never does).
func (t *Tracker) progress(id, status string) Progress {
	total := 0
	if t.total > 0 {
		total = t.Total()
	}
	return Progress{Done: t.done, Total: total, Node: id, Status: status, Elapsed: t.now().Sub(t.start)}
}

// Done is the number of finished nodes. Total is the number dbt said it would run (the
// largest of ConcurrencyLine's node_count and the "of M" of its lines: 1.8 leaves saved
// queries out of the first), never fewer than have finished; 0 while unknown (dbt Fusion
// does not say).
func (t *Tracker) Done() int  { return t.done }
func (t *Tracker) Total() int { return max(t.total, t.done) }

// Nodes returns every node seen, in the order dbt first mentioned them.
func (t *Tracker) Nodes() []NodeResult {
	out := make([]NodeResult, 0, len(t.order))
	for _, id := range t.order {
		out = append(out, *t.nodes[id])
	}
	return out
}

// Summary counts the nodes' final statuses as dbt's StatsLine does. It is computed from the
// nodes rather than taken from StatsLine, because dbt Fusion prints none and dbt-core's can
// disagree with its own run: a failed ephemeral model is absent from it (ERROR=0 under
// "Completed with 1 error").
func (t *Tracker) Summary() Summary { return CountStatuses(t.Nodes()) }

// CountStatuses counts final statuses like dbt's "Done." line.
func CountStatuses(nodes []NodeResult) Summary {
	var s Summary
	for i := range nodes {
		s.count(nodes[i].Status)
	}
	return s
}

// nameFromID guesses a display name from a unique id when the log did not carry one:
// "model.shop.orders" → "orders"; tests keep their name without the hash.
func nameFromID(id string) string {
	parts := strings.Split(id, ".")
	if len(parts) >= 4 && parts[0] == "test" {
		return parts[2]
	}
	if len(parts) >= 3 {
		return strings.Join(parts[2:], ".")
	}
	return id
}

// typeFromID is the resource type a unique id starts with ("model.shop.orders" → "model").
func typeFromID(id string) string {
	if isProvisional(id) {
		return ""
	}
	typ, _, ok := strings.Cut(id, ".")
	if !ok {
		return ""
	}
	return typ
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return strings.TrimSpace(s)
}
