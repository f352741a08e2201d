// Package demo serves the demo workspace's pull requests: recorded answers of GitHub and dbt
// Cloud for example-org/cashback-analytics, on a loopback address started only by the demo.
// The PR screen and `datatui --demo pr status` reach it through the same clients that talk to
// the real services, so the demo shows the real code path. The recorded data lives in data/
// (one place, so README screenshots show the same pull requests).
package demo

import (
	"embed"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/forge/dbtcloud"
	"github.com/datatui/datatui/internal/forge/replay"
	"github.com/datatui/datatui/internal/lazyre"
)

//go:embed data
var data embed.FS

// Token is what the demo's clients send: the loopback server accepts only it. It is no
// secret; it keeps a stray request from looking like the user's own.
const Token = "demo-token-not-a-secret"

// Label marks the demo's data wherever it is shown.
const Label = "demo data"

// Server is the running loopback server.
type Server struct {
	srv *http.Server
	url string
}

// recordedAt is when the recording is set: every timestamp in it moves by the time since,
// so the demo's PRs read "updated 10m ago" and its running check runs for minutes, not days.
func recordedAt() time.Time { return time.Date(2026, 11, 21, 10, 45, 0, 0, time.UTC) }

var timestamps = lazyre.New(`\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)`)

// shift moves every timestamp of a recorded file by d, keeping its format.
func shift(b []byte, d time.Duration) []byte {
	return timestamps.Re().ReplaceAllFunc(b, func(ts []byte) []byte {
		s := string(ts)
		layout := "2006-01-02T15:04:05Z"
		if strings.Contains(s, " ") {
			layout = "2006-01-02 15:04:05-07:00"
		}
		t, err := time.Parse(strings.Replace(layout, "05", "05.999999999", 1), s)
		if err != nil {
			return ts
		}
		return []byte(t.Add(d).UTC().Format(layout))
	})
}

// read returns a recorded file with its timestamps moved to now.
func read(name string, d time.Duration) ([]byte, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	return shift(b, d), nil
}

// Start serves the recorded data on 127.0.0.1 (a free port).
func Start() (*Server, error) {
	d := time.Now().Truncate(time.Minute).Sub(recordedAt())
	gh, err := github(d)
	if err != nil {
		return nil, err
	}
	dc, err := cloud(d)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/v2/", dc)
	mux.Handle("/", requireToken(gh))
	s := &Server{srv: &http.Server{Handler: mux}, url: "http://" + ln.Addr().String()}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

// requireToken answers GitHub API requests only when they carry the demo token (blob downloads
// carry none, as on GitHub).
func requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/_blobs/") && r.Header.Get("Authorization") != "token "+Token {
			replay.WriteJSON(w, http.StatusUnauthorized, map[string]string{"message": "Bad credentials"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

// URL is the server's base URL.
func (s *Server) URL() string { return s.url }

// APIURL is the GitHub API base (for forge.Options.APIURL).
func (s *Server) APIURL() string { return s.url + "/" }

// Credentials are the demo's dbt Cloud account: cloud.getdbt.com, served from the loopback.
func (s *Server) Credentials() dbtcloud.Credentials {
	return dbtcloud.Credentials{{Host: dbtcloud.DefaultHost, Token: Token, AccountID: 70403, Source: Label, BaseURL: s.url}}
}

// Close stops the server.
func (s *Server) Close() error { return s.srv.Close() }

func github(shiftBy time.Duration) (*replay.GitHub, error) {
	var d replay.GitHubData
	b, err := read("github.json", shiftBy)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	logs := map[string][]byte{}
	entries, _ := data.ReadDir("data")
	for _, e := range entries {
		if id, ok := strings.CutPrefix(e.Name(), "actions-job-"); ok {
			logs[strings.TrimSuffix(id, ".log")], _ = read(e.Name(), shiftBy)
		}
	}
	return replay.NewGitHub(d, logs), nil
}

func cloud(shiftBy time.Duration) (*replay.DBTCloud, error) {
	var d replay.DBTCloudData
	b, err := read("dbtcloud-runs.json", shiftBy)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &d.Runs); err != nil {
		return nil, err
	}
	rr, err := data.ReadFile("data/dbtcloud-run_results-981-4.json")
	if err != nil {
		return nil, err
	}
	d.Artifacts = map[string][]byte{"981/4/run_results.json": rr}
	if d.Trigger, err = read("dbtcloud-trigger.json", shiftBy); err != nil {
		return nil, err
	}
	if len(d.Runs) == 0 {
		return nil, errors.New("the demo has no recorded dbt Cloud runs")
	}
	return replay.NewDBTCloud(d, Token)
}
