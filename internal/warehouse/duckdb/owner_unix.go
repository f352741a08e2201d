//go:build unix

package duckdb

import (
	"io/fs"
	"syscall"
)

// fileOwner is the uid of the account that owns the file.
func fileOwner(st fs.FileInfo) (uint32, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return sys.Uid, true
}
