package main

import (
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/pagerduty/pdfake"
)

// The oncall scripts talk to a loopback PagerDuty (the demo's recorded account, in PagerDuty's
// documented shapes) that accepts $FAKE_PD_TOKEN, started per script at $FAKE_PD_URL.
var _ = func() bool {
	scriptSetups = append(scriptSetups, func(env *testscript.Env) error {
		data, err := pddemo.Data(time.Now())
		if err != nil {
			return err
		}
		s := pdfake.New(data, "pd-script-token")
		if err := s.Start(); err != nil {
			return err
		}
		env.Defer(func() { s.Close() })
		env.Setenv("FAKE_PD_URL", s.URL())
		env.Setenv("FAKE_PD_TOKEN", "pd-script-token")
		env.Setenv(pagerduty.EnvToken, "")
		env.Setenv(pagerduty.EnvAPIURL, "")
		return nil
	})
	return true
}()
