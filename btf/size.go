package btf

import "math"

// PointerSize returns the size of a pointer on the spec's target: the size
// of its "long" integer types, as libbpf's determine_ptr_size guesses it
// (libbpf src/btf.c), or 8 when the spec holds none.
func (s *Spec) PointerSize() uint32 {
	for _, name := range [...]string{"long", "unsigned long", "long int", "long unsigned int", "long long", "unsigned long long"} {
		for _, id := range s.TypeIDsByName(name) {
			if t := s.typ(id); t.Kind() == KindInt {
				if sz := t.Size(); sz == 4 || sz == 8 {
					return sz
				}
			}
		}
	}
	return 8
}

// ResolveSize returns the size in bytes of a type, following typedefs,
// qualifiers, type tags and variables, and multiplying out arrays, as
// libbpf's btf__resolve_size does. Void, functions and prototypes have no
// size and give an error wrapping ErrInvalid.
func (s *Spec) ResolveSize(id TypeID) (uint32, error) {
	if id >= s.NextID() {
		return 0, formatErr(ErrMissingType, -1, id, "no such type")
	}
	mult := uint64(1)
	// Decode rejected reference loops, so this terminates; the bound is a
	// guard for specs whose checks were bypassed.
	for range s.NextID() + 1 {
		t := s.typ(id)
		switch k := t.Kind(); k {
		case KindInt, KindStruct, KindUnion, KindEnum, KindEnum64, KindDatasec, KindFloat:
			n := mult * uint64(t.Size())
			if n > math.MaxUint32 {
				return 0, formatErr(ErrInvalid, -1, id, "size overflows 32 bits")
			}
			return uint32(n), nil
		case KindPointer:
			return uint32(mult) * s.PointerSize(), nil
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag, KindVar, KindDeclTag:
			id = t.Ref()
		case KindArray:
			a := t.Array()
			mult *= uint64(a.Nelems)
			if mult > math.MaxUint32 {
				return 0, formatErr(ErrInvalid, -1, id, "array size overflows 32 bits")
			}
			id = a.Type
		default:
			return 0, formatErr(ErrInvalid, -1, t.id, "%s has no size", k)
		}
	}
	return 0, formatErr(ErrTypeLoop, -1, id, "reference loop while resolving size")
}

// SkipQualifiers follows typedefs, qualifiers and type tags from id and
// returns the first type that is none of them.
func (s *Spec) SkipQualifiers(id TypeID) Type {
	for range s.NextID() + 1 {
		t := s.typ(id)
		if !t.Kind().IsModifier() {
			return t
		}
		id = t.Ref()
	}
	return Type{spec: s}
}
