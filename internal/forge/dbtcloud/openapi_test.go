package dbtcloud_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func loadSpec(t *testing.T) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(fixtures.Path(t, "dbt-cloud/openapi/openapi-v2.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestRequestsFitTheOpenAPIDescription drives every call datatui makes (run details, the
// failing step's artifacts, paging through a job's runs, a trigger) and checks each request
// against dbt Cloud's published description: the path and method exist, every query parameter
// is one the operation declares, and values and bodies fit their schemas.
func TestRequestsFitTheOpenAPIDescription(t *testing.T) {
	doc := loadSpec(t)
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	d := ghtest.NewDBTCloud()
	defer d.Close()
	addFillerRuns(t, d, 230)
	c := client(t, d, d.Token)
	ctx := context.Background()
	if _, err := c.LoadDetails(ctx, 1001, 42); err != nil {
		t.Fatal(err)
	}
	if _, err := c.LoadPRDetails(ctx, 1001, 12345, 101, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TriggerJob(ctx, 1001, 12345, dbtcloud.PRTrigger(12345, 101, "feature/ltv", "abc")); err != nil {
		t.Fatal(err)
	}
	reqs := d.Requests()
	if len(reqs) < 6 {
		t.Fatalf("only %d requests", len(reqs))
	}
	for _, r := range reqs {
		name := r.Method + " " + r.URL.RequestURI()
		// The description's servers are the real hosts; the path and query are what count.
		req, _ := http.NewRequest(r.Method, "https://cloud.getdbt.com"+r.URL.RequestURI(), bytes.NewReader(r.Payload))
		req.Header = r.Header.Clone()
		route, params, err := router.FindRoute(req)
		if err != nil {
			t.Errorf("%s: not in the description: %v", name, err)
			continue
		}
		var declared []string
		for _, p := range route.Operation.Parameters {
			if p.Value.In == "query" {
				declared = append(declared, p.Value.Name)
			}
		}
		for q := range req.URL.Query() {
			if !slices.Contains(declared, q) {
				t.Errorf("%s: query parameter %q is not declared (%v)", name, q, declared)
			}
		}
		in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFieldsDatatuiReadsAreDescribed: every response field datatui decodes exists in the
// description's schemas, so a misspelt field cannot silently read as empty.
func TestFieldsDatatuiReadsAreDescribed(t *testing.T) {
	doc := loadSpec(t)
	schema := func(name string) *openapi3.Schema {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Fatalf("no schema %s", name)
		}
		return ref.Value
	}
	run := schema("RunResponse")
	cases := map[string]struct {
		typ    any
		schema *openapi3.Schema
	}{
		"Run":            {dbtcloud.Run{}, run},
		"Step":           {dbtcloud.Step{}, union(run.Properties["run_steps"].Value.Items.Value, schema("RunStepResponse"))},
		"Trigger":        {dbtcloud.Trigger{}, schema("RunTrigger")},
		"Job":            {dbtcloud.Job{}, run.Properties["job"].Value},
		"TriggerRequest": {dbtcloud.TriggerRequest{}, schema("TriggerRunRequestRequest")},
	}
	for name, tc := range cases {
		typ := reflect.TypeOf(tc.typ)
		for i := range typ.NumField() {
			tag := strings.Split(typ.Field(i).Tag.Get("json"), ",")[0]
			if tag == "" || tag == "-" {
				continue
			}
			if _, ok := tc.schema.Properties[tag]; !ok {
				t.Errorf("%s.%s reads %q, which the description does not have", name, typ.Field(i).Name, tag)
			}
		}
	}
}

// union is a schema with the properties of both: a step inside a run (RunStep) and the same step
// from /steps/{id}/ (RunStepResponse).
func union(a, b *openapi3.Schema) *openapi3.Schema {
	out := &openapi3.Schema{Properties: openapi3.Schemas{}}
	for k, v := range a.Properties {
		out.Properties[k] = v
	}
	for k, v := range b.Properties {
		out.Properties[k] = v
	}
	return out
}

// addFillerRuns adds n newer runs of the CI job for other pull requests, so the PR's own run
// is only found by paging with offset.
func addFillerRuns(t *testing.T, d *ghtest.DBTCloud, n int) {
	t.Helper()
	for i := range n {
		id := 1000 + i
		run := fmt.Sprintf(`{"id": %d, "account_id": 1001, "project_id": 5001, "job_definition_id": 12345, "status": 10,
			"git_sha": "f%d", "href": "https://cloud.getdbt.com/deploy/1001/projects/5001/runs/%d/",
			"trigger": {"cause": "Triggered via GitHub pull request", "github_pull_request_id": %d, "git_sha": "f%d"}}`, id, id, id, 5000+i, id)
		if err := d.SetRun(json.RawMessage(run)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFindPRRunPagesWithOffset(t *testing.T) {
	d := ghtest.NewDBTCloud()
	defer d.Close()
	addFillerRuns(t, d, 230)
	det, err := client(t, d, d.Token).LoadPRDetails(context.Background(), 1001, 12345, 101, "000000000000000000000000000000000abc0065")
	if err != nil {
		t.Fatal(err)
	}
	if det.Run.ID != 42 {
		t.Fatalf("run %d", det.Run.ID)
	}
	var offsets, steps []string
	for _, r := range d.Requests() {
		switch {
		case strings.HasSuffix(r.URL.Path, "/runs/"):
			offsets = append(offsets, r.URL.Query().Get("offset")+"/"+r.URL.Query().Get("limit"))
		case strings.Contains(r.URL.Path, "/artifacts/"):
			steps = append(steps, r.URL.Query().Get("step"))
		}
	}
	if strings.Join(offsets, " ") != "0/100 100/100 200/100" {
		t.Fatalf("pages asked for: %q", offsets)
	}
	// The failing step's own artifacts were asked for.
	if !slices.Equal(steps, []string{"4"}) || len(det.FailingNodes) != 2 {
		t.Fatalf("artifact steps %q, nodes %+v", steps, det.FailingNodes)
	}
}
