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
	"time"

	"github.com/datatui/datatui/internal/warehouse"
)

// Building databases from files, for a workspace that brings its own (the demo's local
// warehouse) and for tests. These create new files only: they never replace a database,
// which is why they do not go through the write guard.

// CreateFromSeeds builds a new database file dst from the seed CSV files under seedsDir, as
// dbt seed would load them: seeds/<schema>/<table>.csv into schema.table (read_csv_auto),
// files directly under seedsDir into the raw schema. then, given the schemas loaded, returns
// fixed statements (no user input) to run after the seeds. The file appears whole or not
// at all.
func CreateFromSeeds(ctx context.Context, seedsDir, dst string, then func(schemas map[string]bool) []string) (err error) {
	seeds, err := seedFiles(seedsDir)
	if err != nil {
		return err
	}
	if len(seeds) == 0 {
		return fmt.Errorf("no seed CSV files under %s", seedsDir)
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
	if then != nil {
		for _, q := range then(schemas) {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				return classify("building "+dst, err)
			}
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

// CloneFile makes dst a copy of src and records it as cloned from origin at at (in metaDir,
// as a refresh does), so the sandbox screen tells its age.
func CloneFile(ctx context.Context, src, dst, metaDir, origin string, at time.Time) error {
	if err := copyDatabase(ctx, src, dst); err != nil {
		return err
	}
	return writeCloneInfo(metaDir, dst, cloneInfo{ClonedAt: at.UTC(), Origin: origin})
}

// ExecFile runs fixed statements (no user input) in the database file path.
func ExecFile(ctx context.Context, path string, stmts []string) error {
	conn, err := open(path, false)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range append(stmts, "CHECKPOINT") {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return classify("writing "+path, err)
		}
	}
	return nil
}

type seedFile struct{ schema, table, path string }

// seedFiles lists root/<folder>/<name>.csv as (schema=<folder>, table=<name>); CSV files
// directly under root go to the raw schema.
func seedFiles(root string) ([]seedFile, error) {
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
		return nil, fmt.Errorf("no seeds folder (%s)", root)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out, err
}
