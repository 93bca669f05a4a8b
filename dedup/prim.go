package dedup

// Signature hashes and equality checks of libbpf's src/btf.c (btf_hash_*,
// btf_equal_*, btf_compat_*). The hashes must be libbpf's exactly: they are
// the keys of the canonical index, and which candidates share a key decides
// the order they are tried in. String offsets in them are the deduplicated
// ones; rec words of own types are raw, so names go through so.

// hashCommon is btf_hash_common: name, info and size-or-type.
func (d *state) hashCommon(w []uint32) uint64 {
	return hc(hc(hc(0, d.so(w[0])), w[1]), w[2])
}

// hashIntTag is btf_hash_int_decl_tag: common plus the extra word.
func (d *state) hashIntTag(w []uint32) uint64 { return hc(d.hashCommon(w), w[3]) }

// hashEnum is btf_hash_enum: the name only, so that an enum forward
// declaration meets the full enum.
func (d *state) hashEnum(w []uint32) uint64 { return uint64(d.so(w[0])) }

// hashStruct is btf_hash_struct: common plus each member's name and offset,
// but not its type, which may not be deduplicated yet.
func (d *state) hashStruct(w []uint32) uint64 {
	h := d.hashCommon(w)
	for j := 3; j+2 < len(w); j += 3 {
		h = hc(hc(h, d.so(w[j])), w[j+2])
	}
	return h
}

// equalCommon is btf_equal_common.
func (d *state) equalCommon(a, b []uint32) bool {
	return d.so(a[0]) == d.so(b[0]) && a[1] == b[1] && a[2] == b[2]
}

// equalIntTag is btf_equal_int_tag.
func (d *state) equalIntTag(a, b []uint32) bool {
	return d.equalCommon(a, b) && a[3] == b[3]
}

// equalEnum is btf_equal_enum: same common part and the same values.
func (d *state) equalEnum(a, b []uint32) bool {
	if !d.equalCommon(a, b) {
		return false
	}
	stride := 2
	if kindOf(a[1]) == kEnum64 {
		stride = 3
	}
	for j := 3; j < len(a); j += stride {
		if d.so(a[j]) != d.so(b[j]) || a[j+1] != b[j+1] || (stride == 3 && a[j+2] != b[j+2]) {
			return false
		}
	}
	return true
}

func isAnyEnum(info uint32) bool { k := kindOf(info); return k == kEnum || k == kEnum64 }

// isEnumFwd is btf_is_enum_fwd: an enum with no values.
func isEnumFwd(info uint32) bool { return isAnyEnum(info) && vlenOf(info) == 0 }

// compatEnum is btf_compat_enum: equal enums, or an enum forward
// declaration and any enum of the same name, whatever their sizes.
func (d *state) compatEnum(a, b []uint32) bool {
	if !isEnumFwd(a[1]) && !isEnumFwd(b[1]) {
		return d.equalEnum(a, b)
	}
	return d.so(a[0]) == d.so(b[0]) && isAnyEnum(a[1]) && isAnyEnum(b[1])
}

// shallowEqualStruct is btf_shallow_equal_struct: everything but the
// members' types.
func (d *state) shallowEqualStruct(a, b []uint32) bool {
	if !d.equalCommon(a, b) {
		return false
	}
	b = b[:len(a)] // same info, same length
	if d.strIdentity {
		for j := 3; j+2 < len(a); j += 3 {
			if a[j] != b[j] || a[j+2] != b[j+2] {
				return false
			}
		}
		return true
	}
	for j := 3; j+2 < len(a); j += 3 {
		if d.so(a[j]) != d.so(b[j]) || a[j+2] != b[j+2] {
			return false
		}
	}
	return true
}

// equalArray is btf_equal_array on records as they are (no resolution).
func (d *state) equalArray(a, b []uint32) bool {
	return d.equalCommon(a, b) && a[3] == b[3] && a[4] == b[4] && a[5] == b[5]
}

// compatArray is btf_compat_array: everything but the types.
func (d *state) compatArray(a, b []uint32) bool {
	return d.equalCommon(a, b) && a[5] == b[5]
}

// compatFnProto is btf_compat_fnproto: name, info and parameter names.
func (d *state) compatFnProto(a, b []uint32) bool {
	if d.so(a[0]) != d.so(b[0]) || a[1] != b[1] {
		return false
	}
	for j := 3; j+1 < len(a); j += 2 {
		if d.so(a[j]) != d.so(b[j]) {
			return false
		}
	}
	return true
}

// primTypes is btf_dedup_prim_types: INT, ENUM, ENUM64, FWD and FLOAT
// types, which refer to no other type, are matched against the canonical
// index by exact equality; an enum forward declaration also matches the
// full enum of the same name, and a canonical enum forward declaration is
// pointed at a full enum that comes later.
func (d *state) primTypes() { d.primRange(0, int(d.next-d.first)) }

// primRange is primTypes for the own types of indexes lo to hi.
func (d *state) primRange(lo, hi int) {
	for i, k := range d.kinds[d.first+uint32(lo) : d.first+uint32(hi)] {
		if primKinds>>k&1 != 0 {
			d.prim(lo+i, uint32(k))
		}
	}
}

// undoPrims undoes the primitive pass on a spec without a base, which
// has only written d.m for types of primKinds, d.tab and d.fwds.
func (d *state) undoPrims() {
	for i, k := range d.kinds[d.first:d.next] {
		if primKinds>>k&1 != 0 {
			d.m[d.first+uint32(i)] = unprocessed
		}
	}
	d.tab = newTable(1 << 12)
	d.fwds = d.fwds[:0]
}

// primKinds is the set of kinds the primitive pass deals with.
const primKinds = 1<<kInt | 1<<kEnum | 1<<kEnum64 | 1<<kFwd | 1<<kFloat

// prim is the primitive pass for own type index i (id d.first+i), of kind
// k, one of primKinds.
func (d *state) prim(i int, k uint32) {
	id := d.first + uint32(i)
	t := d.words[d.offs[i]:d.offs[i+1]]
	newID := id
	var h uint64
	aux := uint32(auxNone)
	switch k {
	case kInt:
		h = d.hashIntTag(t)
		for c := d.tab.lookup(h); ; {
			cand, ok := c.next()
			if !ok {
				break
			}
			if d.equalIntTag(t, d.rec(cand)) {
				newID = cand
				break
			}
		}
	case kEnum, kEnum64:
		h = d.hashEnum(t)
		fwd := isEnumFwd(t[1])
		aux = d.enumAux(t)
		for c := d.tab.lookup(h); ; {
			cand, caux, ok := c.nextAux()
			if !ok {
				break
			}
			if !fwd && caux != 0 && caux != aux {
				// Neither equal nor, as neither is a forward
				// declaration, compatible.
				continue
			}
			cw := d.rec(cand)
			if d.equalEnum(t, cw) {
				newID = cand
				break
			}
			// Unless one is a forward declaration, compatEnum is
			// equalEnum.
			if (fwd || isEnumFwd(cw[1])) && d.compatEnum(t, cw) {
				if fwd {
					newID = cand
					break
				}
				d.m[cand] = id
			}
		}
	default: // kFwd, kFloat
		h = d.hashCommon(t)
		for c := d.tab.lookup(h); ; {
			cand, ok := c.next()
			if !ok {
				break
			}
			if d.equalCommon(t, d.rec(cand)) {
				newID = cand
				break
			}
		}
	}
	d.m[id] = newID
	if newID == id {
		d.tab.addAux(h, id, aux)
		if k == kFwd {
			d.fwds = append(d.fwds, id)
		}
	}
}

// enumAux is the aux of an ENUM or ENUM64 in the index: 0 for an enum
// forward declaration, else a hash of everything equalEnum compares with
// bit 1 set, which no other entry's aux (auxNone) has. An enum lookup skips
// the candidates whose aux is neither 0 nor its own without reading their
// records: anonymous enums all share a key, and each would be compared
// with every canonical one.
func (d *state) enumAux(w []uint32) uint32 {
	if isEnumFwd(w[1]) {
		return 0
	}
	h := d.hashCommon(w)
	if d.strIdentity {
		for j := 3; j < len(w); j++ {
			h = hc(h, w[j])
		}
	} else {
		stride := 2
		if kindOf(w[1]) == kEnum64 {
			stride = 3
		}
		for j := 3; j < len(w); j++ {
			if (j-3)%stride == 0 {
				h = hc(h, d.so(w[j]))
			} else {
				h = hc(h, w[j])
			}
		}
	}
	return uint32(h^h>>32) | 2
}

// prep is btf_dedup_prep: for split BTF, every base type is its own
// representative and, VAR and DATASEC aside, a candidate in the index, in
// id order.
func (d *state) prep() error {
	for id := uint32(1); id < d.first; id++ {
		d.m[id] = id
		t := d.rec(id)
		var h uint64
		switch kindOf(t[1]) {
		case kVar, kDatasec:
			continue
		case kTypedef:
			if d.later {
				h = d.hashTypedef(t)
			} else {
				h = d.hashCommon(t)
			}
		case kConst, kVolatile, kRestrict, kPtr, kFwd, kFunc, kFloat, kTypeTag:
			h = d.hashCommon(t)
		case kInt, kDeclTag:
			h = d.hashIntTag(t)
		case kEnum, kEnum64:
			h = d.hashEnum(t)
			d.tab.addAux(h, id, d.enumAux(t))
			continue
		case kStruct, kUnion:
			h = d.hashStruct(t)
		case kArray:
			h = d.hashArray(t)
		case kFuncProto:
			h = d.hashFnProto(t)
		default:
			return d.typeErr(id, errKind(kindOf(t[1])))
		}
		d.tab.add(h, id)
	}
	return nil
}

// hashArray is btf_hash_array: common, element and index types, length.
func (d *state) hashArray(w []uint32) uint64 {
	return hc(hc(hc(d.hashCommon(w), w[3]), w[4]), w[5])
}

// hashFnProto is btf_hash_fnproto: common plus each parameter's name and
// type.
func (d *state) hashFnProto(w []uint32) uint64 {
	h := d.hashCommon(w)
	for j := 3; j+1 < len(w); j += 2 {
		h = hc(hc(h, d.so(w[j])), w[j+1])
	}
	return h
}
