package btf

import "math"

// longNames are the spellings of long that libbpf's determine_ptr_size
// (src/btf.c) looks for to guess the target's pointer size.
var longNames = map[string]bool{
	"long": true, "long int": true, "int long": true,
	"unsigned long": true, "long unsigned": true,
	"unsigned long int": true, "unsigned int long": true,
	"long unsigned int": true, "long int unsigned": true,
	"int unsigned long": true, "int long unsigned": true,
}

// PointerSize returns the size of a pointer on the spec's target as
// libbpf's btf__pointer_size guesses it (determine_ptr_size in src/btf.c):
// the size of the first INT of 4 or 8 bytes spelled as a long, in id order
// from the first base type, or 8 (the size of a pointer on the hosts btfhub
// runs on) when there is none. It is computed once.
func (s *Spec) PointerSize() uint32 {
	s.ptrOnce.Do(func() {
		s.ptrSize = 8
		for id := TypeID(1); id < s.NextID(); id++ {
			t := s.typ(id)
			if t.Kind() == KindInt && (t.Size() == 4 || t.Size() == 8) && longNames[t.Name()] {
				s.ptrSize = t.Size()
				return
			}
		}
	})
	return s.ptrSize
}

// maxResolveDepth bounds the chains ResolveSize follows, libbpf's
// MAX_RESOLVE_DEPTH.
const maxResolveDepth = 32

// ResolveSize returns the size in bytes of a type as libbpf's
// btf__resolve_size computes it: following typedefs, qualifiers, type tags,
// variables and decl tags, multiplying out arrays, at most 32 steps deep.
// Void, functions and prototypes have no size, and a size that overflows 32
// bits is an error; such errors wrap ErrInvalid.
func (s *Spec) ResolveSize(id TypeID) (uint32, error) {
	if id >= s.NextID() {
		return 0, formatErr(ErrMissingType, -1, id, "no such type")
	}
	start := id
	nelems := uint64(1)
	for range maxResolveDepth {
		t := s.typ(id)
		var size uint64
		switch k := t.Kind(); k {
		case KindInt, KindStruct, KindUnion, KindEnum, KindEnum64, KindDatasec, KindFloat:
			size = uint64(t.Size())
		case KindPointer:
			size = uint64(s.PointerSize())
		case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag, KindVar, KindDeclTag:
			id = t.Ref()
			continue
		case KindArray:
			a := t.Array()
			nelems *= uint64(a.Nelems)
			if nelems > math.MaxUint32 {
				return 0, formatErr(ErrInvalid, -1, start, "array size overflows 32 bits")
			}
			id = a.Type
			continue
		default:
			return 0, formatErr(ErrInvalid, -1, start, "resolves to [%d] %s, which has no size", t.id, k)
		}
		if n := nelems * size; n <= math.MaxUint32 {
			return uint32(n), nil
		}
		return 0, formatErr(ErrInvalid, -1, start, "size overflows 32 bits")
	}
	return 0, formatErr(ErrInvalid, -1, start, "more than %d steps to resolve its size", maxResolveDepth)
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
