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

func kindOf(info uint32) uint32 { return uint32(btf.InfoKind(info)) }
func vlenOf(info uint32) int    { return btf.InfoVlen(info) }

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

	kinds []uint8 // id -> kind

	structIDs []uint32 // Stream: own structs and unions, in id order
	// canonStructs lists the own structs and unions the struct pass made
	// canonical, and fwds the own FWDs the primitive pass did, in id
	// order: resolveFwds's work.
	canonStructs, fwds []uint32
	m                  []uint32 // canonical map: id -> representative (btf_dedup->map)
	// hypot is the hypothetical map (btf_dedup->hypot_map) of the check
	// under way: canonical-side id -> candidate-side id + 1, 0 for none,
	// so that the array needs no filling and pages of it that no check
	// reaches are never touched.
	hypot     []uint32
	hypotList []uint32
	mergeList []uint32 // the part of hypotList mergeHypot acts on
	adjust    bool     // btf_dedup->hypot_adjust_canon
	// canon has bit i set for the own type d.first+i that compact keeps;
	// rank[w] counts the bits of canon before word w.
	canon []uint64
	rank  []uint32

	// later: deduplicate as later libbpf does (Options.Libbpf17);
	// mappable is mappable1 or mappable17 accordingly (a set of kinds).
	later    bool
	mappable uint32

	tab *table

	// The index of reference types is refTab, with a base: d.tab, as in
	// libbpf, whose order of candidates matters as base types may repeat
	// each other; an entry's aux is where its resolved record is in
	// refRecs. Without a base, no two canonical types of the index are
	// equal, and as reference types are matched by exact equality, at
	// most one candidate can match: the order of candidates, and so
	// libbpf's hash map growth that decides it, does not matter for them.
	// They then get an index of their own, refIdx.
	refTab  *table
	refIdx  *refIndex
	refRecs []uint32 // rewritten records of canonical own reference types
	scratch []uint32

	// shapes holds each type's shape once computed (see shape.go), 0
	// before; shapesScanned is the first type shapesUsable has not
	// scanned, and shapesOff says shapes may not filter checks.
	shapes        []uint64
	shapeStack    []shapeFrame
	shapesScanned uint32
	shapesOff     bool

	err error
	// ahead is what touchAhead has read: up to own type index ahead.done;
	// sum adds up the values it read, so that the reads stay.
	ahead struct{ done, sum int }
}

// rec returns the record of any id below next: void, a base type or an own
// type. Own records are raw: their string offsets are the input's.
func (d *state) rec(id uint32) []uint32 {
	if id < d.first {
		return d.baseRec(id)
	}
	o := d.offs[id-d.first:]
	return d.words[o[0]:o[1]]
}

// baseRec is rec for void and base types.
func (d *state) baseRec(id uint32) []uint32 {
	if id == 0 {
		return voidRec
	}
	return d.base.RawType(btf.TypeID(id))
}

// info returns the info word of a type.
func (d *state) info(id uint32) uint32 {
	if id >= d.first {
		return d.words[d.offs[id-d.first]+1]
	}
	if id == 0 {
		return 0
	}
	return d.base.RawType(btf.TypeID(id))[1]
}

// kind returns the kind of a type (0 for void) from d.kinds, which keeps
// the lookups that the graph walks make off the type records.
func (d *state) kind(id uint32) uint32 { return uint32(d.kinds[id]) }

// scanBase allocates d.kinds and fills it for the base's types; the
// string pass fills it for the spec's own types (see dedupStrings).
func (d *state) scanBase() {
	d.kinds = make([]uint8, d.next)
	for id := uint32(1); id < d.first; id++ {
		d.kinds[id] = uint8(kindOf(d.info(id)))
	}
}

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
func (d *state) isMapped(id uint32) bool { return d.m[id] <= maxTypes }

// resolve is libbpf's resolve_type_id: follow the canonical map to a type
// that maps to itself, or to one not mapped yet.
func (d *state) resolve(id uint32) uint32 {
	for {
		n := d.m[id]
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
