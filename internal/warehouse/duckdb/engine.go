package duckdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
)

// Engine describes DuckDB for the engine registry: dbt-duckdb's profile keys, the
// onboarding form, the write guard (the sandbox is the dev target's own file; the files of
// prod, the clone and every other target are guarded) and the factory.
func Engine() *engine.Engine {
	return &engine.Engine{
		Type: "duckdb", Name: "DuckDB", Adapter: "dbt-duckdb", LocalFile: true, EstimatedRows: true,
		Guide: "set-up-your-environment", Anchor: "connect-dbt-to-duckdb",
		Settings: []engine.Setting{
			{Key: "path", Help: "the database file, relative to the folder dbt runs in (:memory: when left out)"},
			{Key: "database", Help: "the database's name (the file's stem when left out)"},
			{Key: "schema", Help: "the schema dbt builds in (main when left out)"},
			{Key: "external_root", Help: "the folder of external materializations"},
			{Key: "threads", Help: "how many models dbt builds at once"},
		},
		Form: engine.Form{
			Questions: []engine.Question{
				{Key: "path", Title: "Sandbox database file", Help: "A DuckDB file of your own, relative to the project folder", Default: func(fc engine.FormContext) string { return fc.Cur("path", "sandbox.duckdb") }},
				{Key: "schema", Title: "Schema", Default: func(fc engine.FormContext) string { return fc.Cur("schema", "main") }},
			},
			Settings: func(_ engine.FormContext, in map[string]string) ([]engine.KV, error) {
				path, schema := strings.TrimSpace(in["path"]), strings.TrimSpace(in["schema"])
				if path == "" {
					return nil, fmt.Errorf("path is required")
				}
				if schema == "" {
					schema = "main"
				}
				return []engine.KV{{Key: "type", Value: "duckdb"}, {Key: "path", Value: path}, {Key: "schema", Value: schema}, {Key: "threads", Value: 4}}, nil
			},
		},
		Guard: guard,
		Place: func(t *profiles.Target) engine.Place {
			if t.Path == "" || t.Path == ":memory:" {
				return engine.Place{Problem: "the target has no database file (path)"}
			}
			return engine.Place{Where: "the DuckDB file " + t.Path}
		},
		Open: func(_ context.Context, in engine.OpenInput) (warehouse.Warehouse, error) {
			files := map[string]string{}
			if in.Profile != nil {
				for _, n := range in.Profile.TargetNames() {
					if typ, p, err := in.Profile.TargetFile(n); err == nil && typ == "duckdb" && p != "" {
						p = warehouse.DuckDBFileOf(in.ProjectDir, p)
						files[DatabaseName(p)] = p
					}
				}
			}
			return New(Options{SandboxPath: in.Write.File, Warehouse: in.Warehouse, Files: files, MetaDir: in.StateDir, Policy: in.Policy, Target: in.Target.Name})
		},
	}
}

// guard: the sandbox is the dev target's file, and the files of the profile's other DuckDB
// targets are guarded, so a dev path that is prod's file under another name is refused.
func guard(in engine.GuardInput) (warehouse.Policy, warehouse.Write, error) {
	t := in.Target
	w := warehouse.Write{Target: t.Name, ProfileUser: t.User, File: warehouse.DuckDBFileOf(in.Dir, t.Path)}
	w.Database = warehouse.DuckDBName(w.File)
	sandbox, files, err := targetFiles(in)
	if err != nil {
		return warehouse.Policy{}, w, err
	}
	return warehouse.DuckDBPolicy(in.Config, in.ConfigErr, sandbox, files), w, nil
}

// targetFiles finds the dev target's file and the file of every DuckDB target of the
// profile, in.Target standing for the profile's output of its name.
func targetFiles(in engine.GuardInput) (string, map[string]string, error) {
	devTarget := in.Config.DBT.Target
	files := map[string]string{}
	if in.Profile == nil && in.Target.Name != devTarget {
		return "", nil, &warehouse.RefusedError{Database: "the dev target", Reason: "profiles.yml could not be read, so datatui cannot tell which file is your sandbox"}
	}
	if in.Profile != nil {
		for _, name := range in.Profile.TargetNames() {
			if name == in.Target.Name {
				continue
			}
			typ, path, err := in.Profile.TargetFile(name)
			if err != nil {
				// A target whose file cannot be told might be the very file written.
				return "", nil, &warehouse.RefusedError{Database: "target " + name, Reason: "datatui cannot tell which file it uses: " + err.Error(),
					Fix: "make the path: of every DuckDB target in profiles.yml readable (set the environment variables it uses)"}
			}
			if typ == "duckdb" && path != "" {
				files[name] = warehouse.DuckDBFileOf(in.Dir, path)
			}
		}
	}
	if in.Target.Path != "" {
		files[in.Target.Name] = warehouse.DuckDBFileOf(in.Dir, in.Target.Path)
	}
	sandbox, ok := files[devTarget]
	if !ok || sandbox == ":memory:" {
		return "", nil, &warehouse.RefusedError{Database: "target " + devTarget,
			Reason: fmt.Sprintf("the %s target (datatui.yml dbt.target) names no DuckDB file, so datatui cannot tell which file is your sandbox", devTarget),
			Fix:    "give the " + devTarget + " target a path: of your own in profiles.yml"}
	}
	return sandbox, files, nil
}
