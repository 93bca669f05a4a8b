package pkgread

// DefaultMaxEntry is the default bound on the size of one file read out of
// a package into memory: 4 GiB, well above the largest debug vmlinux
// (about 900 MB uncompressed).
const DefaultMaxEntry = 4 << 30

// Limits bounds what a reader buffers.
type Limits struct {
	// MaxEntry is the largest file, in bytes, that is read into memory.
	// Zero means DefaultMaxEntry.
	MaxEntry int64
}

func (l Limits) maxEntry() int64 {
	if l.MaxEntry <= 0 {
		return DefaultMaxEntry
	}
	return l.MaxEntry
}
