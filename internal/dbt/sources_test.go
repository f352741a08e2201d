package dbt

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// logFreshness reads dbt's own LogFreshnessResult events from a recorded stdout: the status
// dbt printed for each source it checked, runtime errors included.
func logFreshness(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var ev struct {
			Data struct {
				Status   string `json:"status"`
				NodeInfo struct {
					UniqueID string `json:"unique_id"`
				} `json:"node_info"`
			} `json:"data"`
			Info struct {
				Name string `json:"name"`
			} `json:"info"`
		}
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Info.Name == "LogFreshnessResult" {
			out[ev.Data.NodeInfo.UniqueID] = ev.Data.Status
		}
	}
	return out
}

// TestSourceFreshnessMatchesDBTsLog reads the sources.json real dbt 1.8.8 wrote and checks every
// result against what the same dbt run printed in its log, and the ages against the timestamps.
func TestSourceFreshnessMatchesDBTsLog(t *testing.T) {
	for _, c := range []string{"jaffle-freshness", "jaffle-freshness-runtime-error"} {
		t.Run(c, func(t *testing.T) {
			dir := fixtures.Path(t, "real-dbt/"+c)
			sf, err := LoadSourceFreshness(dir)
			if err != nil {
				t.Fatal(err)
			}
			logged := logFreshness(t, filepath.Join(dir, "stdout.jsonl"))
			if sf.SchemaVersion != 3 || sf.DBTVersion != "1.8.8" || sf.GeneratedAt.IsZero() {
				t.Errorf("metadata: schema v%d, dbt %q, generated %v", sf.SchemaVersion, sf.DBTVersion, sf.GeneratedAt)
			}
			if len(sf.Results) == 0 {
				t.Fatal("no results")
			}
			for _, r := range sf.Results {
				if want, ok := logged[r.UniqueID]; !ok || want != r.Status {
					t.Errorf("%s: status %q, dbt logged %q", r.UniqueID, r.Status, want)
				}
				// dbt's age is snapshotted_at − max_loaded_at, to the microsecond.
				if d := r.SnapshottedAt.Sub(r.MaxLoadedAt) - r.Age; d > time.Millisecond || d < -time.Millisecond {
					t.Errorf("%s: age %v but the timestamps are %v apart", r.UniqueID, r.Age, r.SnapshottedAt.Sub(r.MaxLoadedAt))
				}
				if r.WarnAfter == nil || r.ErrorAfter == nil {
					t.Errorf("%s: thresholds missing: %+v %+v", r.UniqueID, r.WarnAfter, r.ErrorAfter)
					continue
				}
				// dbt's verdict agrees with its thresholds (the reader never recomputes it).
				var want string
				switch {
				case r.Age >= r.ErrorAfter.Duration():
					want = FreshnessError
				case r.Age >= r.WarnAfter.Duration():
					want = FreshnessWarn
				default:
					want = FreshnessPass
				}
				if want != r.Status {
					t.Errorf("%s: age %v with warn %v / error %v reads as %s, dbt said %s", r.UniqueID, r.Age, r.WarnAfter, r.ErrorAfter, want, r.Status)
				}
			}
			// What dbt logged but left out of the file: runtime errors (dbt 1.8.8 drops them).
			var missing []string
			for id, st := range logged {
				if sf.ByID[id] == nil {
					missing = append(missing, id+"="+st)
				}
			}
			for _, m := range missing {
				if !strings.HasSuffix(m, "="+FreshnessRuntimeError) {
					t.Errorf("dbt logged %s, not in sources.json", m)
				}
			}
			if c == "jaffle-freshness-runtime-error" && len(missing) != 1 {
				t.Errorf("runtime errors only in the log: %v, want one", missing)
			}
		})
	}
}

// TestSourceFreshnessSchema checks the reader against dbt's JSON Schema for sources.json: the
// statuses and periods it knows are exactly the schema's, and a result of each variant the
// schema defines is read.
func TestSourceFreshnessSchema(t *testing.T) {
	b, err := os.ReadFile(fixtures.Path(t, "schemas/sources-v3.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties struct {
			Results struct {
				Items struct {
					AnyOf []struct {
						Title      string                     `json:"title"`
						Required   []string                   `json:"required"`
						Properties map[string]json.RawMessage `json:"properties"`
					} `json:"anyOf"`
				} `json:"items"`
			} `json:"results"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	variants := schema.Properties.Results.Items.AnyOf
	if len(variants) != 2 {
		t.Fatalf("schema has %d result variants, the reader knows 2", len(variants))
	}
	for _, v := range variants {
		var status struct {
			Enum []string `json:"enum"`
		}
		_ = json.Unmarshal(v.Properties["status"], &status)
		for _, s := range status.Enum {
			if !slices.Contains([]string{FreshnessPass, FreshnessWarn, FreshnessError, FreshnessRuntimeError}, s) {
				t.Errorf("%s: status %q unknown to the reader", v.Title, s)
			}
		}
		// A minimal result with the schema's required keys is read.
		res := map[string]any{}
		for _, k := range v.Required {
			switch k {
			case "unique_id":
				res[k] = "source.p.s.t"
			case "status":
				res[k] = status.Enum[len(status.Enum)-1]
			case "max_loaded_at", "snapshotted_at":
				res[k] = "2026-01-02T03:04:05+00:00"
			case "max_loaded_at_time_ago_in_s", "execution_time":
				res[k] = 0.5
			case "criteria", "adapter_response":
				res[k] = map[string]any{}
			case "timing":
				res[k] = []any{}
			case "error":
				res[k] = "Database Error: column \"x\" does not exist"
			default:
				res[k] = "x"
			}
		}
		doc, _ := json.Marshal(map[string]any{"metadata": map[string]any{"dbt_schema_version": "https://schemas.getdbt.com/dbt/sources/v3.json"}, "results": []any{res}, "elapsed_time": 1})
		sf, err := ParseSourceFreshness(doc)
		if err != nil {
			t.Errorf("%s: %v", v.Title, err)
			continue
		}
		if r := sf.ByID["source.p.s.t"]; r == nil || r.Name != "s.t" {
			t.Errorf("%s: result %+v", v.Title, sf.Results)
		}
	}
	var periods []string
	for _, p := range []string{"minute", "hour", "day"} {
		if (FreshnessThreshold{Count: 1, Period: p}).Duration() > 0 {
			periods = append(periods, p)
		}
	}
	if !bytes.Contains(b, []byte(`"minute"`)) || len(periods) != 3 {
		t.Errorf("periods %v", periods)
	}
}

func TestSourceFreshnessOfTheDemo(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "demo", "artifacts", "sources.json"))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := ParseSourceFreshness(b)
	if err != nil {
		t.Fatal(err)
	}
	c := sf.Counts()
	if c[FreshnessWarn] != 1 || c[FreshnessError] != 1 {
		t.Errorf("the demo should have one warn and one error source: %v", c)
	}
	stale := sf.Stale()
	if len(stale) != 2 || stale[0].Name != "app.transactions" || stale[0].Exceeded().String() != "24 hours" || stale[0].Age.Round(time.Hour) != 26*time.Hour {
		t.Errorf("stale %+v", stale)
	}
	if got := stale[0].AgeAt(stale[0].SnapshottedAt.Add(2 * time.Hour)).Round(time.Hour); got != 28*time.Hour {
		t.Errorf("age two hours after the check: %v", got)
	}
}

func TestSourceFreshnessRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"not json":       `{"results": [`,
		"manifest":       `{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "results": []}`,
		"no unique id":   `{"results": [{"status": "pass"}]}`,
		"unknown status": `{"results": [{"unique_id": "source.p.s.t", "status": "stale"}]}`,
		"bad time":       `{"results": [{"unique_id": "source.p.s.t", "status": "pass", "max_loaded_at": "yesterday"}]}`,
		"negative age":   `{"results": [{"unique_id": "source.p.s.t", "status": "pass", "max_loaded_at_time_ago_in_s": -5}]}`,
		"results object": `{"results": {"a": 1}}`,
	} {
		if _, err := ParseSourceFreshness([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := LoadSourceFreshness(t.TempDir()); err != ErrNoSources {
		t.Errorf("missing file: %v", err)
	}
}

func TestSourceFreshnessReadsOtherTimestampForms(t *testing.T) {
	doc := `{"results": [
	  {"unique_id": "source.p.a.naive", "status": "warn", "max_loaded_at": "2026-01-01 10:00:00", "snapshotted_at": "2026-01-01T12:00:00Z",
	   "criteria": {"warn_after": {"count": 1, "period": "hour"}, "error_after": {"count": null, "period": null}}},
	  {"unique_id": "source.p.a.offset", "status": "pass", "max_loaded_at": "2026-01-01T04:00:00.5-08:00", "snapshotted_at": "2026-01-01T12:30:00.5+00:00",
	   "max_loaded_at_time_ago_in_s": 1800},
	  {"unique_id": "source.p.a.broken", "status": "runtime error", "error": null}
	]}`
	sf, err := ParseSourceFreshness([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	naive := sf.ByID["source.p.a.naive"]
	if naive.Age != 2*time.Hour || naive.ErrorAfter != nil || naive.WarnAfter.Duration() != time.Hour || naive.Exceeded() != naive.WarnAfter {
		t.Errorf("naive: %+v", naive)
	}
	if off := sf.ByID["source.p.a.offset"]; off.MaxLoadedAt != time.Date(2026, 1, 1, 12, 0, 0, 5e8, time.UTC) || off.Age != 30*time.Minute {
		t.Errorf("offset: %+v", off)
	}
	if b := sf.ByID["source.p.a.broken"]; !b.Failed() || b.Stale() || b.AgeAt(time.Now()) != 0 {
		t.Errorf("runtime error: %+v", b)
	}
	var order []string
	for _, r := range sf.SortedResults() {
		order = append(order, r.Status)
	}
	if !sort.SliceIsSorted(order, func(i, j int) bool { return severity(order[i]) > severity(order[j]) }) || order[0] != FreshnessRuntimeError {
		t.Errorf("order %v", order)
	}
}

func TestStaleUpstreamKeepsTheWorstSource(t *testing.T) {
	nodes := []Node{
		{UniqueID: "source.p.app.orders", ResourceType: "source"},
		{UniqueID: "source.p.app.users", ResourceType: "source"},
		{UniqueID: "source.p.app.fresh", ResourceType: "source"},
		{UniqueID: "model.p.stg_orders", ResourceType: "model", DependsOn: []string{"source.p.app.orders"}},
		{UniqueID: "model.p.stg_users", ResourceType: "model", DependsOn: []string{"source.p.app.users"}},
		{UniqueID: "model.p.fct", ResourceType: "model", DependsOn: []string{"model.p.stg_orders", "model.p.stg_users"}},
		{UniqueID: "model.p.only_fresh", ResourceType: "model", DependsOn: []string{"source.p.app.fresh"}},
	}
	g := NewGraph(nodes, Origin{})
	sf := &SourceFreshness{Results: []FreshnessResult{
		{UniqueID: "source.p.app.orders", Status: FreshnessWarn, Age: 50 * time.Hour},
		{UniqueID: "source.p.app.users", Status: FreshnessError, Age: 30 * time.Hour},
		{UniqueID: "source.p.app.fresh", Status: FreshnessPass, Age: time.Hour},
	}}
	sf.index()
	up := StaleUpstream(g, sf)
	get := func(id string) string {
		i, _ := g.Index(id)
		r, ok := up[i]
		if !ok {
			return ""
		}
		return r.UniqueID
	}
	for id, want := range map[string]string{
		"model.p.stg_orders":  "source.p.app.orders",
		"model.p.stg_users":   "source.p.app.users",
		"model.p.fct":         "source.p.app.users", // error beats an older warn
		"model.p.only_fresh":  "",
		"source.p.app.orders": "",
	} {
		if got := get(id); got != want {
			t.Errorf("%s: %q, want %q", id, got, want)
		}
	}
}

func FuzzParseSourceFreshness(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("..", "demo", "artifacts", "sources.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"results": [{"unique_id": "source.p.s.t", "status": "runtime error", "error": 3}]}`))
	f.Add([]byte(`{"results": [{"unique_id": "source.p.s.t", "status": "pass", "max_loaded_at_time_ago_in_s": 1e300}]}`))
	f.Add([]byte(`{"results": [{"unique_id": "x", "status": "warn", "criteria": {"warn_after": {"count": -1, "period": "day"}}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sf, err := ParseSourceFreshness(b)
		if err != nil {
			return
		}
		if len(sf.ByID) > len(sf.Results) {
			t.Fatalf("%d indexed, %d results", len(sf.ByID), len(sf.Results))
		}
		for _, r := range sf.SortedResults() {
			if r.Age < 0 || r.UniqueID == "" || sf.ByID[r.UniqueID] == nil {
				t.Fatalf("bad result %+v", r)
			}
			_ = r.AgeAt(time.Now())
			_ = r.Exceeded()
		}
	})
}

func TestFreshnessPhrases(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "demo", "artifacts", "sources.json"))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := ParseSourceFreshness(b)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sf.Summary(), "2 sources stale: app.transactions 26 h, error after 24 h; app.offers 14 h, warn after 12 h"; got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
	for d, want := range map[time.Duration]string{30 * time.Second: "<1 min", 45 * time.Minute: "45 min", 47 * time.Hour: "47 h", 100 * time.Hour: "4 d"} {
		if got := FormatAge(d); got != want {
			t.Errorf("FormatAge(%v) = %q, want %q", d, got, want)
		}
	}
	fresh := &SourceFreshness{Results: []FreshnessResult{{UniqueID: "a", Status: FreshnessPass}}}
	if got := fresh.Summary(); got != "1 source fresh" {
		t.Errorf("fresh: %q", got)
	}
}
