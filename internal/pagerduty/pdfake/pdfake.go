// Package pdfake serves PagerDuty REST API v2 answers from recorded objects on a loopback
// address: /oncalls, /incidents, /schedules and /services, with PagerDuty's filters
// (schedule_ids[], service_ids[], statuses[], query, include[]=users), its offset pagination
// (limit, offset, more) and its error bodies. The tests talk to it through the real client, and
// the demo workspace serves its on-call data from it, so both run the code path users run.
package pdfake

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Data is what the server answers from: objects in the shapes PagerDuty's API reference
// documents (the full user objects are what include[]=users puts in /oncalls).
type Data struct {
	Users     []map[string]any `json:"users"`
	Schedules []map[string]any `json:"schedules"`
	Services  []map[string]any `json:"services"`
	OnCalls   []map[string]any `json:"oncalls"`
	Incidents []map[string]any `json:"incidents"`
}

// Server answers like PagerDuty for one token.
type Server struct {
	token string
	data  Data

	mu       sync.Mutex
	requests []*http.Request
	// PageSize, when set, caps every page (to test pagination).
	PageSize int

	ln  net.Listener
	srv *http.Server
}

// New returns a handler that serves data to requests carrying token.
func New(data Data, token string) *Server { return &Server{token: token, data: data} }

// Start serves on 127.0.0.1 (a free port).
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.ln = ln
	s.srv = &http.Server{Handler: s}
	go func() { _ = s.srv.Serve(ln) }()
	return nil
}

// URL is the API base URL of a started server.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() }

// Close stops a started server.
func (s *Server) Close() error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Close()
}

// Requests are the requests served so far (tests check headers and queries).
func (s *Server) Requests() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status, code int, msg string, errs ...string) {
	body := map[string]any{"message": msg, "code": code}
	if len(errs) > 0 {
		body["errors"] = errs
	}
	writeJSON(w, status, map[string]any{"error": body})
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(r.Context()))
	s.mu.Unlock()
	if r.Header.Get("Authorization") != "Token token="+s.token {
		writeError(w, http.StatusUnauthorized, 2006, "Authentication failed")
		return
	}
	if r.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, 2000, "Only reads are recorded")
		return
	}
	q := r.URL.Query()
	var (
		key   string
		items []map[string]any
	)
	switch r.URL.Path {
	case "/oncalls":
		key = "oncalls"
		ids := q["schedule_ids[]"]
		withUsers := slices.Contains(q["include[]"], "users")
		for _, oc := range s.data.OnCalls {
			if len(ids) > 0 && !slices.Contains(ids, refID(oc["schedule"])) {
				continue
			}
			if withUsers {
				oc = s.withUser(oc)
			}
			items = append(items, oc)
		}
	case "/incidents":
		key = "incidents"
		statuses, services := q["statuses[]"], q["service_ids[]"]
		for _, st := range statuses {
			if st != "triggered" && st != "acknowledged" && st != "resolved" {
				writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Statuses must be one of triggered, acknowledged, resolved.")
				return
			}
		}
		for _, in := range s.data.Incidents {
			if len(statuses) > 0 && !slices.Contains(statuses, str(in["status"])) {
				continue
			}
			if len(services) > 0 && !slices.Contains(services, refID(in["service"])) {
				continue
			}
			items = append(items, in)
		}
	case "/schedules":
		key, items = "schedules", byName(s.data.Schedules, q.Get("query"))
	case "/services":
		key, items = "services", byName(s.data.Services, q.Get("query"))
	default:
		writeError(w, http.StatusNotFound, 2100, "Not Found")
		return
	}
	limit, offset := 25, 0
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Limit must be a positive integer.")
			return
		}
		limit = min(n, 100)
	}
	if s.PageSize > 0 {
		limit = min(limit, s.PageSize)
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, 2001, "Invalid Input Provided", "Offset must be a non-negative integer.")
			return
		}
		offset = n
	}
	pageItems := []map[string]any{}
	if offset < len(items) {
		pageItems = items[offset:min(len(items), offset+limit)]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		key: pageItems, "limit": limit, "offset": offset, "more": offset+len(pageItems) < len(items), "total": nil,
	})
}

// withUser replaces an on-call entry's user reference by the full user object.
func (s *Server) withUser(oc map[string]any) map[string]any {
	id := refID(oc["user"])
	for _, u := range s.data.Users {
		if str(u["id"]) == id {
			out := make(map[string]any, len(oc))
			for k, v := range oc {
				out[k] = v
			}
			out["user"] = u
			return out
		}
	}
	return oc
}

func byName(objs []map[string]any, query string) []map[string]any {
	var out []map[string]any
	for _, o := range objs {
		if query == "" || strings.Contains(strings.ToLower(str(o["name"])), strings.ToLower(query)) {
			out = append(out, o)
		}
	}
	return out
}

func refID(v any) string {
	if m, ok := v.(map[string]any); ok {
		return str(m["id"])
	}
	return ""
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
