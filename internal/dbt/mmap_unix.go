//go:build unix

package dbt

import (
	"os"
	"syscall"
)

// readWhole maps a file read-only instead of copying it onto the heap: a 100 MB manifest then
// costs no allocation and no copy, and the pages stay in the page cache after release. Decoded
// strings are always copies, so nothing refers to the mapping once decoding is done.
func readWhole(path string) ([]byte, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	size := st.Size()
	if size <= 0 || int64(int(size)) != size {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, err
	}
	return data, func() { _ = syscall.Munmap(data) }, nil
}
