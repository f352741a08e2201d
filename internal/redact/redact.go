// Package redact is the one place secrets are taken out of what datatui shows or keeps: CLI
// text and JSON, the TUI, state files, the debug log and the support report all pass through
// it. It removes secrets three ways:
//
//   - by value: every secret datatui has read (profiles.yml's secret settings at any depth,
//     their env_var() values and defaults, secret environment variables, tokens from gh's
//     config or the keyring) is registered with Add or the Learn functions and replaced
//     wherever it appears, errors from drivers and tools included;
//   - by shape: URL passwords (scheme://user:PW@host), secret query parameters and
//     assignments (md:db?motherduck_token=…, password=…), bearer credentials, private keys
//     (PEM and base64 DER), GitHub and dbt Cloud tokens and JWTs;
//   - by key: a value kept under a secret-looking key (IsSecretKey) in JSON, YAML-like text
//     and log attributes.
//
// Everything secret becomes Mask. Values shorter than MinLength are not replaced by value
// (they would blank out ordinary words and numbers everywhere); keys and shapes still catch
// them.
package redact

import (
	"encoding/json"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/datatui/datatui/internal/lazyre"
)

// Mask replaces every secret.
const Mask = "[redacted]"

// MinLength is the shortest value replaced wherever it appears.
const MinLength = 4

// registry holds the known secret values. Learning happens a few times per process (when
// profiles.yml is read, at start for the environment); replacing happens on every output,
// so the replacer is rebuilt on Add and read without locking.
var registry struct {
	mu       sync.Mutex
	values   map[string]bool
	compiled atomic.Pointer[knownSet]
}

// knownSet is the compiled registry: the values longest first, and a replacer for them.
type knownSet struct {
	values   []string
	replacer *strings.Replacer
}

// Add registers secret values: from now on they are replaced by Mask in everything this
// package cleans. Empty, short and placeholder values are ignored.
func Add(values ...string) {
	registry.mu.Lock()
	defer registry.mu.Unlock()
	changed := false
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) < MinLength || placeholder(v) || strings.Contains(Mask, v) {
			continue
		}
		for _, form := range forms(v) {
			if registry.values == nil {
				registry.values = map[string]bool{}
			}
			if !registry.values[form] {
				registry.values[form] = true
				changed = true
			}
		}
	}
	if !changed {
		return
	}
	all := make([]string, 0, len(registry.values))
	for v := range registry.values {
		all = append(all, v)
	}
	// Longest first: where two secrets start at the same place the longer one is replaced
	// whole (strings.Replacer tries its pairs in order).
	slices.SortFunc(all, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	pairs := make([]string, 0, 2*len(all))
	for _, v := range all {
		pairs = append(pairs, v, Mask)
	}
	registry.compiled.Store(&knownSet{values: all, replacer: strings.NewReplacer(pairs...)})
}

// forms are the spellings a value takes in output: as is, escaped inside a JSON string, and
// percent-encoded in a URL.
func forms(v string) []string {
	out := []string{v}
	if b, err := json.Marshal(v); err == nil {
		if j := string(b[1 : len(b)-1]); j != v {
			out = append(out, j)
		}
	}
	if q := url.QueryEscape(v); q != v {
		out = append(out, q)
	}
	if p := url.PathEscape(v); p != v && p != out[len(out)-1] {
		out = append(out, p)
	}
	return out
}

func placeholder(v string) bool {
	switch strings.ToLower(v) {
	case "true", "false", "none", "null", "[redacted]", "redacted", "<redacted>", "*****":
		return true
	}
	return false
}

// known replaces the registered secret values. Searching for each value (a vectorised
// strings.Index) before replacing is several times faster than the replacer's scan when, as
// almost always, none is there.
func known(s string) string {
	if k := registry.compiled.Load(); k.in(s) {
		return k.replacer.Replace(s)
	}
	return s
}

// in reports whether s holds one of the values (none when k is nil).
func (k *knownSet) in(s string) bool {
	if k == nil {
		return false
	}
	for _, v := range k.values {
		if strings.Contains(s, v) {
			return true
		}
	}
	return false
}

// ContainsKnown reports whether text holds a registered secret value in any of its forms: kept
// output that would now be cleaned differently must not be printed as it was kept.
func ContainsKnown(text []byte) bool {
	return registry.compiled.Load().in(unsafe.String(unsafe.SliceData(text), len(text)))
}

var (
	// pemKey is a PEM private key, ended or cut off. In Scrub the body may not cross a JSON
	// string's closing quote.
	pemKey     = lazyre.New(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|$)`)
	pemKeyJSON = lazyre.New(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[^"]*?-----END [A-Z0-9 ]*PRIVATE KEY-----`)
	// derKey is a key given as base64 DER (dbt-snowflake's private_key may be): an ASN.1
	// SEQUENCE with a long length, "MII…", far longer than any word.
	derKey = lazyre.New(`\bMII[A-Za-z0-9+/]{60,}={0,2}`)
	// tokenShape matches tokens recognisable by themselves: GitHub (ghp_, gho_, ghu_, ghs_,
	// ghr_, github_pat_), dbt Cloud service and personal tokens (dbtc_, dbtu_), JWTs.
	tokenShape = lazyre.New(`\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|dbt[cu]_[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,})`)
	// bearer is an HTTP credential after its scheme (see maskCredential).
	bearer = lazyre.New(`(?i)\b(bearer|basic)(\s+)([A-Za-z0-9._~+/=-]{8,})`)
	// proseWord is a credential that is a lowercase word (maskCredential).
	proseWord = lazyre.New(`^[a-z]+$`)
	// userinfo is a URL's password: scheme://user:PASSWORD@host.
	userinfo = lazyre.New(`\b([A-Za-z][A-Za-z0-9+.-]*://[^\s/?#@:"'\\]*):([^\s/?#@"'\\]+)@`)
	// tokenUser is a URL whose user is a token (https://TOKEN@github.com): no login name is
	// 30 characters of one word.
	tokenUser = lazyre.New(`\b([A-Za-z][A-Za-z0-9+.-]*://)[A-Za-z0-9_.~-]{30,}@`)
	// equalsAssign is key=value: query parameters, DSNs, flags, environment listings.
	equalsAssign = lazyre.New(`(?:^|[^A-Za-z0-9_])([A-Za-z][A-Za-z0-9_.-]*)=([^\s"'\\&;,<>()\[\]{}\x60]+)`)
	// colonAssign is key: value where text assigns, not where it talks: at the start of a
	// line (YAML, a tool's settings dump, a "- key: value" list) or after { or , (JSON-like
	// text). "no password: and no private_key_path:" in a sentence, or a dotted key path
	// naming where a problem is, are left alone. Not used by Scrub: it is not safe inside
	// JSON.
	colonAssign = lazyre.New(`(?m)(?:^[ \t]*(?:-[ \t]+)?|[{,][ \t]*)(["']?)([A-Za-z][A-Za-z0-9_-]*)(["']?)[ \t]*:[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s"',;{}\[\]\x60]+)`)
)

// String removes secrets from free text: a message, an error, a tool's output, a YAML dump.
func String(s string) string {
	if s == "" {
		return s
	}
	s = known(s)
	if strings.Contains(s, "PRIVATE KEY-----") {
		s = pemKey.ReplaceAllString(s, Mask)
	}
	s = shapes(s)
	return assignments(colonAssign.Re(), s, true)
}

// Scrub removes known secret values and secrets recognisable by their shape, and nothing
// else: no key: value guessing, which could eat a styled frame's text. It is the net under
// CLI text (Writer) and the TUI's frames. It is not for JSON text (a secret of digits would
// cut a number in two): JSON is cleaned as a structure by Marshal and Encode.
func Scrub(s string) string {
	if s == "" {
		return s
	}
	s = known(s)
	if strings.Contains(s, "PRIVATE KEY-----") {
		s = pemKeyJSON.ReplaceAllString(s, Mask)
	}
	return shapes(s)
}

// maskCredential masks the credential of one bearer match. A lowercase scheme followed by a
// lowercase word is prose ("basic cleaning and renaming", a model's description), not a header:
// HTTP clients write the scheme capitalised ("Basic", "Bearer"), and a token or base64
// credential of eight characters or more is almost never lowercase letters alone.
func maskCredential(m string) string {
	sub := bearer.FindStringSubmatch(m)
	if sub == nil {
		return m
	}
	if proseWord.MatchString(sub[1]) && proseWord.MatchString(sub[3]) {
		return m
	}
	return sub[1] + sub[2] + Mask
}

// shapes replaces secrets recognisable by their shape. Each regexp runs only when a literal
// it needs is present: most text has none, and this runs on every line datatui prints.
func shapes(s string) string {
	if strings.Contains(s, "MII") {
		s = derKey.ReplaceAllString(s, Mask)
	}
	if hasTokenPrefix(s) {
		s = tokenShape.ReplaceAllString(s, Mask)
	}
	if containsFold(s, "bearer") || containsFold(s, "basic") {
		s = bearer.ReplaceAllStringFunc(s, maskCredential)
	}
	if strings.Contains(s, "://") && strings.IndexByte(s, '@') >= 0 {
		s = userinfo.ReplaceAllString(s, "${1}:"+Mask+"@")
		s = tokenUser.ReplaceAllString(s, "${1}"+Mask+"@")
	}
	if strings.IndexByte(s, '=') >= 0 {
		s = assignments(equalsAssign.Re(), s, false)
	}
	return s
}

func hasTokenPrefix(s string) bool {
	// Every prefix but a JWT's ends in '_' ("ghp_", "dbtc_", "github_pat_"), and a JWT's has a
	// 'J' ("eyJ"), so only those bytes are looked at: IndexByte skips the rest many bytes at a
	// time, where searching for each prefix whole stopped at every 'g', 'd' and 'e' of a line.
	for rest, at := s, 0; ; {
		i := strings.IndexByte(rest, '_')
		if i < 0 {
			break
		}
		at += i
		if underscorePrefix(s[:at]) {
			return true
		}
		rest, at = rest[i+1:], at+1
	}
	for rest, at := s, 0; ; {
		i := strings.IndexByte(rest, 'J')
		if i < 0 {
			return false
		}
		if at += i; at >= 2 && s[at-2:at] == "ey" {
			return true
		}
		rest, at = rest[i+1:], at+1
	}
}

// underscorePrefix reports whether before, the text up to an '_', ends with the start of a
// token that tokenShape matches: gh[pousr], dbt[cu] or github (of "github_pat_").
func underscorePrefix(before string) bool {
	n := len(before)
	if n >= 3 && before[n-3:n-1] == "gh" && strings.IndexByte("pousr", before[n-1]) >= 0 {
		return true
	}
	if n >= 4 && before[n-4:n-1] == "dbt" && (before[n-1] == 'c' || before[n-1] == 'u') {
		return true
	}
	return strings.HasSuffix(before, "github")
}

// containsFold reports whether s holds word (lower-case ASCII) in any case, without
// allocating: it looks only where the word's first letter is, in either case.
func containsFold(s, word string) bool {
	for _, first := range [2]byte{word[0], word[0] - 'a' + 'A'} {
		for rest := s; ; {
			i := strings.IndexByte(rest, first)
			if i < 0 || i+len(word) > len(rest) {
				break
			}
			if strings.EqualFold(rest[i:i+len(word)], word) {
				return true
			}
			rest = rest[i+1:]
		}
	}
	return false
}

// assignments masks the values of matches of re whose key is secret. The regexp's groups
// are: for equalsAssign (key, value); for colonAssign (open quote, key, close quote, value).
func assignments(re *regexp.Regexp, s string, colon bool) string {
	if colon && strings.IndexByte(s, ':') < 0 {
		return s
	}
	idx := re.FindAllStringSubmatchIndex(s, -1)
	if idx == nil {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range idx {
		keyAt, valAt := 2, 4
		if colon {
			keyAt, valAt = 4, 8
		}
		key, val := s[m[keyAt]:m[keyAt+1]], s[m[valAt]:m[valAt+1]]
		if !IsSecretKey(key) || placeholderValue(val) {
			continue
		}
		b.WriteString(s[last:m[valAt]])
		switch {
		case len(val) >= 2 && (val[0] == '"' || val[0] == '\''):
			b.WriteByte(val[0])
			b.WriteString(Mask)
			b.WriteByte(val[0])
		default:
			b.WriteString(Mask)
		}
		last = m[valAt+1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// placeholderValue reports values that stand for a secret in instructions and templates
// rather than being one (export GH_TOKEN=…, --input key=value, token: <your token>, password: $PW, password:
// "{{ env_var('X') }}", the mask itself), and whole numbers: in text, PASS=12 is dbt
// counting tests. (A number kept under a secret key in JSON is still masked, and a known
// secret of digits is replaced wherever it appears.)
func placeholderValue(v string) bool {
	v = strings.Trim(v, `"'`)
	switch {
	case v == "", v == Mask, v == "…", v == "...", v == "value", v == "VALUE", placeholder(v), strings.Trim(v, "0123456789") == "":
		return true
	case strings.HasPrefix(v, "<"), strings.HasPrefix(v, "$"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "*"):
		return true
	}
	return false
}

// Error returns err with secrets removed from its message; errors.Is and errors.As still see
// the original chain. nil stays nil.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := String(msg)
	if clean == msg {
		return err
	}
	return &redactedError{msg: clean, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Writer returns a writer that Scrubs every Write before passing it to w: the net under
// everything the CLI prints. Each Write is cleaned as a unit (fmt's printers write a whole
// message at once), and the length reported is the caller's, so partial writes are not
// mistaken for errors. Encode and EncodeLine write their already-cleaned JSON past it.
func Writer(w io.Writer) io.Writer {
	if _, ok := w.(*writer); ok {
		return w
	}
	return &writer{w: w}
}

type writer struct{ w io.Writer }

func (s *writer) Write(p []byte) (int, error) {
	clean := Scrub(string(p))
	if _, err := io.WriteString(s.w, clean); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Unwrap returns the writer under w's cleaning layers (this package's and any other with an
// Unwrap() io.Writer method, such as termsafe's): the terminal itself, which the TUI needs
// to draw on and isatty checks need to see.
func Unwrap(w io.Writer) io.Writer {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}

// Unwrap returns the writer underneath.
func (s *writer) Unwrap() io.Writer { return s.w }
