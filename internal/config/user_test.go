package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadUser(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "config.yml")
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, body string
		want       User
		err        string
	}{
		{"empty", "", User{Theme: "auto"}, ""},
		{"dark", "theme: dark\ndefault_screen: lineage\n", User{Theme: "dark", DefaultScreen: "lineage"}, ""},
		{"bad theme", "default_screen: home\ntheme: purple\n", User{Theme: "auto"}, "config.yml:2: theme: must be auto, dark or light"},
		{"unknown key", "colour: red\n", User{Theme: "auto"}, "colour"},
		{"keys", "keys:\n  down: [ctrl+j, down]\n  palette: ctrl+p\n", User{Theme: "auto", Keys: map[string]KeyList{"down": {"ctrl+j", "down"}, "palette": {"ctrl+p"}}}, ""},
		{"bad keys", "keys:\n  down: {a: b}\n", User{Theme: "auto"}, "config.yml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := LoadUser(write(tt.body))
			if tt.err == "" && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Fatalf("error %v, want it to mention %q", err, tt.err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	if u, err := LoadUser(filepath.Join(dir, "missing.yml")); err != nil || u.Theme != "auto" {
		t.Fatalf("missing file: %+v, %v", u, err)
	}
}
