package selector

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

func loadShop(t testing.TB) *dbt.Graph {
	t.Helper()
	g, err := dbt.LoadManifest(dbttest.ShopManifest(t), dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func loadShopProd(t testing.TB) (*dbt.Graph, *dbt.RunResults) {
	t.Helper()
	g, err := dbt.LoadManifest(dbttest.ShopProd(t, "manifest.json"), dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := dbt.LoadRunResults(dbttest.ShopProd(t, "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return g, rr
}

type selCase struct {
	name     string
	sel      []string
	exclude  []string
	opts     SelectOptions
	want     []string
	wantN    int // when want is nil: the number of nodes expected
	contains []string
}

func sorted(ids ...string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func runSelCases(t *testing.T, g *dbt.Graph, cases []selCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sel, err := ParseSelection(c.sel, c.exclude)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			got, err := selectChecked(t, g, sel, c.opts)
			if err != nil {
				t.Fatalf("select: %v", err)
			}
			if c.want != nil || c.wantN == 0 && c.contains == nil {
				want := sorted(c.want...)
				if !slices.Equal(got, want) {
					t.Errorf("select %q exclude %q\n got: %s\nwant: %s", c.sel, c.exclude, strings.Join(got, "\n      "), strings.Join(want, "\n      "))
				}
				return
			}
			if c.wantN != 0 && len(got) != c.wantN {
				t.Errorf("select %q: got %d nodes, want %d:\n%s", c.sel, len(got), c.wantN, strings.Join(got, "\n"))
			}
			for _, id := range c.contains {
				if !slices.Contains(got, id) {
					t.Errorf("select %q: %s missing", c.sel, id)
				}
			}
		})
	}
}

func TestSelectShop(t *testing.T) {
	g := loadShop(t)
	prod, rr := loadShopProd(t)
	state := SelectOptions{State: prod}
	results := SelectOptions{Results: rr}
	ordersTests := []string{dbttest.NN, dbttest.REL, dbttest.APP, dbttest.UT}
	with := func(base []string, more ...string) []string { return append(slices.Clone(base), more...) }
	plusOrders := []string{dbttest.Orders, dbttest.StgOrders, dbttest.StgPayments, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UT}
	staging := []string{dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.AV, dbttest.APP, dbttest.EXP}
	projDir := filepath.Join(os.TempDir(), "shop")
	cases := []selCase{
		// fqn (default method) and eager indirect selection of tests
		{name: "fqn leaf", sel: []string{"orders"}, want: with(ordersTests, dbttest.Orders)},
		{name: "fqn explicit", sel: []string{"fqn:orders"}, want: with(ordersTests, dbttest.Orders)},
		{name: "fqn folder", sel: []string{"staging"}, want: []string{dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.SNN}},
		{name: "fqn prefix wildcard", sel: []string{"shop.marts.*"}, want: []string{dbttest.Exposure, dbttest.Metric, dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Orders, dbttest.Saved, dbttest.Semantic, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "fqn versioned all", sel: []string{"dim_customers"}, want: []string{dbttest.DimV1, dbttest.DimV2, dbttest.DimV3}},
		{name: "fqn versioned dot", sel: []string{"dim_customers.v2"}, want: []string{dbttest.DimV2}},
		{name: "fqn versioned underscore", sel: []string{"dim_customers_v1"}, want: []string{dbttest.DimV1}},
		{name: "fqn other package", sel: []string{"utils"}, want: []string{dbttest.DateSpine}},
		// indirect selection modes
		{name: "cautious", sel: []string{"orders"}, opts: SelectOptions{Indirect: IndirectCautious}, want: []string{dbttest.Orders, dbttest.NN, dbttest.UT}},
		{name: "buildable", sel: []string{"orders"}, opts: SelectOptions{Indirect: IndirectBuildable}, want: []string{dbttest.Orders, dbttest.APP, dbttest.NN, dbttest.UT}},
		{name: "empty", sel: []string{"orders"}, opts: SelectOptions{Indirect: IndirectEmpty}, want: []string{dbttest.Orders}},
		// graph operators
		{name: "ancestors", sel: []string{"+orders"}, want: plusOrders},
		{name: "descendants", sel: []string{"orders+"}, want: []string{dbttest.Exposure, dbttest.Metric, dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Orders, dbttest.Saved, dbttest.Semantic, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "one generation down", sel: []string{"orders+1"}, want: []string{dbttest.Exposure, dbttest.Customers, dbttest.Orders, dbttest.Semantic, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "one generation up", sel: []string{"1+customers"}, want: []string{dbttest.Customers, dbttest.Orders, dbttest.StgCustomers, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "two generations up", sel: []string{"2+customers"}, want: []string{dbttest.Customers, dbttest.Orders, dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.RawCustomers, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "both ways empty tests", sel: []string{"1+stg_orders+1"}, opts: SelectOptions{Indirect: IndirectEmpty}, want: []string{dbttest.SrcOrders, dbttest.StgOrders, dbttest.Orders, dbttest.Snapshot, dbttest.AV}},
		{name: "at operator", sel: []string{"@stg_customers"}, want: []string{dbttest.Exposure, dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Orders, dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.RawCustomers, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UQ, dbttest.UT}},
		// tag
		{name: "tag", sel: []string{"tag:nightly"}, want: with(ordersTests, dbttest.Orders, dbttest.StgOrders, dbttest.AV)},
		{name: "tag on source", sel: []string{"tag:pii"}, want: []string{dbttest.SrcOrders, dbttest.SNN}},
		{name: "tag glob", sel: []string{"tag:fin*"}, want: with(ordersTests, dbttest.Metric, dbttest.Orders)},
		// path and file
		{name: "path folder", sel: []string{"path:models/staging"}, want: []string{dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.SNN}},
		{name: "path trailing slash", sel: []string{"path:models/staging/"}, want: []string{dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.SNN}},
		{name: "path yaml (default method)", sel: []string{"models/staging/_staging.yml"}, want: []string{dbttest.StgCustomers, dbttest.StgOrders, dbttest.AV, dbttest.EXP}},
		{name: "path glob", sel: []string{"path:models/marts/*.sql"}, want: []string{dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Orders, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "path absolute in project", sel: []string{"path:" + filepath.Join(projDir, "models", "staging", "stg_orders.sql")}, opts: SelectOptions{ProjectDir: projDir, Indirect: IndirectEmpty}, want: []string{dbttest.StgOrders}},
		{name: "path double star", sel: []string{"path:models/**/stg_*"}, want: staging},
		{name: "file default method", sel: []string{"stg_payments.py"}, want: []string{dbttest.StgPayments, dbttest.APP, dbttest.EXP}},
		{name: "file stem glob", sel: []string{"file:stg_*"}, want: staging},
		// package
		{name: "package", sel: []string{"package:utils"}, want: []string{dbttest.DateSpine}},
		{name: "package glob", sel: []string{"package:ut*"}, want: []string{dbttest.DateSpine}},
		{name: "package this", sel: []string{"package:this"}, opts: SelectOptions{ResourceTypes: []string{"seed", "source"}}, want: []string{dbttest.RawCustomers, dbttest.SrcOrders, dbttest.SrcPayments}},
		// source and other resource methods
		{name: "source and descendants", sel: []string{"source:raw.orders+"}, want: []string{dbttest.Exposure, dbttest.Metric, dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Orders, dbttest.StgOrders, dbttest.Saved, dbttest.Semantic, dbttest.Snapshot, dbttest.SrcOrders, dbttest.AV, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UQ, dbttest.UT}},
		{name: "source name", sel: []string{"source:raw"}, want: []string{dbttest.SrcOrders, dbttest.SrcPayments, dbttest.SNN}},
		{name: "source package glob", sel: []string{"source:shop.raw.pay*"}, want: []string{dbttest.SrcPayments}},
		{name: "exposure", sel: []string{"exposure:weekly_kpis"}, want: []string{dbttest.Exposure}},
		{name: "what feeds an exposure", sel: []string{"+exposure:weekly_kpis"}, want: []string{dbttest.Exposure, dbttest.Customers, dbttest.Orders, dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.RawCustomers, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UQ, dbttest.UT}},
		{name: "metric", sel: []string{"metric:revenue"}, want: []string{dbttest.Metric}},
		{name: "semantic model with package", sel: []string{"semantic_model:shop.orders_sm"}, want: []string{dbttest.Semantic}},
		{name: "saved query glob", sel: []string{"saved_query:weekly_*"}, want: []string{dbttest.Saved}},
		{name: "unit test", sel: []string{"unit_test:test_orders_totals"}, want: []string{dbttest.UT}},
		{name: "unit test with package", sel: []string{"unit_test:shop.test_orders_totals"}, want: []string{dbttest.UT}},
		{name: "resource type", sel: []string{"resource_type:seed"}, want: []string{dbttest.RawCustomers}},
		{name: "analysis hidden by default", sel: []string{"resource_type:analysis"}, want: nil},
		{name: "analysis with all", sel: []string{"resource_type:analysis"}, opts: SelectOptions{ResourceTypes: []string{"all"}}, want: []string{dbttest.Analysis}},
		// config
		{name: "config materialized", sel: []string{"config.materialized:incremental"}, want: []string{dbttest.Customers, dbttest.REL, dbttest.UQ}},
		{name: "config meta", sel: []string{"config.meta.owner:finance-team"}, want: with(ordersTests, dbttest.Orders)},
		{name: "config severity any case", sel: []string{"config.severity:WARN"}, want: []string{dbttest.REL}},
		{name: "config list membership", sel: []string{"config.tags:staging"}, want: staging},
		{name: "config other key", sel: []string{"config.on_schema_change:append_new_columns"}, want: []string{dbttest.Customers, dbttest.REL, dbttest.UQ}},
		{name: "config nested key", sel: []string{"config.persist_docs.relation:true"}, want: with(ordersTests, dbttest.Orders)},
		// tests
		{name: "test_type generic", sel: []string{"test_type:generic"}, want: []string{dbttest.AV, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UQ}},
		{name: "test_type singular", sel: []string{"test_type:singular"}, want: []string{dbttest.APP}},
		{name: "test_type unit", sel: []string{"test_type:unit"}, want: []string{dbttest.UT}},
		{name: "test_type data", sel: []string{"test_type:data"}, want: []string{dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UQ}},
		{name: "test_name", sel: []string{"test_name:not_null"}, want: []string{dbttest.NN, dbttest.SNN}},
		{name: "test_name ignores namespace", sel: []string{"test_name:expression_is_true"}, want: []string{dbttest.EXP}},
		{name: "test_name glob", sel: []string{"test_name:accepted_*"}, want: []string{dbttest.AV}},
		{name: "test_name unit", sel: []string{"test_name:test_orders_totals"}, want: []string{dbttest.UT}},
		// group, access, version
		{name: "group", sel: []string{"group:finance"}, want: with(ordersTests, dbttest.Metric, dbttest.Orders)},
		{name: "access public", sel: []string{"access:public"}, want: with(ordersTests, dbttest.Orders)},
		{name: "access protected", sel: []string{"access:protected"}, want: []string{dbttest.Customers, dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.REL, dbttest.UQ}},
		{name: "version latest", sel: []string{"version:latest"}, want: []string{dbttest.DimV2}},
		{name: "version old", sel: []string{"version:old"}, want: []string{dbttest.DimV1}},
		{name: "version prerelease", sel: []string{"version:prerelease"}, want: []string{dbttest.DimV3}},
		{name: "version none", sel: []string{"version:none"}, want: []string{dbttest.Customers, dbttest.Orders, dbttest.StgCustomers, dbttest.StgOrders, dbttest.StgPayments, dbttest.DateSpine, dbttest.AV, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		// set operators
		{name: "union", sel: []string{"orders customers"}, want: []string{dbttest.Customers, dbttest.Orders, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "union of flags", sel: []string{"orders", "customers"}, want: []string{dbttest.Customers, dbttest.Orders, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "intersection keeps expanded tests", sel: []string{"tag:nightly,resource_type:model"}, want: with(ordersTests, dbttest.Orders, dbttest.StgOrders, dbttest.AV)},
		{name: "common ancestors", sel: []string{"+orders,+customers"}, want: plusOrders},
		{name: "intersection of methods", sel: []string{"config.enabled:true,resource_type:source"}, want: []string{dbttest.SrcOrders, dbttest.SrcPayments, dbttest.SNN}},
		{name: "exclude drops tests too", sel: []string{"+orders"}, exclude: []string{"stg_orders"}, want: []string{dbttest.Orders, dbttest.StgPayments, dbttest.SrcOrders, dbttest.SrcPayments, dbttest.APP, dbttest.EXP, dbttest.NN, dbttest.REL, dbttest.SNN, dbttest.UT}},
		{name: "exclude everything", sel: []string{"orders"}, exclude: []string{"fqn:*"}, want: nil},
		{name: "resource type filter", sel: []string{"+orders"}, opts: SelectOptions{ResourceTypes: []string{"model"}}, want: []string{dbttest.Orders, dbttest.StgOrders, dbttest.StgPayments}},
		{name: "exclude resource type", sel: []string{"orders"}, opts: SelectOptions{ExcludeResourceTypes: []string{"test", "unit_test"}}, want: []string{dbttest.Orders}},
		{name: "default selection", wantN: 25, contains: []string{dbttest.SrcOrders, dbttest.Exposure, dbttest.Metric, dbttest.Saved, dbttest.Semantic, dbttest.UT}},
		{name: "disabled never selected", sel: []string{"legacy_orders"}, want: nil},
		// state and result
		{name: "state new", sel: []string{"state:new"}, opts: state, want: []string{dbttest.DimV3, dbttest.UT}},
		{name: "state modified.body", sel: []string{"state:modified.body"}, opts: state, want: []string{dbttest.DimV3, dbttest.StgOrders, dbttest.AV, dbttest.UT}},
		{name: "state modified.configs", sel: []string{"state:modified.configs"}, opts: state, want: []string{dbttest.Customers, dbttest.DimV3, dbttest.Orders, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "state modified.relation", sel: []string{"state:modified.relation"}, opts: state, want: with(ordersTests, dbttest.DimV3, dbttest.Orders)},
		{name: "state modified.persisted_descriptions", sel: []string{"state:modified.persisted_descriptions"}, opts: state, want: with(ordersTests, dbttest.DimV3, dbttest.Orders)},
		{name: "state modified.contract", sel: []string{"state:modified.contract"}, opts: state, want: with(ordersTests, dbttest.DimV3, dbttest.Orders)},
		{name: "state modified", sel: []string{"state:modified"}, opts: state, want: []string{dbttest.Customers, dbttest.DimV3, dbttest.Orders, dbttest.StgOrders, dbttest.AV, dbttest.APP, dbttest.NN, dbttest.REL, dbttest.UQ, dbttest.UT}},
		{name: "state unmodified seeds", sel: []string{"state:unmodified,resource_type:seed"}, opts: state, want: []string{dbttest.RawCustomers}},
		{name: "result error", sel: []string{"result:error"}, opts: results, want: []string{dbttest.Customers, dbttest.REL, dbttest.UQ}},
		{name: "result fail", sel: []string{"result:fail"}, opts: results, want: []string{dbttest.NN}},
		{name: "result skipped", sel: []string{"result:skipped"}, opts: results, want: []string{dbttest.DimV2}},
	}
	runSelCases(t, g, cases)
}

func TestSelectUnmatched(t *testing.T) {
	g := loadShop(t)
	sel, err := ParseSelection([]string{"orders nope tag:none,orders"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r, err := SelectNodes(g, sel, SelectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"nope", "tag:none,orders"}; !slices.Equal(r.Unmatched, want) {
		t.Errorf("unmatched = %q, want %q", r.Unmatched, want)
	}
}

func TestSelectNeedsState(t *testing.T) {
	g := loadShop(t)
	for _, s := range []string{"state:modified", "result:error"} {
		sel, err := ParseSelection([]string{s}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Select(g, sel, SelectOptions{}); err == nil || !strings.Contains(err.Error(), "--state") {
			t.Errorf("%s without state: err = %v", s, err)
		}
	}
	sel, _ := ParseSelection([]string{"orders"}, nil)
	if _, err := Select(g, sel, SelectOptions{Indirect: "lazy"}); err == nil {
		t.Error("bad indirect mode accepted")
	}
	if _, err := Select(g, sel, SelectOptions{ResourceTypes: []string{"table"}}); err == nil {
		t.Error("bad resource type accepted")
	}
}

func TestParseSelectionErrors(t *testing.T) {
	cases := []struct {
		arg     string
		pos     int
		message string
	}{
		{"foo:bar", 1, `"foo" is not a valid method name`},
		{"orders +foo:bar", 9, `"foo" is not a valid method name`},
		{"@orders+", 8, "@ prefix and the + suffix"},
		{"test_type:bogus", 11, `"bogus" is not a test type`},
		{"resource_type:table", 15, "not a resource type"},
		{"version:newest", 9, "not a version selector"},
		{"state:changed", 7, "not a state"},
		{"source:a.b.c.d", 8, "sources are written"},
		{"unit_test:shop.orders.t", 11, "unit_test values are written name or package.name"},
		{"exposure:a.b.c", 10, "exposure values are written"},
		{"resource_type:macros", 15, "not a resource type"},
		{"a\nb", 2, "line break"},
		{"méthode:x", 1, `"méthode" is not a valid method name`}, // \w is Unicode-aware in Python
		{"source_status:fresher", 15, "not supported"},
	}
	for _, c := range cases {
		_, err := ParseSelection([]string{c.arg}, nil)
		var se *SelectorError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a SelectorError", c.arg, err)
			continue
		}
		if se.Pos+1 != c.pos || !strings.Contains(se.Error(), c.message) {
			t.Errorf("%q: got %q (position %d), want position %d and %q", c.arg, se.Error(), se.Pos+1, c.pos, c.message)
		}
	}
	// Exclusions use the same grammar.
	if _, err := ParseSelection(nil, []string{"bad:x"}); err == nil {
		t.Error("bad exclude accepted")
	}
}

func TestParseSelectorSpec(t *testing.T) {
	cases := []struct {
		raw  string
		want SelectorSpec
	}{
		{"orders", SelectorSpec{Method: "fqn", Value: "orders"}},
		{"+orders", SelectorSpec{Method: "fqn", Value: "orders", Parents: true}},
		{"3+orders+4", SelectorSpec{Method: "fqn", Value: "orders", Parents: true, ParentsDepth: 3, Children: true, ChildrenDepth: 4}},
		{"0+orders+0", SelectorSpec{Method: "fqn", Value: "orders", Parents: true, ParentsDepth: 0, Children: true, ChildrenDepth: 0}},
		{"99999999999999999999+orders", SelectorSpec{Method: "fqn", Value: "orders", Parents: true, ParentsDepth: math.MaxInt32}},
		{"@source:raw", SelectorSpec{Method: "source", Value: "raw", ChildrensParents: true}},
		{"config.meta.owner:x", SelectorSpec{Method: "config", MethodArgs: []string{"meta", "owner"}, Value: "x"}},
		{"state:modified.body+", SelectorSpec{Method: "state", Value: "modified.body", Children: true}},
		{"models/staging", SelectorSpec{Method: "path", Value: "models/staging"}},
		{"Orders.SQL", SelectorSpec{Method: "file", Value: "Orders.SQL"}},
		{"load.csv+", SelectorSpec{Method: "file", Value: "load.csv", Children: true}},
		{"a+b+", SelectorSpec{Method: "fqn", Value: "a+b", Children: true}},
		{"12abc", SelectorSpec{Method: "fqn", Value: "12abc"}},
		{"path:C:/x", SelectorSpec{Method: "path", Value: "C:/x"}},
		{"tag.x:y", SelectorSpec{Method: "tag", MethodArgs: []string{"x"}, Value: "y"}},
	}
	// dbt takes a backslash for a path separator only on Windows.
	if os.PathSeparator == '\\' {
		cases = append(cases, struct {
			raw  string
			want SelectorSpec
		}{`models\staging`, SelectorSpec{Method: "path", Value: `models\staging`}})
	} else {
		cases = append(cases, struct {
			raw  string
			want SelectorSpec
		}{`models\staging`, SelectorSpec{Method: "fqn", Value: `models\staging`}})
	}
	for _, c := range cases {
		if !c.want.Parents {
			c.want.ParentsDepth = AllGenerations
		} else if c.want.ParentsDepth == 0 && !strings.HasPrefix(c.raw, "0") {
			c.want.ParentsDepth = AllGenerations
		}
		if !c.want.Children {
			c.want.ChildrenDepth = AllGenerations
		} else if c.want.ChildrenDepth == 0 && !strings.HasSuffix(c.raw, "0") {
			c.want.ChildrenDepth = AllGenerations
		}
		got, err := ParseSelectorSpec(c.raw)
		if err != nil {
			t.Errorf("%q: %v", c.raw, err)
			continue
		}
		c.want.Raw = c.raw
		if got.Raw != c.want.Raw || got.Method != c.want.Method || got.Value != c.want.Value || !slices.Equal(got.MethodArgs, c.want.MethodArgs) ||
			got.Parents != c.want.Parents || got.ParentsDepth != c.want.ParentsDepth || got.Children != c.want.Children ||
			got.ChildrenDepth != c.want.ChildrenDepth || got.ChildrensParents != c.want.ChildrensParents {
			t.Errorf("%q:\n got %+v\nwant %+v", c.raw, got, c.want)
		}
	}
}

func TestFnmatch(t *testing.T) {
	cases := []struct {
		name, pat string
		want      bool
	}{
		{"stg_orders", "stg_*", true},
		{"stg_orders", "*orders", true},
		{"a/b", "*", true},
		{"abc", "a?c", true},
		{"abc", "a[bx]c", true},
		{"abc", "a[!b]c", false},
		{"a-c", "a[a-z-]c", true},
		{"a[c", "a[c", true},
		{"abc", "ABC", false},
		{"", "*", true},
		{"ab", "a*b*c", false},
	}
	for _, c := range cases {
		if got := fnmatch(c.name, c.pat); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v", c.name, c.pat, got)
		}
	}
}

func TestUpstreamDownstream(t *testing.T) {
	g := loadShop(t)
	ids := func(l []int) []string {
		out := []string{}
		for _, i := range l {
			out = append(out, g.Nodes[i].UniqueID)
		}
		return out
	}
	i, _ := g.Index(dbttest.Orders)
	if got, want := ids(Upstream(g, i, 1)), sorted(dbttest.StgOrders, dbttest.StgPayments); !slices.Equal(got, want) {
		t.Errorf("upstream 1 = %v", got)
	}
	if got, want := ids(Upstream(g, i, -1)), sorted(dbttest.StgOrders, dbttest.StgPayments, dbttest.SrcOrders, dbttest.SrcPayments); !slices.Equal(got, want) {
		t.Errorf("upstream all = %v", got)
	}
	j, _ := g.Index(dbttest.Customers)
	if got, want := ids(Downstream(g, j, -1)), sorted(dbttest.DimV1, dbttest.DimV2, dbttest.DimV3, dbttest.Exposure, dbttest.REL, dbttest.UQ); !slices.Equal(got, want) {
		t.Errorf("downstream = %v", got)
	}
	if Downstream(g, j, 0) != nil || Upstream(g, -1, 1) != nil {
		t.Error("depth 0 or a bad index should give nothing")
	}
}

// TestSelectFixtures checks selectors on real manifests; expectations come from reading the
// fixture's depends_on by hand.
func TestSelectFixtures(t *testing.T) {
	g, err := dbt.LoadManifest(fixtures.Path(t, "manifests/jaffle-shop-dbt1.11/manifest.json"), dbt.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const (
		stgLoc   = "model.jaffle_shop.stg_locations"
		loc      = "model.jaffle_shop.locations"
		nnLoc    = "test.jaffle_shop.not_null_stg_locations_location_id.3d237927d2"
		uqLoc    = "test.jaffle_shop.unique_stg_locations_location_id.2e2fc58ecc"
		utLoc    = "unit_test.jaffle_shop.stg_locations.test_does_location_opened_at_trunc_to_date"
		smLoc    = "semantic_model.jaffle_shop.locations"
		rawStore = "source.jaffle_shop.ecom.raw_stores"
	)
	runSelCases(t, g, []selCase{
		{name: "model with tests", sel: []string{"stg_locations"}, want: []string{stgLoc, nnLoc, uqLoc, utLoc}},
		{name: "descendants", sel: []string{"stg_locations+"}, want: []string{loc, stgLoc, smLoc, nnLoc, uqLoc, utLoc}},
		{name: "what feeds a semantic model", sel: []string{"+semantic_model:locations"}, want: []string{loc, stgLoc, smLoc, rawStore, nnLoc, uqLoc, utLoc}},
		{name: "relationships tests", sel: []string{"test_name:relationships"}, want: []string{
			"test.jaffle_shop.relationships_order_items_order_id__order_id__ref_orders_.a799023ee8",
			"test.jaffle_shop.relationships_orders_customer_id__customer_id__ref_stg_customers_.918495ce16",
			"test.jaffle_shop.relationships_stg_order_items_order_id__order_id__ref_stg_orders_.dbe9930c54"}},
		{name: "saved queries", sel: []string{"resource_type:saved_query"}, want: []string{"saved_query.jaffle_shop.customer_order_metrics", "saved_query.jaffle_shop.order_metrics", "saved_query.jaffle_shop.revenue_metrics"}},
		{name: "sources by path", sel: []string{"path:models/staging"}, opts: SelectOptions{ResourceTypes: []string{"source"}}, wantN: 6},
		{name: "unit tests", sel: []string{"unit_test:*"}, want: []string{utLoc, "unit_test.jaffle_shop.order_items.test_supply_costs_sum_correctly", "unit_test.jaffle_shop.orders.test_order_items_compute_to_bools_correctly"}},
		{name: "metric lineage", sel: []string{"+metric:revenue_growth_mom"}, wantN: 27, contains: []string{"metric.jaffle_shop.revenue", "semantic_model.jaffle_shop.order_item", "source.jaffle_shop.ecom.raw_supplies", "unit_test.jaffle_shop.order_items.test_supply_costs_sum_correctly"}},
		{name: "seeds by folder", sel: []string{"path:seeds/jaffle-data"}, wantN: 7},
		{name: "everything listable", wantN: 84},
	})
}

// An evaluation whose context is done stops with its error (the selector prompt cancels the
// evaluation of an older keystroke), and an index made for another graph is refused.
func TestSelectNodesContext(t *testing.T) {
	g := dbt.NewGraph([]dbt.Node{
		{UniqueID: "model.p.a", Name: "a", ResourceType: "model", FQN: []string{"p", "a"}, Config: dbt.NodeConfig{Enabled: true}},
		{UniqueID: "model.p.b", Name: "b", ResourceType: "model", FQN: []string{"p", "b"}, DependsOn: []string{"model.p.a"}, Config: dbt.NodeConfig{Enabled: true}},
	}, dbt.Origin{})
	sel, err := ParseSelection([]string{"a+"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	res, err := SelectNodesContext(ctx, g, sel, SelectOptions{Index: PrepareSelect(g)})
	if err != nil || len(res.Indexes) != 2 {
		t.Fatalf("a+ = %v, %v", res, err)
	}
	cancel()
	if _, err := SelectNodesContext(ctx, g, sel, SelectOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled evaluation: %v", err)
	}
	other := dbt.NewGraph(slices.Clone(g.Nodes), dbt.Origin{})
	if _, err := SelectNodes(g, sel, SelectOptions{Index: PrepareSelect(other)}); err == nil {
		t.Error("an index of another graph was used")
	}
}
