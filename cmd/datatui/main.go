package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	// Before gosnowflake initialises: no native library loaded (and temporary folder left
	// behind) by every process. See the package.
	_ "github.com/datatui/datatui/internal/sfnative"
)

func main() {
	// ctrl+c, kill and a closed terminal (SIGHUP) all cancel: a running dbt is interrupted
	// like on ctrl+c (SIGINT, then SIGTERM, then SIGKILL to its process group) and the run is
	// recorded in the history as cancelled, instead of dbt being left orphaned.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	// Once the terminal is gone, output may go to a pipe nobody reads (`datatui run | tee`):
	// a write then fails instead of killing datatui before it has stopped dbt.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
