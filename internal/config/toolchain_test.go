package config

import (
	"errors"
	"testing"
)

func TestToolchainKeys(t *testing.T) {
	src := `version: 1
pagerduty:
  schedule: PQ1A2B3
  services: [PSVC001, "dbt builds"]
terraform:
  dir: infra/snowflake
help:
  office_hours: Tuesdays 14:00-15:00 CET in #data-office-hours
  channels:
    - name: "#data-help"
      url: https://example.slack.com/archives/C0001
      for: questions about models and data
    - name: "#data-support"
      reports: true
`
	cfg, err := Parse("datatui.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.PagerDuty.Configured() || cfg.PagerDuty.Schedule != "PQ1A2B3" || len(cfg.PagerDuty.Services) != 2 {
		t.Errorf("pagerduty %+v", cfg.PagerDuty)
	}
	if cfg.Terraform.Dir != "infra/snowflake" {
		t.Errorf("terraform %+v", cfg.Terraform)
	}
	if ch, ok := cfg.Help.ReportChannel(); !ok || ch.Name != "#data-support" {
		t.Errorf("report channel %+v", ch)
	}
	if Default().PagerDuty.Configured() {
		t.Error("PagerDuty configured by default")
	}
	if _, ok := Default().Help.ReportChannel(); ok {
		t.Error("a report channel by default")
	}
}

func TestToolchainKeyErrorsNameTheLine(t *testing.T) {
	for _, c := range []struct {
		name, src string
		line      int
		key       string
	}{
		{"absolute terraform", "version: 1\nterraform:\n  dir: /home/jane/tf\n", 3, "terraform.dir"},
		{"terraform outside", "version: 1\nterraform:\n  dir: ../infra\n", 3, "terraform.dir"},
		{"empty service", "version: 1\npagerduty:\n  services:\n    - PSVC001\n    - \"\"\n", 5, "pagerduty.services"},
		{"channel without name", "version: 1\nhelp:\n  channels:\n    - name: \"#a\"\n    - url: https://x.example/c\n      for: y\n", 5, "help.channels"},
		{"bad channel url", "version: 1\nhelp:\n  channels:\n    - name: \"#a\"\n      url: javascript:alert(1)\n", 4, "help.channels"},
		{"schedule with spaces", "version: 1\npagerduty:\n  schedule: \" PQ1A2B3\"\n", 3, "pagerduty.schedule"},
		{"unknown key", "version: 1\npagerduty:\n  token: abc\n", 3, "pagerduty.token"},
		{"services not a list", "version: 1\npagerduty:\n  services: PSVC001\n", 3, "pagerduty.services"},
	} {
		_, err := Parse("datatui.yml", []byte(c.src))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if ce.Line != c.line || ce.Key != c.key {
			t.Errorf("%s: %v (line %d key %q), want line %d key %q", c.name, err, ce.Line, ce.Key, c.line, c.key)
		}
	}
}
