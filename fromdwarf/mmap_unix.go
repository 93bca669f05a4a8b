//go:build unix

package fromdwarf

import (
	"os"
	"syscall"
)

// mapFile maps a regular file read-only. It returns nil when the file
// cannot be mapped; the caller then reads it.
func mapFile(f *os.File) ([]byte, func()) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() <= 0 || fi.Size() != int64(int(fi.Size())) {
		return nil, nil
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(fi.Size()), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil
	}
	return b, func() { syscall.Munmap(b) }
}

// dropPages tells the kernel that the whole pages of b, a slice of a
// read-only file mapping, will not be read again soon, so that they leave
// the process's resident set (the page cache keeps them). Reading them
// again later is still valid.
func dropPages(b []byte) {
	const page = 4096
	if len(b) < page {
		return
	}
	// Only whole pages inside b: round the start up and the end down.
	addr := uintptr(unsafePointer(b))
	skip := int((page - addr%page) % page)
	if skip >= len(b) {
		return
	}
	b = b[skip:]
	b = b[:len(b)/page*page]
	if len(b) > 0 {
		syscall.Madvise(b, syscall.MADV_DONTNEED)
	}
}
