package fromdwarf

// The BTF types of type DIEs: base types, pointers, qualifiers, typedefs,
// enums and arrays, and the resolution of DW_AT_type references. Structs
// and unions are in cumembers.go, prototypes in cufuncs.go.

import "github.com/btfhub/btfhub/btf"

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
	c.out.words = append(c.out.words, c.str(name), btf.MakeInfo(kind, kflag, vlen), sizeOrType)
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
	c.out.words = append(c.out.words, btf.Int{Encoding: ienc, Bits: uint32(size * 8)}.Word())
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
	c.out.words[start+1] = btf.MakeInfo(kind, signed, n)
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
