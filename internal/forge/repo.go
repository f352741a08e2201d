package forge

import (
	"fmt"
	"net/url"
	"strings"
)

// Repo is a GitHub repository on a host (github.com or a GitHub Enterprise Server).
type Repo struct {
	Host  string `json:"host"`
	Owner string `json:"owner"`
	Name  string `json:"name"`
}

// FullName is "owner/name".
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// WebURL is the repository's page.
func (r Repo) WebURL() string {
	return "https://" + orDefault(r.Host, "github.com") + "/" + r.FullName()
}

// CompareURL is the page that opens a pull request from head into base.
func (r Repo) CompareURL(base, head string) string {
	return r.WebURL() + "/compare/" + (&url.URL{Path: base + "..." + head}).EscapedPath() + "?expand=1"
}

// ParseRepo reads "owner/name" on host.
func ParseRepo(host, fullName string) (Repo, error) {
	owner, name, ok := strings.Cut(strings.TrimSpace(fullName), "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return Repo{}, fmt.Errorf("%q is not owner/name", fullName)
	}
	return Repo{Host: orDefault(host, "github.com"), Owner: owner, Name: strings.TrimSuffix(name, ".git")}, nil
}

// ParseRemote reads a git remote URL in any form git accepts for GitHub:
// https://github.com/o/r(.git), ssh://git@github.com/o/r.git, git@github.com:o/r.git,
// git://host/o/r. It returns an error for remotes that are not owner/name repositories.
func ParseRemote(remote string) (Repo, error) {
	remote = strings.TrimSpace(remote)
	if remote == "" {
		return Repo{}, fmt.Errorf("the git remote URL is empty")
	}
	var host, path string
	if strings.Contains(remote, "://") {
		u, err := url.Parse(remote)
		if err != nil {
			return Repo{}, fmt.Errorf("git remote %q: %v", remote, err)
		}
		host, path = u.Hostname(), u.Path
		if u.Scheme == "file" {
			return Repo{}, fmt.Errorf("git remote %q is a local folder, not a GitHub repository", remote)
		}
	} else {
		// scp-like syntax: [user@]host:owner/name.git
		at := strings.LastIndex(remote, "@")
		rest := remote[at+1:]
		h, p, ok := strings.Cut(rest, ":")
		if !ok || h == "" || strings.Contains(h, "/") {
			return Repo{}, fmt.Errorf("git remote %q is not a GitHub URL", remote)
		}
		host, path = h, p
	}
	path = strings.TrimSuffix(strings.Trim(path, "/"), ".git")
	parts := strings.Split(path, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return Repo{}, fmt.Errorf("git remote %q does not name an owner/name repository", remote)
	}
	host = strings.ToLower(host)
	if host == "ssh.github.com" || host == "www.github.com" {
		host = "github.com"
	}
	return Repo{Host: host, Owner: parts[0], Name: parts[1]}, nil
}
