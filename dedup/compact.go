package dedup

import (
	"fmt"
	"unsafe"

	"github.com/btfhub/btfhub/btf"
)

// compact is btf_dedup_compact_types: canonical own types keep their
// order and get consecutive ids from the spec's first id; base ids stay.
// The new ids go into d.hypot, as in libbpf. It returns the number of
// types and of words they take.
func (d *state) compact() (n int, words int) {
	for id := uint32(0); id < d.first; id++ {
		d.hypot[id] = id
	}
	next := d.first
	for i := 0; i+1 < len(d.offs); i++ {
		id := d.first + uint32(i)
		if d.m[id] != id {
			d.hypot[id] = unprocessed
			continue
		}
		d.hypot[id] = next
		next++
		words += int(d.offs[i+1] - d.offs[i])
	}
	return int(next - d.first), words
}

// mapping turns the canonical map into the final id of every id: that of
// its representative after compaction (btf_dedup_remap_type_id). It reuses
// d.m, which it returns.
func (d *state) mapping() []btf.TypeID {
	for id := range d.m {
		d.m[id] = d.resolve(uint32(id))
	}
	for id, r := range d.m {
		d.m[id] = d.hypot[r]
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
		if d.hypot[id] == unprocessed { // not canonical
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
