package snowflake

import (
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
)

// loginTimeout bounds the driver's own retries of one login. dbt's connect_timeout is not
// this: it is the wait between dbt's retries of a whole connection (see Warehouse.connect).
const loginTimeout = 60 * time.Second

// defaultConnectWait is dbt-snowflake's connect_timeout when the profile does not set it.
const defaultConnectWait = 10 * time.Second

// login is what New prepares from a target: the driver's config, the refresh grant to
// trade for an access token before logging in (dbt's OAuth refresh flow), and dbt's
// connection retries.
type login struct {
	cfg     *sf.Config
	refresh *refreshGrant
	retries int
	wait    time.Duration
}

// splitAccount reads account: as dbt-snowflake (through the Python connector) does: the
// account name is the part before the first dot, the rest is the region (and cloud) of a
// legacy locator; ".snowflakecomputing.com" pasted from a URL is dropped. us-west-2 is the
// default region and is not part of the host.
func splitAccount(account string) (name, region string) {
	a := strings.TrimSpace(account)
	a = strings.TrimSuffix(strings.TrimSuffix(a, ".snowflakecomputing.com"), ".snowflakecomputing.cn")
	name, region, _ = strings.Cut(a, ".")
	if strings.EqualFold(region, "us-west-2") {
		region = ""
	}
	return name, region
}

// accountHost is the login host of an account: underscores become hyphens (an org-account
// name like acme-my_acct is a valid account name but not a valid host name, and dbt rewrites
// it the same way), then the region, then Snowflake's domain (.cn for China regions).
func accountHost(name, region string) string {
	host := strings.ReplaceAll(name, "_", "-")
	if region != "" {
		host += "." + region
	}
	if strings.HasPrefix(strings.ToLower(region), "cn-") {
		return host + ".snowflakecomputing.cn"
	}
	return host + ".snowflakecomputing.com"
}

// driverConfig maps a dbt target to the driver's config, key by key as dbt-snowflake reads
// profiles.yml (see the table in the package's tests for each authenticator).
func driverConfig(t *profiles.Target, home string) (*login, error) {
	bad := func(format string, a ...any) error {
		return warehouse.Errorf("profiles.yml target %s: "+format, append([]any{t.Name}, a...)...)
	}
	if strings.TrimSpace(t.Account) == "" {
		return nil, bad("account: is missing (your Snowflake account identifier, e.g. ab12345.eu-west-1)")
	}
	name, region := splitAccount(t.Account)
	host := t.Host
	if host == "" {
		host = accountHost(name, region)
	}
	cfg := &sf.Config{
		Account: name, Region: region, User: t.User, Role: t.Role, Warehouse: t.Warehouse, Database: t.Database, Schema: t.Schema,
		Host: host, Port: t.Port, Protocol: t.Protocol, Application: "datatui",
		MaxRetryCount: 2, Params: map[string]*string{},
		ProxyHost: t.ProxyHost, ProxyPort: t.ProxyPort,
		// insecure_mode in dbt-snowflake turns off the certificate revocation check.
		DisableOCSPChecks: t.InsecureMode,
	}
	if cfg.ProxyHost != "" && cfg.ProxyPort == 0 {
		return nil, bad("proxy_host: is set but proxy_port: is not")
	}
	// The fields below are deprecated in gosnowflake v1 without a replacement there yet (v2
	// moves them); they are the documented way to set these in v1.19.
	//lint:ignore SA1019 no replacement in gosnowflake v1
	cfg.DisableTelemetry = true // datatui sends nothing about its use
	//lint:ignore SA1019 no replacement in gosnowflake v1
	cfg.LoginTimeout = loginTimeout
	if t.QueryTag != "" {
		v := t.QueryTag
		cfg.Params["query_tag"] = &v
	}
	if t.ClientSessionKeepAlive {
		v := "true"
		cfg.Params["client_session_keep_alive"] = &v
	}
	l := &login{cfg: cfg, retries: max(t.ConnectRetries, 0), wait: defaultConnectWait}
	if t.ConnectTimeout != nil {
		l.wait = time.Duration(max(*t.ConnectTimeout, 0)) * time.Second
	}
	if err := setAuth(l, t, home); err != nil {
		return nil, bad("%v", err)
	}
	// The driver needs a login name for every method but OAuth-style tokens, as dbt does.
	if strings.TrimSpace(cfg.User) == "" && cfg.Authenticator != sf.AuthTypeOAuth && cfg.Authenticator != sf.AuthTypePat {
		return nil, bad("user: is missing")
	}
	return l, nil
}

// setAuth picks the authenticator as dbt-snowflake does and fills its credentials.
func setAuth(l *login, t *profiles.Target, home string) error {
	cfg := l.cfg
	auth := strings.ToLower(strings.TrimSpace(t.Authenticator))
	hasKey := t.PrivateKeyPath != "" || t.PrivateKey.Set()
	if hasKey && auth != "" && auth != "snowflake" && auth != "snowflake_jwt" {
		return fmt.Errorf("private_key/private_key_path can only be used with authenticator: snowflake_jwt (or none), not %s", t.Authenticator)
	}
	switch {
	case hasKey || auth == "snowflake_jwt":
		key, err := loadPrivateKey(t, home)
		if err != nil {
			return err
		}
		cfg.Authenticator, cfg.PrivateKey = sf.AuthTypeJwt, key
	case auth == "externalbrowser":
		cfg.Authenticator = sf.AuthTypeExternalBrowser
		// Cache the ID token the way the driver documents (OS keyring on macOS/Windows,
		// ~/.cache/snowflake/credential_cache_v1.json with mode 0600 on Linux), so the browser
		// opens once per token lifetime rather than on every datatui start; dbt turns the
		// same cache on.
		//lint:ignore SA1019 no replacement in gosnowflake v1
		cfg.ClientStoreTemporaryCredential = sf.ConfigBoolTrue
		//lint:ignore SA1019 no replacement in gosnowflake v1
		cfg.ExternalBrowserTimeout = 2 * time.Minute
	case auth == "oauth":
		if !t.Token.Set() {
			return fmt.Errorf("authenticator: oauth needs token: (an OAuth access token, or a refresh token with oauth_client_id and oauth_client_secret)")
		}
		cfg.Authenticator, cfg.Token = sf.AuthTypeOAuth, t.Token.Reveal()
		if t.OAuthClientID != "" && t.OAuthClientSecret.Set() {
			// The token is a refresh token; it is traded for an access token at connect time.
			l.refresh = &refreshGrant{clientID: t.OAuthClientID, clientSecret: t.OAuthClientSecret.Reveal(), refreshToken: t.Token.Reveal()}
			cfg.Token = ""
		}
	case auth == "jwt":
		// dbt-snowflake's "jwt" is a JWT issued by an external OAuth server, given in token:
		// and sent as an OAuth token (it is not key-pair authentication: that is snowflake_jwt).
		if !t.Token.Set() {
			return fmt.Errorf("authenticator: jwt needs token: (the JWT your identity provider issued)")
		}
		cfg.Authenticator, cfg.Token = sf.AuthTypeOAuth, t.Token.Reveal()
	case auth == "programmatic_access_token" || auth == "pat":
		tok := t.Token.Reveal()
		if tok == "" {
			tok = t.Password.Reveal() // dbt also accepts the token in password:
		}
		if tok == "" {
			return fmt.Errorf("authenticator: programmatic_access_token needs token: (your programmatic access token)")
		}
		cfg.Authenticator, cfg.Token = sf.AuthTypePat, tok
	case auth == "username_password_mfa":
		if !t.Password.Set() {
			return fmt.Errorf("password: is missing")
		}
		cfg.Authenticator, cfg.Password = sf.AuthTypeUsernamePasswordMFA, t.Password.Reveal()
		//lint:ignore SA1019 no replacement in gosnowflake v1
		cfg.ClientRequestMfaToken = sf.ConfigBoolTrue
	case strings.HasPrefix(auth, "https://"):
		u, err := url.Parse(strings.TrimSpace(t.Authenticator))
		if err != nil || !isOktaHost(u.Hostname()) {
			return fmt.Errorf("authenticator %s: Snowflake's native SSO works with an Okta URL only (https://<your-org>.okta.com); for other identity providers use authenticator: externalbrowser", t.Authenticator)
		}
		if !t.Password.Set() {
			return fmt.Errorf("authenticator: %s needs password: (your Okta password)", t.Authenticator)
		}
		cfg.Authenticator, cfg.OktaURL, cfg.Password = sf.AuthTypeOkta, u, t.Password.Reveal()
	case auth == "" || auth == "snowflake":
		if !t.Password.Set() {
			return fmt.Errorf("no password: and no private_key_path: (set password: \"{{ env_var('SNOWFLAKE_PASSWORD') }}\", or use authenticator: externalbrowser)")
		}
		cfg.Authenticator, cfg.Password = sf.AuthTypeSnowflake, t.Password.Reveal()
	default:
		return fmt.Errorf("authenticator %q is not one datatui can log in with yet (it can: snowflake, externalbrowser, oauth, jwt, snowflake_jwt, programmatic_access_token, username_password_mfa, or an Okta URL); dbt may still accept it", t.Authenticator)
	}
	return nil
}

// isOktaHost reports hosts of Okta's own domain, as the Snowflake connectors require for
// native SSO.
func isOktaHost(h string) bool {
	h = strings.ToLower(h)
	return h == "okta.com" || strings.HasSuffix(h, ".okta.com")
}

// Notes lists what datatui does not do that the target asks dbt for, for doctor to say
// (dbt-snowflake accepts these keys; datatui's own connection does without them). getenv
// reads the session's environment (DISPLAY); nil is os.Getenv.
func Notes(t *profiles.Target, getenv func(string) string) []string {
	if getenv == nil {
		getenv = os.Getenv
	}
	if t == nil || t.Type != "snowflake" {
		return nil
	}
	var out []string
	if (t.OAuthClientID != "") != t.OAuthClientSecret.Set() && strings.EqualFold(t.Authenticator, "oauth") {
		out = append(out, "oauth_client_id and oauth_client_secret go together: with only one, token: is used as an access token, not exchanged as a refresh token (dbt warns the same)")
	}
	for _, k := range []string{"retry_on_database_errors", "retry_all"} {
		if v, ok := t.Extra[k]; ok && strings.EqualFold(v, "true") {
			out = append(out, k+" applies to dbt's own statements; datatui does not retry its statements (it retries the connection, as connect_retries says)")
			break
		}
	}
	if strings.EqualFold(t.Authenticator, "externalbrowser") && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" && runtime.GOOS == "linux" {
		out = append(out, "authenticator: externalbrowser opens a web browser to log in, and this session has no display: datatui (like dbt) cannot log in from here; use key-pair or a programmatic access token on servers")
	}
	return out
}
