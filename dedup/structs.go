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
	if info>>31 != 0 {
		return kUnion
	}
	return kStruct
}

func (d *state) hypotAdd(from, to uint32) {
	d.hypotList = append(d.hypotList, from)
	d.hypot[from] = to
}

func (d *state) clearHypot() {
	for _, id := range d.hypotList {
		d.hypot[id] = unprocessed
	}
	d.hypotList = d.hypotList[:0]
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

// mappable[k] is true for the kinds that the passes up to the struct pass
// may map to another type: INT, ENUM, ENUM64, FWD, FLOAT, STRUCT and UNION.
// Until the reference pass, every other type maps to itself or to nothing,
// so resolving it is the identity.
var mappable1 = [32]bool{kInt: true, kEnum: true, kEnum64: true, kFwd: true, kFloat: true, kStruct: true, kUnion: true}

// mappable17 is mappable1 for Options.Libbpf17, whose struct pass also
// deduplicates typedefs.
var mappable17 = [32]bool{kInt: true, kEnum: true, kEnum64: true, kFwd: true, kFloat: true, kStruct: true, kUnion: true, kTypedef: true}

// fwdOrComposite[k] is true for FWD, STRUCT and UNION.
var fwdOrComposite = [32]bool{kFwd: true, kStruct: true, kUnion: true}

// resolveS is resolve for the struct pass: it skips the canonical map for
// types that cannot be mapped yet, which keeps most lookups in the small
// kinds array.
func (d *state) resolveS(id uint32) uint32 {
	if !d.mappable[d.kinds[id]] {
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
	canon = d.resolveFwd(canon)

	if h := d.hypot[canon]; h <= maxTypes {
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

	ct, nt := d.rec(cand), d.rec(canon)
	ck, nk := kindOf(ct[1]), kindOf(nt[1])
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
		return d.isEquiv(ct[2], nt[2])
	case kArray:
		if !d.compatArray(ct, nt) {
			return false
		}
		if !d.isEquiv(ct[4], nt[4]) {
			return false
		}
		return d.isEquiv(ct[3], nt[3])
	case kStruct, kUnion:
		if !d.shallowEqualStruct(ct, nt) {
			return false
		}
		for j := 4; j < len(ct); j += 3 {
			if !d.isEquiv(ct[j], nt[j]) {
				return false
			}
		}
		return true
	case kFuncProto:
		if !d.compatFnProto(ct, nt) {
			return false
		}
		if !d.isEquiv(ct[2], nt[2]) {
			return false
		}
		for j := 4; j < len(ct); j += 2 {
			if !d.isEquiv(ct[j], nt[j]) {
				return false
			}
		}
		return true
	}
	if d.err == nil {
		d.err = fmt.Errorf("dedup: comparing type [%d] with [%d]: %w", cand, canon, errKind(ck))
	}
	return false
}

// mergeHypot is btf_dedup_merge_hypot_map: after a successful equivalence
// check, record what it proved. A FWD on either side resolves to the struct
// or union it stood for (a base FWD too, so that split FWDs resolved to it
// follow). Unless the check would have had to change the base, a
// candidate-side struct with no representative yet takes the canonical
// side's, which saves checking it again later.
func (d *state) mergeHypot() {
	for _, canonID := range d.hypotList {
		targ := d.hypot[canonID]
		// Every rule below needs a FWD, struct or union on a side, and
		// other kinds do not resolve to one: skip the rest, which is
		// most of the list (pointers, qualifiers, prototypes).
		if !fwdOrComposite[d.kinds[targ]] && !fwdOrComposite[d.kinds[canonID]] {
			continue
		}
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
func (d *state) structTypes() error {
	for n, id := range d.structIDs {
		if d.m[id] <= maxTypes {
			continue
		}
		t := d.rec(id)
		typedef := kindOf(t[1]) == kTypedef // only with d.later
		h := d.structHash[n]
		if !d.strIdentity {
			if typedef {
				h = d.hashTypedef(t)
			} else {
				h = d.hashStruct(t)
			}
		}
		newID := id
		for c := d.tab.lookup(h); ; {
			cand, ok := c.next()
			if !ok {
				break
			}
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
		}
	}
	return nil
}

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
	for id := uint32(1); id < d.first; id++ {
		if k := d.kind(id); k == kStruct || k == kUnion {
			add(id)
		}
	}
	for _, id := range d.structIDs {
		if d.kind(id) != kTypedef {
			add(id)
		}
	}
	words, offs := d.words, d.offs
	for i, k := range d.kinds[d.first:] {
		id := d.first + uint32(i)
		if uint32(k) != kFwd || d.m[id] != id {
			continue
		}
		t := words[offs[i]:offs[i+1]]
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
