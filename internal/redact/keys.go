package redact

import (
	"strings"
	"unicode"
)

// IsSecretKey reports whether a setting, JSON field, query parameter or environment
// variable named key holds a secret. The key is split into words (snake_case, kebab-case,
// camelCase, dotted paths use their last part) and judged by these rules, in order:
//
//  1. A key whose last word names a reference to something, not the thing itself, is not a
//     secret: private_key_path and keyfile are paths, oauth_client_id and key_id are
//     identifiers, auth_type and auth_method say how one logs in, token_url is an endpoint,
//     client_session_keep_alive is a switch, SSH_AUTH_SOCK is a socket (isReferenceWord).
//  2. A word containing password, passwd, passphrase, secret, token or credential makes a
//     secret (sslpassword, PGPASSWORD, motherduck_token, aws_secret_access_key,
//     DBT_ENV_SECRET_X, X-Amz-Credential).
//  3. The whole words pwd, pass, passcode, auth, authorization, jwt, cookie, creds, sig,
//     signature, otp, apikey and keyfile make a secret (pwd, pass, basic_auth,
//     api_secret_hdr, keyfile_json).
//  4. key and keys make a secret (private_key, client_private_key, api_key, key) unless the
//     word before says it is a data-model or public key (unique_key, primary_key,
//     sort_key, public_key), which dbt configs and manifests are full of.
//  5. session and private make a secret only as the last word (session, client_private);
//     session_parameters and private_link_host are settings.
//
// Names are judged, never values: a value is secret because of where it is kept.
func IsSecretKey(key string) bool {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	if !mayBeSecret(key) {
		return false
	}
	words := splitWords(key)
	if len(words) == 0 {
		return false
	}
	last := words[len(words)-1]
	if isReferenceWord(last) {
		return false
	}
	for i, w := range words {
		switch {
		case containsStrong(w), isWeakWord(w):
			return true
		case w == "key" || w == "keys":
			if i == 0 || !isDataKeyWord(words[i-1]) {
				return true
			}
		case (w == "session" || w == "private") && i == len(words)-1:
			return true
		}
	}
	return false
}

// stems are the letters every secret key contains one of (the words of the rules above);
// most keys have none, and are answered without splitting them.
var stems = []string{"pass", "pwd", "secret", "token", "credential", "auth", "jwt", "cookie", "creds", "sig", "otp", "key", "session", "private"}

func mayBeSecret(key string) bool {
	for i := 0; i < len(key); i++ {
		if c := key[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			key = strings.ToLower(key)
			break
		}
	}
	for _, s := range stems {
		if strings.Contains(key, s) {
			return true
		}
	}
	return false
}

var strongStems = []string{"password", "passwd", "passphrase", "secret", "token", "credential"}

func containsStrong(w string) bool {
	for _, s := range strongStems {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// isWeakWord tells the words that make a key secret as whole words (rule 3).
func isWeakWord(w string) bool {
	switch w {
	case "pwd", "pass", "passcode", "auth", "authorization", "jwt", "cookie", "creds", "sig", "signature", "otp", "apikey", "privatekey", "accesskey",
		// keyfile alone is a path (a reference word when last); keyfile_json holds the key itself.
		"keyfile":
		return true
	}
	return false
}

// isReferenceWord tells the last words of keys that point at, describe or switch a secret
// rather than hold it (rule 1).
func isReferenceWord(w string) bool {
	switch w {
	case "path", "paths", "file", "files", "filename", "keyfile", "dir", "directory", "folder", "location",
		"url", "uri", "endpoint", "host", "hostname", "port", "link", "sock", "socket", "address", "addr",
		"name", "names", "id", "ids", "type", "types", "method", "methods", "mode", "kind", "provider",
		"env", "var", "variable", "source", "from", "alive", "timeout", "ttl", "expiry", "expires",
		"expiration", "at", "age", "length", "len", "count", "size", "enabled", "enable", "disabled",
		"required", "set", "present", "used", "valid", "parameters", "params", "settings", "policy",
		"role", "user", "username", "format", "algorithm", "alg", "version", "hint", "scope", "scopes",
		"status", "state":
		return true
	}
	return false
}

// isDataKeyWord tells the words that, before "key", name keys of tables and maps, not
// cryptographic ones (rule 4).
func isDataKeyWord(w string) bool {
	switch w {
	case "primary", "unique", "foreign", "sort", "dist", "distribution", "partition", "cluster", "clustering",
		"surrogate", "natural", "composite", "business", "join", "merge", "lookup", "cache", "group",
		"index", "shard", "routing", "idempotency", "dedup", "order", "row", "map", "dict", "object",
		"public", "hash", "sharding", "grouping":
		return true
	}
	return false
}

// splitWords breaks a key into lower-case words at non-alphanumerics and camelCase humps
// ("clientSecret" → client secret, "APIKey" → api key).
func splitWords(key string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(key)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if unicode.IsUpper(r) && len(cur) > 0 {
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}
