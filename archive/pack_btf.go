package archive

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
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

// forEachRef calls str for every string-offset word and typ for every
// type-id word of the record r, in btf.RecordRefs's order.
func forEachRef(r []uint32, str, typ func(*uint32)) {
	btf.RecordRefs(r, func(i int, isType bool) {
		if isType {
			typ(&r[i])
		} else {
			str(&r[i])
		}
	})
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
		n, ok := btf.RecordLen(info)
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
		n, ok := name(r[0])
		if !ok {
			return 0, errNotStructural
		}
		d.WriteString(n)
		put(uint64(r[1]))
		kind := btf.InfoKind(r[1])
		deep := !kind.IsComposite()
		// Which words past the name are type ids (refs) and names
		// (skip), in record order.
		refs, skip := map[int]bool{}, map[int]bool{}
		var names []int
		btf.RecordRefs(r, func(i int, isType bool) {
			switch {
			case i == 0:
			case isType:
				refs[i] = true
			default:
				skip[i] = true
				names = append(names, i)
			}
		})
		if refs[2] {
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
		for _, i := range names {
			mn, ok := name(r[i])
			if !ok {
				return 0, errNotStructural
			}
			d.WriteString(mn)
			d.Write([]byte{0})
		}
		for i := 3; i < len(r); i++ {
			switch {
			case skip[i]:
			case !refs[i]:
				put(uint64(r[i]))
			case deep && kind != btf.KindDatasec:
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
