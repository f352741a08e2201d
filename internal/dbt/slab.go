package dbt

import "unsafe"

// hugeSlab is the smallest slab advised as huge pages: below it a 2 MiB-aligned range may not
// fit inside the slab at all. Tests lower it so that small graphs take the same path.
var hugeSlab uintptr = 4 << 20

// makeSlab returns n zero Ts in one allocation. With huge set (a one-shot command, see
// LoadOptions.OneShot), the kernel is asked to back the slab with transparent huge pages
// where it can (adviseHugePages).
//
// Why: a new process gets its heap from the kernel one 4 KiB page at a time, and each page is a
// fault (allocated, zeroed, charged, mapped). A warm ls at 108k nodes took 37k faults, most of
// them writing the node, list and column slabs for the first time; on huge pages it takes
// about 6k, one fault per 2 MiB.
func makeSlab[T any](n uint64, huge bool) []T {
	s := make([]T, n)
	if size := uintptr(n) * unsafe.Sizeof(*new(T)); huge && size >= hugeSlab {
		adviseHugePages(unsafe.Pointer(unsafe.SliceData(s)), size)
	}
	return s
}

// copyString returns a copy of b as a string, on huge pages like makeSlab when huge is set.
func copyString(b []byte, huge bool) string {
	if !huge || uintptr(len(b)) < hugeSlab {
		return string(b)
	}
	c := makeSlab[byte](uint64(len(b)), true)
	copy(c, b)
	return unsafe.String(unsafe.SliceData(c), len(c)) // c is never written again
}
