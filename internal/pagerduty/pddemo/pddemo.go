// Package pddemo serves the demo workspace's PagerDuty: a recorded account of the cashback
// team (data/pagerduty.json: its on-call schedule with Sam on call, the data services, one
// acknowledged incident on the Fivetran loads) on a loopback address started only by the demo.
// Home and `datatui --demo oncall` reach it through the same client that talks to PagerDuty,
// as the demo's pull requests are served; the answers are labelled demo data where shown.
package pddemo

import (
	_ "embed"
	"encoding/json"
	"github.com/datatui/datatui/internal/lazyre"
	"time"

	"github.com/datatui/datatui/internal/pagerduty/pdfake"
)

//go:embed data/pagerduty.json
var recording []byte

// Token is what the demo's client sends: the loopback server accepts only it. It is no
// secret; it keeps a stray request from looking like the person's own.
const Token = "demo-token-not-a-secret"

// Label marks the demo's data wherever it is shown.
const Label = "demo data"

// recordedAt is the moment the recording describes: its timestamps move by the time since,
// so the incident is "2 h ago" and the shift ends tomorrow morning whenever the demo runs.
func recordedAt() time.Time { return time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC) }

var timestamp = lazyre.New(`"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)"`)

// Server is the running demo PagerDuty.
type Server struct{ *pdfake.Server }

// Data is the recording with its timestamps moved to now.
func Data(now time.Time) (pdfake.Data, error) {
	d := now.UTC().Truncate(time.Minute).Sub(recordedAt())
	b := timestamp.Re().ReplaceAllFunc(recording, func(m []byte) []byte {
		t, err := time.Parse(time.RFC3339, string(m[1:len(m)-1]))
		if err != nil {
			return m
		}
		return []byte(`"` + t.Add(d).Format(time.RFC3339) + `"`)
	})
	var data pdfake.Data
	err := json.Unmarshal(b, &data)
	return data, err
}

// Start serves the recording, as of now, on 127.0.0.1.
func Start(now time.Time) (*Server, error) {
	data, err := Data(now)
	if err != nil {
		return nil, err
	}
	s := pdfake.New(data, Token)
	if err := s.Start(); err != nil {
		return nil, err
	}
	return &Server{s}, nil
}
