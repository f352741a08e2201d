package profiles

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// TestProfilesWithByteOrderMark: a profiles.yml saved by a Windows editor (byte-order mark,
// CRLF) reads exactly as the same file without them, as it does for dbt.
func TestProfilesWithByteOrderMark(t *testing.T) {
	plain, err := os.ReadFile("../../demo/project/profiles.yml")
	if err != nil {
		t.Fatal(err)
	}
	windows := append([]byte("\xef\xbb\xbf"), strings.ReplaceAll(string(plain), "\n", "\r\n")...)
	want, err := ParseProfile("profiles.yml", plain, "cashback", nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseProfile("profiles.yml", windows, "cashback", nil)
	if err != nil {
		t.Fatalf("with a byte-order mark: %v", err)
	}
	if got.DefaultTarget != want.DefaultTarget || !reflect.DeepEqual(got.outputs, want.outputs) {
		t.Errorf("read differently: %+v vs %+v", got, want)
	}
}
