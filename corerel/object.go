package corerel

import (
	"bytes"
	"debug/elf"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/internal/safefs"
)

// Object is a BPF ELF object (a relocatable ELF file for machine EM_BPF),
// as libbpf's bpf_object__open sees it.
type Object struct {
	// Programs holds one program per STT_FUNC symbol of each code section,
	// subprograms in .text included, sorted by section index and offset
	// as libbpf sorts them.
	Programs []*Program
	// Sections holds the code sections (SHT_PROGBITS with SHF_EXECINSTR
	// and a non-zero size), in section index order.
	Sections []*Section
	// Maps lists the variables of the .maps section's BTF DATASEC.
	Maps []Map
	// BTF is the object's .BTF, nil when it has none.
	BTF *btf.Spec
	// Ext is the object's .BTF.ext decoded against BTF, nil when it has
	// none.
	Ext *btf.Ext
	// ByteOrder is the byte order of the ELF file.
	ByteOrder binary.ByteOrder

	data    []byte       // the file
	extSec  *elf.Section // .BTF.ext, nil when absent
	extIdx  int          // its section index
	shoff   uint64       // section header table offset
	shesize uint64       // section header entry size
	textIdx int          // index of .text, 0 when absent

	kconfigWritten bool // the object has a KconfigSection section
}

// Section is a code section of an object.
type Section struct {
	// Name is the ELF section's name, such as "kprobe/do_unlinkat".
	Name string
	// Index is the ELF section index.
	Index int
	// Insns holds the section's instructions.
	Insns []Insn
	// Relocs holds the ELF relocation records (.rel<Name>) for the
	// section, in file order.
	Relocs []Reloc

	offset uint64 // file offset of the section's data
}

// Reloc is an ELF relocation record (Elf64_Rel) against a code section:
// map references, global data, calls to subprograms and kfuncs.
type Reloc struct {
	// Insn is the index of the relocated instruction in its section.
	Insn int
	// Symbol is the name of the referenced symbol ("" for a section
	// symbol); SymbolSection is the symbol's section index.
	Symbol        string
	SymbolSection int
	// Type is the relocation type (R_BPF_64_64, R_BPF_64_32, ...).
	Type uint32
}

// Program is a BPF program or subprogram: a function symbol in a code
// section. It is what libbpf calls a struct bpf_program, and Name is the
// name libbpf's log gives it ("prog 'NAME': ...").
type Program struct {
	// Name is the function symbol's name.
	Name string
	// Section is the name of the ELF section holding the code.
	Section string
	// SectionIndex is that section's ELF index.
	SectionIndex int
	// Offset is the index of the program's first instruction in its
	// section.
	Offset int
	// Insns holds the program's instructions; it aliases the section's.
	Insns []Insn
	// Subprogram reports whether the program is a subprogram in .text,
	// called by other programs rather than loaded on its own (libbpf's
	// prog_is_subprog).
	Subprogram bool
	// Autoload is false for programs in a section whose name starts with
	// "?", which libbpf does not load (nor relocate) unless told to.
	Autoload bool
}

// Map is a map declared in the .maps section.
type Map struct {
	// Name is the map's variable name.
	Name string
	// TypeID is the id in the object's BTF of the map's definition, the
	// anonymous struct with the __uint/__type members.
	TypeID btf.TypeID
}

// maxObjectSize bounds the files OpenFile reads.
const maxObjectSize = 1 << 30

// OpenFile reads a BPF object from a file. Errors name the file.
func OpenFile(path string) (*Object, error) {
	data, err := safefs.ReadInput(path, maxObjectSize)
	if errors.Is(err, safefs.ErrTooLarge) {
		return nil, fmt.Errorf("%w: %w", ErrBadObject, err)
	}
	if err != nil {
		return nil, err
	}
	o, err := Open(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return o, nil
}

// Open reads a BPF object from its bytes. The object keeps data, which
// must not be modified afterwards.
//
// Programs are found as libbpf's bpf_object__add_programs finds them
// (src/libbpf.c): every STT_FUNC symbol of every non-empty executable
// PROGBITS section is a program; a static function outside .text is an
// error. .BTF and .BTF.ext are decoded when present; a malformed .BTF.ext
// is an error.
func Open(data []byte) (*Object, error) {
	f, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		return nil, objErr("%v", err)
	}
	if f.Machine != elf.EM_BPF || f.Type != elf.ET_REL {
		return nil, objErr("not a BPF relocatable object (machine %v, type %v)", f.Machine, f.Type)
	}
	if f.Class != elf.ELFCLASS64 {
		return nil, objErr("ELF class %v: BPF objects are 64-bit", f.Class)
	}
	o := &Object{ByteOrder: f.ByteOrder, data: data}
	if err := o.readHeader(); err != nil {
		return nil, err
	}
	syms, err := f.Symbols()
	if err != nil {
		return nil, objErr("symbol table: %v", err)
	}
	byIndex := map[int]*Section{}
	for i, s := range f.Sections {
		if s.Name == KconfigSection {
			o.kconfigWritten = true
		}
		if s.Type != elf.SHT_PROGBITS || s.Flags&elf.SHF_EXECINSTR == 0 || s.Size == 0 {
			continue
		}
		body, err := o.sectionData(s)
		if err != nil {
			return nil, err
		}
		if len(body)%InsnSize != 0 {
			return nil, objErr("section %s: size %d is not a multiple of %d", s.Name, len(body), InsnSize)
		}
		sec := &Section{Name: s.Name, Index: i, offset: s.Offset, Insns: make([]Insn, len(body)/InsnSize)}
		for j := range sec.Insns {
			sec.Insns[j] = decodeInsn(body[j*InsnSize:], o.ByteOrder)
		}
		if s.Name == ".text" {
			o.textIdx = i
		}
		o.Sections = append(o.Sections, sec)
		byIndex[i] = sec
	}
	for _, sym := range syms {
		sec := byIndex[int(sym.Section)]
		if sec == nil || elf.ST_TYPE(sym.Info) != elf.STT_FUNC {
			continue
		}
		if sym.Value%InsnSize != 0 || sym.Size%InsnSize != 0 {
			return nil, objErr("section %s: program %q at offset %d with size %d is not made of whole instructions", sec.Name, sym.Name, sym.Value, sym.Size)
		}
		start, n := sym.Value/InsnSize, sym.Size/InsnSize
		if start > uint64(len(sec.Insns)) || n > uint64(len(sec.Insns))-start {
			return nil, objErr("section %s: program %q at offset %d crosses the section's end", sec.Name, sym.Name, sym.Value)
		}
		if sec.Index != o.textIdx && elf.ST_BIND(sym.Info) == elf.STB_LOCAL {
			return nil, objErr("section %s: program %q is static, which libbpf does not support", sec.Name, sym.Name)
		}
		o.Programs = append(o.Programs, &Program{
			Name:         sym.Name,
			Section:      strings.TrimPrefix(sec.Name, "?"),
			SectionIndex: sec.Index,
			Offset:       int(start),
			Insns:        sec.Insns[start : start+n : start+n],
			Autoload:     !strings.HasPrefix(sec.Name, "?"),
		})
	}
	sort.SliceStable(o.Programs, func(i, j int) bool {
		a, b := o.Programs[i], o.Programs[j]
		if a.SectionIndex != b.SectionIndex {
			return a.SectionIndex < b.SectionIndex
		}
		return a.Offset < b.Offset
	})
	for _, p := range o.Programs {
		p.Subprogram = p.SectionIndex == o.textIdx && o.textIdx != 0 && len(o.Programs) > 1
	}
	if err := o.readRelocs(f, syms, byIndex); err != nil {
		return nil, err
	}
	if err := o.readBTF(f); err != nil {
		return nil, err
	}
	return o, nil
}

// readHeader records where the section header table is, for rewriting.
func (o *Object) readHeader() error {
	if len(o.data) < 64 {
		return objErr("truncated ELF header")
	}
	o.shoff = o.ByteOrder.Uint64(o.data[0x28:])
	o.shesize = uint64(o.ByteOrder.Uint16(o.data[0x3a:]))
	if o.shesize < 64 {
		return objErr("section header entry size %d, want 64", o.shesize)
	}
	return nil
}

// sectionData returns a section's bytes, aliasing the file.
func (o *Object) sectionData(s *elf.Section) ([]byte, error) {
	if s.Type == elf.SHT_NOBITS {
		return nil, nil
	}
	if s.Offset > uint64(len(o.data)) || s.Size > uint64(len(o.data))-s.Offset {
		return nil, objErr("section %s: %d bytes at offset %#x run past the end of the file (%d bytes)", s.Name, s.Size, s.Offset, len(o.data))
	}
	return o.data[s.Offset : s.Offset+s.Size : s.Offset+s.Size], nil
}

// readRelocs reads the SHT_REL sections of the code sections.
func (o *Object) readRelocs(f *elf.File, syms []elf.Symbol, byIndex map[int]*Section) error {
	for _, s := range f.Sections {
		if s.Type != elf.SHT_REL {
			continue
		}
		sec := byIndex[int(s.Info)]
		if sec == nil {
			continue
		}
		body, err := o.sectionData(s)
		if err != nil {
			return err
		}
		if len(body)%16 != 0 {
			return objErr("section %s: size %d is not a multiple of 16", s.Name, len(body))
		}
		for off := 0; off < len(body); off += 16 {
			roff := o.ByteOrder.Uint64(body[off:])
			info := o.ByteOrder.Uint64(body[off+8:])
			if roff%InsnSize != 0 || roff/InsnSize >= uint64(len(sec.Insns)) {
				return objErr("section %s: relocation #%d at offset %#x is not at an instruction of %s", s.Name, off/16, roff, sec.Name)
			}
			r := Reloc{Insn: int(roff / InsnSize), Type: uint32(info)}
			symIdx := info >> 32
			if symIdx == 0 || symIdx > uint64(len(syms)) {
				return objErr("section %s: relocation #%d refers to symbol %d of %d", s.Name, off/16, symIdx, len(syms))
			}
			sym := syms[symIdx-1]
			r.Symbol, r.SymbolSection = sym.Name, int(sym.Section)
			sec.Relocs = append(sec.Relocs, r)
		}
	}
	return nil
}

// readBTF decodes .BTF, .BTF.ext and the maps of .maps.
func (o *Object) readBTF(f *elf.File) error {
	s := f.Section(btf.SectionBTF)
	if s == nil {
		if f.Section(btf.SectionBTFExt) != nil {
			return objErr("a %s section without %s", btf.SectionBTFExt, btf.SectionBTF)
		}
		return nil
	}
	data, err := o.sectionData(s)
	if err != nil {
		return err
	}
	if o.BTF, err = btf.Decode(data, nil); err != nil {
		return fmt.Errorf("corerel: section %s: %w", btf.SectionBTF, err)
	}
	if e := f.Section(btf.SectionBTFExt); e != nil {
		data, err := o.sectionData(e)
		if err != nil {
			return err
		}
		if o.Ext, err = btf.DecodeExt(data, o.BTF); err != nil {
			return fmt.Errorf("corerel: section %s: %w", btf.SectionBTFExt, err)
		}
		o.extSec = e
		for i, fs := range f.Sections {
			if fs == e {
				o.extIdx = i
			}
		}
	}
	ds, err := o.BTF.TypeByName(".maps", btf.KindDatasec)
	if errors.Is(err, btf.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("corerel: %w", err)
	}
	for i := range ds.Vlen() {
		v, err := o.BTF.Type(ds.VarSecinfo(i).Type)
		if err != nil || v.Kind() != btf.KindVar {
			return objErr("DATASEC .maps variable #%d is not a VAR", i)
		}
		o.Maps = append(o.Maps, Map{Name: v.Name(), TypeID: v.Ref()})
	}
	return nil
}

// Section returns the code section with the given name, or nil.
func (o *Object) Section(name string) *Section {
	for _, s := range o.Sections {
		if s.Name == name || strings.TrimPrefix(s.Name, "?") == name {
			return s
		}
	}
	return nil
}

// ProgramAt returns the program of section sec that holds instruction
// insn (an index from the section's start), as libbpf's
// find_prog_by_sec_insn does, or nil when no function symbol covers it.
func (o *Object) ProgramAt(sec int, insn int) *Program {
	i := sort.Search(len(o.Programs), func(i int) bool {
		p := o.Programs[i]
		return p.SectionIndex > sec || p.SectionIndex == sec && p.Offset > insn
	})
	if i == 0 {
		return nil
	}
	p := o.Programs[i-1]
	if p.SectionIndex == sec && insn >= p.Offset && insn < p.Offset+len(p.Insns) {
		return p
	}
	return nil
}

// Program returns the program with the given function name, or nil.
func (o *Object) Program(name string) *Program {
	for _, p := range o.Programs {
		if p.Name == name {
			return p
		}
	}
	return nil
}
