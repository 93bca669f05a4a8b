package dedup

import (
	"errors"
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

func errKind(k uint32) error {
	return fmt.Errorf("%w: unexpected %s in a type graph", btf.ErrInvalid, btf.Kind(k))
}

// fwdKind is btf_fwd_kind: what a FWD declares.
func fwdKind(info uint32) uint32 {
	if btf.InfoKindFlag(info) {
		return kUnion
	}
	return kStruct
}

func (d *state) hypotAdd(from, to uint32) {
	d.hypotList = append(d.hypotList, from)
	d.hypot[from] = to + 1
}

func (d *state) clearHypot() {
	for _, id := range d.hypotList {
		d.hypot[id] = 0
	}
	d.hypotList = d.hypotList[:0]
	d.mergeList = d.mergeList[:0]
	d.adjust = false
}

// identicalDepth bounds the recursion of identicalStructs. Structs and
// arrays nest by value only as deep as C declarations do; the bound only
// matters for malformed input where a struct contains itself, on which
// libbpf would recurse until it crashes.
const identicalDepth = 64

// identicalArrays is btf_dedup_identical_arrays: two ARRAYs equal down to
// their (unresolved) element and index ids.
func (d *state) identicalArrays(id1, id2 uint32) bool {
	a, b := d.rec(id1), d.rec(id2)
	if kindOf(a[1]) != kArray || kindOf(b[1]) != kArray {
		return false
	}
	return d.equalArray(a, b)
}

// identicalStructs is btf_dedup_identical_structs: two structs or unions
// equal down to their members' ids, or whose differing members are
// themselves identical arrays or structs.
func (d *state) identicalStructs(id1, id2 uint32, depth int) bool {
	if depth > identicalDepth {
		return false
	}
	a, b := d.rec(id1), d.rec(id2)
	k := kindOf(a[1])
	if (k != kStruct && k != kUnion) || k != kindOf(b[1]) {
		return false
	}
	if !d.shallowEqualStruct(a, b) {
		return false
	}
	for j := 4; j < len(a); j += 3 {
		m1, m2 := a[j], b[j]
		if m1 != m2 && !d.identicalArrays(m1, m2) && !d.identicalStructs(m1, m2, depth+1) {
			return false
		}
	}
	return true
}

// Bit k of mappable1 is set for the kinds that the passes up to the struct
// pass may map to another type: INT, ENUM, ENUM64, FWD, FLOAT, STRUCT and
// UNION. Until the reference pass, every other type maps to itself or to
// nothing, so resolving it is the identity.
const mappable1 = 1<<kInt | 1<<kEnum | 1<<kEnum64 | 1<<kFwd | 1<<kFloat | 1<<kStruct | 1<<kUnion

// mappable17 is mappable1 for Options.Libbpf17, whose struct pass also
// deduplicates typedefs.
const mappable17 = mappable1 | 1<<kTypedef

// fwdOrComposite is the set of FWD, STRUCT and UNION.
const fwdOrComposite = 1<<kFwd | 1<<kStruct | 1<<kUnion

// resolveS is resolve for the struct pass: it skips the canonical map for
// types that cannot be mapped yet, which keeps most lookups in the small
// kinds array.
func (d *state) resolveS(id uint32) uint32 {
	if d.mappable>>d.kinds[id]&1 == 0 {
		return id
	}
	return d.resolve(id)
}

// isEquiv is btf_dedup_is_equiv: is the type graph reachable from cand
// equivalent to the one reachable from canon? It walks both side by side,
// recording in the hypothetical map which canonical-side type stands for
// which candidate-side type; a canonical-side type met again must stand for
// the same candidate-side type (cycles through structs end there), or the
// graphs differ. A FWD is equivalent to a struct or union of its name and
// kind. Errors (a kind that cannot occur in a type graph) are left in d.err.
func (d *state) isEquiv(cand, canon uint32) bool {
	if d.resolveS(cand) == d.resolveS(canon) {
		return true
	}
	return d.equivWalk(cand, canon)
}

// equivMember is isEquiv for the parts of a type (members, parameters, an
// array's index type) that are not its last, with the two commonest
// outcomes decided without a call: types that already share a
// representative, and a canonical-side type (not a FWD, which resolveFwd
// would change) that the hypothetical map already pairs with cand.
func (d *state) equivMember(cand, canon uint32) bool {
	if d.resolveS(cand) == d.resolveS(canon) ||
		d.kinds[canon] != uint8(kFwd) && d.hypot[canon] == cand+1 {
		return true
	}
	return d.equivWalk(cand, canon)
}

// equivMembers is equivMember, inline, on the type ids ct[j] and nt[j] of
// the members or parameters of two records of the same shape, for j from
// from up to (not including) to, by step: all of them but the last, which
// equivWalk loops on.
func (d *state) equivMembers(ct, nt []uint32, from, to, step int) bool {
	for j := from; j < to; j += step {
		c, n := ct[j], nt[j]
		if d.resolveS(c) == d.resolveS(n) ||
			d.kinds[n] != uint8(kFwd) && d.hypot[n] == c+1 {
			continue
		}
		if !d.equivWalk(c, n) {
			return false
		}
	}
	return true
}

// equivWalk is isEquiv once cand and canon are known not to resolve to the
// same type. A type's last part (the type a pointer, qualifier or typedef
// refers to, an array's element type, a struct's last member, a
// prototype's last parameter) is compared by looping rather than
// recursing, which is what a tail call would do: libbpf returns that
// comparison's result.
func (d *state) equivWalk(cand, canon uint32) bool {
	for {
		canon = d.resolveFwd(canon)

		if h := d.hypot[canon]; h != 0 {
			h-- // see state.hypot
			if h == cand {
				return true
			}
			// The same array or struct declared twice within one
			// compilation unit: accept exact duplicates.
			if d.later {
				return d.identicalTypes(h, cand, identicalDepth17)
			}
			return d.identicalArrays(h, cand) || d.identicalStructs(h, cand, 0)
		}
		d.hypotAdd(canon, cand)

		var ct, nt []uint32
		if f := d.first; cand >= f && canon >= f {
			// d.rec, inline.
			o := d.offs[cand-f:]
			ct = d.words[o[0]:o[1]]
			o = d.offs[canon-f:]
			nt = d.words[o[0]:o[1]]
		} else {
			ct, nt = d.rec(cand), d.rec(canon)
		}
		ck, nk := kindOf(ct[1]), kindOf(nt[1])
		if (1<<ck|1<<nk)&fwdOrComposite != 0 {
			d.mergeList = append(d.mergeList, canon)
		}
		if d.so(ct[0]) != d.so(nt[0]) {
			return false
		}
		if (ck == kFwd || nk == kFwd) && ck != nk {
			var real, fk uint32
			if ck == kFwd {
				real, fk = nk, fwdKind(ct[1])
			} else {
				real, fk = ck, fwdKind(nt[1])
				// Resolving a base FWD would change the base.
				if fk == real && canon < d.first {
					d.adjust = true
				}
			}
			return fk == real
		}
		if ck != nk {
			return false
		}

		switch ck {
		case kInt:
			return d.equalIntTag(ct, nt)
		case kEnum, kEnum64:
			return d.compatEnum(ct, nt)
		case kFwd, kFloat:
			return d.equalCommon(ct, nt)
		case kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kTypeTag:
			if ct[1] != nt[1] {
				return false
			}
			cand, canon = ct[2], nt[2]
		case kArray:
			if !d.compatArray(ct, nt) {
				return false
			}
			if !d.equivMember(ct[4], nt[4]) {
				return false
			}
			cand, canon = ct[3], nt[3]
		case kStruct, kUnion:
			if !d.shallowEqualStruct(ct, nt) {
				return false
			}
			if len(ct) == 3 {
				return true
			}
			last := len(ct) - 2
			if !d.equivMembers(ct, nt[:len(ct)], 4, last, 3) {
				return false
			}
			cand, canon = ct[last], nt[last]
		case kFuncProto:
			if !d.compatFnProto(ct, nt) {
				return false
			}
			if len(ct) == 3 {
				cand, canon = ct[2], nt[2]
				break
			}
			if !d.equivMember(ct[2], nt[2]) {
				return false
			}
			last := len(ct) - 1
			if !d.equivMembers(ct, nt[:len(ct)], 4, last, 2) {
				return false
			}
			cand, canon = ct[last], nt[last]
		default:
			if d.err == nil {
				d.err = fmt.Errorf("dedup: comparing type [%d] with [%d]: %w", cand, canon, errKind(ck))
			}
			return false
		}
		if d.resolveS(cand) == d.resolveS(canon) {
			return true
		}
	}
}

// mergeHypot is btf_dedup_merge_hypot_map: after a successful equivalence
// check, record what it proved. A FWD on either side resolves to the struct
// or union it stood for (a base FWD too, so that split FWDs resolved to it
// follow). Unless the check would have had to change the base, a
// candidate-side struct with no representative yet takes the canonical
// side's, which saves checking it again later.
func (d *state) mergeHypot() {
	// Every rule below needs a FWD, struct or union on a side, and other
	// kinds do not resolve to one: the rest of the hypothetical map, most
	// of it (pointers, qualifiers, prototypes), is left out of mergeList.
	for _, canonID := range d.mergeList {
		targ := d.hypot[canonID] - 1
		t := d.resolveS(targ)
		c := d.resolveS(canonID)
		tk, ck := d.kind(t), d.kind(c)
		if tk != kFwd && ck == kFwd {
			d.m[c] = t
		}
		if d.adjust {
			continue
		}
		if tk == kFwd && ck != kFwd {
			d.m[t] = c
		}
		if (tk == kStruct || tk == kUnion) && ck != kFwd && d.isMapped(c) && !d.isMapped(t) {
			d.m[t] = c
		}
	}
}

// structTypes is btf_dedup_struct_types: each struct or union not mapped
// yet is compared, by type graph equivalence, with the canonical ones of
// the same signature, in index order; the first equivalent one that does
// not require changing the base becomes its representative. With none, it
// is canonical itself.
//
// Most structs are mapped before their turn comes, by the equivalence
// check of a struct that refers to them (mergeHypot): only the others are
// hashed.
func (d *state) structTypes() error {
	d.ahead.done = 0
	// work counts the candidates tried and the steps of failed checks;
	// past workLimit, the index is keyed by shape too (see shape.go).
	// Real kernels stay far below it: pahole's 3.4 million types of
	// Debian's 6.1 kernel take under a million.
	work, workLimit, keyed := 0, structWorkLimit(d.next), false
	want := uint32(1<<kStruct | 1<<kUnion)
	if d.later {
		want |= 1 << kTypedef
	}
	for i, k := range d.kinds[d.first:d.next] {
		if want>>k&1 == 0 {
			continue
		}
		id := d.first + uint32(i)
		if d.m[id] <= maxTypes {
			continue
		}
		if !keyed && work >= workLimit && d.shapesUsable() {
			d.keyByShape(want)
			keyed = true
		}
		d.touchAhead(id)
		t := d.rec(id)
		typedef := uint32(k) == kTypedef // only with d.later
		var h uint64
		if typedef {
			h = d.hashTypedef(t)
		} else {
			h = d.hashStruct(t)
		}
		if keyed {
			h = shapeKey(h, d.rootShape(id))
		}
		newID := id
		for c := d.tab.lookup(h); ; {
			cand, ok := c.next()
			if !ok {
				break
			}
			work++
			// A FWD may share the hash; never take one here.
			if typedef {
				if !d.equalTypedef(t, d.rec(cand)) {
					continue
				}
			} else if !d.shallowEqualStruct(t, d.rec(cand)) {
				continue
			}
			d.clearHypot()
			eq := d.isEquiv(id, cand)
			if d.err != nil {
				return d.err
			}
			if !eq {
				work += len(d.hypotList)
				continue
			}
			d.mergeHypot()
			if d.adjust {
				continue
			}
			newID = cand
			break
		}
		d.m[id] = newID
		if newID == id {
			d.tab.add(h, id)
			if !typedef {
				d.canonStructs = append(d.canonStructs, id)
			}
		}
	}
	return nil
}

// structWorkLimit is the work (see structTypes) after which the struct
// pass keys its index by shape; a variable for tests.
var structWorkLimit = func(types uint32) int { return 2*int(types) + 1<<22 }

// resolveFwds is btf_dedup_resolve_fwds: a FWD still canonical after the
// struct pass resolves to the canonical struct or union of its name, if
// there is exactly one (of either kind) and it is of the FWD's kind.
func (d *state) resolveFwds() {
	const ambiguous = 0
	names := make(map[uint32]uint32)
	add := func(id uint32) {
		if d.m[id] != id {
			return
		}
		name := d.so(d.rec(id)[0])
		if _, dup := names[name]; dup {
			names[name] = ambiguous
		} else {
			names[name] = id
		}
	}
	for id, k := range d.kinds[:d.first] {
		if uint32(k) == kStruct || uint32(k) == kUnion {
			add(uint32(id))
		}
	}
	for _, id := range d.canonStructs {
		add(id)
	}
	for _, id := range d.fwds {
		if d.m[id] != id {
			continue
		}
		t := d.rec(id)
		cand, ok := names[d.so(t[0])]
		if !ok || cand == ambiguous {
			continue
		}
		if d.kind(cand) != fwdKind(t[1]) {
			continue
		}
		d.m[id] = cand
	}
}

var errRefLoop = errors.New("loop through reference types only")
