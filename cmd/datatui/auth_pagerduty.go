package main

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/credstore"
	"github.com/datatui/datatui/internal/oncall"
	"github.com/datatui/datatui/internal/pagerduty"
)

// newAuthPagerDutyCmd is `datatui auth pagerduty`: the PagerDuty token in the same OS keyring
// the dbt Cloud tokens use, one per API host.
func newAuthPagerDutyCmd(a *app) *cobra.Command {
	pd := &cobra.Command{Use: "pagerduty", Short: "The PagerDuty token (who is on call, open incidents)", Args: cobra.NoArgs}
	var apiURL string
	var withToken bool
	login := &cobra.Command{
		Use:   "login",
		Short: "Store a PagerDuty REST API token in the OS keyring",
		Long: `Stores a PagerDuty REST API key (My Profile → User Settings → Create API User Token; read-only
access is enough) in the OS keyring, for the API host it is for (api.pagerduty.com, or
api.eu.pagerduty.com with --api-url https://api.eu.pagerduty.com). datatui sends it to that
host only. The token is read from the terminal without echo, or from standard input with
--with-token. PAGERDUTY_TOKEN, when set, is used instead.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			host := oncall.KeyringKey(apiURL)
			if host == "" || strings.ContainsAny(host, " ") {
				return withCode(2, fmt.Errorf("--api-url %q has no host", apiURL))
			}
			tok, err := a.readToken(withToken, fmt.Sprintf("Paste a PagerDuty API token for %s: ", host))
			if err != nil {
				return err
			}
			if err := openKeyring().Set(pagerduty.KeyringService, host, tok); err != nil {
				return pagerDutyKeyringError(err)
			}
			fmt.Fprintf(a.stdout, "Stored a PagerDuty token for %s in the OS keyring.\n", host)
			return nil
		},
	}
	login.Flags().StringVar(&apiURL, "api-url", pagerduty.DefaultAPIURL, "the PagerDuty API the token is for")
	login.Flags().BoolVar(&withToken, "with-token", false, "read the token from standard input")

	var logoutURL string
	logout := &cobra.Command{
		Use:   "logout",
		Short: "Remove the stored PagerDuty token from the OS keyring",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			host := oncall.KeyringKey(logoutURL)
			err := openKeyring().Delete(pagerduty.KeyringService, host)
			if errors.Is(err, credstore.ErrNotFound) {
				return fmt.Errorf("no PagerDuty token for %s in the OS keyring (%s is yours to unset)", host, pagerduty.EnvToken)
			}
			if err != nil {
				return pagerDutyKeyringError(err)
			}
			fmt.Fprintf(a.stdout, "Removed the PagerDuty token for %s from the OS keyring.\n", host)
			return nil
		},
	}
	logout.Flags().StringVar(&logoutURL, "api-url", pagerduty.DefaultAPIURL, "the PagerDuty API whose token to remove")

	status := &cobra.Command{
		Use:   "status",
		Short: "Where datatui's PagerDuty token comes from (never the token itself)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base := os.Getenv(pagerduty.EnvAPIURL)
			host := oncall.KeyringKey(base)
			if strings.TrimSpace(os.Getenv(pagerduty.EnvToken)) != "" {
				fmt.Fprintf(a.stdout, "%s: token from %s\n", host, pagerduty.EnvToken)
				return nil
			}
			if _, err := openKeyring().Get(pagerduty.KeyringService, host); err == nil {
				fmt.Fprintf(a.stdout, "%s: token from the OS keyring\n", host)
				return nil
			}
			fmt.Fprintln(a.stdout, pagerduty.ErrNoToken.Error())
			return silentExit(1)
		},
	}
	pd.AddCommand(login, logout, status)
	return pd
}

func pagerDutyKeyringError(err error) error {
	var ue *credstore.UnavailableError
	if errors.As(err, &ue) {
		return fmt.Errorf("%v\nExport %s instead: datatui reads it first", err, pagerduty.EnvToken)
	}
	return err
}
