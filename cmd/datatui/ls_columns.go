package main

import (
	"context"
	"errors"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/dbt/selector"
)

// A warm ls asked a question it has no kept answer for selects over the manifest's selection
// columns (dbt.Columns), read in place, instead of decoding the index: the cost is then the
// pages of the columns the question reads, not a decode of every node (~1 µs a node). What the
// columns cannot answer goes to the graph as before: --output json (every key of a node),
// --state and state:/result:, config keys outside the kept fields, a criterion that matched
// nothing and names a node (its suggestions search every name), options of a quick parse.

// lsNodes is what ls prints the selected nodes from: the decoded graph or the columns.
type lsNodes interface {
	// node is node i with what the output prints (the Node may be reused by the next call).
	node(i int) *dbt.Node
	schemaWarning() string
	// graph is the decoded graph, nil over columns.
	graph() *dbt.Graph
	newAnswer(dir string, question []byte) (*dbt.AnswerWriter, error)
}

type lsGraphNodes struct{ g *dbt.Graph }

func (l lsGraphNodes) node(i int) *dbt.Node  { return &l.g.Nodes[i] }
func (l lsGraphNodes) schemaWarning() string { return l.g.Origin.SchemaWarning }
func (l lsGraphNodes) graph() *dbt.Graph     { return l.g }
func (l lsGraphNodes) newAnswer(dir string, question []byte) (*dbt.AnswerWriter, error) {
	return l.g.NewAnswer(dir, question)
}

type lsColumnNodes struct {
	c *dbt.Columns
	r *dbt.Reader
}

func (l lsColumnNodes) node(i int) *dbt.Node  { return l.r.Node(i) }
func (l lsColumnNodes) schemaWarning() string { return l.c.Origin().SchemaWarning }
func (l lsColumnNodes) graph() *dbt.Graph     { return nil }
func (l lsColumnNodes) newAnswer(_ string, question []byte) (*dbt.AnswerWriter, error) {
	return l.c.NewAnswer(question)
}

// lsOutputFields are the fields each --output prints (see list).
var lsOutputFields = map[string]dbt.Fields{
	"selector": dbt.FieldType | dbt.FieldPackage | dbt.FieldSource | dbt.FieldName | dbt.FieldVersion | dbt.FieldFQN,
	"name":     dbt.FieldType | dbt.FieldSource | dbt.FieldName | dbt.FieldVersion,
	"path":     dbt.FieldPaths,
}

// lsFromColumns lists from the manifest's selection columns when they can answer; done
// reports that it did (err is then the listing's).
func (a *app) lsFromColumns(fl *lsFlags, sel *selector.Selection, opts selector.SelectOptions, src lsSource, question []byte) (done bool, err error) {
	fields, ok := lsOutputFields[fl.output]
	if !ok || src.manifest == "" || src.cacheDir == "" || fl.state != "" || fl.parseFlags() {
		return false, nil
	}
	c, ok := dbt.OpenColumns(src.manifest, src.cacheDir)
	if !ok {
		return false, nil
	}
	defer c.Close()
	res, err := selector.SelectColumns(context.Background(), c, sel, opts)
	if errors.Is(err, selector.ErrNeedsGraph) {
		if c.Damaged() {
			c.Discard()
		}
		return false, nil
	}
	if err != nil {
		return true, withCode(2, err)
	}
	if fl.logFormat != "json" {
		for _, u := range res.Unmatched {
			if bareName(u) != "" {
				return false, nil // its suggestions come from every name in the graph
			}
		}
	}
	nodes := lsColumnNodes{c: c, r: c.Reader(fields)}
	// Every printed node is read once before the first line is printed: a damaged block found
	// halfway would leave a listing cut short.
	for _, i := range res.Indexes {
		nodes.node(i)
	}
	if c.Damaged() {
		c.Discard()
		return false, nil
	}
	return true, a.printLs(fl, nodes, sel, res, src, question)
}
