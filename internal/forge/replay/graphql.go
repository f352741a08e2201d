package replay

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Resolver answers a field whose value is not simply the recorded object's key of the same
// name (a root field, a field with filtering arguments). ok=false falls back to the key.
type Resolver func(parent map[string]any, field string, args map[string]any) (value any, ok bool)

// isAbstract reports the interfaces and unions datatui's documents select on. An inline
// fragment on one of them applies to any recorded object; on a concrete type it applies to
// objects whose __typename is that type. (A switch, not a map, so the package does no work at
// process start.)
func isAbstract(typeName string) bool {
	switch typeName {
	case "StatusCheckRollupContext", "SearchResultItem", "RuleParameters",
		"RequestedReviewer", "Node", "Actor", "GitObject":
		return true
	}
	return false
}

// Execute runs a GraphQL query document over recorded objects: every field is the key of the
// same name in the recorded JSON, except where resolve answers; connections (objects with a
// "nodes" list) are paged by first/last/after with opaque cursors, and @include/@skip are
// honoured. It is deliberately small: it answers what the recorded data holds, and it leaves
// checking documents against GitHub's schema to the tests that load the schema.
func Execute(document string, vars map[string]any, resolve Resolver) (map[string]any, error) {
	doc, err := parser.ParseQuery(&ast.Source{Input: document})
	if err != nil {
		return nil, err
	}
	if len(doc.Operations) != 1 {
		return nil, fmt.Errorf("the document must hold exactly one operation, not %d", len(doc.Operations))
	}
	op := doc.Operations[0]
	if op.Operation != ast.Query {
		return nil, fmt.Errorf("only queries are recorded, not %s", op.Operation)
	}
	x := &executor{doc: doc, vars: withDefaults(op, vars), resolve: resolve}
	out := map[string]any{}
	if err := x.selectOn(map[string]any{"__typename": "Query"}, op.SelectionSet, out); err != nil {
		return nil, err
	}
	return out, nil
}

// IsRoot reports whether parent is the query root.
func IsRoot(parent map[string]any) bool { return parent["__typename"] == "Query" }

func withDefaults(op *ast.OperationDefinition, vars map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range vars {
		out[k] = v
	}
	for _, d := range op.VariableDefinitions {
		if _, ok := out[d.Variable]; !ok && d.DefaultValue != nil {
			if v, err := d.DefaultValue.Value(nil); err == nil {
				out[d.Variable] = v
			}
		}
	}
	return out
}

type executor struct {
	doc     *ast.QueryDocument
	vars    map[string]any
	resolve Resolver
}

func (x *executor) selectOn(obj map[string]any, set ast.SelectionSet, out map[string]any) error {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if !x.included(s.Directives) {
				continue
			}
			key := s.Alias
			if key == "" {
				key = s.Name
			}
			args := map[string]any{}
			for _, a := range s.Arguments {
				v, err := a.Value.Value(x.vars)
				if err != nil {
					return fmt.Errorf("%s(%s): %v", s.Name, a.Name, err)
				}
				args[a.Name] = v
			}
			val, err := x.field(obj, s.Name, args)
			if err != nil {
				return err
			}
			done, err := x.complete(val, s.SelectionSet)
			if err != nil {
				return err
			}
			out[key] = done
		case *ast.InlineFragment:
			if x.included(s.Directives) && matches(obj, s.TypeCondition) {
				if err := x.selectOn(obj, s.SelectionSet, out); err != nil {
					return err
				}
			}
		case *ast.FragmentSpread:
			f := x.doc.Fragments.ForName(s.Name)
			if f == nil {
				return fmt.Errorf("fragment %s is not defined", s.Name)
			}
			if x.included(s.Directives) && matches(obj, f.TypeCondition) {
				if err := x.selectOn(obj, f.SelectionSet, out); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (x *executor) included(dirs ast.DirectiveList) bool {
	for _, d := range dirs {
		arg := d.Arguments.ForName("if")
		if arg == nil {
			continue
		}
		v, _ := arg.Value.Value(x.vars)
		b, _ := v.(bool)
		if (d.Name == "include" && !b) || (d.Name == "skip" && b) {
			return false
		}
	}
	return true
}

func matches(obj map[string]any, typeCondition string) bool {
	t, _ := obj["__typename"].(string)
	return typeCondition == "" || t == "" || t == typeCondition || isAbstract(typeCondition)
}

func (x *executor) field(obj map[string]any, name string, args map[string]any) (any, error) {
	if x.resolve != nil {
		if v, ok := x.resolve(obj, name, args); ok {
			return v, nil
		}
	}
	if name == "__typename" {
		return obj["__typename"], nil
	}
	v := obj[name]
	if conn, ok := v.(map[string]any); ok {
		if _, isConn := conn["nodes"]; isConn && (args["first"] != nil || args["last"] != nil) {
			return page(conn, args)
		}
	}
	return v, nil
}

// page cuts a recorded connection to the requested page. Cursors are "cursor:<index>".
func page(conn map[string]any, args map[string]any) (map[string]any, error) {
	nodes, _ := conn["nodes"].([]any)
	start := 0
	if after, ok := args["after"].(string); ok && after != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(after, "cursor:"))
		if err != nil || !strings.HasPrefix(after, "cursor:") {
			return nil, fmt.Errorf("after: %q is not a cursor this server handed out", after)
		}
		start = min(i+1, len(nodes))
	}
	end := len(nodes)
	if n, ok := asInt(args["first"]); ok {
		end = min(start+n, len(nodes))
	}
	if n, ok := asInt(args["last"]); ok {
		start = max(start, end-n)
	}
	out := map[string]any{}
	for k, v := range conn {
		out[k] = v
	}
	out["nodes"] = nodes[start:end]
	if _, ok := out["totalCount"]; !ok {
		out["totalCount"] = len(nodes)
	}
	endCursor := any(nil)
	if end > start {
		endCursor = "cursor:" + strconv.Itoa(end-1)
	}
	out["pageInfo"] = map[string]any{"hasNextPage": end < len(nodes), "hasPreviousPage": start > 0, "endCursor": endCursor}
	return out, nil
}

func asInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case float64:
		return int(n), true
	}
	return 0, false
}

func (x *executor) complete(val any, set ast.SelectionSet) (any, error) {
	if len(set) == 0 || val == nil {
		return val, nil
	}
	switch v := val.(type) {
	case map[string]any:
		out := map[string]any{}
		if err := x.selectOn(v, set, out); err != nil {
			return nil, err
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, item := range v {
			done, err := x.complete(item, set)
			if err != nil {
				return nil, err
			}
			out[i] = done
		}
		return out, nil
	}
	return nil, fmt.Errorf("a selection on the scalar %v", val)
}
