package dbtyaml

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestReadProjectFile(t *testing.T) {
	tests := []struct {
		name, yml string
		check     func(*ProjectFile) bool
		err       string
	}{
		{"defaults", "name: shop\nprofile: shop\n", func(p *ProjectFile) bool {
			return p.Name == "shop" && p.Profile == "shop" && p.TargetPath == "target" && p.PackagesPath == "dbt_packages" &&
				slices.Equal(p.ModelPaths, []string{"models"}) && slices.Equal(p.SeedPaths, []string{"seeds"})
		}, ""},
		{"byte-order mark", "\xef\xbb\xbfname: shop\n", func(p *ProjectFile) bool { return p.Name == "shop" }, ""},
		{"older key names", "name: shop\nsource-paths: [src/]\ndata-paths: [\"./data\"]\n", func(p *ProjectFile) bool {
			return slices.Equal(p.ModelPaths, []string{"src"}) && slices.Equal(p.SeedPaths, []string{"data"})
		}, ""},
		{"paths and version", "name: shop\ntarget-path: out\npackages-install-path: pkgs\nrequire-dbt-version: [\">=1.8.0\", \"<2.0.0\"]\n", func(p *ProjectFile) bool {
			return p.TargetPath == "out" && p.PackagesPath == "pkgs" && p.RequireDBT == ">=1.8.0,<2.0.0"
		}, ""},
		{"profile through env_var is kept as written", "name: shop\nprofile: \"{{ env_var('P') }}\"\n", func(p *ProjectFile) bool {
			return p.Profile == "{{ env_var('P') }}"
		}, ""},
		{"no name", "profile: shop\n", nil, "has no name: key"},
		{"broken", "name: [\n", nil, "invalid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "dbt_project.yml"), []byte(tt.yml), 0o600); err != nil {
				t.Fatal(err)
			}
			p, err := ReadProjectFile(dir)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil || !tt.check(p) {
				t.Fatalf("%+v %v", p, err)
			}
		})
	}
	if _, err := ReadProjectFile(t.TempDir()); !errors.Is(err, ErrNoProject) {
		t.Errorf("no file: %v", err)
	}
}
