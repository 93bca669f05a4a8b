package pkgread

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
)

// ErrNotELF is wrapped by errors about a vmlinux entry whose first bytes
// are not the ELF magic.
var ErrNotELF = errors.New("not an ELF file")

// CheckELF checks the entry as ReadAll does (a regular file within the
// limit), then reads its first four bytes and checks that they are the
// ELF magic, so that a vmlinux that is not one (gigabytes of zeros, say)
// is refused before it is buffered. The bytes read stay in the entry, to
// be read again by ReadAll or ReadBuffer.
func (e *Entry) CheckELF(lim Limits) error {
	if !e.IsRegular() {
		return fmt.Errorf("%s: not a regular file", e.Name)
	}
	if e.Size < 0 || e.Size > lim.maxEntry() {
		return fmt.Errorf("%s: %d bytes: %w (%d)", e.Name, e.Size, ErrTooLarge, lim.maxEntry())
	}
	var head [len(elf.ELFMAG)]byte
	n, err := io.ReadFull(e.r, head[:])
	e.r = io.MultiReader(bytes.NewReader(head[:n]), e.r)
	short := errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	if err != nil && (!short || errors.Is(err, ErrFormat)) {
		return fmt.Errorf("%s: reading content: %w", e.Name, err)
	}
	if string(head[:n]) != elf.ELFMAG {
		return fmt.Errorf("%s: %w: starts with %q", e.Name, ErrNotELF, head[:n])
	}
	return nil
}
