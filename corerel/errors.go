package corerel

import (
	"errors"
	"fmt"
)

// Sentinel errors, for callers that branch with errors.Is. Messages name
// the section, program and instruction at fault.
var (
	// ErrBadObject means the ELF object is malformed or is not a BPF
	// relocatable object.
	ErrBadObject = errors.New("malformed BPF object")
	// ErrBadRelocation means a CO-RE relocation record cannot be applied:
	// it points at no instruction, its access string does not fit its
	// type, or the instruction does not have the form it should. libbpf
	// refuses to load such objects.
	ErrBadRelocation = errors.New("bad CO-RE relocation")
	// ErrAmbiguous means several target candidates match a relocation
	// but disagree on its result (libbpf's "ambiguity" errors).
	ErrAmbiguous = errors.New("ambiguous CO-RE relocation")
	// ErrKconfig means a Kconfig extern cannot be resolved.
	ErrKconfig = errors.New("unresolved Kconfig extern")
	// ErrRelocated means the object was already relocated with its
	// Kconfig externs written (it has a KconfigSection section): its CO-RE
	// decisions and Kconfig values are those of the first target, and
	// relocating it again cannot change them. Relocate the original
	// object instead.
	ErrRelocated = errors.New("object already relocated")
)

func objErr(format string, args ...any) error {
	return fmt.Errorf("corerel: %w: %s", ErrBadObject, fmt.Sprintf(format, args...))
}

// RelocationError describes a CO-RE relocation that cannot be resolved or
// applied. It names the program, the relocation's index in its section's
// records (libbpf's "relo #N") and the instruction.
type RelocationError struct {
	Program string // function symbol, "" when no program holds the instruction
	Section string // ELF code section
	Index   int    // index among the section's CO-RE records
	Insn    int    // instruction index from the program's first instruction (from the section's start when Program is "")
	Msg     string
	Err     error // ErrBadRelocation, ErrAmbiguous or a btf sentinel
}

func (e *RelocationError) Error() string {
	if e.Program == "" {
		return fmt.Sprintf("corerel: sec '%s': relo #%d: %s", e.Section, e.Index, e.Msg)
	}
	return fmt.Sprintf("corerel: prog '%s' (sec '%s'): relo #%d: insn #%d: %s", e.Program, e.Section, e.Index, e.Insn, e.Msg)
}

// Unwrap returns the sentinel error.
func (e *RelocationError) Unwrap() error { return e.Err }
