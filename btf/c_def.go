package btf

import "strconv"

func (d *cDumper) int(v int64) {
	d.buf = strconv.AppendInt(d.buf, v, 10)
}

func (d *cDumper) uint(v uint64) {
	d.buf = strconv.AppendUint(d.buf, v, 10)
}

// emitStructDef writes the definition of a struct or union at nesting
// level lvl, as libbpf's btf_dump_emit_struct_def: the members with their
// bitfield sizes, unnamed bitfields for the gaps between them and at the
// end of a struct, and __attribute__((packed)) for a packed struct.
func (d *cDumper) emitStructDef(id TypeID, t Type, lvl int) error {
	isStruct := t.Kind() == KindStruct
	align := d.alignOf(id)
	packed := isStruct && d.isPacked(t)

	d.emitStructFwd(id, t)
	d.str(" {")

	var off int64
	prevBitfield := false
	vlen := t.Vlen()
	for i := range vlen {
		m := t.Member(i)
		mAlign := 1
		if !packed {
			mAlign = d.alignOf(m.Type)
		}
		inBitfield := prevBitfield && m.BitfieldSize != 0
		if err := d.checkPadding(id, t, off, int64(m.BitOffset)); err != nil {
			return err
		}
		d.emitBitPadding(off, int64(m.BitOffset), mAlign, inBitfield, lvl+1)
		d.str("\n")
		d.str(cIndent(lvl + 1))
		if err := d.emitDecl(m.Type, m.Name, lvl+1); err != nil {
			return err
		}
		if m.BitfieldSize != 0 {
			d.str(": ")
			d.int(int64(m.BitfieldSize))
			off = int64(m.BitOffset) + int64(m.BitfieldSize)
			prevBitfield = true
		} else {
			off = int64(m.BitOffset) + max(0, d.resolveSize(m.Type))*8
			prevBitfield = false
		}
		d.str(";")
	}
	if isStruct {
		if err := d.checkPadding(id, t, off, int64(t.Size())*8); err != nil {
			return err
		}
		d.emitBitPadding(off, int64(t.Size())*8, align, false, lvl+1)
	}
	// An empty struct stays on one line.
	if vlen != 0 || t.Size() != 0 {
		d.str("\n")
		d.str(cIndent(lvl))
	}
	d.str("}")
	if packed {
		d.str(" __attribute__((packed))")
	}
	if a := d.extraAlign(t, off, align, packed); a != 0 {
		d.str(" __attribute__((aligned(")
		d.int(int64(a))
		d.str(")))")
	}
	return nil
}

// checkPadding fails when the gap from bit cur to bit next of struct id is
// more than CMaxPaddingBytes.
func (d *cDumper) checkPadding(id TypeID, t Type, cur, next int64) error {
	if next-cur <= CMaxPaddingBytes*8 {
		d.mostPadding = max(d.mostPadding, next-cur)
		return nil
	}
	return formatErr(ErrOutputLimit, -1, id, "writing C: %s %q needs %d bytes of padding at byte %d, more than %d",
		t.Kind(), t.Name(), (next-cur)/8, cur/8, CMaxPaddingBytes)
}

// extraAlign returns the alignment a union needs beyond its members' to
// have its size in BTF, or 0 when the compiler's layout already gives that
// size. This is where WriteC departs from libbpf 1.1, which writes no
// aligned attribute: libbpf pads structs to their size with unnamed
// bitfields but cannot pad unions that way, so a union such as
// `union { int x; } __aligned(8)` would come out 4 bytes long.
func (d *cDumper) extraAlign(t Type, end int64, align int, packed bool) int {
	if t.Kind() != KindUnion || packed || align <= 0 {
		return 0
	}
	size := int64(t.Size())
	var largest int64
	for i := range t.Vlen() {
		m := t.Member(i)
		if m.BitfieldSize != 0 {
			largest = max(largest, (int64(m.BitOffset)+int64(m.BitfieldSize)+7)/8)
		} else {
			largest = max(largest, int64(m.BitOffset)/8+max(0, d.resolveSize(m.Type)))
		}
	}
	if cRoundUp(largest, int64(align)) == size {
		return 0
	}
	// The smallest power of two that rounds the members up to the size.
	for a := int64(align) * 2; a <= size && a <= 1<<12; a *= 2 {
		if cRoundUp(largest, a) == size {
			return int(a)
		}
	}
	return 0
}

// emitEnumDef writes an enum with its values, as libbpf's
// btf_dump_emit_enum_def: signed values (kind flag set) in decimal with
// their sign, 64-bit values with an LL or ULL suffix, and a mode attribute
// for enums of 1 byte, and of 8 bytes whose values fit in 32 bits.
func (d *cDumper) emitEnumDef(id TypeID, t Type, lvl int) {
	vlen := t.Vlen()
	d.str("enum")
	if t.NameOff() != 0 {
		d.str(" ")
	}
	d.str(d.typeName(id, t))
	if vlen == 0 {
		return
	}
	d.str(" {")
	is64 := t.Kind() == KindEnum64
	signed := t.KindFlag()
	for i := range vlen {
		v := t.EnumValue(i)
		// Enumerators share their namespace with typedefs.
		n := cCountName(d.identNames, v.Name)
		d.str("\n")
		d.str(cIndent(lvl + 1))
		d.str(v.Name)
		if n > 1 {
			d.str("___")
			d.int(int64(n))
		}
		d.str(" = ")
		switch {
		case is64 && signed:
			d.int(int64(v.Value))
			d.str("LL")
		case is64:
			d.uint(v.Value)
			d.str("ULL")
		case signed:
			d.int(int64(int32(uint32(v.Value))))
		default:
			d.uint(v.Value)
		}
		d.str(",")
	}
	d.str("\n")
	d.str(cIndent(lvl))
	d.str("}")

	switch {
	case t.Size() == 1:
		d.str(" __attribute__((mode(byte)))")
	case t.Size() == 8 && d.ptrSz == 8:
		// A 64-bit enum gets 64 bits from its values when one of them
		// needs them; otherwise it needs mode(word).
		word := true
		if is64 {
			for i := range vlen {
				if t.EnumValue(i).Value>>32 != 0 {
					word = false
					break
				}
			}
		}
		if word {
			d.str(" __attribute__((mode(word)))")
		}
	}
}
