package pkgread

import (
	"errors"
	"fmt"
	"io"
)

var (
	// ErrFormat is wrapped by errors about a malformed or truncated
	// package, archive member, tar or cpio stream.
	ErrFormat = errors.New("malformed package")
	// ErrUnknownFormat is returned when the input is none of the formats
	// Detect knows.
	ErrUnknownFormat = errors.New("unknown package format")
	// ErrTooLarge is wrapped when an entry is larger than the limit.
	ErrTooLarge = errors.New("entry larger than the limit")
	// ErrNoVmlinux is returned when a package holds no vmlinux.
	ErrNoVmlinux = errors.New("no vmlinux in package")
)

// cut returns the error for a stream of a format that ended, or failed,
// while what was being read: a format error when the input simply ended, and the
// cause itself otherwise, so that an I/O error (a download that failed
// for good) is not taken for a corrupt package.
func cut(format, what string, err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s: %w: truncated %s", format, ErrFormat, what)
	}
	return fmt.Errorf("%s: %s: %w", format, what, err)
}
