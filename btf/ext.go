package btf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrNoExtSection means an ELF file has no .BTF.ext section.
var ErrNoExtSection = errors.New("no .BTF.ext section")

// Sizes of the .BTF.ext structures of libbpf's src/libbpf_internal.h.
const (
	extHeaderLen     = 32 // struct btf_ext_header with core_relo_off/len
	extHeaderMinLen  = 24 // up to line_info_len: what btf_ext__new requires
	extSecHeaderLen  = 8  // struct btf_ext_info_sec: sec_name_off, num_info
	funcInfoSize     = 8  // struct bpf_func_info_min
	lineInfoSize     = 16 // struct bpf_line_info_min
	coreReloSize     = 16 // struct bpf_core_relo
	insnSize         = 8  // struct bpf_insn
	extKinds         = 3
	extKindFunc      = 0
	extKindLine      = 1
	extKindCORE      = 2
	extHeaderOffsets = 8 // offset of func_info_off in the header
)

var extKindNames = [extKinds]string{"func_info", "line_info", "core_relo"}
var extMinRecSize = [extKinds]uint32{funcInfoSize, lineInfoSize, coreReloSize}

// Ext is a decoded .BTF.ext section: per ELF code section, the func info,
// line info and CO-RE relocation records that clang emits for a BPF object.
// Their type ids and string offsets refer to the object's .BTF.
//
// Instruction offsets (InsnOff) are kept as stored: byte offsets from the
// start of the ELF section that holds the code, a multiple of 8 (the size of
// one BPF instruction). The Insn methods give them as instruction indexes.
// libbpf turns the byte offsets into instruction indexes when it loads an
// object (src/libbpf.c, bpf_object__relocate_core and the
// adjust_prog_btf_ext_info functions).
type Ext struct {
	// FuncInfos holds the bpf_func_info records of each code section.
	FuncInfos []ExtSection[FuncInfo]
	// LineInfos holds the bpf_line_info records of each code section.
	LineInfos []ExtSection[LineInfo]
	// CORERelos holds the bpf_core_relo records of each code section.
	CORERelos []ExtSection[CORERelo]

	order   binary.ByteOrder
	hdr     []byte           // header bytes past the 32 this package knows, kept as is
	hdrLen  uint32           // header length as decoded, 0 for a new Ext
	recSize [extKinds]uint32 // record sizes as decoded, 0 for a new Ext
}

// ExtSection holds the records of one kind for one ELF code section
// (struct btf_ext_info_sec).
type ExtSection[R any] struct {
	// NameOff is the section name's offset in the .BTF string table.
	NameOff uint32
	// Name is the ELF section's name, such as "kprobe/do_sys_open" or
	// ".text"; "" when decoded without a spec.
	Name string
	// Records holds the section's records in order.
	Records []R
	// extra holds, record after record, the bytes of each record past the
	// fields this package knows, when the record size is larger. They are
	// written back as they were.
	extra []byte
}

// FuncInfo is struct bpf_func_info: the BTF FUNC describing the function
// that starts at an instruction.
type FuncInfo struct {
	// InsnOff is the byte offset of the function's first instruction in
	// its ELF section.
	InsnOff uint32
	// TypeID is the id of the function's FUNC type.
	TypeID TypeID
}

// Insn returns the index of the function's first instruction in its ELF
// section: InsnOff divided by the size of an instruction.
func (f FuncInfo) Insn() int { return int(f.InsnOff / insnSize) }

// LineInfo is struct bpf_line_info: the source line of an instruction.
type LineInfo struct {
	// InsnOff is the byte offset of the instruction in its ELF section.
	InsnOff uint32
	// FileNameOff is the source file name's offset in the string table.
	FileNameOff uint32
	// LineOff is the source line text's offset in the string table.
	LineOff uint32
	// LineCol holds the line number in its upper 22 bits and the column
	// in its lower 10 (BPF_LINE_INFO_LINE_NUM, BPF_LINE_INFO_LINE_COL).
	LineCol uint32
}

// Insn returns the index of the instruction in its ELF section.
func (l LineInfo) Insn() int { return int(l.InsnOff / insnSize) }

// Line returns the line number.
func (l LineInfo) Line() uint32 { return l.LineCol >> 10 }

// Col returns the column number.
func (l LineInfo) Col() uint32 { return l.LineCol & 0x3ff }

// CORERelo is struct bpf_core_relo: one CO-RE relocation of an instruction.
type CORERelo struct {
	// InsnOff is the byte offset of the instruction to relocate in its ELF
	// section.
	InsnOff uint32
	// TypeID is the id of the local type the relocation is about (the
	// root type of the access string).
	TypeID TypeID
	// AccessStrOff is the access string's offset in the string table: a
	// colon-separated list of member and array indexes, such as "0:1:2".
	AccessStrOff uint32
	// Kind is what the relocation computes.
	Kind COREKind
}

// Insn returns the index of the instruction in its ELF section.
func (c CORERelo) Insn() int { return int(c.InsnOff / insnSize) }

// ByteOrder returns the byte order the Ext was decoded from, or nil for an
// Ext built by hand.
func (e *Ext) ByteOrder() binary.ByteOrder { return e.order }

// LoadExt reads the .BTF.ext section of the ELF file in r and decodes it
// against spec, the BTF of the same file (see DecodeExt). It returns an error
// wrapping ErrNoExtSection when the file has none.
func LoadExt(r io.ReaderAt, spec *Spec) (*Ext, error) {
	ef, err := openELF(r)
	if err != nil {
		return nil, err
	}
	data, err := ef.section(SectionBTFExt)
	if errors.Is(err, errNoSection) {
		return nil, fmt.Errorf("btf: %w", ErrNoExtSection)
	}
	if err != nil {
		return nil, err
	}
	return DecodeExt(data, spec)
}
