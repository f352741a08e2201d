package selector

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestSelectionMatchesDBTCore replays 376 selections that dbt-core's own selection code
// (1.11.latest) answered over the shared manifests (selection/dbt-core-expected.jsonl): every
// one must give exactly dbt's unique ids, or fail where dbt fails, with and without the
// graph's SelectIndex (the selector prompt's precomputed order), and over the manifest's
// selection columns (a warm ls's new question).
func TestSelectionMatchesDBTCore(t *testing.T) {
	f, err := os.Open(fixtures.Path(t, "selection/dbt-core-expected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	graphs := map[string]*dbt.Graph{}
	indexes := map[*dbt.Graph]*SelectIndex{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	total, passed, overColumns := 0, 0, 0
	for sc.Scan() {
		var c struct {
			Manifest  string   `json:"manifest"`
			Select    string   `json:"select"`
			Exclude   string   `json:"exclude"`
			Error     bool     `json:"error"`
			UniqueIDs []string `json:"unique_ids"`
		}
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("line %d: %v", total+1, err)
		}
		total++
		g := graphs[c.Manifest]
		if g == nil {
			if g, err = dbt.LoadManifest(fixtures.Path(t, c.Manifest), dbt.LoadOptions{}); err != nil {
				t.Fatal(err)
			}
			graphs[c.Manifest] = g
			indexes[g] = PrepareSelect(g)
		}
		var exclude []string
		if c.Exclude != "" {
			exclude = []string{c.Exclude}
		}
		sel, err := ParseSelection([]string{c.Select}, exclude)
		var got []string
		if err == nil {
			got, err = Select(g, sel, SelectOptions{})
			if indexed, ierr := Select(g, sel, SelectOptions{Index: indexes[g]}); (ierr == nil) != (err == nil) || !slices.Equal(indexed, got) {
				t.Errorf("%s: -s %q: with the select index %d nodes (%v), without %d (%v)", c.Manifest, c.Select, len(indexed), ierr, len(got), err)
			}
			if _, cerr := SelectColumns(context.Background(), columnsOf(t, g), sel, SelectOptions{}); !errors.Is(cerr, ErrNeedsGraph) {
				overColumns++
				sameOverColumns(t, g, sel, SelectOptions{}, got, err)
			}
		}
		switch {
		case c.Error && err == nil:
			t.Errorf("%s: -s %q --exclude %q: dbt fails, datatui selected %d nodes", c.Manifest, c.Select, c.Exclude, len(got))
		case !c.Error && err != nil:
			t.Errorf("%s: -s %q --exclude %q: %v", c.Manifest, c.Select, c.Exclude, err)
		case !c.Error && !slices.Equal(got, c.UniqueIDs):
			t.Errorf("%s: -s %q --exclude %q:\n extra   %s\n missing %s", c.Manifest, c.Select, c.Exclude,
				strings.Join(setMinus(got, c.UniqueIDs), " "), strings.Join(setMinus(c.UniqueIDs, got), " "))
		default:
			passed++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if total < 376 {
		t.Fatalf("only %d selections in the fixture", total)
	}
	t.Logf("%d of %d selections give dbt-core's answer; %d answered over the columns too", passed, total, overColumns)
	if overColumns < total*3/4 {
		t.Errorf("only %d of %d selections were answered over the columns", overColumns, total)
	}
}

func setMinus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
