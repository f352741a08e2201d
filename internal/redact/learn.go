package redact

import (
	"fmt"
	"strings"

	"github.com/datatui/datatui/internal/lazyre"
)

// LearnEnv registers the secrets of an environment (os.Environ's form): the values of
// variables whose names are secret (IsSecretKey: GH_TOKEN, DBT_CLOUD_TOKEN,
// SNOWFLAKE_PASSWORD, AWS_SECRET_ACCESS_KEY…), every DBT_ENV_SECRET_* variable (dbt's own
// rule, whatever the rest of the name says), and secrets inside any value (URL passwords and
// secret query parameters, as in DATABASE_URL). PWD and OLDPWD are the shell's folders, not
// passwords.
func LearnEnv(environ []string) {
	var secrets []string
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || v == "" || k == "PWD" || k == "OLDPWD" {
			continue
		}
		if strings.HasPrefix(strings.ToUpper(k), "DBT_ENV_SECRET") || IsSecretKey(k) {
			secrets = append(secrets, v)
			continue
		}
		secrets = append(secrets, inValue(v)...)
	}
	Add(secrets...)
}

// LearnValue registers the secrets inside one setting's value: URL passwords and secret
// query parameters or assignments (path: "md:db?motherduck_token=…").
func LearnValue(v string) { Add(inValue(v)...) }

func inValue(v string) []string {
	var out []string
	for _, m := range userinfo.FindAllStringSubmatch(v, -1) {
		out = append(out, m[2])
	}
	for _, m := range equalsAssign.FindAllStringSubmatch(v, -1) {
		if IsSecretKey(m[1]) && !strings.HasPrefix(m[2], "{{") {
			out = append(out, m[2])
		}
	}
	return out
}

// LearnTree registers the secrets of a decoded YAML or JSON document (profiles.yml): at any
// depth, a scalar under a secret key (or in a list under one) is a secret; a mapping's
// entries are judged by their own keys, as Marshal masks them (credentials: {user,
// password} keeps the user); other strings are searched like LearnValue. A secret written with Jinja registers what dbt would render from it: its
// literal text, the values of the environment variables it reads (lookup; nil reads none)
// and the defaults of its env_var() calls, so that an error quoting any fragment of it is
// cleaned too.
func LearnTree(doc any, lookup func(string) (string, bool)) {
	var secrets []string
	var walk func(v any, secret bool)
	walk = func(v any, secret bool) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, IsSecretKey(k))
			}
		case map[any]any:
			for k, x := range v {
				walk(x, IsSecretKey(fmt.Sprint(k)))
			}
		case []any:
			for _, x := range v {
				walk(x, secret)
			}
		case string:
			if secret {
				secrets = append(secrets, jinjaSecrets(v, lookup)...)
			} else {
				secrets = append(secrets, inValue(v)...)
			}
		case nil:
		default:
			if secret {
				secrets = append(secrets, fmt.Sprint(v))
			}
		}
	}
	walk(doc, false)
	Add(secrets...)
}

var (
	jinjaBlock = lazyre.New(`\{[{%#][\s\S]*?(?:[}%#]\}|$)`)
	quoted     = lazyre.New(`'([^']*)'|"([^"]*)"`)
	envVarName = lazyre.New(`env_var\(\s*['"]([^'"]+)['"]`)
)

// jinjaSecrets are the parts of a secret setting's raw text that could reach output: the
// whole text, its literal pieces around Jinja blocks, the string literals inside them other
// than the variable names of env_var(), and those variables' values.
func jinjaSecrets(raw string, lookup func(string) (string, bool)) []string {
	out := []string{raw}
	if !strings.Contains(raw, "{") {
		return out
	}
	out = append(out, jinjaBlock.Split(raw, -1)...)
	names := map[string]bool{}
	for _, block := range jinjaBlock.FindAllString(raw, -1) {
		for _, m := range envVarName.FindAllStringSubmatch(block, -1) {
			names[m[1]] = true
			if lookup != nil {
				if v, ok := lookup(m[1]); ok {
					out = append(out, v)
				}
			}
		}
		for _, m := range quoted.FindAllStringSubmatch(block, -1) {
			lit := m[1] + m[2]
			if !names[lit] {
				out = append(out, lit)
			}
		}
	}
	return out
}
