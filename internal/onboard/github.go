package onboard

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// EnvGitHubAPI overrides the GitHub API base URL (GitHub Enterprise proxies, tests); the
// same variable the PR screen reads.
const EnvGitHubAPI = "DATATUI_GITHUB_API_URL"

// githubToken finds the token the way gh does: GH_TOKEN / GITHUB_TOKEN for github.com
// (GH_ENTERPRISE_TOKEN / GITHUB_ENTERPRISE_TOKEN for other hosts), else gh's stored login
// through `gh auth token`. The token is only ever sent to the host's API, never shown.
func (e *Env) githubToken(ctx context.Context, host string) (token, source string) {
	vars := []string{"GH_TOKEN", "GITHUB_TOKEN"}
	if host != "github.com" {
		vars = []string{"GH_ENTERPRISE_TOKEN", "GITHUB_ENTERPRISE_TOKEN"}
	}
	for _, v := range vars {
		if t := strings.TrimSpace(e.Getenv(v)); t != "" {
			return t, v
		}
	}
	if !e.has("gh") {
		return "", ""
	}
	out, _, err := e.Run(ctx, "", "gh", "auth", "token", "--hostname", host)
	if t := strings.TrimSpace(string(out)); err == nil && t != "" && !strings.ContainsAny(t, " \n") {
		return t, "gh auth login"
	}
	return "", ""
}

// canReadRepo asks the GitHub API for the repository and returns the HTTP status (200: the
// token can read it; 404: no access or no such repository).
func (e *Env) canReadRepo(ctx context.Context, host, repo, token string) (int, error) {
	base := e.Getenv(EnvGitHubAPI)
	if base == "" {
		base = "https://api.github.com/"
		if host != "github.com" {
			base = "https://" + host + "/api/v3/"
		}
	}
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	owner, name, _ := strings.Cut(repo, "/")
	u := base + "repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("User-Agent", "datatui")
	client := e.HTTP
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		// The error text holds the URL only; never the token, which is in a header.
		if ue, ok := err.(*url.Error); ok {
			return 0, ue.Err
		}
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
