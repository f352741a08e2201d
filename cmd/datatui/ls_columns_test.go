package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestLsColumnsIsTheListing: a new question of a warm manifest is answered from the selection
// columns (the index is not read: removed, it is not written back) with exactly what listing
// from the decoded graph prints, warnings and exit status included; what the columns cannot
// answer is listed from the graph, the same as ever.
func TestLsColumnsIsTheListing(t *testing.T) {
	manifests := []string{dbttest.ShopManifest(t)}
	for _, p := range []string{"real-dbt/jaffle-parse/manifest.json", "manifests/tuva-dbt1.7/manifest.json", "manifests/fivetran-hubspot-dbt1.8/manifest.json"} {
		manifests = append(manifests, fixtures.Path(t, p))
	}
	cases := []struct {
		args []string
		// graph: the columns cannot answer it, so the index is decoded (and written back).
		graph bool
	}{
		{args: nil},
		{args: []string{"--output", "name"}},
		{args: []string{"--output", "path"}},
		{args: []string{"-s", "+orders+", "tag:nightly", "--exclude", "resource_type:test"}},
		{args: []string{"-s", "@stg_orders", "--indirect-selection", "cautious"}},
		{args: []string{"-s", "stg_customers+", "--indirect-selection", "buildable"}},
		{args: []string{"-s", "2+customers", "--indirect-selection", "empty"}},
		{args: []string{"--resource-type", "source", "model"}},
		{args: []string{"-m", "path:models/staging"}},
		{args: []string{"-s", "config.materialized:table,test_type:generic", "test_name:not_null", "package:this"}},
		{args: []string{"-s", "source:*", "file:*.sql", "access:public", "version:latest", "group:*"}},
		{args: []string{"-s", "tag:no_such_tag", "-q"}},
		{args: []string{"-s", "tag:no_such_tag"}},
		{args: []string{"-s", "tag:no_such_tag", "--log-format", "json"}},
		{args: []string{"-s", "no_such_model"}, graph: true}, // suggestions read every name
		{args: []string{"--output", "json"}, graph: true},
		{args: []string{"-s", "config.meta.owner:x"}, graph: true},
	}
	for _, manifest := range manifests {
		for _, c := range cases {
			name := filepath.Base(filepath.Dir(manifest)) + "/" + strings.Join(c.args, " ")
			t.Run(name, func(t *testing.T) {
				t.Setenv("XDG_STATE_HOME", t.TempDir())
				args := append([]string{"ls", "--manifest", manifest}, c.args...)
				code1, out1, err1 := lsRun(t, args...) // cold: from the graph
				if len(cacheFiles(t, ".sel")) != 1 {
					t.Fatal("no columns file beside the index")
				}
				removeAll(t, cacheFiles(t, ".ans"))
				removeAll(t, cacheFiles(t, ".idx"))
				code2, out2, err2 := lsRun(t, args...)
				if code2 != code1 || stripTimes(out2) != stripTimes(out1) || stripTimes(err2) != stripTimes(err1) {
					t.Fatalf("from the columns: exit %d, stderr %q, stdout\n%s\nfrom the graph: exit %d, stderr %q, stdout\n%s", code2, err2, out2, code1, err1, out1)
				}
				// A jaffle-shop name that another project lacks is a criterion that matches
				// nothing and names a node: the graph gives its suggestions.
				wantGraph := c.graph
				for _, l := range strings.Split(err1, "\n") {
					if u, ok := strings.CutPrefix(l, "datatui: warning: the selection criterion '"); ok && bareName(strings.Split(u, "'")[0]) != "" {
						wantGraph = true
					}
				}
				if decoded := len(cacheFiles(t, ".idx")) == 1; decoded != wantGraph {
					t.Fatalf("listed from the graph = %v, want %v", decoded, wantGraph)
				}
			})
		}
	}
}

// TestLsColumnsDamaged: columns damaged on disk are never listed from. Wherever a byte is
// damaged, ls prints what the graph lists; a damaged part the question reads is found and the
// file replaced by a good one (a part it does not read cannot change its answer).
func TestLsColumnsDamaged(t *testing.T) {
	manifest := fixtures.Path(t, "manifests/tuva-dbt1.7/manifest.json")
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	args := []string{"ls", "--manifest", manifest, "-s", "tag:*", "+core__condition", "--output", "selector"}
	_, want, _ := lsRun(t, args...)
	sel := cacheFiles(t, ".sel")[0]
	good := mustReadFile(t, sel)
	replaced := 0
	for k := 0; k < len(good); k += len(good)/40 + 1 {
		b := append([]byte(nil), good...)
		b[k] ^= 0x5a
		if err := os.WriteFile(sel, b, 0o600); err != nil {
			t.Fatal(err)
		}
		removeAll(t, cacheFiles(t, ".ans"))
		_, got, errs := lsRun(t, args...)
		if got != want || errs != "" {
			t.Fatalf("byte %d damaged: listed %d bytes (stderr %q), the graph lists %d", k, len(got), errs, len(want))
		}
		if string(mustReadFile(t, sel)) != string(b) {
			replaced++
		}
	}
	if replaced < 10 {
		t.Fatalf("only %d of 41 damaged files were found damaged", replaced)
	}
	t.Logf("%d of 41 damaged files found damaged and replaced", replaced)
}
