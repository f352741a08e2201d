package duckdb

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/warehouse"
)

// DemoOptions steer BuildDemo.
type DemoOptions struct {
	// ClonedAt is recorded as the sandbox's clone time (default now); tests fix it.
	ClonedAt time.Time
	// MetaDir is where clone times are recorded (see Options.MetaDir).
	MetaDir string
}

// Demo file names under the project's warehouse/ folder, matching the demo's profiles.yml
// (dev → sandbox.duckdb, prod → prod.duckdb) and datatui.yml (prod_database: prod,
// clone_database: clone).
const (
	DemoProd    = "prod"
	DemoClone   = "clone"
	DemoSandbox = "sandbox"
)

// demoMarts are simple stand-ins for a few of the demo project's marts, so prod has built
// models and a fresh sandbox has content. The statements are fixed text (no user input).
var demoMarts = []struct{ schema, name, kind, sql string }{
	{"staging", "stg_users", "view", "SELECT id AS user_id, email, first_name, last_name, country_code, created_at FROM raw.users WHERE NOT is_deleted"},
	{"staging", "stg_merchants", "view", "SELECT merchant_id, name AS merchant_name, category, country_code, commission_rate, is_active FROM raw.merchants"},
	{"staging", "stg_offers", "view", "SELECT offer_id, merchant_id, title, cashback_type, cashback_value, min_spend_cents, starts_at, ends_at, status FROM raw.offers"},
	{"staging", "stg_transactions", "view", "SELECT transaction_id, user_id, merchant_id, offer_id, amount_cents, currency, transacted_at, status FROM raw.transactions"},
	{"marts", "dim_users", "table", "SELECT u.user_id, u.email, u.country_code, c.country_name, c.region, u.created_at FROM staging.stg_users u LEFT JOIN reference.country_codes c USING (country_code)"},
	{"marts", "dim_merchants", "table", "SELECT * FROM staging.stg_merchants"},
	{"marts", "dim_offers", "table", "SELECT * FROM staging.stg_offers"},
	{"marts", "fct_transactions", "table", "SELECT * FROM staging.stg_transactions"},
}

// demoBuild serialises BuildDemo within the process.
var demoBuild sync.Mutex

// BuildDemo builds the demo workspace's local warehouse from its seeds: prod.duckdb (seeds
// loaded with read_csv_auto into raw and reference, plus staging views and a few marts),
// clone.duckdb (a copy of prod) and the sandbox cloned from the clone, so the sandbox screen
// and refresh work offline. It only creates files that do not exist yet, inside the demo
// project it is given: it never replaces a database, which is why it does not go through
// the write guard (callers use it for the demo workspace only).
func BuildDemo(ctx context.Context, projectDir string, opts DemoOptions) error {
	// Several screens (sandbox, onboarding) may ask for the demo warehouse at start-up; two
	// builders writing the same new files at once would collide, so builds take turns.
	demoBuild.Lock()
	defer demoBuild.Unlock()
	dir := filepath.Join(projectDir, "warehouse")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	prod := filepath.Join(dir, DemoProd+Ext)
	clone := filepath.Join(dir, DemoClone+Ext)
	sandbox := filepath.Join(dir, DemoSandbox+Ext)
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	if !exists(prod) {
		if err := buildDemoProd(ctx, projectDir, prod); err != nil {
			return fmt.Errorf("building the demo's prod database: %w", err)
		}
	}
	if !exists(clone) {
		if err := copyDatabase(ctx, prod, clone); err != nil {
			return fmt.Errorf("building the demo's clone database: %w", err)
		}
		if err := writeCloneInfo(opts.MetaDir, clone, cloneInfo{ClonedAt: time.Now().UTC(), Origin: DemoProd}); err != nil {
			return err
		}
	}
	if !exists(sandbox) {
		if err := copyDatabase(ctx, clone, sandbox); err != nil {
			return fmt.Errorf("building the demo sandbox: %w", err)
		}
		at := opts.ClonedAt
		if at.IsZero() {
			at = time.Now()
		}
		if err := writeCloneInfo(opts.MetaDir, sandbox, cloneInfo{ClonedAt: at.UTC(), Origin: DemoClone}); err != nil {
			return err
		}
		// A left-over schema, as contributors accumulate from old branches, so the clean-up
		// offer has something to show.
		if err := demoLeftover(ctx, sandbox); err != nil {
			return err
		}
	}
	return nil
}

func buildDemoProd(ctx context.Context, projectDir, dst string) (err error) {
	seeds, err := demoSeeds(projectDir)
	if err != nil {
		return err
	}
	if len(seeds) == 0 {
		return fmt.Errorf("no seed CSV files under %s", filepath.Join(projectDir, "seeds"))
	}
	tmp := dst + ".building"
	os.Remove(tmp)
	defer func() {
		os.Remove(tmp + ".wal")
		if err != nil {
			os.Remove(tmp)
		}
	}()
	conn, err := open(tmp, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	schemas := map[string]bool{}
	for _, s := range seeds {
		if !schemas[s.schema] {
			if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+warehouse.QuoteIdent(s.schema)); err != nil {
				return classify("creating schema "+s.schema, err)
			}
			schemas[s.schema] = true
		}
		q := "CREATE OR REPLACE TABLE " + warehouse.QuoteIdent(s.schema) + "." + warehouse.QuoteIdent(s.table) +
			" AS SELECT * FROM read_csv_auto(" + warehouse.QuoteString(s.path) + ", header = true)"
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return classify("loading "+s.path, err)
		}
	}
	for _, m := range demoMarts {
		if !schemas["raw"] || !schemas["reference"] {
			break // seeds of another shape: raw tables only
		}
		if _, err := conn.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+warehouse.QuoteIdent(m.schema)); err != nil {
			return classify("creating schema "+m.schema, err)
		}
		q := "CREATE OR REPLACE " + strings.ToUpper(m.kind) + " " + warehouse.QuoteIdent(m.schema) + "." + warehouse.QuoteIdent(m.name) + " AS " + m.sql
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return classify("building "+m.name, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "CHECKPOINT"); err != nil {
		return classify("writing "+dst, err)
	}
	if err := conn.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

func demoLeftover(ctx context.Context, sandbox string) error {
	conn, err := open(sandbox, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE SCHEMA IF NOT EXISTS "offers_v1"`,
		`CREATE OR REPLACE TABLE "offers_v1"."offer_redemptions_old" AS SELECT * FROM (VALUES (5001, 3), (5002, 1), (5004, 7)) AS t(offer_id, redemptions)`,
		"CHECKPOINT",
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return classify("building the demo sandbox", err)
		}
	}
	return nil
}

type seedFile struct{ schema, table, path string }

// demoSeeds lists seeds/<folder>/<name>.csv as (schema=<folder>, table=<name>); CSV files
// directly under seeds/ go to the raw schema.
func demoSeeds(projectDir string) ([]seedFile, error) {
	root := filepath.Join(projectDir, "seeds")
	var out []seedFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), ".csv") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		schema := "raw"
		if parts := strings.Split(filepath.ToSlash(rel), "/"); len(parts) > 1 {
			schema = parts[0]
		}
		out = append(out, seedFile{schema: schema, table: strings.TrimSuffix(d.Name(), ".csv"), path: p})
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the demo project has no seeds folder (%s)", root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}
