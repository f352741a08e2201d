package onboard

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestStarterCandidatesAgreeWithDBT: every model suggested for a first build has, in dbt's
// own manifest (its parent_map), only sources and seeds as parents, and every such model of
// the root project that dbt builds is offered.
func TestStarterCandidatesAgreeWithDBT(t *testing.T) {
	dir := fixtures.Path(t, "manifests/jaffle-shop-dbt1.11")
	manifest := filepath.Join(dir, "manifest.json")
	g, err := dbt.LoadManifest(manifest, dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Metadata struct {
			ProjectName string `json:"project_name"`
		} `json:"metadata"`
		ParentMap map[string][]string `json:"parent_map"`
		Nodes     map[string]struct {
			Config struct{ Materialized string } `json:"config"`
		} `json:"nodes"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	os.WriteFile(filepath.Join(project, "dbt_project.yml"), []byte("name: "+m.Metadata.ProjectName+"\nprofile: x\n"), 0o644)
	got := map[string]bool{}
	for _, c := range StarterCandidates(g, project) {
		got["model."+m.Metadata.ProjectName+"."+c.Name] = true
		if !strings.Contains(c.Why, "reads only") {
			t.Errorf("%s: no reason given: %q", c.Name, c.Why)
		}
	}
	if len(got) == 0 {
		t.Fatal("no candidates")
	}
	for id, parents := range m.ParentMap {
		if !strings.HasPrefix(id, "model."+m.Metadata.ProjectName+".") || m.Nodes[id].Config.Materialized == "ephemeral" {
			continue
		}
		raw := len(parents) > 0
		for _, p := range parents {
			raw = raw && (strings.HasPrefix(p, "source.") || strings.HasPrefix(p, "seed."))
		}
		if raw != got[id] {
			t.Errorf("%s: parents %v; offered %v", id, parents, got[id])
		}
	}
}

// TestFirstBuildWithoutStarterModel: without dbt.starter_model the check suggests a model,
// the fix builds the chosen one through the runner and the step passes only once it did.
func TestFirstBuildWithoutStarterModel(t *testing.T) {
	te := newTestEnv(t, envOpts{datatui: "onboarding:\n  adapter: duckdb\n", project: "name: shop\nprofile: shop\n"})
	te.write("repo/models/staging/stg_orders.sql", "select *\nfrom {{ source('raw', 'orders') }}\n")
	te.write("repo/models/staging/stg_customers.sql", "select id,\n  name,\n  email\nfrom {{ ref('raw_customers') }}\n")
	te.write("repo/models/orders.sql", "select * from {{ ref('stg_orders') }}\n")
	te.write("repo/models/sources.yml", "version: 2\nsources:\n  - name: raw\n    tables:\n      - name: orders\n")
	te.write("repo/seeds/raw_customers.csv", "id,name,email\n1,a,b\n")
	te.reopen()
	r := te.check(StepFirstBuild)
	assertStatus(t, r, StatusFail, "datatui suggests stg_orders", "reads only source raw.orders")
	if !r.Fixable {
		t.Fatal("not fixable")
	}
	s, _ := Find(Steps(te.env), StepFirstBuild)
	f := s.Fields()
	if len(f) != 1 || strings.Join(f[0].Options, ",") != "stg_orders,stg_customers" || f[0].Default != "stg_orders" {
		t.Fatalf("fields: %+v", f)
	}
	var ran [][]string
	te.env.RunDBT = func(_ context.Context, args []string) error { ran = append(ran, args); return nil }
	if err := s.Fix(context.Background(), Input{"model": "+orders"}); err == nil || len(ran) != 0 {
		t.Fatalf("a selector must not reach dbt: %v %v", err, ran)
	}
	if err := s.Fix(context.Background(), Input{"model": "stg_customers"}); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 1 || strings.Join(ran[0], " ") != "build --select stg_customers" {
		t.Fatalf("ran %v", ran)
	}
	assertStatus(t, te.check(StepFirstBuild), StatusOK, "stg_customers built")
}
