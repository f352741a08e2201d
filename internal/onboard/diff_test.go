package onboard

import (
	"reflect"
	"testing"
)

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, before, after string
		want                []string
	}{
		{"equal", "a\nb\n", "a\nb\n", nil},
		{"new file", "", "shop:\n  target: dev\n", []string{"+ shop:", "+   target: dev"}},
		{"one key changed", "p:\n  a: 1\n  b: 2\n  c: 3\n  d: 4\n  e: 5\n", "p:\n  a: 1\n  b: 2\n  c: 9\n  d: 4\n  e: 5\n",
			[]string{"    b: 2", "-   c: 3", "+   c: 9", "    d: 4"}},
		{"two hunks", "1\n2\n3\n4\n5\n6\n7\n", "0\n1\n2\n3\n4\n5\n6\n7\n8\n", []string{"+ 0", "  1", "…", "  7", "+ 8"}},
		{"crlf", "a\r\nb\r\n", "a\nb\n", nil},
	}
	for _, tt := range tests {
		if got := LineDiff(tt.before, tt.after, 1); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
