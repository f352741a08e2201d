package oncall

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/config"
	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/pagerduty/pdfake"
	"github.com/datatui/datatui/internal/workspace"
)

type keyring map[string]string

func (k keyring) Get(service, key string) (string, error) {
	if v, ok := k[service+"/"+key]; ok {
		return v, nil
	}
	return "", errors.New("not in the keyring")
}

var now = time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC)

// account serves the demo's recorded account (in PagerDuty's shapes) for token "tok".
func account(t *testing.T) *pdfake.Server {
	t.Helper()
	data, err := pddemo.Data(now)
	if err != nil {
		t.Fatal(err)
	}
	s := pdfake.New(data, "tok")
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func service(pd config.PagerDuty, env map[string]string, kr Keyring) *Service {
	cfg := config.Default()
	cfg.PagerDuty = pd
	return New(&workspace.Workspace{Config: cfg}, Options{Getenv: func(k string) string { return env[k] }, Keyring: kr, Now: func() time.Time { return now }})
}

func TestCheckByNames(t *testing.T) {
	s := account(t)
	svc := service(config.PagerDuty{Schedule: "data platform on-call", Services: []string{"Fivetran loads", "dbt production builds", "Looker"}},
		map[string]string{pagerduty.EnvToken: "tok", pagerduty.EnvAPIURL: s.URL()}, nil)
	r, err := svc.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	first, ok := r.First()
	if !ok || first.Name != "Sam Rivera" || first.Level != 1 || first.Until == nil || first.Until.Sub(now) != 21*time.Hour+15*time.Minute {
		t.Errorf("first on call %+v", first)
	}
	if len(r.OnCall) != 2 || r.OnCall[1].Name != "Priya Nair" || r.Schedule != "Data Platform On-Call" {
		t.Errorf("on call %+v on %q", r.OnCall, r.Schedule)
	}
	if len(r.Incidents) != 1 || r.Incidents[0].Title != "Fivetran load failed: app_db" || r.Incidents[0].AcknowledgedBy() != "Sam Rivera" ||
		now.Sub(r.Incidents[0].CreatedAt) != 2*time.Hour {
		t.Errorf("incidents %+v", r.Incidents)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `"Looker"`) {
		t.Errorf("warnings %v", r.Warnings)
	}
}

func TestCheckByIDsWithTheKeyringToken(t *testing.T) {
	s := account(t)
	kr := keyring{pagerduty.KeyringService + "/" + KeyringKey(s.URL()): "tok"}
	svc := service(config.PagerDuty{Schedule: "PDATA01", Services: []string{"PAPIGW1"}}, map[string]string{pagerduty.EnvAPIURL: s.URL()}, kr)
	r, err := svc.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r.Schedule != "Data Platform On-Call" || len(r.Incidents) != 1 || r.Incidents[0].Status != "triggered" {
		t.Errorf("report %+v", r)
	}
	// The schedule's person is not the same as another schedule's: Priya is on the app
	// schedule at level 1 but on the data schedule at level 2.
	if r.OnCall[0].Name != "Sam Rivera" {
		t.Errorf("on call %+v", r.OnCall)
	}
}

func TestCheckSaysWhatIsMissing(t *testing.T) {
	s := account(t)
	env := map[string]string{pagerduty.EnvAPIURL: s.URL()}
	if _, err := service(config.PagerDuty{}, env, nil).Check(context.Background()); !errors.Is(err, ErrNotConfigured) {
		t.Errorf("not configured: %v", err)
	}
	if _, err := service(config.PagerDuty{Schedule: "PDATA01"}, env, keyring{}).Check(context.Background()); !errors.Is(err, pagerduty.ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	env[pagerduty.EnvToken] = "tok"
	_, err := service(config.PagerDuty{Schedule: "Data"}, env, nil).Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "Data Platform On-Call") {
		t.Errorf("inexact name: %v", err)
	}
	// One half failing leaves the other half, with a warning.
	r, err := service(config.PagerDuty{Schedule: "Nobody's", Services: []string{"PFIVETN"}}, env, nil).Check(context.Background())
	if err != nil || len(r.Incidents) != 1 || len(r.Warnings) != 1 {
		t.Errorf("half a report: %+v %v", r, err)
	}
}

func TestTheDemoServesItsOwnAccount(t *testing.T) {
	cfg := config.Default()
	cfg.PagerDuty = config.PagerDuty{Schedule: "Data Platform On-Call", Services: []string{"Fivetran loads"}}
	svc := New(&workspace.Workspace{Demo: true, Config: cfg}, Options{Getenv: func(string) string { return "" }})
	defer svc.Close()
	r, err := svc.Check(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !r.Demo || len(r.OnCall) == 0 || len(r.Incidents) != 1 {
		t.Errorf("demo report %+v", r)
	}
	if in := r.Incidents[0]; time.Since(in.CreatedAt).Round(time.Hour) != 2*time.Hour {
		t.Errorf("the demo's incident is not 2 h old: %v", in.CreatedAt)
	}
}
