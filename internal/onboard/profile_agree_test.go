package onboard

import (
	"strconv"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/profiles"
)

// TestProfileReadersAgree: onboarding's profile check and the dbt layer (which connects,
// runs dbt and guards writes) read the same dbt_project.yml and profiles.yml to the same
// answer. Each case is a file where onboarding's former reader of its own gave another
// answer: a byte-order mark, an env_var() in profile:, filters and defaults its pattern did
// not know, a number default.
func TestProfileReadersAgree(t *testing.T) {
	tests := []struct {
		name, project, profiles string
		env                     []string
	}{
		{"byte-order mark", "\xef\xbb\xbfname: shop\nprofile: shop\n",
			"shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: dev.duckdb, threads: 4}\n", nil},
		{"profile through env_var", "name: shop\nprofile: \"{{ env_var('DBT_PROFILE', 'shop') }}\"\n",
			"shop:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: dev.duckdb}\n", nil},
		{"as_native and number default", "name: shop\nprofile: shop\n",
			"shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: \"{{ env_var('SF_ACCOUNT') | as_native }}\"\n      user: \"{{ env_var('SF_USER') | lower }}\"\n      threads: \"{{ env_var('THREADS', 8) | int }}\"\n      database: sandbox_{{ env_var('SF_USER') }}\n      schema: main\n",
			[]string{"SF_ACCOUNT=ab12345", "SF_USER=ANN"}},
		{"unsupported Jinja in a setting", "name: shop\nprofile: shop\n",
			"shop:\n  target: dev\n  outputs:\n    dev:\n      type: snowflake\n      account: ab12345\n      role: \"{% if true %}R{% endif %}\"\n",
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			te := newTestEnv(t, envOpts{project: tt.project, extraEnv: tt.env})
			te.write("home/.dbt/profiles.yml", tt.profiles)
			te.reopen()
			st := te.env.readProjectProfile()

			p, err := profiles.LoadProfile(profiles.ProfilesOptions{ProjectDir: te.project, Home: te.home, LookupEnv: te.env.LookupEnv})
			if err != nil {
				t.Fatalf("dbt layer: %v", err)
			}
			if st.profile != p.Name || st.loc.Path != p.Location.Path {
				t.Fatalf("onboarding reads profile %q in %s, the dbt layer %q in %s", st.profile, st.loc.Path, p.Name, p.Location.Path)
			}
			if !st.found {
				t.Fatalf("onboarding found no dev target: %v", st.err)
			}
			target, err := p.Target("dev")
			if err != nil {
				// The dbt layer refuses the target: onboarding names the same setting.
				for k := range st.t.Unrendered {
					if strings.Contains(err.Error(), ".dev."+k+":") {
						return
					}
				}
				t.Fatalf("dbt layer refuses the target (%v); onboarding could not render %v", err, st.t.Unrendered)
			}
			if len(st.t.Unrendered) > 0 {
				t.Fatalf("onboarding could not render %v, the dbt layer could", st.t.Unrendered)
			}
			want := map[string]string{"type": target.Type, "account": target.Account, "user": target.User, "database": target.Database, "schema": target.Schema, "path": target.Path}
			if target.Threads != 0 {
				want["threads"] = strconv.Itoa(target.Threads)
			}
			for k, v := range want {
				if got := st.t.get(k); got != v {
					t.Errorf("%s: onboarding %q, dbt layer %q", k, got, v)
				}
			}
		})
	}
}
