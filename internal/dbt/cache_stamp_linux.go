package dbt

import (
	"io/fs"
	"syscall"
)

// platformStamp returns a file's status-change time (unix ns), device and inode.
func platformStamp(st fs.FileInfo) (ctime int64, dev, ino uint64) {
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		return s.Ctim.Nano(), uint64(s.Dev), s.Ino
	}
	return 0, 0, 0
}
