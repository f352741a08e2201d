// Package sftest is a small fake Snowflake server for tests: it speaks the login, query,
// close and telemetry parts of the protocol the real gosnowflake driver uses, on a loopback
// httptest server. Replies are scripted per SQL statement and every statement received is
// recorded, so tests can assert exactly what was sent (and that nothing was).
package sftest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Statement types (statementTypeId) the driver looks at.
const (
	TypeSelect = 0x1000
	TypeShow   = 0x4400
	TypeDDL    = 0x6000
)

// Column is one result column.
type Column struct {
	Name string
	// Type is the Snowflake type: "text", "fixed", "boolean", "timestamp_ltz"…
	Type string
}

// Result is the scripted reply to one statement.
type Result struct {
	Columns []Column
	// Rows hold cells as the wire carries them: strings, or nil for NULL (see TS for
	// timestamps).
	Rows          [][]*string
	StatementType int
	// Err, when set, makes the query fail.
	Err *SQLError
}

// SQLError is a failed statement or login as Snowflake reports it.
type SQLError struct {
	Code     string // "002003"
	SQLState string // "02000"
	Message  string
}

// Login is one login request as received. The fake's credentials are test values, so they
// are kept for tests to assert.
type Login struct {
	Account, User, Authenticator, Role, Warehouse, Database, Schema string
	// HasPassword and HasToken say what credentials came.
	HasPassword, HasToken bool
	Password, Token       string
	// SAML is the RAW_SAML_RESPONSE of a native Okta login.
	SAML string
	// Host is the Host header the login was sent to (the account's host name when the
	// driver was pointed at it through Transport or a proxy).
	Host string
	// SessionParameters are the SESSION_PARAMETERS sent.
	SessionParameters map[string]any
}

// TokenRequest is one OAuth token request (POST /oauth/token-request) as received.
type TokenRequest struct {
	GrantType, RefreshToken, ClientID, ClientSecret string
}

// Server is the fake. Zero value is not usable; call New.
type Server struct {
	*httptest.Server

	mu         sync.Mutex
	results    map[string]Result
	statements []string
	logins     []Login
	requests   []string
	// password, when set, is the only password accepted.
	password string
	loginErr *SQLError
	// loginHTTPFailures answers the next n logins with HTTP status loginHTTPStatus.
	loginHTTPFailures, loginHTTPStatus int
	tokens                             []TokenRequest
	accessToken                        string
	origin                             string
}

// New starts a server closed at the end of the test.
func New(t testing.TB) *Server {
	s := Start()
	t.Cleanup(s.Close)
	return s
}

// Start starts a server the caller closes (for harnesses without a testing.TB).
func Start() *Server {
	s := &Server{results: map[string]Result{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// IdentitySQL is the statement the snowflake engine reads the session's identity with.
const IdentitySQL = `SELECT CURRENT_USER() AS "USER", CURRENT_ROLE() AS "ROLE", CURRENT_SECONDARY_ROLES() AS "SECONDARY_ROLES", CURRENT_WAREHOUSE() AS "WAREHOUSE", CURRENT_DATABASE() AS "DATABASE", CURRENT_SCHEMA() AS "SCHEMA", CURRENT_ACCOUNT() AS "ACCOUNT"`

// Identity is the reply to IdentitySQL.
func Identity(user, role, warehouse, database string) Result {
	names := []string{"USER", "ROLE", "SECONDARY_ROLES", "WAREHOUSE", "DATABASE", "SCHEMA", "ACCOUNT"}
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{Name: n, Type: "text"}
	}
	return Result{StatementType: TypeSelect, Columns: cols,
		Rows: [][]*string{{Str(user), Str(role), Str(`{"roles":"","value":""}`), Str(warehouse), Str(database), nil, Str("TEST")}}}
}

// HostPort returns the server's host and port for the driver config.
func (s *Server) HostPort() (string, int) {
	u, _ := url.Parse(s.URL)
	port, _ := strconv.Atoi(u.Port())
	return u.Hostname(), port
}

// Normalize is how statements are matched: surrounding space and a trailing semicolon
// dropped, inner runs of white space collapsed.
func Normalize(sql string) string {
	return strings.TrimSuffix(strings.Join(strings.Fields(sql), " "), ";")
}

// On scripts the reply to sql (matched after Normalize).
func (s *Server) On(sql string, r Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results[Normalize(sql)] = r
}

// RequirePassword makes logins with any other password fail with 390100.
func (s *Server) RequirePassword(pw string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.password = pw
}

// FailLogin makes every login fail with err.
func (s *Server) FailLogin(err SQLError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginErr = &err
}

// FailLoginsHTTP answers the next n login requests with HTTP status (a 503 is what a
// Snowflake outage looks like; the driver retries it itself until its login timeout).
func (s *Server) FailLoginsHTTP(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loginHTTPFailures, s.loginHTTPStatus = n, status
}

// IssueAccessToken makes POST /oauth/token-request answer with this access token (for
// grant_type=refresh_token with client credentials); until it is called the endpoint
// answers invalid_grant.
func (s *Server) IssueAccessToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accessToken = tok
}

// TokenRequests returns every OAuth token request received.
func (s *Server) TokenRequests() []TokenRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]TokenRequest(nil), s.tokens...)
}

// Transport sends every request to the fake whatever host it names, keeping the Host
// header, so a test can give the driver the account's real host name (or an Okta URL) and
// see which host it asked for.
func (s *Server) Transport() http.RoundTripper {
	u, _ := url.Parse(s.URL)
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Host = r.URL.Host
		r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
		return http.DefaultTransport.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Statements returns every statement received, in order.
func (s *Server) Statements() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.statements...)
}

// Logins returns every login received.
func (s *Server) Logins() []Login {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Login(nil), s.logins...)
}

// Requests returns the path of every HTTP request received (login, queries, close…).
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Str is a helper for a non-NULL cell.
func Str(v string) *string { return &v }

// Row builds a row of non-NULL text cells.
func Row(cells ...string) []*string {
	out := make([]*string, len(cells))
	for i := range cells {
		out[i] = Str(cells[i])
	}
	return out
}

// TS encodes a timestamp cell the way timestamp_ltz/ntz columns carry it.
func TS(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// Text builds a result of text columns (timestamp_ltz for created_on and dropped_on).
func Text(names []string, rows ...[]*string) Result {
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i] = Column{Name: n, Type: "text"}
		if n == "created_on" || n == "dropped_on" {
			cols[i].Type = "timestamp_ltz"
		}
	}
	return Result{Columns: cols, Rows: rows, StatementType: TypeShow}
}

// OK is the reply to a DDL statement.
func OK(status string) Result {
	return Result{Columns: []Column{{Name: "status", Type: "text"}}, Rows: [][]*string{Row(status)}, StatementType: TypeDDL}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.URL.Path)
	if r.URL.Path == "/session/authenticator-request" {
		s.origin = "http://" + r.Host
	}
	s.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/session/v1/login-request":
		s.login(w, r, body)
	case "/session/authenticator-request":
		s.authenticator(w, r, body)
	case "/okta/api/v1/authn":
		writeJSON(w, map[string]any{"sessionToken": "okta-one-time-token"})
	case "/okta/app/snowflake/sso/saml":
		s.oktaSSO(w, r)
	case "/oauth/token-request":
		s.tokenRequest(w, r, body)
	case "/queries/v1/query-request":
		s.query(w, body)
	case "/session", "/telemetry/send", "/session/heartbeat", "/queries/v1/abort-request":
		writeJSON(w, map[string]any{"success": true, "code": nil, "message": nil, "data": nil})
	default:
		writeJSON(w, map[string]any{"success": false, "code": "390404", "message": "fake Snowflake: no handler for " + r.URL.Path})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Data struct {
			AccountName   string         `json:"ACCOUNT_NAME"`
			LoginName     string         `json:"LOGIN_NAME"`
			Password      string         `json:"PASSWORD"`
			Authenticator string         `json:"AUTHENTICATOR"`
			Token         string         `json:"TOKEN"`
			SAML          string         `json:"RAW_SAML_RESPONSE"`
			Params        map[string]any `json:"SESSION_PARAMETERS"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &req)
	q := r.URL.Query()
	l := Login{Account: req.Data.AccountName, User: req.Data.LoginName, Authenticator: req.Data.Authenticator,
		Role: q.Get("roleName"), Warehouse: q.Get("warehouse"), Database: q.Get("databaseName"), Schema: q.Get("schemaName"),
		HasPassword: req.Data.Password != "", HasToken: req.Data.Token != "", Password: req.Data.Password, Token: req.Data.Token,
		SAML: req.Data.SAML, Host: r.Host, SessionParameters: req.Data.Params}
	s.mu.Lock()
	s.logins = append(s.logins, l)
	loginErr, password := s.loginErr, s.password
	failHTTP := 0
	if s.loginHTTPFailures > 0 {
		s.loginHTTPFailures--
		failHTTP = s.loginHTTPStatus
	}
	s.mu.Unlock()
	if failHTTP != 0 {
		w.WriteHeader(failHTTP)
		return
	}
	if loginErr == nil && password != "" && req.Data.Password != password {
		loginErr = &SQLError{Code: "390100", Message: "Incorrect username or password was specified."}
	}
	if loginErr != nil {
		writeJSON(w, map[string]any{"success": false, "code": loginErr.Code, "message": loginErr.Message, "data": nil})
		return
	}
	writeJSON(w, map[string]any{"success": true, "code": nil, "message": nil, "data": map[string]any{
		"token": "session-token", "masterToken": "master-token", "sessionId": 1,
		"validityInSeconds": 3600, "masterValidityInSeconds": 14400,
		"parameters":    []any{},
		"sessionInfo":   map[string]any{"databaseName": l.Database, "schemaName": l.Schema, "warehouseName": l.Warehouse, "roleName": l.Role},
		"serverVersion": "9.0.0",
	}})
}

// authenticator answers the first step of native Okta SSO: the IdP's token and SSO URLs,
// on the Okta host the login named (which Transport brings back to this server).
func (s *Server) authenticator(w http.ResponseWriter, r *http.Request, body []byte) {
	var req struct {
		Data struct {
			Authenticator string `json:"AUTHENTICATOR"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &req)
	okta, err := url.Parse(req.Data.Authenticator)
	if err != nil || okta.Host == "" {
		writeJSON(w, map[string]any{"success": false, "code": "390190", "message": "There was an error related to the SAML Identity Provider account parameter."})
		return
	}
	base := okta.Scheme + "://" + okta.Host
	writeJSON(w, map[string]any{"success": true, "code": nil, "message": nil, "data": map[string]any{
		"tokenUrl": base + "/okta/api/v1/authn", "ssoUrl": base + "/okta/app/snowflake/sso/saml"}})
}

// oktaSSO answers the IdP's SAML page: a form that posts back to the Snowflake host the
// request came through (the driver checks that it is its own).
func (s *Server) oktaSSO(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("onetimetoken") != "okta-one-time-token" {
		w.WriteHeader(http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/html")
	_, _ = io.WriteString(w, `<html><body><form method="post" action="`+s.snowflakeOrigin()+`/fed/login"><input type="hidden" name="SAMLResponse" value="c2FtbA=="/></form></body></html>`)
}

// snowflakeOrigin is the origin the driver logs in to: the Host of its first login-request
// style request, or the server's own URL.
func (s *Server) snowflakeOrigin() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.origin
}

func (s *Server) tokenRequest(w http.ResponseWriter, r *http.Request, body []byte) {
	form, _ := url.ParseQuery(string(body))
	id, secret, _ := r.BasicAuth()
	tr := TokenRequest{GrantType: form.Get("grant_type"), RefreshToken: form.Get("refresh_token"), ClientID: id, ClientSecret: secret}
	s.mu.Lock()
	s.tokens = append(s.tokens, tr)
	tok := s.accessToken
	s.mu.Unlock()
	if tok == "" || tr.GrantType != "refresh_token" || tr.ClientID == "" {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"error": "invalid_grant", "error_description": "The refresh token is invalid or expired."})
		return
	}
	writeJSON(w, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 600})
}

func (s *Server) query(w http.ResponseWriter, body []byte) {
	var req struct {
		SQLText string `json:"sqlText"`
	}
	_ = json.Unmarshal(body, &req)
	sql := Normalize(req.SQLText)
	s.mu.Lock()
	s.statements = append(s.statements, sql)
	res, ok := s.results[sql]
	s.mu.Unlock()
	if !ok {
		res = Result{Err: &SQLError{Code: "001003", SQLState: "42000", Message: "SQL compilation error: fake Snowflake has no reply scripted for: " + sql}}
	}
	if res.Err != nil {
		writeJSON(w, map[string]any{"success": false, "code": res.Err.Code, "message": res.Err.Message,
			"data": map[string]any{"queryId": "q-err", "sqlState": res.Err.SQLState, "errorCode": res.Err.Code}})
		return
	}
	rowtype := make([]map[string]any, len(res.Columns))
	for i, c := range res.Columns {
		rowtype[i] = map[string]any{"name": c.Name, "type": c.Type, "nullable": true, "length": 16777216, "precision": 38, "scale": 9, "byteLength": 16777216}
		if c.Type == "fixed" {
			rowtype[i]["scale"] = 0
		}
	}
	rows := res.Rows
	if rows == nil {
		rows = [][]*string{}
	}
	writeJSON(w, map[string]any{"success": true, "code": nil, "message": nil, "data": map[string]any{
		"queryId": "q-" + strconv.Itoa(len(s.Statements())), "rowtype": rowtype, "rowset": rows,
		"total": len(rows), "returned": len(rows), "statementTypeId": res.StatementType, "queryResultFormat": "json",
		"parameters": []any{},
	}})
}

// LoginAs scripts the session's identity: CURRENT_USER() answers user (with role
// CONTRIBUTOR), whatever the profile says.
func (s *Server) LoginAs(user string) {
	s.On(IdentitySQL, Identity(user, "CONTRIBUTOR", "TRANSFORMING", ""))
}

// DatabaseColumns are the SHOW DATABASES columns the fakes answer with.
var DatabaseColumns = []string{"created_on", "name", "origin", "owner", "comment"}

// HasDatabase scripts `SHOW DATABASES LIKE '<name>'` to list name with comment (the owner
// mark datatui leaves is "datatui sandbox of <login>"); NoDatabase scripts it empty.
func (s *Server) HasDatabase(name, comment string) {
	s.On("SHOW DATABASES LIKE '"+name+"'", Text(DatabaseColumns,
		Row(TS(time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)), name, "ACME.ANALYTICS_CLONE", "CONTRIBUTOR", comment)))
}

// NoDatabase scripts `SHOW DATABASES LIKE '<name>'` to list nothing.
func (s *Server) NoDatabase(name string) {
	s.On("SHOW DATABASES LIKE '"+name+"'", Text(DatabaseColumns))
}

// Names says, for CheckStatements, which databases a test's statements may name.
type Names struct {
	// Clone may be named only as the source of CLONE.
	Clone string
	// Forbidden are never named at all: prod, protected databases, other users' sandboxes.
	Forbidden []string
}

// CheckStatements is the safety invariant over a fake server's statement log: no statement
// names prod, a protected database or another user's sandbox, and the clone is named only
// as what the sandbox is cloned from. Identifiers ("X", X) and string literals ('X') are
// compared case-insensitively with every name given.
func CheckStatements(stmts []string, n Names) error {
	var bad []string
	for _, st := range stmts {
		toks := sqlTokens(st)
		for i, tok := range toks {
			for _, f := range n.Forbidden {
				if f != "" && strings.EqualFold(tok, f) {
					bad = append(bad, fmt.Sprintf("%q names %s", st, f))
				}
			}
			if n.Clone != "" && strings.EqualFold(tok, n.Clone) && (i == 0 || !strings.EqualFold(toks[i-1], "CLONE")) {
				bad = append(bad, fmt.Sprintf("%q names the clone %s other than as the source of CLONE", st, n.Clone))
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("statements break the safety invariant:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}

// sqlTokens splits a statement into words, "quoted identifiers" and 'string literals' (the
// quotes removed, doubled quotes undone); a.b is split at the dot.
func sqlTokens(sql string) []string {
	var out []string
	for i := 0; i < len(sql); {
		c := sql[i]
		switch {
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(sql); j++ {
				if sql[j] == c {
					if j+1 < len(sql) && sql[j+1] == c {
						b.WriteByte(c)
						j++
						continue
					}
					break
				}
				b.WriteByte(sql[j])
			}
			out = append(out, b.String())
			i = j + 1
		case c == '_' || c == '$' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80:
			j := i
			for j < len(sql) && (sql[j] == '_' || sql[j] == '$' || sql[j] >= '0' && sql[j] <= '9' || sql[j] >= 'A' && sql[j] <= 'Z' || sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 0x80) {
				j++
			}
			out = append(out, sql[i:j])
			i = j
		default:
			i++
		}
	}
	return out
}
