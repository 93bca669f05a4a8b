package btf

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// MarshalELF encodes the spec as Marshal does and wraps it in a minimal
// ELF64 relocatable file in byte order bo (the spec's own order when bo is
// nil). The file has four sections: the null section, .BTF, an empty
// .symtab and .strtab, which also holds the section names. Its e_machine is
// EM_NONE: the file describes types, not code for a machine.
//
// The result is what readers of vmlinux BTF accept: libbpf's btf__parse and
// so bpftool (src/btf.c, btf_parse_elf: a section named .BTF found through
// e_shstrndx), and cilium/ebpf's btf.LoadSpec, which also reads the symbol
// table (btf/btf.go, loadSpecFromELF and symbolOffsets: debug/elf's Symbols
// fails on a file without SHT_SYMTAB) and wants the BTF in the ELF's byte
// order. LoadSpec of the result gives back the spec, and Marshal of that
// gives the same bytes as Marshal of s.
func (s *Spec) MarshalELF(bo binary.ByteOrder) ([]byte, error) {
	if bo == nil {
		bo = s.order
	}
	if bo != binary.LittleEndian && bo != binary.BigEndian {
		return nil, fmt.Errorf("btf: MarshalELF: unsupported byte order %v", bo)
	}
	return buildELF(s.MarshalSize(), func(b []byte) { s.marshalTo(b, bo) }, elf.ELFCLASS64, bo), nil
}

// elfLayout gives the sizes of an ELF class's structures.
type elfLayout struct {
	ehdr, shdr, sym, align uint64
}

var elfLayouts = map[elf.Class]elfLayout{
	elf.ELFCLASS32: {ehdr: 52, shdr: 40, sym: 16, align: 4},
	elf.ELFCLASS64: {ehdr: 64, shdr: 64, sym: 24, align: 8},
}

// wrapELF builds an ELF relocatable file of the given class and byte order
// with raw as the contents of its .BTF section.
func wrapELF(raw []byte, class elf.Class, bo binary.ByteOrder) []byte {
	return buildELF(len(raw), func(b []byte) { copy(b, raw) }, class, bo)
}

// buildELF builds an ELF relocatable file of the given class and byte
// order whose .BTF section, n bytes long, fill writes. The layout is:
// header, .BTF, .symtab (the null symbol only), .strtab, section headers.
func buildELF(n int, fill func([]byte), class elf.Class, bo binary.ByteOrder) []byte {
	l := elfLayouts[class]
	const strtab = "\x00.BTF\x00.symtab\x00.strtab\x00"
	const (
		nameBTF    = 1
		nameSymtab = 6
		nameStrtab = 14
	)
	alignUp := func(n, a uint64) uint64 { return (n + a - 1) &^ (a - 1) }

	btfOff := l.ehdr // 4-byte aligned for both classes
	symOff := alignUp(btfOff+uint64(n), l.align)
	strOff := symOff + l.sym
	shOff := alignUp(strOff+uint64(len(strtab)), l.align)
	const shnum, shstrndx = 4, 3
	buf := make([]byte, shOff+shnum*l.shdr)

	// File header.
	copy(buf, elf.ELFMAG)
	buf[elf.EI_CLASS] = byte(class)
	if bo == binary.LittleEndian {
		buf[elf.EI_DATA] = byte(elf.ELFDATA2LSB)
	} else {
		buf[elf.EI_DATA] = byte(elf.ELFDATA2MSB)
	}
	buf[elf.EI_VERSION] = byte(elf.EV_CURRENT)
	buf[elf.EI_OSABI] = byte(elf.ELFOSABI_NONE)
	bo.PutUint16(buf[16:], uint16(elf.ET_REL))
	bo.PutUint16(buf[18:], uint16(elf.EM_NONE))
	bo.PutUint32(buf[20:], uint32(elf.EV_CURRENT))
	if class == elf.ELFCLASS64 {
		// e_entry and e_phoff stay 0.
		bo.PutUint64(buf[40:], shOff)
		bo.PutUint32(buf[48:], 0) // e_flags
		bo.PutUint16(buf[52:], uint16(l.ehdr))
		bo.PutUint16(buf[54:], 0) // e_phentsize
		bo.PutUint16(buf[56:], 0) // e_phnum
		bo.PutUint16(buf[58:], uint16(l.shdr))
		bo.PutUint16(buf[60:], shnum)
		bo.PutUint16(buf[62:], shstrndx)
	} else {
		bo.PutUint32(buf[32:], uint32(shOff))
		bo.PutUint32(buf[36:], 0) // e_flags
		bo.PutUint16(buf[40:], uint16(l.ehdr))
		bo.PutUint16(buf[42:], 0)
		bo.PutUint16(buf[44:], 0)
		bo.PutUint16(buf[46:], uint16(l.shdr))
		bo.PutUint16(buf[48:], shnum)
		bo.PutUint16(buf[50:], shstrndx)
	}

	fill(buf[btfOff : btfOff+uint64(n)])
	// The symbol table's only entry is the null symbol, all zeros.
	copy(buf[strOff:], strtab)

	type shdr struct {
		name, typ          uint32
		off, size          uint64
		link, info         uint32
		addralign, entsize uint64
	}
	sections := [shnum]shdr{
		{}, // SHN_UNDEF
		{name: nameBTF, typ: uint32(elf.SHT_PROGBITS), off: btfOff, size: uint64(n), addralign: 4},
		// sh_info is one past the last local symbol: the null symbol.
		{name: nameSymtab, typ: uint32(elf.SHT_SYMTAB), off: symOff, size: l.sym, link: shstrndx, info: 1, addralign: l.align, entsize: l.sym},
		{name: nameStrtab, typ: uint32(elf.SHT_STRTAB), off: strOff, size: uint64(len(strtab)), addralign: 1},
	}
	for i, s := range sections {
		h := buf[shOff+uint64(i)*l.shdr:]
		bo.PutUint32(h[0:], s.name)
		bo.PutUint32(h[4:], s.typ)
		if class == elf.ELFCLASS64 {
			// sh_flags and sh_addr stay 0.
			bo.PutUint64(h[24:], s.off)
			bo.PutUint64(h[32:], s.size)
			bo.PutUint32(h[40:], s.link)
			bo.PutUint32(h[44:], s.info)
			bo.PutUint64(h[48:], s.addralign)
			bo.PutUint64(h[56:], s.entsize)
		} else {
			bo.PutUint32(h[16:], uint32(s.off))
			bo.PutUint32(h[20:], uint32(s.size))
			bo.PutUint32(h[24:], s.link)
			bo.PutUint32(h[28:], s.info)
			bo.PutUint32(h[32:], uint32(s.addralign))
			bo.PutUint32(h[36:], uint32(s.entsize))
		}
	}
	return buf
}
