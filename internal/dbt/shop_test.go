package dbt

import (
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbttest"
)

// loadShop loads the shop test manifest (dbttest's ids name its nodes).
func loadShop(t testing.TB) *Graph {
	t.Helper()
	g, err := LoadManifest(dbttest.ShopManifest(t), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func loadShopProd(t testing.TB) (*Graph, *RunResults) {
	t.Helper()
	g, err := LoadManifest(dbttest.ShopProd(t, "manifest.json"), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rr, err := LoadRunResults(dbttest.ShopProd(t, "run_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	return g, rr
}
