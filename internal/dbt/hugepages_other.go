//go:build !linux

package dbt

import "unsafe"

// adviseHugePages does nothing off Linux: other systems have no per-range advice for huge
// pages that datatui uses (see hugepages_linux.go).
func adviseHugePages(unsafe.Pointer, uintptr) {}
