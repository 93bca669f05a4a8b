package fromdwarf

import (
	"debug/elf"
	"encoding/binary"
	"slices"
)

// unreadRanges returns the byte ranges of the ELF file f, whose bytes are
// image, as [start, end) offsets, that encoding it never reads: the
// contents of its code and data sections, and of the DWARF sections other
// than dwarfSections (line tables, frames, location and range lists), with
// their relocations when f is linked (a vmlinux built with --emit-relocs
// keeps 400 MB of them, which encoding does not apply). The ELF, program
// and section headers, the symbol and string tables, notes, the
// supplementary-file links and every kept section's bytes are never in a
// range, even where malformed sections overlap them. The ranges are
// sorted and disjoint.
func unreadRanges(f *elf.File, image []byte) [][2]uint64 {
	read := map[string]bool{secAltLink: true, secSup: true}
	for _, n := range dwarfSections {
		read[n] = true
	}
	readIdx := map[int]bool{}
	for i, s := range f.Sections {
		if read[s.Name] {
			readIdx[i] = true
		}
	}
	var drop, keep [][2]uint64
	for _, s := range f.Sections {
		if s.Type == elf.SHT_NOBITS || s.FileSize == 0 {
			continue
		}
		end := s.Offset + s.FileSize
		if end < s.Offset {
			continue // wraps: elf.NewFile's checks are the caller's errors
		}
		r := [2]uint64{s.Offset, end}
		unread := false
		switch s.Type {
		case elf.SHT_PROGBITS:
			unread = !read[s.Name]
		case elf.SHT_REL, elf.SHT_RELA:
			// A relocatable file's (a module's) relocations of the DWARF
			// sections are applied; nothing else's are.
			unread = f.Type != elf.ET_REL || !readIdx[int(s.Info)]
		}
		if unread {
			drop = append(drop, r)
		} else {
			keep = append(keep, r)
		}
	}
	// The ELF header, the program headers and the section headers.
	keep = append(keep, [2]uint64{0, 4096})
	keep = append(keep, headerTables(image, len(f.Sections))...)
	return subtractRanges(drop, keep)
}

// headerTables returns the ranges of the program header and section header
// tables of the ELF file image, with nsec sections, as its ELF header gives
// them (debug/elf does not keep their offsets).
func headerTables(image []byte, nsec int) [][2]uint64 {
	if len(image) < 52 || image[elf.EI_CLASS] == 0 {
		return nil
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if elf.Data(image[elf.EI_DATA]) == elf.ELFDATA2MSB {
		bo = binary.BigEndian
	}
	var phoff, shoff uint64
	var phentsize, phnum, shentsize, shnum uint16
	if elf.Class(image[elf.EI_CLASS]) == elf.ELFCLASS64 {
		if len(image) < 64 {
			return nil
		}
		phoff, shoff = bo.Uint64(image[32:]), bo.Uint64(image[40:])
		phentsize, phnum, shentsize, shnum = bo.Uint16(image[54:]), bo.Uint16(image[56:]), bo.Uint16(image[58:]), bo.Uint16(image[60:])
	} else {
		phoff, shoff = uint64(bo.Uint32(image[28:])), uint64(bo.Uint32(image[32:]))
		phentsize, phnum, shentsize, shnum = bo.Uint16(image[42:]), bo.Uint16(image[44:]), bo.Uint16(image[46:]), bo.Uint16(image[48:])
	}
	n := uint64(shnum)
	if n == 0 {
		n = uint64(nsec) // extended numbering: section 0 holds the count
	}
	var out [][2]uint64
	for _, t := range [][2]uint64{{phoff, uint64(phentsize) * uint64(phnum)}, {shoff, uint64(shentsize) * n}} {
		if end := t[0] + t[1]; t[1] > 0 && end > t[0] {
			out = append(out, [2]uint64{t[0], end})
		}
	}
	return out
}

// subtractRanges returns the parts of the ranges in a that no range of b
// covers, sorted and disjoint.
func subtractRanges(a, b [][2]uint64) [][2]uint64 {
	a, b = mergeRanges(a), mergeRanges(b)
	var out [][2]uint64
	j := 0
	for _, r := range a {
		start := r[0]
		for j < len(b) && b[j][1] <= start {
			j++
		}
		for k := j; k < len(b) && b[k][0] < r[1]; k++ {
			if b[k][0] > start {
				out = append(out, [2]uint64{start, b[k][0]})
			}
			start = max(start, b[k][1])
		}
		if start < r[1] {
			out = append(out, [2]uint64{start, r[1]})
		}
	}
	return out
}

// mergeRanges sorts the ranges and merges those that overlap or touch.
func mergeRanges(rs [][2]uint64) [][2]uint64 {
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(x, y [2]uint64) int {
		switch {
		case x[0] < y[0]:
			return -1
		case x[0] > y[0]:
			return 1
		}
		return 0
	})
	var out [][2]uint64
	for _, r := range rs {
		if n := len(out); n > 0 && r[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], r[1])
			continue
		}
		out = append(out, r)
	}
	return out
}
