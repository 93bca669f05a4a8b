//go:build unix

package pkgread

import (
	"syscall"
	"unsafe"
)

// mapAnon maps n bytes of private anonymous memory, readable and
// writable, that read as zeros until written.
func mapAnon(n int) ([]byte, error) {
	return syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
}

// unmapAnon unmaps memory that mapAnon returned.
func unmapAnon(b []byte) error { return syscall.Munmap(b) }

// discardPages gives back the whole pages inside b, a slice of an
// anonymous private mapping (madvise(MADV_DONTNEED): on Linux they read
// as zeros afterwards).
func discardPages(b []byte) {
	page := syscall.Getpagesize()
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((uintptr(page) - addr%uintptr(page)) % uintptr(page))
	if skip >= len(b) {
		return
	}
	b = b[skip:]
	if b = b[:len(b)/page*page]; len(b) > 0 {
		// Advice that fails leaves the pages as they are: nothing is lost.
		_ = syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}
