package warehouse

import (
	"sort"
	"time"

	"github.com/datatui/datatui/internal/dbt"
)

// NewerLoads are the source tables whose newest row, as dbt's last freshness check saw it,
// arrived after the sandbox was copied: data the sandbox's copy does not have. Newest first.
// None when the copy's date or the check is unknown (datatui cannot tell, so it says nothing
// rather than guess).
func NewerLoads(copied time.Time, sf *dbt.SourceFreshness) []dbt.FreshnessResult {
	if copied.IsZero() || sf == nil {
		return nil
	}
	var out []dbt.FreshnessResult
	for _, r := range sf.Results {
		if !r.MaxLoadedAt.IsZero() && r.MaxLoadedAt.After(copied) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MaxLoadedAt.After(out[j].MaxLoadedAt) })
	return out
}

// NewerLoadsLine says it in one sentence: "Your copy is older than the last load:
// app.transactions got rows 2 h ago, and 2 more sources". Empty when no source did.
func NewerLoadsLine(newer []dbt.FreshnessResult, now time.Time) string {
	if len(newer) == 0 {
		return ""
	}
	l := "Your copy is older than the last load: " + newer[0].Name + " got rows " + dbt.FormatAge(now.Sub(newer[0].MaxLoadedAt)) + " ago"
	if n := len(newer) - 1; n > 0 {
		l += ", and " + dbt.Plural(n, "more source", "more sources")
	}
	return l
}
