package snowflake

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/snowflake/sftest"
)

// fastLogin makes the driver give up a failed login at once instead of retrying it for a
// minute, and records dbt's waits between connection retries instead of waiting.
func fastLogin(w *Warehouse, waits *[]time.Duration) {
	//lint:ignore SA1019 the field is how gosnowflake v1 bounds a login's retries
	w.cfg.LoginTimeout = time.Millisecond
	w.sleep = func(_ context.Context, d time.Duration) error {
		if waits != nil {
			*waits = append(*waits, d)
		}
		return nil
	}
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// base64DER is private_key: as dbt-snowflake also takes it: base64 of the key file's DER.
func base64DER(t *testing.T, name string) string {
	block, _ := pem.Decode([]byte(readFile(t, name)))
	if block == nil {
		t.Fatalf("%s: not PEM", name)
	}
	return base64.StdEncoding.EncodeToString(block.Bytes)
}

// jwtClaims decodes the claims of the JWT a key-pair login sent.
func jwtClaims(t *testing.T, tok string) map[string]any {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", tok)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// fingerprint is Snowflake's name for a public key: SHA256:<base64 of the DER's digest>.
func fingerprint(t *testing.T, keyFile string) string {
	block, _ := pem.Decode([]byte(readFile(t, keyFile)))
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.StdEncoding.EncodeToString(sum[:])
}

// TestLoginPerAuthenticator logs in to the fake Snowflake with the real driver, once per way
// dbt-snowflake can log in, from profiles.yml keys, and checks the login request: account
// name, host, login name, authenticator and credential.
func TestLoginPerAuthenticator(t *testing.T) {
	keyFP := fingerprint(t, "testdata/key.p8")
	tests := []struct {
		name string
		edit func(*profiles.Target)
		// want is checked against the login the server received (the driver leaves
		// AUTHENTICATOR empty for password logins, with or without MFA).
		want func(t *testing.T, l sftest.Login, s *sftest.Server)
	}{
		{"password", func(tg *profiles.Target) {}, func(t *testing.T, l sftest.Login, _ *sftest.Server) {
			if l.Authenticator != "" || l.User != "ann" || l.Password != "s3cret" || l.HasToken {
				t.Errorf("login %+v", l)
			}
		}},
		{"key pair, PKCS#8 PEM file", func(tg *profiles.Target) { tg.Password, tg.PrivateKeyPath = "", "testdata/key.p8" }, wantJWT(keyFP)},
		{"key pair, legacy encrypted PKCS#1 PEM file", func(tg *profiles.Target) {
			tg.Password, tg.PrivateKeyPath, tg.PrivateKeyPassphrase = "", "testdata/key_legacy_encrypted.pem", "correct-horse"
		}, wantJWT(keyFP)},
		{"key pair, PKCS#1 PEM file", func(tg *profiles.Target) { tg.Password, tg.PrivateKeyPath = "", "testdata/key_pkcs1.pem" }, wantJWT(keyFP)},
		{"key pair, scrypt-encrypted PKCS#8", func(tg *profiles.Target) {
			tg.Password, tg.PrivateKeyPath, tg.PrivateKeyPassphrase = "", "testdata/key_scrypt.p8", "correct-horse"
		}, wantJWT(keyFP)},
		{"key pair, inline PEM", func(tg *profiles.Target) {
			tg.Password, tg.PrivateKey, tg.Authenticator = "", profiles.Secret(readFile(t, "testdata/key.p8")), "snowflake_jwt"
		}, wantJWT(keyFP)},
		{"key pair, inline base64 DER", func(tg *profiles.Target) {
			tg.Password, tg.PrivateKey = "", profiles.Secret(base64DER(t, "testdata/key.p8"))
		}, wantJWT(keyFP)},
		{"key pair, inline base64 of encrypted DER", func(tg *profiles.Target) {
			tg.Password, tg.PrivateKey, tg.PrivateKeyPassphrase = "", profiles.Secret(base64DER(t, "testdata/key_scrypt.p8")), "correct-horse"
		}, wantJWT(keyFP)},
		{"oauth access token, no user", func(tg *profiles.Target) {
			tg.User, tg.Password, tg.Authenticator, tg.Token = "", "", "oauth", "access-1"
		},
			func(t *testing.T, l sftest.Login, s *sftest.Server) {
				if l.Authenticator != "OAUTH" || l.Token != "access-1" || l.User != "" || l.HasPassword || len(s.TokenRequests()) != 0 {
					t.Errorf("login %+v, token requests %+v", l, s.TokenRequests())
				}
			}},
		{"oauth refresh token exchanged first", func(tg *profiles.Target) {
			tg.Password, tg.Authenticator, tg.Token, tg.OAuthClientID, tg.OAuthClientSecret = "", "oauth", "refresh-1", "client-1", "client-secret-1"
		}, func(t *testing.T, l sftest.Login, s *sftest.Server) {
			tr := s.TokenRequests()
			if len(tr) != 1 || tr[0] != (sftest.TokenRequest{GrantType: "refresh_token", RefreshToken: "refresh-1", ClientID: "client-1", ClientSecret: "client-secret-1"}) {
				t.Errorf("token requests %+v", tr)
			}
			if l.Authenticator != "OAUTH" || l.Token != "access-from-refresh" {
				t.Errorf("login %+v, want the exchanged access token", l)
			}
		}},
		{"jwt from an identity provider, no user", func(tg *profiles.Target) {
			tg.User, tg.Password, tg.Authenticator, tg.Token = "", "", "jwt", "idp.jwt.token"
		},
			func(t *testing.T, l sftest.Login, _ *sftest.Server) {
				if l.Authenticator != "OAUTH" || l.Token != "idp.jwt.token" {
					t.Errorf("login %+v", l)
				}
			}},
		{"programmatic access token", func(tg *profiles.Target) {
			tg.Password, tg.Authenticator, tg.Token = "", "programmatic_access_token", "pat-1"
		},
			func(t *testing.T, l sftest.Login, _ *sftest.Server) {
				if l.Authenticator != "PROGRAMMATIC_ACCESS_TOKEN" || l.Token != "pat-1" || l.User != "ann" {
					t.Errorf("login %+v", l)
				}
			}},
		{"password with MFA, token cached", func(tg *profiles.Target) { tg.Authenticator = "username_password_mfa" },
			func(t *testing.T, l sftest.Login, _ *sftest.Server) {
				if l.Authenticator != "" || l.Password != "s3cret" || l.SessionParameters["CLIENT_REQUEST_MFA_TOKEN"] != true {
					t.Errorf("login %+v", l)
				}
			}},
		{"native Okta", func(tg *profiles.Target) { tg.Authenticator = "https://acme.okta.com" },
			func(t *testing.T, l sftest.Login, s *sftest.Server) {
				if l.SAML == "" || !strings.Contains(l.SAML, "SAMLResponse") || l.HasPassword {
					t.Errorf("login %+v: want the SAML response and no password", l)
				}
				if r := s.Requests(); !slices.Equal(r[:3], []string{"/session/authenticator-request", "/okta/api/v1/authn", "/okta/app/snowflake/sso/saml"}) {
					t.Errorf("requests %q", r)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := sftest.New(t)
			s.LoginAs("ANN")
			s.IssueAccessToken("access-from-refresh")
			// The account's real host name, reached through the fake: the driver is given
			// account: as a dbt user writes it, with a region and an underscore.
			tg := &profiles.Target{Name: "dev", Type: "snowflake", Account: "xy_12345.eu-west-1", User: "ann", Password: "s3cret",
				Role: "CONTRIBUTOR", Warehouse: "TRANSFORMING", Protocol: "http"}
			tt.edit(tg)
			w, err := New(Options{Target: tg, Warehouse: teamWarehouse(), Transporter: s.Transport()})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			if _, err := w.Identity(context.Background()); err != nil {
				t.Fatal(err)
			}
			l := s.Logins()
			if len(l) != 1 {
				t.Fatalf("logins %+v", l)
			}
			if l[0].Account != "xy_12345" || l[0].Host != "xy-12345.eu-west-1.snowflakecomputing.com:443" || l[0].Role != "CONTRIBUTOR" || l[0].Warehouse != "TRANSFORMING" {
				t.Errorf("account %q host %q role %q warehouse %q", l[0].Account, l[0].Host, l[0].Role, l[0].Warehouse)
			}
			tt.want(t, l[0], s)
		})
	}
}

func wantJWT(fp string) func(t *testing.T, l sftest.Login, _ *sftest.Server) {
	return func(t *testing.T, l sftest.Login, _ *sftest.Server) {
		if l.Authenticator != "SNOWFLAKE_JWT" || l.HasPassword {
			t.Fatalf("login %+v", l)
		}
		c := jwtClaims(t, l.Token)
		if c["iss"] != "XY_12345.ANN."+fp || c["sub"] != "XY_12345.ANN" {
			t.Errorf("claims iss %v sub %v, want the account name without its region", c["iss"], c["sub"])
		}
	}
}

// TestDriverConfig covers the profile keys whose effect is the driver's config rather than
// the login request, and every profile dbt-snowflake would refuse too.
func TestDriverConfig(t *testing.T) {
	seven, zero := 7, 0
	tests := []struct {
		name   string
		edit   func(*profiles.Target)
		check  func(*login) bool
		errSub string
	}{
		{"legacy locator with region and cloud", func(tg *profiles.Target) { tg.Account = "xy12345.us-east-2.aws" },
			func(l *login) bool {
				return l.cfg.Account == "xy12345" && l.cfg.Host == "xy12345.us-east-2.aws.snowflakecomputing.com"
			}, ""},
		{"default region us-west-2 is not in the host", func(tg *profiles.Target) { tg.Account = "xy12345.us-west-2" },
			func(l *login) bool {
				return l.cfg.Account == "xy12345" && l.cfg.Host == "xy12345.snowflakecomputing.com"
			}, ""},
		{"org-account name", func(tg *profiles.Target) { tg.Account = "acme-data_eng" },
			func(l *login) bool {
				return l.cfg.Account == "acme-data_eng" && l.cfg.Host == "acme-data-eng.snowflakecomputing.com"
			}, ""},
		{"China region", func(tg *profiles.Target) { tg.Account = "xy12345.cn-north-1" },
			func(l *login) bool { return l.cfg.Host == "xy12345.cn-north-1.snowflakecomputing.cn" }, ""},
		{"pasted host name", func(tg *profiles.Target) { tg.Account = "xy12345.eu-west-1.snowflakecomputing.com" },
			func(l *login) bool {
				return l.cfg.Account == "xy12345" && l.cfg.Host == "xy12345.eu-west-1.snowflakecomputing.com"
			}, ""},
		{"host: wins over the account's host", func(tg *profiles.Target) {
			tg.Account, tg.Host = "xy12345.eu-west-1", "xy12345.privatelink.snowflakecomputing.com"
		},
			func(l *login) bool {
				return l.cfg.Account == "xy12345" && l.cfg.Host == "xy12345.privatelink.snowflakecomputing.com"
			}, ""},
		{"proxy and insecure_mode", func(tg *profiles.Target) { tg.ProxyHost, tg.ProxyPort, tg.InsecureMode = "proxy.corp", 3128, true },
			func(l *login) bool {
				return l.cfg.ProxyHost == "proxy.corp" && l.cfg.ProxyPort == 3128 && l.cfg.DisableOCSPChecks
			}, ""},
		{"proxy without port", func(tg *profiles.Target) { tg.ProxyHost = "proxy.corp" }, nil, "proxy_port"},
		{"connect_timeout is the wait between retries", func(tg *profiles.Target) { tg.ConnectRetries, tg.ConnectTimeout = 3, &seven },
			func(l *login) bool {
				//lint:ignore SA1019 reading what the driver is given
				return l.retries == 3 && l.wait == 7*time.Second && l.cfg.LoginTimeout == loginTimeout
			}, ""},
		{"connect_timeout: 0 retries at once", func(tg *profiles.Target) { tg.ConnectRetries, tg.ConnectTimeout = 1, &zero },
			func(l *login) bool { return l.retries == 1 && l.wait == 0 }, ""},
		{"dbt's defaults: no retries, 10 s apart", func(tg *profiles.Target) {},
			func(l *login) bool { return l.retries == 0 && l.wait == 10*time.Second }, ""},
		{"query tag and keep-alive", func(tg *profiles.Target) { tg.QueryTag, tg.ClientSessionKeepAlive = "datatui", true },
			func(l *login) bool {
				return *l.cfg.Params["query_tag"] == "datatui" && *l.cfg.Params["client_session_keep_alive"] == "true"
			}, ""},
		{"externalbrowser caches its ID token", func(tg *profiles.Target) { tg.Password, tg.Authenticator = "", "externalbrowser" },
			func(l *login) bool {
				//lint:ignore SA1019 the field is how gosnowflake v1 configures the token cache
				return l.cfg.Authenticator == sf.AuthTypeExternalBrowser && l.cfg.ClientStoreTemporaryCredential == sf.ConfigBoolTrue
			}, ""},
		{"both private_key and private_key_path", func(tg *profiles.Target) {
			tg.PrivateKeyPath, tg.PrivateKey = "testdata/key.p8", profiles.Secret(readFile(t, "testdata/key.p8"))
		}, nil, "Cannot specify both `private_key` and `private_key_path`"},
		{"a key with another authenticator", func(tg *profiles.Target) { tg.PrivateKeyPath, tg.Authenticator = "testdata/key.p8", "externalbrowser" }, nil, "can only be used with authenticator: snowflake_jwt"},
		{"key pair needs a user", func(tg *profiles.Target) { tg.User, tg.PrivateKeyPath = "", "testdata/key.p8" }, nil, "user: is missing"},
		{"password needs a user", func(tg *profiles.Target) { tg.User = "" }, nil, "user: is missing"},
		{"no password", func(tg *profiles.Target) { tg.Password = "" }, nil, "no password"},
		{"encrypted key, wrong passphrase", func(tg *profiles.Target) {
			tg.PrivateKeyPath, tg.PrivateKeyPassphrase = "testdata/key_encrypted.p8", "wrong"
		}, nil, "wrong private_key_passphrase"},
		{"legacy key, wrong passphrase", func(tg *profiles.Target) {
			tg.PrivateKeyPath, tg.PrivateKeyPassphrase = "testdata/key_legacy_encrypted.pem", "wrong"
		}, nil, "wrong private_key_passphrase"},
		{"encrypted key, no passphrase", func(tg *profiles.Target) { tg.PrivateKeyPath = "testdata/key_encrypted.p8" }, nil, "set private_key_passphrase"},
		{"legacy key, no passphrase", func(tg *profiles.Target) { tg.PrivateKeyPath = "testdata/key_legacy_encrypted.pem" }, nil, "set private_key_passphrase"},
		{"passphrase for a plain key", func(tg *profiles.Target) { tg.PrivateKeyPath, tg.PrivateKeyPassphrase = "testdata/key.p8", "x" }, nil, "not encrypted"},
		{"encrypted base64 DER, no passphrase", func(tg *profiles.Target) { tg.PrivateKey = profiles.Secret(base64DER(t, "testdata/key_scrypt.p8")) }, nil, "if the key is encrypted, set private_key_passphrase"},
		{"private_key neither PEM nor base64", func(tg *profiles.Target) { tg.PrivateKey = "not a key!" }, nil, "neither PEM text"},
		{"missing key file", func(tg *profiles.Target) { tg.PrivateKeyPath = "testdata/nope.p8" }, nil, "private_key_path"},
		{"oauth without a token", func(tg *profiles.Target) { tg.Authenticator = "oauth" }, nil, "needs token"},
		{"SSO URL that is not Okta", func(tg *profiles.Target) { tg.Authenticator = "https://login.example.com/sso" }, nil, "Okta URL only"},
		{"Okta without a password", func(tg *profiles.Target) { tg.Authenticator, tg.Password = "https://acme.okta.com", "" }, nil, "needs password"},
		{"unknown authenticator", func(tg *profiles.Target) { tg.Authenticator = "kerberos" }, nil, `authenticator "kerberos" is not one datatui can log in with yet`},
		{"no account", func(tg *profiles.Target) { tg.Account = "" }, nil, "account: is missing"},
	}
	for _, tt := range tests {
		tg := &profiles.Target{Name: "dev", Type: "snowflake", Account: "acct", User: "ann", Password: "s3cret"}
		tt.edit(tg)
		l, err := driverConfig(tg, "")
		if tt.errSub != "" {
			if err == nil || !strings.Contains(err.Error(), tt.errSub) {
				t.Errorf("%s: err %v, want %q", tt.name, err, tt.errSub)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if !tt.check(l) {
			t.Errorf("%s: config %+v", tt.name, l.cfg)
		}
	}
}

// TestConnectRetries: a connection that fails the way an outage does is tried
// connect_retries more times, connect_timeout seconds apart; a refused login is not.
func TestConnectRetries(t *testing.T) {
	seven := 7
	for _, tc := range []struct {
		name           string
		retries, fails int
		loginErr       bool
		logins         int
		waits          []time.Duration
		ok             bool
	}{
		{"recovers on the third try", 2, 2, false, 3, []time.Duration{7 * time.Second, 7 * time.Second}, true},
		{"gives up after the retries", 1, 5, false, 2, []time.Duration{7 * time.Second}, false},
		{"no retries by default", 0, 1, false, 1, nil, false},
		{"a wrong password is not retried", 3, 0, true, 1, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := sftest.New(t)
			s.LoginAs("ANN")
			s.FailLoginsHTTP(tc.fails, 503)
			if tc.loginErr {
				s.RequirePassword("other")
			}
			tg := target(s, "ann")
			tg.ConnectRetries, tg.ConnectTimeout = tc.retries, &seven
			w := newWarehouse(t, s, tg, teamWarehouse())
			var waits []time.Duration
			fastLogin(w, &waits)
			_, err := w.Identity(context.Background())
			if (err == nil) != tc.ok {
				t.Errorf("err %v", err)
			}
			if n := len(s.Logins()); n != tc.logins || !slices.Equal(waits, tc.waits) {
				t.Errorf("%d logins, waits %v; want %d, %v", n, waits, tc.logins, tc.waits)
			}
			var we *warehouse.Error
			if tc.loginErr && (!errors.As(err, &we) || we.Kind != warehouse.KindAuth) {
				t.Errorf("refused login: %v", err)
			}
		})
	}
}

// TestProxy: with proxy_host/proxy_port the driver sends its requests through the proxy
// (here the fake, which answers as Snowflake would), naming the account's host.
func TestProxy(t *testing.T) {
	s := sftest.New(t)
	s.LoginAs("ANN")
	host, port := s.HostPort()
	tg := &profiles.Target{Name: "dev", Type: "snowflake", Account: "xy12345.eu-west-1", User: "ann", Password: "s3cret", Protocol: "http",
		ProxyHost: host, ProxyPort: port}
	w := newWarehouse(t, s, tg, teamWarehouse())
	if _, err := w.Identity(context.Background()); err != nil {
		t.Fatal(err)
	}
	if l := s.Logins(); len(l) != 1 || l[0].Host != "xy12345.eu-west-1.snowflakecomputing.com:443" || l[0].Account != "xy12345" {
		t.Errorf("logins %+v", l)
	}
}

// TestRefreshTokenRefused: a refresh token the account does not take is a clear error that
// names neither the token nor the client secret, and no login is tried.
func TestRefreshTokenRefused(t *testing.T) {
	s := sftest.New(t)
	tg := target(s, "ann")
	tg.Password, tg.Authenticator, tg.Token, tg.OAuthClientID, tg.OAuthClientSecret = "", "oauth", "refresh-old", "client-1", "client-secret-1"
	w := newWarehouse(t, s, tg, teamWarehouse())
	_, err := w.Identity(context.Background())
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") || !strings.Contains(err.Error(), "/oauth/token-request") {
		t.Fatalf("err %v", err)
	}
	for _, secret := range []string{"refresh-old", "client-secret-1"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error shows %s: %v", secret, err)
		}
	}
	if len(s.Logins()) != 0 {
		t.Errorf("logged in with a token that was not exchanged")
	}
}

func TestNotes(t *testing.T) {
	type noteCase struct {
		name    string
		t       profiles.Target
		display string
		want    []string
	}
	tests := []noteCase{
		{"nothing to say", profiles.Target{Type: "snowflake", Authenticator: "oauth", OAuthClientID: "c", OAuthClientSecret: "s"}, "", nil},
		{"client id without secret", profiles.Target{Type: "snowflake", Authenticator: "oauth", OAuthClientID: "c"}, "", []string{"oauth_client_id and oauth_client_secret go together"}},
		{"statement retries", profiles.Target{Type: "snowflake", Extra: map[string]string{"retry_all": "True"}}, "", []string{"retry_all applies to dbt's own statements"}},
		{"duckdb", profiles.Target{Type: "duckdb", Extra: map[string]string{"retry_all": "true"}}, "", nil},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests,
			noteCase{"browser without a display", profiles.Target{Type: "snowflake", Authenticator: "externalbrowser"}, "", []string{"no display"}},
			noteCase{"browser with a display", profiles.Target{Type: "snowflake", Authenticator: "externalbrowser"}, ":0", nil})
	}
	for _, tt := range tests {
		getenv := func(k string) string {
			if k == "DISPLAY" {
				return tt.display
			}
			return ""
		}
		got := Notes(&tt.t, getenv)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %q", tt.name, got)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tt.want[i]) {
				t.Errorf("%s: %q, want %q", tt.name, got[i], tt.want[i])
			}
		}
	}
}
