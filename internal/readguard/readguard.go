// Package readguard turns a panic of a standard-library reader of
// untrusted input into an error.
//
// debug/elf has panicked on malformed files again and again: index out of
// range, or makeslice with a corrupt size, in elf.NewFile and the
// Section.Data it calls on the section name table (golang/go#10996,
// #33121, #47445, #70584, the last in 2024). Section.Data and File.Symbols
// read section and symbol tables the same way. The project reads ELF files
// from packages and archives it does not control, so its calls into
// debug/elf go through Run: a corrupt file is an error, never a crash. The
// project's own readers check their bounds and return errors; Run is not
// for them.
package readguard

import (
	"errors"
	"fmt"
)

// ErrPanic is wrapped by the error Run returns when the reader panicked.
var ErrPanic = errors.New("standard-library reader panicked on malformed input")

// Run calls f, which should do nothing but call a standard-library reader
// (debug/elf), and returns its error. A panic in f becomes an error
// wrapping ErrPanic that says what the panic was.
func Run(f func() error) (err error) {
	defer func() {
		// debug/elf panics on some malformed ELF files (index out of
		// range or makeslice with corrupt header, section or symbol
		// table sizes and offsets): see the package comment.
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, p)
		}
	}()
	return f()
}
