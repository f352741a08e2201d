package live

import (
	"errors"
	"strings"

	sf "github.com/snowflakedb/gosnowflake"

	"github.com/datatui/datatui/internal/onboard"
)

// explain attaches the plain-language meaning of a Snowflake driver error (by gosnowflake's
// error numbers and Snowflake's login codes) to err, so the onboarding checks can say it
// without linking the driver. Errors it does not know are returned as they are, for
// onboard.Explain's network and certificate cases.
func explain(err error) error {
	if err == nil {
		return nil
	}
	if p, ok := explainSnowflake(err); ok {
		return &onboard.ExplainedError{Plain: p, Err: err}
	}
	return err
}

// Guide sections (set-up-your-environment) the Snowflake explanations point to.
const (
	guideSetup    = "set-up-your-environment"
	anchorConnect = "connect-dbt-to-snowflake"
	anchorSSO     = "single-sign-on-in-the-browser"
	anchorKeyPair = "key-pair"
	anchorTrouble = "when-something-goes-wrong"
	guideRoles    = "roles-and-permissions"
	anchorRequest = "requesting-access"
)

// Snowflake's own login error codes (the server's "code", which gosnowflake puts in
// SnowflakeError.Number); gosnowflake names only some of them.
const (
	codeIncorrectLogin = 390100 // Incorrect username or password was specified.
	codeJWTInvalid     = 390144 // JWT token is invalid (key-pair login).
)

func explainSnowflake(err error) (onboard.Plain, bool) {
	var se *sf.SnowflakeError
	if !errors.As(err, &se) {
		return onboard.Plain{}, false
	}
	msg := strings.ToLower(se.Message)
	plain := func(sentence, anchor string) (onboard.Plain, bool) {
		return onboard.Plain{Sentence: sentence, Guide: guideSetup, Anchor: anchor}, true
	}
	switch n := se.Number; {
	case n >= 390000 && n < 391000 && strings.Contains(msg, "locked"):
		return onboard.Plain{Sentence: "Your Snowflake user is locked, after too many failed sign-ins or by an administrator. Wait for the lock to end (usually 15 minutes) or ask the data team to unlock it; signing in again now keeps it locked.", Guide: guideRoles, Anchor: anchorRequest}, true
	case n >= 390000 && n < 391000 && strings.Contains(msg, "disabled"):
		return onboard.Plain{Sentence: "Your Snowflake user is disabled: ask the data team to enable it.", Guide: guideRoles, Anchor: anchorRequest}, true
	case n == sf.ErrCodeFailedToConnect:
		return plain("Snowflake did not find this account: check the account in your profile. It is <orgname>-<accountname> (as in your Snowflake URL), without https:// or .snowflakecomputing.com.", anchorConnect)
	case n == sf.ErrCodeEmptyAccountCode, n == sf.ErrCodeFailedToParseHost:
		return plain("Your profile names no Snowflake account that can be used: set account to <orgname>-<accountname>, as in your Snowflake URL.", anchorConnect)
	case n == codeIncorrectLogin:
		return plain("Snowflake did not accept this user and password. Check the user name; if your company signs you in through its single sign-on, use authenticator: externalbrowser instead of a password.", anchorConnect)
	case n == codeJWTInvalid, n == sf.ErrCodePrivateKeyParseError:
		return plain("Snowflake did not accept your key pair: the private key file cannot be read, or its public key is not attached to your user. Ask the data team to check RSA_PUBLIC_KEY on your user.", anchorKeyPair)
	case n == sf.ErrCodeIdpConnectionError, n == sf.ErrCodeSSOURLNotMatch, n == sf.ErrFailedToAuthSAML,
		n == sf.ErrFailedToAuthOKTA, n == sf.ErrFailedToGetSSO, n == sf.ErrFailedToGetExternalBrowserResponse:
		return plain("Single sign-on did not complete: the browser sign-in failed, was closed, or your company's identity provider does not know this Snowflake account. Sign in again in the browser; over SSH or in a container, use a key pair instead.", anchorSSO)
	case n == sf.ErrRoleNotExist:
		return onboard.Plain{Sentence: "The role in your profile does not exist or is not granted to you: use the team's contributor role, or ask the data team to grant it.", Guide: guideRoles, Anchor: anchorRequest}, true
	case n == sf.ErrCodeServiceUnavailable:
		return plain("Snowflake could not be reached: check that you are online or on the company VPN; a proxy may be needed.", anchorTrouble)
	}
	return onboard.Plain{}, false
}
