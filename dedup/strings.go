package dedup

import (
	"fmt"
	"strings"

	"github.com/btfhub/btfhub/btf"
)

// strSet builds the new string section: each distinct string once, in the
// order of first use (libbpf's struct strset, src/strset.c).
type strSet struct {
	data []byte
	idx  map[string]uint32
}

func (s *strSet) add(str string) uint32 {
	if off, ok := s.idx[str]; ok {
		return off
	}
	off := uint32(len(s.data))
	s.data = append(append(s.data, str...), 0)
	s.idx[str] = off
	return off
}

// baseStrings indexes the strings of a base and its own bases by content,
// keeping the first offset of each as libbpf's btf__find_str does: the
// deepest base first, then each section front to back.
func baseStrings(base *btf.Spec) map[string]uint32 {
	var chain []*btf.Spec
	for b := base; b != nil; b = b.Base() {
		chain = append(chain, b)
	}
	n := 0
	for _, b := range chain {
		n += b.StringsSize() / 16
	}
	idx := make(map[string]uint32, n)
	for i := len(chain) - 1; i >= 0; i-- {
		b := chain[i]
		strs := b.Strings()
		for off := 0; off < len(strs); {
			end := strings.IndexByte(strs[off:], 0)
			if end < 0 {
				end = len(strs) - off
			}
			s := strs[off : off+end]
			if _, ok := idx[s]; !ok {
				idx[s] = b.StringBase() + uint32(off)
			}
			off += end + 1
		}
	}
	return idx
}

// dedupStrings is libbpf's btf_dedup_strings: every string the spec's own
// types refer to, visited in type order and within a type in the order of
// btf_type_visit_str_offs, gets an offset in a new section that holds each
// distinct string once, in the order of first use. Strings of a split spec
// that its base holds already resolve to the base's offset instead. Strings
// nothing refers to are dropped.
//
// It returns whether no two offsets the types use hold the same string, so
// that comparisons may use the input's offsets (see state.so); the caller
// sets d.strIdentity.
//
// With scan set, the same walk over the records fills d.kinds for the
// spec's own types and makes VAR and DATASEC their own representatives
// (btf_dedup_new). With prims set too, it also runs the primitive pass on
// each type while its record is at hand, comparing the input's string
// offsets (d.strIdentity must be set): if they turn out not to stand for
// the deduplicated ones, the caller must undo that pass (undoPrims) and
// run it again.
func (d *state) dedupStrings(extStrs func(visit func(uint32) error) error, scan, prims bool) (identity bool, err error) {
	own := d.spec.Strings()
	d.strMap = make([]uint32, len(own))
	for i := range d.strMap {
		d.strMap[i] = unprocessed
	}
	// seen has bit i set once strMap[i] is: the walk over the types tests
	// it for every string offset, and it is a 32nd of strMap's size.
	seen := make([]uint64, (len(own)+63)/64)
	nOwn := uint32(len(own))
	// The new section is at most as long as the old one, and one more byte
	// without a base: allocated in one go, its pages are touched as they
	// fill.
	set := &strSet{data: make([]byte, 0, len(own)+1), idx: make(map[string]uint32, len(own)/16+1)}
	if d.base == nil {
		set.add("")
	}
	shared := d.base != nil
	var baseIdx map[string]uint32
	if d.base != nil {
		baseIdx = baseStrings(d.base)
	}
	visit := func(off uint32) error {
		if off == 0 || off < d.strBase {
			return nil
		}
		i := off - d.strBase
		if i >= uint32(len(own)) {
			return fmt.Errorf("string offset %d out of range", off)
		}
		if seen[i>>6]>>(i&63)&1 != 0 {
			return nil
		}
		seen[i>>6] |= 1 << (i & 63)
		s := own[i:]
		if end := strings.IndexByte(s, 0); end >= 0 {
			s = s[:end]
		}
		if baseIdx != nil {
			if boff, ok := baseIdx[s]; ok {
				d.strMap[i] = boff
				return nil
			}
		}
		n := len(set.data)
		d.strMap[i] = d.strBase + set.add(s)
		if len(set.data) == n {
			shared = true // a second offset for a string seen before
		}
		return nil
	}

	// unseen reports whether visit has work to do for off: most offsets
	// are of strings seen before, or of the base's.
	unseen := func(off uint32) bool {
		i := off - d.strBase
		return off != 0 && off >= d.strBase && (i >= nOwn || seen[i>>6]>>(i&63)&1 == 0)
	}
	var kinds []uint8
	if scan {
		kinds = d.kinds[d.first:d.next]
	}
	words, offs := d.words, d.offs
	for i := 0; i+1 < len(offs); i++ {
		w := words[offs[i]:offs[i+1]]
		if off := w[0]; unseen(off) {
			if err := visit(off); err != nil {
				return false, d.typeErr(uint32(i)+d.first, err)
			}
		}
		kind := kindOf(w[1])
		if scan {
			kinds[i] = uint8(kind)
			if prims && primKinds>>kind&1 != 0 {
				d.prim(i, kind)
			}
		}
		var first, stride int
		switch kind {
		case kStruct, kUnion, kEnum64:
			first, stride = 3, 3
		case kEnum, kFuncProto:
			first, stride = 3, 2
		case kVar, kDatasec:
			if scan {
				id := d.first + uint32(i)
				d.m[id] = id
			}
			continue
		default:
			continue
		}
		for j := first; j < len(w); j += stride {
			if off := w[j]; unseen(off) {
				if err := visit(off); err != nil {
					return false, d.typeErr(uint32(i)+d.first, err)
				}
			}
		}
	}
	if extStrs != nil {
		if err := extStrs(visit); err != nil {
			return false, fmt.Errorf("dedup: .BTF.ext: %w", err)
		}
	}
	d.strs = set.data
	return !shared, nil
}

func (d *state) typeErr(id uint32, err error) error {
	return fmt.Errorf("dedup: type [%d]: %w", id, err)
}
