package selector

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// The cases in this file cover selection rules of dbt-core (graph/selector.py,
// selector_methods.py, selector_spec.py, cli.py, branch 1.11.latest) that the randomly
// generated dbt-core answers do not reach. Each starts from the real jaffle-shop manifest that
// dbt 1.11 wrote and changes it the way the rule needs (a disabled test in nodes, a numeric
// config, a manifest written on Windows); the expected sets follow from dbt's code, cited per
// rule.

const jaffle111 = "manifests/jaffle-shop-dbt1.11/manifest.json"

// mutatedManifest loads a fixture manifest after fn changed its JSON.
func mutatedManifest(t *testing.T, rel string, fn func(m map[string]any)) *dbt.Graph {
	t.Helper()
	b, err := os.ReadFile(fixtures.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if fn != nil {
		fn(m)
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	g, err := dbt.ParseManifest(out, rel, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func section(m map[string]any, name, id string) map[string]any {
	n, _ := m[name].(map[string]any)[id].(map[string]any)
	return n
}

func nodeConfig(m map[string]any, sec, id string) map[string]any {
	return section(m, sec, id)["config"].(map[string]any)
}

const (
	jNNStgOrders = "test.jaffle_shop.not_null_stg_orders_order_id.81cfe2fe64"
	jNNCustomers = "test.jaffle_shop.not_null_customers_customer_id.5c9bf9911d"
	jNNSupplies  = "test.jaffle_shop.not_null_stg_supplies_supply_uuid.515c6eda6d"
	jUQSupplies  = "test.jaffle_shop.unique_stg_supplies_supply_uuid.c9e3edcfed"
	jStgSupplies = "model.jaffle_shop.stg_supplies"
	jSupplies    = "model.jaffle_shop.supplies"
	jSMSupplies  = "semantic_model.jaffle_shop.supplies"
	jRawSupplies = "source.jaffle_shop.ecom.raw_supplies"
	jOrders      = "model.jaffle_shop.orders"
	jStgCust     = "model.jaffle_shop.stg_customers"
	jRelOrdCust  = "test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_stg_customers_.918495ce16"
)

func selectIDs(t *testing.T, g *dbt.Graph, sel, exclude []string, opts SelectOptions) []string {
	t.Helper()
	s, err := ParseSelection(sel, exclude)
	if err != nil {
		t.Fatalf("parse %q: %v", sel, err)
	}
	got, err := selectChecked(t, g, s, opts)
	if err != nil {
		t.Fatalf("select %q: %v", sel, err)
	}
	return got
}

// Rule 1: a node in manifest.nodes whose config says enabled: false is no graph member
// (selector.py _is_graph_member): no method finds it and no traversal passes through it.
func TestSelectRuleDisabledInNodes(t *testing.T) {
	base := mutatedManifest(t, jaffle111, nil)
	g := mutatedManifest(t, jaffle111, func(m map[string]any) {
		nodeConfig(m, "nodes", jNNStgOrders)["enabled"] = false
		nodeConfig(m, "nodes", jNNCustomers)["enabled"] = false
		nodeConfig(m, "nodes", jStgSupplies)["enabled"] = false
	})
	all := selectIDs(t, base, []string{"test_name:not_null"}, nil, SelectOptions{})
	got := selectIDs(t, g, []string{"test_name:not_null"}, nil, SelectOptions{})
	// The tests of stg_supplies stay members: membership is each node's own config.
	want := setMinus(all, []string{jNNStgOrders, jNNCustomers})
	if !slices.Equal(got, want) || len(all) != 10 {
		t.Errorf("test_name:not_null = %v, want the %d of %d without the disabled ones", got, len(want), len(all))
	}
	// stg_supplies is out of the graph, so +supplies stops at supplies (and the semantic model
	// of the same name).
	if got, want := selectIDs(t, g, []string{"+supplies"}, nil, SelectOptions{}), []string{jSupplies, jSMSupplies}; !slices.Equal(got, want) {
		t.Errorf("+supplies = %v, want %v", got, want)
	}
	if got := selectIDs(t, g, []string{"stg_supplies"}, nil, SelectOptions{}); len(got) != 0 {
		t.Errorf("the disabled model itself was selected: %v", got)
	}
}

// Rule 2: a depth of 0 is zero generations (_match_to_int turns "0" into 0; networkx
// bfs_edges with depth_limit=0 yields nothing).
func TestSelectRuleDepthZero(t *testing.T) {
	g := mutatedManifest(t, jaffle111, nil)
	for _, c := range []struct {
		sel  string
		opts SelectOptions
		want []string
	}{
		{"stg_supplies+0", SelectOptions{}, []string{jStgSupplies, jNNSupplies, jUQSupplies}},
		{"0+stg_supplies", SelectOptions{}, []string{jStgSupplies, jNNSupplies, jUQSupplies}},
		{"0+stg_supplies+0", SelectOptions{Indirect: IndirectEmpty}, []string{jStgSupplies}},
		{"1+stg_supplies+0", SelectOptions{Indirect: IndirectEmpty}, []string{jRawSupplies, jStgSupplies}},
		{"stg_supplies+", SelectOptions{Indirect: IndirectEmpty}, nil}, // all generations, checked below
	} {
		got := selectIDs(t, g, []string{c.sel}, nil, c.opts)
		if c.want == nil {
			if len(got) < 5 {
				t.Errorf("%s = %v: a bare + means every generation", c.sel, got)
			}
			continue
		}
		if want := sorted(c.want...); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", c.sel, got, want)
		}
	}
}

// Rule 3: config.<key>: searches configurable_nodes (manifest.nodes and sources), and compares
// the value found with the selector string the Python way: strings equal, booleans "true" /
// "false" in any case, list members, numbers never.
func TestSelectRuleConfigTyped(t *testing.T) {
	const semantic = "semantic_model.jaffle_shop.orders"
	const metric = "metric.jaffle_shop.revenue"
	g := mutatedManifest(t, jaffle111, func(m map[string]any) {
		nodeConfig(m, "nodes", jOrders)["lookback"] = 1
		nodeConfig(m, "nodes", jSupplies)["lookback"] = "1"
		nodeConfig(m, "nodes", jOrders)["labels"] = []any{"x", true, 3}
		nodeConfig(m, "nodes", jOrders)["meta"] = map[string]any{"owner": "finance", "tier": 2, "pii": false}
		nodeConfig(m, "semantic_models", semantic)["meta"] = map[string]any{"owner": "finance"}
		nodeConfig(m, "metrics", metric)["group"] = "finance"
		nodeConfig(m, "metrics", metric)["meta"] = map[string]any{"owner": "finance"}
	})
	empty := SelectOptions{Indirect: IndirectEmpty}
	for _, c := range []struct {
		sel  string
		want []string
	}{
		{"config.lookback:1", []string{jSupplies}}, // the integer 1 is not the string "1"
		{"config.labels:x", []string{jOrders}},
		{"config.labels:TRUE", []string{jOrders}}, // True in the list
		{"config.labels:3", nil},
		{"config.meta.owner:finance", []string{jOrders}}, // not the semantic model nor the metric
		{"config.meta.tier:2", nil},
		{"config.meta.pii:False", []string{jOrders}},
		{"config.group:finance", nil},       // metrics are not configurable nodes…
		{"group:finance", []string{metric}}, // …but they are groupable
		{"config.docs.show:True", nil},      // checked below: every model and seed
		{"config.materialized:table,config.enabled:TRUE", nil},
	} {
		got := selectIDs(t, g, []string{c.sel}, nil, empty)
		switch c.sel {
		case "config.docs.show:True", "config.materialized:table,config.enabled:TRUE":
			if len(got) == 0 {
				t.Errorf("%s selected nothing; booleans match true/false in any case", c.sel)
			}
			continue
		}
		if want := sorted(c.want...); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", c.sel, got, want)
		}
	}
}

// Rule 4: unit_test: takes name or package.name; more parts are an error (DbtRuntimeError).
func TestSelectRuleUnitTestParts(t *testing.T) {
	g := mutatedManifest(t, jaffle111, nil)
	if got := selectIDs(t, g, []string{"unit_test:jaffle_shop.test_supply_costs_sum_correctly"}, nil, SelectOptions{}); len(got) != 1 {
		t.Errorf("package.name = %v", got)
	}
	_, err := ParseSelection([]string{"unit_test:jaffle_shop.order_items.test_supply_costs_sum_correctly"}, nil)
	var se *SelectorError
	if !errors.As(err, &se) || !strings.Contains(se.Msg, "name or package.name") {
		t.Errorf("three parts: err = %v, want dbt's error", err)
	}
}

// Rule 6: since dbt 1.4 the exclusion is expanded with the same --indirect-selection mode
// (cli.py parse_union passes flags.INDIRECT_SELECTION to both sides of the difference), so a
// cautious exclusion of stg_customers does not take the relationships test that also tests
// orders, while an eager one does.
func TestSelectRuleExcludeIndirect(t *testing.T) {
	g := mutatedManifest(t, jaffle111, nil)
	sel, exc := []string{"orders stg_customers"}, []string{"stg_customers"}
	for _, c := range []struct {
		mode string
		keep bool
	}{
		{IndirectEager, false}, {IndirectCautious, true}, {IndirectBuildable, true}, {IndirectEmpty, false},
	} {
		got := selectIDs(t, g, sel, exc, SelectOptions{Indirect: c.mode})
		if slices.Contains(got, jStgCust) {
			t.Errorf("%s: stg_customers not excluded", c.mode)
		}
		if slices.Contains(got, jRelOrdCust) != c.keep {
			t.Errorf("%s: relationships test kept = %v, want %v (%v)", c.mode, !c.keep, c.keep, got)
		}
	}
}

// Rule 7: a manifest written on Windows (original_file_path models\staging\x.sql) is found by
// path: and file: exactly like the same manifest written on Linux, and dbt's own reading on
// Linux (the whole path taken as a file name) still matches.
func TestSelectRuleWindowsPaths(t *testing.T) {
	posix := mutatedManifest(t, jaffle111, nil)
	win := mutatedManifest(t, jaffle111, func(m map[string]any) {
		// The sections of manifest.json that hold graph members.
		for _, sec := range []string{"nodes", "sources", "exposures", "metrics", "semantic_models", "saved_queries", "unit_tests", "functions"} {
			for _, v := range m[sec].(map[string]any) {
				n := v.(map[string]any)
				for _, k := range []string{"original_file_path", "path"} {
					if s, ok := n[k].(string); ok {
						n[k] = strings.ReplaceAll(s, "/", `\`)
					}
				}
				if s, ok := n["patch_path"].(string); ok {
					pkg, p, _ := strings.Cut(s, "://")
					n["patch_path"] = pkg + "://" + strings.ReplaceAll(p, "/", `\`)
				}
			}
		}
	})
	for _, s := range []string{"path:models/staging", "path:models/staging/stg_orders.sql", "path:models/marts/*.yml",
		"models/staging", "file:stg_orders.sql", "file:stg_orders", "stg_orders.sql", "path:seeds/jaffle-data"} {
		want := selectIDs(t, posix, []string{s}, nil, SelectOptions{})
		got := selectIDs(t, win, []string{s}, nil, SelectOptions{})
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("%s: Windows manifest %d nodes, Linux manifest %d", s, len(got), len(want))
		}
	}
	if got := selectIDs(t, win, []string{`file:models\staging\stg_orders.sql`}, nil, SelectOptions{Indirect: IndirectEmpty}); !slices.Equal(got, []string{"model.jaffle_shop.stg_orders"}) {
		t.Errorf("the whole Windows path as a file name: %v", got)
	}
}

// Rule 8: a method without its argument key (config:view) is accepted by dbt and selects
// nothing (the whole config object is compared with a string), with the no-match warning;
// datatui also points at the spot.
func TestSelectRuleConfigWithoutKey(t *testing.T) {
	g := mutatedManifest(t, jaffle111, nil)
	sel, err := ParseSelection([]string{"config:view orders"}, nil)
	if err != nil {
		t.Fatalf("dbt accepts config:view: %v", err)
	}
	r, err := SelectNodes(g, sel, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Unmatched, []string{"config:view"}) {
		t.Errorf("unmatched = %q", r.Unmatched)
	}
	if len(r.Indexes) == 0 {
		t.Error("orders should still be selected")
	}
	if len(sel.Notes) != 1 || sel.Notes[0].Column() != 1 || !strings.Contains(sel.Notes[0].Note(), "config needs a key") {
		t.Errorf("notes = %v", sel.Notes)
	}
}

// dbt accepts empty criteria, ignored method arguments and odd characters; they select
// nothing (or what dbt reads them as), and datatui says where.
func TestSelectLenientSyntax(t *testing.T) {
	g := mutatedManifest(t, jaffle111, nil)
	for _, c := range []struct {
		arg     string
		col     int
		note    string
		matches bool
	}{
		{"+(bad", 2, `'(' is not selector syntax`, false},
		{"orders  stg_orders", 8, "empty criterion", true},
		{"orders,,stg_orders", 8, "empty criterion", false},
		{"fqn.x:orders", 4, `dbt ignores ".x" after fqn`, true},
		{"tag:", 5, "nothing to select", false},
	} {
		sel, err := ParseSelection([]string{c.arg}, nil)
		if err != nil {
			t.Errorf("%q: dbt accepts it, got %v", c.arg, err)
			continue
		}
		if len(sel.Notes) == 0 || sel.Notes[0].Column() != c.col || !strings.Contains(sel.Notes[0].Msg, c.note) {
			t.Errorf("%q: notes %v, want %q at %d", c.arg, sel.Notes, c.note, c.col)
		}
		got, err := Select(g, sel, SelectOptions{})
		if err != nil || (len(got) > 0) != c.matches {
			t.Errorf("%q: %d nodes, err %v", c.arg, len(got), err)
		}
	}
	// test_type compares with `selector in ("data")`: a substring of "data" means data.
	if a, b := selectIDs(t, g, []string{"test_type:dat"}, nil, SelectOptions{}), selectIDs(t, g, []string{"test_type:data"}, nil, SelectOptions{}); !slices.Equal(a, b) || len(a) == 0 {
		t.Errorf("test_type:dat = %d nodes, test_type:data = %d", len(a), len(b))
	}
}

// dbt 1.8 searched saved queries with fqn: only, and dropped graph operators under
// --indirect-selection empty; a manifest written by dbt 1.8 is selected by those rules.
func TestSelectDBT18Rules(t *testing.T) {
	g := mutatedManifest(t, "real-dbt/jaffle-parse/manifest.json", nil)
	if got := selectIDs(t, g, []string{"resource_type:saved_query"}, nil, SelectOptions{}); len(got) != 0 {
		t.Errorf("dbt 1.8: resource_type:saved_query = %v, want nothing", got)
	}
	if got := selectIDs(t, g, []string{"resource_type:saved_query"}, nil, SelectOptions{DBTVersion: "1.9.0"}); len(got) != 3 {
		t.Errorf("dbt 1.9 rules: resource_type:saved_query = %v, want 3", got)
	}
	if got := selectIDs(t, g, []string{"+orders"}, nil, SelectOptions{Indirect: IndirectEmpty}); !slices.Equal(got, []string{"metric.jaffle_shop.orders", "model.jaffle_shop.orders", "semantic_model.jaffle_shop.orders"}) {
		t.Errorf("dbt 1.8 +orders with empty = %v", got)
	}
}

// state:modified.macros (and state:modified) select the nodes that call a changed macro,
// directly or through other macros (StateSelectorMethod.check_macros_modified).
func TestSelectStateModifiedMacros(t *testing.T) {
	prod := mutatedManifest(t, jaffle111, nil)
	dev := mutatedManifest(t, jaffle111, func(m map[string]any) {
		mac := section(m, "macros", "macro.dbt.default__test_not_null")
		mac["macro_sql"] = mac["macro_sql"].(string) + "\n-- changed"
	})
	opts := SelectOptions{State: prod, Indirect: IndirectEmpty}
	got := selectIDs(t, dev, []string{"state:modified.macros"}, nil, opts)
	if len(got) != 10 || !slices.Contains(got, "test.jaffle_shop.not_null_orders_order_id.cf6c17daed") {
		t.Errorf("state:modified.macros = %v, want the 10 not_null tests", got)
	}
	if all := selectIDs(t, dev, []string{"state:modified"}, nil, opts); !slices.Equal(all, got) {
		t.Errorf("state:modified = %v, want the same tests", all)
	}
	if none := selectIDs(t, prod, []string{"state:modified"}, nil, opts); len(none) != 0 {
		t.Errorf("a manifest compared with itself: %v", none)
	}
	// The macros survive the index cache.
	dir := t.TempDir()
	path := fixtures.Path(t, jaffle111)
	if _, err := dbt.LoadManifest(path, dbt.LoadOptions{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	cached, err := dbt.LoadManifest(path, dbt.LoadOptions{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(cached.Macros) != len(prod.Macros) || cached.Node("test.jaffle_shop.not_null_orders_order_id.cf6c17daed").MacroDeps == nil {
		t.Errorf("cached graph: %d macros, want %d", len(cached.Macros), len(prod.Macros))
	}
}

// Rule: the fqn method flattens the fqn before comparing (graph/selector_methods.py,
// is_selected_node: a dot inside a part separates namespaces too), so a model in a folder
// named "marts.finance" is selected by "marts" with the other marts models, and by
// "marts.finance.orders"; "finance" alone is not the start of any flat fqn.
func TestSelectRuleDottedFolder(t *testing.T) {
	g := mutatedManifest(t, jaffle111, func(m map[string]any) {
		section(m, "nodes", jOrders)["fqn"] = []any{"jaffle_shop", "marts.finance", "orders"}
	})
	if got := selectIDs(t, g, []string{"marts"}, nil, SelectOptions{}); !slices.Contains(got, jOrders) || !slices.Contains(got, jSupplies) {
		t.Errorf("marts = %v: want orders (in marts.finance) with supplies", got)
	}
	if got := selectIDs(t, g, []string{"marts.finance.orders"}, nil, SelectOptions{Indirect: IndirectEmpty}); !slices.Equal(got, []string{jOrders}) {
		t.Errorf("marts.finance.orders = %v, want [%s]", got, jOrders)
	}
	if got := selectIDs(t, g, []string{"finance"}, nil, SelectOptions{Indirect: IndirectEmpty}); len(got) != 0 {
		t.Errorf("finance = %v, want nothing", got)
	}
}

// An empty tag is held by no reference in the columns: "tag:" over them must still find a
// node whose tags hold "" as the graph does (selectIDs compares both).
func TestSelectRuleEmptyTag(t *testing.T) {
	g := mutatedManifest(t, jaffle111, func(m map[string]any) {
		section(m, "nodes", jOrders)["tags"] = []any{"", "x"}
	})
	s, err := ParseSelection([]string{"tag:"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := selectChecked(t, g, s, SelectOptions{Indirect: IndirectEmpty})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, jOrders) {
		t.Errorf("tag: = %v, want %s (its tags hold \"\")", got, jOrders)
	}
}
