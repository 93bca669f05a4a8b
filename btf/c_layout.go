package btf

// resolveSize returns the size of type id in bytes as libbpf's
// btf__resolve_size computes it, or -1 when it has none.
func (d *cDumper) resolveSize(id TypeID) int64 {
	n, err := d.s.ResolveSize(id)
	if err != nil {
		return -1
	}
	return int64(n)
}

// alignOf returns the alignment in bytes that C gives type id, as libbpf's
// btf__align_of computes it from BTF: the size of a scalar, capped at the
// pointer size; the largest alignment of a struct's members; 1 for a struct
// whose members or size show that it is packed. It returns 0 for types
// without an alignment (void, functions).
func (d *cDumper) alignOf(id TypeID) int {
	t := d.s.typ(id)
	switch t.Kind() {
	case KindInt, KindEnum, KindEnum64, KindFloat:
		return min(d.ptrSz, int(t.Size()))
	case KindPointer:
		return d.ptrSz
	case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return d.alignOf(t.Ref())
	case KindArray:
		return d.alignOf(t.Array().Type)
	case KindStruct, KindUnion:
		st := &d.states[id]
		if st.align != 0 {
			return int(st.align) - 1
		}
		if st.aligning {
			return 0 // a struct that contains itself has no layout
		}
		st.aligning = true
		a := d.compositeAlign(t)
		st.aligning = false
		st.align = uint8(a + 1)
		return a
	}
	return 0
}

func (d *cDumper) compositeAlign(t Type) int {
	maxAlign := 1
	for i := range t.Vlen() {
		m := t.Member(i)
		a := d.alignOf(m.Type)
		if a <= 0 {
			return 0
		}
		maxAlign = max(maxAlign, a)
		// A member off its natural alignment means the struct is packed.
		if m.BitfieldSize == 0 && m.RawOffset%uint32(8*a) != 0 {
			return 1
		}
	}
	if t.Size()%uint32(maxAlign) != 0 {
		return 1
	}
	return maxAlign
}

// isPacked reports whether a struct needs __attribute__((packed)): a
// member that is not a bitfield lies off its natural alignment, or the size
// is not a multiple of the largest alignment (libbpf's
// btf_is_struct_packed).
func (d *cDumper) isPacked(t Type) bool {
	maxAlign := 1
	for i := range t.Vlen() {
		m := t.Member(i)
		a := d.alignOf(m.Type)
		if a != 0 && m.BitfieldSize == 0 && m.BitOffset%uint32(8*a) != 0 {
			return true
		}
		maxAlign = max(maxAlign, a)
	}
	return t.Size()%uint32(maxAlign) != 0
}

// cPads are the types used for padding, largest first; the first one's
// size is the pointer size.
var cPads = [...]struct {
	name string
	bits int64
}{{"long", 0}, {"int", 32}, {"short", 16}, {"char", 8}}

// emitBitPadding fills the bits from cur to next with unnamed bitfields,
// as libbpf's btf_dump_emit_bit_padding does. It relies on the natural
// alignment of the padding types to keep the explicit padding short:
// first it aligns to the largest padding type that fits (writing `type: 0`
// or an explicit bit count where the compiler would not align by itself),
// then it fills whole units, then the remainder with the smallest type
// that holds it.
func (d *cDumper) emitBitPadding(cur, next int64, nextAlign int, inBitfield bool, lvl int) {
	if cur >= next {
		return
	}
	pads := cPads
	pads[0].bits = int64(d.ptrSz) * 8
	var newOff, padBits int64
	var padType string
	for _, p := range pads {
		padBits, padType = p.bits, p.name
		newOff = cRoundUp(cur, padBits)
		if newOff <= next {
			break
		}
	}
	if newOff > cur && newOff <= next {
		if inBitfield ||
			(newOff == next && cRoundUp(cur, int64(nextAlign)*8) != newOff) ||
			(newOff != next && next-newOff <= newOff-cur) {
			n := int64(0)
			if inBitfield {
				n = newOff - cur
			}
			d.emitPad(padType, n, lvl)
		}
		cur = newOff
	}
	for cur != next {
		bits := min(next-cur, padBits)
		if bits == padBits {
			d.emitPad(padType, padBits, lvl)
			cur += bits
			continue
		}
		for i := len(pads) - 1; i >= 0; i-- {
			padType, padBits = pads[i].name, pads[i].bits
			if padBits < bits {
				continue
			}
			d.emitPad(padType, bits, lvl)
			cur += bits
			break
		}
	}
}

func (d *cDumper) emitPad(typ string, bits int64, lvl int) {
	d.str("\n")
	d.str(cIndent(lvl))
	d.str(typ)
	d.str(": ")
	d.int(bits)
	d.str(";")
}

func cRoundUp(x, to int64) int64 {
	if to <= 0 {
		return x
	}
	return (x + to - 1) / to * to
}
