package corerel

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// ELF64 layout constants used by elfImage.
const (
	elfHeaderSize  = 64
	elfShdrSize    = 64
	elfSymSize     = 24
	elfRelSize     = 16
	elfMaxSections = 0xff00 // SHN_LORESERVE: no extended numbering
)

// elfImage is a relocatable ELF64 file split into its header and its
// sections, for rewriting a BPF object section by section: section
// indices, names and symbol indices stay what they were, so relocations,
// symbols and .BTF.ext keep referring to the same things. Writing lays the
// sections out again in index order, which lets sections grow and new
// ones be appended.
type elfImage struct {
	bo     binary.ByteOrder
	header []byte // the 64 bytes of the ELF header
	secs   []elfSection
	shstr  int // index of the section-name string table
}

// elfSection is one section header and the section's bytes (nil for
// SHT_NOBITS and for section 0).
type elfSection struct {
	nameOff   uint32
	typ       elf.SectionType
	flags     uint64
	addr      uint64
	size      uint64 // sh_size, set from data when writing PROGBITS-like sections
	link      uint32
	info      uint32
	addralign uint64
	entsize   uint64
	data      []byte
}

// parseELFImage splits an ELF64 relocatable file into sections. The data
// slices are copies: the image may be edited freely.
func parseELFImage(data []byte, bo binary.ByteOrder) (*elfImage, error) {
	if len(data) < elfHeaderSize {
		return nil, objErr("truncated ELF header")
	}
	if n := bo.Uint16(data[0x36:]); n != 0 {
		return nil, objErr("%d program headers in a relocatable object", n)
	}
	shoff := bo.Uint64(data[0x28:])
	shentsize := uint64(bo.Uint16(data[0x3a:]))
	shnum := uint64(bo.Uint16(data[0x3c:]))
	shstrndx := uint64(bo.Uint16(data[0x3e:]))
	if shentsize != elfShdrSize {
		return nil, objErr("section header entry size %d, want %d", shentsize, elfShdrSize)
	}
	if shnum == 0 || shstrndx >= shnum {
		return nil, objErr("%d sections with names in section %d: extended section numbering is not supported", shnum, shstrndx)
	}
	if shoff > uint64(len(data)) || shnum*elfShdrSize > uint64(len(data))-shoff {
		return nil, objErr("section header table at %#x runs past the end of the file (%d bytes)", shoff, len(data))
	}
	img := &elfImage{bo: bo, header: append([]byte(nil), data[:elfHeaderSize]...), shstr: int(shstrndx)}
	for i := range shnum {
		h := data[shoff+i*elfShdrSize:]
		s := elfSection{
			nameOff:   bo.Uint32(h[0:]),
			typ:       elf.SectionType(bo.Uint32(h[4:])),
			flags:     bo.Uint64(h[8:]),
			addr:      bo.Uint64(h[16:]),
			size:      bo.Uint64(h[32:]),
			link:      bo.Uint32(h[40:]),
			info:      bo.Uint32(h[44:]),
			addralign: bo.Uint64(h[48:]),
			entsize:   bo.Uint64(h[56:]),
		}
		if s.addralign > 1<<12 || s.addralign&(s.addralign-1) != 0 {
			return nil, objErr("section %d: alignment %d", i, s.addralign)
		}
		off := bo.Uint64(h[24:])
		if i > 0 && s.typ != elf.SHT_NOBITS && s.typ != elf.SHT_NULL {
			if off > uint64(len(data)) || s.size > uint64(len(data))-off {
				return nil, objErr("section %d: %d bytes at offset %#x run past the end of the file (%d bytes)", i, s.size, off, len(data))
			}
			s.data = append([]byte{}, data[off:off+s.size]...)
		}
		img.secs = append(img.secs, s)
	}
	return img, nil
}

// name returns a section's name from the section-name string table.
func (img *elfImage) name(i int) string {
	return cString(img.secs[img.shstr].data, img.secs[i].nameOff)
}

// sectionByName returns the index of the first section of that name, or
// -1.
func (img *elfImage) sectionByName(name string) int {
	for i := 1; i < len(img.secs); i++ {
		if img.name(i) == name {
			return i
		}
	}
	return -1
}

// addSection appends a section named name and returns its index. The name
// is appended to the section-name string table, so that every existing
// offset into it (section and, when the table is shared, symbol names)
// stays valid.
func (img *elfImage) addSection(name string, s elfSection) (int, error) {
	if len(img.secs) >= elfMaxSections {
		return 0, objErr("too many sections to add %s", name)
	}
	strtab := &img.secs[img.shstr]
	s.nameOff = uint32(len(strtab.data))
	strtab.data = append(append(strtab.data, name...), 0)
	img.secs = append(img.secs, s)
	return len(img.secs) - 1, nil
}

// bytes lays the image out: the ELF header, every section's bytes in
// index order at its alignment, then the section header table.
func (img *elfImage) bytes() []byte {
	bo := img.bo
	size := uint64(elfHeaderSize)
	for _, s := range img.secs {
		size += uint64(len(s.data)) + s.addralign
	}
	out := make([]byte, elfHeaderSize, size+uint64(len(img.secs))*elfShdrSize+8)
	copy(out, img.header)
	offs := make([]uint64, len(img.secs))
	for i, s := range img.secs {
		if i == 0 {
			continue
		}
		if a := max(s.addralign, 1); uint64(len(out))%a != 0 {
			out = append(out, make([]byte, a-uint64(len(out))%a)...)
		}
		offs[i] = uint64(len(out))
		out = append(out, s.data...)
	}
	if pad := len(out) % 8; pad != 0 {
		out = append(out, make([]byte, 8-pad)...)
	}
	shoff := uint64(len(out))
	for i, s := range img.secs {
		h := make([]byte, elfShdrSize)
		size := uint64(len(s.data))
		if s.typ == elf.SHT_NOBITS || i == 0 {
			size = s.size
		}
		bo.PutUint32(h[0:], s.nameOff)
		bo.PutUint32(h[4:], uint32(s.typ))
		bo.PutUint64(h[8:], s.flags)
		bo.PutUint64(h[16:], s.addr)
		bo.PutUint64(h[24:], offs[i])
		bo.PutUint64(h[32:], size)
		bo.PutUint32(h[40:], s.link)
		bo.PutUint32(h[44:], s.info)
		bo.PutUint64(h[48:], s.addralign)
		bo.PutUint64(h[56:], s.entsize)
		out = append(out, h...)
	}
	bo.PutUint64(out[0x28:], shoff)
	bo.PutUint16(out[0x3c:], uint16(len(img.secs)))
	return out
}

// elfSym is a symbol table entry (Elf64_Sym) as stored in an image's
// .symtab data.
type elfSym struct {
	name  uint32
	info  uint8
	other uint8
	shndx uint16
	value uint64
	size  uint64
}

func (img *elfImage) readSym(b []byte) elfSym {
	return elfSym{name: img.bo.Uint32(b[0:]), info: b[4], other: b[5], shndx: img.bo.Uint16(b[6:]),
		value: img.bo.Uint64(b[8:]), size: img.bo.Uint64(b[16:])}
}

func (img *elfImage) writeSym(b []byte, s elfSym) {
	img.bo.PutUint32(b[0:], s.name)
	b[4], b[5] = s.info, s.other
	img.bo.PutUint16(b[6:], s.shndx)
	img.bo.PutUint64(b[8:], s.value)
	img.bo.PutUint64(b[16:], s.size)
}

// symtab returns the index of the symbol table and of its string table.
func (img *elfImage) symtab() (sym, str int, err error) {
	for i, s := range img.secs {
		if s.typ != elf.SHT_SYMTAB {
			continue
		}
		if s.entsize != elfSymSize || len(s.data)%elfSymSize != 0 {
			return 0, 0, objErr("symbol table: entry size %d, size %d", s.entsize, len(s.data))
		}
		if int(s.link) >= len(img.secs) || img.secs[s.link].typ != elf.SHT_STRTAB {
			return 0, 0, objErr("symbol table: string table %d is not one", s.link)
		}
		return i, int(s.link), nil
	}
	return 0, 0, objErr("no symbol table")
}

// cString returns the NUL-terminated string at off in a string table, ""
// when off is out of range.
func cString(tab []byte, off uint32) string {
	if uint64(off) >= uint64(len(tab)) {
		return ""
	}
	b := tab[off:]
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// checkEntries reports an error unless a section's data is a whole
// number of entries of entsize bytes.
func checkEntries(name string, data []byte, entsize int) error {
	if len(data)%entsize != 0 {
		return fmt.Errorf("corerel: %w: section %s: size %d is not a multiple of %d", ErrBadObject, name, len(data), entsize)
	}
	return nil
}
