package fromdwarf

import (
	"encoding/binary"
	"fmt"
)

// DWARF tags (DW_TAG_*) the encoder looks at.
const (
	tagArrayType         = 0x01
	tagClassType         = 0x02
	tagEnumerationType   = 0x04
	tagFormalParameter   = 0x05
	tagMember            = 0x0d
	tagPointerType       = 0x0f
	tagReferenceType     = 0x10
	tagCompileUnit       = 0x11
	tagStringType        = 0x12
	tagStructType        = 0x13
	tagSubroutineType    = 0x15
	tagTypedef           = 0x16
	tagUnionType         = 0x17
	tagUnspecifiedParams = 0x18
	tagInheritance       = 0x1c
	tagPtrToMemberType   = 0x1f
	tagSubrangeType      = 0x21
	tagBaseType          = 0x24
	tagConstType         = 0x26
	tagEnumerator        = 0x28
	tagSubprogram        = 0x2e
	tagVariable          = 0x34
	tagVolatileType      = 0x35
	tagRestrictType      = 0x37
	tagImportedUnit      = 0x3d
	tagUnspecifiedType   = 0x3b
	tagPartialUnit       = 0x3c
	tagAtomicType        = 0x47
	tagImmutableType     = 0x4b
	tagRvalueRefType     = 0x42
	tagTypeUnit          = 0x41
	tagLLVMAnnotation    = 0x6000
)

// DWARF attributes (DW_AT_*) the encoder looks at.
const (
	atLocation       = 0x02
	atName           = 0x03
	atByteSize       = 0x0b
	atBitOffset      = 0x0c
	atBitSize        = 0x0d
	atConstValue     = 0x1c
	atInline         = 0x20
	atUpperBound     = 0x2f
	atAbstractOrigin = 0x31
	atCount          = 0x37
	atDataMemberLoc  = 0x38
	atDeclaration    = 0x3c
	atEncoding       = 0x3e
	atExternal       = 0x3f
	atSpecification  = 0x47
	atType           = 0x49
	atDataBitOffset  = 0x6b
	atStrOffsetsBase = 0x72
	atAddrBase       = 0x73
	atImport         = 0x18
)

// Bits of die.has.
const (
	hasName = 1 << iota
	hasType
	hasByteSize
	hasBitOffset
	hasBitSize
	hasConstValue
	hasUpperBound      // a constant upper bound
	hasUpperBoundOther // an upper bound that is not a constant (a VLA)
	hasAbstractOrigin
	hasCount
	hasDataMemberLoc
	hasDeclaration
	hasEncoding
	hasExternal
	hasSpecification
	hasDataBitOffset
	hasLocation
	hasImport
	hasRefOutside // a reference attribute that is not followed (type unit)
)

// die is one decoded DIE: the attributes the encoder uses. It is kept small
// (136 bytes), being written for each of the millions of DIEs of a kernel:
// attributes that the encoder reads only on DIEs of different tags share a
// field, and each is stored only on the DIEs of its tag (has records them
// all).
type die struct {
	off      uint64 // offset in .debug_info
	tag      uint32
	children bool
	// encoding is DW_AT_encoding, or 0xff for a value above 0xff (no
	// DW_ATE_* the encoder looks for).
	encoding uint8
	end      int32 // index past the DIE's last descendant
	has      uint32

	// name is DW_AT_name. It may run past the name's terminating NUL
	// (to the end of .debug_str, saving a search for the NUL of every
	// name): the name is what comes before the first NUL, if any (see
	// cstr, nameIs, isEmpty). The names of unit DIEs are exact.
	name []byte
	// blob is DW_AT_const_value as a string of an annotation
	// (DW_TAG_LLVM_annotation), DW_AT_location of a variable.
	blob           []byte
	typ            uint64 // DW_AT_type, as a .debug_info offset
	abstractOrigin uint64
	specification  uint64
	importOff      uint64
	byteSize       uint64
	bitSize        uint64
	// bitOff is DW_AT_data_bit_offset of a member, or else its
	// DW_AT_bit_offset.
	bitOff uint64
	// val is DW_AT_data_member_location of a member, DW_AT_const_value of
	// an enumerator, DW_AT_upper_bound of a subrange when constant, or
	// else its DW_AT_count.
	val int64
}

func (d *die) is(bit uint32) bool { return d.has&bit != 0 }

// dwarfData holds the sections the encoder reads, and the units of
// .debug_info.
type dwarfData struct {
	info, abbrev, str, strOffsets, addr, lineStr []byte
	bo                                           binary.ByteOrder
	units                                        []unitHeader
	alt                                          *dwarfData   // the supplementary file (dwz -m), or nil
	abbrevs                                      *abbrevCache // shared tables (dwz), or nil: see unitAbbrevs
}

// unitHeader is a unit's header.
type unitHeader struct {
	off       uint64 // offset of the header
	dieOff    uint64 // offset of the unit's DIE
	end       uint64 // offset past the unit
	version   uint16
	unitType  uint8
	addrSize  uint8
	offSize   uint8 // 4, or 8 in 64-bit DWARF
	abbrevOff uint64
}

// DW_UT_* unit types.
const (
	utCompile      = 1
	utType         = 2
	utPartial      = 3
	utSkeleton     = 4
	utSplitCompile = 5
	utSplitType    = 6
)

// parseUnits reads the headers of every unit of .debug_info.
func (d *dwarfData) parseUnits() error {
	c := &cursor{b: d.info, bo: d.bo}
	for c.off < len(c.b) {
		u := unitHeader{off: uint64(c.off), offSize: 4}
		n := uint64(c.u32())
		if n == 0xffffffff {
			u.offSize = 8
			n = c.u64()
		} else if n >= 0xfffffff0 {
			return fmt.Errorf("%w: .debug_info: unit at 0x%x: reserved length 0x%x", ErrMalformed, u.off, n)
		}
		if c.err != nil || n > uint64(len(c.b)-c.off) {
			return fmt.Errorf("%w: .debug_info: unit at 0x%x: length %d past the end of the section", ErrMalformed, u.off, n)
		}
		u.end = uint64(c.off) + n
		u.version = c.u16()
		switch {
		case u.version >= 2 && u.version <= 4:
			u.abbrevOff = c.uN(int(u.offSize))
			u.addrSize = c.u8()
			u.unitType = utCompile
		case u.version == 5:
			u.unitType = c.u8()
			u.addrSize = c.u8()
			u.abbrevOff = c.uN(int(u.offSize))
			switch u.unitType {
			case utSkeleton, utSplitCompile:
				c.u64()
			case utType, utSplitType:
				c.u64()
				c.uN(int(u.offSize))
			}
		default:
			return fmt.Errorf("%w: .debug_info: unit at 0x%x: DWARF version %d", ErrUnsupported, u.off, u.version)
		}
		if c.err != nil || uint64(c.off) > u.end {
			return fmt.Errorf("%w: .debug_info: unit at 0x%x: truncated header", ErrMalformed, u.off)
		}
		if u.addrSize != 4 && u.addrSize != 8 {
			return fmt.Errorf("%w: .debug_info: unit at 0x%x: unsupported address size %d", ErrMalformed, u.off, u.addrSize)
		}
		u.dieOff = uint64(c.off)
		d.units = append(d.units, u)
		c.off = int(u.end)
	}
	return nil
}

// unitReader decodes the DIEs of one unit.
type unitReader struct {
	d        *dwarfData
	u        *unitHeader
	abbrevs  *abbrevTable
	strBase  uint64 // DW_AT_str_offsets_base
	addrBase uint64 // DW_AT_addr_base
	le       bool   // little-endian
}

// readUnit decodes every DIE of unit u into dies (reusing its storage),
// in DIE order, with end set.
//
// It also returns the unit's DW_AT_addr_base, for DW_OP_addrx.
func (d *dwarfData) readUnit(u *unitHeader, dies []die) ([]die, uint64, error) {
	dies, r, err := d.readUnitDIEs(u, dies)
	if r == nil {
		return dies, 0, err
	}
	return dies, r.addrBase, err
}

func (d *dwarfData) readUnitDIEs(u *unitHeader, dies []die) ([]die, *unitReader, error) {
	t, owned, err := d.unitAbbrevs(u)
	if err != nil {
		return dies, nil, err
	}
	if owned {
		defer putAbbrevTable(t)
	}
	r := &unitReader{d: d, u: u, abbrevs: t, strBase: 8, addrBase: 8, le: d.bo == binary.LittleEndian}
	if u.offSize == 8 {
		r.strBase = 16
		r.addrBase = 16
	}
	c := &cursor{b: d.info[:u.end], off: int(u.dieOff), bo: d.bo}
	if err := r.bases(c); err != nil {
		return dies, r, err
	}
	dies = dies[:0]
	var stack []int32
	for c.off < len(c.b) {
		off := uint64(c.off)
		code := c.uleb()
		if c.err != nil {
			return dies, r, fmt.Errorf("DIE 0x%x: %w", off, c.err)
		}
		if code == 0 {
			if len(stack) == 0 {
				continue // padding after the unit's DIE
			}
			dies[stack[len(stack)-1]].end = int32(len(dies))
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				break
			}
			continue
		}
		a := t.get(code)
		if a == nil {
			return dies, r, fmt.Errorf("DIE 0x%x: unknown abbreviation code %d", off, code)
		}
		dies = append(dies, die{off: off, tag: a.tag, children: a.children})
		e := &dies[len(dies)-1]
		r.decode(c, e, a)
		if c.err != nil {
			return dies, r, fmt.Errorf("DIE 0x%x: %w", off, c.err)
		}
		e.end = int32(len(dies))
		if a.children {
			stack = append(stack, int32(len(dies)-1))
		}
		if len(dies) == 1 && !a.children {
			break
		}
	}
	for _, i := range stack {
		dies[i].end = int32(len(dies))
	}
	return dies, r, nil
}

// bases reads DW_AT_str_offsets_base and DW_AT_addr_base from the unit's
// DIE, which strx and addrx forms (even the unit DIE's own) depend on.
func (r *unitReader) bases(c0 *cursor) error {
	c := *c0
	code := c.uleb()
	a := r.abbrevs.get(code)
	if a == nil {
		if c.err != nil {
			return c.err
		}
		return fmt.Errorf("DIE 0x%x: unknown abbreviation code %d", c0.off, code)
	}
	var scratch die
	for _, s := range a.attrs {
		switch s.attr {
		case atStrOffsetsBase, atAddrBase:
			v := r.offsetValue(&c, s.form)
			if s.attr == atStrOffsetsBase {
				r.strBase = v
			} else {
				r.addrBase = v
			}
		default:
			r.skipOrDecode(&c, &scratch, s.form, s.implicit, true)
		}
	}
	return c.err
}

func (r *unitReader) offsetValue(c *cursor, form uint32) uint64 {
	switch form {
	case formSecOffset, formStrp, formLineStrp:
		return c.uN(int(r.u.offSize))
	case formData4:
		return uint64(c.u32())
	case formData8:
		return c.u64()
	case formUdata:
		return c.uleb()
	}
	c.fail(fmt.Errorf("form 0x%x for a section offset", form))
	return 0
}

// value is a decoded attribute value.
type value struct {
	class uint8 // one of the cls* constants
	u     uint64
	s     int64
	b     []byte
}

const (
	clsNone = iota
	clsConst
	clsSigned
	clsRef
	clsString
	clsBlock
	clsFlag
	clsAddr
	clsOther
	clsAlt // a reference that is not followed (DW_FORM_ref_sig8, into a type unit)
)

// attr decodes one attribute into e.
func (r *unitReader) attr(c *cursor, e *die, at, form uint32, implicit int64) {
	switch at {
	case atName, atType, atByteSize, atBitOffset, atBitSize, atConstValue, atUpperBound,
		atAbstractOrigin, atCount, atDataMemberLoc, atDeclaration, atEncoding, atExternal,
		atSpecification, atDataBitOffset, atLocation, atImport:
	default:
		r.skipOrDecode(c, e, form, implicit, true)
		return
	}
	v := r.skipOrDecode(c, e, form, implicit, false)
	num := v.class == clsConst || v.class == clsSigned
	var n int64
	if v.class == clsConst {
		n = int64(v.u)
	} else {
		n = v.s
	}
	switch at {
	case atName:
		if v.class == clsString {
			e.name, e.has = v.b, e.has|hasName
		}
	case atType, atAbstractOrigin, atSpecification, atImport:
		if v.class == clsAlt {
			e.has |= hasRefOutside
			return
		}
		if v.class != clsRef {
			return
		}
		switch at {
		case atType:
			e.typ, e.has = v.u, e.has|hasType
		case atAbstractOrigin:
			e.abstractOrigin, e.has = v.u, e.has|hasAbstractOrigin
		case atSpecification:
			e.specification, e.has = v.u, e.has|hasSpecification
		case atImport:
			e.importOff, e.has = v.u, e.has|hasImport
		}
	case atByteSize, atBitOffset, atBitSize, atDataBitOffset, atEncoding, atUpperBound, atCount:
		if num {
			setNum(e, numField(at), n)
		} else if at == atUpperBound {
			e.has |= hasUpperBoundOther
		}
	case atConstValue:
		switch {
		case num:
			setNum(e, fConstValue, n)
		case v.class == clsString:
			if e.tag == tagLLVMAnnotation {
				e.blob = v.b
			}
		}
	case atDataMemberLoc:
		switch {
		case num:
			setNum(e, fMemberLoc, n)
		case v.class == clsBlock:
			setNum(e, fMemberLoc, int64(exprOffset(v.b)))
		}
	case atDeclaration:
		if v.class == clsFlag && v.u != 0 {
			e.has |= hasDeclaration
		}
	case atExternal:
		if v.class == clsFlag && v.u != 0 {
			e.has |= hasExternal
		}
	case atLocation:
		if v.class == clsBlock {
			if e.tag == tagVariable {
				e.blob = v.b
			}
			e.has |= hasLocation
		}
	}
}

// exprOffset evaluates a DWARF 2 member location: DW_OP_plus_uconst N.
func exprOffset(b []byte) uint64 {
	if len(b) > 1 && b[0] == 0x23 {
		c := &cursor{b: b, off: 1}
		return c.uleb()
	}
	return 0
}

// skipOrDecode reads one attribute value of the given form. With skip,
// it only moves past it (strings are not looked up).
func (r *unitReader) skipOrDecode(c *cursor, e *die, form uint32, implicit int64, skip bool) value {
	offSize := int(r.u.offSize)
	switch form {
	case formAddr:
		return value{class: clsAddr, u: c.uN(int(r.u.addrSize))}
	case formAddrx, formGNUAddrIndex:
		c.uleb()
		return value{class: clsOther}
	case formAddrx1:
		c.u8()
		return value{class: clsOther}
	case formAddrx2:
		c.u16()
		return value{class: clsOther}
	case formAddrx3:
		c.u24()
		return value{class: clsOther}
	case formAddrx4:
		c.u32()
		return value{class: clsOther}
	case formBlock1:
		return value{class: clsBlock, b: c.bytes(uint64(c.u8()))}
	case formBlock2:
		return value{class: clsBlock, b: c.bytes(uint64(c.u16()))}
	case formBlock4:
		return value{class: clsBlock, b: c.bytes(uint64(c.u32()))}
	case formBlock, formExprloc:
		return value{class: clsBlock, b: c.bytes(c.uleb())}
	case formData1:
		return value{class: clsConst, u: uint64(c.u8())}
	case formData2:
		return value{class: clsConst, u: uint64(c.u16())}
	case formData4:
		return value{class: clsConst, u: uint64(c.u32())}
	case formData8:
		return value{class: clsConst, u: c.u64()}
	case formData16:
		c.bytes(16)
		return value{class: clsOther}
	case formSdata:
		return value{class: clsSigned, s: c.sleb()}
	case formUdata:
		return value{class: clsConst, u: c.uleb()}
	case formImplicitConst:
		return value{class: clsSigned, s: implicit}
	case formFlag:
		return value{class: clsFlag, u: uint64(c.u8())}
	case formFlagPresent:
		return value{class: clsFlag, u: 1}
	case formString:
		return value{class: clsString, b: c.cstr()}
	case formStrp, formLineStrp:
		off := c.uN(offSize)
		if skip || c.err != nil {
			return value{class: clsOther}
		}
		sec := r.d.str
		if form == formLineStrp {
			sec = r.d.lineStr
		}
		s, err := cstrAt(sec, off)
		if err != nil {
			c.fail(err)
		}
		return value{class: clsString, b: s}
	case formStrx, formGNUStrIndex:
		return r.strx(c, c.uleb(), skip)
	case formStrx1:
		return r.strx(c, uint64(c.u8()), skip)
	case formStrx2:
		return r.strx(c, uint64(c.u16()), skip)
	case formStrx3:
		return r.strx(c, uint64(c.u24()), skip)
	case formStrx4:
		return r.strx(c, uint64(c.u32()), skip)
	case formRef1:
		return value{class: clsRef, u: r.u.off + uint64(c.u8())}
	case formRef2:
		return value{class: clsRef, u: r.u.off + uint64(c.u16())}
	case formRef4:
		return value{class: clsRef, u: r.u.off + uint64(c.u32())}
	case formRef8:
		return value{class: clsRef, u: r.u.off + c.u64()}
	case formRefUdata:
		return value{class: clsRef, u: r.u.off + c.uleb()}
	case formRefAddr:
		if r.u.version <= 2 {
			return value{class: clsRef, u: c.uN(int(r.u.addrSize))}
		}
		return value{class: clsRef, u: c.uN(offSize)}
	case formRefSig8:
		c.u64()
		return value{class: clsAlt}
	case formRefSup4: // references into the supplementary file: see altfile.go
		return value{class: clsRef, u: uint64(c.u32()) | altOffset}
	case formRefSup8:
		return value{class: clsRef, u: c.u64() | altOffset}
	case formGNURefAlt:
		return value{class: clsRef, u: c.uN(offSize) | altOffset}
	case formGNUStrpAlt, formStrpSup:
		off := c.uN(offSize)
		if skip || c.err != nil {
			return value{class: clsOther}
		}
		return r.altString(c, off)
	case formSecOffset:
		c.uN(offSize)
		return value{class: clsOther}
	case formLoclistx, formRnglistx:
		c.uleb()
		return value{class: clsOther}
	case formIndirect:
		f := c.uleb()
		if f == formIndirect || f == formImplicitConst {
			c.fail(fmt.Errorf("bad indirect form 0x%x", f))
			return value{}
		}
		return r.skipOrDecode(c, e, uint32(f), 0, skip)
	}
	c.fail(fmt.Errorf("unknown form 0x%x", form))
	return value{}
}

// strx looks a string up through .debug_str_offsets.
func (r *unitReader) strx(c *cursor, idx uint64, skip bool) value {
	if skip || c.err != nil {
		return value{class: clsOther}
	}
	n := uint64(r.u.offSize)
	pos := r.strBase + idx*n
	if idx > uint64(len(r.d.strOffsets)) || pos < r.strBase || pos > uint64(len(r.d.strOffsets)) || uint64(len(r.d.strOffsets))-pos < n {
		c.fail(fmt.Errorf("string index %d out of range of .debug_str_offsets", idx))
		return value{}
	}
	sc := &cursor{b: r.d.strOffsets, off: int(pos), bo: r.d.bo}
	s, err := cstrAt(r.d.str, sc.uN(int(n)))
	if err != nil {
		c.fail(err)
	}
	return value{class: clsString, b: s}
}
