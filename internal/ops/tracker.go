package ops

import (
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
)

// Tracker follows a dbt log stream and keeps the run's state: the total, each node's latest
// result, dbt's own counts. It works at the default info level (LogStartLine, Log*Result,
// SkippingDetails) and with --log-level debug (NodeStart/NodeFinished, whose run_result is
// authoritative). It is not safe for concurrent use; the runner feeds it from one goroutine.
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

	// Stats is dbt's StatsLine when it arrived.
	Stats *dbt.LogStats
	// Version is the dbt version from the first line.
	Version string
	// Fatal is MainEncounteredError's text: dbt stopped before or outside the run.
	Fatal string
	// Interrupted is true when dbt reported a keyboard interrupt.
	Interrupted bool
	// NothingSelected is true when the selection matched no node.
	NothingSelected bool
}

// NewTracker returns a tracker whose elapsed times count from start.
func NewTracker(start time.Time) *Tracker {
	return &Tracker{start: start, now: time.Now, nodes: map[string]*NodeResult{}, finished: map[string]bool{}}
}

// Apply takes one parsed log line and returns the events it causes (in order). The Line event
// for the text itself is the caller's business.
func (t *Tracker) Apply(ev *dbt.LogEvent) []Event {
	switch ev.Kind {
	case dbt.KindMainReportVersion:
		t.Version = ev.Version
	case dbt.KindConcurrencyLine:
		if ev.Total > 0 {
			t.total = ev.Total
			return []Event{t.progress("", "")}
		}
	case dbt.KindLogStartLine, dbt.KindNodeStart:
		id := ev.Node.UniqueID
		if id == "" {
			return nil
		}
		if t.total == 0 && ev.Total > 0 {
			t.total = ev.Total
		}
		n := t.node(ev)
		if t.finished[id] || n.Status == "running" {
			return nil
		}
		n.Status = "running"
		return []Event{*n, t.progress(id, "running")}
	case dbt.KindNodeResult, dbt.KindSkippingDetails, dbt.KindLogSkipBecauseErr, dbt.KindNodeFinished:
		return t.finish(ev)
	case dbt.KindRunResultError:
		id := ev.Node.UniqueID
		text := strings.TrimSpace(ev.Text)
		if text == "" {
			text = strings.TrimSpace(ev.Msg)
		}
		if id == "" {
			id = t.lastFailedWithoutMessage()
		}
		if n := t.nodes[id]; n != nil && text != "" {
			n.Message = text
			return []Event{*n}
		}
	case dbt.KindEndOfRunSummary:
		if ev.KeyboardInterrupt {
			t.Interrupted = true
		}
	case dbt.KindMainKeyboardInt:
		t.Interrupted = true
	case dbt.KindStatsLine:
		if ev.Stats != nil {
			st := *ev.Stats
			t.Stats = &st
		}
	case dbt.KindMainEncounteredErr:
		t.Fatal = strings.TrimSpace(ev.Text)
		if t.Fatal == "" {
			t.Fatal = strings.TrimSpace(ev.Msg)
		}
	case dbt.KindNothingSelected:
		t.NothingSelected = true
	}
	return nil
}

func (t *Tracker) node(ev *dbt.LogEvent) *NodeResult {
	id := ev.Node.UniqueID
	n := t.nodes[id]
	if n == nil {
		n = &NodeResult{UniqueID: id, Rows: -1}
		t.nodes[id] = n
		t.order = append(t.order, id)
	}
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
	if n.Name == "" {
		n.Name = nameFromID(id)
	}
	return n
}

func (t *Tracker) finish(ev *dbt.LogEvent) []Event {
	id := ev.Node.UniqueID
	if id == "" {
		return nil
	}
	if t.total == 0 && ev.Total > 0 {
		t.total = ev.Total
	}
	n := t.node(ev)
	status := ev.FinalStatus()
	n.Status = status
	if ev.ExecutionTime > 0 {
		n.Elapsed = time.Duration(ev.ExecutionTime * float64(time.Second))
	}
	if ev.NumFailures > 0 {
		n.Failures = ev.NumFailures
	}
	switch {
	case ev.RunResult != nil:
		r := ev.RunResult
		if r.ExecutionTime > 0 {
			n.Elapsed = time.Duration(r.ExecutionTime * float64(time.Second))
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
	case ev.Name == "LogModelResult" && ev.Status != "" && ev.Status != "error":
		n.AdapterMessage = ev.Status
	}
	if n.Message == "" && n.AdapterMessage != "" && !Failed(status) {
		n.Message = n.AdapterMessage
	}
	out := []Event{*n}
	if !t.finished[id] {
		t.finished[id] = true
		t.done++
		out = append(out, t.progress(id, status))
	}
	return out
}

func (t *Tracker) lastFailedWithoutMessage() string {
	for i := len(t.order) - 1; i >= 0; i-- {
		n := t.nodes[t.order[i]]
		if Failed(n.Status) && (n.Message == "" || n.Message == n.AdapterMessage) {
			return n.UniqueID
		}
	}
	return ""
}

func (t *Tracker) progress(id, status string) Progress {
	total := t.total
	if t.done > total {
		total = t.done
	}
	return Progress{Done: t.done, Total: total, Node: id, Status: status, Elapsed: t.now().Sub(t.start)}
}

// Done is the number of finished nodes; Total the number dbt said it would run.
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

// Summary is dbt's StatsLine when it arrived, else the counts of the node statuses seen.
func (t *Tracker) Summary() Summary {
	if t.Stats != nil {
		return Summary{Pass: t.Stats.Pass, Warn: t.Stats.Warn, Error: t.Stats.Error, Skip: t.Stats.Skip, NoOp: t.Stats.NoOp, Total: t.Stats.Total}
	}
	return CountStatuses(t.Nodes())
}

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
