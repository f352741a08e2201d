package dbttest

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// FixtureManifest is the part of a real manifest that tests compare datatui's reading with,
// decoded with encoding/json independently of datatui's scanner.
type FixtureManifest struct {
	Metadata struct {
		ProjectName string `json:"project_name"`
	} `json:"metadata"`
	Nodes  map[string]FixtureNode `json:"nodes"`
	Macros map[string]struct {
		Package  string `json:"package_name"`
		Path     string `json:"original_file_path"`
		MacroSQL string `json:"macro_sql"`
	} `json:"macros"`
	Sources map[string]struct {
		SourceName string `json:"source_name"`
		Name       string `json:"name"`
		Package    string `json:"package_name"`
		Path       string `json:"original_file_path"`
	} `json:"sources"`
}

// FixtureNode is a member of manifest.nodes as dbt wrote it.
type FixtureNode struct {
	Name         string   `json:"name"`
	Alias        string   `json:"alias"`
	ResourceType string   `json:"resource_type"`
	Package      string   `json:"package_name"`
	Path         string   `json:"original_file_path"`
	RawCode      string   `json:"raw_code"`
	Language     string   `json:"language"`
	FQN          []string `json:"fqn"`
	Config       struct {
		Materialized string `json:"materialized"`
	} `json:"config"`
	Attached  string `json:"attached_node"`
	DependsOn struct {
		Nodes []string `json:"nodes"`
	} `json:"depends_on"`
	TestMetadata *struct {
		Name      string                     `json:"name"`
		Namespace string                     `json:"namespace"`
		Kwargs    map[string]json.RawMessage `json:"kwargs"`
	} `json:"test_metadata"`
}

// ReadFixtureManifest reads the shared fixture manifest at rel.
func ReadFixtureManifest(t testing.TB, rel string) *FixtureManifest {
	t.Helper()
	b, err := os.ReadFile(fixtures.Path(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	var m FixtureManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}
