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
