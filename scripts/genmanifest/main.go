// Command genmanifest writes a SYNTHETIC dbt manifest.json for benchmarks:
//
//	go run ./scripts/genmanifest -models 5000 > /tmp/big-manifest.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/datatui/datatui/internal/dbt/dbtsynth"
)

func main() {
	models := flag.Int("models", 5000, "number of models (each gets one test, so nodes ≈ 2×models)")
	sqlBytes := flag.Int("sql-bytes", 6000, "approximate raw and compiled SQL size per model")
	flag.Parse()
	if err := dbtsynth.Write(os.Stdout, dbtsynth.Options{Models: *models, SQLBytes: *sqlBytes}); err != nil {
		fmt.Fprintln(os.Stderr, "genmanifest:", err)
		os.Exit(1)
	}
}
