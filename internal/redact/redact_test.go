package redact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"
	"testing"
)

func TestIsSecretKey(t *testing.T) {
	secret := []string{
		// dbt-snowflake (notes/snowflake.md §7)
		"password", "private_key", "private_key_passphrase", "token", "oauth_client_secret",
		// the keys issue 11 found printed by the old exact list
		"jwt_token", "aws_secret_access_key", "secret_access_key", "aws_session_token", "client_private_key",
		"pwd", "api_secret_hdr",
		// postgres, duckdb / MotherDuck, BigQuery, Databricks
		"pass", "sslpassword", "motherduck_token", "s3_secret_access_key", "s3_session_token", "keyfile_json",
		"secrets", "auth", "basic_auth", "auth_header", "authorization", "api_key", "apiKey", "APIKey", "clientSecret",
		"accessToken", "refresh_token", "id_token", "key", "session", "passphrase", "credentials", "creds", "cookie",
		// environment
		"GH_TOKEN", "GITHUB_TOKEN", "DBT_CLOUD_TOKEN", "DBT_CLOUD_API_KEY", "SNOWFLAKE_PASSWORD", "SNOWSQL_PWD",
		"PGPASSWORD", "DBT_ENV_SECRET_PASSWORD", "MOTHERDUCK_TOKEN", "HOMEBREW_GITHUB_API_TOKEN",
		// query parameters
		"sig", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token", "access_token",
		// dotted paths judge their last part
		"shop.outputs.dev.password",
	}
	notSecret := []string{
		// references to a secret, not the secret
		"private_key_path", "keyfile", "oauth_client_id", "key_id", "s3_access_key_id", "auth_type", "auth_method",
		"token_uri", "token_url", "authenticator", "SSH_AUTH_SOCK", "PASSWORD_STORE_DIR", "GIT_ASKPASS",
		"client_session_keep_alive", "session_parameters", "private_link_host", "session_id", "TERM_SESSION_ID",
		"token_expires_at", "password_hash_algorithm",
		// keys of data, not of locks
		"unique_key", "primary_key", "sort_key", "dist_key", "partition_key", "public_key", "surrogate_key",
		// ordinary settings
		"account", "user", "role", "warehouse", "database", "schema", "host", "port", "path", "threads", "query_tag",
		"connect_timeout", "type", "keepalives_idle", "insecure_mode", "passthrough", "author", "monkey", "tokenizer_path",
		"", "_", "123",
	}
	for _, k := range secret {
		if !IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = false, want true (words %q)", k, splitWords(k))
		}
	}
	for _, k := range notSecret {
		if IsSecretKey(k) {
			t.Errorf("IsSecretKey(%q) = true, want false (words %q)", k, splitWords(k))
		}
	}
}

func TestStringByShapeAndKey(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"url password", "connection_url: snowflake://ann:PW-9931@acct/db", "connection_url: snowflake://ann:[redacted]@acct/db"},
		{"url token user", "remote https://x-access-token:abc.def@github.com/acme/x.git", "remote https://x-access-token:[redacted]@github.com/acme/x.git"},
		{"token as url user", "origin https://abcdefghijklmnopqrstuvwxyz0123456789@github.com/acme/x", "origin https://[redacted]@github.com/acme/x"},
		{"motherduck path", `path: "md:db?motherduck_token=eyJhbGciOiJI&saas_mode=true"`, `path: "md:db?motherduck_token=[redacted]&saas_mode=true"`},
		{"query password", "dsn ann@acct/db?password=s3cr%21t&role=X", "dsn ann@acct/db?password=[redacted]&role=X"},
		{"flag", "ran --password=hunter22 --user=ann", "ran --password=[redacted] --user=ann"},
		{"yaml key", "x\n  private_key_passphrase: clearpass", "x\n  private_key_passphrase: [redacted]"},
		{"yaml quoted", `  token: "abc def"`, `  token: "[redacted]"`},
		{"json text", `{"password": "hunter22", "user": "ann"}`, `{"password": "[redacted]", "user": "ann"}`},
		{"path kept", "private_key_path: /home/ann/.ssh/rsa_key.p8", "private_key_path: /home/ann/.ssh/rsa_key.p8"},
		{"dotted key path is a message", "profiles.yml: shop.outputs.dev.password: unclosed Jinja expression", "profiles.yml: shop.outputs.dev.password: unclosed Jinja expression"},
		{"bearer", "Authorization: Bearer abcdefgh12345", "Authorization: [redacted] [redacted]"},
		{"bearer word", "curl -H 'Bearer abcdefghij' and Basic Zm9vOmJhcg== and basic dXNlcjpwYXNz", "curl -H 'Bearer [redacted]' and Basic [redacted] and basic [redacted]"},
		{"basic in prose", "Customer data with basic cleaning and transformation applied", "Customer data with basic cleaning and transformation applied"},
		{"github token", "use gho_16C7e42F292c6912E7710c838347Ae178B4a now", "use [redacted] now"},
		{"dbt cloud token", "token dbtc_abcdefghijklmnopqrstuvwxyz", "token [redacted]"},
		{"jwt", "jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl end", "jwt [redacted] end"},
		{"pem", "key -----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY----- done", "key [redacted] done"},
		{"pem cut off", "key -----BEGIN PRIVATE KEY-----\nMIIE", "key [redacted]"},
		{"der", "private key MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKjMzEfYyjiWA4R4", "private key [redacted]"},
		{"placeholders", "export GH_TOKEN=… or token: <your token> or password: $PW or password: \"{{ env_var('X') }}\"", "export GH_TOKEN=… or token: <your token> or password: $PW or password: \"{{ env_var('X') }}\""},
		{"prose", "profiles.yml target dev: no password: and no private_key_path: (set one)", "profiles.yml target dev: no password: and no private_key_path: (set one)"},
		{"yaml list and json-like", "- token: abc123x\n{a: 1, secret: xyz123}", "- token: [redacted]\n{a: 1, secret: [redacted]}"},
		{"dbt summary", "Done. PASS=1200 WARN=1 ERROR=1 SKIP=1 TOTAL=4", "Done. PASS=1200 WARN=1 ERROR=1 SKIP=1 TOTAL=4"},
		{"backticks", "or `export GH_TOKEN=…` with a token", "or `export GH_TOKEN=…` with a token"},
		{"ordinary text", "account: ab12345 role: TRANSFORMER 12:00:01 https://docs.getdbt.com/x?y=1", "account: ab12345 role: TRANSFORMER 12:00:01 https://docs.getdbt.com/x?y=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := String(tt.in); got != tt.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			if again := String(String(tt.in)); again != String(tt.in) {
				t.Errorf("not idempotent: %q", again)
			}
		})
	}
}

func TestKnownValuesEverywhere(t *testing.T) {
	Add("Kn0wn-Secret\"quoted", "abc", "true", "")
	for _, in := range []string{
		"login failed for Kn0wn-Secret\"quoted",
		`{"msg":"login failed for Kn0wn-Secret\"quoted"}`,
		"dsn?password=Kn0wn-Secret%22quoted",
	} {
		if got := Scrub(in); strings.Contains(got, "Kn0wn") {
			t.Errorf("Scrub(%q) = %q", in, got)
		}
	}
	if got := String("abc true"); got != "abc true" {
		t.Errorf("short and placeholder values must not be registered: %q", got)
	}
}

func TestLearnTreeJinja(t *testing.T) {
	env := map[string]string{"SF_PW": "from-the-env-1", "DBT_USER": "ann"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	doc := map[string]any{"shop": map[string]any{"outputs": map[string]any{"dev": map[string]any{
		"user":                   "{{ env_var('DBT_USER') }}",
		"password":               "hunter2{{ not jinja",
		"token":                  "{{ env_var('UNSET', 'DEFAULT_SECRET') }}",
		"private_key_passphrase": "{{ env_var('SF_PW') }}",
		"path":                   "md:db?motherduck_token=md-token-123",
		"port":                   443,
		"secrets":                []any{map[string]any{"type": "s3", "key_id": "AKIA1", "secret": 12345678}},
		"credentials":            map[string]any{"user": "ann.lee", "password": []any{"pw-in-a-list"}},
	}}}}
	LearnTree(doc, lookup)
	for _, s := range []string{"hunter2", "DEFAULT_SECRET", "from-the-env-1", "md-token-123", "12345678", "pw-in-a-list"} {
		if got := String("error near " + s); strings.Contains(got, s) {
			t.Errorf("%q not learned: %q", s, got)
		}
	}
	for _, s := range []string{"UNSET", "SF_PW", "443", "AKIA1", "ann.lee"} {
		if got := String("x " + s); !strings.Contains(got, s) {
			t.Errorf("%q is not a secret but was learned: %q", s, got)
		}
	}
}

func TestLearnEnv(t *testing.T) {
	LearnEnv([]string{"GH_TOKEN=gh-env-value", "DBT_ENV_SECRET_GIT_URL=https://git.example/x", "HOME=/home/ann",
		"DATABASE_URL=postgres://ann:pg-pass-1@db/x", "PWD=/home/ann", "OLDPWD=/tmp/ssh-agent.sock", "SSH_AUTH_SOCK=/tmp/ssh-agent.sock"})
	got := String("gh-env-value https://git.example/x pg-pass-1 /home/ann /tmp/ssh-agent.sock")
	if want := "[redacted] [redacted] [redacted] /home/ann /tmp/ssh-agent.sock"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestMarshalMasksKeysKeepsOrder(t *testing.T) {
	type target struct {
		Name     string            `json:"name"`
		Password string            `json:"password"`
		Path     string            `json:"private_key_path"`
		Empty    string            `json:"token"`
		Extra    map[string]any    `json:"extra"`
		Columns  map[string]string `json:"columns"`
	}
	v := target{Name: "dev", Password: "hunter22", Path: "/k.p8", Extra: map[string]any{"session_token": 5, "auth": map[string]any{"user": "ann", "secret": "x1"}},
		Columns: map[string]string{"password_hash": "the hash column"}}
	b, err := Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"dev","password":"[redacted]","private_key_path":"/k.p8","token":"","extra":{"auth":{"secret":"[redacted]","user":"ann"},"session_token":5},"columns":{"password_hash":"[redacted]"}}`
	if string(b) != want {
		t.Errorf("Marshal\n got %s\nwant %s", b, want)
	}
}

func TestMarshalTerminalSafe(t *testing.T) {
	b, err := Marshal(map[string]string{"schema": "evil\x1b]0;PWNED\x07\x1b[31m\u009b\u202e\x7f"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"schema":"evil\u001b]0;PWNED\u0007\u001b[31m\u009b\u202e\u007f"}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var back map[string]string
	if err := json.Unmarshal(b, &back); err != nil || back["schema"] != "evil\x1b]0;PWNED\x07\x1b[31m\u009b\u202e\x7f" {
		t.Errorf("the value changed: %q %v", back["schema"], err)
	}
}

func TestEncodeMatchesEncoderLayout(t *testing.T) {
	v := map[string]any{"a": []any{}, "b": map[string]any{}, "c": []int{1, 2}, "d": "<&>"}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetIndent("", "  ")
	enc.Encode(v)
	var got bytes.Buffer
	if err := Encode(&got, v); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() {
		t.Errorf("got\n%s\nwant\n%s", got.String(), want.String())
	}
}

func TestErrorKeepsChain(t *testing.T) {
	Add("err-secret-77")
	err := Error(fmt.Errorf("open: %w (password err-secret-77)", fs.ErrNotExist))
	if strings.Contains(err.Error(), "err-secret-77") || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Error = %v (is ErrNotExist: %v)", err, errors.Is(err, fs.ErrNotExist))
	}
	plain := errors.New("nothing secret")
	if Error(plain) != plain || Error(nil) != nil {
		t.Error("clean errors must come back as they are")
	}
}

func TestWriterAndLog(t *testing.T) {
	Add("log-secret-55")
	var buf bytes.Buffer
	w := Writer(&buf)
	if Writer(w) != w || Unwrap(w) != &buf {
		t.Error("Writer must not wrap twice and Unwrap must give the writer back")
	}
	log := slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{ReplaceAttr: LogAttr}))
	log.Info("connecting with log-secret-55", "password", "p-short", "dsn", "snowflake://ann:pw12@acct", "err", errors.New("bad log-secret-55"), "user", "ann", "token", "")
	out := buf.String()
	for _, leak := range []string{"log-secret-55", "p-short", "pw12"} {
		if strings.Contains(out, leak) {
			t.Errorf("log leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, "user=ann") || !strings.Contains(out, `token=""`) {
		t.Errorf("log lost ordinary attributes: %s", out)
	}
}

// FuzzMarshal proves JSON output is always valid and never holds a known secret, whatever
// the secret and the strings hold.
func FuzzMarshal(f *testing.F) {
	f.Add("hunter22", "password=hunter22 https://a:b@c -----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----")
	f.Add(`"quoted\`, `x"quoted\y`)
	f.Add("0000", "\x00")
	f.Add("ghp_abcdefghijklmnopqrstuvwxyz", "Bearer ghp_abcdefghijklmnopqrstuvwxyz")
	f.Fuzz(func(t *testing.T, secret, text string) {
		registry.mu.Lock()
		registry.values = nil
		registry.compiled.Store(nil)
		registry.mu.Unlock()
		Add(secret)
		out, err := Marshal(map[string]any{"a": text, "b": []string{secret, text + secret}, secret: 1, "n": 10000})
		if err != nil {
			t.Fatal(err)
		}
		if !json.Valid(out) {
			t.Fatalf("invalid JSON: %s", out)
		}
		var back map[string]any
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatal(err)
		}
		registered := strings.TrimSpace(secret)
		if !registry.values[registered] || strings.Contains(Mask, registered) {
			return
		}
		strs := []string{fmt.Sprint(back["a"])}
		for k := range back {
			strs = append(strs, k)
		}
		for _, x := range back["b"].([]any) {
			strs = append(strs, x.(string))
		}
		for _, s := range strs {
			if strings.Contains(s, registered) {
				t.Fatalf("secret %q survives in %q: %s", secret, s, out)
			}
		}
	})
}

// FuzzString: String never panics and is stable (cleaning twice changes nothing more).
func FuzzString(f *testing.F) {
	for _, s := range []string{"password: x", "https://a:b@h/p", "Bearer abcdefghij", "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----", "token=ghp_aaaaaaaaaaaaaaaaaaaaaaaa", "a.password: b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := String(s)
		if twice := String(once); twice != once {
			t.Fatalf("not stable: %q -> %q -> %q", s, once, twice)
		}
	})
}

func BenchmarkScrubLine(b *testing.B) {
	Add("bench-secret-1", "bench-secret-2", "bench-secret-3")
	line := "   12  PASS  model    marts.fct_orders  0.42s  SUCCESS 1 rows affected in schema SANDBOX_ANN"
	for b.Loop() {
		Scrub(line)
	}
}

func BenchmarkMarshalNode(b *testing.B) {
	node := map[string]any{"unique_id": "model.shop.fct_orders", "name": "fct_orders", "resource_type": "model",
		"config":     map[string]any{"materialized": "table", "unique_key": "order_id", "tags": []string{"daily", "finance"}},
		"depends_on": []string{"model.shop.stg_orders", "model.shop.stg_payments"}, "path": "models/marts/fct_orders.sql"}
	for b.Loop() {
		Marshal(node)
	}
}

func BenchmarkJSONMarshalNodeBaseline(b *testing.B) {
	node := map[string]any{"unique_id": "model.shop.fct_orders", "name": "fct_orders", "resource_type": "model",
		"config":     map[string]any{"materialized": "table", "unique_key": "order_id", "tags": []string{"daily", "finance"}},
		"depends_on": []string{"model.shop.stg_orders", "model.shop.stg_payments"}, "path": "models/marts/fct_orders.sql"}
	for b.Loop() {
		json.Marshal(node)
	}
}

// BenchmarkScrubFrame is the TUI's net: one 120×40 styled frame per View.
func BenchmarkScrubFrame(b *testing.B) {
	Add("bench-secret-1", "bench-secret-2", "bench-secret-3")
	row := "\x1b[38;2;120;120;120m  marts.fct_orders\x1b[0m   table   12,345 rows   1.2 MB   2026-11-30 12:00 " + strings.Repeat(" ", 30) + "\n"
	frame := strings.Repeat(row, 40)
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		Scrub(frame)
	}
}

// TestContainsKnown: a registered secret is found in any of the forms String replaces it in
// (as is, escaped in JSON, percent-encoded), and nothing else is.
func TestContainsKnown(t *testing.T) {
	Add(`ck-secret/"9x`, "ck9") // the second is too short to be replaced, so never looked for
	cases := []struct {
		text string
		want bool
	}{
		{`name ck-secret/"9x here`, true},
		{`{"v": "ck-secret/\"9x"}`, true},
		{`https://h/?p=ck-secret%2F%229x`, true},
		{`ck-secret/9x`, false},
		{`ck9 appears`, false},
		{``, false},
	}
	for _, c := range cases {
		if got := ContainsKnown([]byte(c.text)); got != c.want {
			t.Errorf("ContainsKnown(%q) = %v, want %v", c.text, got, c.want)
		}
		// The answer agrees with what String does to the same text.
		if changed := String(c.text) != c.text; c.want && !changed {
			t.Errorf("%q: found, but String leaves it", c.text)
		}
	}
}

// FuzzTokenPrefix: the prefilter that decides whether tokenShape runs never says no to a text
// the regexp finds a token in.
func FuzzTokenPrefix(f *testing.F) {
	for _, s := range []string{"use gho_16C7e42F292c6912E7710c838347Ae178B4a now", "dbtu_abcdefghijklmnopqrstuvwxyz",
		"github_pat_11AAAAAAA0abcdefghijklmnopqrstuv", "x eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbm4ifQ.c2lnbmF0dXJl",
		"ghp_", "eyJ", "_dbtc_", "the_tuva_project.core.final.core__eligibility_k4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if tokenShape.Re().MatchString(s) && !hasTokenPrefix(s) {
			t.Fatalf("tokenShape matches %q but the prefilter skips it", s)
		}
	})
}

// BenchmarkScrubListing is Scrub over the lines of a dbt ls listing (package.path.name):
// long lines full of '_', 'd', 'e' and 'g' and no secret.
func BenchmarkScrubListing(b *testing.B) {
	var lines []string
	for i := range 1000 {
		lines = append(lines, fmt.Sprintf("the_tuva_project.quality_measures.intermediate.nqf2372_breast_cancer_screening.quality_measures__int_nqf2372_exclude_k%d", i))
	}
	for b.Loop() {
		for _, l := range lines {
			Scrub(l)
		}
	}
}
