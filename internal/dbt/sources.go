package dbt

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// SourcesFile is the artifact `dbt source freshness` writes in the target folder.
const SourcesFile = "sources.json"

// Freshness statuses, as dbt writes them in sources.json and in its LogFreshnessResult events.
const (
	FreshnessPass         = "pass"
	FreshnessWarn         = "warn"
	FreshnessError        = "error"
	FreshnessRuntimeError = "runtime error"
)

// SourceFreshness is a sources.json (schema sources/v3, dbt 1.0 and later): when each source
// table was last loaded, as of the last `dbt source freshness`.
type SourceFreshness struct {
	// SchemaVersion is N of sources/vN.json (0 when absent); DBTVersion the writer.
	SchemaVersion int    `json:"schema_version"`
	DBTVersion    string `json:"dbt_version,omitempty"`
	// GeneratedAt is when dbt wrote the file (zero when absent or unreadable).
	GeneratedAt  time.Time `json:"generated_at,omitzero"`
	InvocationID string    `json:"invocation_id,omitempty"`
	ElapsedTime  float64   `json:"elapsed_time"`
	// Results are in file order; ByID indexes them by unique id.
	Results []FreshnessResult           `json:"results"`
	ByID    map[string]*FreshnessResult `json:"-"`
}

// FreshnessResult is one source table's freshness.
type FreshnessResult struct {
	UniqueID string `json:"unique_id"`
	// Name is "source_name.table_name", what dbt prints ("freshness of app.transactions").
	Name string `json:"name"`
	// Status is dbt's verdict: pass, warn, error or runtime error. datatui never recomputes
	// it: dbt compared the age with the thresholds when it checked.
	Status string `json:"status"`
	// MaxLoadedAt is the newest loaded_at_field value dbt found; SnapshottedAt when it looked.
	MaxLoadedAt   time.Time `json:"max_loaded_at,omitzero"`
	SnapshottedAt time.Time `json:"snapshotted_at,omitzero"`
	// Age is max_loaded_at_time_ago_in_s: how old the newest row was when dbt looked.
	Age time.Duration `json:"age_ns"`
	// WarnAfter and ErrorAfter are the thresholds dbt applied (nil when not set).
	WarnAfter  *FreshnessThreshold `json:"warn_after,omitempty"`
	ErrorAfter *FreshnessThreshold `json:"error_after,omitempty"`
	// Filter is the freshness filter (a SQL condition), when one is set.
	Filter string `json:"filter,omitempty"`
	// Error is the message of a runtime error.
	Error         string  `json:"error,omitempty"`
	ExecutionTime float64 `json:"execution_time,omitempty"`
}

// FreshnessThreshold is a warn_after or error_after: count periods (minute, hour, day).
type FreshnessThreshold struct {
	Count  int    `json:"count"`
	Period string `json:"period"`
}

// Duration is the threshold as a duration (0 for a period dbt does not know).
func (t FreshnessThreshold) Duration() time.Duration {
	switch t.Period {
	case "minute":
		return time.Duration(t.Count) * time.Minute
	case "hour":
		return time.Duration(t.Count) * time.Hour
	case "day":
		return time.Duration(t.Count) * 24 * time.Hour
	}
	return 0
}

// String is "24 hours", "1 day".
func (t FreshnessThreshold) String() string {
	unit := t.Period
	if t.Count != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", t.Count, unit)
}

// Stale reports whether dbt found the table too old (warn or error). A runtime error is not
// stale: dbt could not tell how old it is.
func (r *FreshnessResult) Stale() bool {
	return r.Status == FreshnessWarn || r.Status == FreshnessError
}

// Failed reports whether the check itself failed (dbt exits 1 for error and runtime error).
func (r *FreshnessResult) Failed() bool {
	return r.Status == FreshnessError || r.Status == FreshnessRuntimeError
}

// Exceeded is the threshold the age passed: error_after for status error, warn_after for
// warn; nil otherwise.
func (r *FreshnessResult) Exceeded() *FreshnessThreshold {
	switch r.Status {
	case FreshnessError:
		return r.ErrorAfter
	case FreshnessWarn:
		return r.WarnAfter
	}
	return nil
}

// AgeAt is how old the newest row is at now: the age dbt measured plus the time since it
// looked. Zero when dbt measured nothing.
func (r *FreshnessResult) AgeAt(now time.Time) time.Duration {
	if r.MaxLoadedAt.IsZero() {
		return 0
	}
	if r.SnapshottedAt.IsZero() {
		return r.Age
	}
	return r.Age + max(0, now.Sub(r.SnapshottedAt))
}

// rawSources is sources.json as written. Results are decoded one by one: the runtime-error
// variant has other fields and its "error" may be a string, a number or null.
type rawSources struct {
	Metadata struct {
		Schema       string  `json:"dbt_schema_version"`
		DBTVersion   string  `json:"dbt_version"`
		GeneratedAt  string  `json:"generated_at"`
		InvocationID *string `json:"invocation_id"`
	} `json:"metadata"`
	Results     []json.RawMessage `json:"results"`
	ElapsedTime float64           `json:"elapsed_time"`
}

type rawThreshold struct {
	Count  *int    `json:"count"`
	Period *string `json:"period"`
}

type rawFreshness struct {
	UniqueID      string          `json:"unique_id"`
	Status        string          `json:"status"`
	MaxLoadedAt   string          `json:"max_loaded_at"`
	SnapshottedAt string          `json:"snapshotted_at"`
	AgeSeconds    *float64        `json:"max_loaded_at_time_ago_in_s"`
	Error         json.RawMessage `json:"error"`
	ExecutionTime float64         `json:"execution_time"`
	Criteria      struct {
		WarnAfter  *rawThreshold `json:"warn_after"`
		ErrorAfter *rawThreshold `json:"error_after"`
		Filter     *string       `json:"filter"`
	} `json:"criteria"`
}

// ErrNoSources means there is no sources.json: `dbt source freshness` has not run here.
var ErrNoSources = errors.New("no sources.json: dbt source freshness has not run in this project yet")

// LoadSourceFreshness reads dir/sources.json (dir is the target folder).
func LoadSourceFreshness(dir string) (*SourceFreshness, error) {
	path := filepath.Join(dir, SourcesFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNoSources
	}
	if err != nil {
		return nil, fmt.Errorf("sources.json: %w", err)
	}
	sf, err := ParseSourceFreshness(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return sf, nil
}

// ParseSourceFreshness decodes sources.json bytes. A result datatui cannot read (no unique id,
// an unknown status) is an error: a freshness report that silently drops a table would say
// all is well when it is not.
func ParseSourceFreshness(b []byte) (*SourceFreshness, error) {
	var raw rawSources
	if err := json.Unmarshal(b, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &jsonscan.Error{Offset: se.Offset, Msg: se.Error()}
		}
		return nil, fmt.Errorf("not a sources.json: %v", err)
	}
	if raw.Metadata.Schema != "" && !strings.Contains(raw.Metadata.Schema, "/sources/") {
		return nil, fmt.Errorf("not a sources.json: its schema is %s", raw.Metadata.Schema)
	}
	sf := &SourceFreshness{
		SchemaVersion: schemaVersion(raw.Metadata.Schema),
		DBTVersion:    raw.Metadata.DBTVersion,
		ElapsedTime:   raw.ElapsedTime,
		Results:       make([]FreshnessResult, 0, len(raw.Results)),
	}
	sf.GeneratedAt, _ = parseArtifactTime(raw.Metadata.GeneratedAt)
	if raw.Metadata.InvocationID != nil {
		sf.InvocationID = *raw.Metadata.InvocationID
	}
	for i, rb := range raw.Results {
		r, err := decodeFreshness(rb)
		if err != nil {
			return nil, fmt.Errorf("result %d: %w", i+1, err)
		}
		sf.Results = append(sf.Results, r)
	}
	sf.index()
	return sf, nil
}

func (sf *SourceFreshness) index() {
	sf.ByID = make(map[string]*FreshnessResult, len(sf.Results))
	for i := range sf.Results {
		sf.ByID[sf.Results[i].UniqueID] = &sf.Results[i]
	}
}

func decodeFreshness(b json.RawMessage) (FreshnessResult, error) {
	var r rawFreshness
	if err := json.Unmarshal(b, &r); err != nil {
		return FreshnessResult{}, err
	}
	if r.UniqueID == "" {
		return FreshnessResult{}, errors.New("no unique_id")
	}
	out := FreshnessResult{UniqueID: r.UniqueID, Name: SourceDisplayName(r.UniqueID), Status: r.Status, ExecutionTime: r.ExecutionTime}
	switch r.Status {
	case FreshnessPass, FreshnessWarn, FreshnessError:
	case FreshnessRuntimeError:
		out.Error = rawMessageText(r.Error)
		return out, nil
	default:
		return FreshnessResult{}, fmt.Errorf("%s: unknown status %q", r.UniqueID, r.Status)
	}
	var err error
	if out.MaxLoadedAt, err = parseArtifactTime(r.MaxLoadedAt); err != nil {
		return FreshnessResult{}, fmt.Errorf("%s: max_loaded_at: %w", r.UniqueID, err)
	}
	if out.SnapshottedAt, err = parseArtifactTime(r.SnapshottedAt); err != nil {
		return FreshnessResult{}, fmt.Errorf("%s: snapshotted_at: %w", r.UniqueID, err)
	}
	if r.AgeSeconds != nil {
		s := *r.AgeSeconds
		if math.IsNaN(s) || s < 0 || s > float64(math.MaxInt64/int64(time.Second)) {
			return FreshnessResult{}, fmt.Errorf("%s: max_loaded_at_time_ago_in_s %v is not an age", r.UniqueID, s)
		}
		out.Age = time.Duration(s * float64(time.Second))
	} else if !out.MaxLoadedAt.IsZero() && !out.SnapshottedAt.IsZero() {
		out.Age = max(0, out.SnapshottedAt.Sub(out.MaxLoadedAt))
	}
	out.WarnAfter = threshold(r.Criteria.WarnAfter)
	out.ErrorAfter = threshold(r.Criteria.ErrorAfter)
	if r.Criteria.Filter != nil {
		out.Filter = *r.Criteria.Filter
	}
	return out, nil
}

// threshold is a warn_after/error_after that is set: dbt writes {count: null, period: null}
// for one that is not.
func threshold(t *rawThreshold) *FreshnessThreshold {
	if t == nil || t.Count == nil || t.Period == nil || *t.Period == "" {
		return nil
	}
	return &FreshnessThreshold{Count: *t.Count, Period: *t.Period}
}

// rawMessageText is a JSON value as text: a string as itself, null as "", anything else as
// its JSON.
func rawMessageText(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	if t := strings.TrimSpace(string(m)); t != "null" {
		return t
	}
	return ""
}

// artifactTimeLayouts are the timestamp forms dbt artifacts use: Python's isoformat() with an
// offset ("2025-08-31T18:50:00+00:00", microseconds optional), "Z", and naive UTC times
// (older writers, some adapters).
var artifactTimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseArtifactTime parses a dbt artifact timestamp; "" is the zero time. Times without an
// offset are UTC, as dbt writes them.
func parseArtifactTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range artifactTimeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp", s)
}

// SourceDisplayName is "source_name.table_name" from a source's unique id
// ("source.pkg.app.transactions" → "app.transactions"); other ids are returned as they are.
func SourceDisplayName(uniqueID string) string {
	parts := strings.SplitN(uniqueID, ".", 4)
	if len(parts) == 4 && parts[0] == "source" {
		return parts[2] + "." + parts[3]
	}
	return uniqueID
}
