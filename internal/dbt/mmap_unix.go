//go:build unix

package dbt

import (
	"io"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// readWhole maps a file read-only instead of copying it onto the heap: a 100 MB manifest then
// costs no allocation and no copy, and the pages stay in the page cache after release. Decoded
// strings are always copies, so nothing refers to the mapping once decoding is done.
//
// drop(lo, hi) tells the kernel the process is done with data[lo:hi] (rounded inwards to whole
// pages): those pages leave the process's resident set while decoding goes on, so a cold load
// does not hold the whole file in memory next to the heap it builds. Reading them again later
// faults them back from the page cache.
func readWhole(path string) (data []byte, release func(), drop func(lo, hi int), err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, err
	}
	size := st.Size()
	if size <= 0 || int64(int(size)) != size {
		b, err := os.ReadFile(path)
		return b, func() {}, func(int, int) {}, err
	}
	data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		b, err := os.ReadFile(path)
		return b, func() {}, func(int, int) {}, err
	}
	page := os.Getpagesize()
	drop = func(lo, hi int) {
		lo = (lo + page - 1) / page * page
		hi = hi / page * page
		if lo < hi {
			_ = unix.Madvise(data[lo:hi], unix.MADV_DONTNEED)
		}
	}
	return data, func() { _ = syscall.Munmap(data) }, drop, nil
}

// mapFile maps a whole file private and read-only; unmap gives the memory back. It falls back
// to reading the file where it cannot be mapped (empty, too large, a file system without mmap),
// and unmap is then a no-op.
func mapFile(path string) (data []byte, unmap func(), err error) {
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
	if size > 0 && int64(int(size)) == size {
		if data, err = syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_PRIVATE); err == nil {
			return data, func() { _ = syscall.Munmap(data) }, nil
		}
	}
	data, err = io.ReadAll(f)
	return data, func() {}, err
}
