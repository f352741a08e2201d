package pagerduty_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/internal/pagerduty"
	"github.com/datatui/datatui/internal/pagerduty/pddemo"
	"github.com/datatui/datatui/internal/pagerduty/pdfake"
)

func fake(t *testing.T, pageSize int) (*pdfake.Server, *pagerduty.Client) {
	t.Helper()
	data, err := pddemo.Data(time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	s := pdfake.New(data, "tok-123")
	s.PageSize = pageSize
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := pagerduty.New(pagerduty.Options{BaseURL: s.URL(), Token: "tok-123"})
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestOnCallsSendsPagerDutysHeadersAndFilters(t *testing.T) {
	s, c := fake(t, 0)
	ocs, err := c.OnCalls(context.Background(), []string{"PDATA01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ocs) != 2 {
		t.Fatalf("%d on-calls, want the 2 of the schedule", len(ocs))
	}
	if u := ocs[0].User; u.Name != "Sam Rivera" || u.Email != "sam.rivera@example.com" || ocs[0].EscalationLevel != 1 {
		t.Errorf("first on-call %+v (include[]=users should give the full user)", ocs[0])
	}
	if ocs[0].End == nil || !ocs[0].End.Equal(time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("end %v", ocs[0].End)
	}
	r := s.Requests()[0]
	if r.Header.Get("Authorization") != "Token token=tok-123" || r.Header.Get("Accept") != "application/vnd.pagerduty+json;version=2" {
		t.Errorf("headers %v", r.Header)
	}
	if q := r.URL.Query(); q.Get("schedule_ids[]") != "PDATA01" || q.Get("include[]") != "users" || q.Get("limit") != "100" {
		t.Errorf("query %v", q)
	}
}

func TestListingsFollowEveryPage(t *testing.T) {
	s, c := fake(t, 1)
	in, err := c.OpenIncidents(context.Background(), []string{"PFIVETN", "PAPIGW1"})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, i := range in {
		titles = append(titles, i.Title)
	}
	if len(in) != 2 || in[0].AcknowledgedBy() != "Sam Rivera" || in[0].Status != "acknowledged" {
		t.Errorf("open incidents %v", titles)
	}
	offsets := []string{}
	for _, r := range s.Requests() {
		offsets = append(offsets, r.URL.Query().Get("offset"))
		if st := r.URL.Query()["statuses[]"]; strings.Join(st, ",") != "triggered,acknowledged" {
			t.Errorf("statuses %v", st)
		}
	}
	if strings.Join(offsets, ",") != "0,1" {
		t.Errorf("offsets asked %v, want 0,1", offsets)
	}
	scheds, err := c.Schedules(context.Background(), "data platform")
	if err != nil || len(scheds) != 1 || scheds[0].ID != "PDATA01" {
		t.Errorf("schedules %+v %v", scheds, err)
	}
}

func TestErrorsSayWhatToDo(t *testing.T) {
	s, _ := fake(t, 0)
	bad, _ := pagerduty.New(pagerduty.Options{BaseURL: s.URL(), Token: "wrong"})
	_, err := bad.OnCalls(context.Background(), nil)
	var ae *pagerduty.APIError
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != 2006 || !strings.Contains(err.Error(), pagerduty.EnvToken) {
		t.Errorf("wrong token: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the error repeats the token: %v", err)
	}

	limited := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
		w.Write([]byte(`{"error": {"message": "Rate Limit Exceeded", "code": 2020}}`))
	}))
	defer limited.Close()
	c, _ := pagerduty.New(pagerduty.Options{BaseURL: limited.URL, Token: "t"})
	if _, err := c.Schedules(context.Background(), ""); !errors.As(err, &ae) || ae.RetryAfter != 30*time.Second || !strings.Contains(err.Error(), "30s") {
		t.Errorf("rate limit: %v", err)
	}

	notJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>proxy login</html>")) }))
	defer notJSON.Close()
	c, _ = pagerduty.New(pagerduty.Options{BaseURL: notJSON.URL, Token: "t"})
	if _, err := c.Services(context.Background(), ""); err == nil || !strings.Contains(err.Error(), "not PagerDuty's JSON") {
		t.Errorf("html answer: %v", err)
	}
}

func TestTokenStaysWithItsHost(t *testing.T) {
	if _, err := pagerduty.New(pagerduty.Options{BaseURL: "http://pagerduty.example.com", Token: "t"}); err == nil {
		t.Error("plain http to another machine accepted")
	}
	if _, err := pagerduty.New(pagerduty.Options{Token: " "}); !errors.Is(err, pagerduty.ErrNoToken) {
		t.Errorf("no token: %v", err)
	}
	var leaked bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = r.Header.Get("Authorization") != ""
		w.Write([]byte(`{"schedules": [], "more": false}`))
	}))
	defer other.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+r.URL.Path, http.StatusFound)
	}))
	defer redirect.Close()
	c, _ := pagerduty.New(pagerduty.Options{BaseURL: redirect.URL, Token: "secret-token"})
	if _, err := c.Schedules(context.Background(), ""); err == nil || leaked {
		t.Errorf("redirect to another host followed (leaked=%v): %v", leaked, err)
	}
}

func TestAServerThatNeverEndsIsBounded(t *testing.T) {
	endless := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"services": [{"id": "PX", "name": "x"}], "more": true}`))
	}))
	defer endless.Close()
	c, _ := pagerduty.New(pagerduty.Options{BaseURL: endless.URL, Token: "t"})
	got, err := c.Services(context.Background(), "")
	if err == nil || len(got) != 50 {
		t.Errorf("%d services, %v", len(got), err)
	}
}
