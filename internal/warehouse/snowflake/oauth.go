package snowflake

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	sf "github.com/snowflakedb/gosnowflake"
)

// refreshGrant is dbt-snowflake's OAuth refresh: with authenticator: oauth, token: is a
// refresh token when oauth_client_id and oauth_client_secret are set too, and dbt trades it
// for an access token at the account's /oauth/token-request before it logs in (the driver
// knows nothing of refresh tokens).
type refreshGrant struct {
	clientID, clientSecret, refreshToken string
}

// tokenRequestURL is where the refresh token is exchanged: the account's own endpoint. dbt
// builds it from account:; datatui uses the host, port and protocol it logs in to, which
// are the same unless profiles.yml sets host: (PrivateLink, a proxy, tests), where the
// login host is the one that can answer.
func tokenRequestURL(cfg *sf.Config) string {
	proto, port := cmp.Or(cfg.Protocol, "https"), cmp.Or(cfg.Port, 443)
	host := cfg.Host
	if proto != "https" || port != 443 {
		host += ":" + strconv.Itoa(port) // as the driver does: port 443 unless one is set
	}
	return proto + "://" + host + "/oauth/token-request"
}

// exchange posts grant_type=refresh_token with the client's credentials as HTTP basic auth
// and returns the access token. Error text never includes the tokens or the secret.
func (g refreshGrant) exchange(ctx context.Context, client *http.Client, endpoint string) (string, error) {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {g.refreshToken}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.SetBasicAuth(g.clientID, g.clientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is known; the error alone reads better
		}
		return "", fmt.Errorf("exchanging the OAuth refresh token at %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var reply struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Message     string `json:"message"`
	}
	_ = json.Unmarshal(body, &reply)
	if resp.StatusCode == http.StatusOK && reply.AccessToken != "" {
		return reply.AccessToken, nil
	}
	why := strings.TrimSpace(strings.Join(nonEmpty(reply.Error, reply.Description, reply.Message), ": "))
	if why == "" {
		why = "no access_token in the reply"
	}
	return "", fmt.Errorf("exchanging the OAuth refresh token at %s: HTTP %d, %s (is token: a current refresh token for oauth_client_id?)", endpoint, resp.StatusCode, why)
}

func nonEmpty(s ...string) []string {
	var out []string
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}

// httpClient is the client the exchange uses: the driver's transport when one is set
// (tests), else one that honours the profile's proxy the way the driver does.
func httpClient(cfg *sf.Config) *http.Client {
	c := &http.Client{Timeout: 60 * time.Second, Transport: cfg.Transporter}
	if c.Transport == nil && cfg.ProxyHost != "" {
		proxy := &url.URL{Scheme: "http", Host: cfg.ProxyHost + ":" + strconv.Itoa(cfg.ProxyPort)}
		c.Transport = &http.Transport{Proxy: http.ProxyURL(proxy)}
	}
	return c
}
