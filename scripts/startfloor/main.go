// Command startfloor is the start-up floor datatui's drivers set: a program that links only
// DuckDB and gosnowflake, as datatui does, and does nothing. scripts/bench-manifest.sh times it
// next to `datatui version`, so what datatui's own code and its other dependencies add to a
// start can be told from what the warehouse drivers cost.
package main

import (
	"os"

	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/snowflakedb/gosnowflake"

	_ "github.com/datatui/datatui/internal/sfnative" // as datatui: no native library at start
)

func main() { os.Stdout.WriteString("floor\n") }
