package onboard

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/warehouse/snowflake"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// protectedChunks lists the text of every part of profiles.yml an edit of spec must leave as
// it is: the lines before the first profile, every other profile, the profile's other keys
// and its other targets. A chunk runs from its key's line to the last line of content before
// the next key (comments and blank lines after it may see new lines inserted before them).
// It reads key positions from the parser and nothing else from the code under test.
func protectedChunks(t testing.TB, body []byte, spec TargetSpec) []string {
	f, err := parser.ParseBytes(bytes.ReplaceAll(body, []byte("\r\n"), []byte("\n")), 0)
	if err != nil || len(f.Docs) != 1 {
		return nil
	}
	root, ok := f.Docs[0].Body.(*ast.MappingNode)
	if !ok || root.IsFlowStyle {
		return nil
	}
	lines := strings.SplitAfter(string(body), "\n")
	keyLine := func(v *ast.MappingValueNode) int { return v.Key.GetToken().Position.Line - 1 }
	isContent := func(l string) bool {
		s := strings.TrimSpace(l)
		return s != "" && !strings.HasPrefix(s, "#")
	}
	var chunks []string
	chunk := func(from, to int) { // lines[from:to], trailing comments and blanks dropped
		for to > from+1 && !isContent(lines[to-1]) {
			to--
		}
		chunks = append(chunks, strings.Join(lines[from:to], ""))
	}
	var walk func(m *ast.MappingNode, end int, skip func(key string) (descend *ast.MappingNode, skipped bool))
	walk = func(m *ast.MappingNode, end int, skip func(string) (*ast.MappingNode, bool)) {
		for i, v := range m.Values {
			to := end
			if i+1 < len(m.Values) {
				to = keyLine(m.Values[i+1])
			}
			from := keyLine(v)
			if to <= from {
				continue // several keys on one line: nothing line-based to protect
			}
			if sub, skipped := skip(keyText(v.Key)); skipped {
				if sub != nil && !sub.IsFlowStyle {
					walk(sub, to, func(k string) (*ast.MappingNode, bool) {
						if k == "target" {
							return nil, true
						}
						if k == "outputs" {
							if om := blockMapping(valueOf(sub, "outputs")); om != nil {
								walk(om, lastKeyEnd(sub, "outputs", to), func(k string) (*ast.MappingNode, bool) { return nil, k == spec.Target })
							}
							return nil, true
						}
						return nil, false
					})
				}
				continue
			}
			chunk(from, to)
		}
	}
	if len(root.Values) > 0 && keyLine(root.Values[0]) > 0 {
		chunk(0, keyLine(root.Values[0]))
	}
	walk(root, len(lines), func(k string) (*ast.MappingNode, bool) {
		if k != spec.Profile {
			return nil, false
		}
		return blockMapping(valueOf(root, k)), true
	})
	return chunks
}

func valueOf(m *ast.MappingNode, key string) ast.Node {
	var found ast.Node
	for _, v := range m.Values {
		if keyText(v.Key) == key {
			found = v.Value
		}
	}
	return found
}

// lastKeyEnd is where key's part of m ends: the next key's line, or end.
func lastKeyEnd(m *ast.MappingNode, key string, end int) int {
	for i, v := range m.Values {
		if keyText(v.Key) == key && i+1 < len(m.Values) {
			end = m.Values[i+1].Key.GetToken().Position.Line - 1
		}
	}
	return end
}

// assertFaithful checks an edit of src into out: the new target is there as spec says, every
// protected chunk of src is in out byte for byte, the line endings and the byte-order mark are
// the file's own.
func assertFaithful(t testing.TB, src, out []byte, spec TargetSpec) {
	t.Helper()
	bom, body := splitBOM(src)
	if !bytes.HasPrefix(out, bom) || (len(bom) == 0 && bytes.HasPrefix(out, []byte("\xef\xbb\xbf"))) {
		t.Fatalf("byte-order mark not kept\n--- in\n%q\n--- out\n%q", src, out)
	}
	outBody := out[len(bom):]
	var doc map[string]any
	if err := yaml.Unmarshal(outBody, &doc); err != nil {
		t.Fatalf("result is not YAML: %v\n%s", err, out)
	}
	prof, _ := doc[spec.Profile].(map[string]any)
	outputs, _ := prof["outputs"].(map[string]any)
	if got := normalise(outputs[spec.Target]); !equalDecoded(got, normalise(specValue(spec))) {
		t.Fatalf("target is %v\n--- out\n%s", got, out)
	}
	for _, c := range protectedChunks(t, body, spec) {
		if !bytes.Contains(outBody, []byte(c)) {
			t.Fatalf("bytes outside the edited keys changed: %q is gone\n--- in\n%q\n--- out\n%q", c, src, out)
		}
	}
	crlf := bytes.Count(body, []byte("\r\n"))
	lf := bytes.Count(body, []byte("\n")) - crlf
	outCRLF := bytes.Count(outBody, []byte("\r\n"))
	outLF := bytes.Count(outBody, []byte("\n")) - outCRLF
	if lf == 0 && crlf > 0 && outLF > 0 {
		t.Fatalf("a CRLF file got LF lines\n%q", out)
	}
	if crlf == 0 && outCRLF > crlf {
		t.Fatalf("an LF file got CRLF lines\n%q", out)
	}
}

func equalDecoded(a, b any) bool {
	am, _ := a.(map[string]any)
	bm, _ := b.(map[string]any)
	if len(am) != len(bm) || am == nil {
		return false
	}
	for k, v := range bm {
		if am[k] != v {
			return false
		}
	}
	return true
}

func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// TestMergeKeepsBytes edits real-looking profiles.yml files of every shape and checks, besides
// assertFaithful, the exact text where it matters.
func TestMergeKeepsBytes(t *testing.T) {
	devSnowflake := `    dev:
      type: snowflake
      account: ab12345.eu-west-1
      user: jane@example.com
      authenticator: externalbrowser
      role: TRANSFORMER
      warehouse: TRANSFORMING
      database: SANDBOX_JANE
      schema: PUBLIC
      threads: 8
`
	cases := []struct {
		name, src string
		// want is the exact result, or "" to rely on assertFaithful alone.
		want string
	}{
		{
			name: "crlf_replace_fields",
			src: crlf(`# Profiles for the shop project.
# Ask #data-platform for access.

shop:
  target: dev   # mine
  outputs:

    # production: CI only
    prod:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS

    dev:
      type: snowflake
      account: ab12345.eu-west-1   # EU account
      user: jane@example.com
      authenticator: externalbrowser
      role: TRANSFORMER
      warehouse: TRANSFORMING
      database: ANALYTICS      # wrong: prod!
      schema: PUBLIC
      threads: 8
`),
			want: crlf(`# Profiles for the shop project.
# Ask #data-platform for access.

shop:
  target: dev   # mine
  outputs:

    # production: CI only
    prod:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS

    dev:
      type: snowflake
      account: ab12345.eu-west-1   # EU account
      user: jane@example.com
      authenticator: externalbrowser
      role: TRANSFORMER
      warehouse: TRANSFORMING
      database: SANDBOX_JANE
      schema: PUBLIC
      threads: 8
`),
		},
		{
			name: "crlf_new_target_after_comments",
			src: crlf(`shop:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS
      # threads: 4

# the marketing team's profile
marketing:
  outputs:
    dev: {type: duckdb, path: m.duckdb}
`),
			want: crlf(`shop:
  target: prod
  outputs:
    prod:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS
      # threads: 4
` + devSnowflake + `
# the marketing team's profile
marketing:
  outputs:
    dev: {type: duckdb, path: m.duckdb}
`),
		},
		{
			name: "four_space_indent_no_outputs",
			src: `shop:
    # set by the platform team
    config:
        send_anonymous_usage_stats: false
`,
			want: `shop:
    # set by the platform team
    config:
        send_anonymous_usage_stats: false
    target: dev
    outputs:
        dev:
            type: snowflake
            account: ab12345.eu-west-1
            user: jane@example.com
            authenticator: externalbrowser
            role: TRANSFORMER
            warehouse: TRANSFORMING
            database: SANDBOX_JANE
            schema: PUBLIC
            threads: 8
`,
		},
		{
			name: "no_default_target",
			src: `shop:
  outputs:
    ci:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS_CI
`,
			want: `shop:
  target: dev
  outputs:
    ci:
      type: snowflake
      account: ab12345.eu-west-1
      database: ANALYTICS_CI
` + devSnowflake,
		},
		{
			name: "profile_empty_with_comment_no_final_newline",
			src:  "other:\n  outputs:\n    dev: {type: duckdb}\nshop:   # fill me in",
			want: "other:\n  outputs:\n    dev: {type: duckdb}\nshop:   # fill me in\n  target: dev\n  outputs:\n" + devSnowflake,
		},
		{
			name: "explicit_nulls",
			src:  "shop:\n  target: ~\n  outputs: null\nother: 1\n",
			want: "shop:\n  target: dev\n  outputs:\n" + devSnowflake + "other: 1\n",
		},
		{
			name: "flow_target_replaced",
			src:  "shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: dev.duckdb}\n    ci: {type: duckdb, path: ci.duckdb}\n",
			want: "shop:\n  target: dev\n  outputs:\n" + devSnowflake + "    ci: {type: duckdb, path: ci.duckdb}\n",
		},
		{
			name: "other_target_with_compact_list_and_block_scalar",
			src: `shop:
  target: dev
  outputs:
    ci:
      type: snowflake
      query_tag: |
        ci run
        # not a comment: part of the tag
      client_session_keep_alive: true
    dev:
      type: snowflake
      password: "{{ env_var('OLD') }}"
      extra_keys:
      - a
      - b
other:
  outputs:
    x: {type: duckdb}
`,
		},
		{
			name: "anchor_and_merge_keys",
			src: `defaults: &defaults
  type: snowflake
  account: ab12345.eu-west-1
shop:
  target: dev
  outputs:
    dev:
      <<: *defaults
      database: ANALYTICS
`,
		},
		{
			name: "quoted_keys_and_unicode",
			src:  "\"shop\":\n  target: dev\n  outputs:\n    'dev':\n      type: snowflake\n      user: jöhn@example.com\n      database: SANDBOX_JÖHN\n# é\nautre:\n  outputs: {}\n",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, changed, err := MergeProfileYAML([]byte(tc.src), snowflakeSpec())
			if err != nil || !changed {
				t.Fatalf("changed=%v err=%v", changed, err)
			}
			assertFaithful(t, []byte(tc.src), out, snowflakeSpec())
			if tc.want != "" && string(out) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", out, tc.want)
			}
			again, changed, err := MergeProfileYAML(out, snowflakeSpec())
			if err != nil || changed || !bytes.Equal(again, out) {
				t.Errorf("second merge changed=%v err=%v", changed, err)
			}
		})
	}
}

func TestMergeRefusesWhatItCannotEditFaithfully(t *testing.T) {
	for name, src := range map[string]string{
		"flow root":    "{shop: {outputs: {}}}\n",
		"flow outputs": "shop:\n  outputs: {ci: {type: duckdb}}\n",
		"two docs":     "shop:\n  target: dev\n---\nother: {}\n",
		"in a list":    "shop:\n  outputs:\n    - dev: 1\n",
	} {
		before := []byte(src)
		_, _, err := MergeProfileYAML(before, snowflakeSpec())
		if err == nil || !strings.Contains(err.Error(), "nothing was written") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestMergeBOM: a profiles.yml saved with a UTF-8 byte-order mark is read (dbt reads it) and
// keeps its mark.
func TestMergeBOM(t *testing.T) {
	src := append([]byte("\xef\xbb\xbf"), []byte(crlf("shop:\n  target: dev\n  outputs:\n    ci:\n      type: duckdb\n"))...)
	out, changed, err := MergeProfileYAML(src, snowflakeSpec())
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	assertFaithful(t, src, out, snowflakeSpec())
	if !bytes.HasPrefix(out, []byte("\xef\xbb\xbfshop:\r\n")) {
		t.Errorf("%q", out)
	}
}

// TestMergeTargetThroughSymlink: a profiles.yml kept in a dotfiles repository and linked into
// ~/.dbt stays a link; the file it points to is changed (and backed up), and the result says
// which file that was. Leftovers of killed writes beside it are removed.
func TestMergeTargetThroughSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "dbt", "profiles.yml")
	os.MkdirAll(filepath.Dir(real), 0o700)
	src := crlf("# mine\nshop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      database: ANALYTICS\n")
	os.WriteFile(real, []byte(src), 0o640)
	os.WriteFile(filepath.Join(filepath.Dir(real), ".profiles.yml.tmp4242"), []byte("half"), 0o600)
	link := filepath.Join(dir, ".dbt", "profiles.yml")
	os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)
	res, err := MergeTarget(link, snowflakeSpec(), now)
	if err != nil || !res.Changed {
		t.Fatalf("%+v %v", res, err)
	}
	if res.Path != real || res.Backup != real+".bak-20261129-093000" {
		t.Errorf("result %+v, want the link's target %s", res, real)
	}
	if st, _ := os.Lstat(link); st.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	out, _ := os.ReadFile(real)
	assertFaithful(t, []byte(src), out, snowflakeSpec())
	if b, _ := os.ReadFile(res.Backup); string(b) != src {
		t.Error("backup is not the old file")
	}
	assertMode(t, real, 0o640)
	entries, _ := os.ReadDir(filepath.Dir(real))
	if len(entries) != 2 {
		t.Errorf("beside the file: %v (the killed write's leftover should be gone)", entries)
	}
}

// TestReadProfileByteOrderMark: the onboarding checks read a profiles.yml with a byte-order
// mark (and CRLF) as dbt does.
func TestReadProfileByteOrderMark(t *testing.T) {
	plain, err := os.ReadFile("../demo/project/profiles.yml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "profiles.yml")
	os.WriteFile(path, append([]byte("\xef\xbb\xbf"), crlf(string(plain))...), 0o600)
	prof, targets, err := readProfile(path, "cashback", func(string) (string, bool) { return "", false })
	if err != nil || prof.DefaultTarget != "dev" || targets["dev"].get("path") != "warehouse/sandbox.duckdb" {
		t.Fatalf("%+v %+v %v", prof, targets, err)
	}
}

// TestFixProfileThroughSymlink: with ~/.dbt/profiles.yml a link into a dotfiles folder, the
// onboarding fix changes the file the link points to, keeps the link, and the check names
// both, so the person knows which file changed.
func TestFixProfileThroughSymlink(t *testing.T) {
	te := newTestEnv(t, envOpts{})
	real := te.write("home/dotfiles/profiles.yml", "# mine\r\nmarketing:\r\n  outputs:\r\n    dev: {type: duckdb, path: m.duckdb}\r\n")
	link := filepath.Join(te.home, ".dbt", "profiles.yml")
	os.MkdirAll(filepath.Dir(link), 0o700)
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, _ := Find(Steps(te.env), StepProfile)
	in := Input{"account": "ab12345", "user": "jane.doe@example.com", "auth": snowflake.AuthSSO, "warehouse": "WH", "role": "TRANSFORMER"}
	if err := s.Fix(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatal("the link was replaced by a file")
	}
	b, _ := os.ReadFile(real)
	if !strings.HasPrefix(string(b), "# mine\r\nmarketing:\r\n  outputs:\r\n    dev: {type: duckdb, path: m.duckdb}\r\n") || !strings.Contains(string(b), "database: SANDBOX_JANE_DOE\r\n") {
		t.Fatalf("the link's target:\n%q", b)
	}
	if r := te.check(StepProfile); !strings.Contains(r.Checked, link+" → "+real) {
		t.Errorf("the check does not say which file: %q", r.Checked)
	}
}
