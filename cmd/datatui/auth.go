package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/forge/dbtcloud"
)

// openKeyring is the OS keyring; the CLI tests replace it so no real keyring is touched.
var openKeyring = credstore.OS

func newAuthCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{Use: "auth", Short: "Sign in to the services datatui reads", Args: cobra.NoArgs}
	dc := &cobra.Command{Use: "dbt-cloud", Short: "dbt Cloud tokens (for the failing step and nodes of CI runs)", Args: cobra.NoArgs}
	var host string
	var withToken, asJSON bool
	login := &cobra.Command{
		Use:   "login",
		Short: "Store a dbt Cloud token for a host in the OS keyring",
		Long: `Stores a dbt Cloud personal access token (or service token) for one dbt Cloud host in the
OS keyring (macOS Keychain, Windows Credential Manager, Secret Service on Linux). datatui sends
it to that host only: a CI check linking to another host gets no token.

The host is your account's access URL: cloud.getdbt.com, ACCOUNT_PREFIX.us1.dbt.com,
emea.dbt.com, au.dbt.com, or your single-tenant host. The token is read from the terminal
without echo, or from standard input with --with-token.

Without a keyring, use DBT_CLOUD_TOKEN (with DBT_CLOUD_ACCOUNT_HOST) or the dbt Cloud CLI's
~/.dbt/dbt_cloud.yml instead; datatui reads both.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := dbtcloud.NormalizeHost(host)
			if h == "" || strings.ContainsAny(h, "/ ") {
				return withCode(2, fmt.Errorf("--host %q is not a host name", host))
			}
			tok, err := a.readToken(withToken, fmt.Sprintf("Paste a dbt Cloud token for %s (Account settings → API tokens): ", h))
			if err != nil {
				return err
			}
			if err := openKeyring().Set(dbtcloud.KeyringService, h, tok); err != nil {
				return keyringError(err)
			}
			fmt.Fprintf(a.stdout, "Stored a dbt Cloud token for %s in the OS keyring.\n", h)
			return nil
		},
	}
	login.Flags().StringVar(&host, "host", dbtcloud.DefaultHost, "the dbt Cloud host the token is for")
	login.Flags().BoolVar(&withToken, "with-token", false, "read the token from standard input")

	var logoutHost string
	logout := &cobra.Command{
		Use:   "logout",
		Short: "Remove a stored dbt Cloud token from the OS keyring",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			h := dbtcloud.NormalizeHost(logoutHost)
			err := openKeyring().Delete(dbtcloud.KeyringService, h)
			if errors.Is(err, credstore.ErrNotFound) {
				return fmt.Errorf("no dbt Cloud token for %s in the OS keyring (tokens from %s or ~/.dbt/dbt_cloud.yml are yours to remove)", h, dbtcloud.EnvToken)
			}
			if err != nil {
				return keyringError(err)
			}
			fmt.Fprintf(a.stdout, "Removed the dbt Cloud token for %s from the OS keyring.\n", h)
			return nil
		},
	}
	logout.Flags().StringVar(&logoutHost, "host", dbtcloud.DefaultHost, "the dbt Cloud host whose token to remove")

	status := &cobra.Command{
		Use:   "status",
		Short: "Which dbt Cloud hosts datatui has a token for, and where each comes from",
		Long: `Lists the dbt Cloud hosts datatui has a token for and where each token comes from
(DBT_CLOUD_TOKEN, ~/.dbt/dbt_cloud.yml, keyring). Tokens are never printed. Exit 1 when there is
none. --json prints {"credentials": [{"host", "accountId", "source"}], "warnings": [...]}.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			teamHost := ""
			if ws, err := a.workspace(); err == nil && ws.Config != nil {
				teamHost = ws.Config.DBTCloud.Host
			}
			creds, warnings := dbtcloud.Load(dbtcloud.Sources{Keyring: openKeyring(), TeamHost: teamHost})
			var warn []string
			for _, w := range warnings {
				warn = append(warn, w.Error())
			}
			if asJSON {
				if creds == nil {
					creds = dbtcloud.Credentials{}
				}
				if err := a.writeJSON(map[string]any{"credentials": creds, "warnings": warn}); err != nil {
					return err
				}
			} else {
				for _, c := range creds {
					acct := ""
					if c.AccountID != 0 {
						acct = fmt.Sprintf(" (account %d)", c.AccountID)
					}
					fmt.Fprintf(a.stdout, "%s%s: token from %s\n", c.Host, acct, c.Source)
				}
				for _, w := range warn {
					fmt.Fprintf(a.stderr, "datatui: %s\n", w)
				}
				if len(creds) == 0 {
					fmt.Fprintln(a.stdout, dbtcloud.ErrNoToken.Error())
				}
			}
			if len(creds) == 0 {
				return silentExit(1)
			}
			return nil
		},
	}
	status.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	dc.AddCommand(login, logout, status)
	cmd.AddCommand(dc)
	cmd.AddCommand(newAuthPagerDutyCmd(a))
	return cmd
}

// readToken reads the token without echo on a terminal, else (or with --with-token) the first
// line of standard input.
func (a *app) readToken(fromStdin bool, prompt string) (string, error) {
	var tok string
	if f, ok := a.stdin.(*os.File); ok && !fromStdin && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", err
		}
		tok = string(b)
	} else {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", err
		}
		tok = line
	}
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", withCode(2, errors.New("no token given (pipe it in with --with-token, or paste it at the prompt)"))
	}
	return tok, nil
}

func keyringError(err error) error {
	var ue *credstore.UnavailableError
	if errors.As(err, &ue) {
		return fmt.Errorf("%v\nUse %s (with %s) or the dbt Cloud CLI's ~/.dbt/dbt_cloud.yml instead: datatui reads both", err, dbtcloud.EnvToken, dbtcloud.EnvAccountHost)
	}
	return err
}
