package dedup

import (
	"fmt"
	"slices"

	"github.com/btfhub/btfhub/btf"
)

// refTypes is btf_dedup_ref_types: every reference type (PTR, TYPEDEF,
// the qualifiers, TYPE_TAG, DECL_TAG, FUNC, ARRAY, FUNC_PROTO), in id
// order, after the types it refers to.
func (d *state) refTypes() error {
	m := d.m[d.first:d.next]
	for i, v := range m {
		if v <= maxTypes {
			continue // mapped already: refType would only resolve it
		}
		if _, err := d.refType(d.first + uint32(i)); err != nil {
			return err
		}
	}
	return nil
}

// refType is btf_dedup_ref_type. It resolves the ids a reference type
// refers to into their representatives, first deduplicating the reference
// types among them, which makes the type stable: nothing later changes it.
// The type is then matched by exact equality, ids included, against the
// canonical index. It returns the type's representative.
//
// libbpf stores the resolved ids into the type; here the resolved record
// is built in d.scratch (a stack, as the recursion nests), and kept in
// d.refRecs when the type turns out canonical, its offset there being
// noted in its entry of the index (d.refIdx, or d.refTab with a base).
func (d *state) refType(id uint32) (uint32, error) {
	switch mv := d.m[id]; {
	case mv == inProgress:
		return 0, fmt.Errorf("dedup: type [%d]: %w: %w", id, btf.ErrTypeLoop, errRefLoop)
	case mv <= maxTypes:
		return d.resolve(id), nil
	}
	t := d.rec(id)
	d.m[id] = inProgress
	k := kindOf(t[1])
	start := len(d.scratch)
	d.scratch = append(d.scratch, t...)
	d.scratch[start] = d.so(t[0])

	var err error
	switch k {
	case kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kTypeTag, kDeclTag:
		err = d.refSub(start + 2)
	case kArray:
		if err = d.refSub(start + 3); err == nil {
			err = d.refSub(start + 4)
		}
	case kFuncProto:
		err = d.refSub(start + 2)
		for j := 3; err == nil && j+1 < len(t); j += 2 {
			d.scratch[start+j] = d.so(t[j])
			err = d.refSub(start + j + 1)
		}
	default:
		return 0, d.typeErr(id, errKind(k))
	}
	if err != nil {
		return 0, err
	}
	nw := d.scratch[start:]

	h := hc(hc(hc(0, nw[0]), nw[1]), nw[2])
	switch k {
	case kDeclTag:
		h = hc(h, nw[3])
	case kArray:
		h = hc(hc(hc(h, nw[3]), nw[4]), nw[5])
	case kFuncProto:
		for j := 3; j+1 < len(nw); j += 2 {
			h = hc(hc(h, nw[j]), nw[j+1])
		}
	}

	// For reference kinds libbpf's equality checks (btf_equal_common,
	// btf_equal_int_tag, btf_equal_array, btf_equal_fnproto) compare every
	// word of the record.
	newID := id
	recs := d.refRecs
	if x := d.refIdx; x != nil {
		if cand := x.find(h, nw, recs); cand != 0 {
			newID = cand
		}
	} else {
		newID = d.refCandidate(id, k, h, nw)
	}
	d.m[id] = newID
	if newID == id {
		if x := d.refIdx; x != nil {
			x.add(h, id, uint32(len(d.refRecs)))
		} else {
			d.refTab.addAux(h, id, uint32(len(d.refRecs)))
		}
		if len(d.refRecs)+len(nw) > cap(d.refRecs) {
			// Double: append's growth by a quarter would copy the
			// records several times over.
			d.refRecs = slices.Grow(d.refRecs, max(len(nw), cap(d.refRecs)))
		}
		d.refRecs = append(d.refRecs, nw...)
	}
	d.scratch = d.scratch[:start]
	return newID, nil
}

// refCandidate returns the first candidate of d.refTab for key h whose
// record equals nw, the resolved record of id, of kind k; or id.
func (d *state) refCandidate(id, k uint32, h uint64, nw []uint32) uint32 {
	recs := d.refRecs
	for c := d.refTab.lookup(h); ; {
		cand, aux, ok := c.nextAux()
		if !ok {
			break
		}
		var cw []uint32
		if cand < d.first {
			cw = d.rec(cand)
		} else {
			// d.refTab is d.tab, whose other own entries are of
			// other kinds; those of kind k were added by refType.
			if d.kind(cand) != k {
				continue
			}
			// Same info word, same kind and length.
			if recs[aux+1] != nw[1] {
				continue
			}
			cw = recs[aux : aux+uint32(len(nw))]
		}
		if slices.Equal(nw, cw) {
			return cand
		}
	}
	return id
}

// refSub resolves the type id at d.scratch[i] through refType.
func (d *state) refSub(i int) error {
	id := d.scratch[i]
	if d.m[id] <= maxTypes {
		d.scratch[i] = d.resolve(id)
		return nil
	}
	r, err := d.refType(id)
	d.scratch[i] = r
	return err
}
