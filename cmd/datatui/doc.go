// Command datatui is the terminal app for contributors to a dbt + Snowflake analytics
// repository: onboarding, the team's handbook, the contributor's own sandbox database, model
// lineage, dbt runs with live progress, and pull requests' CI status.
//
// Run without a sub-command it opens the terminal interface (package internal/ui) on the
// repository found from the current folder, or on the embedded demo workspace with --demo or
// when no dbt project is found. Every screen has a sub-command twin, and commands print --json:
//
//	datatui doctor [--fix] [--json]          the onboarding checks (the wizard's twin)
//	datatui guide list|search|show           the handbook
//	datatui sandbox status|show|refresh      the contributor's sandbox
//	datatui whoami, access [request N]       who you are, what your role cannot read, asking for it
//	datatui lineage, ls, impact              dbt's graph and selector syntax
//	datatui run                              dbt with live progress, cancel on ctrl+c
//	datatui pr status, auth                  pull requests; dbt Cloud and PagerDuty tokens
//	datatui freshness, oncall                source freshness; who is on call, open incidents
//
// This package is wiring: each file holds one command's flags, calls the internal packages
// that do the work, and formats their answer as text or JSON. The operations a screen has
// too — loading the lineage and the artifacts, listing the sandbox and describing a table,
// running dbt, PR status — are the services the TUI calls (internal/service, through
// app.services, and internal/forge/prstatus), so a command and its screen cannot disagree.
// What every command shares lives in root.go: the app (global flags, streams and the
// workspace's services), the exit codes (0 ok, 1 failure, 2 usage, 8 pending) and writeJSON.
// Everything printed passes through the redaction layer (internal/redact) and is made terminal-safe (internal/termsafe) before it leaves the
// process; tui.go is the one file that starts Bubble Tea, because only main holds the
// terminal. Commands are tested with testscript scripts in testdata/script.
package main
