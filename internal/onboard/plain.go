package onboard

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/datatui/datatui/internal/redact"
)

// Plain is a failure said in plain language for someone on their first day: one sentence on
// what it means and what to do, and the guide section that helps. The raw error stays with
// the result (Result.Raw), one key away in the wizard.
type Plain struct {
	Sentence      string
	Guide, Anchor string
}

// Guide sections the explanations point to.
const (
	guideSetup    = "set-up-your-environment"
	anchorTrouble = "when-something-goes-wrong"
	anchorConnect = "connect-dbt-to-snowflake"
	anchorSSO     = "single-sign-on-in-the-browser"
	anchorKeyPair = "key-pair"
	anchorGitHub  = "sign-in-to-github"
	guideSupport  = "office-hours-and-support"
	anchorAsk     = "where-to-ask-what"
)

// ExplainedError is an error that already carries its plain explanation (the warehouse
// layer's hook explains driver errors this package cannot see, see package live).
type ExplainedError struct {
	Plain
	Err error
}

func (e *ExplainedError) Error() string { return e.Err.Error() }
func (e *ExplainedError) Unwrap() error { return e.Err }

// HTTPStatusError is an HTTP answer that refused a request: the status says why.
type HTTPStatusError struct {
	Service string // "GitHub"
	Code    int    // http.StatusUnauthorized…
}

func (e *HTTPStatusError) Error() string {
	return fmt.Sprintf("%s answered HTTP %d %s", e.Service, e.Code, http.StatusText(e.Code))
}

// Explain says err in plain language when it is one of the failures a first day meets:
// a name that does not resolve, a certificate this machine does not trust, no answer in
// time, a refused connection, an HTTP 401 or 403. It reports false for anything else, which
// is then shown as it is.
func Explain(err error) (Plain, bool) {
	if err == nil {
		return Plain{}, false
	}
	var ex *ExplainedError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var alert tls.AlertError
	var status *HTTPStatusError
	var netErr net.Error
	trouble := func(s string) (Plain, bool) {
		return Plain{Sentence: s, Guide: guideSetup, Anchor: anchorTrouble}, true
	}
	switch {
	case errors.As(err, &ex):
		return ex.Plain, true
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return trouble(fmt.Sprintf("The address %s does not exist (DNS found no such name): check its spelling, and that you are online or on the company VPN.", dns.Name))
		}
		return trouble(fmt.Sprintf("This machine could not look up %s (DNS): check that you are online or on the company VPN, then try again.", dns.Name))
	case errors.As(err, &hostname):
		return trouble(fmt.Sprintf("The secure connection failed: the server's certificate is not for %s. Check the address, or whether a proxy answers in its place.", hostname.Host))
	case errors.As(err, &invalid):
		if invalid.Reason == x509.Expired {
			return trouble("The secure connection failed: the server's certificate has expired, or this machine's clock is wrong. Check the date and time of your laptop.")
		}
		return trouble("The secure connection failed: the server's certificate is not valid. A company proxy that inspects traffic usually causes this: ask IT.")
	case errors.As(err, &unknownCA), errors.As(err, &verify):
		return trouble("The secure connection failed: this machine does not trust the server's certificate. A company proxy that inspects traffic usually causes this: ask IT for its root certificate and install it (or point SSL_CERT_FILE at it).")
	case errors.As(err, &record), errors.As(err, &alert):
		return trouble("The secure connection failed (the server did not speak TLS as expected): a proxy or firewall may be in the way; try another network or ask IT.")
	case errors.As(err, &status) && status.Code == http.StatusUnauthorized:
		p := Plain{Sentence: fmt.Sprintf("%s did not accept your sign-in (HTTP 401): your login has expired or the token is wrong. Sign in again.", status.Service), Guide: guideSetup, Anchor: anchorTrouble}
		if status.Service == "GitHub" {
			p.Sentence, p.Anchor = "GitHub did not accept your sign-in (HTTP 401): your login has expired or the token is wrong. Sign in again with: gh auth login", anchorGitHub
		}
		return p, true
	case errors.As(err, &status) && status.Code == http.StatusForbidden:
		p := Plain{Sentence: fmt.Sprintf("%s knows who you are but does not let you in (HTTP 403): ask the data team for access.", status.Service), Guide: guideSupport, Anchor: anchorAsk}
		if status.Service == "GitHub" {
			p.Sentence = "GitHub knows who you are but does not let you see the team's repository (HTTP 403): ask the data team to add your GitHub account, or authorise your token for the organisation's single sign-on."
		}
		return p, true
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return trouble("The server did not answer in time. You may need the company VPN, or the network is slow: check the connection and try again.")
	case errors.Is(err, syscall.ECONNREFUSED):
		return trouble("The server refused the connection: the address or port is wrong, or a firewall blocks it.")
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		return trouble("The network cannot reach the server: check that you are online or on the company VPN.")
	}
	return Plain{}, false
}

// failExplained is a failed result for err: its plain sentence, when there is one, with the
// raw error kept one key away and the guide section that helps; else prefix and the error.
func failExplained(checked, prefix string, err error) Result {
	raw := redact.String(strings.TrimSpace(err.Error()))
	if p, ok := Explain(err); ok {
		return Result{Status: StatusFail, Checked: checked, Detail: p.Sentence, Raw: raw, Guide: p.Guide, Anchor: p.Anchor}
	}
	return fail(checked, prefix+raw)
}
