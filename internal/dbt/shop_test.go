package dbt

import (
	"path/filepath"
	"testing"
)

// Short names for the shop test manifest's unique ids (testdata/manifests/shop). Its lineage:
//
//	seed raw_customers → stg_customers → customers → dim_customers v1, v2, v3
//	source raw.orders → stg_orders → orders → customers, orders_snapshot ← stg_orders
//	source raw.payments → stg_payments → orders
//	orders → exposure weekly_kpis ← customers; orders → semantic model orders_sm → metric
//	revenue → saved query weekly_revenue; orders → analysis revenue_report
//	tests: NN(orders) UQ(customers) REL(customers, orders) AV(stg_orders) EXP(stg_payments)
//	APP singular(stg_payments, orders) SNN(source raw.orders) UT unit test(orders)
//	disabled: legacy_orders (tag nightly)
const (
	idRawCustomers = "seed.shop.raw_customers"
	idSrcOrders    = "source.shop.raw.orders"
	idSrcPayments  = "source.shop.raw.payments"
	idStgCustomers = "model.shop.stg_customers"
	idStgOrders    = "model.shop.stg_orders"
	idStgPayments  = "model.shop.stg_payments"
	idOrders       = "model.shop.orders"
	idCustomers    = "model.shop.customers"
	idDimV1        = "model.shop.dim_customers.v1"
	idDimV2        = "model.shop.dim_customers.v2"
	idDimV3        = "model.shop.dim_customers.v3"
	idDateSpine    = "model.utils.date_spine"
	idSnapshot     = "snapshot.shop.orders_snapshot"
	idAnalysis     = "analysis.shop.revenue_report"
	idExposure     = "exposure.shop.weekly_kpis"
	idSemantic     = "semantic_model.shop.orders_sm"
	idMetric       = "metric.shop.revenue"
	idSaved        = "saved_query.shop.weekly_revenue"
	idNN           = "test.shop.not_null_orders_order_id.aaaa111111"
	idUQ           = "test.shop.unique_customers_customer_id.bbbb222222"
	idREL          = "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.cccc333333"
	idAV           = "test.shop.accepted_values_stg_orders_status__placed__shipped.dddd444444"
	idEXP          = "test.shop.dbt_utils_expression_is_true_stg_payments_amount_0.ffff666666"
	idAPP          = "test.shop.assert_positive_payments"
	idSNN          = "test.shop.source_not_null_raw_orders_id.eeee555555"
	idUT           = "unit_test.shop.orders.test_orders_totals"
)

func loadShop(t testing.TB) *Graph {
	t.Helper()
	g, err := LoadManifest(filepath.Join("testdata", "manifests", "shop", "manifest.json"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func loadShopProd(t testing.TB) (*Graph, *RunResults) {
	t.Helper()
	g, err := LoadManifest(filepath.Join("testdata", "manifests", "shop-prod", "manifest.json"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := LoadRunResults(filepath.Join("testdata", "manifests", "shop-prod", "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return g, rr
}
