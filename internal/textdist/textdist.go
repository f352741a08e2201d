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

// Within is Levenshtein(a, b) when that is at most limit (ok), and ok false otherwise. It
// stops as soon as the distance must exceed limit (lengths too far apart, or a row of the table
// already past it: every path through the table crosses each row, and no step makes it
// shorter) and allocates nothing, so a "did you mean" over every name of a large project
// costs little.
func Within(a, b string, limit int) (d int, ok bool) {
	if len(a) > 64 || len(b) > 64 {
		d = Levenshtein(a, b)
		return d, d <= limit
	}
	if len(a)-len(b) > limit || len(b)-len(a) > limit {
		return 0, false
	}
	var rows [2][65]int
	prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > limit {
			return 0, false
		}
		prev, cur = cur, prev
	}
	d = prev[len(b)]
	return d, d <= limit
}
