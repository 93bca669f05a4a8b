package btf

import (
	"encoding/binary"
	"fmt"
	"iter"
	"strings"
	"sync"
)

// TypeID identifies a type within a spec. Id 0 is the void type; the first
// type of a base spec has id 1, and the first type of a split spec has the id
// that follows the last type of its base.
type TypeID uint32

// MaxTypes is the largest number of types one spec may hold, libbpf's
// BTF_MAX_NR_TYPES (libbpf src/btf.c).
const MaxTypes = 0x7fffffff

// Spec is a decoded BTF blob: its types, in id order, and its strings.
//
// Types live in flat storage: the type section is kept as one slice of
// 32-bit words in host order, and an id-indexed slice holds each type's
// word offset. A Type is a small view into that storage, so walking every
// member of every type allocates nothing.
//
// A split spec (see Spec.Base) continues the ids and string offsets of its
// base: ids below FirstID and string offsets below the base's string size
// resolve in the base. A Spec is immutable and safe for concurrent use.
type Spec struct {
	base    *Spec
	firstID TypeID // id of words' first type
	strBase uint32 // string offset of strs[0]

	words []uint32 // type section, host order
	offs  []uint32 // offs[i] is the word index of type firstID+i; offs[n] = len(words)
	strs  string   // string section, ending in NUL

	order  binary.ByteOrder // byte order of the input, used by Marshal by default
	hdrLen uint32           // header length to reproduce (>= headerLen)

	nameOnce sync.Once
	byName   map[string][]TypeID

	ptrOnce sync.Once
	ptrSize uint32
}

// Base returns the base spec of a split spec, or nil.
func (s *Spec) Base() *Spec { return s.base }

// FirstID returns the id of the spec's first own type: 1 for a base spec.
func (s *Spec) FirstID() TypeID { return s.firstID }

// NextID returns the id the next type added after this spec would get: one
// past its last type.
func (s *Spec) NextID() TypeID { return s.firstID + TypeID(len(s.offs)-1) }

// NumTypes returns the number of the spec's own types, not counting void
// or the types of its base.
func (s *Spec) NumTypes() int { return len(s.offs) - 1 }

// ByteOrder returns the byte order the spec was decoded from. Marshal uses
// it unless told otherwise.
func (s *Spec) ByteOrder() binary.ByteOrder { return s.order }

// StringsSize returns the size in bytes of the spec's own string section.
func (s *Spec) StringsSize() int { return len(s.strs) }

// TypesSize returns the size in bytes of the spec's own type section.
func (s *Spec) TypesSize() int { return 4 * len(s.words) }

// StringBase returns the string offset of the first byte of the spec's own
// string section: 0 for a base spec, the total string size of its bases for
// a split spec.
func (s *Spec) StringBase() uint32 { return s.strBase }

// strEnd returns one past the largest valid string offset.
func (s *Spec) strEnd() uint32 { return s.strBase + uint32(len(s.strs)) }

// StringAt returns the NUL-terminated string at offset off of the string
// section, looking in the base for offsets below StringBase.
func (s *Spec) StringAt(off uint32) (string, error) {
	for off < s.strBase {
		s = s.base
	}
	if off >= s.strEnd() {
		return "", formatErr(ErrBadString, -1, 0, "string offset %d out of range (strings end at %d)", off, s.strEnd())
	}
	return s.str(off), nil
}

// str returns the string at a validated offset.
func (s *Spec) str(off uint32) string {
	for off < s.strBase {
		s = s.base
	}
	rest := s.strs[off-s.strBase:]
	if i := strings.IndexByte(rest, 0); i >= 0 {
		return rest[:i]
	}
	return rest
}

// Strings returns the spec's own string section: every string, NUL
// terminated, as stored.
func (s *Spec) Strings() string { return s.strs }

// Type returns the type with the given id, which may belong to a base spec.
// Id 0 gives the void type. It returns an error wrapping ErrNotFound for ids
// past the last type.
func (s *Spec) Type(id TypeID) (Type, error) {
	if id >= s.NextID() {
		return Type{}, formatErr(ErrNotFound, -1, 0, "type id %d out of range (last id is %d)", id, s.NextID()-1)
	}
	return s.typ(id), nil
}

// typ returns the type with a valid id.
func (s *Spec) typ(id TypeID) Type {
	if id == 0 {
		return Type{spec: s}
	}
	for id < s.firstID {
		s = s.base
	}
	i := id - s.firstID
	return Type{spec: s, id: id, w: s.words[s.offs[i]:s.offs[i+1]:s.offs[i+1]]}
}

// Types iterates over the spec's own types in id order. The types of a
// base spec are not included; iterate over Base for those.
func (s *Spec) Types() iter.Seq[Type] {
	return func(yield func(Type) bool) {
		for i := range len(s.offs) - 1 {
			t := Type{spec: s, id: s.firstID + TypeID(i), w: s.words[s.offs[i]:s.offs[i+1]:s.offs[i+1]]}
			if !yield(t) {
				return
			}
		}
	}
}

// TypeIDsByName returns the ids of every type named name, in the base first,
// then in this spec, in id order. Anonymous types have the name "" and are
// not indexed. The index is built on first use.
func (s *Spec) TypeIDsByName(name string) []TypeID {
	var ids []TypeID
	if s.base != nil {
		ids = s.base.TypeIDsByName(name)
	}
	s.nameOnce.Do(s.buildNameIndex)
	own := s.byName[name]
	if len(ids) == 0 {
		return own
	}
	return append(ids[:len(ids):len(ids)], own...)
}

func (s *Spec) buildNameIndex() {
	m := make(map[string][]TypeID)
	for t := range s.Types() {
		if t.w[0] == 0 {
			continue
		}
		n := t.Name()
		m[n] = append(m[n], t.id)
	}
	s.byName = m
}

// TypeByName returns the only type named name with the given kind. It
// returns an error wrapping ErrNotFound when there is none, and one
// wrapping ErrMultipleMatches when there are several (TypeIDsByName lists
// them). Neither is a FormatError: the BTF is not at fault.
func (s *Spec) TypeByName(name string, kind Kind) (Type, error) {
	var found Type
	n := 0
	for _, id := range s.TypeIDsByName(name) {
		if t := s.typ(id); t.Kind() == kind {
			found = t
			n++
		}
	}
	switch n {
	case 0:
		return Type{}, fmt.Errorf("btf: no %s named %q: %w", kind, name, ErrNotFound)
	case 1:
		return found, nil
	}
	return Type{}, fmt.Errorf("btf: %d types of kind %s named %q: %w", n, kind, name, ErrMultipleMatches)
}

// RawType returns the words of a type's record in host order: name offset,
// info, size or type, then the kind-specific words. The slice aliases the
// spec's storage and must not be modified. It is for code, such as dedup,
// that works on records directly.
func (s *Spec) RawType(id TypeID) []uint32 { return s.typ(id).w }
