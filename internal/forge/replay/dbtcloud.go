package replay

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/datatui/datatui/internal/lazyre"
)

// DBTCloudData is a recorded dbt Cloud account: runs as RunResponse objects (with their
// trigger, job and run_steps), artifacts per run and step, and the answer to a job trigger.
type DBTCloudData struct {
	// Runs are RunResponse objects, related objects included.
	Runs []json.RawMessage
	// Artifacts maps "RUN/STEP/PATH" (for example "42/4/run_results.json") to the file.
	Artifacts map[string][]byte
	// Trigger is the RunResponse returned for POST …/jobs/{id}/run/.
	Trigger json.RawMessage
}

// DBTCloud answers the Administrative API v2 endpoints datatui calls, the way the OpenAPI
// description says: envelopes, limit/offset paging, include_related, artifacts by step.
type DBTCloud struct {
	// Token is the token it accepts ("Token t" or "Bearer t"); empty accepts any.
	Token string

	mu       sync.Mutex
	runs     map[int64]map[string]any
	order    []int64
	arts     map[string][]byte
	trigger  json.RawMessage
	triggers []string
}

// NewDBTCloud serves data.
func NewDBTCloud(data DBTCloudData, token string) (*DBTCloud, error) {
	d := &DBTCloud{Token: token, runs: map[int64]map[string]any{}, arts: data.Artifacts, trigger: data.Trigger}
	if d.arts == nil {
		d.arts = map[string][]byte{}
	}
	for _, raw := range data.Runs {
		if err := d.addRun(raw); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func (d *DBTCloud) addRun(raw json.RawMessage) error {
	var run map[string]any
	if err := json.Unmarshal(unwrapEnvelope(raw), &run); err != nil {
		return fmt.Errorf("a recorded run: %v", err)
	}
	id, ok := asInt(run["id"])
	if !ok {
		return fmt.Errorf("a recorded run has no id")
	}
	if _, seen := d.runs[int64(id)]; !seen {
		d.order = append(d.order, int64(id))
	}
	d.runs[int64(id)] = run
	return nil
}

// unwrapEnvelope accepts either a run object or a whole {"status", "data"} answer.
func unwrapEnvelope(raw json.RawMessage) json.RawMessage {
	var env struct {
		Status json.RawMessage `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if json.Unmarshal(raw, &env) == nil && env.Status != nil && env.Data != nil {
		return env.Data
	}
	return raw
}

// SetRun adds or replaces a run (a RunResponse object or a whole envelope).
func (d *DBTCloud) SetRun(raw json.RawMessage) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addRun(raw)
}

// SetArtifact serves data for run, step and path.
func (d *DBTCloud) SetArtifact(run int64, step int, path string, data []byte) {
	d.mu.Lock()
	d.arts[fmt.Sprintf("%d/%d/%s", run, step, path)] = data
	d.mu.Unlock()
}

// SetTrigger sets the RunResponse returned for job triggers.
func (d *DBTCloud) SetTrigger(raw json.RawMessage) {
	d.mu.Lock()
	d.trigger = raw
	d.mu.Unlock()
}

// Triggers returns the bodies of the trigger requests received.
func (d *DBTCloud) Triggers() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.triggers)
}

var (
	dcRunPath      = lazyre.New(`^/api/v2/accounts/(\d+)/runs/(\d+)/$`)
	dcRunsPath     = lazyre.New(`^/api/v2/accounts/(\d+)/runs/$`)
	dcArtifactPath = lazyre.New(`^/api/v2/accounts/(\d+)/runs/(\d+)/artifacts/(.+)$`)
	dcTriggerPath  = lazyre.New(`^/api/v2/accounts/(\d+)/jobs/(\d+)/run/$`)
)

// EnvelopeError writes dbt Cloud's error envelope.
func EnvelopeError(w http.ResponseWriter, status int, msg string) {
	WriteJSON(w, status, map[string]any{"status": map[string]any{"code": status, "is_success": false, "user_message": msg, "developer_message": msg}, "data": nil})
}

func envelope(w http.ResponseWriter, data any, extra any) {
	WriteJSON(w, http.StatusOK, map[string]any{"status": map[string]any{"code": 200, "is_success": true, "user_message": "Success!", "developer_message": ""}, "data": data, "extra": extra})
}

// ServeHTTP answers one request.
func (d *DBTCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if auth := r.Header.Get("Authorization"); d.Token != "" && auth != "Token "+d.Token && auth != "Bearer "+d.Token {
		EnvelopeError(w, http.StatusUnauthorized, "Invalid token.")
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	p, q := r.URL.Path, r.URL.Query()
	related := q.Get("include_related")
	switch {
	case r.Method == http.MethodGet && dcRunPath.MatchString(p):
		m := dcRunPath.FindStringSubmatch(p)
		run, ok := d.run(m[1], m[2])
		if !ok {
			EnvelopeError(w, http.StatusNotFound, "Run not found.")
			return
		}
		envelope(w, withRelated(run, related, true), nil)
	case r.Method == http.MethodGet && dcRunsPath.MatchString(p):
		d.serveRuns(w, dcRunsPath.FindStringSubmatch(p)[1], q)
	case r.Method == http.MethodGet && dcArtifactPath.MatchString(p):
		m := dcArtifactPath.FindStringSubmatch(p)
		run, ok := d.run(m[1], m[2])
		if !ok {
			EnvelopeError(w, http.StatusNotFound, "Run not found.")
			return
		}
		step := q.Get("step")
		if step == "" { // the last step, as the API documents
			steps, _ := run["run_steps"].([]any)
			step = strconv.Itoa(len(steps))
		}
		b, ok := d.arts[m[2]+"/"+step+"/"+m[3]]
		if !ok {
			EnvelopeError(w, http.StatusNotFound, "Artifact not found.")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	case r.Method == http.MethodPost && dcTriggerPath.MatchString(p):
		var req map[string]any
		if json.Unmarshal(body, &req) != nil || req["cause"] == nil {
			EnvelopeError(w, http.StatusBadRequest, "cause is required")
			return
		}
		d.triggers = append(d.triggers, string(body))
		var run any
		_ = json.Unmarshal(unwrapEnvelope(d.trigger), &run)
		envelope(w, run, nil)
	default:
		EnvelopeError(w, http.StatusNotFound, "Not found.")
	}
}

func (d *DBTCloud) run(account, id string) (map[string]any, bool) {
	n, _ := strconv.ParseInt(id, 10, 64)
	run, ok := d.runs[n]
	if !ok {
		return nil, false
	}
	if a, _ := asInt(run["account_id"]); strconv.Itoa(a) != account {
		return nil, false
	}
	return run, true
}

// withRelated drops the related objects the request did not ask for.
func withRelated(run map[string]any, related string, detail bool) map[string]any {
	out := map[string]any{}
	for k, v := range run {
		out[k] = v
	}
	for _, rel := range []string{"trigger", "job", "run_steps"} {
		if !strings.Contains(related, `"`+rel+`"`) || (rel == "run_steps" && !detail) {
			delete(out, rel)
		}
	}
	return out
}

func (d *DBTCloud) serveRuns(w http.ResponseWriter, account string, q map[string][]string) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	limit, offset := 100, 0
	if v, err := strconv.Atoi(get("limit")); err == nil {
		limit = v
	}
	if v, err := strconv.Atoi(get("offset")); err == nil {
		offset = v
	}
	if limit < 1 || limit > 100 || offset < 0 {
		EnvelopeError(w, http.StatusBadRequest, "limit must be 1..100 and offset at least 0")
		return
	}
	ids := slices.Clone(d.order)
	slices.Sort(ids)
	switch get("order_by") {
	case "", "id":
	case "-id":
		slices.Reverse(ids)
	default:
		EnvelopeError(w, http.StatusBadRequest, "order_by must be id, created_at or finished_at")
		return
	}
	var all []any
	for _, id := range ids {
		run := d.runs[id]
		if a, _ := asInt(run["account_id"]); strconv.Itoa(a) != account {
			continue
		}
		if job := get("job_definition_id"); job != "" {
			if j, _ := asInt(run["job_definition_id"]); strconv.Itoa(j) != job {
				continue
			}
		}
		all = append(all, withRelated(run, get("include_related"), false))
	}
	page := []any{}
	if offset < len(all) {
		page = all[offset:min(offset+limit, len(all))]
	}
	envelope(w, page, map[string]any{"filters": map[string]any{"limit": limit, "offset": offset}, "order_by": get("order_by"),
		"pagination": map[string]any{"count": len(page), "total_count": len(all)}})
}
