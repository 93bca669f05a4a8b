package corerel

import (
	"errors"

	"github.com/btfhub/btfhub/btf"
)

// errPoison asks for the instruction to be poisoned (libbpf's -EUCLEAN).
var errPoison = errors.New("poison")

// relocRes is libbpf's struct bpf_core_relo_res: the value the compiler
// put in the instruction, the value for the target, and how to patch.
type relocRes struct {
	origVal, newVal   uint64
	poison            bool
	validate          bool
	failMemszAdjust   bool
	origSize, newSize uint32
	origType, newType btf.TypeID
}

// calcField computes a field relocation's value over spec sp (nil when no
// candidate matched), as libbpf's bpf_core_calc_field_relo. It returns the
// value and, for byte_off of a non-bitfield, the field's size and type.
func calcField(kind btf.COREKind, sp *coreSpec, validate *bool) (val uint64, size uint32, typ btf.TypeID, err error) {
	if kind == btf.COREFieldExists {
		if sp != nil {
			return 1, 0, 0, nil
		}
		return 0, 0, 0, nil
	}
	if sp == nil {
		return 0, 0, 0, errPoison
	}
	acc := sp.acc[len(sp.acc)-1]
	if acc.Name == "" {
		// An array element: only its offset and size make sense.
		sz, err := resolveSize(sp.spec, acc.TypeID)
		if err != nil {
			return 0, 0, 0, err
		}
		switch kind {
		case btf.COREFieldByteOffset:
			val, size, typ = uint64(sp.bitOffset/8), uint32(sz), acc.TypeID
		case btf.COREFieldByteSize:
			val = uint64(sz)
		default:
			return 0, 0, 0, specErr("relocation %s cannot be applied to an array element", kind)
		}
		if validate != nil {
			*validate = true
		}
		return val, size, typ, nil
	}
	t, err := typeOf(sp.spec, acc.TypeID)
	if err != nil {
		return 0, 0, 0, err
	}
	m := t.Member(acc.Index)
	mt, err := skipMods(sp.spec, m.Type)
	if err != nil {
		return 0, 0, 0, err
	}
	fieldType := mt.ID()
	bitOff := sp.bitOffset
	bitSz := m.BitfieldSize
	var byteOff, byteSz uint32
	bitfield := bitSz > 0
	if bitfield {
		byteSz = mt.Size()
		if byteSz == 0 {
			return 0, 0, 0, specErr("bitfield %q of [%d] has a type of size 0", m.Name, t.ID())
		}
		byteOff = bitOff / 8 / byteSz * byteSz
		// The smallest load that holds the whole bitfield.
		for bitOff+bitSz-byteOff*8 > byteSz*8 {
			if byteSz >= 8 {
				return 0, 0, 0, specErr("bitfield %q of [%d] cannot be read with a 64-bit load", m.Name, t.ID())
			}
			byteSz *= 2
			byteOff = bitOff / 8 / byteSz * byteSz
		}
	} else {
		sz, err := resolveSize(sp.spec, fieldType)
		if err != nil {
			return 0, 0, 0, err
		}
		byteSz = uint32(sz)
		byteOff = sp.bitOffset / 8
		bitSz = byteSz * 8
	}
	// libbpf does not check what the compiler put in for bitfields,
	// except signedness and right shifts.
	if validate != nil {
		*validate = !bitfield
	}
	switch kind {
	case btf.COREFieldByteOffset:
		val = uint64(byteOff)
		if !bitfield {
			size, typ = byteSz, fieldType
		}
	case btf.COREFieldByteSize:
		val = uint64(byteSz)
	case btf.COREFieldSigned:
		if isEnum(mt.Kind()) && mt.KindFlag() || mt.Kind() == btf.KindInt && mt.Int().Encoding&btf.IntSigned != 0 {
			val = 1
		}
		if validate != nil {
			*validate = true
		}
	case btf.COREFieldLShiftU64:
		// Little-endian layout: the target's byte order is that of the
		// BPF program, which libbpf takes from the host it runs on.
		val = uint64(64 - (bitOff + bitSz - byteOff*8)) // 32-bit arithmetic, as in libbpf
	case btf.COREFieldRShiftU64:
		val = uint64(64 - bitSz)
		if validate != nil {
			*validate = true
		}
	default:
		return 0, 0, 0, specErr("unknown field relocation %s", kind)
	}
	return val, size, typ, nil
}

// calcType computes a type relocation's value (libbpf's
// bpf_core_calc_type_relo).
func calcType(kind btf.COREKind, sp *coreSpec, validate *bool) (uint64, error) {
	if validate != nil {
		*validate = true
	}
	if sp == nil {
		return 0, nil
	}
	switch kind {
	case btf.CORETypeIDTarget:
		if validate != nil {
			*validate = false
		}
		return uint64(sp.rootID), nil
	case btf.CORETypeExists, btf.CORETypeMatches:
		return 1, nil
	case btf.CORETypeSize:
		sz, err := resolveSize(sp.spec, sp.rootID)
		return uint64(sz), err
	}
	return 0, specErr("unknown type relocation %s", kind)
}

// calcEnum computes an enum value relocation's value (libbpf's
// bpf_core_calc_enumval_relo).
func calcEnum(kind btf.COREKind, sp *coreSpec) (uint64, error) {
	switch kind {
	case btf.COREEnumValueExists:
		if sp != nil {
			return 1, nil
		}
		return 0, nil
	case btf.COREEnumValue:
		if sp == nil {
			return 0, errPoison
		}
		t, err := typeOf(sp.spec, sp.acc[0].TypeID)
		if err != nil {
			return 0, err
		}
		v := t.EnumValue(sp.acc[0].Index).Value
		if t.Kind() == btf.KindEnum {
			// libbpf reads btf_enum.val, an __s32, into a __u64.
			v = uint64(int64(int32(uint32(v))))
		}
		return v, nil
	}
	return 0, specErr("unknown enum relocation %s", kind)
}

// calcRelo computes the original and new values of a relocation for the
// local spec and one target spec (nil when nothing matched), as libbpf's
// bpf_core_calc_relo.
func calcRelo(kind btf.COREKind, local, targ *coreSpec) (relocRes, error) {
	res := relocRes{validate: true}
	var err error
	switch {
	case kind.IsField():
		res.origVal, res.origSize, res.origType, err = calcField(kind, local, &res.validate)
		if err == nil {
			res.newVal, res.newSize, res.newType, err = calcField(kind, targ, nil)
		}
		if err == nil && res.origSize != res.newSize {
			ot, _ := local.spec.Type(res.origType)
			nt, _ := targ.spec.Type(res.newType)
			switch {
			case ot.Kind() == btf.KindPointer && nt.Kind() == btf.KindPointer:
			case ot.Kind() == btf.KindInt && nt.Kind() == btf.KindInt &&
				ot.Int().Encoding != btf.IntSigned && nt.Int().Encoding != btf.IntSigned:
			default:
				res.failMemszAdjust = true
			}
		}
	case kind.IsType():
		res.origVal, err = calcType(kind, local, &res.validate)
		if err == nil {
			res.newVal, err = calcType(kind, targ, nil)
		}
	case kind.IsEnumValue():
		res.origVal, err = calcEnum(kind, local)
		if err == nil {
			res.newVal, err = calcEnum(kind, targ)
		}
	default:
		err = specErr("unrecognized CO-RE relocation kind %d", uint32(kind))
	}
	if errors.Is(err, errPoison) {
		res.poison = true
		err = nil
	}
	return res, err
}
