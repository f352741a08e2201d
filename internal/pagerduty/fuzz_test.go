package pagerduty

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// replay answers every request with the same status, Retry-After and body: PagerDuty (or
// anything pretending to be it) in one fuzzed answer.
type replay struct {
	status     int
	retryAfter string
	body       []byte
}

func (r replay) RoundTrip(req *http.Request) (*http.Response, error) {
	h := http.Header{"Content-Type": {"application/json"}}
	if r.retryAfter != "" {
		h.Set("Retry-After", r.retryAfter)
	}
	return &http.Response{StatusCode: r.status, Header: h, Body: io.NopCloser(bytes.NewReader(r.body)), Request: req}, nil
}

// FuzzAnswers feeds the client arbitrary answers to every listing it makes. Whatever comes
// back, it must not panic, must not loop (every listing ends within maxPages), must never put
// the token in an error, and a listing it accepts must hold what the answer said.
func FuzzAnswers(f *testing.F) {
	for _, seed := range []struct {
		status int
		retry  string
		body   string
	}{
		{200, "", `{"oncalls":[{"escalation_level":1,"user":{"id":"P1","summary":"Sam","email":"sam@example.com"},"schedule":{"id":"S1"},"start":"2026-11-21T08:00:00Z","end":"2026-11-22T08:00:00Z"}],"more":false}`},
		{200, "", `{"incidents":[{"id":"Q1","incident_number":7,"title":"load failed","status":"acknowledged","created_at":"2026-11-21T08:00:00Z","service":{"id":"PS","summary":"Fivetran"},"acknowledgements":[{"acknowledger":{"summary":"Sam"}}]}],"more":true}`},
		{200, "", `{"schedules":[],"more":false}`},
		{200, "", `{"more":true}`},
		{200, "", `[]`},
		{200, "", `{"incidents": null, "more": true}`},
		{401, "", `{"error":{"message":"Unauthorized","code":2006,"errors":["token tok-secret-123 is bad"]}}`},
		{429, "7", `{"error":{"message":"Rate Limit Exceeded","code":2020}}`},
		{429, "Wed, 21 Oct 2026 07:28:00 GMT", ``},
		{500, "", "<html>bad gateway</html>"},
	} {
		f.Add(seed.status, seed.retry, []byte(seed.body))
	}
	const token = "tok-secret-123"
	f.Fuzz(func(t *testing.T, status int, retryAfter string, body []byte) {
		if status < 100 || status > 599 {
			status = 200 + (status%400+400)%400
		}
		if strings.ContainsAny(retryAfter, "\r\n\x00") || !isHeaderSafe(retryAfter) {
			retryAfter = ""
		}
		c, err := New(Options{BaseURL: "https://api.pagerduty.example", Token: token,
			HTTP: &http.Client{Transport: replay{status: status, retryAfter: retryAfter, body: body}}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		check := func(what string, n int, err error) {
			if err != nil {
				if strings.Contains(err.Error(), token) {
					t.Fatalf("%s: the error shows the token: %v", what, err)
				}
				if status/100 != 2 && !strings.Contains(err.Error(), strconv.Itoa(status)) && status != http.StatusUnauthorized {
					t.Fatalf("%s: a %d answer gave an error that does not say so: %v", what, status, err)
				}
				return
			}
			if status/100 != 2 {
				t.Fatalf("%s: a %d answer was accepted", what, status)
			}
			if n > maxPages*pageLimit*2 {
				t.Fatalf("%s: %d entries from at most %d pages", what, n, maxPages)
			}
		}
		oc, err := c.OnCalls(ctx, []string{"S1"})
		check("oncalls", len(oc), err)
		in, err := c.OpenIncidents(ctx, nil)
		check("incidents", len(in), err)
		for _, i := range in {
			_ = i.AcknowledgedBy()
			_ = i.Assignees()
		}
		for _, o := range oc {
			_ = o.User.DisplayName()
		}
		s, err := c.Schedules(ctx, "data")
		check("schedules", len(s), err)
	})
}

// isHeaderSafe keeps the fuzzer to header values net/http could have received.
func isHeaderSafe(v string) bool {
	for _, r := range v {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return true
}
