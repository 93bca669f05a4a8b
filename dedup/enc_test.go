package dedup

import "github.com/btfhub/btfhub/btf"

// Helpers that encode type records as words, for tests that need exact
// control over the input (duplicate strings, FWDs, odd layouts).

func info(k btf.Kind, kflag bool, vlen int) uint32 {
	i := uint32(k)<<24 | uint32(vlen)
	if kflag {
		i |= 1 << 31
	}
	return i
}

func tInt(name, size uint32, enc btf.IntEncoding, bits uint32) []uint32 {
	return []uint32{name, info(btf.KindInt, false, 0), size, uint32(enc)<<24 | bits}
}

func tFloat(name, size uint32) []uint32 { return []uint32{name, info(btf.KindFloat, false, 0), size} }

func tRef(k btf.Kind, name, to uint32) []uint32 { return []uint32{name, info(k, false, 0), to} }

func tPtr(to uint32) []uint32 { return tRef(btf.KindPointer, 0, to) }

func tFwd(name uint32, union bool) []uint32 { return []uint32{name, info(btf.KindFwd, union, 0), 0} }

func tArray(elem, index, n uint32) []uint32 {
	return []uint32{0, info(btf.KindArray, false, 0), 0, elem, index, n}
}

// tStruct encodes a STRUCT (or UNION); members are name, type, bit offset
// triples.
func tStruct(k btf.Kind, name, size uint32, members ...uint32) []uint32 {
	return append([]uint32{name, info(k, false, len(members)/3), size}, members...)
}

// tEnum encodes an ENUM of size bytes; values are name, value pairs.
func tEnum(name, size uint32, values ...uint32) []uint32 {
	return append([]uint32{name, info(btf.KindEnum, false, len(values)/2), size}, values...)
}

// tEnum64 encodes an ENUM64; values are name, low word, high word triples.
func tEnum64(name, size uint32, values ...uint32) []uint32 {
	return append([]uint32{name, info(btf.KindEnum64, false, len(values)/3), size}, values...)
}

// tProto encodes a FUNC_PROTO; params are name, type pairs.
func tProto(ret uint32, params ...uint32) []uint32 {
	return append([]uint32{0, info(btf.KindFuncProto, false, len(params)/2), ret}, params...)
}

func tFunc(name, proto uint32, l btf.Linkage) []uint32 {
	return []uint32{name, info(btf.KindFunc, false, int(l)), proto}
}

func tVar(name, typ uint32) []uint32 { return []uint32{name, info(btf.KindVar, false, 0), typ, 0} }

// tDatasec encodes a DATASEC; vars are type, offset, size triples.
func tDatasec(name, size uint32, vars ...uint32) []uint32 {
	return append([]uint32{name, info(btf.KindDatasec, false, len(vars)/3), size}, vars...)
}

func tDeclTag(name, typ uint32, comp int32) []uint32 {
	return []uint32{name, info(btf.KindDeclTag, false, 0), typ, uint32(comp)}
}

func tTypeTag(name, typ uint32) []uint32 { return tRef(btf.KindTypeTag, name, typ) }

func cat(recs ...[]uint32) []uint32 {
	var w []uint32
	for _, r := range recs {
		w = append(w, r...)
	}
	return w
}

// strTab lays out strings as a string section and gives each one's
// offset: the section starts with the empty string.
type strTab struct {
	data string
	off  map[string]uint32
}

func newStrTab(strs ...string) *strTab {
	t := &strTab{data: "\x00", off: map[string]uint32{"": 0}}
	for _, s := range strs {
		if _, ok := t.off[s]; !ok {
			t.off[s] = uint32(len(t.data))
		}
		t.data += s + "\x00"
	}
	return t
}

// o returns the offset of s's first occurrence.
func (t *strTab) o(s string) uint32 {
	off, ok := t.off[s]
	if !ok {
		panic("no string " + s)
	}
	return off
}

// newSplitStrTab lays out the strings of split BTF over a base whose
// string section is baseLen bytes: offsets continue from the base's, and
// the section does not start with the empty string.
func newSplitStrTab(baseLen int, strs ...string) *strTab {
	t := &strTab{off: map[string]uint32{"": 0}}
	for _, s := range strs {
		if _, ok := t.off[s]; !ok {
			t.off[s] = uint32(baseLen + len(t.data))
		}
		t.data += s + "\x00"
	}
	return t
}
