package ghtest

import (
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// SchemaPath is GitHub's published GraphQL schema among the shared fixtures, relative to the
// repository root's parent.
const SchemaPath = "github/schema.graphql"

var schemaCache struct {
	sync.Mutex
	path   string
	schema *ast.Schema
	err    error
}

// LoadSchema reads GitHub's schema (path is the fixture's absolute path). The published SDL
// declares a few fields of EnterpriseOwnerInfo twice, which a strict loader rejects; the
// duplicates are dropped in memory. The schema is read once per test binary.
func LoadSchema(path string) (*ast.Schema, error) {
	schemaCache.Lock()
	defer schemaCache.Unlock()
	if schemaCache.path == path {
		return schemaCache.schema, schemaCache.err
	}
	schemaCache.path = path
	schemaCache.schema, schemaCache.err = loadSchema(path)
	return schemaCache.schema, schemaCache.err
}

func loadSchema(path string) (*ast.Schema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := parser.ParseSchemas(validator.Prelude, &ast.Source{Name: "schema.graphql", Input: string(b)})
	if err != nil {
		return nil, err
	}
	for _, def := range doc.Definitions {
		seen := map[string]bool{}
		fields := def.Fields[:0]
		for _, f := range def.Fields {
			if !seen[f.Name] {
				seen[f.Name] = true
				fields = append(fields, f)
			}
		}
		def.Fields = fields
	}
	return validator.ValidateSchemaDocument(doc)
}

// ValidateQuery checks a document and its variables against the schema, the way GitHub does
// before running a query: every field, argument, fragment and variable type must exist and fit.
func ValidateQuery(schema *ast.Schema, document string, vars map[string]any) error {
	doc, err := parser.ParseQuery(&ast.Source{Name: "query", Input: document})
	if err != nil {
		return err
	}
	if errs := validator.ValidateWithRules(schema, doc, rules.NewDefaultRules()); len(errs) > 0 {
		msgs := make([]string, len(errs))
		for i, e := range errs {
			msgs[i] = e.Error()
		}
		return fmt.Errorf("the query does not fit GitHub's schema: %s", strings.Join(msgs, "; "))
	}
	if vars == nil {
		return nil
	}
	for _, op := range doc.Operations {
		if _, err := validator.VariableValues(schema, op, vars); err != nil {
			return fmt.Errorf("variables: %v", err)
		}
	}
	return nil
}
