package pkgread

import (
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// Entry is one file in a package's payload. Its content can be read from
// the entry until the next call to Package.Next.
type Entry struct {
	// Name is the path inside the package, cleaned and relative: no
	// leading "/" or "./". It is for matching only, never for writing.
	Name string
	// Size is the size of the content in bytes, as the container states
	// it.
	Size int64
	// Mode holds the file type bits (fs.ModeDir, fs.ModeSymlink, ...) and
	// the permission bits.
	Mode fs.FileMode

	r io.Reader
}

// IsRegular reports whether the entry is a regular file.
func (e *Entry) IsRegular() bool { return e.Mode.IsRegular() }

// Reader returns the entry's content. It is valid until the next call to
// Package.Next.
func (e *Entry) Reader() io.Reader { return e.r }

// ReadAll reads the whole content of a regular entry into memory. An
// entry larger than the limit gives an error wrapping ErrTooLarge before
// anything is read; a stream shorter than the stated size wraps ErrFormat.
func (e *Entry) ReadAll(lim Limits) ([]byte, error) {
	if !e.IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", e.Name)
	}
	if e.Size < 0 || e.Size > lim.maxEntry() {
		return nil, fmt.Errorf("%s: %d bytes: %w (%d)", e.Name, e.Size, ErrTooLarge, lim.maxEntry())
	}
	// Read the first 64 MiB, then allocate the rest of the stated size
	// at once: a header that overstates the size of a short stream costs
	// at most 64 MiB, and a large file (a vmlinux) is held once, not in a
	// buffer grown by doubling, which would hold two copies at the end.
	first := min(e.Size, 64<<20)
	buf := make([]byte, first)
	if err := e.readFull(buf, 0); err != nil {
		return nil, err
	}
	if e.Size > first {
		whole := make([]byte, e.Size)
		copy(whole, buf)
		buf = nil
		if err := e.readFull(whole[first:], first); err != nil {
			return nil, err
		}
		buf = whole
	}
	return buf, nil
}

// readFull fills b with the content from offset at on.
func (e *Entry) readFull(b []byte, at int64) error {
	n, err := io.ReadFull(e.r, b)
	switch {
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return fmt.Errorf("%s: %w: content truncated at %d of %d bytes", e.Name, ErrFormat, at+int64(n), e.Size)
	case err != nil:
		return fmt.Errorf("%s: reading content: %w", e.Name, err)
	}
	return nil
}

// cleanName makes an entry name relative and clean, for matching.
func cleanName(name string) string {
	name = strings.TrimLeft(name, "/")
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}
