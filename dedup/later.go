package dedup

import (
	"fmt"

	"github.com/btfhub/btfhub/btf"
)

// What Options.Libbpf17 changes, after libbpf's src/btf.c at commit
// 5b0f3729 (libbpf master after v1.7.0):
//
//   - btf_dedup_struct_type also takes typedefs, hashed by btf_hash_typedef
//     (name and info, not the referenced id) and pre-filtered by
//     btf_equal_typedef, then compared by btf_dedup_is_equiv like structs;
//     btf_dedup_ref_type no longer handles TYPEDEF, so a loop of pointers
//     and typedefs ends at the typedef, already mapped (commit 37027144).
//   - btf_dedup_prep hashes base typedefs with btf_hash_typedef too, so
//     split typedefs find them (commit 5b0f3729).
//   - btf_dedup_is_equiv accepts a contradiction in the hypothetical map
//     when btf_dedup_identical_types finds the two types structurally
//     identical (commits c8a28812 and 5ee9fbf7, libbpf v1.6.0).

// identicalDepth17 is the depth btf_dedup_is_equiv gives
// btf_dedup_identical_types.
const identicalDepth17 = 16

// hashTypedef is btf_hash_typedef: name and info.
func (d *state) hashTypedef(w []uint32) uint64 { return hc(hc(0, d.so(w[0])), w[1]) }

// equalTypedef is btf_equal_typedef: same name and info.
func (d *state) equalTypedef(a, b []uint32) bool {
	return d.so(a[0]) == d.so(b[0]) && a[1] == b[1]
}

// identicalTypes is btf_dedup_identical_types: are id1 and id2 the same
// type down to their structure? Members, parameters and array parts recurse
// with one less depth; a chain of reference types is followed without
// using any, as libbpf does with its goto.
//
// Two quirks are libbpf's and kept: both array descriptors are read from
// the first type (btf_array(t1) twice), so two arrays with the same length
// are identical whatever their element types; and a chain of pointers and
// typedefs that loops (`type T *T`) is followed for ever. Here that chain
// is cut after as many steps as there are types, which no loop-free chain
// takes, and Dedup fails with an error wrapping btf.ErrTypeLoop: libbpf
// would not return.
func (d *state) identicalTypes(id1, id2 uint32, depth int) bool {
	for steps := uint32(0); ; steps++ {
		if steps > d.next {
			if d.err == nil {
				d.err = fmt.Errorf("dedup: comparing types [%d] and [%d]: %w: the identical-type check of libbpf 1.7 would not terminate",
					id1, id2, btf.ErrTypeLoop)
			}
			return false
		}
		t1, t2 := d.rec(id1), d.rec(id2)
		if depth <= 0 {
			return false
		}
		k := kindOf(t1[1])
		if k != kindOf(t2[1]) {
			return false
		}
		switch k {
		case 0: // void
			return true
		case kInt:
			return d.equalIntTag(t1, t2)
		case kEnum, kEnum64:
			return d.compatEnum(t1, t2)
		case kFwd, kFloat:
			return d.equalCommon(t1, t2)
		case kConst, kVolatile, kRestrict, kPtr, kTypedef, kFunc, kTypeTag:
			if t1[1] != t2[1] || d.so(t1[0]) != d.so(t2[0]) {
				return false
			}
			id1, id2 = t1[2], t2[2]
			continue
		case kArray:
			return d.compatArray(t1, t2)
		case kStruct, kUnion:
			if !d.shallowEqualStruct(t1, t2) {
				return false
			}
			for j := 4; j < len(t1); j += 3 {
				if t1[j] != t2[j] && !d.identicalTypes(t1[j], t2[j], depth-1) {
					return false
				}
			}
			return true
		case kFuncProto:
			if !d.compatFnProto(t1, t2) {
				return false
			}
			if t1[2] != t2[2] && !d.identicalTypes(t1[2], t2[2], depth-1) {
				return false
			}
			for j := 4; j < len(t1); j += 2 {
				if t1[j] != t2[j] && !d.identicalTypes(t1[j], t2[j], depth-1) {
					return false
				}
			}
			return true
		}
		return false
	}
}
