package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/datatui/datatui/internal/manpage"
)

// newManCmd writes a man page per command, from the same help text `--help` prints. Releases
// ship them (see .goreleaser.yml); it is hidden because users read the pages, not make them.
func newManCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    "man DIR",
		Short:  "Write a man page for every command to DIR",
		Hidden: true,
		Args:   cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(args[0], 0o755); err != nil {
				return err
			}
			header := manpage.Header{Title: "DATATUI", Section: "1", Source: "datatui " + version, Manual: "datatui manual"}
			if err := manpage.WriteTree(cmd.Root(), header, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Wrote the man pages to %s\n", args[0])
			return nil
		},
	}
}
