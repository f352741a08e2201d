package dbt

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// adviseHugePages asks the kernel to back the 2 MiB-aligned pages inside [p, p+n) with
// transparent huge pages (MADV_HUGEPAGE), which it does on the first write to each where THP
// is set to "madvise" (where it is "always" it does so anyway, where "never" not at all).
// Nothing changes for the Go runtime: the memory stays where it was allocated.
//
// Only one-shot commands ask for it. In a long session Go gives freed heap back to the kernel
// in small pieces, and the kernel's khugepaged may fill an advised range in again as a huge
// page, keeping memory the session had given back.
func adviseHugePages(p unsafe.Pointer, n uintptr) {
	const huge = 2 << 20
	lo := (uintptr(p) + huge - 1) &^ (huge - 1)
	hi := (uintptr(p) + n) &^ (huge - 1)
	if lo >= hi {
		return
	}
	// An error (a kernel without THP) only leaves the pages as they were.
	_ = unix.Madvise(unsafe.Slice((*byte)(unsafe.Add(p, lo-uintptr(p))), hi-lo), unix.MADV_HUGEPAGE)
}
