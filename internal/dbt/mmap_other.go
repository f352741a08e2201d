//go:build !unix

package dbt

import "os"

// readWhole reads a file into memory; drop is a no-op here.
func readWhole(path string) ([]byte, func(), func(lo, hi int), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, func(int, int) {}, err
}

// mapFile reads a file into memory; unmap is a no-op here.
func mapFile(path string) ([]byte, func(), error) {
	b, err := os.ReadFile(path)
	return b, func() {}, err
}
