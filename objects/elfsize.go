package objects

import (
	"debug/elf"
	"encoding/binary"
	"fmt"
)

// emBPF is e_machine for BPF, EM_BPF in elf.h.
const emBPF = uint16(elf.EM_BPF)

// elfHeader holds the fields of an ELF file header that locating an
// embedded object needs.
type elfHeader struct {
	class     elf.Class
	order     binary.ByteOrder
	typ       elf.Type
	machine   uint16
	phoff     uint64
	shoff     uint64
	phentsize uint64
	phnum     uint64
	shentsize uint64
	shnum     uint64
}

// parseHeader reads the ELF file header at the start of data. It checks the
// identification bytes and the sizes of the header tables, nothing more.
func parseHeader(data []byte) (elfHeader, error) {
	var h elfHeader
	if len(data) < elf.EI_NIDENT || string(data[:4]) != elf.ELFMAG {
		return h, fmt.Errorf("no ELF magic")
	}
	h.class = elf.Class(data[elf.EI_CLASS])
	switch elf.Data(data[elf.EI_DATA]) {
	case elf.ELFDATA2LSB:
		h.order = binary.LittleEndian
	case elf.ELFDATA2MSB:
		h.order = binary.BigEndian
	default:
		return h, fmt.Errorf("unknown ELF data encoding %d", data[elf.EI_DATA])
	}
	if data[elf.EI_VERSION] != byte(elf.EV_CURRENT) {
		return h, fmt.Errorf("unknown ELF version %d", data[elf.EI_VERSION])
	}
	bo := h.order
	var ehsize uint64
	switch h.class {
	case elf.ELFCLASS64:
		if len(data) < 64 {
			return h, fmt.Errorf("truncated ELF64 header: %d bytes", len(data))
		}
		h.typ = elf.Type(bo.Uint16(data[16:]))
		h.machine = bo.Uint16(data[18:])
		h.phoff = bo.Uint64(data[32:])
		h.shoff = bo.Uint64(data[40:])
		ehsize = uint64(bo.Uint16(data[52:]))
		h.phentsize = uint64(bo.Uint16(data[54:]))
		h.phnum = uint64(bo.Uint16(data[56:]))
		h.shentsize = uint64(bo.Uint16(data[58:]))
		h.shnum = uint64(bo.Uint16(data[60:]))
		if ehsize < 64 {
			return h, fmt.Errorf("ELF64 header size %d too small", ehsize)
		}
		if (h.shnum > 0 || h.shoff != 0) && h.shentsize < 64 {
			return h, fmt.Errorf("ELF64 section header size %d too small", h.shentsize)
		}
	case elf.ELFCLASS32:
		if len(data) < 52 {
			return h, fmt.Errorf("truncated ELF32 header: %d bytes", len(data))
		}
		h.typ = elf.Type(bo.Uint16(data[16:]))
		h.machine = bo.Uint16(data[18:])
		h.phoff = uint64(bo.Uint32(data[28:]))
		h.shoff = uint64(bo.Uint32(data[32:]))
		ehsize = uint64(bo.Uint16(data[40:]))
		h.phentsize = uint64(bo.Uint16(data[42:]))
		h.phnum = uint64(bo.Uint16(data[44:]))
		h.shentsize = uint64(bo.Uint16(data[46:]))
		h.shnum = uint64(bo.Uint16(data[48:]))
		if ehsize < 52 {
			return h, fmt.Errorf("ELF32 header size %d too small", ehsize)
		}
		if (h.shnum > 0 || h.shoff != 0) && h.shentsize < 40 {
			return h, fmt.Errorf("ELF32 section header size %d too small", h.shentsize)
		}
	default:
		return h, fmt.Errorf("unknown ELF class %d", data[elf.EI_CLASS])
	}
	return h, nil
}

// span returns off+n, or an error when that passes limit.
func span(what string, off, n, limit uint64) (uint64, error) {
	end := off + n
	if end < off || end > limit {
		return 0, fmt.Errorf("%s at %#x+%#x runs past the end of the data (%#x bytes)", what, off, n, limit)
	}
	return end, nil
}

// objectSize returns the size of the ELF file that starts at data[0]: the
// largest end of the file header, the section and program header tables and
// every section that occupies file space. It fails when any of them runs
// past the end of data.
func objectSize(h elfHeader, data []byte) (uint64, error) {
	limit := uint64(len(data))
	bo := h.order
	size := uint64(52)
	if h.class == elf.ELFCLASS64 {
		size = 64
	}
	if h.phnum > 0 {
		end, err := span("program header table", h.phoff, h.phnum*h.phentsize, limit)
		if err != nil {
			return 0, err
		}
		size = max(size, end)
	}
	if h.shoff == 0 {
		return size, nil
	}
	shnum := h.shnum
	if shnum == 0 {
		// Extended numbering: section 0's sh_size holds the count
		// (elf(5), "e_shnum").
		if _, err := span("section header 0", h.shoff, h.shentsize, limit); err != nil {
			return 0, err
		}
		if h.class == elf.ELFCLASS64 {
			shnum = bo.Uint64(data[h.shoff+32:])
		} else {
			shnum = uint64(bo.Uint32(data[h.shoff+20:]))
		}
	}
	// Section header 0 is there even when it is the only one.
	shnum = max(shnum, 1)
	if shnum > limit {
		return 0, fmt.Errorf("%d section headers in %d bytes", shnum, limit)
	}
	end, err := span("section header table", h.shoff, shnum*h.shentsize, limit)
	if err != nil {
		return 0, err
	}
	size = max(size, end)
	for i := range shnum {
		sh := data[h.shoff+i*h.shentsize:]
		var typ elf.SectionType
		var off, n uint64
		if h.class == elf.ELFCLASS64 {
			typ = elf.SectionType(bo.Uint32(sh[4:]))
			off, n = bo.Uint64(sh[24:]), bo.Uint64(sh[32:])
		} else {
			typ = elf.SectionType(bo.Uint32(sh[4:]))
			off, n = uint64(bo.Uint32(sh[16:])), uint64(bo.Uint32(sh[20:]))
		}
		if typ == elf.SHT_NULL || typ == elf.SHT_NOBITS {
			continue
		}
		end, err := span(fmt.Sprintf("section %d", i), off, n, limit)
		if err != nil {
			return 0, err
		}
		size = max(size, end)
	}
	return size, nil
}
