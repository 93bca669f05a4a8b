package fromdwarf

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/btfhub/btfhub/btf"
)

// This file implements Options.ConsistentFuncs: a function whose
// subprograms in different CUs (or in one) have different prototypes gets
// no FUNC, as with pahole 1.25's --skip_encoding_btf_inconsistent_proto
// (1.26: --btf_features=consistent_func).
//
// pahole (btf_encoder.c, btf_encoder__encode_cu, btf_encoder__save_func,
// btf_encoder__add_saved_funcs) then saves the first subprogram of each
// function symbol, compares every later one with it (funcs__match), and
// adds the FUNCs of the consistent ones after every CU's types and VARs,
// in the order of its sorted symbol table, before the DATASEC. funcs__match
// calls two prototypes different when their parameter counts differ or
// when their C spellings differ, spelled without parameter names and
// without qualifiers (proto__get: no_parm_names, skip_emitting_modifier).
// We compare the same things (funcSig), with two deliberate differences:
//
//   - pahole 1.25 and 1.26 take two prototypes as equal, without spelling
//     them, when their return types have the same index in their CUs'
//     type tables, which is always true of two functions returning void;
//     so a void function whose parameter types differ across CUs keeps
//     its FUNC there; so does a function without parameters whose return
//     types differ. That index means nothing across CUs (pahole 1.28
//     replaced the test by types__match, which compares the types), and
//     we compare every prototype in full.
//   - pahole also drops, in that mode, functions with a parameter in a
//     register other than the calling convention's (dwarf_loader.c
//     parameter__new, "unexpected_reg"), which needs the parameters'
//     location lists. We do not: the option is about prototypes.

// maxSigDepth bounds the chains of type references funcSig follows, so
// that malformed DWARF with a reference cycle cannot loop.
const maxSigDepth = 64

// funcSig returns the prototype signature of subprogram dies[i]: its
// return type and its parameters' types, spelled without names and
// qualifiers, with "..." for a variadic function. Parameters and the
// return type come from the abstract origin when the DIE has none, as in
// proto.
func (c *cuEnc) funcSig(i int) string {
	e := &c.dies[i]
	b := make([]byte, 0, 64)
	ret := i
	if !e.is(hasType) && e.is(hasAbstractOrigin) {
		if j := c.find(e.abstractOrigin); j >= 0 {
			ret = j
		}
	}
	b = c.typeSig(b, ret, 0)
	b = append(b, '(')
	for j := i + 1; j < int(e.end); j = int(c.dies[j].end) {
		p := &c.dies[j]
		switch p.tag {
		case tagFormalParameter:
			k := j
			if !p.is(hasType) && p.is(hasAbstractOrigin) {
				if o := c.find(p.abstractOrigin); o >= 0 {
					k = o
				}
			}
			b = c.typeSig(b, k, 0)
			b = append(b, ',')
		case tagUnspecifiedParams:
			b = append(b, "...,"...)
		}
	}
	return string(append(b, ')'))
}

// typeSig appends the spelling of the type of dies[i] (its DW_AT_type):
// qualifiers are skipped; pointers, references and arrays spell their
// element; named types spell their kind and name, as C does, so that a
// declaration and a definition of one struct spell the same; function
// types spell their prototype.
func (c *cuEnc) typeSig(b []byte, i int, depth int) []byte {
	for ; depth < maxSigDepth; depth++ {
		e := &c.dies[i]
		if !e.is(hasType) {
			return append(b, 'v')
		}
		j := c.find(e.typ)
		if j < 0 {
			return append(b, '?')
		}
		t := &c.dies[j]
		switch t.tag {
		case tagConstType, tagVolatileType, tagRestrictType, tagAtomicType, tagImmutableType:
		case tagPointerType, tagReferenceType, tagRvalueRefType:
			b = append(b, '*')
		case tagArrayType:
			b = append(b, '[')
			b = strconv.AppendUint(b, c.nelems(j), 10)
			b = append(b, ']')
		case tagBaseType:
			return named(b, 'b', t.name)
		case tagTypedef:
			return named(b, 't', t.name)
		case tagStructType:
			return named(b, 's', t.name)
		case tagClassType:
			return named(b, 'c', t.name)
		case tagUnionType:
			return named(b, 'u', t.name)
		case tagEnumerationType:
			return named(b, 'e', t.name)
		case tagSubroutineType:
			b = append(b, 'f')
			b = c.typeSig(b, j, depth+1)
			b = append(b, '(')
			for k := j + 1; k < int(t.end); k = int(c.dies[k].end) {
				switch c.dies[k].tag {
				case tagFormalParameter:
					b = c.typeSig(b, k, depth+1)
					b = append(b, ',')
				case tagUnspecifiedParams:
					b = append(b, "...,"...)
				}
			}
			return append(b, ')')
		default:
			if isVoidTag(t.tag) {
				return append(b, 'v')
			}
			b = append(b, '?')
			return strconv.AppendUint(b, uint64(t.tag), 16)
		}
		i = j
	}
	return append(b, '?')
}

// named appends a named type's kind letter and name, ended by ';'.
func named(b []byte, kind byte, name []byte) []byte {
	b = append(b, kind)
	if !isEmpty(name) {
		b = append(b, cstr(name)...)
	}
	return append(b, ';')
}

// heldFunc is a function whose FUNC waits, under Options.ConsistentFuncs,
// until every CU has been seen: the first subprogram's prototype, with
// global type ids and string offsets.
type heldFunc struct {
	name  uint32
	proto []uint32
	tags  []declTag
	sig   string
	// inconsistent is set when a later subprogram's signature differs.
	inconsistent bool
}

// hold records FUNC candidate f of a unit whose first type id is base+1,
// instead of adding it: the first candidate of a symbol is kept, later
// ones are compared with it.
func (m *merger) hold(f *cuFunc, sm *strMapper, base uint32) {
	if k := m.heldIdx[f.sym]; k != 0 {
		h := &m.held[k-1]
		if !h.inconsistent && f.sig != h.sig {
			h.inconsistent = true
			m.inconsistent++
		}
		return
	}
	proto := slices.Clone(f.proto)
	relocate(proto, sm, base, 0)
	h := heldFunc{name: sm.get(f.name), proto: proto, sig: f.sig}
	for _, t := range f.tags {
		h.tags = append(h.tags, declTag{value: sm.get(t.value), comp: t.comp})
	}
	m.held = append(m.held, h)
	m.heldIdx[f.sym] = int32(len(m.held))
}

// addHeld adds the FUNCs of the consistent held functions, sorted by name
// as pahole's symbol table is (btf_encoder__add_saved_funcs walks
// encoder->functions, sorted by functions_cmp), and returns whether it
// added any.
func (m *merger) addHeld() bool {
	nameOf := func(off uint32) string { return string(cstr(m.strs[off-m.strBase:])) }
	order := make([]int, 0, len(m.held))
	for k := range m.held {
		if !m.held[k].inconsistent {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Compare(nameOf(m.held[a].name), nameOf(m.held[b].name))
	})
	for _, k := range order {
		h := &m.held[k]
		protoID := m.nextID
		m.words = append(m.words, h.proto...)
		m.words = append(m.words, h.name, btf.MakeInfo(btf.KindFunc, false, int(btf.LinkageStatic)), protoID)
		fnID := protoID + 1
		m.nextID += 2
		for _, t := range h.tags {
			m.words = append(m.words, t.value, btf.MakeInfo(btf.KindDeclTag, false, 0), fnID, uint32(t.comp))
			m.nextID++
		}
	}
	m.held = nil
	return len(order) > 0
}
