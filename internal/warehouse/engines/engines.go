// Package engines is the one list of the warehouse engines datatui is built with. Adding
// an engine is its package (a type that implements warehouse.Warehouse and an Engine()
// descriptor) and a line here; connect, the dbt runner's guard, onboarding and doctor read
// the registry.
package engines

import (
	"github.com/datatui/datatui/internal/warehouse/duckdb"
	"github.com/datatui/datatui/internal/warehouse/engine"
	"github.com/datatui/datatui/internal/warehouse/snowflake"
)

// Default is the registry of every engine, built on each call (no package state). The first
// is the team's usual warehouse, assumed when nothing names a type.
func Default() *engine.Registry {
	return engine.NewRegistry(
		snowflake.Engine(),
		duckdb.Engine(),
	)
}
