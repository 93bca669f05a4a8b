package pkgread

import (
	"bytes"
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
	// Grow as data arrives rather than trusting the stated size for one
	// allocation: a corrupt header must not cost gigabytes.
	var buf bytes.Buffer
	buf.Grow(int(min(e.Size, 64<<20)))
	n, err := io.Copy(&buf, io.LimitReader(e.r, e.Size))
	if err != nil {
		return nil, fmt.Errorf("%s: reading content: %w", e.Name, err)
	}
	if n != e.Size {
		return nil, fmt.Errorf("%s: %w: content truncated at %d of %d bytes", e.Name, ErrFormat, n, e.Size)
	}
	return buf.Bytes(), nil
}

// cleanName makes an entry name relative and clean, for matching.
func cleanName(name string) string {
	name = strings.TrimLeft(name, "/")
	name = path.Clean("/" + name)
	return strings.TrimPrefix(name, "/")
}
