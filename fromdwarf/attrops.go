package fromdwarf

import (
	"encoding/binary"
	"fmt"
)

// This file compiles each abbreviation's attribute list into a short
// program for readUnitDIEs: runs of attributes the encoder does not use and
// whose forms have a fixed size become one skip of their total size, and
// the common attribute and form pairs of the attributes it does use (a
// name in .debug_str, a 4-byte reference, a constant) are decoded straight
// into their field of die. Everything else goes through unitReader.attr,
// which the program reproduces exactly: the fast paths are shortcuts of
// that function, not another decoder.

// attrOp is one step of an abbreviation's program.
type attrOp struct {
	kind     uint8
	field    uint8  // for the decoding kinds: which field of die (f*)
	n        uint16 // opSkip: bytes to skip
	attr     uint32 // opGeneric, opGenericSkip
	form     uint32
	implicit int64
}

// Kinds of attrOp.
const (
	opSkip       = iota // n bytes
	opSkipULEB          // a LEB128 number (also SLEB128)
	opSkipString        // a NUL-terminated string
	opSkipBlock1        // a block of 1-, 2- or 4-byte or ULEB128 length
	opSkipBlock2
	opSkipBlock4
	opSkipBlockULEB
	opGeneric     // unitReader.attr
	opGenericSkip // unitReader.skipOrDecode, skipping
	opNameStrp4   // DW_AT_name, DW_FORM_strp in 32-bit DWARF
	opNameString  // DW_AT_name, DW_FORM_string
	opRef4        // a reference field, DW_FORM_ref4
	opNum1        // a numeric field, DW_FORM_data1 (unsigned)
	opNum2
	opNum4
	opNum8
	opNumULEB     // DW_FORM_udata
	opNumSLEB     // DW_FORM_sdata
	opNumImplicit // DW_FORM_implicit_const
	opFlagPresent // a flag field, DW_FORM_flag_present
)

// Fields of die that the fast ops write.
const (
	fType = iota
	fAbstractOrigin
	fSpecification
	fByteSize
	fBitOffset
	fBitSize
	fDataBitOffset
	fMemberLoc
	fConstValue
	fUpperBound
	fCount
	fEncoding
	fDeclaration
	fExternal
	fNone
)

// numField maps the attributes whose constant values the fast ops store
// to their field.
func numField(at uint32) uint8 {
	switch at {
	case atByteSize:
		return fByteSize
	case atBitOffset:
		return fBitOffset
	case atBitSize:
		return fBitSize
	case atDataBitOffset:
		return fDataBitOffset
	case atDataMemberLoc:
		return fMemberLoc
	case atConstValue:
		return fConstValue
	case atUpperBound:
		return fUpperBound
	case atCount:
		return fCount
	case atEncoding:
		return fEncoding
	}
	return fNone
}

// usedAttr reports whether unitReader.attr decodes attribute at (rather
// than skipping it).
func usedAttr(at uint32) bool {
	switch at {
	case atName, atType, atByteSize, atBitOffset, atBitSize, atConstValue, atUpperBound,
		atAbstractOrigin, atCount, atDataMemberLoc, atDeclaration, atEncoding, atExternal,
		atSpecification, atDataBitOffset, atLocation, atImport:
		return true
	}
	return false
}

// isUnitTag reports whether t is the tag of a unit's own DIE, whose name
// the encoder uses as a Go string and so keeps exact (see die.name).
func isUnitTag(t uint32) bool {
	switch t {
	case tagCompileUnit, tagPartialUnit, tagTypeUnit, 0x4a /* DW_TAG_skeleton_unit */ :
		return true
	}
	return false
}

// fixedSize returns the size of a value of form in a unit with the given
// offset and address sizes and version, or -1 when it varies.
func fixedSize(form uint32, offSize, addrSize int, version uint16) int {
	switch form {
	case formFlagPresent, formImplicitConst:
		return 0
	case formData1, formRef1, formFlag, formStrx1, formAddrx1:
		return 1
	case formData2, formRef2, formStrx2, formAddrx2:
		return 2
	case formStrx3, formAddrx3:
		return 3
	case formData4, formRef4, formStrx4, formAddrx4, formRefSup4:
		return 4
	case formData8, formRef8, formRefSig8, formRefSup8:
		return 8
	case formData16:
		return 16
	case formAddr:
		return addrSize
	case formStrp, formLineStrp, formSecOffset, formStrpSup, formGNUStrpAlt, formGNURefAlt:
		return offSize
	case formRefAddr:
		if version <= 2 {
			return addrSize
		}
		return offSize
	}
	return -1
}

// compile builds the program of every abbreviation of t for unit u.
func (t *abbrevTable) compile(u *unitHeader) {
	t.ops = t.ops[:0]
	spans := t.spans[:0]
	for i := range t.dense {
		start := len(t.ops)
		t.ops = t.dense[i].compile(t.ops, u)
		spans = append(spans, span{int32(start), int32(len(t.ops))})
	}
	for i := range t.extra {
		start := len(t.ops)
		t.ops = t.extra[i].compile(t.ops, u)
		spans = append(spans, span{int32(start), int32(len(t.ops))})
	}
	for i := range t.dense {
		sp := spans[i]
		t.dense[i].ops = t.ops[sp.start:sp.end:sp.end]
	}
	for i := range t.extra {
		sp := spans[len(t.dense)+i]
		t.extra[i].ops = t.ops[sp.start:sp.end:sp.end]
	}
	t.spans = spans
}

// compile appends the program of a for unit u to ops.
func (a *abbrev) compile(ops []attrOp, u *unitHeader) []attrOp {
	offSize, addrSize := int(u.offSize), int(u.addrSize)
	first := len(ops)
	skip := func(n int) {
		if k := len(ops) - 1; k >= first && ops[k].kind == opSkip && int(ops[k].n)+n <= 0xffff {
			ops[k].n += uint16(n)
			return
		}
		ops = append(ops, attrOp{kind: opSkip, n: uint16(n)})
	}
	for _, s := range a.attrs {
		if !usedAttr(s.attr) {
			switch n := fixedSize(s.form, offSize, addrSize, u.version); {
			case n == 0:
			case n > 0:
				skip(n)
			default:
				op := attrOp{kind: opGenericSkip, attr: s.attr, form: s.form, implicit: s.implicit}
				switch s.form {
				case formUdata, formSdata, formStrx, formAddrx, formGNUAddrIndex, formGNUStrIndex,
					formRefUdata, formLoclistx, formRnglistx:
					op.kind = opSkipULEB
				case formString:
					op.kind = opSkipString
				case formBlock1:
					op.kind = opSkipBlock1
				case formBlock2:
					op.kind = opSkipBlock2
				case formBlock4:
					op.kind = opSkipBlock4
				case formBlock, formExprloc:
					op.kind = opSkipBlockULEB
				}
				ops = append(ops, op)
			}
			continue
		}
		op := attrOp{kind: opGeneric, attr: s.attr, form: s.form, implicit: s.implicit}
		switch s.attr {
		case atName:
			switch {
			case isUnitTag(a.tag):
			case s.form == formStrp && offSize == 4:
				op.kind = opNameStrp4
			case s.form == formString:
				op.kind = opNameString
			}
		case atType, atAbstractOrigin, atSpecification:
			if s.form == formRef4 {
				op.kind = opRef4
				switch s.attr {
				case atType:
					op.field = fType
				case atAbstractOrigin:
					op.field = fAbstractOrigin
				default:
					op.field = fSpecification
				}
			}
		case atDeclaration, atExternal:
			if s.form == formFlagPresent {
				op.kind = opFlagPresent
				op.field = fDeclaration
				if s.attr == atExternal {
					op.field = fExternal
				}
			}
		default:
			if f := numField(s.attr); f != fNone {
				op.field = f
				switch s.form {
				case formData1:
					op.kind = opNum1
				case formData2:
					op.kind = opNum2
				case formData4:
					op.kind = opNum4
				case formData8:
					op.kind = opNum8
				case formUdata:
					op.kind = opNumULEB
				case formSdata:
					op.kind = opNumSLEB
				case formImplicitConst:
					op.kind = opNumImplicit
				}
			}
		}
		ops = append(ops, op)
	}
	return ops
}

// setNum stores the constant n of a numeric attribute, as unitReader.attr
// does for a value of class clsConst or clsSigned, in the field of die that
// holds it for e's tag.
func setNum(e *die, field uint8, n int64) {
	switch field {
	case fByteSize:
		e.byteSize, e.has = uint64(n), e.has|hasByteSize
	case fBitOffset:
		if e.has&hasDataBitOffset == 0 {
			e.bitOff = uint64(n)
		}
		e.has |= hasBitOffset
	case fBitSize:
		e.bitSize, e.has = uint64(n), e.has|hasBitSize
	case fDataBitOffset:
		e.bitOff, e.has = uint64(n), e.has|hasDataBitOffset
	case fMemberLoc:
		if e.tag == tagMember {
			e.val = n
		}
		e.has |= hasDataMemberLoc
	case fConstValue:
		if e.tag == tagEnumerator {
			e.val = n
		}
		e.has |= hasConstValue
	case fUpperBound:
		if e.tag == tagSubrangeType {
			e.val = n
		}
		e.has |= hasUpperBound
	case fCount:
		if e.tag == tagSubrangeType && e.has&hasUpperBound == 0 {
			e.val = n
		}
		e.has |= hasCount
	case fEncoding:
		e.encoding = uint8(min(uint64(n), 0xff))
		e.has |= hasEncoding
	}
}

// decode runs the program of abbreviation a on the attributes at c, into e.
func (r *unitReader) decode(c *cursor, e *die, a *abbrev) {
	b, off := c.b, c.off
	le := r.le
	for i := range a.ops {
		op := &a.ops[i]
		switch op.kind {
		case opSkip:
			off += int(op.n)
		case opSkipULEB:
			for {
				if off >= len(b) {
					goto short
				}
				x := b[off]
				off++
				if x < 0x80 {
					break
				}
			}
		case opSkipString:
			if off > len(b) {
				goto short
			}
			c.off = off
			c.cstr()
			if c.err != nil {
				return
			}
			off = c.off
		case opSkipBlock1, opSkipBlock2, opSkipBlock4, opSkipBlockULEB, opGenericSkip:
			if off > len(b) {
				goto short
			}
			c.off = off
			r.skipOrDecode(c, e, op.form, op.implicit, true)
			if c.err != nil {
				return
			}
			off = c.off
		case opGeneric:
			if off > len(b) {
				goto short
			}
			c.off = off
			r.attr(c, e, op.attr, op.form, op.implicit)
			if c.err != nil {
				return
			}
			off = c.off
		case opNameStrp4:
			if len(b)-off < 4 {
				goto short
			}
			var k uint32
			if le {
				k = binary.LittleEndian.Uint32(b[off:])
			} else {
				k = binary.BigEndian.Uint32(b[off:])
			}
			off += 4
			sec := r.d.str
			if uint64(k) >= uint64(len(sec)) || sec[len(sec)-1] != 0 {
				// Out of range, or a section whose last string is not
				// terminated: as unitReader.attr does.
				s, err := cstrAt(sec, uint64(k))
				if err != nil {
					c.fail(err)
					return
				}
				e.name, e.has = s, e.has|hasName
				continue
			}
			// The string runs up to its NUL: see die.name.
			e.name, e.has = sec[k:len(sec):len(sec)], e.has|hasName
		case opNameString:
			if off > len(b) {
				goto short
			}
			c.off = off
			s := c.cstr()
			if c.err != nil {
				return
			}
			off = c.off
			e.name, e.has = s, e.has|hasName
		case opRef4:
			if len(b)-off < 4 {
				goto short
			}
			var k uint32
			if le {
				k = binary.LittleEndian.Uint32(b[off:])
			} else {
				k = binary.BigEndian.Uint32(b[off:])
			}
			off += 4
			v := r.u.off + uint64(k)
			switch op.field {
			case fType:
				e.typ, e.has = v, e.has|hasType
			case fAbstractOrigin:
				e.abstractOrigin, e.has = v, e.has|hasAbstractOrigin
			case fSpecification:
				e.specification, e.has = v, e.has|hasSpecification
			}
		case opNum1:
			if off >= len(b) {
				goto short
			}
			setNum(e, op.field, int64(b[off]))
			off++
		case opNum2:
			if len(b)-off < 2 {
				goto short
			}
			var k uint16
			if le {
				k = binary.LittleEndian.Uint16(b[off:])
			} else {
				k = binary.BigEndian.Uint16(b[off:])
			}
			off += 2
			setNum(e, op.field, int64(k))
		case opNum4:
			if len(b)-off < 4 {
				goto short
			}
			var k uint32
			if le {
				k = binary.LittleEndian.Uint32(b[off:])
			} else {
				k = binary.BigEndian.Uint32(b[off:])
			}
			off += 4
			setNum(e, op.field, int64(k))
		case opNum8:
			if len(b)-off < 8 {
				goto short
			}
			var k uint64
			if le {
				k = binary.LittleEndian.Uint64(b[off:])
			} else {
				k = binary.BigEndian.Uint64(b[off:])
			}
			off += 8
			setNum(e, op.field, int64(k))
		case opNumULEB, opNumSLEB:
			if off > len(b) {
				goto short
			}
			c.off = off
			var n int64
			if op.kind == opNumULEB {
				n = int64(c.uleb())
			} else {
				n = c.sleb()
			}
			if c.err != nil {
				return
			}
			off = c.off
			setNum(e, op.field, n)
		case opNumImplicit:
			setNum(e, op.field, op.implicit)
		case opFlagPresent:
			if op.field == fDeclaration {
				e.has |= hasDeclaration
			} else {
				e.has |= hasExternal
			}
		default:
			c.fail(fmt.Errorf("internal error: attribute op %d", op.kind))
			return
		}
	}
	if off > len(b) {
		goto short
	}
	c.off = off
	return
short:
	c.fail(errShort)
}
