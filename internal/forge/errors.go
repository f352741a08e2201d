package forge

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/datatui/datatui/internal/redact"
)

// ErrNotSignedIn means no GitHub token was found. Its message says exactly how to sign in.
// (A value of a struct type rather than errors.New, so the package does no work at start-up.)
var ErrNotSignedIn error = notSignedInError{}

type notSignedInError struct{}

func (notSignedInError) Error() string {
	return "not signed in to GitHub: run `gh auth login`, or `export GH_TOKEN=…` with a personal access token (repo scope)"
}

// AuthError is GitHub refusing the token (HTTP 401).
type AuthError struct{ Host string }

func (e *AuthError) Error() string {
	return fmt.Sprintf("GitHub (%s) rejected the token (HTTP 401): sign in again with `gh auth login --hostname %s`, or export a valid GH_TOKEN", e.Host, e.Host)
}

// RateLimitError is GitHub's primary or secondary rate limit (HTTP 403/429, or a GraphQL
// RATE_LIMITED error). Wait is how long GitHub asked us to wait; Reset when the budget refills.
type RateLimitError struct {
	Status    int
	Reset     time.Time
	Wait      time.Duration
	Secondary bool
}

func (e *RateLimitError) Error() string {
	kind := "rate limit"
	if e.Secondary {
		kind = "secondary rate limit"
	}
	switch {
	case e.Wait > 0:
		return fmt.Sprintf("GitHub %s reached: waiting %s before the next request", kind, e.Wait.Round(time.Second))
	case !e.Reset.IsZero():
		return fmt.Sprintf("GitHub %s reached: it resets at %s", kind, e.Reset.Local().Format("15:04:05"))
	default:
		return fmt.Sprintf("GitHub %s reached", kind)
	}
}

// ServerError is a 5xx from GitHub: worth retrying later.
type ServerError struct{ Status int }

func (e *ServerError) Error() string {
	return fmt.Sprintf("GitHub had a server error (HTTP %d); datatui will retry", e.Status)
}

// RateLimit is the budget GitHub reported with the last response.
type RateLimit struct {
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	Reset     time.Time `json:"resetAt"`
	// Cost is the GraphQL query's cost in points.
	Cost int `json:"cost,omitempty"`
	// Known is false when no response carried rate-limit information.
	Known bool `json:"known"`
}

// rateLimitFromHeaders reads X-RateLimit-Limit/Remaining/Reset.
func rateLimitFromHeaders(h http.Header) RateLimit {
	rem := h.Get("X-RateLimit-Remaining")
	if rem == "" {
		return RateLimit{}
	}
	rl := RateLimit{Known: true}
	rl.Remaining, _ = strconv.Atoi(rem)
	rl.Limit, _ = strconv.Atoi(h.Get("X-RateLimit-Limit"))
	if s, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		rl.Reset = time.Unix(s, 0)
	}
	return rl
}

// classifyHTTP turns a non-2xx response into one of the typed errors, or nil when the status
// is not one of them (the caller reports it as is).
func classifyHTTP(status int, h http.Header, body, host string, now time.Time) error {
	switch {
	case status == http.StatusUnauthorized:
		return &AuthError{Host: host}
	case status == http.StatusTooManyRequests || status == http.StatusForbidden:
		rl := rateLimitFromHeaders(h)
		retry := parseRetryAfter(h.Get("Retry-After"), now)
		secondary := strings.Contains(strings.ToLower(body), "secondary rate limit")
		if status == http.StatusForbidden && retry == 0 && !secondary && !(rl.Known && rl.Remaining == 0) {
			return nil // a plain permission error
		}
		e := &RateLimitError{Status: status, Wait: retry, Secondary: secondary || (retry > 0 && !(rl.Known && rl.Remaining == 0))}
		if rl.Known && rl.Remaining == 0 {
			e.Reset = rl.Reset
			e.Secondary = false
		}
		return e
	case status >= 500:
		return &ServerError{Status: status}
	}
	return nil
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		// A day is longer than any limit GitHub sets; more is a broken header.
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// scrub removes the token (and every other known secret) from an error message: no error
// datatui prints may carry a secret, whatever a server or library put into it. The
// redaction layer keeps the error chain, so errors.As still finds the typed errors.
func scrub(err error, token string) error {
	redact.Add(token)
	return redact.Error(err)
}
