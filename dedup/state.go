package dedup

import (
	"github.com/btfhub/btfhub/btf"
)

// Sentinels of libbpf's canonical map (src/btf.c): a type not yet looked at,
// and a reference type whose dedup is under way.
const (
	unprocessed = ^uint32(0)
	inProgress  = ^uint32(0) - 1
	maxTypes    = btf.MaxTypes
)

// Kinds as plain numbers, to keep the hot paths free of conversions.
const (
	kInt       = uint32(btf.KindInt)
	kPtr       = uint32(btf.KindPointer)
	kArray     = uint32(btf.KindArray)
	kStruct    = uint32(btf.KindStruct)
	kUnion     = uint32(btf.KindUnion)
	kEnum      = uint32(btf.KindEnum)
	kFwd       = uint32(btf.KindFwd)
	kTypedef   = uint32(btf.KindTypedef)
	kVolatile  = uint32(btf.KindVolatile)
	kConst     = uint32(btf.KindConst)
	kRestrict  = uint32(btf.KindRestrict)
	kFunc      = uint32(btf.KindFunc)
	kFuncProto = uint32(btf.KindFuncProto)
	kVar       = uint32(btf.KindVar)
	kDatasec   = uint32(btf.KindDatasec)
	kFloat     = uint32(btf.KindFloat)
	kDeclTag   = uint32(btf.KindDeclTag)
	kTypeTag   = uint32(btf.KindTypeTag)
	kEnum64    = uint32(btf.KindEnum64)
)

func kindOf(info uint32) uint32 { return info >> 24 & 0x1f }
func vlenOf(info uint32) int    { return int(info & 0xffff) }

// voidRec is the record of type 0 as libbpf sees it: all zeros.
var voidRec = []uint32{0, 0, 0}

// state is one dedup run: libbpf's struct btf_dedup over flat storage.
//
// libbpf rewrites the BTF in place as it goes (string offsets, then the
// referenced ids of reference types). The input spec is immutable here, so
// the rewrites are kept aside instead: strMap gives the new offset of every
// string the spec's own types refer to, and canonical reference types keep
// their rewritten record in refRecs. The decisions are the same because
// every rewritten id libbpf compares equals the resolution of the original
// id through the canonical map, which no longer changes by then.
type state struct {
	spec  *btf.Spec
	base  *btf.Spec
	first uint32 // id of the spec's first own type
	next  uint32 // one past the last id
	words []uint32
	offs  []uint32

	strBase uint32
	strMap  []uint32 // own string offset - strBase -> new offset, or unprocessed
	strs    []byte   // the new string section
	// strIdentity: comparisons may use the input's string offsets.
	strIdentity bool

	n         []node // per-type state, by id
	hypotList []uint32
	adjust    bool // btf_dedup->hypot_adjust_canon

	tab *table

	refRecs []uint32 // rewritten records of canonical own reference types
	scratch []uint32

	err error
}

// node is the per-type state of a run, kept together so that visiting a
// type costs one cache line rather than one per array.
type node struct {
	off   uint32 // word offset of an own type's record in words
	info  uint32 // the record's info word (kind, vlen, kind flag)
	m     uint32 // canonical map: representative (btf_dedup->map)
	hypot uint32 // hypothetical map, later the compacted id
}

// initNodes sets d.n: one node per id below next, plus one holding the end
// of the last own record.
func (d *state) initNodes() {
	d.n = make([]node, d.next+1)
	for id := uint32(0); id < d.first; id++ {
		nd := &d.n[id]
		nd.m, nd.hypot = unprocessed, unprocessed
		if id > 0 {
			nd.info = d.base.RawType(btf.TypeID(id))[1]
		}
	}
	own := d.n[d.first:]
	for i := range own {
		nd := &own[i]
		nd.off = d.offs[i]
		nd.m, nd.hypot = unprocessed, unprocessed
		if i+1 < len(d.offs) {
			nd.info = d.words[d.offs[i]+1]
			// VAR and DATASEC are never deduplicated (btf_dedup_new).
			if k := kindOf(nd.info); k == kVar || k == kDatasec {
				nd.m = d.first + uint32(i)
			}
		}
	}
	d.n[0].m = 0
}

// rec returns the record of any id below next: void, a base type or an own
// type. Own records are raw: their string offsets are the input's.
func (d *state) rec(id uint32) []uint32 {
	if id >= d.first {
		return d.words[d.n[id].off:d.n[id+1].off]
	}
	if id == 0 {
		return voidRec
	}
	return d.base.RawType(btf.TypeID(id))
}

// info returns the info word of a type.
func (d *state) info(id uint32) uint32 { return d.n[id].info }

// kind returns the kind of a type (0 for void).
func (d *state) kind(id uint32) uint32 { return kindOf(d.n[id].info) }

// newOff returns the deduplicated offset of string offset off, as libbpf's
// string pass rewrote it: offsets into the base (and 0) stay.
func (d *state) newOff(off uint32) uint32 {
	if off < d.strBase || off == 0 {
		return off
	}
	return d.strMap[off-d.strBase]
}

// so returns a string offset for comparisons and hashes: the deduplicated
// one, or the input's when that gives the same answers. It does when the
// spec has no base and no two offsets its types use hold the same string
// (d.strIdentity), as in pahole's output: equal offsets then mean equal
// strings. Hashes need not be libbpf's (see table), only functions of what
// the equality checks compare.
func (d *state) so(off uint32) uint32 {
	if d.strIdentity {
		return off
	}
	return d.newOff(off)
}

// isMapped is libbpf's is_type_mapped.
func (d *state) isMapped(id uint32) bool { return d.n[id].m <= maxTypes }

// resolve is libbpf's resolve_type_id: follow the canonical map to a type
// that maps to itself, or to one not mapped yet.
func (d *state) resolve(id uint32) uint32 {
	for {
		n := d.n[id].m
		if n > maxTypes || n == id {
			return id
		}
		id = n
	}
}

// resolveFwd is libbpf's resolve_fwd_id: a FWD resolves to the struct or
// union it was found equal to, anything else to itself.
func (d *state) resolveFwd(id uint32) uint32 {
	if d.kind(id) != kFwd {
		return id
	}
	r := d.resolve(id)
	if d.kind(r) != kFwd {
		return r
	}
	return id
}

// hash_combine of libbpf: h*31 + v on a 64-bit long.
func hc(h uint64, v uint32) uint64 { return h*31 + uint64(v) }
