package diff

import (
	"strconv"
	"strings"

	"github.com/btfhub/btfhub/btf"
)

// maxDepth bounds the chains of references that describeB and size follow.
// Decoded specs have no reference loops, but a deep chain of pointers to
// pointers should still not produce a description of unbounded length.
const maxDepth = 32

// describeB returns a C-like spelling of type id, naming structs, unions
// and enums by tag and typedefs by name, and writing anonymous structs,
// unions and enums as "struct {...}": two types with the same description
// are the same as far as a member or typedef that refers to them goes. It
// charges each type it writes to bud (nil for none).
func describeB(s *btf.Spec, id btf.TypeID, bud *budget) string {
	var b strings.Builder
	describeTo(&b, s, id, 0, false, bud)
	return b.String()
}

// describeNamed is describeB with the names of function parameters, for
// display.
func describeNamed(s *btf.Spec, id btf.TypeID, bud *budget) string {
	var b strings.Builder
	describeTo(&b, s, id, 0, true, bud)
	return b.String()
}

func describeTo(b *strings.Builder, s *btf.Spec, id btf.TypeID, depth int, names bool, bud *budget) {
	if depth > maxDepth || !bud.step() {
		b.WriteString("...")
		return
	}
	t, err := s.Type(id)
	if err != nil {
		b.WriteString("?")
		return
	}
	switch k := t.Kind(); k {
	case btf.KindUnknown:
		b.WriteString("void")
	case btf.KindInt, btf.KindFloat, btf.KindTypedef:
		b.WriteString(t.Name())
	case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64, btf.KindFwd:
		b.WriteString(tag(t))
		b.WriteByte(' ')
		if t.Name() == "" {
			b.WriteString("{...}")
		} else {
			b.WriteString(t.Name())
		}
	case btf.KindPointer:
		describeTo(b, s, t.Ref(), depth+1, names, bud)
		b.WriteString(" *")
	case btf.KindConst, btf.KindVolatile, btf.KindRestrict:
		b.WriteString(strings.ToLower(k.String()))
		b.WriteByte(' ')
		describeTo(b, s, t.Ref(), depth+1, names, bud)
	case btf.KindTypeTag:
		describeTo(b, s, t.Ref(), depth+1, names, bud)
		b.WriteString(" __tag(")
		b.WriteString(t.Name())
		b.WriteString(")")
	case btf.KindArray:
		a := t.Array()
		describeTo(b, s, a.Type, depth+1, names, bud)
		b.WriteByte('[')
		b.WriteString(strconv.FormatUint(uint64(a.Nelems), 10))
		b.WriteByte(']')
	case btf.KindFuncProto:
		describeTo(b, s, t.Ref(), depth+1, names, bud)
		b.WriteString(" (")
		for i := range t.Vlen() {
			if i > 0 {
				b.WriteString(", ")
			}
			p := t.Param(i)
			if p.Type == 0 && i == t.Vlen()-1 {
				b.WriteString("...")
				break
			}
			describeTo(b, s, p.Type, depth+1, names, bud)
			if names && p.Name != "" {
				if !strings.HasSuffix(b.String(), "*") {
					b.WriteByte(' ')
				}
				b.WriteString(p.Name)
			}
		}
		b.WriteByte(')')
	case btf.KindFunc, btf.KindVar:
		describeTo(b, s, t.Ref(), depth+1, names, bud)
	default:
		b.WriteString(strings.ToLower(k.String()))
		if t.Name() != "" {
			b.WriteByte(' ')
			b.WriteString(t.Name())
		}
	}
}

// tag returns the C keyword or kind word that names t's kind in reports:
// "struct", "union", "enum" (for ENUM and ENUM64), "typedef", "func",
// "var", "int", "float", "fwd", "datasec".
func tag(t btf.Type) string {
	switch t.Kind() {
	case btf.KindStruct:
		return "struct"
	case btf.KindUnion:
		return "union"
	case btf.KindEnum, btf.KindEnum64:
		return "enum"
	case btf.KindFwd:
		if t.KindFlag() {
			return "union"
		}
		return "struct"
	}
	return strings.ToLower(t.Kind().String())
}

// size returns the size of type id in bytes, or 0 when it has none.
func size(s *btf.Spec, id btf.TypeID) uint64 {
	n, err := s.ResolveSize(id)
	if err != nil {
		return 0
	}
	return uint64(n)
}

// anonTarget returns the anonymous struct, union or enum that id names
// through qualifiers and arrays (the type of a member declared inline), and
// false when there is none.
func anonTarget(s *btf.Spec, id btf.TypeID) (btf.Type, bool) {
	for range maxDepth {
		t, err := s.Type(id)
		if err != nil {
			return btf.Type{}, false
		}
		switch t.Kind() {
		case btf.KindConst, btf.KindVolatile, btf.KindRestrict, btf.KindTypeTag:
			id = t.Ref()
		case btf.KindArray:
			id = t.Array().Type
		case btf.KindStruct, btf.KindUnion, btf.KindEnum, btf.KindEnum64:
			return t, t.Name() == ""
		default:
			return btf.Type{}, false
		}
	}
	return btf.Type{}, false
}
