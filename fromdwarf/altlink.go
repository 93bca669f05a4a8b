package fromdwarf

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// This file reads the link from an ELF file's DWARF to its supplementary
// file: DWARF that dwz -m moved out of several files into one they share
// (as distributions build debuginfo packages: SUSE's kernel-default-
// debuginfo holds /usr/lib/debug/.dwz/kernel-default-VERSION.ARCH).

// altOffset is set in the offsets of DIEs read from the supplementary file
// (dwz -m), which have their own .debug_info: DIEError.Offset is the DIE's
// offset in that file's .debug_info with altOffset set.
const altOffset uint64 = 1 << 63

var (
	// ErrNoAltFile means the supplementary file that the DWARF refers to
	// could not be found.
	ErrNoAltFile = errors.New("supplementary DWARF file not found")
	// ErrAltMismatch means a supplementary file was found, or given, but
	// is not the one the link names: its build-id differs.
	ErrAltMismatch = errors.New("supplementary DWARF file does not match")
)

// Section names of the link.
const (
	secAltLink = ".gnu_debugaltlink"
	secSup     = ".debug_sup"
)

// AltLink is the link of an ELF file's DWARF to a supplementary file (dwz
// -m): the GNU section .gnu_debugaltlink, or DWARF 5's .debug_sup (dwz
// -5).
type AltLink struct {
	// Path is the supplementary file's path as the link gives it:
	// absolute, or relative to the directory of the file holding the
	// link.
	Path string
	// ID identifies the supplementary file: its GNU build-id
	// (.gnu_debugaltlink), or the checksum of its .debug_sup. It may be
	// empty, when nothing can be checked.
	ID []byte
	// Section is the section the link was read from.
	Section string
}

// maxLinkSection bounds the size of a link section: a path and an id.
const maxLinkSection = 64 << 10

// ReadAltLink returns the link of the ELF file r to a supplementary DWARF
// file, or nil when its DWARF has none.
func ReadAltLink(r io.ReaderAt) (*AltLink, error) {
	f, err := newELF(r)
	if err != nil {
		return nil, err
	}
	return altLinkOf(f)
}

// altLinkOf reads the link of f, or returns nil.
func altLinkOf(f *elf.File) (*AltLink, error) {
	if s := f.Section(secAltLink); s != nil {
		b, err := smallSection(s)
		if err != nil {
			return nil, err
		}
		// The file name, NUL-terminated, then the build-id, up to the end
		// (elfutils libdwelf/dwelf_dwarf_gnu_debugaltlink.c).
		i := bytes.IndexByte(b, 0)
		if i <= 0 {
			return nil, fmt.Errorf("%w: section %s holds no NUL-terminated file name", ErrMalformed, secAltLink)
		}
		return &AltLink{Path: string(b[:i]), ID: bytes.Clone(b[i+1:]), Section: secAltLink}, nil
	}
	if s := f.Section(secSup); s != nil {
		sup, err := readDebugSup(s, f.ByteOrder)
		if err != nil {
			return nil, err
		}
		if sup.supplementary {
			return nil, nil // the supplementary file itself
		}
		return &AltLink{Path: sup.path, ID: sup.checksum, Section: secSup}, nil
	}
	return nil, nil
}

func smallSection(s *elf.Section) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS || s.Size > maxLinkSection {
		return nil, fmt.Errorf("%w: section %s: %d bytes of type %s", ErrMalformed, s.Name, s.Size, s.Type)
	}
	b, err := elfData(s)
	if err != nil {
		return nil, fmt.Errorf("section %s: %w", s.Name, err)
	}
	return b, nil
}

// debugSup is a .debug_sup section (DWARF 5, section 7.3.6).
type debugSup struct {
	supplementary bool // the section of the supplementary file itself
	path          string
	checksum      []byte
}

func readDebugSup(s *elf.Section, bo binary.ByteOrder) (*debugSup, error) {
	b, err := smallSection(s)
	if err != nil {
		return nil, err
	}
	if bo == nil {
		bo = binary.LittleEndian
	}
	// version (uhalf, 5), is_supplementary (ubyte), sup_filename (NUL-
	// terminated), sup_checksum_len (ULEB128), sup_checksum.
	c := &cursor{b: b, bo: bo}
	version := c.u16()
	sup := &debugSup{supplementary: c.u8() != 0}
	sup.path = string(c.cstr())
	sup.checksum = bytes.Clone(c.bytes(c.uleb()))
	if c.err != nil {
		return nil, fmt.Errorf("%w: section %s: %w", ErrMalformed, secSup, c.err)
	}
	if version != 5 {
		return nil, fmt.Errorf("%w: section %s: version %d", ErrUnsupported, secSup, version)
	}
	if !sup.supplementary && sup.path == "" {
		return nil, fmt.Errorf("%w: section %s names no file", ErrMalformed, secSup)
	}
	return sup, nil
}

// fileID returns what identifies f as a supplementary file for a link
// read from section sec: the checksum of its own .debug_sup for a
// .debug_sup link, its GNU build-id otherwise (and when it has no
// .debug_sup). It returns nil when f has neither.
func fileID(f *elf.File, sec string) ([]byte, error) {
	if sec == secSup {
		if s := f.Section(secSup); s != nil {
			sup, err := readDebugSup(s, f.ByteOrder)
			if err != nil {
				return nil, err
			}
			if sup.supplementary {
				return sup.checksum, nil
			}
		}
	}
	return buildID(f)
}

// buildID returns the GNU build-id of f (the NT_GNU_BUILD_ID note), or nil.
func buildID(f *elf.File) ([]byte, error) {
	for _, s := range f.Sections {
		if s.Type != elf.SHT_NOTE || s.Size > maxLinkSection {
			continue
		}
		b, err := elfData(s)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", s.Name, err)
		}
		// Each note: namesz, descsz, type (4 bytes each), then the name
		// and the descriptor, each padded to 4 bytes.
		for len(b) >= 12 {
			nameSize, descSize, typ := uint64(f.ByteOrder.Uint32(b)), uint64(f.ByteOrder.Uint32(b[4:])), f.ByteOrder.Uint32(b[8:])
			b = b[12:]
			nameEnd := (nameSize + 3) &^ 3
			descEnd := nameEnd + (descSize+3)&^3
			if descEnd > uint64(len(b)) {
				break
			}
			const ntGNUBuildID = 3
			if typ == ntGNUBuildID && nameSize == 4 && string(b[:4]) == "GNU\x00" {
				return bytes.Clone(b[nameEnd : nameEnd+descSize]), nil
			}
			b = b[descEnd:]
		}
	}
	return nil, nil
}

// Match checks that the ELF file r is the supplementary file that l names:
// it returns nil when its id (see AltLink.ID) is l's, or l has none, and
// an error wrapping ErrAltMismatch, giving both ids, when not.
func (l *AltLink) Match(r io.ReaderAt) error {
	f, err := newELF(r)
	if err != nil {
		return err
	}
	return l.match(f)
}

func (l *AltLink) match(f *elf.File) error {
	if len(l.ID) == 0 {
		return nil
	}
	id, err := fileID(f, l.Section)
	if err != nil {
		return err
	}
	if !bytes.Equal(id, l.ID) {
		if id == nil {
			return fmt.Errorf("%w: it has no build-id, the link (%s) wants %x", ErrAltMismatch, l.Section, l.ID)
		}
		return fmt.Errorf("%w: its build-id is %x, the link (%s) wants %x", ErrAltMismatch, id, l.Section, l.ID)
	}
	return nil
}
