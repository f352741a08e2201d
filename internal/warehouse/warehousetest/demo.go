package warehousetest

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/datatui/datatui/internal/warehouse"
)

// demoJSON is what demo.BuildWarehouse builds, recorded from its DuckDB files by
// TestDemoMatchesDuckDB (run it with -update after changing the demo's seeds or marts);
// that test fails as soon as the recording and a freshly built demo warehouse differ.
//
//go:embed demo.json
var demoJSON []byte

// demoRecording is demo.json: the three databases of the demo warehouse as
// demo.BuildWarehouse makes them. Prod holds the seeds and marts; the clone is a copy of prod,
// and the sandbox a copy of the clone plus its own Schemas (the schema left over from an old
// branch). Creation times and paths are not recorded: they depend on the build.
type demoRecording struct {
	Prod    Database `json:"prod"`
	Clone   Database `json:"clone"`
	Sandbox Database `json:"sandbox"`
}

// demoRecorded is demo.json, read once: every seed copies it.
var demoRecorded = sync.OnceValue(func() demoRecording {
	var r demoRecording
	if err := json.Unmarshal(demoJSON, &r); err != nil {
		panic(fmt.Sprintf("warehousetest: demo.json: %v", err)) // embedded, and read by every test of this package
	}
	return r
})

// DemoOptions say what of the demo warehouse depends on the workspace and the build.
type DemoOptions struct {
	// Policy is the write guard, as connect.Open builds it for the demo workspace
	// (engine.Registry.ForTarget on its dev target).
	Policy warehouse.Policy
	// Target is the profiles.yml target writes go through (the demo's is dev).
	Target string
	// User is who the session runs as; on DuckDB that is the operating-system account, and
	// every database file is that account's.
	User string
	// Dir is the demo project's warehouse folder, where the databases' files would be
	// (Database.Path); "" leaves the paths empty.
	Dir string
	// ClonedAt is when the sandbox was cloned (demo.WarehouseOptions.ClonedAt).
	ClonedAt time.Time
	// BuiltAt is when prod and the clone were built; zero is now.
	BuiltAt time.Time
	// Now stamps a refreshed sandbox; nil is time.Now.
	Now func() time.Time
}

// Demo is the seed of the demo workspace's warehouse as connect.Open opens it: the DuckDB
// files sandbox, clone and prod, listed in that order, with their schemas, tables, views,
// columns and rows, and the session of opts.User, which has no grants (DuckDB has no roles).
func Demo(opts DemoOptions) Seed {
	rec := demoRecorded()
	r := demoRecording{Prod: copyDatabase(rec.Prod), Clone: copyDatabase(rec.Clone), Sandbox: copyDatabase(rec.Sandbox)}
	built := opts.BuiltAt
	if built.IsZero() {
		built = time.Now()
	}
	file := func(name string) string {
		if opts.Dir == "" {
			return ""
		}
		return filepath.Join(opts.Dir, name+warehouse.DuckDBExt)
	}
	prod, clone, sandbox := r.Prod, r.Clone, r.Sandbox
	prod.Created, clone.Created, sandbox.Created = built, built.UTC(), opts.ClonedAt.UTC()
	clone.Schemas = copyDatabase(prod).Schemas
	sandbox.Schemas = append(copyDatabase(clone).Schemas, sandbox.Schemas...)
	dbs := []Database{sandbox, clone, prod}
	for i := range dbs {
		dbs[i].Path, dbs[i].MarkedOwner = file(dbs[i].Name), opts.User
	}
	return Seed{
		Engine:    "duckdb",
		Policy:    opts.Policy,
		Identity:  warehouse.Identity{Engine: "duckdb", User: opts.User, Database: sandbox.Name},
		Target:    opts.Target,
		Databases: dbs,
		Now:       opts.Now,
	}
}
