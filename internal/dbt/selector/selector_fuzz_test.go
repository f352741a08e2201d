package selector

import (
	"errors"
	"testing"
)

func FuzzParseSelection(f *testing.F) {
	for _, s := range []string{"orders", "+orders+", "2+orders+3", "@source:raw", "tag:nightly,config.materialized:table",
		"path:models/**/stg_*", "state:modified.body+", "foo:bar", "@a+", "a,,b", "config:x", "models\\staging", "+", "@", ",",
		"test_type:data", "source:a.b.c.d", "9999999999999999999999+x", "x+9999999999999999999999", "unit_test:p.m.n"} {
		f.Add(s, "")
	}
	f.Add("orders customers", "stg_orders")
	g := loadShop(f)
	f.Fuzz(func(t *testing.T, sel, exc string) {
		var excl []string
		if exc != "" {
			excl = []string{exc}
		}
		s, err := ParseSelection([]string{sel}, excl)
		if err != nil {
			var se *SelectorError
			if !errors.As(err, &se) {
				t.Fatalf("error is not a SelectorError: %v", err)
			}
			if se.Pos < 0 || se.Pos > len(se.Arg) {
				t.Fatalf("position %d outside %q", se.Pos, se.Arg)
			}
			return
		}
		for _, n := range s.Notes {
			if n.Pos < 0 || n.Pos > len(n.Arg) {
				t.Fatalf("note position %d outside %q", n.Pos, n.Arg)
			}
		}
		// Any parsed selection evaluates without panicking, the same over the columns.
		_, _ = selectChecked(t, g, s, SelectOptions{})
	})
}
