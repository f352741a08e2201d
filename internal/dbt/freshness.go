package dbt

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Stale lists the results dbt found too old (warn or error), the most severe first, then the
// oldest.
func (sf *SourceFreshness) Stale() []FreshnessResult {
	if sf == nil {
		return nil
	}
	var out []FreshnessResult
	for _, r := range sf.Results {
		if r.Stale() {
			out = append(out, r)
		}
	}
	sortBySeverity(out)
	return out
}

// Counts tallies the results by status.
func (sf *SourceFreshness) Counts() map[string]int {
	out := map[string]int{}
	if sf == nil {
		return out
	}
	for _, r := range sf.Results {
		out[r.Status]++
	}
	return out
}

// Add puts r in the report, replacing a result for the same table. `datatui freshness` uses
// it for runtime errors, which dbt reports in its log but leaves out of sources.json.
func (sf *SourceFreshness) Add(r FreshnessResult) {
	if old, ok := sf.ByID[r.UniqueID]; ok {
		*old = r
		return
	}
	sf.Results = append(sf.Results, r)
	sf.index()
}

// LastLoad is the newest MaxLoadedAt of every table checked: the last time any load landed.
func (sf *SourceFreshness) LastLoad() time.Time {
	var t time.Time
	if sf == nil {
		return t
	}
	for _, r := range sf.Results {
		if r.MaxLoadedAt.After(t) {
			t = r.MaxLoadedAt
		}
	}
	return t
}

func severity(status string) int {
	switch status {
	case FreshnessError:
		return 3
	case FreshnessRuntimeError:
		return 2
	case FreshnessWarn:
		return 1
	}
	return 0
}

// sortBySeverity orders results error, runtime error, warn, pass; within one status the
// oldest first, then by name.
func sortBySeverity(rs []FreshnessResult) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if sa, sb := severity(a.Status), severity(b.Status); sa != sb {
			return sa > sb
		}
		if a.Age != b.Age {
			return a.Age > b.Age
		}
		return a.Name < b.Name
	})
}

// SortedResults are the results ordered as a report lists them: the worst first.
func (sf *SourceFreshness) SortedResults() []FreshnessResult {
	if sf == nil {
		return nil
	}
	out := append([]FreshnessResult(nil), sf.Results...)
	sortBySeverity(out)
	return out
}

// StaleUpstream finds, for every node downstream of a stale source, the most severe and then
// oldest stale source it is built from. The map is keyed by node index; sources themselves are
// not in it (their own result says it).
func StaleUpstream(g *Graph, sf *SourceFreshness) map[int]FreshnessResult {
	out := map[int]FreshnessResult{}
	if g == nil || sf == nil {
		return out
	}
	worse := func(a, b FreshnessResult) bool {
		if sa, sb := severity(a.Status), severity(b.Status); sa != sb {
			return sa > sb
		}
		return a.Age > b.Age
	}
	for _, r := range sf.Stale() {
		src, ok := g.Index(r.UniqueID)
		if !ok {
			continue
		}
		// Stale() is ordered worst first, so a node already reached has a result at least as
		// bad; its descendants were reached from it too.
		queue := []int{src}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for _, c := range g.Children(i) {
				ci := int(c)
				if have, seen := out[ci]; seen && !worse(r, have) {
					continue
				}
				out[ci] = r
				queue = append(queue, ci)
			}
		}
	}
	return out
}

// FormatAge is a short age: "45 min", "26 h", "3 d" (hours up to two days, as freshness
// thresholds are usually written in hours).
func FormatAge(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

// Headline is one stale table as a line says it: "app.transactions 26 h, error after 24 h".
func (r *FreshnessResult) Headline() string {
	s := r.Name + " " + FormatAge(r.Age)
	if t := r.Exceeded(); t != nil {
		s += fmt.Sprintf(", %s after %s", r.Status, FormatAge(t.Duration()))
	}
	return s
}

// Summary is the report in one line: "2 sources stale: app.transactions 26 h, error after
// 24 h; app.offers 14 h, warn after 12 h" or "4 sources fresh".
func (sf *SourceFreshness) Summary() string {
	stale := sf.Stale()
	if len(stale) == 0 {
		n := len(sf.Results)
		if f := sf.Counts()[FreshnessRuntimeError]; f > 0 {
			return fmt.Sprintf("%d of %d sources could not be checked", f, n)
		}
		return Plural(n, "source", "sources") + " fresh"
	}
	parts := make([]string, len(stale))
	for i := range stale {
		parts[i] = stale[i].Headline()
	}
	return Plural(len(stale), "source", "sources") + " stale: " + strings.Join(parts, "; ")
}
