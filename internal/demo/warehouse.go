package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/duckdb"
)

// WarehouseOptions steer BuildWarehouse.
type WarehouseOptions struct {
	// ClonedAt is recorded as the sandbox's clone time (default now); tests fix it.
	ClonedAt time.Time
	// MetaDir is where clone times are recorded (the workspace's state folder).
	MetaDir string
}

// Database file names under the project's warehouse/ folder, matching the demo's
// profiles.yml (dev → sandbox.duckdb, prod → prod.duckdb) and datatui.yml (prod_database:
// prod, clone_database: clone).
const (
	ProdDatabase    = "prod"
	CloneDatabase   = "clone"
	SandboxDatabase = "sandbox"
)

// marts are simple stand-ins for a few of the demo project's marts, so prod has built
// models and a fresh sandbox has content. The statements are fixed text (no user input).
var marts = []struct{ schema, name, kind, sql string }{
	{"staging", "stg_users", "view", "SELECT id AS user_id, email, first_name, last_name, country_code, created_at FROM raw.users WHERE NOT is_deleted"},
	{"staging", "stg_merchants", "view", "SELECT merchant_id, name AS merchant_name, category, country_code, commission_rate, is_active FROM raw.merchants"},
	{"staging", "stg_offers", "view", "SELECT offer_id, merchant_id, title, cashback_type, cashback_value, min_spend_cents, starts_at, ends_at, status FROM raw.offers"},
	{"staging", "stg_transactions", "view", "SELECT transaction_id, user_id, merchant_id, offer_id, amount_cents, currency, transacted_at, status FROM raw.transactions"},
	{"marts", "dim_users", "table", "SELECT u.user_id, u.email, u.country_code, c.country_name, c.region, u.created_at FROM staging.stg_users u LEFT JOIN reference.country_codes c USING (country_code)"},
	{"marts", "dim_merchants", "table", "SELECT * FROM staging.stg_merchants"},
	{"marts", "dim_offers", "table", "SELECT * FROM staging.stg_offers"},
	{"marts", "fct_transactions", "table", "SELECT * FROM staging.stg_transactions"},
}

// martStatements builds the marts when the seeds have the demo's shape (raw and reference).
func martStatements(schemas map[string]bool) []string {
	if !schemas["raw"] || !schemas["reference"] {
		return nil // seeds of another shape: raw tables only
	}
	var out []string
	for _, m := range marts {
		out = append(out, "CREATE SCHEMA IF NOT EXISTS "+warehouse.QuoteIdent(m.schema),
			"CREATE OR REPLACE "+strings.ToUpper(m.kind)+" "+warehouse.QuoteIdent(m.schema)+"."+warehouse.QuoteIdent(m.name)+" AS "+m.sql)
	}
	return out
}

// leftover is a schema left from an old branch, as contributors accumulate, so the sandbox
// screen's clean-up offer has something to show.
var leftover = []string{
	`CREATE SCHEMA IF NOT EXISTS "offers_v1"`,
	`CREATE OR REPLACE TABLE "offers_v1"."offer_redemptions_old" AS SELECT * FROM (VALUES (5001, 3), (5002, 1), (5004, 7)) AS t(offer_id, redemptions)`,
}

// building serialises BuildWarehouse within the process.
var building sync.Mutex

// BuildWarehouse builds the demo's local warehouse from the project's seeds with the DuckDB
// engine's own code: prod.duckdb (the seeds, staging views and a few marts), clone.duckdb (a
// copy of prod) and the sandbox cloned from the clone, so the sandbox screen and refresh
// work offline. It only creates files that do not exist yet, inside the demo project it is
// given. Screen tests list an in-memory copy of what it builds (warehousetest.Demo), which a
// test compares with a fresh build: after changing what is built here, record the copy again
// (CONTRIBUTING.md says how).
func BuildWarehouse(ctx context.Context, projectDir string, opts WarehouseOptions) error {
	// Several screens (sandbox, onboarding) may ask for the demo warehouse at start-up; two
	// builders writing the same new files at once would collide, so builds take turns.
	building.Lock()
	defer building.Unlock()
	dir := filepath.Join(projectDir, "warehouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prod := filepath.Join(dir, ProdDatabase+duckdb.Ext)
	clone := filepath.Join(dir, CloneDatabase+duckdb.Ext)
	sandbox := filepath.Join(dir, SandboxDatabase+duckdb.Ext)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if !exists(prod) {
		if err := duckdb.CreateFromSeeds(ctx, filepath.Join(projectDir, "seeds"), prod, martStatements); err != nil {
			return fmt.Errorf("building the demo's prod database: %w", err)
		}
	}
	if !exists(clone) {
		if err := duckdb.CloneFile(ctx, prod, clone, opts.MetaDir, ProdDatabase, time.Now()); err != nil {
			return fmt.Errorf("building the demo's clone database: %w", err)
		}
	}
	if !exists(sandbox) {
		at := opts.ClonedAt
		if at.IsZero() {
			at = time.Now()
		}
		if err := duckdb.CloneFile(ctx, clone, sandbox, opts.MetaDir, CloneDatabase, at); err != nil {
			return fmt.Errorf("building the demo sandbox: %w", err)
		}
		if err := duckdb.ExecFile(ctx, sandbox, leftover); err != nil {
			return fmt.Errorf("building the demo sandbox: %w", err)
		}
	}
	return nil
}
