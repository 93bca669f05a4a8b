package corerel

import (
	"debug/elf"
	"fmt"
	"slices"

	"github.com/btfhub/btfhub/btf"
)

// KconfigSection is the section into which Result.Object writes the values
// of the Kconfig externs. libbpf makes every non-empty PROGBITS section
// named .rodata or .rodata.* a read-only internal map, created with
// BPF_F_RDONLY_PROG and frozen after its value is written (libbpf
// src/libbpf.c: bpf_object__elf_collect, bpf_object__init_global_data_maps,
// bpf_object__populate_internal_map), which is what its own .kconfig map
// is; cilium/ebpf likewise loads .rodata* sections as frozen constant
// maps. The name fits the kernel's 15 characters of map name, and libbpf
// uses it as is (internal_map_name: a name with a second dot takes no
// object-name prefix).
const KconfigSection = ".rodata.kconfig"

// kconfigDatasec is the BTF DATASEC that holds a compiler's Kconfig
// externs (libbpf's KCONFIG_SEC).
const kconfigDatasec = ".kconfig"

// ldImm64 is the opcode of the 64-bit immediate load (BPF_LD | BPF_IMM |
// BPF_DW) through which programs reference global data and externs.
const ldImm64 = 0x18

// writeKconfig turns the resolved Kconfig externs of file (the object with
// its CO-RE fixups applied) into defined read-only data:
//
//   - a new PROGBITS section KconfigSection holds KconfigData, each extern
//     at the offset libbpf would give it in its .kconfig map;
//   - each extern's symbol becomes a defined STT_OBJECT, STB_GLOBAL,
//     STV_HIDDEN symbol of that section at its offset, with its size; the
//     relocations against it stay, and a loader now resolves them as
//     references to global data (libbpf's RELO_DATA, bpf_program__record_reloc);
//   - the immediate of every 64-bit load relocated against an extern is
//     cleared: for an extern, libbpf 1.1 ignores it and loads the extern's
//     offset (bpf_object__relocate_data, RELO_EXTERN_VAR), while for data
//     it adds the symbol's offset to it (RELO_DATA);
//   - in .BTF, the DATASEC .kconfig is renamed KconfigSection, given its
//     size and each variable's offset and size, its variables sorted by
//     offset, and its VARs become global rather than extern, as libbpf's
//     bpf_object__collect_externs rewrites them before handing the BTF to
//     the kernel. libbpf then marks them static, as for any hidden symbol
//     (btf_fixup_datasec);
//   - the relocations of .rel.BTF against the externs, which clang emits
//     to fill the DATASEC's offsets from the symbols' values at link
//     time, are dropped: the offsets are filled, and the variables no
//     longer are where the relocations point.
//
// Section indices, symbol indices and BTF string offsets do not change,
// so the relocations and .BTF.ext stay valid; the new section name and
// DATASEC name are appended to their string tables.
func (r *Result) writeKconfig(file []byte) ([]byte, error) {
	o := r.obj
	img, err := parseELFImage(file, o.ByteOrder)
	if err != nil {
		return nil, err
	}
	if img.sectionByName(KconfigSection) >= 0 {
		return nil, fmt.Errorf("corerel: %w: the object already has a %s section", ErrRelocated, KconfigSection)
	}
	symIdx, strIdx, err := img.symtab()
	if err != nil {
		return nil, err
	}
	newSec := len(img.secs)
	byName := map[string]*Extern{}
	for i := range r.externs {
		byName[r.externs[i].Name] = &r.externs[i]
	}
	// The symbols: libbpf's sym_is_extern finds them as undefined
	// STT_NOTYPE symbols of global or weak binding.
	syms, strtab := img.secs[symIdx].data, img.secs[strIdx].data
	bySym := map[uint32]*Extern{}
	for i := 1; i < len(syms)/elfSymSize; i++ {
		b := syms[i*elfSymSize : (i+1)*elfSymSize]
		s := img.readSym(b)
		bind := elf.ST_BIND(s.info)
		if s.shndx != uint16(elf.SHN_UNDEF) || bind != elf.STB_GLOBAL && bind != elf.STB_WEAK {
			continue
		}
		e := byName[cString(strtab, s.name)]
		if e == nil {
			continue
		}
		s.info = elf.ST_INFO(elf.STB_GLOBAL, elf.STT_OBJECT)
		s.other = s.other&^3 | uint8(elf.STV_HIDDEN)
		s.shndx = uint16(newSec)
		s.value, s.size = uint64(e.Offset), uint64(e.Size)
		img.writeSym(b, s)
		bySym[uint32(i)] = e
	}
	if len(bySym) < len(r.externs) {
		return nil, fmt.Errorf("corerel: %w: %d Kconfig externs but %d undefined symbols for them", ErrBadObject, len(r.externs), len(bySym))
	}
	if err := img.clearExternImms(bySym); err != nil {
		return nil, err
	}
	btfIdx := img.sectionByName(btf.SectionBTF)
	if btfIdx < 0 {
		return nil, objErr("Kconfig externs without a %s section", btf.SectionBTF)
	}
	if img.secs[btfIdx].data, err = r.kconfigBTF(); err != nil {
		return nil, err
	}
	if err := img.dropBTFRelocs(btfIdx, bySym); err != nil {
		return nil, err
	}
	align := uint32(1)
	for _, e := range r.externs {
		align = max(align, e.align)
	}
	_, err = img.addSection(KconfigSection, elfSection{
		typ:       elf.SHT_PROGBITS,
		flags:     uint64(elf.SHF_ALLOC),
		addralign: uint64(align),
		data:      r.KconfigData(),
	})
	if err != nil {
		return nil, err
	}
	return img.bytes(), nil
}

// clearExternImms clears the immediate of each 64-bit load that a
// relocation of a code section ties to one of the symbols of bySym. Any
// other instruction relocated against such a symbol is an error, as it is
// for libbpf ("invalid relo against ...", bpf_program__record_reloc).
func (img *elfImage) clearExternImms(bySym map[uint32]*Extern) error {
	for i := range img.secs {
		rs := &img.secs[i]
		if rs.typ != elf.SHT_REL || rs.info == 0 || int(rs.info) >= len(img.secs) {
			continue
		}
		code := &img.secs[rs.info]
		if code.typ != elf.SHT_PROGBITS || code.flags&uint64(elf.SHF_EXECINSTR) == 0 {
			continue
		}
		if err := checkEntries(img.name(i), rs.data, elfRelSize); err != nil {
			return err
		}
		for off := 0; off < len(rs.data); off += elfRelSize {
			e := bySym[uint32(img.bo.Uint64(rs.data[off+8:])>>32)]
			if e == nil {
				continue
			}
			at := img.bo.Uint64(rs.data[off:])
			if at%InsnSize != 0 || at > uint64(len(code.data)) || uint64(len(code.data))-at < 2*InsnSize || code.data[at] != ldImm64 {
				return fmt.Errorf("corerel: %w: section %s: relocation against Kconfig extern %q at offset %#x is not at a 64-bit immediate load",
					ErrBadObject, img.name(int(rs.info)), e.Name, at)
			}
			img.bo.PutUint32(code.data[at+4:], 0)
		}
	}
	return nil
}

// dropBTFRelocs removes, from the relocation sections of section btfIdx
// (.BTF), the records against the symbols of bySym.
func (img *elfImage) dropBTFRelocs(btfIdx int, bySym map[uint32]*Extern) error {
	for i := range img.secs {
		rs := &img.secs[i]
		if rs.typ != elf.SHT_REL || int(rs.info) != btfIdx {
			continue
		}
		if err := checkEntries(img.name(i), rs.data, elfRelSize); err != nil {
			return err
		}
		kept := rs.data[:0]
		for off := 0; off < len(rs.data); off += elfRelSize {
			rec := rs.data[off : off+elfRelSize]
			if bySym[uint32(img.bo.Uint64(rec[8:])>>32)] == nil {
				kept = append(kept, rec...)
			}
		}
		rs.data = kept
	}
	return nil
}

// kconfigBTF returns the object's .BTF with the DATASEC .kconfig turned
// into the DATASEC of KconfigSection (see writeKconfig). Only words change
// in place and one string is appended, so type ids and string offsets are
// those of the input.
func (r *Result) kconfigBTF() ([]byte, error) {
	s := r.obj.BTF
	ds, err := s.TypeByName(kconfigDatasec, btf.KindDatasec)
	if err != nil {
		return nil, fmt.Errorf("corerel: %s: %w", btf.SectionBTF, err)
	}
	if ds.Vlen() != len(r.externs) {
		return nil, objErr("DATASEC %s has %d variables for %d externs", kconfigDatasec, ds.Vlen(), len(r.externs))
	}
	words, offs := s.RawTypes()
	words = slices.Clone(words)
	record := func(id btf.TypeID) []uint32 {
		i := id - s.FirstID()
		return words[offs[i]:offs[i+1]]
	}
	strs := s.Strings()
	nameOff := s.StringBase() + uint32(len(strs))
	strs += KconfigSection + "\x00"
	sec := record(ds.ID())
	sec[0] = nameOff
	sec[2] = uint32(len(r.KconfigData()))
	// r.externs is in libbpf's order, which is that of increasing
	// offsets: the kernel wants a DATASEC's variables sorted.
	for i, e := range r.externs {
		sec[3+3*i], sec[4+3*i], sec[5+3*i] = uint32(e.varID), e.Offset, e.Size
		v := record(e.varID)
		v[3] = uint32(btf.LinkageGlobal)
	}
	out, err := btf.NewSpecFromRaw(words, strs, nil, s.ByteOrder(), s.HeaderLen())
	if err != nil {
		return nil, fmt.Errorf("corerel: rewritten %s: %w", btf.SectionBTF, err)
	}
	return out.Marshal(s.ByteOrder()), nil
}
