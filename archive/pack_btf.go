package archive

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
)

// This file splits raw BTF into the parts a pack shares across kernels
// (see docs/archive-formats.md, "structural blobs"): its strings, and its
// type records with every string offset replaced by a string id and every
// type id by a type identity (gid) that is the same in every kernel of a
// group for what is recognisably the same type. Rebuilding reverses the
// mapping exactly.

// errNotStructural marks BTF that the structural encoding does not cover
// (big-endian, unusual section layout, duplicate strings, offsets into
// the middle of strings): such kernels are stored as plain zstd blobs.
var errNotStructural = errors.New("not structurally encodable")

// BTF kinds, as in the kernel's include/uapi/linux/btf.h.
const (
	kindInt = iota + 1
	kindPtr
	kindArray
	kindStruct
	kindUnion
	kindEnum
	kindFwd
	kindTypedef
	kindVolatile
	kindConst
	kindRestrict
	kindFunc
	kindFuncProto
	kindVar
	kindDatasec
	kindFloat
	kindDeclTag
	kindTypeTag
	kindEnum64
)

// recordShape says where a type record's strings and type references are:
// the third word is a type for ref kinds; extra words follow; then vlen
// members of memberWords words, with a string at strAt and a type at
// typeAt (-1: none).
type recordShape struct {
	typeInWord2 bool
	extra       int
	memberWords int
	strAt       int
	typeAt      int
	extraTypes  []int // indexes into the extra words that are types
}

var shapes = [...]recordShape{
	kindInt:       {extra: 1, strAt: -1, typeAt: -1},
	kindPtr:       {typeInWord2: true, strAt: -1, typeAt: -1},
	kindArray:     {extra: 3, strAt: -1, typeAt: -1, extraTypes: []int{0, 1}},
	kindStruct:    {memberWords: 3, strAt: 0, typeAt: 1},
	kindUnion:     {memberWords: 3, strAt: 0, typeAt: 1},
	kindEnum:      {memberWords: 2, strAt: 0, typeAt: -1},
	kindFwd:       {strAt: -1, typeAt: -1},
	kindTypedef:   {typeInWord2: true, strAt: -1, typeAt: -1},
	kindVolatile:  {typeInWord2: true, strAt: -1, typeAt: -1},
	kindConst:     {typeInWord2: true, strAt: -1, typeAt: -1},
	kindRestrict:  {typeInWord2: true, strAt: -1, typeAt: -1},
	kindFunc:      {typeInWord2: true, strAt: -1, typeAt: -1},
	kindFuncProto: {typeInWord2: true, memberWords: 2, strAt: 0, typeAt: 1},
	kindVar:       {typeInWord2: true, extra: 1, strAt: -1, typeAt: -1},
	kindDatasec:   {memberWords: 3, strAt: -1, typeAt: 0},
	kindFloat:     {strAt: -1, typeAt: -1},
	kindDeclTag:   {typeInWord2: true, extra: 1, strAt: -1, typeAt: -1},
	kindTypeTag:   {typeInWord2: true, strAt: -1, typeAt: -1},
	kindEnum64:    {memberWords: 3, strAt: 0, typeAt: -1},
}

// shapeOf returns the shape of a record from its info word.
func shapeOf(info uint32) (recordShape, int, bool) {
	kind := int(info >> 24 & 0x1f)
	if kind < kindInt || kind > kindEnum64 {
		return recordShape{}, 0, false
	}
	s := shapes[kind]
	return s, 3 + s.extra + int(info&0xffff)*s.memberWords, true
}

// forEachRef calls str for every string-offset word and typ for every
// type-id word of the record r (whose length fits its shape).
func forEachRef(r []uint32, str, typ func(*uint32)) {
	s, _, _ := shapeOf(r[1])
	str(&r[0])
	if s.typeInWord2 {
		typ(&r[2])
	}
	for _, i := range s.extraTypes {
		typ(&r[3+i])
	}
	if s.memberWords == 0 {
		return
	}
	for m := 3 + s.extra; m+s.memberWords <= len(r); m += s.memberWords {
		if s.strAt >= 0 {
			str(&r[m+s.strAt])
		}
		if s.typeAt >= 0 {
			typ(&r[m+s.typeAt])
		}
	}
}

// splitBTF is raw BTF cut into header, records and strings.
type splitBTF struct {
	header  []byte     // the hdr_len bytes of the header, verbatim
	records [][]uint32 // type records; records[i] is type id i+1
	strings []string   // the string section, cut at its NULs
	strOffs []uint32   // the offset of each string
}

// splitRaw parses little-endian raw BTF laid out as the kernel and pahole
// lay it out: header, types, then strings, with nothing in between.
func splitRaw(raw []byte) (*splitBTF, error) {
	le := binary.LittleEndian
	if len(raw) < 24 || le.Uint16(raw) != 0xeb9f {
		return nil, errNotStructural
	}
	hdrLen := le.Uint32(raw[4:])
	typeOff, typeLen := le.Uint32(raw[8:]), le.Uint32(raw[12:])
	strOff, strLen := le.Uint32(raw[16:]), le.Uint32(raw[20:])
	if hdrLen < 24 || hdrLen%4 != 0 || typeOff != 0 || typeLen%4 != 0 || strOff != typeLen || strLen == 0 ||
		uint64(hdrLen)+uint64(strOff)+uint64(strLen) != uint64(len(raw)) {
		return nil, errNotStructural
	}
	sb := &splitBTF{header: raw[:hdrLen]}
	words := raw[hdrLen : hdrLen+typeLen]
	for off := 0; off < len(words); {
		if len(words)-off < 12 {
			return nil, errNotStructural
		}
		info := le.Uint32(words[off+4:])
		_, n, ok := shapeOf(info)
		if !ok || off+4*n > len(words) {
			return nil, errNotStructural
		}
		r := make([]uint32, n)
		for i := range r {
			r[i] = le.Uint32(words[off+4*i:])
		}
		sb.records = append(sb.records, r)
		off += 4 * n
	}
	strs := raw[hdrLen+strOff:]
	if strs[0] != 0 || strs[len(strs)-1] != 0 {
		return nil, errNotStructural
	}
	start := 0
	for i, c := range strs {
		if c == 0 {
			sb.strings = append(sb.strings, string(strs[start:i]))
			sb.strOffs = append(sb.strOffs, uint32(start))
			start = i + 1
		}
	}
	return sb, nil
}

// identities computes, for each type of sb, a 64-bit key that is the same
// for the same type in another kernel: its kind, name and shape, and for
// types that only qualify or point at others (pointers, typedefs,
// const, arrays, function prototypes), the keys of what they refer to.
// Structs, unions and enums do not look through their members' types,
// so keys are computed without cycles.
func identities(sb *splitBTF, name func(off uint32) (string, bool)) ([]uint64, error) {
	keys := make([]uint64, len(sb.records)+1)
	state := make([]uint8, len(sb.records)+1) // 0 new, 1 in progress, 2 done
	state[0] = 2
	var key func(id uint32, depth int) (uint64, error)
	key = func(id uint32, depth int) (uint64, error) {
		if int(id) >= len(keys) {
			return 0, errNotStructural
		}
		switch state[id] {
		case 2:
			return keys[id], nil
		case 1:
			return 0, errNotStructural // a loop without a struct in it
		}
		if depth > 1000 {
			return 0, errNotStructural
		}
		state[id] = 1
		r := sb.records[id-1]
		d := xxhash.New()
		var buf [8]byte
		put := func(v uint64) {
			binary.LittleEndian.PutUint64(buf[:], v)
			d.Write(buf[:])
		}
		s, _, _ := shapeOf(r[1])
		n, ok := name(r[0])
		if !ok {
			return 0, errNotStructural
		}
		d.WriteString(n)
		put(uint64(r[1]))
		kind := r[1] >> 24 & 0x1f
		deep := kind != kindStruct && kind != kindUnion
		if s.typeInWord2 {
			if deep {
				k, err := key(r[2], depth+1)
				if err != nil {
					return 0, err
				}
				put(k)
			}
		} else {
			put(uint64(r[2]))
		}
		refs, skip := map[int]bool{}, map[int]bool{}
		for _, i := range s.extraTypes {
			refs[3+i] = true
		}
		for m := 3 + s.extra; s.memberWords > 0 && m+s.memberWords <= len(r); m += s.memberWords {
			if s.typeAt >= 0 {
				refs[m+s.typeAt] = true
			}
			if s.strAt >= 0 {
				skip[m+s.strAt] = true
				mn, ok := name(r[m+s.strAt])
				if !ok {
					return 0, errNotStructural
				}
				d.WriteString(mn)
				d.Write([]byte{0})
			}
		}
		for i := 3; i < len(r); i++ {
			switch {
			case skip[i]:
			case !refs[i]:
				put(uint64(r[i]))
			case deep && kind != kindDatasec:
				k, err := key(r[i], depth+1)
				if err != nil {
					return 0, err
				}
				put(k)
			}
		}
		keys[id], state[id] = d.Sum64(), 2
		return keys[id], nil
	}
	for id := 1; id < len(keys); id++ {
		if _, err := key(uint32(id), 0); err != nil {
			return nil, err
		}
	}
	return keys[1:], nil
}

// checkRefs reports whether every type reference in sb is in range.
func checkRefs(sb *splitBTF) error {
	n := uint32(len(sb.records))
	bad := false
	for _, r := range sb.records {
		forEachRef(r, func(*uint32) {}, func(t *uint32) {
			if *t > n {
				bad = true
			}
		})
	}
	if bad {
		return fmt.Errorf("%w: type reference out of range", errNotStructural)
	}
	return nil
}
