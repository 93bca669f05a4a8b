package btf

import "fmt"

// AddSpec appends every type of src, a base spec, to the builder, as
// libbpf's btf__add_btf does: type ids are shifted to follow the types
// already added (void stays void) and strings are re-added, so that
// several objects' BTF can be merged into one spec and deduplicated
// together. It returns the id that src's type 1 received.
func (b *Builder) AddSpec(src *Spec) (TypeID, error) {
	if src.base != nil {
		return 0, fmt.Errorf("btf: builder: cannot append split BTF (its first id is %d)", src.firstID)
	}
	first := b.NextID()
	shift := uint32(first) - 1
	id := func(v uint32) uint32 {
		if v == 0 {
			return 0
		}
		return v + shift
	}
	str := func(off uint32) uint32 {
		if off == 0 {
			return 0
		}
		return b.AddString(src.str(off))
	}
	rec := make([]uint32, 0, 64)
	for t := range src.Types() {
		rec = append(rec[:0], t.w...)
		rec[0] = str(rec[0])
		vlen := t.Vlen()
		switch t.Kind() {
		case KindPointer, KindTypedef, KindVolatile, KindConst, KindRestrict,
			KindFunc, KindVar, KindDeclTag, KindTypeTag:
			rec[2] = id(rec[2])
		case KindArray:
			rec[3], rec[4] = id(rec[3]), id(rec[4])
		case KindStruct, KindUnion:
			for j := 3; j < 3+3*vlen; j += 3 {
				rec[j], rec[j+1] = str(rec[j]), id(rec[j+1])
			}
		case KindEnum:
			for j := 3; j < 3+2*vlen; j += 2 {
				rec[j] = str(rec[j])
			}
		case KindEnum64:
			for j := 3; j < 3+3*vlen; j += 3 {
				rec[j] = str(rec[j])
			}
		case KindFuncProto:
			rec[2] = id(rec[2])
			for j := 3; j < 3+2*vlen; j += 2 {
				rec[j], rec[j+1] = str(rec[j]), id(rec[j+1])
			}
		case KindDatasec:
			for j := 3; j < 3+3*vlen; j += 3 {
				rec[j] = id(rec[j])
			}
		}
		b.AddRaw(rec)
	}
	return first, nil
}
