package archive

import "errors"

var (
	// ErrUnsafe is wrapped by errors about a tarball entry that could
	// escape its destination or is not a plain file: an absolute path,
	// "..", a link, a device.
	ErrUnsafe = errors.New("unsafe archive entry")
	// ErrTooLarge is wrapped when an entry or a file is larger than the
	// limit.
	ErrTooLarge = errors.New("larger than the limit")
	// ErrCorrupt is wrapped by errors about a damaged tarball or pack:
	// truncated or corrupt compression, bad structure, checksum
	// mismatch.
	ErrCorrupt = errors.New("corrupt archive file")
	// ErrNoEncoder is returned for a vmlinux without .BTF when no DWARF
	// encoder was given (see AddOptions.Encoder).
	ErrNoEncoder = errors.New("no .BTF section; encoding from DWARF is not available yet")
	// ErrConflict is returned when an entry already exists with different
	// BTF.
	ErrConflict = errors.New("entry exists with different BTF")
	// ErrNotFound is returned when no entry matches a query.
	ErrNotFound = errors.New("no such entry")
	// ErrUnknownInput is returned for an input that is none of the kinds
	// Add accepts.
	ErrUnknownInput = errors.New("input is not a package, an ELF file or raw BTF")
)
