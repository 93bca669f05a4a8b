package btf

import "strings"

// This file holds the first pass of Validate: each record on its own, as
// btf_check_meta and the kinds' check_meta functions of kernel/bpf/btf.c
// check it.

// Resolution states of a type (enum visit_state).
const (
	notVisited = iota
	visited
	resolved
)

// Resolution modes (enum resolve_mode): which kinds end a walk.
const (
	resolveTBD = iota
	resolvePtr
	resolveStructOrArray
)

// checker holds the state of one spec's check: the resolution state of
// every own type and what each resolved to, as struct btf and struct
// btf_verifier_env hold it in the kernel.
type checker struct {
	s    *Spec
	base *checker

	state        []uint8  // by id - firstID
	resolvedID   []uint32 // by id - firstID
	resolvedSize []uint32 // by id - firstID

	stack []vertex
	mode  int

	object bool // ValidateObject: the rules of a .bpf.o before fixups
}

// vertex is an entry of the resolution stack (struct resolve_vertex).
type vertex struct {
	id   TypeID
	next int // next member or variable to resolve
}

func newChecker(s *Spec, base *checker) *checker {
	n := s.NumTypes()
	return &checker{
		s: s, base: base,
		state:        make([]uint8, n),
		resolvedID:   make([]uint32, n),
		resolvedSize: make([]uint32, n),
		stack:        make([]vertex, 0, kernelResolveDepth),
	}
}

// rec returns the record of type id, or nil for void.
func (c *checker) rec(id TypeID) []uint32 {
	if id == 0 {
		return nil
	}
	return c.s.typ(id).w
}

// kindOf returns the kind of type id, KindUnknown for void.
func (c *checker) kindOf(id TypeID) Kind {
	w := c.rec(id)
	if w == nil {
		return KindUnknown
	}
	return Kind(w[1] >> 24 & 0x1f)
}

// fail reports a violation by type id at word word of its record.
func (c *checker) fail(id TypeID, word int, format string, args ...any) error {
	s := c.s
	for id < s.firstID {
		s = s.base
	}
	t := s.typ(id)
	prefix := t.Kind().String() + " " + shortName(t.Name()) + ": "
	off := s.byteOffset(s.offs[id-s.firstID] + uint32(word))
	return formatErr(ErrInvalid, off, id, prefix+format, args...)
}

// failMember reports a violation by member i of struct id.
func (c *checker) failMember(id TypeID, i int, msg string) error {
	m := c.s.typ(id).Member(i)
	return c.fail(id, 3+3*i, "member %d %s: %s", i, shortName(c.s.str(m.NameOff)), msg)
}

func kflag(w []uint32) bool { return w[1]>>31 != 0 }
func vlen(w []uint32) int   { return int(w[1] & 0xffff) }

// bytesUp is BITS_ROUNDUP_BYTES.
func bytesUp(bits uint32) uint32 { return bits>>3 + btou(bits&7 != 0) }

func btou(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// nameAt returns the string at offset off, cut to one byte more than the
// kernel's longest name: no check reads further, so that a long name
// shared by many types costs each of them no more than a short one.
func (c *checker) nameAt(off uint32) string {
	s := c.s
	for off < s.strBase {
		s = s.base
	}
	rest := s.strs[off-s.strBase:]
	rest = rest[:min(len(rest), kernelNameLen+1)]
	if i := strings.IndexByte(rest, 0); i >= 0 {
		return rest[:i]
	}
	return rest
}

// identAt reports whether the string at offset off is a valid identifier.
func (c *checker) identAt(off uint32) bool { return validIdent(c.nameAt(off)) }

// checkMeta is btf_check_meta for type id.
func (c *checker) checkMeta(id TypeID) error {
	w := c.rec(id)
	if w[1]&^kernelInfoMask != 0 {
		return c.fail(id, 1, "Invalid btf_info:%x", w[1])
	}
	k := Kind(w[1] >> 24 & 0x1f)
	switch k {
	case KindInt:
		return c.intMeta(id, w)
	case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return c.refMeta(id, w, k)
	case KindArray:
		return c.arrayMeta(id, w)
	case KindStruct, KindUnion:
		return c.structMeta(id, w, k)
	case KindEnum, KindEnum64:
		return c.enumMeta(id, w, k)
	case KindFwd:
		switch {
		case vlen(w) != 0:
			return c.fail(id, 1, "vlen != 0")
		case w[2] != 0:
			return c.fail(id, 2, "type != 0")
		case w[0] == 0 || !c.identAt(w[0]):
			return c.fail(id, 0, "Invalid name")
		}
	case KindFunc:
		switch {
		case w[0] == 0 || !c.identAt(w[0]):
			return c.fail(id, 0, "Invalid name")
		case vlen(w) > int(LinkageGlobal) && !(c.object && vlen(w) == int(LinkageExtern)):
			return c.fail(id, 1, "Invalid func linkage")
		case kflag(w):
			return c.fail(id, 1, "Invalid btf_info kind_flag")
		}
	case KindFuncProto:
		switch {
		case w[0] != 0:
			return c.fail(id, 0, "Invalid name")
		case kflag(w):
			return c.fail(id, 1, "Invalid btf_info kind_flag")
		}
	case KindVar:
		switch {
		case vlen(w) != 0:
			return c.fail(id, 1, "vlen != 0")
		case kflag(w):
			return c.fail(id, 1, "Invalid btf_info kind_flag")
		case w[0] == 0 || !c.identAt(w[0]):
			return c.fail(id, 0, "Invalid name")
		case w[2] == 0 || w[2] > kernelMaxType:
			return c.fail(id, 2, "Invalid type_id")
		case w[3] > uint32(LinkageGlobal) && !(c.object && w[3] == uint32(LinkageExtern)):
			return c.fail(id, 3, "Linkage not supported")
		}
	case KindDatasec:
		return c.datasecMeta(id, w)
	case KindFloat:
		switch {
		case vlen(w) != 0:
			return c.fail(id, 1, "vlen != 0")
		case kflag(w):
			return c.fail(id, 1, "Invalid btf_info kind_flag")
		case w[2] != 2 && w[2] != 4 && w[2] != 8 && w[2] != 12 && w[2] != 16:
			return c.fail(id, 2, "Invalid type_size")
		}
	case KindDeclTag:
		switch {
		case w[0] == 0 || c.nameAt(w[0]) == "":
			return c.fail(id, 0, "Invalid value")
		case vlen(w) != 0:
			return c.fail(id, 1, "vlen != 0")
		case int32(w[3]) < -1:
			return c.fail(id, 3, "Invalid component_idx")
		}
	}
	return nil
}

// intMeta is btf_int_check_meta.
func (c *checker) intMeta(id TypeID, w []uint32) error {
	data := w[3]
	bits := data&0xff + data>>16&0xff
	enc := data >> 24 & 0xf
	switch {
	case vlen(w) != 0:
		return c.fail(id, 1, "vlen != 0")
	case kflag(w):
		return c.fail(id, 1, "Invalid btf_info kind_flag")
	case data&^kernelIntDataMask != 0:
		return c.fail(id, 3, "Invalid int_data:%x", data)
	case bits > kernelMaxU128Bits:
		return c.fail(id, 3, "nr_bits exceeds %d", kernelMaxU128Bits)
	case bytesUp(bits) > w[2]:
		return c.fail(id, 3, "nr_bits exceeds type_size")
	case enc != 0 && enc != uint32(IntSigned) && enc != uint32(IntChar) && enc != uint32(IntBool):
		return c.fail(id, 3, "Unsupported encoding")
	}
	return nil
}

// refMeta is btf_ref_type_check_meta, for PTR and the modifiers.
func (c *checker) refMeta(id TypeID, w []uint32, k Kind) error {
	switch {
	case vlen(w) != 0:
		return c.fail(id, 1, "vlen != 0")
	case kflag(w) && k != KindTypeTag:
		return c.fail(id, 1, "Invalid btf_info kind_flag")
	case w[2] > kernelMaxType:
		return c.fail(id, 2, "Invalid type_id")
	}
	switch k {
	case KindTypedef:
		if w[0] == 0 || !c.identAt(w[0]) {
			return c.fail(id, 0, "Invalid name")
		}
	case KindTypeTag:
		if c.nameAt(w[0]) == "" {
			return c.fail(id, 0, "Invalid name")
		}
	default:
		if w[0] != 0 {
			return c.fail(id, 0, "Invalid name")
		}
	}
	return nil
}

// arrayMeta is btf_array_check_meta.
func (c *checker) arrayMeta(id TypeID, w []uint32) error {
	switch {
	case w[0] != 0:
		return c.fail(id, 0, "Invalid name")
	case vlen(w) != 0:
		return c.fail(id, 1, "vlen != 0")
	case kflag(w):
		return c.fail(id, 1, "Invalid btf_info kind_flag")
	case w[2] != 0:
		return c.fail(id, 2, "size != 0")
	case w[3] == 0 || w[3] > kernelMaxType:
		return c.fail(id, 3, "Invalid elem")
	case w[4] == 0 || w[4] > kernelMaxType:
		return c.fail(id, 4, "Invalid index")
	}
	return nil
}

// structMeta is btf_struct_check_meta.
func (c *checker) structMeta(id TypeID, w []uint32, k Kind) error {
	if w[0] != 0 && !c.identAt(w[0]) {
		return c.fail(id, 0, "Invalid name")
	}
	size := w[2]
	last := uint32(0)
	for i := range vlen(w) {
		m := w[3+3*i : 6+3*i]
		off := m[2]
		if kflag(w) {
			off &= 0xffffff
		}
		switch {
		case m[0] != 0 && !c.identAt(m[0]):
			return c.failMember(id, i, "Invalid name")
		case m[1] == 0 || m[1] > kernelMaxType:
			return c.failMember(id, i, "Invalid type_id")
		case k == KindUnion && off != 0, last > off:
			return c.failMember(id, i, "Invalid member bits_offset")
		case bytesUp(off) > size:
			return c.failMember(id, i, "Member bits_offset exceeds its struct size")
		}
		last = off
	}
	return nil
}

// enumMeta is btf_enum_check_meta and btf_enum64_check_meta.
func (c *checker) enumMeta(id TypeID, w []uint32, k Kind) error {
	size := w[2]
	switch {
	case size > 8 || size&(size-1) != 0 || size == 0:
		return c.fail(id, 2, "Unexpected size")
	case w[0] != 0 && !c.identAt(w[0]):
		return c.fail(id, 0, "Invalid name")
	}
	stride := 2
	if k == KindEnum64 {
		stride = 3
	}
	for i := range vlen(w) {
		if off := w[3+stride*i]; off == 0 || !c.identAt(off) {
			return c.fail(id, 3+stride*i, "value %d: Invalid name", i)
		}
	}
	return nil
}

// datasecMeta is btf_datasec_check_meta.
func (c *checker) datasecMeta(id TypeID, w []uint32) error {
	size := uint64(w[2])
	switch {
	case size == 0 && !c.object:
		return c.fail(id, 2, "size == 0")
	case kflag(w):
		return c.fail(id, 1, "Invalid btf_info kind_flag")
	case w[0] == 0 || !validSectionName(c.nameAt(w[0])):
		return c.fail(id, 0, "Invalid name")
	}
	var end, sum uint64
	for i := range vlen(w) {
		v := w[3+3*i : 6+3*i]
		off, sz := uint64(v[1]), uint64(v[2])
		msg := ""
		switch {
		case v[0] == 0 || v[0] > kernelMaxType:
			msg = "Invalid type_id"
		case c.object:
			// Sizes and offsets are the loader's to fix.
		case off < end || off >= size:
			msg = "Invalid offset"
		case sz == 0 || sz > size:
			msg = "Invalid size"
		case off+sz > size:
			msg = "Invalid offset+size"
		}
		if msg != "" {
			return c.fail(id, 3+3*i, "variable %d (type_id=%d offset=%d size=%d): %s", i, v[0], v[1], v[2], msg)
		}
		end = off + sz
		sum += sz
	}
	if size < sum && !c.object {
		return c.fail(id, 2, "Invalid btf_info size")
	}
	return nil
}
