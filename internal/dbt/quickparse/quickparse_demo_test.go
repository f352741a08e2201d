package quickparse

import (
	"reflect"
	"sort"
	"testing"
)

// TestQuickParseDemo checks the lineage of the embedded demo project (internal/demo/project),
// which datatui shows from a quick parse. The expected dependencies were written by hand from
// the project's SQL and YAML files.
func TestQuickParseDemo(t *testing.T) {
	g, err := QuickParse("../../demo/project")
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Origin.Warnings) != 0 {
		t.Errorf("the demo should parse cleanly: %q", g.Origin.Warnings)
	}
	const p = "cashback."
	want := map[string][]string{
		"analysis." + p + "redemption_by_category":           {"model." + p + "fct_offer_redemptions"},
		"exposure." + p + "cashback_liability_report":        {"model." + p + "fct_cashback_earned", "model." + p + "fct_cashback_payouts"},
		"exposure." + p + "weekly_kpi_dashboard":             {"model." + p + "dim_merchants", "model." + p + "fct_offer_redemptions", "model." + p + "kpi_weekly"},
		"model." + p + "dim_merchants":                       {"model." + p + "int_transactions_enriched", "model." + p + "stg_merchants", "model." + p + "stg_offers"},
		"model." + p + "dim_offers":                          {"model." + p + "stg_merchants", "model." + p + "stg_offers"},
		"model." + p + "dim_users":                           {"model." + p + "int_user_cashback_balance", "model." + p + "int_user_first_transaction", "model." + p + "stg_users", "seed." + p + "country_codes"},
		"model." + p + "fct_cashback_earned":                 {"model." + p + "int_transactions_enriched"},
		"model." + p + "fct_cashback_payouts":                {"model." + p + "stg_cashback_payouts"},
		"model." + p + "fct_offer_redemptions":               {"model." + p + "dim_offers", "model." + p + "int_offer_activations", "model." + p + "int_transactions_enriched"},
		"model." + p + "fct_transactions":                    {"model." + p + "int_transactions_enriched"},
		"model." + p + "int_offer_activations":               {"model." + p + "stg_app_events", "model." + p + "stg_transactions"},
		"model." + p + "int_transactions_enriched":           {"model." + p + "stg_merchants", "model." + p + "stg_offers", "model." + p + "stg_transactions"},
		"model." + p + "int_user_cashback_balance":           {"model." + p + "int_transactions_enriched", "model." + p + "stg_cashback_payouts", "model." + p + "stg_users"},
		"model." + p + "int_user_first_transaction":          {"model." + p + "stg_transactions"},
		"model." + p + "kpi_weekly":                          {"model." + p + "dim_users", "model." + p + "fct_cashback_payouts", "model." + p + "fct_offer_redemptions", "model." + p + "fct_transactions", "model." + p + "stg_app_events"},
		"model." + p + "stg_app_events":                      {"source." + p + "app.app_events"},
		"model." + p + "stg_cashback_payouts":                {"source." + p + "payments.cashback_payouts"},
		"model." + p + "stg_merchants":                       {"source." + p + "app.merchants"},
		"model." + p + "stg_offers":                          {"source." + p + "app.offers"},
		"model." + p + "stg_transactions":                    {"source." + p + "app.transactions"},
		"model." + p + "stg_users":                           {"source." + p + "app.users"},
		"snapshot." + p + "offers_snapshot":                  {"model." + p + "stg_offers"},
		"test." + p + "assert_cashback_never_exceeds_amount": {"model." + p + "fct_transactions"},
		// Generic tests: a relationships test depends on both models, like in dbt.
		"test." + p + "relationships_fct_transactions_user_id__user_id__ref_dim_users_":                             {"model." + p + "dim_users", "model." + p + "fct_transactions"},
		"test." + p + "accepted_values_fct_transactions_transaction_status__pending__confirmed__declined__refunded": {"model." + p + "fct_transactions"},
	}
	for _, s := range []string{"app_events", "cashback_payouts", "country_codes", "merchants", "offers", "transactions", "users"} {
		want["seed."+p+s] = nil
	}
	for _, s := range []string{"app.app_events", "app.merchants", "app.offers", "app.transactions", "app.users", "payments.cashback_payouts"} {
		want["source."+p+s] = nil
	}
	for id, w := range want {
		i, ok := g.Index(id)
		if !ok {
			t.Errorf("missing %s", id)
			continue
		}
		var got []string
		for _, par := range g.Parents(i) {
			got = append(got, g.Nodes[par].UniqueID)
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, w) {
			t.Errorf("%s depends on %v, want %v", id, got, w)
		}
	}
	// Every node other than generic tests is listed above.
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if _, ok := want[n.UniqueID]; !ok && n.TestMetadata == nil {
			t.Errorf("unexpected node %s", n.UniqueID)
		}
	}
	if n := g.Node("model.cashback.fct_cashback_earned"); n.Config.Materialized != "table" || n.Owner != "finance-analytics" || !containsStr(n.Tags, "finance") {
		t.Errorf("folder configs: %+v", n)
	}
	if n := g.Node("model.cashback.int_transactions_enriched"); n.Config.Materialized != "ephemeral" || n.Config.Schema != "intermediate" {
		t.Errorf("intermediate config: %+v", n.Config)
	}
	if n := g.Node("test.cashback.assert_cashback_never_exceeds_amount"); n.Description == "" || !containsStr(n.Tags, "finance") {
		t.Errorf("singular test properties: %+v", n)
	}
}
