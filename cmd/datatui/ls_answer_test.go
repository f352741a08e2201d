package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/dbttest"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/testutil/fixtures"
)

// lsRun runs datatui with args and returns its exit status, stdout and stderr.
func lsRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// cacheFiles are the files of the index cache under XDG_STATE_HOME whose names end in ext.
func cacheFiles(t *testing.T, ext string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(os.Getenv("XDG_STATE_HOME"), "datatui", "cache", "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func removeAll(t *testing.T, paths []string) {
	t.Helper()
	for _, p := range paths {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
}

// TestLsAnswerIsTheListing: a listing asked again is printed from the kept answer (the index and
// the columns are not even read: removed, they are not written back) and is byte for byte what the first listing
// printed, for every output format and kind of selection; listings with warnings are never
// kept, and print their warnings again.
func TestLsAnswerIsTheListing(t *testing.T) {
	manifests := []string{dbttest.ShopManifest(t)}
	for _, p := range []string{"real-dbt/jaffle-parse/manifest.json", "manifests/tuva-dbt1.7/manifest.json"} {
		manifests = append(manifests, fixtures.Path(t, p))
	}
	cases := [][]string{
		nil,
		{"--output", "name"},
		{"--output", "path"},
		{"--output", "json"},
		{"--output", "json", "--output-keys", "name", "config.materialized", "depends_on"},
		{"-s", "+orders+", "tag:nightly", "--exclude", "resource_type:test"},
		{"--resource-type", "source", "model"},
		{"-m", "path:models/staging"},
		{"-s", "no_such_model"},
		{"-s", "no_such_model", "-q"},
		{"--log-format", "json"},
	}
	warned := 0
	for _, manifest := range manifests {
		for _, c := range cases {
			name := filepath.Base(filepath.Dir(manifest)) + "/" + strings.Join(c, " ")
			t.Run(name, func(t *testing.T) {
				t.Setenv("XDG_STATE_HOME", t.TempDir())
				args := append([]string{"ls", "--manifest", manifest}, c...)
				code1, out1, err1 := lsRun(t, args...)
				if code1 != 0 {
					t.Fatalf("exit %d: %s", code1, err1)
				}
				// Kept unless a warning was printed or the lines are dbt log events.
				want := err1 == "" && !slices.Contains(c, "--log-format")
				if err1 != "" {
					warned++
				}
				if kept := len(cacheFiles(t, ".ans")) == 1; kept != want {
					t.Fatalf("answer kept = %v (stderr %q)", kept, err1)
				}
				// Without the index and the columns, only the answer can list without a decode.
				removeAll(t, cacheFiles(t, ".idx"))
				removeAll(t, cacheFiles(t, ".sel"))
				code2, out2, err2 := lsRun(t, args...)
				if code2 != code1 || stripTimes(out2) != stripTimes(out1) || stripTimes(err2) != stripTimes(err1) {
					t.Fatalf("asked again: exit %d, %d bytes, stderr %q; first: exit %d, %d bytes, stderr %q", code2, len(out2), err2, code1, len(out1), err1)
				}
				if replayed := len(cacheFiles(t, ".idx")) == 0; replayed != want {
					t.Fatalf("printed from the answer = %v", replayed)
				}
				// Another question of the same manifest is listed from the index again.
				other := append(append([]string{}, args...), "--exclude", "resource_type:seed")
				if _, out3, _ := lsRun(t, other...); len(cacheFiles(t, ".idx")) != 1 || strings.Contains(out3, "seed:") {
					t.Fatal("another question was answered from the kept answer")
				}
			})
		}
	}
	if warned < len(manifests) {
		t.Errorf("%d listings warned: every manifest needs one that does", warned)
	}
}

// stripTimes drops dbt log events, whose timestamps and invocation ids differ per run.
func stripTimes(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, `"ts":`) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestLsAnswerKeepsNoSecret is the attack on the kept answer: a listing whose text a secret rule
// changed is not kept, and a kept listing that holds a value learned as a secret since is not
// printed again: ls lists afresh and masks it, and the answer file is replaced by nothing that
// holds it.
func TestLsAnswerKeepsNoSecret(t *testing.T) {
	const secret = "zq7_answer_secret_name"
	dir := t.TempDir()
	t.Setenv("XDG_STATE_HOME", filepath.Join(dir, "state"))
	manifest := filepath.Join(dir, "manifest.json")
	node := func(name, desc string) string {
		return `"model.p.` + name + `": {"unique_id": "model.p.` + name + `", "resource_type": "model", "package_name": "p", "name": "` + name +
			`", "fqn": ["p", "` + name + `"], "original_file_path": "models/` + name + `.sql", "description": "` + desc + `", "depends_on": {"nodes": []}}`
	}
	if err := os.WriteFile(manifest, []byte(`{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json"}, "nodes": {`+
		node("orders", "plain")+", "+node(secret, `says \"quoted\"`)+`}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, output := range []string{"selector", "json"} {
		args := []string{"ls", "--manifest", manifest, "--output", output}
		_, first, _ := lsRun(t, args...)
		if !strings.Contains(first, secret) || len(cacheFiles(t, ".ans")) != 1 {
			t.Fatalf("%s: not listed or not kept before the value is a secret: %q", output, first)
		}
	}
	// A description with an escaped quote is kept for no output that prints it: the answer must
	// be the manifest's text as it is, so that the known secrets can be looked for in it.
	removeAll(t, cacheFiles(t, ".ans"))
	lsRun(t, "ls", "--manifest", manifest, "--output", "json", "--output-keys", "name", "description")
	if len(cacheFiles(t, ".ans")) != 0 {
		t.Fatal("a listing with an escaped string was kept")
	}

	_, kept, _ := lsRun(t, "ls", "--manifest", manifest)
	// run learns the environment's secrets as it starts.
	t.Setenv("DBT_ENV_SECRET_ANSWER", secret)
	for i := range 2 {
		_, out, _ := lsRun(t, "ls", "--manifest", manifest)
		if strings.Contains(out, secret) || !strings.Contains(out, redact.Mask) || out == kept {
			t.Fatalf("run %d after the value became a secret: %q", i, out)
		}
		for _, f := range cacheFiles(t, ".ans") {
			if bytes.Contains(mustReadFile(t, f), []byte(secret)) {
				t.Fatalf("run %d: the answer file still holds the secret", i)
			}
		}
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
