package corerel

import (
	"fmt"
	"strings"

	"github.com/btfhub/btfhub/btf"
)

// maxSpecLen is libbpf's BPF_CORE_SPEC_MAX_LEN: the most accessors an
// access string, or its match in a target, may have.
const maxSpecLen = 64

// Accessor is one high-level step of an access: a named member of a struct
// or union, an array element, or an enum value.
type Accessor struct {
	// TypeID is the type the step indexes into: the struct or union of a
	// named member, the element type for an array step (and for the first
	// step, the root type), the enum of an enum value.
	TypeID btf.TypeID
	// Index is the member, element or enum value index.
	Index int
	// Name is the member's or enum value's name; "" for array steps.
	Name string
}

// coreSpec is an access resolved in one BTF (libbpf's struct
// bpf_core_spec): the low-level path of indexes, one per access string
// element (anonymous members included), the high-level accessors, and the
// bit offset the path reaches.
type coreSpec struct {
	spec      *btf.Spec
	rootID    btf.TypeID
	kind      btf.COREKind
	raw       []int
	acc       []Accessor
	bitOffset uint32
}

// errSpec is the reason a local access string is rejected; the caller adds
// the program and instruction.
type errSpec struct{ msg string }

func (e *errSpec) Error() string { return e.msg }

func specErr(format string, args ...any) error { return &errSpec{fmt.Sprintf(format, args...)} }

// typeOf returns the type with id in s, or an error for an id out of range.
func typeOf(s *btf.Spec, id btf.TypeID) (btf.Type, error) {
	t, err := s.Type(id)
	if err != nil {
		return btf.Type{}, specErr("type [%d] does not exist", id)
	}
	return t, nil
}

// skipMods follows typedefs, qualifiers and type tags from id (libbpf's
// skip_mods_and_typedefs).
func skipMods(s *btf.Spec, id btf.TypeID) (btf.Type, error) {
	if _, err := typeOf(s, id); err != nil {
		return btf.Type{}, err
	}
	t := s.SkipQualifiers(id)
	if t.Kind().IsModifier() {
		return btf.Type{}, specErr("type [%d]: loop of modifiers", id)
	}
	return t, nil
}

// resolveSize is btf__resolve_size.
func resolveSize(s *btf.Spec, id btf.TypeID) (int64, error) {
	n, err := s.ResolveSize(id)
	if err != nil {
		return 0, specErr("size of type [%d]: %v", id, err)
	}
	return int64(n), nil
}

// parseAccess splits an access string such as "0:1:2" into its indexes,
// as libbpf's bpf_core_parse_spec does: elements separated by single
// colons, each a decimal int; a leading colon or an empty string is an
// error. Negative indexes, which libbpf would use out of bounds, are
// rejected.
func parseAccess(s string) ([]int, error) {
	if s == "" || s[0] == ':' {
		return nil, specErr("bad access string %q", s)
	}
	var raw []int
	for rest := s; rest != ""; {
		if rest[0] == ':' {
			rest = rest[1:]
		}
		rest = strings.TrimLeft(rest, " \t\n\v\f\r")
		n, i := 0, 0
		neg := false
		if i < len(rest) && (rest[i] == '+' || rest[i] == '-') {
			neg = rest[i] == '-'
			i++
		}
		start := i
		for ; i < len(rest) && rest[i] >= '0' && rest[i] <= '9'; i++ {
			n = n*10 + int(rest[i]-'0')
			if n > 1<<31-1 {
				return nil, specErr("access string %q: index out of range", s)
			}
		}
		if i == start {
			return nil, specErr("bad access string %q", s)
		}
		if neg && n != 0 {
			return nil, specErr("access string %q: negative index -%d", s, n)
		}
		if len(raw) == maxSpecLen {
			return nil, specErr("access string %q has more than %d elements", s, maxSpecLen)
		}
		raw = append(raw, n)
		rest = rest[i:]
	}
	return raw, nil
}

// parseSpec resolves a relocation's access string in the local BTF
// (libbpf's bpf_core_parse_spec, src/relo_core.c).
func parseSpec(s *btf.Spec, rootID btf.TypeID, kind btf.COREKind, access string) (*coreSpec, error) {
	if access == "" || access[0] == ':' {
		return nil, specErr("bad access string %q", access)
	}
	sp := &coreSpec{spec: s, rootID: rootID, kind: kind}
	if kind.IsType() {
		if access != "0" {
			return nil, specErr("access string %q of a type-based relocation is not \"0\"", access)
		}
		return sp, nil
	}
	raw, err := parseAccess(access)
	if err != nil {
		return nil, err
	}
	sp.raw = raw
	t, err := skipMods(s, rootID)
	if err != nil {
		return nil, err
	}
	id := t.ID()
	idx := raw[0]
	sp.acc = append(sp.acc, Accessor{TypeID: id, Index: idx})
	if kind.IsEnumValue() {
		if !isEnum(t.Kind()) {
			return nil, specErr("enum value relocation on [%d] %s, not an enum", id, t.Kind())
		}
		if len(raw) > 1 || idx >= t.Vlen() {
			return nil, specErr("access string %q out of range for enum [%d] with %d values", access, id, t.Vlen())
		}
		sp.acc[0].Name = t.EnumValue(idx).Name
		return sp, nil
	}
	if !kind.IsField() {
		return nil, specErr("unknown relocation kind %d", uint32(kind))
	}
	sz, err := resolveSize(s, id)
	if err != nil {
		return nil, err
	}
	sp.bitOffset = uint32(int64(idx) * sz * 8)
	for i := 1; i < len(raw); i++ {
		t, err := skipMods(s, id)
		if err != nil {
			return nil, err
		}
		idx := raw[i]
		switch {
		case t.Kind().IsComposite():
			if idx >= t.Vlen() {
				return nil, specErr("access string %q: member %d out of range for [%d] %s %q with %d members", access, idx, t.ID(), t.Kind(), t.Name(), t.Vlen())
			}
			m := t.Member(idx)
			sp.bitOffset += m.BitOffset
			if m.NameOff != 0 {
				if m.Name == "" {
					return nil, specErr("member %d of [%d] has an empty name", idx, t.ID())
				}
				sp.acc = append(sp.acc, Accessor{TypeID: t.ID(), Index: idx, Name: m.Name})
			}
			id = m.Type
		case t.Kind() == btf.KindArray:
			a := t.Array()
			et, err := skipMods(s, a.Type)
			if err != nil {
				return nil, err
			}
			id = et.ID()
			if !isFlexArray(s, sp.acc[len(sp.acc)-1], a) && idx >= int(a.Nelems) {
				return nil, specErr("access string %q: element %d out of range for array [%d] of %d", access, idx, t.ID(), a.Nelems)
			}
			sp.acc = append(sp.acc, Accessor{TypeID: id, Index: idx})
			sz, err := resolveSize(s, id)
			if err != nil {
				return nil, err
			}
			sp.bitOffset += uint32(int64(idx) * sz * 8)
		default:
			return nil, specErr("access string %q (at element %d) reaches type [%d] of kind %s", access, i, id, t.Kind())
		}
	}
	return sp, nil
}

// isFlexArray reports whether an array is a flexible array member: of no
// elements, and the last member of the struct the previous accessor named
// (libbpf's is_flex_arr).
func isFlexArray(s *btf.Spec, prev Accessor, a btf.Array) bool {
	if prev.Name == "" || a.Nelems > 0 {
		return false
	}
	t, err := s.Type(prev.TypeID)
	return err == nil && prev.Index == t.Vlen()-1
}
