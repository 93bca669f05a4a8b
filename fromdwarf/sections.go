package fromdwarf

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// dwarfSections are the DWARF sections that loadDWARF reads, .debug_info
// first.
var dwarfSections = [...]string{".debug_info", ".debug_abbrev", ".debug_str", ".debug_str_offsets", ".debug_addr", ".debug_line_str"}

// loadDWARF returns the DWARF sections encoding reads: .debug_info and
// what its attributes refer to. Line tables, frames, location and range
// lists are not read. Sections of image (the whole file, when the caller
// has it in memory or mapped) are used in place when they need no
// decompression or relocation; those of relocatable files (modules) are
// copied and relocated.
func loadDWARF(f *elf.File, image []byte) (*dwarfData, error) {
	d := &dwarfData{bo: f.ByteOrder}
	if f.ByteOrder != binary.LittleEndian && f.ByteOrder != binary.BigEndian {
		d.bo = binary.LittleEndian
	}
	dst := [len(dwarfSections)]*[]byte{&d.info, &d.abbrev, &d.str, &d.strOffsets, &d.addr, &d.lineStr}
	for i, name := range dwarfSections {
		s := f.Section(name)
		if s == nil {
			if f.Section(".zdebug"+name[len(".debug"):]) != nil {
				return nil, fmt.Errorf("%w: section %s is compressed the old GNU way (.zdebug); decompress it with objcopy --decompress-debug-sections", ErrUnsupported, name)
			}
			continue
		}
		rels := relocationsOf(f, s)
		b, err := sectionData(f, s, image, rels != nil)
		if err != nil {
			return nil, fmt.Errorf("section %s: %w", name, err)
		}
		if rels != nil {
			if err := applyRelocations(f, rels, b); err != nil {
				return nil, fmt.Errorf("section %s: %w", name, err)
			}
		}
		*dst[i] = b
	}
	if d.info == nil {
		return nil, ErrNoDWARF
	}
	if err := d.parseUnits(); err != nil {
		return nil, err
	}
	return d, nil
}

// relocationsOf returns the relocation section that applies to s, in a
// relocatable file (a module), or nil. Only the sections whose offsets
// point into other sections have one: .debug_info, .debug_str_offsets,
// .debug_addr (the supplementary file made by dwz -m is a relocatable file
// without any).
func relocationsOf(f *elf.File, s *elf.Section) *elf.Section {
	if f.Type != elf.ET_REL {
		return nil
	}
	idx := -1
	for i, t := range f.Sections {
		if t == s {
			idx = i
		}
	}
	var rels *elf.Section
	for _, r := range f.Sections {
		if (r.Type == elf.SHT_RELA || r.Type == elf.SHT_REL) && int(r.Info) == idx {
			rels = r
		}
	}
	return rels
}

// sectionData returns the contents of s: a slice of image when possible,
// otherwise a copy (decompressed if need be). A section to be relocated
// is always a copy.
func sectionData(f *elf.File, s *elf.Section, image []byte, relocated bool) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, fmt.Errorf("section has no data")
	}
	if image != nil && s.Flags&elf.SHF_COMPRESSED == 0 && !relocated {
		end := s.Offset + s.FileSize
		if end < s.Offset || end > uint64(len(image)) {
			return nil, fmt.Errorf("offset %d and size %d are past the end of the file (%d bytes)", s.Offset, s.FileSize, len(image))
		}
		return image[s.Offset:end:end], nil
	}
	return elfData(s)
}

// applyRelocations applies the relocations of section rels to b, the
// contents of the section they apply to, as a linker would for the
// absolute relocations DWARF uses (S + A). Only RELA relocations of x86-64
// and arm64 objects are supported.
func applyRelocations(f *elf.File, rels *elf.Section, b []byte) error {
	if rels.Type != elf.SHT_RELA || f.Class != elf.ELFCLASS64 {
		return fmt.Errorf("%w: relocations of type %s in a %s file", ErrUnsupported, rels.Type, f.Class)
	}
	data, err := elfData(rels)
	if err != nil {
		return fmt.Errorf("%s: %w", rels.Name, err)
	}
	if len(data)%24 != 0 {
		return fmt.Errorf("%s: size %d is not a multiple of 24", rels.Name, len(data))
	}
	syms, err := elfSymbols(f)
	if err != nil {
		return fmt.Errorf("%s: %w", rels.Name, err)
	}
	bo := f.ByteOrder
	for k := 0; k < len(data); k += 24 {
		off := bo.Uint64(data[k:])
		info := bo.Uint64(data[k+8:])
		addend := int64(bo.Uint64(data[k+16:]))
		symNo := info >> 32
		typ := uint32(info)
		if symNo == 0 || symNo > uint64(len(syms)) {
			continue
		}
		sym := &syms[symNo-1]
		if sym.Section == elf.SHN_UNDEF || sym.Section >= elf.SHN_LORESERVE {
			continue
		}
		size := 0
		switch {
		case f.Machine == elf.EM_X86_64 && typ == uint32(elf.R_X86_64_64),
			f.Machine == elf.EM_AARCH64 && typ == uint32(elf.R_AARCH64_ABS64):
			size = 8
		case f.Machine == elf.EM_X86_64 && (typ == uint32(elf.R_X86_64_32) || typ == uint32(elf.R_X86_64_32S)),
			f.Machine == elf.EM_AARCH64 && typ == uint32(elf.R_AARCH64_ABS32):
			size = 4
		case f.Machine == elf.EM_X86_64 || f.Machine == elf.EM_AARCH64:
			continue // not an absolute relocation; DWARF has none
		default:
			return fmt.Errorf("%w: relocations for machine %s", ErrUnsupported, f.Machine)
		}
		if off > uint64(len(b)) || uint64(len(b))-off < uint64(size) {
			return fmt.Errorf("%s: relocation at offset 0x%x is past the end of the section", rels.Name, off)
		}
		v := sym.Value + uint64(addend)
		if size == 8 {
			bo.PutUint64(b[off:], v)
		} else {
			bo.PutUint32(b[off:], uint32(v))
		}
	}
	return nil
}
