package dedup

import (
	"fmt"
	"math/bits"
	"unsafe"

	"github.com/btfhub/btfhub/btf"
)

// compact is btf_dedup_compact_types: canonical own types keep their
// order and get consecutive ids from the spec's first id; base ids stay.
// libbpf writes the new ids into its hypothetical map; here d.canon and
// d.rank give them (see newID). It returns the number of types and of
// words they take.
//
// In the same walk, it points every id of d.m at its representative, the
// first half of mapping's work.
func (d *state) compact() (n int, words int) {
	for id := range d.m[:d.first] {
		d.m[id] = d.resolve(uint32(id))
	}
	nOwn := len(d.offs) - 1
	d.canon = make([]uint64, (nOwn+63)/64)
	d.rank = make([]uint32, len(d.canon))
	count := uint32(0)
	for i := range nOwn {
		if i&63 == 0 {
			d.rank[i>>6] = count
		}
		id := d.first + uint32(i)
		// Canonical or not by d.m as the passes left it: only entries
		// of lower ids have been changed yet, and resolving through
		// them gives the same representatives.
		if d.m[id] == id {
			d.canon[i>>6] |= 1 << (i & 63)
			count++
			words += int(d.offs[i+1] - d.offs[i])
		}
		d.m[id] = d.resolve(id)
	}
	return int(count), words
}

// kept reports whether compact keeps own type index i (id d.first+i).
func (d *state) kept(i uint32) bool { return d.canon[i>>6]>>(i&63)&1 != 0 }

// newID returns the id that compaction gives id: the same for void and
// base types, the next in order for a kept own type, unprocessed for
// another own type.
func (d *state) newID(id uint32) uint32 {
	if id < d.first {
		return id
	}
	i := id - d.first
	w := d.canon[i>>6]
	bit := uint64(1) << (i & 63)
	if w&bit == 0 {
		return unprocessed
	}
	return d.first + d.rank[i>>6] + uint32(bits.OnesCount64(w&(bit-1)))
}

// mapping turns the canonical map, which compact has pointed at the
// representatives, into the final id of every id: that of its
// representative after compaction (btf_dedup_remap_type_id). It reuses
// d.m, which it returns.
func (d *state) mapping() []btf.TypeID {
	for id, r := range d.m {
		d.m[id] = d.newID(r)
	}
	return unsafe.Slice((*btf.TypeID)(unsafe.Pointer(unsafe.SliceData(d.m))), len(d.m))
}

// emit is btf_dedup_remap_types over the compacted types: it writes the
// canonical own types in order, with every string offset and type id
// rewritten (btf_type_visit_str_offs and btf_type_visit_type_ids).
func (d *state) emit(nwords int, newIDs []btf.TypeID) ([]uint32, error) {
	out := make([]uint32, 0, nwords)
	var bad error
	remap := func(v uint32, id uint32) uint32 {
		if v >= d.next || uint32(newIDs[v]) > maxTypes {
			if bad == nil {
				bad = fmt.Errorf("dedup: type [%d]: refers to type [%d], which has no representative", id, v)
			}
			return v
		}
		return uint32(newIDs[v])
	}
	for i := 0; i+1 < len(d.offs); i++ {
		id := d.first + uint32(i)
		if !d.kept(uint32(i)) {
			continue
		}
		start := len(out)
		out = append(out, d.words[d.offs[i]:d.offs[i+1]]...)
		w := out[start:]
		w[0] = d.newOff(w[0])
		switch kindOf(w[1]) {
		case kFwd, kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kVar, kDeclTag, kTypeTag:
			w[2] = remap(w[2], id)
		case kArray:
			w[3] = remap(w[3], id)
			w[4] = remap(w[4], id)
		case kStruct, kUnion:
			for j := 3; j+2 < len(w); j += 3 {
				w[j] = d.newOff(w[j])
				w[j+1] = remap(w[j+1], id)
			}
		case kEnum, kEnum64:
			stride := 2
			if kindOf(w[1]) == kEnum64 {
				stride = 3
			}
			for j := 3; j < len(w); j += stride {
				w[j] = d.newOff(w[j])
			}
		case kFuncProto:
			w[2] = remap(w[2], id)
			for j := 3; j+1 < len(w); j += 2 {
				w[j] = d.newOff(w[j])
				w[j+1] = remap(w[j+1], id)
			}
		case kDatasec:
			for j := 3; j+2 < len(w); j += 3 {
				w[j] = remap(w[j], id)
			}
		}
		if bad != nil {
			return nil, bad
		}
	}
	return out, nil
}
