// Package textdist measures how far apart two short names are, for "did you mean" suggestions
// (unknown guide slugs, unknown node names).
package textdist

// Levenshtein is the edit distance of a and b, by bytes (slugs and dbt names are ASCII).
// Strings longer than 64 bytes are compared for equality only: suggestions are for names a
// person typed, and the quadratic table is not worth it beyond that.
func Levenshtein(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		if a == b {
			return 0
		}
		return max(len(a), len(b))
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
