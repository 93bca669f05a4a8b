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
// d.refRecs when the type turns out canonical, d.refOff[id] holding its
// offset there. Its index is d.refTab (see pureRefs).
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
	for c := d.refTab.lookup(h); ; {
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
			off := d.refOff[cand]
			cw = d.refRecs[off : off+uint32(len(nw))]
		}
		if slices.Equal(nw, cw) {
			newID = cand
			break
		}
	}
	d.m[id] = newID
	if newID == id {
		d.refOff[id] = uint32(len(d.refRecs))
		d.refRecs = append(d.refRecs, nw...)
		d.refTab.add(h, id)
	}
	d.scratch = d.scratch[:start]
	return newID, nil
}

// Pure reference types are those whose references lead, through other
// reference types only, to INTs, FLOATs, ENUMs, VARs, DATASECs and void:
// never to a struct, union or FWD. After the primitive pass nothing they
// refer to changes any more, so they can be deduplicated while the struct
// pass runs, on another goroutine. pureRefs does that, for a spec without
// a base, and the reference pass later does the rest; the result is the
// same as doing all in one pass, because:
//
//   - the reference pass finalises reference types in a fixed order: the
//     post-order of a depth-first walk of reference types from each id in
//     turn (refType recurses into what it refers to first). pureRefs makes
//     the same walk, over every reference type, and finalises the pure
//     ones at the same points of it;
//   - a pure and an impure type are never equal, so finalising the pure
//     ones first changes no match of the others;
//   - reference types are matched by exact equality, and without a base no
//     two canonical types of the index are equal, so at most one candidate
//     can match: the order of candidates, and so libbpf's hash map growth
//     that decides it, does not matter for them. Reference types therefore
//     get an index of their own (d.refTab), and the struct pass's index
//     sees exactly the insertions it sees in libbpf.
//
// The struct pass reads the canonical map only for INT, ENUM, ENUM64, FWD,
// FLOAT, STRUCT and UNION types (resolveS), and pureRefs writes it only for
// reference types: the two goroutines share no element of it.
func (d *state) pureRefs() {
	const (
		unseen = iota
		inWalk
		pure
		impure
	)
	mark := make([]uint8, d.next)
	var visit func(id uint32) bool
	visit = func(id uint32) bool {
		switch d.kinds[id] {
		case 0, uint8(kInt), uint8(kFloat), uint8(kEnum), uint8(kEnum64), uint8(kVar), uint8(kDatasec):
			return true
		case uint8(kStruct), uint8(kUnion), uint8(kFwd):
			return false
		case uint8(kTypedef):
			if d.later { // the struct pass's, then
				return false
			}
		}
		switch mark[id] {
		case pure:
			return true
		case impure, inWalk: // a loop: left for the reference pass to report
			return false
		}
		mark[id] = inWalk
		t := d.rec(id)
		ok := true
		switch kindOf(t[1]) {
		case kArray:
			ok = visit(t[3]) && ok
			ok = visit(t[4]) && ok
		case kFuncProto:
			ok = visit(t[2]) && ok
			for j := 4; j < len(t); j += 2 {
				ok = visit(t[j]) && ok
			}
		default:
			ok = visit(t[2])
		}
		if !ok {
			mark[id] = impure
			return false
		}
		if _, err := d.refType(id); err != nil {
			// Cannot happen for a type whose references are all
			// final; leave it to the reference pass.
			mark[id] = impure
			return false
		}
		mark[id] = pure
		return true
	}
	for id := d.first; id < d.next; id++ {
		visit(id)
	}
}
