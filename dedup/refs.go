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
	for i := 0; i+1 < len(d.offs); i++ {
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
// d.refRecs when the type turns out canonical, d.hypot[id] holding its
// offset there: the hypothetical map is not needed in this pass.
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
	// sub resolves the id at word j of the record under construction.
	sub := func(j int) {
		if err != nil {
			return
		}
		var r uint32
		r, err = d.refType(d.scratch[start+j])
		d.scratch[start+j] = r
	}
	switch k {
	case kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kTypeTag, kDeclTag:
		sub(2)
	case kArray:
		sub(3)
		sub(4)
	case kFuncProto:
		sub(2)
		for j := 3; j+1 < len(t); j += 2 {
			d.scratch[start+j] = d.so(t[j])
			sub(j + 1)
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
	for c := d.tab.lookup(h); ; {
		cand, ok := c.next()
		if !ok {
			break
		}
		var cw []uint32
		if cand < d.first {
			cw = d.rec(cand)
		} else {
			if d.kind(cand) != k {
				continue
			}
			if len(d.rec(cand)) != len(nw) {
				continue
			}
			off := d.hypot[cand]
			cw = d.refRecs[off : off+uint32(len(nw))]
		}
		if slices.Equal(nw, cw) {
			newID = cand
			break
		}
	}
	d.m[id] = newID
	if newID == id {
		d.hypot[id] = uint32(len(d.refRecs))
		d.refRecs = append(d.refRecs, nw...)
		d.tab.add(h, id)
	}
	d.scratch = d.scratch[:start]
	return newID, nil
}
