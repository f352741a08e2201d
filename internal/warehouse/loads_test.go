package warehouse

import (
	"os"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/dbt"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestNewerLoads compares a sandbox's copy date with a real `dbt source freshness` result:
// a copy older than a table's newest row misses that row; a newer copy misses nothing; an
// unknown date says nothing.
func TestNewerLoads(t *testing.T) {
	b, err := os.ReadFile(fixtures.Path(t, "real-dbt/jaffle-freshness/sources.json"))
	if err != nil {
		t.Fatal(err)
	}
	sf, err := dbt.ParseSourceFreshness(b)
	if err != nil {
		t.Fatal(err)
	}
	var newest, oldest time.Time
	for _, r := range sf.Results {
		if newest.IsZero() || r.MaxLoadedAt.After(newest) {
			newest = r.MaxLoadedAt
		}
		if oldest.IsZero() || r.MaxLoadedAt.Before(oldest) {
			oldest = r.MaxLoadedAt
		}
	}
	if !newest.After(oldest) {
		t.Fatalf("the recording's tables share one load time (%s): the test needs two", newest)
	}
	cases := []struct {
		name   string
		copied time.Time
		want   int
	}{
		{"copied before every load", oldest.Add(-time.Hour), len(sf.Results)},
		{"copied after every load", newest.Add(time.Second), 0},
		{"copied at the newest load", newest, 0},
		{"copy date unknown", time.Time{}, 0},
	}
	for _, tc := range cases {
		got := NewerLoads(tc.copied, sf)
		if len(got) != tc.want {
			t.Errorf("%s: %d tables newer, want %d", tc.name, len(got), tc.want)
		}
		for i := 1; i < len(got); i++ {
			if got[i].MaxLoadedAt.After(got[i-1].MaxLoadedAt) {
				t.Errorf("%s: not newest first: %v", tc.name, got)
			}
		}
	}
	between := oldest.Add(newest.Sub(oldest) / 2)
	for _, r := range NewerLoads(between, sf) {
		if !r.MaxLoadedAt.After(between) {
			t.Errorf("%s loaded %s, before the copy at %s, is reported as newer", r.Name, r.MaxLoadedAt, between)
		}
	}
	if NewerLoads(oldest.Add(-time.Hour), nil) != nil {
		t.Error("no freshness check, yet newer loads")
	}
}
