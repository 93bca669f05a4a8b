package fromdwarf

// The calls of this package into debug/elf, each behind readguard.Run:
// debug/elf panics on some malformed ELF files (see package readguard),
// and corrupt input must be an error, never a crash.

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"

	"github.com/btfhub/btfhub/internal/readguard"
)

// guardELF runs f, a call into debug/elf, and returns its error; a panic
// in it becomes an error wrapping ErrMalformed.
func guardELF(f func() error) error {
	err := readguard.Run(f)
	if errors.Is(err, readguard.ErrPanic) {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return err
}

// newELF is elf.NewFile.
func newELF(r io.ReaderAt) (*elf.File, error) {
	var f *elf.File
	err := guardELF(func() error {
		var err error
		f, err = elf.NewFile(r)
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// elfData is s.Data.
func elfData(s *elf.Section) ([]byte, error) {
	var b []byte
	err := guardELF(func() error {
		var err error
		b, err = s.Data()
		return err
	})
	return b, err
}

// elfSymbols is f.Symbols.
func elfSymbols(f *elf.File) ([]elf.Symbol, error) {
	var syms []elf.Symbol
	err := guardELF(func() error {
		var err error
		syms, err = f.Symbols()
		return err
	})
	return syms, err
}
