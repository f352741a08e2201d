package selector

import (
	"strings"
	"testing"
)

// isSelectedNode is dbt-core's is_selected_node (graph/selector_methods.py) transcribed line
// by line, allocations and all: the reference the allocation-free fqnPattern is checked against.
func isSelectedNode(fqn []string, sel string, versioned bool) bool {
	if versioned && len(fqn) >= 2 {
		if fqn[len(fqn)-2] == sel {
			return true
		}
		parts := strings.Split(sel, ".")
		if len(parts) > 2 {
			parts = parts[len(parts)-2:]
		}
		if fqn[len(fqn)-2]+"_"+fqn[len(fqn)-1] == strings.Join(parts, "_") {
			return true
		}
	} else if fqn[len(fqn)-1] == sel {
		return true
	}
	var flat []string
	for _, seg := range fqn {
		flat = append(flat, strings.Split(seg, ".")...)
	}
	parts := strings.Split(sel, ".")
	if len(flat) < len(parts) {
		return false
	}
	for i, p := range parts {
		if strings.ContainsAny(p, "*?[]") {
			return fnmatch(strings.Join(flat[i:], "."), strings.Join(parts[i:], "."))
		}
		if flat[i] != p {
			return false
		}
	}
	return true
}

var fqnPatternCases = []string{
	"*", "orders", "jaffle_shop", "jaffle_shop.*", "jaffle_shop.marts.*", "marts.orders", "marts",
	"staging.stg_*", "*.orders", "jaffle_shop.staging.stg_orders", "stg_?rders", "[sm]*",
	"jaffle_shop.marts.orders.extra", "dim.v2", "dim_v2", "pkg.dim.v2", "a..b", ".", "", "a.",
	"jaffle_shop.*.orders", "hubspot.*", "tuva*", "core.*", "v1", "x.y.z.w.v", "pkg.a.b*", "x.y.z*",
	"pkg.sub.d?r.*",
}

var fqnCases = [][]string{
	{"jaffle_shop", "marts", "orders"},
	{"jaffle_shop", "staging", "stg_orders"},
	{"pkg", "dim", "v2"},
	{"pkg", "a.b", "c"},
	{"pkg", "a.", "b"},
	{"pkg", "sub.dir.model"},
	{"orders"},
	{"x", "y.z", "w.v"},
}

func TestFQNPatternMatchesDBT(t *testing.T) {
	fqns := append([][]string(nil), fqnCases...)
	for _, rel := range []string{jaffle111, "manifests/fivetran-hubspot-dbt1.8/manifest.json"} {
		g := mutatedManifest(t, rel, nil)
		for _, n := range g.Nodes {
			if len(n.FQN) > 0 {
				fqns = append(fqns, n.FQN)
			}
		}
	}
	matched := 0
	for _, sel := range fqnPatternCases {
		p := newFQNPattern(sel)
		for _, fqn := range fqns {
			for _, versioned := range []bool{false, true} {
				want := isSelectedNode(fqn, sel, versioned)
				if got := p.selected(fqn, versioned); got != want {
					t.Errorf("fqn:%q on %q (versioned %v) = %v, dbt says %v", sel, fqn, versioned, got, want)
				}
				if want {
					matched++
				}
			}
		}
	}
	if matched == 0 {
		t.Fatal("no case matched: the comparison proves nothing")
	}
}

func FuzzFQNPattern(f *testing.F) {
	for _, sel := range fqnPatternCases {
		f.Add(sel, "jaffle_shop.marts.orders", false)
	}
	f.Add("pkg.dim.v2", "pkg.dim.v2", true)
	f.Fuzz(func(t *testing.T, sel, path string, versioned bool) {
		// The fqn's parts are separated by '/', so that parts can hold dots.
		fqn := strings.Split(path, "/")
		if want, got := isSelectedNode(fqn, sel, versioned), newFQNPattern(sel).selected(fqn, versioned); got != want {
			t.Fatalf("fqn:%q on %q (versioned %v) = %v, dbt says %v", sel, fqn, versioned, got, want)
		}
	})
}
