//go:build !unix

package dbt

import "os"

// readWhole reads a file into memory.
func readWhole(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}
