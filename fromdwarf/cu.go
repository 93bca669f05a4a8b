package fromdwarf

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"

	"github.com/btfhub/btfhub/btf"
)

// cuOut is the BTF of one compilation unit, with CU-local references:
// name words hold offsets into .debug_str or indexes into strs (see
// cuEnc.str), and type references hold local ids (1 for the CU's first
// type, 0 for void). merge rewrites both.
type cuOut struct {
	name   string
	words  []uint32 // type records in local id order
	nTypes int
	strs   [][]byte // local strings; strs[0] is "". They may alias the input.
	funcs  []cuFunc // FUNC candidates, in DIE order
	vars   []cuVar  // per-cpu variables
	warns  []error
	dies   int

	intID     uint32 // local id of the unit's own "int", or 0
	hasArrays bool
	addedInt  int // word offset of the "int" added as array index type, or -1
}

// cuFunc is a function that may become a FUNC, if no earlier CU gave one
// for the same symbol.
type cuFunc struct {
	name  uint32   // local string
	sym   int      // index into symbols.funcs, or -1 when not filtered by symbols
	proto []uint32 // FUNC_PROTO record
	tags  []declTag
	sig   string // prototype signature (funcSig), under Options.ConsistentFuncs
}

// cuVar is a per-cpu variable.
type cuVar struct {
	name    uint32 // local string: the ELF symbol's name
	typ     uint32 // local type id
	linkage btf.Linkage
	off     uint32 // offset in .data..percpu
	size    uint32 // the symbol's size
	tags    []declTag
}

// declTag is a btf_decl_tag annotation of a type, FUNC or VAR.
type declTag struct {
	value uint32 // local string
	comp  int32
}

// cuEnc encodes one CU.
type cuEnc struct {
	feat     Features
	syms     *symbols
	addrSize int
	bo       binary.ByteOrder

	dies  []die
	index []int32 // index[off-base]: the DIE at offset off (see find)
	base  uint64
	// imported maps the offsets of the DIEs of imported partial units
	// (dwz), appended to dies after the unit's own, to their index.
	imported map[uint64]int32
	// roots holds the index of the unit's DIE and of each imported
	// partial unit's DIE.
	roots []int32
	ids   []uint32 // local type id of dies[i], or 0
	order []int32  // the type DIEs in id order
	stack []int32
	// tagIDs[i] is the first of the type tag ids of pointer dies[i]
	tagIDs map[int]uint32

	addr     []byte // .debug_addr
	strSec   []byte // .debug_str
	addrBase uint64 // the unit's DW_AT_addr_base

	strIdx map[uintptr]uint32 // by address of the string's first byte
	// annotated is set when the unit has btf_decl_tag or btf_type_tag
	// annotations (DW_TAG_LLVM_annotation, from clang) at all.
	annotated bool
	out       *cuOut
	intID     uint32 // local id of the base type "int", the array index type
	needIndex bool
	// consistent computes the signatures of Options.ConsistentFuncs.
	consistent bool
}

// isTypeTag reports whether DIEs of tag t are BTF types. Type DIEs can be
// anywhere in the unit (inside functions and lexical blocks too): pahole's
// types table holds them all (dwarves.h: tag__is_tag_type).
func isTypeTag(t uint32) bool {
	switch t {
	case tagBaseType, tagPointerType, tagReferenceType, tagRvalueRefType,
		tagConstType, tagVolatileType, tagRestrictType, tagTypedef,
		tagStructType, tagUnionType, tagClassType, tagEnumerationType,
		tagArrayType, tagSubroutineType:
		return true
	}
	return false
}

// isVoidTag reports whether references to a DIE of tag t mean void: the
// unspecified type (assembler CUs), and types BTF cannot express.
func isVoidTag(t uint32) bool {
	switch t {
	case tagUnspecifiedType, tagPtrToMemberType, tagStringType:
		return true
	}
	return false
}

// find returns the index of the DIE at off in this unit, or -1.
func (c *cuEnc) find(off uint64) int {
	k := off - c.base
	if k >= uint64(len(c.index)) {
		if i, ok := c.imported[off]; ok {
			return int(i)
		}
		return -1
	}
	i := c.index[k]
	if i < 0 || int(i) >= len(c.dies) || c.dies[i].off != off {
		return -1 // stale: an entry left from an earlier unit
	}
	return int(i)
}

// indexDIEs fills index, which maps offsets within the unit to DIEs. It is
// reused from unit to unit without clearing: find checks each hit.
func (c *cuEnc) indexDIEs(u *unitHeader) {
	c.base = u.off
	n := int(u.end - u.off)
	if cap(c.index) < n {
		c.index = make([]int32, n)
	}
	c.index = c.index[:n]
	clear(c.imported)
	for i := range c.dies {
		if k := c.dies[i].off - c.base; k < uint64(n) && i < int(c.dies[0].end) {
			c.index[k] = int32(i)
			continue
		}
		if c.imported == nil {
			c.imported = map[uint64]int32{}
		}
		c.imported[c.dies[i].off] = int32(i)
	}
}

func (c *cuEnc) warn(i int, format string, args ...any) {
	c.out.warns = append(c.out.warns, &DIEError{CU: c.out.name, CUOffset: c.dies[0].off, Offset: c.dies[i].off, Msg: fmt.Sprintf(format, args...)})
}

// strSecBit marks the string words of a unit's records that hold an offset
// in .debug_str (below strSecBit) rather than an index into cuOut.strs.
const strSecBit = 1 << 31

// str returns the string word for string s (see die.name): strSecBit and
// its offset for a string of .debug_str, which the merge looks up in a
// table indexed by that offset, otherwise a local index. Local strings are
// told apart by address, which makes interning an integer lookup; equal
// strings at other addresses get their own index, and the merge unifies
// them.
func (c *cuEnc) str(s []byte) uint32 {
	if len(s) == 0 {
		return 0
	}
	key := uintptr(unsafePointer(s))
	if k := key - uintptr(unsafePointer(c.strSec)); k < uintptr(len(c.strSec)) && k < strSecBit {
		return strSecBit | uint32(k)
	}
	if isEmpty(s) {
		return 0
	}
	if i, ok := c.strIdx[key]; ok {
		return i
	}
	i := uint32(len(c.out.strs))
	c.out.strs = append(c.out.strs, cstr(s))
	c.strIdx[key] = i
	return i
}

// typeTags returns the btf_type_tag annotations of pointer dies[i].
func (c *cuEnc) typeTags(i int) [][]byte {
	if c.feat.NoTypeTag || !c.dies[i].children {
		return nil
	}
	var tags [][]byte
	for j := i + 1; j < int(c.dies[i].end); j = int(c.dies[j].end) {
		e := &c.dies[j]
		if e.tag == tagLLVMAnnotation && nameIs(e.name, "btf_type_tag") {
			tags = append(tags, e.blob)
		}
	}
	return tags
}

// encode turns the unit's DIEs into BTF.
func (c *cuEnc) encode() {
	if c.out.words == nil {
		// About 2.4 words per DIE in the Linux kernel.
		c.out.words = getWords(5*len(c.dies)/2 + 64)
	}
	c.ids = slices.Grow(c.ids[:0], len(c.dies))[:len(c.dies)]
	clear(c.ids)
	// Ids go to type DIEs in post-order: a type nested in another (clang
	// puts anonymous structs inside their parent) comes before it, and a
	// pointer's type tags before the pointer, as pahole adds a DIE to its
	// types table only once its children are processed (dwarf_loader.c
	// die__create_new_class, die__create_new_pointer_tag).
	var next uint32 = 1
	c.order = c.order[:0]
	assign := func(i int) {
		e := &c.dies[i]
		if !isTypeTag(e.tag) {
			return
		}
		if e.tag == tagPointerType && e.children {
			if n := len(c.typeTags(i)); n > 0 {
				if c.tagIDs == nil {
					c.tagIDs = map[int]uint32{}
				}
				c.tagIDs[i] = next
				next += uint32(n)
			}
		}
		c.ids[i] = next
		next++
		c.order = append(c.order, int32(i))
		if c.intID == 0 && e.tag == tagBaseType && nameIs(e.name, "int") {
			c.intID = c.ids[i]
		}
	}
	stack := c.stack[:0]
	c.annotated = false
	for i := 1; i < len(c.dies); i++ {
		for len(stack) > 0 && int(c.dies[stack[len(stack)-1]].end) <= i {
			assign(int(stack[len(stack)-1]))
			stack = stack[:len(stack)-1]
		}
		stack = append(stack, int32(i))
		if c.dies[i].tag == tagLLVMAnnotation {
			c.annotated = true
		}
	}
	for len(stack) > 0 {
		assign(int(stack[len(stack)-1]))
		stack = stack[:len(stack)-1]
	}
	c.stack = stack
	c.out.nTypes = int(next - 1)
	indexID := c.intID
	if indexID == 0 {
		indexID = next // an "int" added after the unit's types
	}
	for _, i := range c.order {
		c.encodeType(int(i), indexID)
	}
	c.out.intID = c.intID
	c.out.hasArrays = c.needIndex
	if c.needIndex && c.intID == 0 {
		// pahole btf_encoder__encode_cu: a unit with arrays but no "int"
		// gets one. merge drops it when an earlier unit gave the index
		// type.
		c.out.addedInt = len(c.out.words)
		c.out.words = append(c.out.words, c.str([]byte("int")), uint32(btf.KindInt)<<24, 4, uint32(btf.IntSigned)<<24|32)
		c.out.nTypes++
	}
	if !c.feat.NoDeclTag && c.annotated {
		c.typeDeclTags()
	}
	for _, r := range c.roots {
		// The direct children of the unit and of the partial units it
		// imports.
		for i := int(r) + 1; i < int(c.dies[r].end); i = int(c.dies[i].end) {
			switch c.dies[i].tag {
			case tagSubprogram:
				c.function(i)
			case tagVariable:
				if !c.feat.NoVars && c.syms.percpu.present {
					c.variable(i)
				}
			}
		}
	}
}

// ref resolves the DW_AT_type of dies[i] to a local type id.
func (c *cuEnc) ref(i int) uint32 {
	e := &c.dies[i]
	if e.has&hasType == 0 {
		if e.has&hasRefOutside != 0 {
			c.warn(i, "type reference into a supplementary file or type unit; using void")
		}
		return 0
	}
	off := e.typ
	for range 16 {
		j := c.find(off)
		if j < 0 {
			c.warn(i, "type reference 0x%x leaves the unit; using void", off)
			return 0
		}
		if c.ids[j] != 0 {
			return c.ids[j]
		}
		t := &c.dies[j]
		switch {
		case isVoidTag(t.tag):
			return 0
		case t.tag == tagAtomicType || t.tag == tagImmutableType:
			// Qualifiers BTF has no kind for: see through them.
			if !t.is(hasType) {
				return 0
			}
			off = t.typ
			continue
		}
		c.warn(i, "type reference 0x%x is a DIE of tag 0x%x, not a type; using void", off, t.tag)
		return 0
	}
	c.warn(i, "type reference 0x%x: qualifier chain too long; using void", off)
	return 0
}

func (c *cuEnc) rec(name []byte, kind btf.Kind, kflag bool, vlen int, sizeOrType uint32) {
	info := uint32(kind)<<24 | uint32(vlen)&0xffff
	if kflag {
		info |= 1 << 31
	}
	c.out.words = append(c.out.words, c.str(name), info, sizeOrType)
}

func (c *cuEnc) encodeType(i int, indexID uint32) {
	e := &c.dies[i]
	switch e.tag {
	case tagBaseType:
		c.baseType(i)
	case tagPointerType, tagReferenceType, tagRvalueRefType:
		to := c.ref(i)
		tags := c.typeTags(i)
		if len(tags) == 0 {
			c.rec(nil, btf.KindPointer, false, 0, to)
			return
		}
		// pahole dwarf_loader.c dwarf_cu__recode_btf_type_tag_ptr: for
		// "int tag1 tag2 *p", PTR -> tag2 -> tag1 -> int. Ids first..
		// first+n-1 hold tags[0..n-1], then comes the pointer; tags[k]
		// refers to tags[k-1], tags[0] to the pointee.
		first := c.tagIDs[i]
		for k := range tags {
			t := to
			if k > 0 {
				t = first + uint32(k) - 1
			}
			c.rec(tags[k], btf.KindTypeTag, false, 0, t)
		}
		c.rec(nil, btf.KindPointer, false, 0, first+uint32(len(tags))-1)
	case tagConstType:
		c.rec(nil, btf.KindConst, false, 0, c.ref(i))
	case tagVolatileType:
		c.rec(nil, btf.KindVolatile, false, 0, c.ref(i))
	case tagRestrictType:
		c.rec(nil, btf.KindRestrict, false, 0, c.ref(i))
	case tagTypedef:
		c.rec(e.name, btf.KindTypedef, false, 0, c.ref(i))
	case tagStructType, tagUnionType, tagClassType:
		c.composite(i)
	case tagEnumerationType:
		c.enum(i)
	case tagArrayType:
		c.array(i, indexID)
	case tagSubroutineType:
		rec, _ := c.proto(i, false)
		c.out.words = append(c.out.words, rec...)
	}
}

var sanitizedInt = []byte("__SANITIZED_FAKE_INT__")

// baseType follows pahole 1.24 btf_encoder.c btf_encoder__add_base_type.
func (c *cuEnc) baseType(i int) {
	e := &c.dies[i]
	name, size, enc := e.name, e.byteSize, e.encoding
	var ienc btf.IntEncoding
	switch enc {
	case ateSigned, ateSignedChar:
		ienc = btf.IntSigned
	case ateBoolean:
		ienc = btf.IntBool
	case ateFloat, ateComplexFloat, ateImagFloat:
		if !c.feat.NoFloat {
			if enc == ateFloat && (size == 4 || size == 8 || size == 10 || size == 12 || size == 16) {
				c.rec(name, btf.KindFloat, false, 0, uint32(size))
				return
			}
			c.warn(i, "base type %q: complex and imaginary floats have no BTF kind; encoding an INT", cstr(name))
		}
	}
	// DWARF 5 has DW_ATE_[un]signed_N base types of odd sizes, used in
	// location expressions only: pahole encodes them as a fake int.
	if size == 0 || size&(size-1) != 0 || size > 16 {
		name, size = sanitizedInt, 4
	}
	c.rec(name, btf.KindInt, false, 0, uint32(size))
	c.out.words = append(c.out.words, uint32(ienc)<<24|uint32(size*8)&0xff)
}

// Base type encodings (DW_ATE_*).
const (
	ateBoolean      = 0x02
	ateComplexFloat = 0x03
	ateFloat        = 0x04
	ateSigned       = 0x05
	ateSignedChar   = 0x06
	ateImagFloat    = 0x09
)

// composite encodes a struct or union, or a FWD for a declaration
// (btf_encoder__add_struct_type; member offsets as in dwarf_loader.c
// class_member__new and class_member__cache_byte_size).
func (c *cuEnc) composite(i int) {
	e := &c.dies[i]
	union := e.tag == tagUnionType
	if e.is(hasDeclaration) {
		c.rec(e.name, btf.KindFwd, union, 0, 0)
		return
	}
	kind := btf.KindStruct
	if union {
		kind = btf.KindUnion
	}
	start := len(c.out.words)
	c.rec(e.name, kind, false, 0, uint32(e.byteSize))
	kflag := false
	n := 0
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		m := &c.dies[j]
		if m.tag != tagMember {
			continue
		}
		var bitOff uint64
		bitSize := m.bitSize
		if m.is(hasDataBitOffset) {
			bitOff = m.bitOff
		} else {
			if !m.is(hasDataMemberLoc) && !union {
				continue // a static member
			}
			bitOff = uint64(m.val) * 8
			if bitSize != 0 {
				byteSize := m.byteSize
				if byteSize == 0 {
					byteSize = c.sizeOf(j, 0)
				}
				if byteSize != 0 {
					if c.bo == binary.LittleEndian {
						bitOff += byteSize*8 - m.bitOff - bitSize
					} else {
						bitOff += m.bitOff
					}
				}
			}
		}
		if n == 0xffff {
			c.warn(i, "%s %q has more members than BTF can hold; dropping the rest", kind, cstr(e.name))
			break
		}
		if bitSize != 0 {
			kflag = true
		}
		c.out.words = append(c.out.words, c.str(m.name), c.ref(j), uint32(bitOff), uint32(bitSize))
		n++
	}
	// Members were appended as 4 words (name, type, offset, bitfield
	// size); pack them into BTF's 3, with the bitfield size in the offset
	// when the kind flag is set.
	ms := c.out.words[start+3:]
	for k := range n {
		name, typ, off, bits := ms[4*k], ms[4*k+1], ms[4*k+2], ms[4*k+3]
		if kflag {
			if off > 0xffffff || bits > 0xff {
				c.warn(i, "member %d: bit offset %d or bitfield size %d does not fit BTF", k, off, bits)
			}
			off = bits<<24 | off&0xffffff
		}
		ms[3*k], ms[3*k+1], ms[3*k+2] = name, typ, off
	}
	c.out.words = c.out.words[:start+3+3*n]
	info := uint32(kind)<<24 | uint32(n)
	if kflag {
		info |= 1 << 31
	}
	c.out.words[start+1] = info
}

// enum follows btf_encoder__add_enum_type and libbpf's btf__add_enum_value
// (a negative value makes the ENUM signed).
func (c *cuEnc) enum(i int) {
	e := &c.dies[i]
	size := e.byteSize
	if size == 0 {
		size = 4 // a declaration, "enum e;": pahole encodes an int-sized enum
	}
	enum64 := size > 4 && !c.feat.NoEnum64
	kind := btf.KindEnum
	if enum64 {
		kind = btf.KindEnum64
	}
	start := len(c.out.words)
	c.rec(e.name, kind, false, 0, uint32(size))
	n := 0
	signed := false
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		m := &c.dies[j]
		if m.tag != tagEnumerator {
			continue
		}
		if n == 0xffff {
			c.warn(i, "enum %q has more values than BTF can hold; dropping the rest", cstr(e.name))
			break
		}
		v := m.val
		if enum64 {
			c.out.words = append(c.out.words, c.str(m.name), uint32(v), uint32(uint64(v)>>32))
		} else {
			c.out.words = append(c.out.words, c.str(m.name), uint32(v))
			signed = signed || v < 0 && !c.feat.NoEnum64
		}
		n++
	}
	if enum64 && e.is(hasType) {
		if j := c.find(e.typ); j >= 0 {
			enc := c.dies[j].encoding
			signed = enc == ateSigned || enc == ateSignedChar
		}
	}
	info := uint32(kind)<<24 | uint32(n)
	if signed {
		info |= 1 << 31
	}
	c.out.words[start+1] = info
}

// array encodes a one-dimensional ARRAY whose length is the product of
// every dimension, as pahole 1.24 does (btf_encoder.c array_type__nelems).
func (c *cuEnc) array(i int, indexID uint32) {
	c.needIndex = true
	c.rec(nil, btf.KindArray, false, 0, 0)
	c.out.words = append(c.out.words, c.ref(i), indexID, uint32(c.nelems(i)))
}

// nelems returns the product of the lengths of an array's subranges.
func (c *cuEnc) nelems(i int) uint64 {
	n := uint64(1)
	for j := i + 1; j < int(c.dies[i].end); j = int(c.dies[j].end) {
		if s := &c.dies[j]; s.tag == tagSubrangeType {
			n *= subrangeLen(s)
		}
	}
	return n
}

// subrangeLen follows dwarf_loader.c attr_upper_bound.
func subrangeLen(s *die) uint64 {
	switch {
	case s.is(hasUpperBound):
		return uint64(s.val) + 1
	case s.is(hasUpperBoundOther):
		return 0
	case s.is(hasCount):
		return uint64(s.val)
	}
	return 0
}

// proto returns the FUNC_PROTO record of a subroutine type or a
// subprogram, and whether every parameter has a name (pahole's
// ftype__has_arg_names). Parameters that have an abstract origin and no
// type of their own take name and type from it (dwarf_loader.c
// ftype__recode_dwarf_types); so does a subprogram's return type.
func (c *cuEnc) proto(i int, subprogram bool) ([]uint32, bool) {
	e := &c.dies[i]
	ret := c.ref(i)
	if subprogram && !e.is(hasType) && e.is(hasAbstractOrigin) {
		if j := c.find(e.abstractOrigin); j >= 0 {
			ret = c.ref(j)
		}
	}
	rec := []uint32{0, 0, ret}
	named := true
	variadic := false
	n := 0
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		p := &c.dies[j]
		switch p.tag {
		case tagFormalParameter:
			name := p.name
			typ := uint32(0)
			if p.is(hasType) {
				typ = c.ref(j)
			} else if p.is(hasAbstractOrigin) {
				if k := c.find(p.abstractOrigin); k >= 0 {
					name = c.dies[k].name
					typ = c.ref(k)
				} else {
					c.warn(j, "abstract origin 0x%x leaves the unit", p.abstractOrigin)
				}
			}
			if isEmpty(name) {
				named = false
			}
			rec = append(rec, c.str(name), typ)
			n++
		case tagUnspecifiedParams:
			variadic = true
		}
	}
	if variadic {
		rec = append(rec, 0, 0)
		n++
	}
	rec[1] = uint32(btf.KindFuncProto)<<24 | uint32(n)&0xffff
	return rec, named
}

// sizeOf returns the size in bytes of the type of dies[i] (its DW_AT_type),
// as pahole's tag__size, after typedefs and qualifiers; 0 if unknown.
func (c *cuEnc) sizeOf(i int, depth int) uint64 {
	e := &c.dies[i]
	if !e.is(hasType) || depth > 32 {
		return 0
	}
	j := c.find(e.typ)
	if j < 0 {
		return 0
	}
	t := &c.dies[j]
	switch t.tag {
	case tagBaseType, tagStructType, tagUnionType, tagClassType, tagEnumerationType:
		return t.byteSize
	case tagPointerType, tagReferenceType, tagRvalueRefType:
		return uint64(c.addrSize)
	case tagTypedef, tagConstType, tagVolatileType, tagRestrictType, tagAtomicType, tagImmutableType:
		return c.sizeOf(j, depth+1)
	case tagArrayType:
		return c.nelems(j) * c.sizeOf(j, depth+1)
	}
	return 0
}

// declTags appends the btf_decl_tag annotations among the children of
// dies[i], for component comp.
func (c *cuEnc) declTags(i int, comp int32, tags []declTag) []declTag {
	e := &c.dies[i]
	if !e.children {
		return tags
	}
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		a := &c.dies[j]
		if a.tag == tagLLVMAnnotation && nameIs(a.name, "btf_decl_tag") {
			tags = append(tags, declTag{c.str(a.blob), comp})
		}
	}
	return tags
}

// componentTags appends the btf_decl_tag annotations of dies[i] and of its
// components (members or parameters, children of tag comp), in DIE order
// as pahole collects them (dwarf_loader.c die__process_class,
// die__process_function).
func (c *cuEnc) componentTags(i int, comp uint32, tags []declTag) []declTag {
	e := &c.dies[i]
	idx := int32(0)
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		switch d := &c.dies[j]; {
		case d.tag == tagLLVMAnnotation && nameIs(d.name, "btf_decl_tag"):
			tags = append(tags, declTag{c.str(d.blob), -1})
		case d.tag == comp:
			tags = c.declTags(j, idx, tags)
			idx++
		}
	}
	return tags
}

// typeDeclTags adds the DECL_TAGs of structs, unions (and their members)
// and typedefs after the unit's types, as btf_encoder__encode_cu does.
func (c *cuEnc) typeDeclTags() {
	for i := 1; i < len(c.dies); i++ {
		e := &c.dies[i]
		if !e.children {
			continue
		}
		var tags []declTag
		switch e.tag {
		case tagStructType, tagUnionType, tagClassType:
			if e.is(hasDeclaration) {
				continue
			}
			tags = c.componentTags(i, tagMember, nil)
		case tagTypedef:
			tags = c.declTags(i, -1, nil)
		default:
			continue
		}
		for _, t := range tags {
			c.out.words = append(c.out.words, t.value, uint32(btf.KindDeclTag)<<24, c.ids[i], uint32(t.comp))
			c.out.nTypes++
		}
	}
}

// function records a FUNC candidate for a subprogram, following
// btf_encoder__encode_cu: not a declaration, every parameter named, and,
// when the ELF file has function symbols, named like one of them.
func (c *cuEnc) function(i int) {
	e := &c.dies[i]
	if e.is(hasDeclaration) {
		return
	}
	name := e.name
	if isEmpty(name) {
		for _, o := range []struct {
			bit uint32
			off uint64
		}{{hasAbstractOrigin, e.abstractOrigin}, {hasSpecification, e.specification}} {
			if e.is(o.bit) {
				if j := c.find(o.off); j >= 0 {
					name = c.dies[j].name
					break
				}
			}
		}
		if isEmpty(name) {
			return
		}
	}
	sym := -1
	if len(c.syms.funcs) > 0 {
		s, ok := c.syms.funcs[string(cstr(name))]
		if !ok {
			return
		}
		sym = s
	} else if !e.is(hasExternal) {
		return
	}
	rec, named := c.proto(i, true)
	if !named {
		return
	}
	f := cuFunc{name: c.str(name), sym: sym, proto: rec}
	if !c.feat.NoDeclTag && c.annotated && e.children {
		f.tags = c.componentTags(i, tagFormalParameter, nil)
	}
	if c.consistent && sym >= 0 {
		f.sig = c.funcSig(i)
	}
	c.out.funcs = append(c.out.funcs, f)
}

// variable records a per-cpu VAR, following
// btf_encoder__encode_cu_variables.
func (c *cuEnc) variable(i int) {
	e := &c.dies[i]
	spec := -1
	if e.is(hasSpecification) {
		spec = c.find(e.specification)
	}
	decl := e.is(hasDeclaration)
	if decl && spec < 0 {
		return
	}
	var addr uint64
	global := false
	if !decl {
		addr, global = c.locationAddr(e.blob)
	}
	if !global && spec < 0 {
		return
	}
	p := &c.syms.percpu
	if addr < p.addr || addr >= p.addr+p.size {
		return
	}
	off := addr - p.addr
	sym, ok := c.syms.percpuAt(off)
	if !ok {
		return
	}
	if addr == 0 && !nameIs(e.name, sym.name) {
		return
	}
	v := i
	if spec >= 0 {
		v = spec
	}
	if !c.dies[v].is(hasType) {
		c.warn(i, "per-cpu variable %q has void type; skipped", sym.name)
		return
	}
	if c.sizeOf(v, 0) == 0 {
		return
	}
	linkage := btf.LinkageStatic
	if c.dies[v].is(hasExternal) {
		linkage = btf.LinkageGlobal
	}
	cv := cuVar{name: c.str([]byte(sym.name)), typ: c.ref(v), linkage: linkage, off: uint32(off), size: sym.size}
	if !c.feat.NoDeclTag && c.annotated {
		cv.tags = c.declTags(i, -1, nil)
	}
	c.out.vars = append(c.out.vars, cv)
}

// locationAddr returns the address of a variable whose location
// expression starts with DW_OP_addr: one with static storage (pahole's
// dwarf__location, VSCOPE_GLOBAL).
// DW_OP_addrx (DWARF 5) and DW_OP_GNU_addr_index take the address from
// .debug_addr.
func (c *cuEnc) locationAddr(v []byte) (uint64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	switch v[0] {
	case 0x03: // DW_OP_addr
		if len(v) < 1+c.addrSize {
			return 0, false
		}
		if c.addrSize == 8 {
			return c.bo.Uint64(v[1:]), true
		}
		return uint64(c.bo.Uint32(v[1:])), true
	case 0xa1, 0xfb: // DW_OP_addrx, DW_OP_GNU_addr_index
		cur := &cursor{b: v, off: 1, bo: c.bo}
		idx := cur.uleb()
		pos := c.addrBase + idx*uint64(c.addrSize)
		if cur.err != nil || idx > uint64(len(c.addr)) || pos < c.addrBase || pos+uint64(c.addrSize) > uint64(len(c.addr)) {
			return 0, false
		}
		ac := &cursor{b: c.addr, off: int(pos), bo: c.bo}
		return ac.uN(c.addrSize), true
	}
	return 0, false
}

// wordBufs recycles the record buffers of units (cuOut.words) once merged.
var wordBufs sync.Pool

// getWords returns an empty buffer of capacity at least n.
func getWords(n int) []uint32 {
	if p, ok := wordBufs.Get().(*[]uint32); ok && cap(*p) >= n {
		return (*p)[:0]
	}
	return make([]uint32, 0, n)
}

// putWords gives back a buffer of getWords that is no longer used.
func putWords(w []uint32) {
	if cap(w) > 0 {
		wordBufs.Put(&w)
	}
}
