package fromdwarf

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/btfhub/btfhub/btf"
	"github.com/btfhub/btfhub/dedup"
)

// merger concatenates the CUs' BTF into one type section and one string
// section, in CU order, the way pahole's single encoder appends each CU:
// types first, then the CU's FUNCs (the first CU to have a function for a
// symbol wins), then its per-cpu VARs; the DATASEC comes last. Under
// Options.ConsistentFuncs, the FUNCs of functions with symbols come after
// every CU, before the DATASEC, as pahole's saved functions do.
type merger struct {
	base      *btf.Spec
	words     []uint32
	strs      []byte
	strIdx    map[string]uint32
	strSec    []byte   // .debug_str
	bySecOff  []uint32 // offset in .debug_str -> string offset, or unmapped
	strBase   uint32
	nextID    uint32
	generated []bool
	secinfo   []btf.VarSecinfo
	// hasIndex and indexID follow pahole's encoder-wide array index type
	// (btf_encoder__encode_cu: has_index_type, array_index_id): the
	// first unit's "int", or the "int" added by the first unit that
	// needed one.
	hasIndex bool
	indexID  uint32
	strMap   []uint32 // scratch
	// stream deduplicates the merged types as units are added (see
	// dedup.Stream), or is nil.
	stream *dedup.Stream
	// Under Options.ConsistentFuncs, heldIdx[sym]-1 is the index in held
	// of the function of symbol sym, whose FUNC finish adds unless
	// inconsistent; inconsistent counts those that are.
	heldIdx      []int32
	held         []heldFunc
	inconsistent int
}

// newMerger returns a merger for the units of one file. sizeHint is the
// number of words of types expected. Unless opts.NoDedup, or opts.Base (a
// module's BTF is deduplicated against its base, which dedup.Stream does
// not do), the types are deduplicated as they are merged.
func newMerger(opts *Options, nFuncs int, sizeHint int) *merger {
	base := opts.Base
	m := &merger{base: base, strIdx: map[string]uint32{"": 0}, nextID: 1, generated: make([]bool, nFuncs)}
	m.words = make([]uint32, 0, sizeHint)
	if !opts.NoDedup && base == nil {
		// About 9.7 words per type before dedup in the Linux kernel.
		m.stream = dedup.NewStream(sizeHint / 9)
	}
	if base != nil {
		m.nextID = uint32(base.NextID())
		m.strBase = base.StringBase() + uint32(base.StringsSize())
	} else {
		m.strs = []byte{0}
	}
	if opts.ConsistentFuncs {
		m.heldIdx = make([]int32, nFuncs)
	}
	return m
}

func (m *merger) str(s []byte) uint32 {
	if off, ok := m.strIdx[string(s)]; ok {
		return off
	}
	off := m.strBase + uint32(len(m.strs))
	m.strs = append(append(m.strs, s...), 0)
	m.strIdx[string(s)] = off
	return off
}

// localStr returns the string offset of a CU's local string s. Strings of
// .debug_str are looked up by their offset there, others by content.
func (m *merger) localStr(s []byte) uint32 {
	if len(s) == 0 {
		return 0
	}
	p := uintptr(unsafePointer(s))
	base := uintptr(unsafePointer(m.strSec))
	if len(m.strSec) > 0 && p >= base && p-base < uintptr(len(m.strSec)) {
		return m.secStr(int(p - base))
	}
	return m.str(s)
}

// secStr returns the string offset of the string at offset k of
// .debug_str.
func (m *merger) secStr(k int) uint32 {
	if m.bySecOff == nil {
		m.bySecOff = make([]uint32, len(m.strSec))
		for i := range m.bySecOff {
			m.bySecOff[i] = unmapped
		}
	}
	if off := m.bySecOff[k]; off != unmapped {
		return off
	}
	off := m.str(cstr(m.strSec[k:]))
	m.bySecOff[k] = off
	return off
}

// add appends one CU.
func (m *merger) add(o *cuOut) {
	// Local strings get their offsets on first use, in record order, so
	// that the string section holds what pahole's holds in the same
	// order: not the names of FUNCs that an earlier unit already gave.
	m.strMap = slices.Grow(m.strMap[:0], len(o.strs))[:len(o.strs)]
	for i := range m.strMap {
		m.strMap[i] = unmapped
	}
	sm := &strMapper{m: m, local: o.strs}
	base := m.nextID - 1
	words, nTypes := o.words, o.nTypes
	var index uint32
	switch {
	case m.hasIndex:
		index = m.indexID
		if o.addedInt >= 0 {
			// The unit's own added "int" is not needed: drop it, as
			// pahole never adds it.
			words = append(words[:o.addedInt:o.addedInt], words[o.addedInt+4:]...)
			nTypes--
		}
	case o.intID != 0:
		index = base + o.intID
		m.hasIndex, m.indexID = true, index
	default:
		// The slot after the unit's types: the added "int", if any.
		index = base + uint32(o.nTypes)
		if o.addedInt >= 0 {
			m.hasIndex, m.indexID = true, index
		}
	}
	start := len(m.words)
	m.words = append(m.words, words...)
	relocate(m.words[start:], sm, base, index)
	m.nextID += uint32(nTypes)
	for k := range o.funcs {
		f := &o.funcs[k]
		if f.sym >= 0 && m.heldIdx != nil {
			m.hold(f, sm, base)
			continue
		}
		if f.sym >= 0 {
			if m.generated[f.sym] {
				continue
			}
			m.generated[f.sym] = true
		}
		protoID := m.nextID
		start := len(m.words)
		m.words = append(m.words, f.proto...)
		relocate(m.words[start:], sm, base, 0)
		m.words = append(m.words, sm.get(f.name), btf.MakeInfo(btf.KindFunc, false, int(btf.LinkageStatic)), protoID)
		fnID := protoID + 1
		m.nextID += 2
		for _, t := range f.tags {
			m.words = append(m.words, sm.get(t.value), btf.MakeInfo(btf.KindDeclTag, false, 0), fnID, uint32(t.comp))
			m.nextID++
		}
	}
	for _, v := range o.vars {
		typ := v.typ
		if typ != 0 {
			typ += base
		}
		m.words = append(m.words, sm.get(v.name), btf.MakeInfo(btf.KindVar, false, 0), typ, uint32(v.linkage))
		varID := m.nextID
		m.nextID++
		for _, t := range v.tags {
			m.words = append(m.words, sm.get(t.value), btf.MakeInfo(btf.KindDeclTag, false, 0), varID, uint32(t.comp))
			m.nextID++
		}
		m.secinfo = append(m.secinfo, btf.VarSecinfo{Type: btf.TypeID(varID), Offset: v.off, Size: v.size})
	}
	putWords(o.words)
	o.words = nil
	if m.stream != nil {
		// A unit's types refer only to themselves and to the array
		// index "int" of an earlier unit, as dedup.Stream needs.
		m.stream.Add(m.words)
	}
}

// finish adds the DATASEC of the per-cpu variables, sorted by offset as
// btf_encoder__add_datasec does, and returns the sections.
func (m *merger) finish() ([]uint32, string, error) {
	if m.heldIdx != nil && m.addHeld() && m.stream != nil {
		m.stream.Add(m.words)
	}
	if n := len(m.secinfo); n > 0 {
		if n > 0xffff {
			return nil, "", fmt.Errorf("%d per-cpu variables, more than a DATASEC holds", n)
		}
		slices.SortStableFunc(m.secinfo, func(a, b btf.VarSecinfo) int { return cmp.Compare(a.Offset, b.Offset) })
		last := m.secinfo[n-1]
		m.words = append(m.words, m.str([]byte(percpuSection)), btf.MakeInfo(btf.KindDatasec, false, n), last.Offset+last.Size)
		for _, v := range m.secinfo {
			m.words = append(m.words, uint32(v.Type), v.Offset, v.Size)
		}
		m.nextID++
		if m.stream != nil {
			m.stream.Add(m.words)
		}
	}
	return m.words, string(m.strs), nil
}

// relocate rewrites CU-local string indexes and type ids in a run of
// records to global ones: strings through sm, types by adding base. The
// index type of arrays becomes index.
func relocate(w []uint32, sm *strMapper, base, index uint32) {
	ref := func(x uint32) uint32 {
		if x == 0 {
			return 0
		}
		return x + base
	}
	for len(w) >= 3 {
		w[0] = sm.get(w[0])
		kind := btf.InfoKind(w[1])
		vlen := btf.InfoVlen(w[1])
		n := 3
		switch kind {
		case btf.KindInt:
			n = 4
		case btf.KindPointer, btf.KindTypedef, btf.KindVolatile, btf.KindConst, btf.KindRestrict,
			btf.KindTypeTag, btf.KindFunc:
			w[2] = ref(w[2])
		case btf.KindDeclTag, btf.KindVar:
			w[2] = ref(w[2])
			n = 4
		case btf.KindArray:
			w[3], w[4] = ref(w[3]), index
			n = 6
		case btf.KindStruct, btf.KindUnion:
			for k := range vlen {
				m := w[3+3*k:]
				m[0], m[1] = sm.get(m[0]), ref(m[1])
			}
			n = 3 + 3*vlen
		case btf.KindEnum:
			for k := range vlen {
				w[3+2*k] = sm.get(w[3+2*k])
			}
			n = 3 + 2*vlen
		case btf.KindEnum64:
			for k := range vlen {
				w[3+3*k] = sm.get(w[3+3*k])
			}
			n = 3 + 3*vlen
		case btf.KindFuncProto:
			w[2] = ref(w[2])
			for k := range vlen {
				p := w[3+2*k:]
				p[0], p[1] = sm.get(p[0]), ref(p[1])
			}
			n = 3 + 2*vlen
		}
		w = w[n:]
	}
}

const unmapped = ^uint32(0)

// strMapper maps one unit's local strings to string offsets.
type strMapper struct {
	m     *merger
	local [][]byte
}

func (sm *strMapper) get(i uint32) uint32 {
	if i&strSecBit != 0 {
		return sm.m.secStr(int(i &^ strSecBit))
	}
	off := sm.m.strMap[i]
	if off == unmapped {
		off = sm.m.localStr(sm.local[i])
		sm.m.strMap[i] = off
	}
	return off
}
