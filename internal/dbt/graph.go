// Package dbt is the node graph of a dbt project (Node, Graph) and the artifacts dbt writes,
// read into it: manifest.json through an index with a cache, run_results.json, sources.json,
// catalog.json and dbt's JSON log events. The packages below internal/dbt build on it: the
// quick parse, selection, lineage, impact and the choice between manifest and quick parse.
package dbt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Node is one resource of the graph: a model, seed, snapshot, test, source, exposure, metric,
// semantic model, saved query, unit test, analysis or operation. It holds only what datatui
// shows or selects on; raw and compiled SQL are read lazily (see Graph.SQL).
type Node struct {
	UniqueID     string     `json:"unique_id"`
	Name         string     `json:"name"`
	ResourceType string     `json:"resource_type"`
	Package      string     `json:"package_name"`
	Path         string     `json:"path,omitempty"`               // relative to the resource folder
	OriginalPath string     `json:"original_file_path,omitempty"` // relative to the project root
	PatchPath    string     `json:"patch_path,omitempty"`         // "pkg://models/schema.yml"
	FQN          []string   `json:"fqn,omitempty"`
	Tags         []string   `json:"tags,omitempty"`
	Description  string     `json:"description,omitempty"`
	Database     string     `json:"database,omitempty"`
	Schema       string     `json:"schema,omitempty"`
	Alias        string     `json:"alias,omitempty"`
	Version      string     `json:"version,omitempty"` // model version ("2"), "" if unversioned
	SourceName   string     `json:"source_name,omitempty"`
	Config       NodeConfig `json:"config"`
	Columns      []Column   `json:"columns,omitempty"`
	DependsOn    []string   `json:"depends_on,omitempty"` // unique ids of parents
	// MacroDeps are the macros the node calls (depends_on.macros), for state:modified.macros.
	MacroDeps      []string          `json:"depends_on_macros,omitempty"`
	TestMetadata   *TestMetadata     `json:"test_metadata,omitempty"`
	AttachedNode   string            `json:"attached_node,omitempty"` // the model a test is attached to
	Meta           map[string]string `json:"meta,omitempty"`          // flattened to strings for display
	Checksum       string            `json:"checksum,omitempty"`      // sha256 of the file (state:modified.body)
	Owner          string            `json:"owner,omitempty"`         // exposures; meta.owner elsewhere
	Label          string            `json:"label,omitempty"`
	Disabled       bool              `json:"disabled,omitempty"`
	ContractEnf    bool              `json:"contract_enforced,omitempty"`
	ExposureType   string            `json:"exposure_type,omitempty"`
	URL            string            `json:"url,omitempty"`
	RelationName   string            `json:"relation_name,omitempty"`
	UnrenderedHash string            `json:"unrendered_config_hash,omitempty"` // for state:modified.configs
	// LatestVersion is the model's latest_version ("" if unversioned), for version: selectors.
	LatestVersion string `json:"latest_version,omitempty"`
	// UnrenderedRelation is the unrendered database, schema and alias configs joined by NUL,
	// for state:modified.relation (rendered values differ between targets, unrendered do not).
	UnrenderedRelation string `json:"unrendered_relation,omitempty"`
	// ContractChecksum is the checksum dbt records for an enforced contract
	// (state:modified.contract).
	ContractChecksum string `json:"contract_checksum,omitempty"`
	// Unrendered are the config keys a quick parse could not compute (Jinja on the target,
	// the warehouse or unknown macros); they are left out of Config and never compared.
	Unrendered []string `json:"unrendered_configs,omitempty"`
}

// NodeConfig is the subset of a node's config datatui uses. Other keys stay in Extra (as
// strings) so that config.<key> selectors still work on them.
type NodeConfig struct {
	Materialized string            `json:"materialized,omitempty"`
	Schema       string            `json:"schema,omitempty"`
	Database     string            `json:"database,omitempty"`
	Alias        string            `json:"alias,omitempty"`
	Enabled      bool              `json:"enabled"`
	Severity     string            `json:"severity,omitempty"`
	Group        string            `json:"group,omitempty"`
	Access       string            `json:"access,omitempty"`
	Tags         []string          `json:"tags,omitempty"`
	Extra        map[string]string `json:"extra,omitempty"`
	// Kinds holds the JSON kind (KindNumber, KindBoolean, KindList, KindObject) of every value in
	// Extra that is not a string, and of the node's meta values under "meta.<key>". Selectors
	// compare typed values like dbt: config.lookback:1 does not select lookback: 1.
	Kinds map[string]string `json:"kinds,omitempty"`
}

// Kinds of non-string config values (NodeConfig.Kinds).
const (
	KindNumber  = "number"
	KindBoolean = "boolean"
	KindList    = "list"
	KindObject  = "object"
)

// jsonKind is the kind of the JSON value starting with c ("" for strings and null).
func jsonKind(c byte) string {
	switch c {
	case '"', 'n':
		return ""
	case 't', 'f':
		return KindBoolean
	case '[':
		return KindList
	case '{':
		return KindObject
	}
	return KindNumber
}

// Macro is what a manifest says about one macro: a hash of its SQL and the macros it calls.
type Macro struct {
	Checksum  string
	DependsOn []string
}

// Column is a documented column (from schema.yml / the manifest), with its type from the
// catalog when one is loaded.
type Column struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	DataType    string `json:"data_type,omitempty"`
}

// TestMetadata is set on generic tests (unique, not_null, relationships, …).
type TestMetadata struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Column    string `json:"column_name,omitempty"`
}

// Origin says where a graph came from, which the UI shows next to it.
type Origin struct {
	// Kind is "manifest" or "quick-parse".
	Kind string `json:"kind"`
	// Path is the manifest file or the project folder.
	Path string `json:"path"`
	// Built is when the manifest was written (its mtime) or the project was parsed.
	Built time.Time `json:"built"`
	// DBTVersion and SchemaVersion come from the manifest metadata.
	DBTVersion    string `json:"dbt_version,omitempty"`
	SchemaVersion int    `json:"schema_version,omitempty"`
	// ProjectName is the root project's name.
	ProjectName string `json:"project_name,omitempty"`
	// Stale is set when project files are newer than the manifest.
	Stale bool `json:"stale,omitempty"`
	// Warnings are per-file problems that did not stop loading (unresolvable Jinja…).
	Warnings []string `json:"warnings,omitempty"`
	// SchemaWarning is the one of Warnings that says the manifest's schema is not one datatui
	// knows ("" when it is): what is read from it may not be what dbt reads.
	SchemaWarning string `json:"schema_warning,omitempty"`
}

// Graph is the project's resources and their edges, however it was built (manifest or quick
// parse). Node indexes are stable for the Graph's lifetime; adjacency is by index so traversals
// allocate little on graphs of tens of thousands of nodes.
type Graph struct {
	Origin Origin
	Nodes  []Node
	// byID is built on first use when the graph comes from the index cache: a warm ls that
	// never looks a node up by id does not pay for hashing every id.
	byID     map[string]int
	byIDOnce sync.Once
	parents  [][]int32
	children [][]int32
	// Macros are the manifest's macros by unique id (nil for a quick parse), for
	// state:modified.macros.
	Macros map[string]Macro
	// sql locates raw and compiled SQL in the manifest a graph was loaded from (nil otherwise).
	sql *sqlSource
	// cached is the index cache the graph was loaded through (nil when none), for answers;
	// read only after WaitCache when the cache is written aside.
	cached *cachedSource
	// cacheDone is closed once the index cache written aside is written (nil: none pending).
	cacheDone chan struct{}
}

// NewGraph indexes nodes and builds adjacency from each node's DependsOn. Edges to unknown ids
// (dangling depends_on, disabled parents) are dropped and reported in Origin.Warnings.
// Disabled nodes are indexed but get no edges, as dbt leaves them out of its graph.
func NewGraph(nodes []Node, origin Origin) *Graph {
	byID := make(map[string]int, len(nodes))
	for i := range nodes {
		byID[nodes[i].UniqueID] = i
	}
	edges := 0
	for i := range nodes {
		edges += len(nodes[i].DependsOn)
	}
	// Parents in depends_on order without duplicates, in one slab.
	parentSlab := make([]int32, 0, edges)
	parentEnd := make([]int32, len(nodes))
	dangling := 0
	for i := range nodes {
		start := len(parentSlab)
		if !nodes[i].Disabled {
			for _, dep := range nodes[i].DependsOn {
				p, ok := byID[dep]
				if !ok || nodes[p].Disabled {
					dangling++
					continue
				}
				if p == i || slices.Contains(parentSlab[start:], int32(p)) {
					continue
				}
				parentSlab = append(parentSlab, int32(p))
			}
		}
		parentEnd[i] = int32(len(parentSlab))
	}
	g := linkGraph(nodes, origin, byID, parentSlab, parentEnd)
	if dangling > 0 {
		g.Origin.Warnings = append(g.Origin.Warnings, Plural(dangling, "dependency points", "dependencies point")+" at nodes that are not in the project (disabled or missing); they are left out of the lineage")
	}
	return g
}

// linkGraph builds a graph from nodes indexed by byID (built on first use when nil) and their parents:
// node i's parents are parentSlab[parentEnd[i-1]:parentEnd[i]]. Adjacency lives in two flat
// slabs (one allocation each, not one per node); children are in node order.
func linkGraph(nodes []Node, origin Origin, byID map[string]int, parentSlab, parentEnd []int32) *Graph {
	g := &Graph{Origin: origin, Nodes: nodes, byID: byID}
	g.parents = make([][]int32, len(nodes))
	g.children = make([][]int32, len(nodes))
	childCount := make([]int32, len(nodes))
	start := int32(0)
	for i, end := range parentEnd {
		if end > start {
			g.parents[i] = parentSlab[start:end:end]
			for _, p := range g.parents[i] {
				childCount[p]++
			}
		}
		start = end
	}
	childSlab := make([]int32, len(parentSlab))
	off := 0
	for p, n := range childCount {
		if n > 0 {
			g.children[p] = childSlab[off : off : off+int(n)]
			off += int(n)
		}
	}
	for i := range nodes {
		for _, p := range g.parents[i] {
			g.children[p] = append(g.children[p], int32(i))
		}
	}
	return g
}

// Len is the number of nodes.
func (g *Graph) Len() int { return len(g.Nodes) }

// ids returns the index of every unique id, building it on first use (safe for concurrent
// readers).
func (g *Graph) ids() map[string]int {
	g.byIDOnce.Do(func() {
		if g.byID == nil {
			g.byID = make(map[string]int, len(g.Nodes))
			for i := range g.Nodes {
				g.byID[g.Nodes[i].UniqueID] = i
			}
		}
	})
	return g.byID
}

// Index returns the index of a unique id.
func (g *Graph) Index(uniqueID string) (int, bool) {
	i, ok := g.ids()[uniqueID]
	return i, ok
}

// Node returns the node with a unique id, or nil.
func (g *Graph) Node(uniqueID string) *Node {
	if i, ok := g.ids()[uniqueID]; ok {
		return &g.Nodes[i]
	}
	return nil
}

// Parents returns the indexes of node i's direct parents.
func (g *Graph) Parents(i int) []int32 { return g.parents[i] }

// Children returns the indexes of node i's direct children.
func (g *Graph) Children(i int) []int32 { return g.children[i] }

// ParentsComplete reports whether every id node i depends on is one of its parents in the
// graph: a dangling depends_on (a node not in the graph, a disabled one) counts as a parent
// that is never selected, for dbt's checks that all of a test's parents are.
func (g *Graph) ParentsComplete(i int) bool {
	deps := g.Nodes[i].DependsOn
	np := len(g.parents[i])
	if len(deps) == np {
		return true // parents are distinct depends_on ids
	}
	seen := make(map[string]struct{}, len(deps))
	for _, d := range deps {
		seen[d] = struct{}{}
	}
	return len(seen) == np
}

// Plural counts n things ("1 model", "3 models") in the wording of datatui's messages about a
// project, shared by the packages that describe a graph.
func Plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// VersionLess compares model versions numerically when both are numbers.
func VersionLess(a, b string) bool {
	var fa, fb float64
	if _, err := fmt.Sscan(a, &fa); err == nil {
		if _, err := fmt.Sscan(b, &fb); err == nil {
			return fa < fb
		}
	}
	return a < b
}

// TypedValue turns a stored config value back into its JSON type: text for strings (kind ""),
// decoded JSON otherwise.
func TypedValue(text, kind string) any {
	if kind == "" {
		return text
	}
	var x any
	if json.Unmarshal([]byte(text), &x) != nil {
		return nil
	}
	return x
}

// GraphMember is dbt's _is_graph_member: a definition from the disabled section never is; a
// node whose config says enabled: false is not either, except exposures, which dbt keeps.
func (n *Node) GraphMember() bool {
	return !n.Disabled && (n.Config.Enabled || n.ResourceType == "exposure")
}
