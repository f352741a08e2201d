package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
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
			root := cmd.Root()
			root.DisableAutoGenTag = true // the same pages from the same source, whatever the day
			header := &doc.GenManHeader{Title: "DATATUI", Section: "1", Source: "datatui " + version, Manual: "datatui manual"}
			if err := doc.GenManTree(root, header, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "Wrote the man pages to %s\n", args[0])
			return nil
		},
	}
}
