package dbt

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/datatui/datatui/internal/dbt/jsonscan"
)

// Catalog is a catalog.json (from dbt docs generate): the warehouse's view of each relation.
type Catalog struct {
	// Columns are per unique id, in warehouse order.
	Columns map[string][]CatalogColumn
	// Types are the relation types per unique id ("BASE TABLE", "VIEW").
	Types map[string]string
}

// CatalogColumn is a column as the warehouse reports it (names keep warehouse case).
type CatalogColumn struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Comment string `json:"comment,omitempty"`
}

type rawCatalogEntry struct {
	Metadata struct {
		Type string `json:"type"`
	} `json:"metadata"`
	Columns map[string]struct {
		Name    string  `json:"name"`
		Type    string  `json:"type"`
		Index   int     `json:"index"`
		Comment *string `json:"comment"`
	} `json:"columns"`
}

// LoadCatalog reads a catalog.json.
func LoadCatalog(path string) (*Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	c, err := ParseCatalog(b)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return c, nil
}

// ParseCatalog decodes catalog.json bytes.
func ParseCatalog(b []byte) (*Catalog, error) {
	var raw struct {
		Nodes   map[string]rawCatalogEntry `json:"nodes"`
		Sources map[string]rawCatalogEntry `json:"sources"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		if se, ok := err.(*json.SyntaxError); ok {
			return nil, &jsonscan.Error{Offset: se.Offset, Msg: se.Error()}
		}
		return nil, err
	}
	c := &Catalog{Columns: map[string][]CatalogColumn{}, Types: map[string]string{}}
	for _, m := range []map[string]rawCatalogEntry{raw.Nodes, raw.Sources} {
		for id, e := range m {
			c.Types[id] = e.Metadata.Type
			cols := make([]CatalogColumn, 0, len(e.Columns))
			for key, col := range e.Columns {
				cc := CatalogColumn{Name: col.Name, Type: col.Type, Index: col.Index}
				if cc.Name == "" {
					cc.Name = key
				}
				if col.Comment != nil {
					cc.Comment = *col.Comment
				}
				cols = append(cols, cc)
			}
			sort.Slice(cols, func(a, b int) bool {
				if cols[a].Index != cols[b].Index {
					return cols[a].Index < cols[b].Index
				}
				return cols[a].Name < cols[b].Name
			})
			c.Columns[id] = cols
		}
	}
	return c, nil
}

// MergeCatalog fills Columns[].DataType from the catalog (names compared case-insensitively,
// since warehouses report their own case) and appends columns the project does not document.
// Column slices are replaced, not modified in place, so graphs sharing them are unaffected.
func (g *Graph) MergeCatalog(c *Catalog) {
	if c == nil {
		return
	}
	for i := range g.Nodes {
		n := &g.Nodes[i]
		cat, ok := c.Columns[n.UniqueID]
		if !ok {
			continue
		}
		cols := make([]Column, len(n.Columns), len(n.Columns)+len(cat))
		copy(cols, n.Columns)
		pos := make(map[string]int, len(cols))
		for k, col := range cols {
			pos[strings.ToLower(col.Name)] = k
		}
		for _, cc := range cat {
			if k, ok := pos[strings.ToLower(cc.Name)]; ok {
				cols[k].DataType = cc.Type
				continue
			}
			cols = append(cols, Column{Name: cc.Name, Description: cc.Comment, DataType: cc.Type})
		}
		n.Columns = cols
	}
}
