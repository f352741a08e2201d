package onboard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/datatui/datatui/guides"
)

// realErrors builds the errors the way the standard library gives them: a TLS handshake
// with a server this machine does not trust, a dial to a closed port, a request past its
// deadline, a DNS answer of "no such host".
func realErrors(t *testing.T) map[string]error {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are the point
	srv.StartTLS()
	defer srv.Close()
	_, tlsErr := (&http.Client{Timeout: 5 * time.Second}).Get(srv.URL) // the default roots do not know the test CA
	if tlsErr == nil {
		t.Fatal("TLS with an unknown CA succeeded")
	}

	// The server's certificate is for 127.0.0.1 and example.com: asking for another name.
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	wrongHost := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "account.snowflakecomputing.com"}}}
	_, hostErr := wrongHost.Get(srv.URL)
	if hostErr == nil {
		t.Fatal("TLS with the wrong host name succeeded")
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, refused := net.Dial("tcp", addr)
	if refused == nil {
		t.Fatal("dial to a closed port succeeded")
	}

	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	_, deadline := http.DefaultClient.Do(req)

	dns := &net.DNSError{Err: "no such host", Name: "ab12345.eu-west-1.snowflakecomputing.com", IsNotFound: true}
	return map[string]error{
		"tls unknown authority": tlsErr,
		"tls wrong host":        hostErr,
		"refused":               refused,
		"deadline":              deadline,
		"dns not found":         &url.Error{Op: "Get", URL: "https://ab12345.eu-west-1.snowflakecomputing.com/", Err: &net.OpError{Op: "dial", Net: "tcp", Err: dns}},
		"dns temporary":         &net.DNSError{Err: "server misbehaving", Name: "api.github.com", IsTemporary: true},
		"expired":               x509.CertificateInvalidError{Reason: x509.Expired},
		"github 401":            &HTTPStatusError{Service: "GitHub", Code: http.StatusUnauthorized},
		"github 403":            &HTTPStatusError{Service: "GitHub", Code: http.StatusForbidden},
		"dbt Cloud 401":         &HTTPStatusError{Service: "dbt Cloud", Code: http.StatusUnauthorized},
		"explained":             fmt.Errorf("logging in: %w", &ExplainedError{Plain: Plain{Sentence: "already said", Guide: "g"}, Err: errors.New("raw")}),
	}
}

func TestExplain(t *testing.T) {
	errs := realErrors(t)
	tests := []struct {
		name, want, guide, anchor string
	}{
		{"tls unknown authority", "does not trust the server's certificate", guideSetup, anchorTrouble},
		{"tls wrong host", "certificate is not for account.snowflakecomputing.com", guideSetup, anchorTrouble},
		{"refused", "refused the connection", guideSetup, anchorTrouble},
		{"deadline", "did not answer in time", guideSetup, anchorTrouble},
		{"dns not found", "ab12345.eu-west-1.snowflakecomputing.com does not exist (DNS", guideSetup, anchorTrouble},
		{"dns temporary", "could not look up api.github.com", guideSetup, anchorTrouble},
		{"expired", "has expired, or this machine's clock is wrong", guideSetup, anchorTrouble},
		{"github 401", "GitHub did not accept your sign-in (HTTP 401)", guideSetup, anchorGitHub},
		{"github 403", "ask the data team to add your GitHub account", guideSupport, anchorAsk},
		{"dbt Cloud 401", "dbt Cloud did not accept your sign-in", guideSetup, anchorTrouble},
		{"explained", "already said", "g", ""},
	}
	lib := guides.Embedded()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := errs[tt.name]
			p, ok := Explain(err)
			if !ok || !strings.Contains(p.Sentence, tt.want) || p.Guide != tt.guide || p.Anchor != tt.anchor {
				t.Fatalf("Explain(%v) = %+v, %v; want %q in %s#%s", err, p, ok, tt.want, tt.guide, tt.anchor)
			}
			if tt.guide == "g" {
				return
			}
			g, found := lib.Get(p.Guide)
			if !found || (p.Anchor != "" && g.Heading(p.Anchor) == nil) {
				t.Errorf("%s#%s is not a section of the handbook", p.Guide, p.Anchor)
			}
		})
	}
	for _, err := range []error{errors.New("exit status 1"), &HTTPStatusError{Service: "GitHub", Code: 500}, nil} {
		if p, ok := Explain(err); ok {
			t.Errorf("Explain(%v) = %+v, want no explanation", err, p)
		}
	}
}

// TestFailExplained keeps the raw error (redacted) beside the plain sentence.
func TestFailExplained(t *testing.T) {
	err := fmt.Errorf("password=hunter2 for https://x: %w", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true})
	r := failExplained("c", "login failed: ", err)
	if r.Status != StatusFail || !strings.HasPrefix(r.Detail, "The address x does not exist") || r.Guide != guideSetup {
		t.Fatalf("%+v", r)
	}
	if !strings.Contains(r.Raw, "no such host") || strings.Contains(r.Raw, "hunter2") {
		t.Errorf("raw %q: want the error, redacted", r.Raw)
	}
	r = failExplained("c", "login failed: ", errors.New("boom"))
	if r.Detail != "login failed: boom" || r.Raw != "" {
		t.Errorf("unexplained: %+v", r)
	}
}
