package snowflake

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/datatui/datatui/internal/dbt/profiles"
	"github.com/datatui/datatui/internal/warehouse"
	"github.com/datatui/datatui/internal/warehouse/engine"
)

// How you log in, as onboarding's profile form offers it.
const (
	AuthSSO      = "externalbrowser"
	AuthKeyPair  = "keypair"
	AuthPassword = "password"
)

// Engine describes Snowflake for the engine registry: dbt-snowflake's profile keys, the
// onboarding form, the write guard (the sandbox is named from the session's user) and the
// factory.
func Engine() *engine.Engine {
	return &engine.Engine{
		Type: "snowflake", Name: "Snowflake", Adapter: "dbt-snowflake",
		Guide: "set-up-your-environment", Anchor: "connect-dbt-to-snowflake",
		Roles: true, BilledReads: true,
		Settings: settings(),
		Form:     engine.Form{Questions: questions(), Settings: targetSettings},
		Guard:    guard,
		Place:    place,
		Open: func(_ context.Context, in engine.OpenInput) (warehouse.Warehouse, error) {
			return New(Options{Target: in.Target, Warehouse: in.Warehouse, DriverLog: in.DriverLog, Policy: in.Policy})
		},
		Notes: func(t *profiles.Target) []string { return Notes(t, nil) },
		LoginDecides: func(t *profiles.Target) string {
			if warehouse.SessionFromProfile(t) {
				return ""
			}
			return fmt.Sprintf("with authenticator %s the login, not user: in profiles.yml, decides who dbt runs as", t.Authenticator)
		},
		SessionUser: SessionUser,
	}
}

// settings are the keys dbt-snowflake's SnowflakeCredentials accepts.
func settings() []engine.Setting {
	return []engine.Setting{
		{Key: "account", Required: true, Help: "the account identifier: org-name, or the legacy locator.region[.cloud]"},
		{Key: "user", Aliases: []string{"username"}, Help: "the login name (oauth and key-pair JWT logins may leave it out)"},
		{Key: "password", Aliases: []string{"pass"}, Secret: true, Help: "the password (also with authenticator: username_password_mfa)"},
		{Key: "authenticator", Help: "snowflake (the default), externalbrowser, oauth, username_password_mfa, jwt or an Okta URL"},
		{Key: "private_key_path", Help: "the PEM file of a key-pair login"},
		{Key: "private_key", Secret: true, Help: "the key of a key-pair login: PEM text or base64 of the DER bytes"},
		{Key: "private_key_passphrase", Secret: true, Help: "the passphrase of the private key"},
		{Key: "token", Secret: true, Help: "an OAuth access token, or with oauth_client_id and oauth_client_secret a refresh token"},
		{Key: "oauth_client_id", Help: "the OAuth client of a refresh token"},
		{Key: "oauth_client_secret", Secret: true, Help: "the OAuth client's secret"},
		{Key: "role", Help: "the session's role"},
		{Key: "warehouse", Help: "the compute warehouse queries run on"},
		{Key: "database", Required: true, Help: "the database dbt builds in: it decides where dbt writes"},
		{Key: "schema", Required: true, Help: "the schema dbt builds in"},
		{Key: "host", Help: "a custom endpoint (PrivateLink, tests)"},
		{Key: "port", Help: "the custom endpoint's port"},
		{Key: "protocol", Help: "https (the default) or http"},
		{Key: "proxy_host", Help: "an HTTP proxy"},
		{Key: "proxy_port", Help: "the HTTP proxy's port"},
		{Key: "insecure_mode", Help: "skip the certificate revocation (OCSP) check"},
		{Key: "client_session_keep_alive", Help: "keep the session alive"},
		{Key: "query_tag", Help: "the session's QUERY_TAG"},
		{Key: "connect_retries", Help: "how many times a failed connection is tried again"},
		{Key: "connect_timeout", Help: "the seconds waited between connection retries"},
		{Key: "retry_on_database_errors", Help: "dbt's retries of database errors"},
		{Key: "retry_all", Help: "dbt retries every error"},
		{Key: "reuse_connections", Help: "dbt's connection reuse"},
		{Key: "threads", Help: "how many models dbt builds at once"},
	}
}

// questions are the profile form's inputs, with the current target's values as defaults.
func questions() []engine.Question {
	cur := func(k, def string) func(engine.FormContext) string {
		return func(fc engine.FormContext) string { return fc.Cur(k, def) }
	}
	return []engine.Question{
		{Key: "account", Title: "Snowflake account", Help: "The part before .snowflakecomputing.com, e.g. ab12345.eu-west-1", Default: cur("account", "")},
		{Key: "user", Title: "Your Snowflake user", Help: "Usually your work e-mail", Default: cur("user", "")},
		{Key: "auth", Title: "How you log in", Help: "SSO opens your browser; a key pair uses a private key file; a password is read from $" + engine.SecretPasswordEnv + ", never stored",
			Default: currentAuth, Options: []engine.Option{
				{Value: AuthSSO, Label: "Single sign-on in the browser (externalbrowser)"},
				{Value: AuthKeyPair, Label: "Key pair (a private key file)"},
				{Value: AuthPassword, Label: "Password, read from $" + engine.SecretPasswordEnv + " (never stored)"},
			}},
		{Key: "private_key_path", Title: "Private key file", Help: "The .p8 file of your key pair", Default: cur("private_key_path", "~/.ssh/snowflake_rsa_key.p8"), ShowWhen: map[string][]string{"auth": {AuthKeyPair}}},
		{Key: "role", Title: "Role", Help: "The team's contributor role", Default: func(fc engine.FormContext) string { return fc.Cur("role", fc.Warehouse.ContributorRole) }},
		{Key: "warehouse", Title: "Snowflake warehouse", Help: "The compute warehouse dbt runs its queries on (not a database): the name the data team gave you, e.g. TRANSFORMING. In Snowsight it is in the worksheet's context menu.", Default: cur("warehouse", "")},
		{Key: "database", Title: "Sandbox database", Default: cur("database", ""), Optional: true, HelpFor: sandboxHelp},
		{Key: "schema", Title: "Schema", Default: cur("schema", "PUBLIC")},
	}
}

// currentAuth is the login method of the current target (SSO when there is none).
func currentAuth(fc engine.FormContext) string {
	switch {
	case fc.Current == nil && fc.Unrendered == nil:
		return AuthSSO
	case fc.Current["private_key_path"] != "":
		return AuthKeyPair
	case fc.Current["authenticator"] == "" && (fc.Current["password"] != "" || fc.Unrendered["password"] != ""):
		return AuthPassword
	}
	return AuthSSO
}

// sandboxHelp says what the database field is for, with the sandbox name the team's pattern
// gives the user typed above (SANDBOX_JANE), not the pattern itself.
func sandboxHelp(fc engine.FormContext, in map[string]string) string {
	w := fc.Warehouse
	user := strings.TrimSpace(in["user"])
	if user == "" {
		return "Leave empty to build in your own sandbox: its name comes from your Snowflake user (" + w.SandboxPattern + "). Never the production database " + w.ProdDatabase + "."
	}
	return fmt.Sprintf("Leave empty to build in your own sandbox, %s (from your user %s). Never the production database %s.", w.SandboxName(user), user, w.ProdDatabase)
}

// targetSettings turns the form's answers into the target to write. It never puts a
// password in it: password auth reads $DBT_ENV_SECRET_PASSWORD.
func targetSettings(fc engine.FormContext, in map[string]string) ([]engine.KV, error) {
	val := func(k string) string { return strings.TrimSpace(in[k]) }
	for _, k := range []string{"account", "user", "warehouse"} {
		if val(k) == "" {
			return nil, fmt.Errorf("%s is required", k)
		}
	}
	w := fc.Warehouse
	db := val("database")
	if db == "" {
		db = w.SandboxName(val("user"))
	}
	out := []engine.KV{{Key: "type", Value: "snowflake"}, {Key: "account", Value: val("account")}, {Key: "user", Value: val("user")}}
	switch val("auth") {
	case AuthKeyPair:
		if val("private_key_path") == "" {
			return nil, fmt.Errorf("private_key_path is required")
		}
		out = append(out, engine.KV{Key: "private_key_path", Value: val("private_key_path")})
	case AuthPassword:
		out = append(out, engine.KV{Key: "password", Value: engine.PasswordRef})
	case AuthSSO, "":
		out = append(out, engine.KV{Key: "authenticator", Value: AuthSSO})
	default:
		return nil, fmt.Errorf("unknown login method %q (use %s, %s or %s)", val("auth"), AuthSSO, AuthKeyPair, AuthPassword)
	}
	return append(out,
		engine.KV{Key: "role", Value: orText(val("role"), w.ContributorRole)},
		engine.KV{Key: "warehouse", Value: val("warehouse")},
		engine.KV{Key: "database", Value: db},
		engine.KV{Key: "schema", Value: orText(val("schema"), "PUBLIC")},
		engine.KV{Key: "threads", Value: 8},
	), nil
}

func orText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// guard: on Snowflake the sandbox is named from the target's user until the session says
// who it is, and the write goes to the target's database.
func guard(in engine.GuardInput) (warehouse.Policy, warehouse.Write, error) {
	t := in.Target
	w := warehouse.Write{Target: t.Name, ProfileUser: t.User, Database: t.Database}
	return warehouse.NewPolicy(in.Config, in.ConfigErr, t.User), w, nil
}

// place names the target's database; without one the guard cannot tell the sandbox.
func place(t *profiles.Target) engine.Place {
	if t.Database == "" {
		return engine.Place{Warning: "the target names no database, so datatui cannot tell whether it is your sandbox"}
	}
	return engine.Place{Where: "database " + t.Database}
}

// SessionUser logs in with t and returns who the session runs as (CURRENT_USER()), for
// the dbt runner's guard when the profile's user: does not decide it.
func SessionUser(ctx context.Context, t *profiles.Target, driverLog io.Writer) (string, error) {
	w, err := New(Options{Target: t, DriverLog: driverLog})
	if err != nil {
		return "", err
	}
	defer w.Close()
	id, err := w.Identity(ctx)
	return id.User, err
}
