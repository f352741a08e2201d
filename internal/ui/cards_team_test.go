package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/pagerduty/pdfake"
	"github.com/datatui/datatui/internal/testutil/fixtures"
	"github.com/datatui/datatui/internal/ui/styles"
	"github.com/datatui/datatui/internal/workspace"
)

func cardText(lines []styles.Line) string {
	return strings.Join(styles.PlainLines(lines, time.Now()), "\n")
}

// projectWithSources is a workspace whose target/sources.json is the given bytes.
func projectWithSources(t *testing.T, b []byte) *workspace.Workspace {
	t.Helper()
	root := t.TempDir()
	if b != nil {
		if err := os.MkdirAll(filepath.Join(root, "target"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "target", "sources.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return &workspace.Workspace{Root: root, ProjectDir: root, Config: config.Default()}
}

// TestFreshnessCardSaysWhatDbtFound reads real `dbt source freshness` results and checks the
// card names exactly the tables dbt called stale (warn or error), errors first, and none that
// passed. The expectation is read from dbt's JSON here, not from datatui's reader.
func TestFreshnessCardSaysWhatDbtFound(t *testing.T) {
	for _, rec := range []string{"jaffle-freshness", "jaffle-freshness-runtime-error"} {
		t.Run(rec, func(t *testing.T) {
			b, err := os.ReadFile(fixtures.Path(t, "real-dbt/"+rec+"/sources.json"))
			if err != nil {
				t.Fatal(err)
			}
			var raw struct {
				Results []struct {
					UniqueID string `json:"unique_id"`
					Status   string `json:"status"`
				} `json:"results"`
			}
			if err := json.Unmarshal(b, &raw); err != nil {
				t.Fatal(err)
			}
			lines, err := freshnessCard(context.Background(), projectWithSources(t, b))
			if err != nil {
				t.Fatal(err)
			}
			got := cardText(lines)
			firstWarn, lastError := len(got), -1
			stale := 0
			for _, r := range raw.Results {
				parts := strings.Split(r.UniqueID, ".")
				name := parts[len(parts)-2] + "." + parts[len(parts)-1]
				at := strings.Index(got, name+" ")
				switch r.Status {
				case "warn", "error":
					stale++
					if at < 0 {
						t.Errorf("%s is %s in dbt's results but not on the card:\n%s", name, r.Status, got)
					}
					if r.Status == "warn" {
						firstWarn = min(firstWarn, at)
					} else {
						lastError = max(lastError, at)
					}
				default:
					if at >= 0 {
						t.Errorf("%s is %s in dbt's results but named on the card:\n%s", name, r.Status, got)
					}
				}
			}
			if lastError > firstWarn {
				t.Errorf("an error source comes after a warn source:\n%s", got)
			}
			if stale > 0 && !strings.Contains(got, fmt.Sprintf("%d sources stale:", stale)) && !strings.Contains(got, "1 source stale:") {
				t.Errorf("the card does not count the %d stale sources:\n%s", stale, got)
			}
			if !strings.Contains(got, "checked ") {
				t.Errorf("the card does not say when dbt checked:\n%s", got)
			}
		})
	}
}

func TestFreshnessCardWithoutOrWithBrokenResults(t *testing.T) {
	lines, err := freshnessCard(context.Background(), projectWithSources(t, nil))
	if err != nil || !strings.Contains(cardText(lines), "datatui freshness") {
		t.Errorf("no sources.json: %q, %v", cardText(lines), err)
	}
	if _, err := freshnessCard(context.Background(), projectWithSources(t, []byte(`{"results": [`))); err == nil {
		t.Error("a truncated sources.json gave no error")
	}
}

func TestWhoToAskCard(t *testing.T) {
	now := time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC)
	data, err := pddemo.Data(now)
	if err != nil {
		t.Fatal(err)
	}
	pd := pdfake.New(data, "tok")
	if err := pd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pd.Close() })
	team := config.PagerDuty{Schedule: "data platform on-call", Services: []string{"Fivetran loads"}}
	help := config.Help{Channels: []config.HelpChannel{{Name: "#data-help", For: "questions"}}, OfficeHours: "Tuesdays 14:00"}

	cases := []struct {
		name    string
		pd      config.PagerDuty
		help    config.Help
		env     map[string]string
		want    []string
		notWant []string
	}{
		{"on call and help", team, help, map[string]string{pagerduty.EnvToken: "tok", pagerduty.EnvAPIURL: pd.URL()},
			[]string{"On call: Sam Rivera until", "Fivetran load failed", "acknowledged by", "Ask in #data-help: questions", "Office hours: Tuesdays 14:00"}, nil},
		{"no token: how to sign in, help still shown", team, help, map[string]string{pagerduty.EnvAPIURL: pd.URL()},
			[]string{"datatui auth pagerduty login", "Ask in #data-help"}, []string{"Sam Rivera"}},
		{"a wrong token is an error line, help still shown", team, help, map[string]string{pagerduty.EnvToken: "nope", pagerduty.EnvAPIURL: pd.URL()},
			[]string{"PagerDuty could not be asked", "Ask in #data-help"}, []string{"Sam Rivera"}},
		{"help only", config.PagerDuty{}, help, nil, []string{"Ask in #data-help"}, []string{"On call"}},
		{"nothing configured says where to configure it", config.PagerDuty{}, config.Help{}, nil, []string{"help:, pagerduty:"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.PagerDuty, cfg.Help = tc.pd, tc.help
			ws := &workspace.Workspace{Config: cfg}
			lines, err := whoToAsk(context.Background(), ws, oncall.Options{
				Getenv: func(k string) string { return tc.env[k] },
				Now:    func() time.Time { return now },
			})
			if err != nil {
				t.Fatal(err)
			}
			got := cardText(lines)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in:\n%s", w, got)
				}
			}
		})
	}
}
