//go:build !unix

package duckdb

import "io/fs"

// fileOwner is unknown where files have no owning uid (Windows): the sandbox's owner mark,
// its file identity and the target's database name still decide.
func fileOwner(fs.FileInfo) (uint32, bool) { return 0, false }
