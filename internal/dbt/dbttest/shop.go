package dbttest

import "testing"

// The shop test manifest's unique ids (testdata/manifests/shop). Its lineage:
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
	RawCustomers = "seed.shop.raw_customers"
	SrcOrders    = "source.shop.raw.orders"
	SrcPayments  = "source.shop.raw.payments"
	StgCustomers = "model.shop.stg_customers"
	StgOrders    = "model.shop.stg_orders"
	StgPayments  = "model.shop.stg_payments"
	Orders       = "model.shop.orders"
	Customers    = "model.shop.customers"
	DimV1        = "model.shop.dim_customers.v1"
	DimV2        = "model.shop.dim_customers.v2"
	DimV3        = "model.shop.dim_customers.v3"
	DateSpine    = "model.utils.date_spine"
	Snapshot     = "snapshot.shop.orders_snapshot"
	Analysis     = "analysis.shop.revenue_report"
	Exposure     = "exposure.shop.weekly_kpis"
	Semantic     = "semantic_model.shop.orders_sm"
	Metric       = "metric.shop.revenue"
	Saved        = "saved_query.shop.weekly_revenue"
	NN           = "test.shop.not_null_orders_order_id.aaaa111111"
	UQ           = "test.shop.unique_customers_customer_id.bbbb222222"
	REL          = "test.shop.relationships_orders_customer_id__customer_id__ref_customers_.cccc333333"
	AV           = "test.shop.accepted_values_stg_orders_status__placed__shipped.dddd444444"
	EXP          = "test.shop.dbt_utils_expression_is_true_stg_payments_amount_0.ffff666666"
	APP          = "test.shop.assert_positive_payments"
	SNN          = "test.shop.source_not_null_raw_orders_id.eeee555555"
	UT           = "unit_test.shop.orders.test_orders_totals"
)

// ShopManifest is the path of the shop manifest.
func ShopManifest(t testing.TB) string {
	t.Helper()
	return Testdata(t, "manifests/shop/manifest.json")
}

// ShopProd is the path of a file of shop-prod, the shop project as production last built it
// (manifest.json, run_results.json).
func ShopProd(t testing.TB, file string) string {
	t.Helper()
	return Testdata(t, "manifests/shop-prod/"+file)
}
