package fromdwarf

import (
	"errors"
	"fmt"
)

// ErrNoDWARF means the ELF file has no .debug_info section: it was built
// without debug information, or stripped.
var ErrNoDWARF = errors.New("no DWARF debug information")

// ErrMalformed means the DWARF is corrupt or truncated: a unit or DIE
// that cannot be decoded.
var ErrMalformed = errors.New("malformed DWARF")

// ErrUnsupported means the DWARF uses something the encoder does not
// follow, such as sections compressed the old GNU way (.zdebug).
var ErrUnsupported = errors.New("unsupported DWARF")

// DIEError locates a problem in the DWARF input: the compilation unit (by
// name and offset) and the offset of the DIE in .debug_info. It is the
// type of the warnings passed to Options.Warn, and of errors about one DIE.
type DIEError struct {
	CU       string // name of the compilation unit (DW_AT_name)
	CUOffset uint64 // offset of the unit's DIE in .debug_info
	Offset   uint64 // offset of the DIE in .debug_info (of the supplementary file when bit 63 is set)
	Msg      string
	Err      error // wrapped sentinel, or nil
}

func (e *DIEError) Error() string {
	s := fmt.Sprintf("CU %q (0x%x): DIE %s: %s", e.CU, e.CUOffset, dieOffset(e.Offset), e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DIEError) Unwrap() error { return e.Err }
