package dbtcloud

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/redact"
	"github.com/datatui/datatui/internal/safeyaml"
)

// The environment variables dbt's own tools read.
const (
	EnvToken       = "DBT_CLOUD_TOKEN"
	EnvAccountID   = "DBT_CLOUD_ACCOUNT_ID"
	EnvAccountHost = "DBT_CLOUD_ACCOUNT_HOST"
)

// KeyringService is the keyring service datatui stores dbt Cloud tokens under, one per host.
const KeyringService = "datatui dbt-cloud"

// DefaultHost is dbt Cloud's US multi-tenant host, what dbt's tools use when none is set.
const DefaultHost = "cloud.getdbt.com"

// Credential is one dbt Cloud account the user configured: its token is sent to Host only.
type Credential struct {
	Host      string `json:"host"`
	Token     string `json:"-"`
	AccountID int64  `json:"accountId,omitempty"`
	// Source says where it came from: DBT_CLOUD_TOKEN, ~/.dbt/dbt_cloud.yml, keyring, demo.
	Source string `json:"source"`
	// BaseURL is where requests for Host go (default https://Host; a loopback server for the
	// demo and the tests).
	BaseURL string `json:"-"`
}

// Credentials are every configured account, in the order they were found.
type Credentials []Credential

// ForHost returns the credential for host (case-insensitive), never another host's.
func (cs Credentials) ForHost(host string) (Credential, bool) {
	host = NormalizeHost(host)
	for _, c := range cs {
		if NormalizeHost(c.Host) == host {
			return c, true
		}
	}
	return Credential{}, false
}

// Hosts lists the configured hosts.
func (cs Credentials) Hosts() []string {
	var out []string
	for _, c := range cs {
		if !slices.Contains(out, c.Host) {
			out = append(out, c.Host)
		}
	}
	return out
}

// NormalizeHost reduces "https://EMEA.dbt.com/" to "emea.dbt.com".
func NormalizeHost(h string) string {
	h = strings.TrimSpace(strings.ToLower(h))
	if strings.Contains(h, "://") {
		if u, err := url.Parse(h); err == nil {
			return u.Host
		}
	}
	return strings.TrimSuffix(h, "/")
}

// Sources are where Load looks.
type Sources struct {
	// Getenv reads the environment (os.Getenv when nil).
	Getenv func(string) string
	// Home holds .dbt/dbt_cloud.yml (the user's home folder when empty).
	Home string
	// Keyring is the OS keyring (nil: not consulted).
	Keyring credstore.Store
	// TeamHost is datatui.yml's dbt_cloud.host: the host DBT_CLOUD_TOKEN is for when
	// DBT_CLOUD_ACCOUNT_HOST is not set.
	TeamHost string
}

// Load finds the user's dbt Cloud credentials the way dbt's tools do — DBT_CLOUD_TOKEN with
// DBT_CLOUD_ACCOUNT_HOST and DBT_CLOUD_ACCOUNT_ID, the dbt Cloud CLI's ~/.dbt/dbt_cloud.yml —
// and then the tokens `datatui auth dbt-cloud login` put in the keyring. The first credential
// for a host wins. Problems with one source (an unreadable file, no keyring) are returned as
// warnings; the other sources still count.
func Load(src Sources) (Credentials, []error) {
	getenv := src.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	var creds Credentials
	var warnings []error
	add := func(c Credential) {
		redact.Add(c.Token) // every token found, used or not, is kept out of all output
		c.Host = NormalizeHost(c.Host)
		if c.Token == "" || c.Host == "" {
			return
		}
		if _, dup := creds.ForHost(c.Host); !dup {
			creds = append(creds, c)
		}
	}
	if tok := strings.TrimSpace(getenv(EnvToken)); tok != "" {
		host := firstNonEmpty(getenv(EnvAccountHost), src.TeamHost, DefaultHost)
		id, _ := strconv.ParseInt(strings.TrimSpace(getenv(EnvAccountID)), 10, 64)
		add(Credential{Host: host, Token: tok, AccountID: id, Source: EnvToken})
	}
	fromFile, err := loadCLIConfig(src.Home)
	if err != nil {
		warnings = append(warnings, err)
	}
	for _, c := range fromFile {
		add(c)
	}
	if src.Keyring != nil {
		hosts, err := src.Keyring.Keys(KeyringService)
		if err != nil {
			warnings = append(warnings, err)
		}
		for _, h := range hosts {
			tok, err := src.Keyring.Get(KeyringService, h)
			if err != nil {
				warnings = append(warnings, err)
				continue
			}
			add(Credential{Host: h, Token: tok, Source: "keyring"})
		}
	}
	return creds, warnings
}

// CLIConfigPath is the dbt Cloud CLI's credentials file under home.
func CLIConfigPath(home string) string {
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".dbt", "dbt_cloud.yml")
}

// cliConfig is the part of dbt_cloud.yml datatui reads.
type cliConfig struct {
	Context struct {
		ActiveHost    string `yaml:"active-host"`
		ActiveProject string `yaml:"active-project"`
	} `yaml:"context"`
	Projects []cliProject `yaml:"projects"`
}

type cliProject struct {
	ProjectID   string `yaml:"project-id"`
	AccountID   string `yaml:"account-id"`
	AccountHost string `yaml:"account-host"`
	TokenValue  string `yaml:"token-value"`
	APIKey      string `yaml:"api-key"`
}

// loadCLIConfig reads ~/.dbt/dbt_cloud.yml: one credential per project (the active project
// first). A missing file is no error.
func loadCLIConfig(home string) (Credentials, error) {
	path := CLIConfigPath(home)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	var cfg cliConfig
	if err := safeyaml.Unmarshal(b, &cfg); err != nil {
		// The parser may quote the file's lines, token included: say where, not what.
		return nil, fmt.Errorf("%s is not valid YAML; datatui skipped it", path)
	}
	projects := cfg.Projects
	slices.SortStableFunc(projects, func(a, b cliProject) int {
		ra, rb := a.ProjectID == cfg.Context.ActiveProject, b.ProjectID == cfg.Context.ActiveProject
		switch {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return 0
	})
	var out Credentials
	for _, p := range projects {
		id, _ := strconv.ParseInt(strings.TrimSpace(p.AccountID), 10, 64)
		out = append(out, Credential{Host: firstNonEmpty(p.AccountHost, cfg.Context.ActiveHost, DefaultHost),
			Token: firstNonEmpty(p.TokenValue, p.APIKey), AccountID: id, Source: "~/.dbt/dbt_cloud.yml"})
	}
	return out, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}

// NotSignedInError means no credential exists for the host a check links to. The token of
// another host is never sent there instead.
type NotSignedInError struct {
	Host  string
	Known []string
}

func (e *NotSignedInError) Error() string {
	if len(e.Known) == 0 {
		return fmt.Sprintf("no dbt Cloud token for %s: run `datatui auth dbt-cloud login --host %s`, or export %s (and %s=%s), or use the dbt Cloud CLI's ~/.dbt/dbt_cloud.yml",
			e.Host, e.Host, EnvToken, EnvAccountHost, e.Host)
	}
	return fmt.Sprintf("this check's run is on dbt Cloud at %s, but your token is for %s: datatui only sends a token to the host it was given for. Run `datatui auth dbt-cloud login --host %s` to use %s",
		e.Host, strings.Join(e.Known, ", "), e.Host, e.Host)
}
