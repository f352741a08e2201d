package onboard

import "testing"

func TestParseDBTVersion(t *testing.T) {
	tests := []struct {
		name, out, core string
		fusion          bool
		plugins         map[string]string
		bad             bool
	}{
		{name: "1.8 with update notice", out: dbtVersionOutput("1.8.7", "snowflake", "1.8.4"), core: "1.8.7", plugins: map[string]string{"snowflake": "1.8.4"}},
		{name: "several plugins", out: "Core:\n  - installed: 1.9.1\n  - latest:    1.9.1 - Up to date!\n\nPlugins:\n  - duckdb:    1.9.1 - Up to date!\n  - snowflake: 1.9.0 - Update available!\n  - postgres:  1.9.0 - Up to date!\n", core: "1.9.1", plugins: map[string]string{"duckdb": "1.9.1", "snowflake": "1.9.0", "postgres": "1.9.0"}},
		{name: "pre-release", out: "Core:\n  - installed: 1.10.0b2\n  - latest:    1.9.4  - Ahead of latest version!\n\nPlugins:\n  - duckdb: 1.10.0b1 - Ahead of latest version!\n", core: "1.10.0b2", plugins: map[string]string{"duckdb": "1.10.0b1"}},
		{name: "offline latest unknown", out: "Core:\n  - installed: 1.8.0\n  - latest:    unknown - Could not determine latest version\n\nPlugins:\n  - snowflake: 1.8.0 - Could not determine latest version\n", core: "1.8.0", plugins: map[string]string{"snowflake": "1.8.0"}},
		{name: "legacy", out: "installed version: 1.0.4\n   latest version: 1.0.4\n\nUp to date!\n\nPlugins:\n  - snowflake: 1.0.0\n", core: "1.0.4", plugins: map[string]string{"snowflake": "1.0.0"}},
		{name: "fusion", out: "dbt-fusion 2.0.0-preview.45\n", core: "2.0.0-preview.45", fusion: true},
		{name: "windows line ends", out: "Core:\r\n  - installed: 1.8.2\r\n\r\nPlugins:\r\n  - duckdb: 1.8.1 - Up to date!\r\n", core: "1.8.2", plugins: map[string]string{"duckdb": "1.8.1"}},
		{name: "traceback", out: "Traceback (most recent call last):\n  File \"/usr/bin/dbt\", line 5\nImportError: cannot import name 'x'\n", bad: true},
		{name: "empty", out: "", bad: true},
		{name: "core without version", out: "Core:\n  - installed: ???\n", bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := ParseDBTVersion([]byte(tt.out))
			if tt.bad {
				if err == nil {
					t.Fatalf("parsed %+v", v)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if v.Core != tt.core || v.Fusion != tt.fusion || len(v.Plugins) != len(tt.plugins) {
				t.Fatalf("got %+v", v)
			}
			for k, want := range tt.plugins {
				if v.Plugins[k] != want {
					t.Errorf("plugin %s = %q, want %q", k, v.Plugins[k], want)
				}
			}
		})
	}
}

func TestSatisfiesConstraint(t *testing.T) {
	tests := []struct {
		v, c string
		want bool
		bad  bool
	}{
		{"1.8.7", ">=1.8.0,<2.0.0", true, false},
		{"1.7.11", ">=1.8.0,<2.0.0", false, false},
		{"2.0.0", ">=1.8.0,<2.0.0", false, false},
		{"2.0.0-preview.45", ">=1.8.0,<2.0.0", false, false},
		{"1.10.0b2", ">=1.10.0", false, false},
		{"1.10.0", ">=1.10.0", true, false},
		{"1.10.0", ">1.9", true, false},
		{"1.9.0", "<=1.9", true, false},
		{"1.8.7", "1.8.7", true, false},
		{"1.8.7", "==1.8", true, false},
		{"1.9.0", "==1.8", false, false},
		{"1.8.7", "!=1.8.7", false, false},
		{"1.9.3", "~=1.9", true, false},
		{"2.0.0", "~=1.9", false, false},
		{"1.9.9", "~=1.9.1", true, false},
		{"1.10.0", "~=1.9.1", false, false},
		{"1.8.7", "", true, false},
		{"1.8.7", " >= 1.8.0 , < 2.0.0 ", true, false},
		{"1.8.7", ">=banana", false, true},
		{"x", ">=1.0", false, true},
	}
	for _, tt := range tests {
		got, err := SatisfiesConstraint(tt.v, tt.c)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("SatisfiesConstraint(%q, %q) = %v, %v", tt.v, tt.c, got, err)
		}
	}
}

func TestParseGitVersion(t *testing.T) {
	for in, want := range map[string]string{"git version 2.43.0\n": "2.43.0", "git version 2.39.3 (Apple Git-145)": "2.39.3", "git version 2.45.1.windows.1": "2.45.1"} {
		if got, err := ParseGitVersion([]byte(in)); err != nil || got != want {
			t.Errorf("%q = %q %v", in, got, err)
		}
	}
	if _, err := ParseGitVersion([]byte("command not found")); err == nil {
		t.Error("parsed garbage")
	}
}

func FuzzParseDBTVersion(f *testing.F) {
	f.Add([]byte(dbtVersionOutput("1.8.7", "snowflake", "1.8.4")))
	f.Add([]byte("dbt-fusion 2.0.0-preview.45\n"))
	f.Add([]byte("installed version: 1.0.4\n"))
	f.Add([]byte("Core:\n  - installed: \n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		v, err := ParseDBTVersion(out)
		if err == nil && !validVersion(v.Core) {
			t.Fatalf("accepted version %q", v.Core)
		}
	})
}

func FuzzSatisfiesConstraint(f *testing.F) {
	f.Add("1.8.7", ">=1.8.0,<2.0.0")
	f.Add("2.0.0-preview.1", "~=1")
	f.Add("1", "==1.2.3.4")
	f.Fuzz(func(t *testing.T, v, c string) {
		_, _ = SatisfiesConstraint(v, c)
	})
}
