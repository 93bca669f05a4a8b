package btf

import (
	"errors"
	"fmt"
	"io"
)

// ErrOutputLimit means that writing a type out in full would pass one of
// the documented limits of WriteC (CMaxExpansion, CMaxPaddingBytes): the
// spec is valid BTF, but its C would be unreasonably large.
var ErrOutputLimit = errors.New("output limit exceeded")

// CMaxExpansion bounds the types that WriteC writes for one top-level
// definition (a struct, union, enum or typedef and everything written
// inline in it: anonymous structs, unions and enums, pointers, arrays,
// qualifiers and function prototypes) to CMaxExpansion plus the number of
// types in the spec, so that a chain of types written once, however long,
// never passes it. Anonymous types are written out
// in full at every use, so BTF where each level of anonymous nesting is
// used twice doubles the output per level; libbpf has no such bound. The
// largest definition of the kernels in testdata/kernels writes 1,975 types
// (TestCExpansionKernels); the limit is 530 times that.
const CMaxExpansion = 1 << 20

// CMaxPaddingBytes bounds the padding WriteC writes, as unnamed bitfields,
// in one gap between members or at the end of a struct. libbpf computes
// padding in 32-bit ints, so bpftool writes no padding at all where a struct
// is 256 MiB or larger and hundreds of megabytes of "long: 64;" below
// that; WriteC fails instead, past this limit. The largest gap in the
// kernels of testdata/kernels is 4,092 bytes (TestCExpansionKernels).
const CMaxPaddingBytes = 1 << 20

// COptions tunes WriteC. The zero value, like a nil *COptions, writes the
// whole spec as a vmlinux.h, as `bpftool btf dump file FILE format c` does.
type COptions struct {
	// Types lists the types to write, each with the types it needs, in
	// this order (as bpftool's `root_id` does). Nil means every type of
	// the spec and of its bases, in id order.
	Types []TypeID
	// NoGuard leaves out the include guard and the preserve_access_index
	// pragma around the declarations.
	NoGuard bool
}

// WriteC writes the types of s as a C header in the style of bpftool's
// `btf dump ... format c` (bpftool src/btf.c, dump_btf_c, over libbpf's
// btf_dump__dump_type in src/btf_dump.c): an include guard, the
// preserve_access_index pragma unless BPF_NO_PRESERVE_ACCESS_INDEX is
// defined, then each named struct, union, enum and typedef, ordered so that
// a type is defined before any type that embeds it, with forward
// declarations where a pointer closes a cycle. Anonymous structs, unions
// and enums are written inline where they are used. Padding between
// members and at the end of a struct is written as unnamed bitfields, and
// structs whose members are not naturally aligned get
// __attribute__((packed)).
//
// For the same spec the output is byte for byte what bpftool 7.1 (libbpf
// 1.1) writes, with one documented exception: where the C that libbpf
// writes would not have the size that BTF records, because the type's
// alignment is larger than its members' (a union declared __aligned(N),
// say), WriteC adds __attribute__((aligned(N))) so that the header keeps
// the kernel's layout. Such a header compiles with clang for the bpf
// target.
//
// Duplicate names are made unique as libbpf does: the second struct,
// union or enum named foo becomes foo___2, and so on, in the order the
// types are written; typedefs and enumerators share a second namespace.
//
// WriteC fails on a spec that C cannot express: a struct that contains
// itself, a cycle through anonymous types, or a member whose type is a
// function, variable or section.
func WriteC(w io.Writer, s *Spec, opts *COptions) error {
	_, err := writeC(w, s, opts)
	return err
}

// writeC is WriteC, returning the dumper for tests that need the C names
// it gave to types.
func writeC(w io.Writer, s *Spec, opts *COptions) (*cDumper, error) {
	if opts == nil {
		opts = &COptions{}
	}
	for _, id := range opts.Types {
		if id >= s.NextID() {
			return nil, fmt.Errorf("btf: writing C: type id %d out of range (last id is %d)", id, s.NextID()-1)
		}
	}
	// A loop through reference types only (see DecodeOptions) would send
	// the ordering walk round for ever; C cannot declare one anyway.
	if err := s.checkLoopsWithBase(); err != nil {
		return nil, fmt.Errorf("btf: writing C: %w", err)
	}
	d := newCDumper(w, s)
	if !opts.NoGuard {
		d.str("#ifndef __VMLINUX_H__\n" +
			"#define __VMLINUX_H__\n" +
			"\n" +
			"#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
			"#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n" +
			"#endif\n\n")
	}
	if opts.Types != nil {
		for _, id := range opts.Types {
			if err := d.dumpType(id); err != nil {
				return nil, err
			}
		}
	} else {
		for id := TypeID(1); id < s.NextID(); id++ {
			if err := d.dumpType(id); err != nil {
				return nil, err
			}
		}
	}
	if !opts.NoGuard {
		d.str("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n" +
			"#pragma clang attribute pop\n" +
			"#endif\n" +
			"\n" +
			"#endif /* __VMLINUX_H__ */\n")
	}
	return d, d.flush()
}

// cOrderState and cEmitState track a type through the two passes of
// libbpf's btf_dump: topological ordering, then emission.
const (
	cNotOrdered uint8 = iota
	cOrdering
	cOrdered
)

const (
	cNotEmitted uint8 = iota
	cEmitting
	cEmitted
)

// cTypeState is the per-type state of a cDumper, struct
// btf_dump_type_aux_state in libbpf's btf_dump.c.
type cTypeState struct {
	order        uint8
	emit         uint8
	fwdEmitted   bool
	nameResolved bool
	referenced   bool
	align        uint8 // cached alignment + 1; 0 when not yet computed
	aligning     bool  // alignment being computed, to stop on cycles
	// emitAll marks a pointer, array, qualifier, prototype or anonymous
	// struct whose emitType walk need not be repeated; emitCont is 1 + the
	// container for which it need not be (see emitType).
	emitAll  bool
	emitCont TypeID
	// skip is 1 + the first type below a qualifier or type tag that is
	// neither, 0 when not yet known (see skipQuals).
	skip TypeID
}

// cDumper holds the state of one WriteC call.
type cDumper struct {
	s      *Spec
	w      io.Writer
	buf    []byte
	err    error
	ptrSz  int
	states []cTypeState
	names  []string // resolved unique names, by id; "" when the original is kept

	typeNames  map[string]int // struct, union and enum names seen
	identNames map[string]int // typedef and enumerator names seen

	queue  []TypeID      // emit queue of the current dumpType
	ostack []cOrderFrame // orderType's stack
	decls  []TypeID      // shared stack of declaration chains
	chain  []TypeID      // shared stack of emitRefChain's chains

	topID    TypeID // the top-level definition being written
	expanded int    // types written for it, bounded by maxExpanded
	maxExp   int    // CMaxExpansion + the number of types
	// mostExpanded and mostPadding are the largest expansion and padding
	// gap (in bits) written, for the tests that measure real kernels.
	mostExpanded int
	mostPadding  int64
	contHits     int // times emitType skipped a struct for being its container
}

func newCDumper(w io.Writer, s *Spec) *cDumper {
	n := int(s.NextID())
	d := &cDumper{
		s:          s,
		w:          w,
		buf:        make([]byte, 0, 64<<10),
		ptrSz:      int(s.PointerSize()),
		states:     make([]cTypeState, n),
		names:      make([]string, n),
		typeNames:  make(map[string]int),
		identNames: make(map[string]int),
	}
	d.maxExp = CMaxExpansion + n
	d.states[0].order = cOrdered
	d.states[0].emit = cEmitted
	d.markReferenced()
	return d
}

// markReferenced marks every type that another type refers to, as libbpf's
// btf_dump_mark_referenced does: an anonymous enum that nothing refers to
// is a top-level declaration of constants, while a referenced one is
// written inline.
func (d *cDumper) markReferenced() {
	for id := TypeID(1); id < d.s.NextID(); id++ {
		t := d.s.typ(id)
		switch t.Kind() {
		case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict,
			KindFunc, KindVar, KindDeclTag, KindTypeTag:
			d.states[t.Ref()].referenced = true
		case KindArray:
			a := t.Array()
			d.states[a.Index].referenced = true
			d.states[a.Type].referenced = true
		case KindStruct, KindUnion:
			for i := range t.Vlen() {
				d.states[t.Member(i).Type].referenced = true
			}
		case KindFuncProto:
			for i := range t.Vlen() {
				d.states[t.Param(i).Type].referenced = true
			}
		case KindDatasec:
			for i := range t.Vlen() {
				d.states[t.VarSecinfo(i).Type].referenced = true
			}
		}
	}
}

// dumpType writes type id and every type it needs that was not written
// yet: libbpf's btf_dump__dump_type.
func (d *cDumper) dumpType(id TypeID) error {
	d.queue = d.queue[:0]
	if _, err := d.orderType(id, false); err != nil {
		return err
	}
	for _, q := range d.queue {
		d.topID, d.expanded = q, 0
		if err := d.emitType(q, 0); err != nil {
			return err
		}
		d.mostExpanded = max(d.mostExpanded, d.expanded)
	}
	return d.err
}

// str appends s to the output.
func (d *cDumper) str(s string) {
	d.buf = append(d.buf, s...)
	if len(d.buf) >= 60<<10 {
		d.flushBuf()
	}
}

func (d *cDumper) flushBuf() {
	if d.err == nil && len(d.buf) > 0 {
		_, d.err = d.w.Write(d.buf)
	}
	d.buf = d.buf[:0]
}

func (d *cDumper) flush() error {
	d.flushBuf()
	if d.err != nil {
		return fmt.Errorf("btf: writing C: %w", d.err)
	}
	return nil
}

// indent returns the indentation of nesting level lvl: one tab per level,
// at most 13, as libbpf's pfx().
func cIndent(lvl int) string {
	const tabs = "\t\t\t\t\t\t\t\t\t\t\t\t\t"
	return tabs[:min(max(lvl, 0), len(tabs))]
}
