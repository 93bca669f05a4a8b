package pkgread

import "errors"

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
