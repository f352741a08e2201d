package engines_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/warehouse/engines"
)

// TestSecretSettingsNeverShow: every setting an engine declares secret is known as a secret
// to the redaction layer (so profiles.yml's value is learnt before anything is shown) and
// never appears when a target holding it is printed or marshalled.
func TestSecretSettingsNeverShow(t *testing.T) {
	for _, e := range engines.Default().Engines() {
		for _, s := range e.Settings {
			if !s.Secret {
				continue
			}
			for _, key := range append([]string{s.Key}, s.Aliases...) {
				if !redact.IsSecretKey(key) {
					t.Errorf("%s.%s is not a secret key to the redaction layer", e.Type, key)
				}
				value := "s3cr3t-" + key
				tg, err := profiles.NewTarget("p", "dev", map[string]string{"type": e.Type, key: value})
				if err != nil {
					t.Fatal(err)
				}
				js, _ := json.Marshal(tg)
				for _, out := range []string{string(js), fmt.Sprint(tg), fmt.Sprintf("%#v", tg), fmt.Sprintf("%+v", tg.Redacted())} {
					if strings.Contains(out, value) {
						t.Errorf("%s.%s shows: %s", e.Type, key, out)
					}
				}
			}
		}
	}
}

// TestSettingsAreReadByTheTarget: each setting an engine declares reaches profiles.Target,
// in a field of its own or in Extra, under dbt's name or an alias, so the engine reads what
// dbt reads. A secret is held in a field (never in Extra, which drops credentials).
func TestSettingsAreReadByTheTarget(t *testing.T) {
	for _, e := range engines.Default().Engines() {
		if len(e.Settings) == 0 {
			t.Errorf("%s declares no settings", e.Type)
		}
		for _, s := range e.Settings {
			if s.Key == "" || s.Help == "" {
				t.Errorf("%s: setting %+v lacks a key or help", e.Type, s)
			}
			for _, key := range append([]string{s.Key}, s.Aliases...) {
				empty, _ := profiles.NewTarget("p", "dev", map[string]string{"type": e.Type})
				tg, err := profiles.NewTarget("p", "dev", map[string]string{"type": e.Type, key: "1"})
				if err != nil {
					t.Fatalf("%s.%s: %v", e.Type, key, err)
				}
				a, _ := json.Marshal(empty)
				b, _ := json.Marshal(tg)
				if string(a) == string(b) {
					t.Errorf("%s.%s is not read into the target", e.Type, key)
				}
				if _, inExtra := tg.Extra[key]; inExtra && s.Secret {
					t.Errorf("%s.%s is a secret kept in Extra", e.Type, key)
				}
			}
		}
	}
}
