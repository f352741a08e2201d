package warehouse

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/dbt"
)

// ModelState is one project model compared with the sandbox.
type ModelState struct {
	UniqueID string `json:"unique_id"`
	Name     string `json:"name"`
	// Relation is where the model is expected ("SCHEMA.NAME"), or found.
	Relation string `json:"relation"`
	File     string `json:"file,omitempty"`
	// FileChanged and Built are set for models older than their SQL file.
	FileChanged time.Time `json:"file_changed,omitzero"`
	Built       time.Time `json:"built,omitzero"`
}

// Drift is how the sandbox differs from the project on disk.
type Drift struct {
	// Missing are models (and seeds, snapshots) the project builds that the sandbox lacks.
	Missing []ModelState `json:"missing"`
	// Outdated are relations built before their SQL file last changed (only where the engine
	// records when an object last changed).
	Outdated []ModelState `json:"outdated"`
	// Leftover are sandbox schemas no model, seed, snapshot or source of the project uses any
	// more: remains of renamed models or old branches, offered for clean-up.
	Leftover []string `json:"leftover_schemas"`
}

// systemSchemas are never offered for clean-up.
var systemSchemas = []string{"INFORMATION_SCHEMA", "PUBLIC", "PG_CATALOG", "MAIN"}

// Compare checks the project graph against snap. targetSchema is the dev target's schema
// (profiles.yml), used to predict where dbt's default generate_schema_name puts a model with
// a custom schema ("<target>_<custom>"); a model found under its custom schema alone (the
// common override) counts too. projectDir locates SQL files for the "older than its file"
// check. Ephemeral models and tests are not relations and are skipped.
func Compare(g *dbt.Graph, snap *Snapshot, targetSchema, projectDir string) Drift {
	var d Drift
	if g == nil || snap == nil || !snap.Exists {
		return d
	}
	found := make(map[string]Object, len(snap.Objects))
	byName := map[string][]Object{}
	for _, o := range snap.Objects {
		found[strings.ToUpper(o.Schema+"."+o.Name)] = o
		byName[strings.ToUpper(o.Name)] = append(byName[strings.ToUpper(o.Name)], o)
	}
	used := map[string]bool{}
	use := func(s string) {
		if s != "" {
			used[strings.ToUpper(s)] = true
		}
	}
	use(targetSchema)
	for i := range g.Nodes {
		n := &g.Nodes[i]
		if n.ResourceType == "source" {
			use(n.Schema)
			continue
		}
		if !buildsRelation(n) {
			continue
		}
		schemas := expectedSchemas(n, targetSchema)
		for _, s := range schemas {
			use(s)
		}
		name := relationName(n)
		var obj Object
		ok := false
		for _, s := range schemas {
			if obj, ok = found[strings.ToUpper(s+"."+name)]; ok {
				break
			}
		}
		if !ok && len(byName[strings.ToUpper(name)]) == 1 && n.Schema == "" {
			// A quick-parsed project cannot render a custom generate_schema_name; a single
			// relation with the model's name is the model.
			obj, ok = byName[strings.ToUpper(name)][0], true
			use(obj.Schema)
		}
		st := ModelState{UniqueID: n.UniqueID, Name: n.Name, File: n.OriginalPath}
		if !ok {
			st.Relation = schemas[0] + "." + name
			d.Missing = append(d.Missing, st)
			continue
		}
		st.Relation = obj.Schema + "." + obj.Name
		built := obj.LastAltered
		if built.IsZero() {
			built = obj.Created
		}
		if built.IsZero() || n.OriginalPath == "" || n.ResourceType == "seed" {
			continue
		}
		if fi, err := os.Stat(filepath.Join(projectDir, n.OriginalPath)); err == nil && fi.ModTime().After(built) {
			st.FileChanged, st.Built = fi.ModTime(), built
			d.Outdated = append(d.Outdated, st)
		}
	}
	for _, s := range snap.Schemas {
		u := strings.ToUpper(s.Name)
		if used[u] || containsFold(systemSchemas, u) {
			continue
		}
		d.Leftover = append(d.Leftover, s.Name)
	}
	sort.Strings(d.Leftover)
	return d
}

// expectedSchemas lists where a node may be built, most likely first.
func expectedSchemas(n *dbt.Node, target string) []string {
	if n.Schema != "" {
		return []string{n.Schema} // the manifest rendered it
	}
	custom := n.Config.Schema
	if n.ResourceType == "snapshot" {
		if ts := n.Config.Extra["target_schema"]; ts != "" {
			return []string{ts}
		}
	}
	if custom == "" {
		if target == "" {
			return []string{"main"}
		}
		return []string{target}
	}
	if target == "" {
		return []string{custom}
	}
	return []string{target + "_" + custom, custom}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
