package dbt

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// RunResults is a run_results.json (schema v4 to v6): the outcome of the last dbt invocation
// per node. A sources.json (`dbt source freshness`, schema v3) has the same shape and reads
// into it too.
type RunResults struct {
	// Artifact is "run-results" or "sources", from the schema URL ("" when absent).
	Artifact string `json:"artifact,omitempty"`
	// SchemaVersion is N of run-results/vN.json (0 when absent); DBTVersion the writer.
	SchemaVersion int    `json:"schema_version"`
	DBTVersion    string `json:"dbt_version,omitempty"`
	GeneratedAt   string `json:"generated_at,omitempty"`
	// Command is args.which ("build", "run", "test"…), when recorded.
	Command     string  `json:"command,omitempty"`
	ElapsedTime float64 `json:"elapsed_time"`
	// Results are in file order; ByID indexes them by unique id.
	Results []RunResult           `json:"results"`
	ByID    map[string]*RunResult `json:"-"`
}

// RunResult is one node's result.
type RunResult struct {
	UniqueID string `json:"unique_id"`
	// Status: success, error, skipped, partial success, no-op (models, seeds, snapshots);
	// pass, fail, warn, error, skipped (tests).
	Status        string   `json:"status"`
	Message       string   `json:"message,omitempty"`
	Failures      *int     `json:"failures,omitempty"`
	ExecutionTime float64  `json:"execution_time"`
	ThreadID      string   `json:"thread_id,omitempty"`
	RelationName  string   `json:"relation_name,omitempty"`
	Timing        []Timing `json:"timing,omitempty"`
	// Source freshness (sources.json): when the source was last loaded, how long before the
	// check that was, and the criteria ("30 day"; "" when not set).
	MaxLoadedAt           string  `json:"max_loaded_at,omitempty"`
	LoadedAgoSeconds      float64 `json:"max_loaded_at_time_ago_in_s,omitempty"`
	WarnAfter, ErrorAfter string  `json:"-"`
}

// FreshnessMessage explains a source freshness result in words ("" for other results).
func (r *RunResult) FreshnessMessage() string {
	if r.MaxLoadedAt == "" {
		return ""
	}
	msg := fmt.Sprintf("last loaded %s ago (%s)", ageText(r.LoadedAgoSeconds), r.MaxLoadedAt)
	var crit []string
	if r.WarnAfter != "" {
		crit = append(crit, "warns after "+r.WarnAfter)
	}
	if r.ErrorAfter != "" {
		crit = append(crit, "errors after "+r.ErrorAfter)
	}
	if len(crit) > 0 {
		msg += "; dbt " + strings.Join(crit, " and ")
	}
	return msg
}

func ageText(secs float64) string {
	d := time.Duration(secs * float64(time.Second))
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%.0f seconds", d.Seconds())
}

type freshnessAfter struct {
	Count  *int   `json:"count"`
	Period string `json:"period"`
}

func (f *freshnessAfter) text() string {
	if f == nil || f.Count == nil || f.Period == "" {
		return ""
	}
	return fmt.Sprintf("%d %s", *f.Count, f.Period)
}

// Timing is one phase (compile, execute) of a node's run.
type Timing struct {
	Name        string    `json:"name"`
	StartedAt   time.Time `json:"started_at"`
	CompletedAt time.Time `json:"completed_at"`
}

// Started is when the node's first phase started (zero if unknown).
func (r *RunResult) Started() time.Time {
	for _, t := range r.Timing {
		if !t.StartedAt.IsZero() {
			return t.StartedAt
		}
	}
	return time.Time{}
}

type rawRunResults struct {
	Metadata struct {
		Schema      string `json:"dbt_schema_version"`
		DBTVersion  string `json:"dbt_version"`
		GeneratedAt string `json:"generated_at"`
	} `json:"metadata"`
	Results []struct {
		UniqueID      string          `json:"unique_id"`
		Status        string          `json:"status"`
		Message       json.RawMessage `json:"message"`
		Failures      *int            `json:"failures"`
		ExecutionTime float64         `json:"execution_time"`
		ThreadID      string          `json:"thread_id"`
		RelationName  *string         `json:"relation_name"`
		Timing        []struct {
			Name        string `json:"name"`
			StartedAt   string `json:"started_at"`
			CompletedAt string `json:"completed_at"`
		} `json:"timing"`
		MaxLoadedAt string  `json:"max_loaded_at"`
		LoadedAgo   float64 `json:"max_loaded_at_time_ago_in_s"`
		Criteria    struct {
			WarnAfter  *freshnessAfter `json:"warn_after"`
			ErrorAfter *freshnessAfter `json:"error_after"`
		} `json:"criteria"`
	} `json:"results"`
	ElapsedTime float64 `json:"elapsed_time"`
	Args        struct {
		Which string `json:"which"`
	} `json:"args"`
}

// LoadRunResults reads a run_results.json.
func LoadRunResults(path string) (*RunResults, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("run results: %w", err)
	}
	rr, err := ParseRunResults(b)
	if err != nil {
		return nil, fmt.Errorf("run results %s: %w", path, err)
	}
	return rr, nil
}

// artifactName is the artifact of a schema URL: ".../dbt/sources/v3.json" → "sources".
func artifactName(url string) string {
	_, rest, ok := strings.Cut(url, "/dbt/")
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, "/")
	if !ok {
		return ""
	}
	return name
}

// ParseRunResults decodes run_results.json (or sources.json) bytes.
func ParseRunResults(b []byte) (*RunResults, error) {
	var raw rawRunResults
	if err := json.Unmarshal(b, &raw); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			return nil, &jsonscan.Error{Offset: se.Offset, Msg: se.Error()}
		}
		return nil, err
	}
	rr := &RunResults{
		Artifact:      artifactName(raw.Metadata.Schema),
		SchemaVersion: schemaVersion(raw.Metadata.Schema),
		DBTVersion:    raw.Metadata.DBTVersion,
		GeneratedAt:   raw.Metadata.GeneratedAt,
		Command:       raw.Args.Which,
		ElapsedTime:   raw.ElapsedTime,
		Results:       make([]RunResult, 0, len(raw.Results)),
		ByID:          make(map[string]*RunResult, len(raw.Results)),
	}
	for _, r := range raw.Results {
		res := RunResult{UniqueID: r.UniqueID, Status: r.Status, Failures: r.Failures, ExecutionTime: r.ExecutionTime, ThreadID: r.ThreadID,
			MaxLoadedAt: r.MaxLoadedAt, LoadedAgoSeconds: r.LoadedAgo, WarnAfter: r.Criteria.WarnAfter.text(), ErrorAfter: r.Criteria.ErrorAfter.text()}
		if r.RelationName != nil {
			res.RelationName = *r.RelationName
		}
		// message is a string, or null; very old writers put other JSON there.
		var msg string
		if json.Unmarshal(r.Message, &msg) == nil {
			res.Message = msg
		} else if len(r.Message) > 0 && string(r.Message) != "null" {
			res.Message = string(r.Message)
		}
		for _, t := range r.Timing {
			tm := Timing{Name: t.Name}
			tm.StartedAt, _ = time.Parse(time.RFC3339Nano, t.StartedAt)
			tm.CompletedAt, _ = time.Parse(time.RFC3339Nano, t.CompletedAt)
			res.Timing = append(res.Timing, tm)
		}
		rr.Results = append(rr.Results, res)
	}
	for k := range rr.Results {
		rr.ByID[rr.Results[k].UniqueID] = &rr.Results[k]
	}
	return rr, nil
}
