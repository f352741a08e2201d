package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// TestLsMatchesRealDBT replays the 17 real `dbt ls` runs of dbt 1.8.8 on jaffle-shop
// (real-dbt/jaffle-parse/ls): datatui ls with the same arguments over the manifest of that
// parse must list the same nodes in the same order, with the same values for every key it
// prints, and the same selection warnings.
func TestLsMatchesRealDBT(t *testing.T) {
	dir := fixtures.Path(t, "real-dbt/jaffle-parse/ls")
	manifest := filepath.Join(dir, "..", "manifest.json")
	index, err := os.ReadFile(filepath.Join(dir, "index.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	runs := 0
	for _, line := range strings.Split(strings.TrimSpace(string(index)), "\n") {
		n, args, _ := strings.Cut(line, "\t")
		runs++
		t.Run(n, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, n+".txt"))
			if err != nil {
				t.Fatal(err)
			}
			argv := append([]string{"ls", "--manifest", manifest, "--output", "json"}, shellWords(args)...)
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), argv, strings.NewReader(""), &stdout, &stderr); code != 0 {
				t.Fatalf("datatui %s: exit %d: %s", strings.Join(argv, " "), code, stderr.String())
			}
			wantNodes, wantEvents := dbtLsOutput(t, want)
			gotNodes, gotEvents := dbtLsOutput(t, stdout.Bytes())
			if len(gotNodes) != len(wantNodes) {
				t.Fatalf("%d nodes, dbt listed %d", len(gotNodes), len(wantNodes))
			}
			for k, g := range gotNodes {
				w := wantNodes[k]
				if g["unique_id"] != w["unique_id"] {
					t.Fatalf("line %d: %v, dbt %v", k+1, g["unique_id"], w["unique_id"])
				}
				for key, gv := range g {
					wv, ok := w[key]
					if !ok {
						t.Errorf("%v: key %s is not in dbt's output", g["unique_id"], key)
						continue
					}
					if !subsetOf(gv, wv) {
						t.Errorf("%v: %s = %v, dbt %v", g["unique_id"], key, gv, wv)
					}
				}
				for key := range w {
					if _, ok := g[key]; !ok && key != "config" {
						t.Errorf("%v: dbt prints %s, datatui does not", g["unique_id"], key)
					}
				}
			}
			// With --log-format json the selection warnings are dbt's events.
			if strings.Contains(args, "--log-format json") && !reflect.DeepEqual(gotEvents, wantEvents) {
				t.Errorf("events %v, dbt %v", gotEvents, wantEvents)
			}
		})
	}
	if runs != 17 {
		t.Errorf("%d runs, want 17", runs)
	}
}

// dbtLsOutput reads dbt ls output: JSON lines of nodes, or dbt log events (ListCmdOut
// carrying a node); text log lines are skipped. Events other than ListCmdOut come back as
// "name code level msg" for the selection events only.
func dbtLsOutput(t *testing.T, b []byte) (nodes []map[string]any, events []string) {
	t.Helper()
	for _, line := range strings.Split(string(b), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		info, isEvent := m["info"].(map[string]any)
		if !isEvent {
			nodes = append(nodes, m)
			continue
		}
		switch name := info["name"].(string); name {
		case "ListCmdOut":
			var node map[string]any
			if err := json.Unmarshal([]byte(m["data"].(map[string]any)["msg"].(string)), &node); err != nil {
				t.Fatal(err)
			}
			nodes = append(nodes, node)
		case "NoNodesForSelectionCriteria", "NoNodesSelected":
			events = append(events, strings.Join([]string{name, info["code"].(string), info["level"].(string), info["msg"].(string)}, " "))
		}
	}
	return nodes, events
}

// subsetOf reports whether got holds only what want holds: equal scalars and lists, objects
// whose keys all exist in want with subset values (datatui leaves out empty config values
// dbt prints as null or {}).
func subsetOf(got, want any) bool {
	gm, ok := got.(map[string]any)
	if !ok {
		return reflect.DeepEqual(got, want)
	}
	wm, ok := want.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range gm {
		if !subsetOf(v, wm[k]) {
			return false
		}
	}
	return true
}

// shellWords splits a command line the way the recorded shell did (single quotes only).
func shellWords(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, has := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			inQuote, has = !inQuote, true
		case r == ' ' && !inQuote:
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteRune(r)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}
