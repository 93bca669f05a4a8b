package fromdwarf

// Structs and unions: member offsets and bitfields.

import (
	"encoding/binary"

	"github.com/btfhub/btfhub/btf"
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
			off = btf.MemberOffsetWord(bits, off)
		}
		ms[3*k], ms[3*k+1], ms[3*k+2] = name, typ, off
	}
	c.out.words = c.out.words[:start+3+3*n]
	c.out.words[start+1] = btf.MakeInfo(kind, kflag, n)
}
