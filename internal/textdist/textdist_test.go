package textdist

import (
	"strings"
	"testing"
)

func TestLevenshtein(t *testing.T) {
	long := strings.Repeat("a", 65)
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"stg_users", "stg_users", 0},
		{"stg_user", "stg_users", 1},
		{"kitten", "sitting", 3},
		{"your-sandbox", "yuor-sandbox", 2},
		{"", "abc", 3},
		{long, long, 0},
		{long, "a", 65},
	}
	for _, tt := range tests {
		if got := Levenshtein(tt.a, tt.b); got != tt.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestWithinAgreesWithLevenshtein: for every pair and limit, Within gives Levenshtein's answer
// when it is at most the limit, and says no otherwise.
func TestWithinAgreesWithLevenshtein(t *testing.T) {
	words := []string{"", "a", "ab", "stg_users", "stg_user", "stg_usres", "kitten", "sitting", "orders", "order_items",
		"fct_orders", "customers", strings.Repeat("a", 65), strings.Repeat("a", 64), "your-sandbox", "yuor-sandbox"}
	for _, a := range words {
		for _, b := range words {
			want := Levenshtein(a, b)
			for limit := range 12 {
				d, ok := Within(a, b, limit)
				if ok != (want <= limit) || ok && d != want {
					t.Errorf("Within(%q, %q, %d) = %d, %v; Levenshtein %d", a, b, limit, d, ok, want)
				}
			}
		}
	}
}

// FuzzWithin: the same on any strings.
func FuzzWithin(f *testing.F) {
	f.Add("kitten", "sitting", 3)
	f.Fuzz(func(t *testing.T, a, b string, limit int) {
		limit = max(0, limit%70)
		want := Levenshtein(a, b)
		if d, ok := Within(a, b, limit); ok != (want <= limit) || ok && d != want {
			t.Fatalf("Within(%q, %q, %d) = %d, %v; Levenshtein %d", a, b, limit, d, ok, want)
		}
	})
}
