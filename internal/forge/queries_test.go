package forge

import (
	"testing"

	"github.com/datatui/datatui/internal/forge/ghtest"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestDocumentsFitGitHubSchema validates every GraphQL document datatui sends against GitHub's
// published schema: a misspelt field, a missing argument or a wrong variable type fails here.
func TestDocumentsFitGitHubSchema(t *testing.T) {
	schema, err := ghtest.LoadSchema(fixtures.Path(t, ghtest.SchemaPath))
	if err != nil {
		t.Fatal(err)
	}
	for name, doc := range Documents() {
		t.Run(name, func(t *testing.T) {
			if err := ghtest.ValidateQuery(schema, doc, nil); err != nil {
				t.Fatal(err)
			}
		})
	}
	// The check is real: a field GitHub does not have is refused.
	if err := ghtest.ValidateQuery(schema, `query { viewer { login mergeability } }`, nil); err == nil {
		t.Fatal("a field the schema lacks was accepted")
	}
}
