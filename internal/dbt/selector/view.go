package selector

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/datatui/datatui/internal/dbt"
)

// A selection is evaluated over a view of the nodes: the decoded graph, or the manifest's
// selection columns read in place (dbt.Columns), which answer a new question without decoding
// the index. Both give the same answers (the tests evaluate every selection over both); what
// the columns do not hold (state: and result:, config keys outside the ones kept as fields,
// meta) needs the graph.

// view is what evaluating a selection reads of the nodes.
type view interface {
	size() int
	// graph is the decoded graph, nil over columns.
	graph() *dbt.Graph
	dbtVersion() string
	projectName() string
	member(i int) bool
	parents(i int) []int32
	children(i int) []int32
	resourceType(i int) string
	uniqueID(i int) string
	parentsComplete(i int) bool
	// reader returns node i with at least these fields filled in; the node may be reused by
	// the next call.
	reader(f dbt.Fields) func(i int) *dbt.Node
	// byID is the nodes in unique-id order, nil when not known.
	byID() []int32
	// members is the selection-graph members.
	members() bitset
	// candidates rules nodes out of spec's match without reading them: the method's predicate
	// is false for every node not in it. nil when the view cannot tell.
	candidates(spec SelectorSpec) bitset
}

type graphView struct{ g *dbt.Graph }

func (v graphView) size() int                      { return v.g.Len() }
func (v graphView) graph() *dbt.Graph              { return v.g }
func (v graphView) dbtVersion() string             { return v.g.Origin.DBTVersion }
func (v graphView) projectName() string            { return v.g.Origin.ProjectName }
func (v graphView) member(i int) bool              { return v.g.Nodes[i].GraphMember() }
func (v graphView) parents(i int) []int32          { return v.g.Parents(i) }
func (v graphView) children(i int) []int32         { return v.g.Children(i) }
func (v graphView) resourceType(i int) string      { return v.g.Nodes[i].ResourceType }
func (v graphView) uniqueID(i int) string          { return v.g.Nodes[i].UniqueID }
func (v graphView) parentsComplete(i int) bool     { return v.g.ParentsComplete(i) }
func (v graphView) byID() []int32                  { return nil }
func (v graphView) members() bitset                { return members(v) }
func (v graphView) candidates(SelectorSpec) bitset { return nil }
func (v graphView) reader(dbt.Fields) func(i int) *dbt.Node {
	nodes := v.g.Nodes
	return func(i int) *dbt.Node { return &nodes[i] }
}

type columnsView struct{ c *dbt.Columns }

func (v columnsView) size() int                  { return v.c.Len() }
func (v columnsView) graph() *dbt.Graph          { return nil }
func (v columnsView) dbtVersion() string         { return v.c.Origin().DBTVersion }
func (v columnsView) projectName() string        { return v.c.Origin().ProjectName }
func (v columnsView) member(i int) bool          { return v.c.Member(i) }
func (v columnsView) parents(i int) []int32      { return v.c.Parents(i) }
func (v columnsView) children(i int) []int32     { return v.c.Children(i) }
func (v columnsView) resourceType(i int) string  { return v.c.ResourceType(i) }
func (v columnsView) uniqueID(i int) string      { return v.c.UniqueID(i) }
func (v columnsView) parentsComplete(i int) bool { return v.c.ParentsComplete(i) }
func (v columnsView) byID() []int32              { return v.c.ByID() }
func (v columnsView) reader(f dbt.Fields) func(i int) *dbt.Node {
	return v.c.Reader(f).Node
}

func (v columnsView) members() bitset {
	if m := v.c.Members(); m != nil {
		return m
	}
	return newBitset(v.size()) // damaged: SelectColumns reports it
}

// candidates compares references (dbt.Columns.Holding) for the questions most asked of a
// large project, a tag or a name: only the nodes that hold the value are then read.
func (v columnsView) candidates(spec SelectorSpec) bitset {
	switch spec.Method {
	case "tag":
		if !compileGlob(spec.Value).literal || spec.Value == "" { // "" is no reference
			return nil
		}
		return v.c.Holding(dbt.ListTags, spec.Value)
	case "fqn":
		// Unless the first part has a wildcard, a match compares it with a part of the fqn
		// (see fqnPattern.selected), or the fqn is loose: versioned, or a part holds a dot.
		p := newFQNPattern(spec.Value)
		if p.wild == 0 || p.parts[0] == "" {
			return nil
		}
		return v.c.FQNCandidates(p.parts[0])
	}
	return nil
}

// ErrNeedsGraph reports a selection the columns cannot answer (or columns found damaged): the
// caller evaluates it over the decoded graph instead.
var ErrNeedsGraph = errors.New("the selection needs the decoded graph")

// SelectColumns is SelectNodesContext over a manifest's selection columns. It returns
// ErrNeedsGraph when the selection reads what the columns do not hold (--state, results, an
// Index, state:, result:, config keys other than the kept fields) or when the columns turn out
// damaged (c.Damaged; the caller should discard them). The result's indexes are c's node
// indexes, which are the graph's.
func SelectColumns(ctx context.Context, c *dbt.Columns, sel *Selection, opts SelectOptions) (*SelectResult, error) {
	if opts.State != nil || opts.Results != nil || opts.Index != nil {
		return nil, ErrNeedsGraph
	}
	if sel != nil {
		for _, u := range []SelectorUnion{sel.Include, sel.Exclude} {
			for _, group := range u {
				for _, spec := range group {
					if _, needsGraph := methodFields(spec); needsGraph {
						return nil, ErrNeedsGraph
					}
				}
			}
		}
	}
	res, err := selectFrom(ctx, columnsView{c}, sel, opts)
	if c.Damaged() {
		return nil, ErrNeedsGraph
	}
	return res, err
}

// methodFields are the node fields a spec's method reads; needsGraph reports a method whose
// answer needs what only the decoded graph holds.
func methodFields(spec SelectorSpec) (f dbt.Fields, needsGraph bool) {
	switch spec.Method {
	case "fqn":
		return dbt.FieldFQN | dbt.FieldVersion | dbt.FieldType, false
	case "tag":
		return dbt.FieldTags, false
	case "path", "file":
		return dbt.FieldPaths, false
	case "package":
		return dbt.FieldPackage, false
	case "source":
		return dbt.FieldType | dbt.FieldPackage | dbt.FieldSource | dbt.FieldName, false
	case "exposure", "metric", "semantic_model", "saved_query", "unit_test":
		return dbt.FieldType | dbt.FieldPackage | dbt.FieldName, false
	case "resource_type":
		return dbt.FieldType, false
	case "config":
		keys := spec.MethodArgs
		if len(keys) == 0 || slices.Contains(keys, "") {
			return 0, false // never matches
		}
		key := strings.Join(keys, ".")
		if configField(key) != nil || key == "enabled" || key == "tags" {
			return dbt.FieldType | dbt.FieldConfig, false
		}
		return 0, true // meta and the other config keys
	case "test_type":
		return dbt.FieldType | dbt.FieldTest, false
	case "test_name":
		return dbt.FieldType | dbt.FieldTest | dbt.FieldName, false
	case "group", "access", "version":
		return dbt.FieldType | dbt.FieldConfig | dbt.FieldVersion, false
	case "state", "result":
		return 0, true
	}
	return 0, false // not a method: the predicate reports it
}
