package onboard

import (
	"net/url"
	"strings"

	"github.com/datatui/datatui/internal/lazyre"
)

var (
	// secretAssign matches key: value / key=value pairs whose key names a secret.
	secretAssign = lazyre.New(`(?i)((?:password|passwd|pwd|token|secret|passphrase|private_key(?:_passphrase)?|client_secret|api_key|access_key|authorization)["']?\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)`)
	// tokenLike matches well-known token shapes wherever they appear.
	tokenLike = lazyre.New(`\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|dbtc_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{5,})\b`)
	bearer    = lazyre.New(`(?i)(bearer\s+)\S+`)
	pemBlock  = lazyre.New(`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`)
)

// Redact removes secrets from text shown to people or written to a report: values of keys
// that name a secret, bearer tokens, GitHub/dbt Cloud tokens, JWTs, private keys, and
// passwords inside URLs.
func Redact(s string) string {
	s = pemBlock.ReplaceAllString(s, "[private key removed]")
	s = secretAssign.ReplaceAllString(s, "${1}[redacted]")
	s = bearer.ReplaceAllString(s, "${1}[redacted]")
	s = tokenLike.ReplaceAllString(s, "[redacted]")
	return redactURLsIn(s)
}

var urlWithUser = lazyre.New(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/@]+@[^\s]+`)

func redactURLsIn(s string) string {
	return urlWithUser.ReplaceAllStringFunc(s, redactURL)
}

// redactURL drops the password (or token) of a URL's user info: https://x:tok@host → https://x@host.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "redacted")
		return strings.Replace(u.String(), ":redacted@", ":[redacted]@", 1)
	}
	if strings.HasPrefix(u.User.Username(), "ghp_") || strings.HasPrefix(u.User.Username(), "github_pat_") || len(u.User.Username()) > 30 {
		u.User = url.User("[redacted]")
	}
	return u.String()
}

// redactOutput cleans a tool's output before it is shown.
func redactOutput(s string) string { return Redact(s) }
