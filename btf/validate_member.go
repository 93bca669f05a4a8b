package btf

// checkMember checks member i of struct id, whose type mt is resolved, as
// the check_member (or, for a kind-flagged struct, check_kflag_member)
// function of the member type's kind does in kernel/bpf/btf.c.
func (c *checker) checkMember(id TypeID, w []uint32, i int, mt TypeID) error {
	off := w[3+3*i+2]
	if isModifier(c.kindOf(mt)) {
		// btf_modifier_check_member: check the type the modifier resolves to.
		sized, _, ok := c.idSize(mt)
		if !ok {
			return c.failMember(id, i, "Invalid member")
		}
		mt = sized
	}
	if msg := c.memberFault(w, off, mt); msg != "" {
		return c.failMember(id, i, msg)
	}
	return nil
}

// memberFault returns the kernel's message for a member at offset word off
// of resolved type mt in struct w, or "" when it fits.
func (c *checker) memberFault(w []uint32, off uint32, mt TypeID) string {
	size := w[2]
	k := c.kindOf(mt)
	if kflag(w) {
		switch k {
		case KindInt:
			return c.intKflagMember(size, off, mt)
		case KindEnum, KindEnum64:
			return enumKflagMember(size, off)
		case KindPointer, KindArray, KindStruct, KindUnion, KindFloat:
			// btf_generic_check_kflag_member
			if off>>24 != 0 {
				return "Invalid member bitfield_size"
			}
		default:
			return "Unsupported check_kflag_member"
		}
	}
	switch k {
	case KindInt:
		return c.intMember(size, off, mt)
	case KindPointer:
		return alignedMember(size, off, kernelPtrSize)
	case KindArray:
		_, asize, _ := c.idSize(mt)
		return alignedMember(size, off, asize)
	case KindStruct, KindUnion, KindEnum, KindEnum64:
		return alignedMember(size, off, c.rec(mt)[2])
	case KindFloat:
		return floatMember(size, off, c.rec(mt)[2])
	}
	return "Unsupported check_member"
}

// alignedMember is btf_ptr_check_member, btf_array_check_member,
// btf_struct_check_member and btf_enum_check_member: a byte-aligned member
// of msize bytes within the struct (in the kernel's 32-bit arithmetic).
func alignedMember(size, off, msize uint32) string {
	if off&7 != 0 {
		return "Member is not byte aligned"
	}
	if size-off/8 < msize {
		return "Member exceeds struct_size"
	}
	return ""
}

// intMember is btf_int_check_member.
func (c *checker) intMember(size, off uint32, mt TypeID) string {
	data := c.rec(mt)[3]
	intOff := data >> 16 & 0xff
	if 0xffffffff-off < intOff {
		return "bits_offset exceeds U32_MAX"
	}
	off += intOff
	return bitsFit(size, off, data&0xff)
}

// bitsFit checks nr bits at bit offset off of a struct of size bytes.
func bitsFit(size, off, nr uint32) string {
	bytes := off / 8
	copyBits := nr + off&7
	if copyBits > kernelMaxU128Bits {
		return "nr_copy_bits exceeds 128"
	}
	if size < bytes || size-bytes < bytesUp(copyBits) {
		return "Member exceeds struct_size"
	}
	return ""
}

// intKflagMember is btf_int_check_kflag_member.
func (c *checker) intKflagMember(size, off uint32, mt TypeID) string {
	if !c.intRegular(mt) {
		return "Invalid member base type"
	}
	nr, bitOff := off>>24, off&0xffffff
	intBits := c.rec(mt)[3] & 0xff
	if nr == 0 {
		if bitOff&7 != 0 {
			return "Invalid member offset"
		}
		nr = intBits
	} else if nr > intBits {
		return "Invalid member bitfield_size"
	}
	return bitsFit(size, bitOff, nr)
}

// enumKflagMember is btf_enum_check_kflag_member.
func enumKflagMember(size, off uint32) string {
	nr, bitOff := off>>24, off&0xffffff
	if nr == 0 {
		if bitOff&7 != 0 {
			return "Member is not byte aligned"
		}
		nr = kernelIntBitfieldSz
	} else if nr > kernelIntBitfieldSz {
		return "Invalid member bitfield_size"
	}
	if size < bytesUp(bitOff+nr) {
		return "Member exceeds struct_size"
	}
	return ""
}

// floatMember is btf_float_check_member: aligned to the smaller of the
// float's size and a pointer's.
func floatMember(size, off, fsize uint32) string {
	align := uint64(min(fsize, kernelPtrSize)) * 8
	if align == 0 || uint64(off)%align != 0 {
		return "Member is not properly aligned"
	}
	if uint64(off/8)+uint64(fsize) > uint64(size) {
		return "Member exceeds struct_size"
	}
	return ""
}
