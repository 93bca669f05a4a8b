package btf

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every decoding error wraps exactly one of them, so that
// callers can branch with errors.Is while the message names the type id and
// byte offset at fault.
var (
	// ErrNotBTF means the input does not start with the BTF magic 0xeB9F
	// (in either byte order) and is not an ELF file.
	ErrNotBTF = errors.New("not BTF data")
	// ErrNoBTFSection means an ELF file has no .BTF section.
	ErrNoBTFSection = errors.New("no .BTF section")
	// ErrTruncated means a header, section or type record runs past the end
	// of its data.
	ErrTruncated = errors.New("truncated")
	// ErrUnsupported means a header field carries a version, flag or layout
	// this package does not accept.
	ErrUnsupported = errors.New("unsupported")
	// ErrBadString means a string offset lies outside the string section,
	// or the string section itself is malformed.
	ErrBadString = errors.New("bad string offset")
	// ErrUnknownKind means a type record carries a kind outside 1..19.
	ErrUnknownKind = errors.New("unknown kind")
	// ErrMissingType means a type refers to a type id that does not exist.
	ErrMissingType = errors.New("reference to a missing type")
	// ErrTypeLoop means a chain of references returns to its start without
	// passing through a struct or union.
	ErrTypeLoop = errors.New("type loop")
	// ErrInvalid means a type breaks one of the kernel checker's rules (see
	// Spec.Validate).
	ErrInvalid = errors.New("invalid type")
	// ErrNotFound is returned by lookups for a type id or name that the
	// spec does not hold.
	ErrNotFound = errors.New("not found")
	// ErrMultipleMatches is returned by lookups by name when several types
	// match: a caller that can choose among them uses TypeIDsByName.
	ErrMultipleMatches = errors.New("multiple matches")
)

// FormatError describes malformed BTF. It names the byte offset from the start
// of the BTF data (the header's first byte) and, where a type is at fault,
// the type id.
type FormatError struct {
	// Offset is the byte offset of the fault from the start of the BTF data,
	// or -1 when no single offset applies.
	Offset int64
	// ID is the id of the type at fault, or 0 when the fault is not in a type.
	ID TypeID
	// Msg describes the fault.
	Msg string
	// Err is one of the sentinel errors of this package.
	Err error
}

func (e *FormatError) Error() string {
	switch {
	case e.ID != 0 && e.Offset >= 0:
		return fmt.Sprintf("btf: type [%d] at offset %#x: %s", e.ID, e.Offset, e.Msg)
	case e.ID != 0:
		return fmt.Sprintf("btf: type [%d]: %s", e.ID, e.Msg)
	case e.Offset >= 0:
		return fmt.Sprintf("btf: offset %#x: %s", e.Offset, e.Msg)
	}
	return "btf: " + e.Msg
}

// Unwrap returns the sentinel error.
func (e *FormatError) Unwrap() error { return e.Err }

func formatErr(sentinel error, off int64, id TypeID, format string, args ...any) error {
	return &FormatError{Offset: off, ID: id, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}
