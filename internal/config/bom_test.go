package config

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestParseByteOrderMark: a datatui.yml saved by a Windows editor (byte-order mark, CRLF)
// reads exactly as the same file without them, as dbt reads its own YAML files.
func TestParseByteOrderMark(t *testing.T) {
	plain, err := os.ReadFile("../demo/project/datatui.yml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Parse("datatui.yml", plain)
	if err != nil {
		t.Fatal(err)
	}
	windows := append([]byte("\xef\xbb\xbf"), strings.ReplaceAll(string(plain), "\n", "\r\n")...)
	got, err := Parse("datatui.yml", windows)
	if err != nil {
		t.Fatalf("with a byte-order mark: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read differently:\n%+v\n%+v", got, want)
	}
	if reflect.DeepEqual(want, Default()) {
		t.Error("the demo's datatui.yml sets nothing: the test tests nothing")
	}
	path := t.TempDir() + "/config.yml"
	os.WriteFile(path, []byte("\xef\xbb\xbftheme: dark\r\n"), 0o600)
	if u, err := LoadUser(path); err != nil || u.Theme != "dark" {
		t.Errorf("personal settings with a byte-order mark: %+v %v", u, err)
	}
}
