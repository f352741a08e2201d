package main

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/redact"
)

// TestPyJSONStrings: each want is what Python 3.11's json.dumps printed for the same string
// (dbt prints ls --output json with json.dumps' defaults).
func TestPyJSONStrings(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", `"plain"`},
		{"quote\" back\\slash", `"quote\" back\\slash"`},
		{"nl\n cr\r tab\t bs\b ff\f", `"nl\n cr\r tab\t bs\b ff\f"`},
		{"ctl\x01\x1f del\x7f", `"ctl\u0001\u001f del\u007f"`},
		{"é ü ß", `"\u00e9 \u00fc \u00df"`},
		{"日本", `"\u65e5\u672c"`},
		{"emoji 😀", `"emoji \ud83d\ude00"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"<>&", `"<>&"`},
		{"", `""`},
		{"\x1b[31mred", `"\u001b[31mred"`},
	} {
		if got := string(pyJSON(c.in)); got != c.want {
			t.Errorf("pyJSON(%q) = %s, Python's json.dumps %s", c.in, got, c.want)
		}
	}
}

// TestPyJSONValues: separators, nesting and literals as json.dumps writes them (its output for
// the same values, with the object in the order given).
func TestPyJSONValues(t *testing.T) {
	v := orderedMap{
		{"b", []any{json.Number("1"), 2.5, nil, true, false}},
		{"a", map[string]any{}},
		{"c", []string{}},
		{"d", map[string]any{"x": "y"}},
	}
	want := `{"b": [1, 2.5, null, true, false], "a": {}, "c": [], "d": {"x": "y"}}`
	if got := string(pyJSON(v)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestPyJSONCleans: values are cleaned as redact.JSON cleans JSON: masked under a secret key at
// any depth, objects inside judging their own keys again, known secrets and secret shapes
// taken out of other values and of keys.
func TestPyJSONCleans(t *testing.T) {
	redact.Add("s3cr3t-value-for-ls")
	var enc pyEncoder
	v := orderedMap{
		{"name", "orders"},
		{"config", map[string]any{
			"password":            "hunter22",
			"tokens":              []any{"a1b2c3d4", "e5f6g7h8"},
			"credentials":         map[string]any{"user": "ann", "private_key": "MIIEvQ"},
			"note":                "uses s3cr3t-value-for-ls inside",
			"url":                 "https://ann:pw12345@example.com/x",
			"s3cr3t-value-for-ls": true,
		}},
	}
	for i := range 2 { // the second time from the encoder's memory of keys and values
		got := string(enc.encode(v))
		for _, leak := range []string{"hunter22", "a1b2c3d4", "e5f6g7h8", "MIIEvQ", "s3cr3t-value-for-ls", "pw12345"} {
			if strings.Contains(got, leak) {
				t.Errorf("pass %d: %q is in %s", i, leak, got)
			}
		}
		if !strings.Contains(got, `"user": "ann"`) {
			t.Errorf("pass %d: a user under credentials is not a secret: %s", i, got)
		}
		if !strings.Contains(got, `"name": "orders"`) {
			t.Errorf("pass %d: %s", i, got)
		}
	}
}

// TestLsConfigNumbersAsWritten: a float in a config is printed as the manifest wrote it, the
// way dbt reads the manifest and prints it again with Python's json (1.0, not 1).
func TestLsConfigNumbersAsWritten(t *testing.T) {
	for _, c := range []struct{ text, kind, want string }{
		{"1.0", "number", "1.0"},
		{"1e-07", "number", "1e-07"},
		{"12", "number", "12"},
		{"[1.0, 2]", "list", "[1.0, 2]"},
		{`{"a": 0.50}`, "object", `{"a": 0.50}`},
		{"true", "boolean", "true"},
		{"1.0", "", `"1.0"`},
		{"not json", "number", "null"},
	} {
		if got := string(pyJSON(lsTyped(c.text, c.kind))); got != c.want {
			t.Errorf("lsTyped(%q, %q) prints %s, want %s", c.text, c.kind, got, c.want)
		}
	}
}

// FuzzPyJSON: whatever the string, the output is printable ASCII, is JSON, and reads back as
// the cleaned string (under a secret key: the mask).
func FuzzPyJSON(f *testing.F) {
	for _, s := range []string{"plain", "é\x00\x7f", "😀", "\xff\xfe", "password=abc123", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := pyJSON(orderedMap{{"value", s}, {"secret", s}})
		for _, c := range out {
			if c < 0x20 || c > 0x7e {
				t.Fatalf("byte %#x in %q", c, out)
			}
		}
		var back map[string]string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		// encoding/json reads each byte that is not UTF-8 as a U+FFFD, as ranging over it does.
		var want strings.Builder
		for _, r := range redact.String(s) {
			want.WriteRune(r)
		}
		if back["value"] != want.String() {
			t.Fatalf("value %q reads back as %q, want %q", s, back["value"], want.String())
		}
		if wantSecret := map[bool]string{true: "", false: redact.Mask}[s == ""]; back["secret"] != wantSecret {
			t.Fatalf("secret %q reads back as %q", s, back["secret"])
		}
	})
}

// FuzzPyJSONCleansLikeRedactJSON: pyJSON cleans what it writes by the rules of redact.JSON,
// which cleans every other JSON datatui prints: for any key and value, in objects, lists and
// under secret and plain keys, both read back as the same values.
func FuzzPyJSONCleansLikeRedactJSON(f *testing.F) {
	for _, c := range [][2]string{{"password", "hunter22"}, {"note", "token=ghp_aaaaaaaaaaaaaaaaaaaaaaaa"}, {"url", "https://a:b@h/p"}, {"k\x00", "é\x7f"}} {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, key, s string) {
		v := map[string]any{
			key:           s,
			"password":    s,
			"credentials": map[string]any{"user": s, key: []any{s, true, nil}},
			"list":        []string{s, key},
		}
		ours := pyJSON(v)
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := redact.JSON(raw)
		if err != nil {
			t.Fatalf("redact.JSON: %v", err)
		}
		var a, b any
		if err := json.Unmarshal(ours, &a); err != nil {
			t.Fatalf("%v: %s", err, ours)
		}
		if err := json.Unmarshal(theirs, &b); err != nil {
			t.Fatalf("%v: %s", err, theirs)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("pyJSON reads back as %v, redact.JSON as %v", a, b)
		}
	})
}
