package onboard

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"
	"github.com/goccy/go-yaml"
)

func snowflakeSpec() TargetSpec {
	return TargetSpec{Profile: "shop", Target: "dev", Fields: []KV{
		{"type", "snowflake"}, {"account", "ab12345.eu-west-1"}, {"user", "jane@example.com"},
		{"authenticator", "externalbrowser"}, {"role", "TRANSFORMER"}, {"warehouse", "TRANSFORMING"},
		{"database", "SANDBOX_JANE"}, {"schema", "PUBLIC"}, {"threads", 8},
	}}
}

func passwordSpec() TargetSpec {
	s := snowflakeSpec()
	s.Fields[3] = KV{"password", PasswordRef}
	return s
}

func TestMergeProfileYAMLGoldens(t *testing.T) {
	cases := []struct {
		name string
		spec TargetSpec
	}{
		{"empty", snowflakeSpec()},
		{"comments_only", snowflakeSpec()},
		{"other_profiles", snowflakeSpec()},
		{"profile_other_targets", passwordSpec()},
		{"profile_replace_target", snowflakeSpec()},
		{"profile_without_outputs", snowflakeSpec()},
		{"profile_null", snowflakeSpec()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", "profiles", tc.name+".yml"))
			if err != nil {
				t.Fatal(err)
			}
			out, changed, err := MergeProfileYAML(src, tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			if !changed {
				t.Fatal("reported unchanged")
			}
			golden.RequireEqual(t, out)

			// Every comment of the input survives.
			for _, line := range strings.Split(string(src), "\n") {
				if i := strings.Index(line, "# "); i >= 0 {
					// (the replaced target's own lines go with it)
					if c := strings.TrimSpace(line[i:]); c != "# old, to be replaced" && !strings.Contains(string(out), c) {
						t.Errorf("comment %q lost", c)
					}
				}
			}
			// Idempotent: merging the same target again changes nothing.
			again, changed, err := MergeProfileYAML(out, tc.spec)
			if err != nil || changed || string(again) != string(out) {
				t.Errorf("second merge: changed=%v err=%v", changed, err)
			}
			// The merged file reads back as the target.
			var doc map[string]map[string]any
			if err := yaml.Unmarshal(out, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["shop"]["target"] == nil {
				t.Error("profile has no default target")
			}
		})
	}
}

func TestMergeProfileYAMLRefusesSecrets(t *testing.T) {
	for _, kv := range []KV{
		{"password", "hunter2"},
		{"password", "{{ env_var('X') }} and more"},
		{"private_key_passphrase", "s3cret"},
		{"token", "dapi123"},
		{"PASSWORD", "xyzzy-secret"},
	} {
		spec := snowflakeSpec()
		spec.Fields = append(spec.Fields, kv)
		_, _, err := MergeProfileYAML(nil, spec)
		if err == nil || !strings.Contains(err.Error(), "clear text") {
			t.Errorf("%v accepted: %v", kv, err)
		}
		if err != nil && strings.Contains(err.Error(), kv.Value.(string)) {
			t.Errorf("the error repeats the secret: %v", err)
		}
	}
	if _, _, err := MergeProfileYAML(nil, passwordSpec()); err != nil {
		t.Errorf("env_var password refused: %v", err)
	}
}

func TestMergeProfileYAMLBadInput(t *testing.T) {
	for _, name := range []string{"not_yaml", "not_mapping"} {
		src, _ := os.ReadFile(filepath.Join("testdata", "profiles", name+".yml"))
		if _, _, err := MergeProfileYAML(src, snowflakeSpec()); err == nil || !strings.Contains(err.Error(), "nothing was written") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := MergeProfileYAML([]byte("shop: 3\n"), snowflakeSpec()); err == nil || !strings.Contains(err.Error(), "not a mapping") {
		t.Errorf("scalar profile: %v", err)
	}
	if _, _, err := MergeProfileYAML(nil, TargetSpec{Profile: "shop", Target: "dev", Fields: []KV{{"account", "x"}}}); err == nil {
		t.Error("a target without type accepted")
	}
}

func TestMergeTargetFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".dbt", "profiles.yml")
	now := time.Date(2026, 11, 29, 9, 30, 0, 0, time.UTC)

	// A new file: created 0600, no backup.
	res, err := MergeTarget(path, passwordSpec(), now)
	if err != nil || !res.Changed || res.Backup != "" {
		t.Fatalf("%+v %v", res, err)
	}
	assertMode(t, path, 0o600)
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), "DBT_ENV_SECRET_PASSWORD") || !strings.HasPrefix(string(b), "# dbt profiles") {
		t.Errorf("new file:\n%s", b)
	}

	// The same again: nothing written, no backup.
	res, err = MergeTarget(path, passwordSpec(), now.Add(time.Minute))
	if err != nil || res.Changed || res.Backup != "" {
		t.Fatalf("second run: %+v %v", res, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("second run left files: %v", entries)
	}

	// A change: the old file is backed up (0600, timestamped) and replaced atomically.
	res, err = MergeTarget(path, snowflakeSpec(), now.Add(time.Hour))
	if err != nil || !res.Changed || !strings.HasSuffix(res.Backup, "profiles.yml.bak-20261129-103000") {
		t.Fatalf("change: %+v %v", res, err)
	}
	old, _ := os.ReadFile(res.Backup)
	if string(old) != string(b) {
		t.Error("backup is not the previous file")
	}
	assertMode(t, res.Backup, 0o600)
	assertMode(t, path, 0o600)

	// Same second again with another change: a second backup, not an overwrite.
	spec := snowflakeSpec()
	spec.Fields[5] = KV{"warehouse", "OTHER_WH"}
	res2, err := MergeTarget(path, spec, now.Add(time.Hour))
	if err != nil || res2.Backup == res.Backup || res2.Backup == "" {
		t.Fatalf("backup overwritten: %+v %v", res2, err)
	}
}

func TestMergeTargetUnreadableWritesNothing(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		// root reads files whatever their mode; a folder stands in for an unreadable file.
		dir := t.TempDir()
		path := filepath.Join(dir, "profiles.yml")
		os.Mkdir(path, 0o700)
		_, err := MergeTarget(path, snowflakeSpec(), time.Now())
		if err == nil || !strings.Contains(err.Error(), "nothing was written") {
			t.Fatalf("err = %v", err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("files written: %v", entries)
		}
		return
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.yml")
	os.WriteFile(path, []byte("shop: {}\n"), 0o000)
	_, err := MergeTarget(path, snowflakeSpec(), time.Now())
	if err == nil || !strings.Contains(err.Error(), "cannot read") || !strings.Contains(err.Error(), "nothing was written") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files written: %v", entries)
	}
}

func TestMergeTargetBrokenYAMLWritesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "profiles.yml")
	src, _ := os.ReadFile(filepath.Join("testdata", "profiles", "not_yaml.yml"))
	os.WriteFile(path, src, 0o600)
	_, err := MergeTarget(path, snowflakeSpec(), time.Now())
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "not valid YAML") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(path)
	if string(after) != string(src) {
		t.Error("file changed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files written: %v", entries)
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != want {
		t.Errorf("%s mode %v (%v), want %v", path, st.Mode().Perm(), err, want)
	}
}

// FuzzMergeProfileYAML: whatever profiles.yml holds, the merge never panics; when it succeeds
// the result holds the target, no byte outside the edited keys changed (see assertFaithful),
// and merging again changes nothing.
func FuzzMergeProfileYAML(f *testing.F) {
	for _, name := range []string{"empty", "comments_only", "other_profiles", "profile_other_targets", "profile_replace_target", "profile_without_outputs", "profile_null", "not_yaml"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "profiles", name+".yml"))
		f.Add(b)
		f.Add([]byte(strings.ReplaceAll(string(b), "\n", "\r\n")))
	}
	f.Add([]byte("shop: &a\n  target: dev\nx: *a\n"))
	f.Add([]byte("'shop':\n  outputs: {dev: {type: duckdb}}\n"))
	f.Add([]byte("\xef\xbb\xbfshop:\r\n  outputs:\r\n    dev:\r\n      type: duckdb\r\n      # x\r\n\r\n# y\r\nz: 1"))
	f.Add([]byte("shop:\n  outputs:\n    dev:\n      type: snowflake\n      q: |\n        a\n        # b\n      l:\n      - 1\n    ci: {}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		out, changed, err := MergeProfileYAML(src, snowflakeSpec())
		if err != nil || !changed {
			return
		}
		assertFaithful(t, src, out, snowflakeSpec())
		again, changed, err := MergeProfileYAML(out, snowflakeSpec())
		if err != nil || changed || string(again) != string(out) {
			t.Fatalf("merge not stable: changed=%v err=%v\n--- in\n%s\n--- out\n%s", changed, err, src, out)
		}
	})
}
