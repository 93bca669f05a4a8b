package btf

import (
	"encoding/binary"
	"fmt"
	"slices"
)

// Builder assembles a new spec type by type. Types get consecutive ids in
// the order they are added; strings are stored once each.
//
// The Add methods do not check their arguments beyond what the record
// layout needs; Spec runs the same checks as Decode on the result.
type Builder struct {
	base    *Spec
	firstID TypeID
	strBase uint32
	words   []uint32
	n       int
	strs    []byte
	strIdx  map[string]uint32
	err     error
}

// NewBuilder returns a builder for a spec over base, or for a base spec
// when base is nil. As in libbpf's btf__new_empty and btf__new_empty_split,
// a base spec's strings start with the empty string and a split spec's
// strings start empty, the empty name resolving in the base.
func NewBuilder(base *Spec) *Builder {
	b := &Builder{base: base, firstID: 1, strIdx: map[string]uint32{"": 0}}
	if base != nil {
		b.firstID = base.NextID()
		b.strBase = base.strEnd()
	} else {
		b.strs = []byte{0}
	}
	return b
}

// NextID returns the id the next added type will get.
func (b *Builder) NextID() TypeID { return b.firstID + TypeID(b.n) }

// AddString adds s to the string section unless it is there already, and
// returns its offset.
func (b *Builder) AddString(s string) uint32 {
	if off, ok := b.strIdx[s]; ok {
		return off
	}
	off := b.strBase + uint32(len(b.strs))
	b.strs = append(append(b.strs, s...), 0)
	b.strIdx[s] = off
	return off
}

// AddRaw appends a type record given as host-order words: name offset,
// info, size or type, then the kind-specific words. The string offsets it
// holds must come from AddString (or the base).
func (b *Builder) AddRaw(rec []uint32) TypeID {
	if len(rec) < 3 && b.err == nil {
		b.err = fmt.Errorf("btf: builder: type [%d]: record of %d words, need at least 3", b.NextID(), len(rec))
	}
	b.words = append(b.words, rec...)
	b.n++
	return b.NextID() - 1
}

func (b *Builder) add(name string, kind Kind, kflag bool, vlen int, sizeOrType uint32, extra ...uint32) TypeID {
	if vlen > 0xffff && b.err == nil {
		b.err = fmt.Errorf("btf: builder: type [%d] %s %q: vlen %d exceeds 65535", b.NextID(), kind, name, vlen)
	}
	info := uint32(kind)<<24 | uint32(vlen)&0xffff
	if kflag {
		info |= 1 << 31
	}
	b.words = append(b.words, b.AddString(name), info, sizeOrType)
	b.words = append(b.words, extra...)
	b.n++
	return b.NextID() - 1
}

// AddInt adds an INT of size bytes holding bits bits at bit offset 0.
func (b *Builder) AddInt(name string, size uint32, enc IntEncoding, bits uint32) TypeID {
	return b.add(name, KindInt, false, 0, size, uint32(enc)<<24|bits&0xff)
}

// AddPointer adds a PTR to type to.
func (b *Builder) AddPointer(to TypeID) TypeID { return b.add("", KindPointer, false, 0, uint32(to)) }

// AddArray adds an ARRAY of n elements of type elem, indexed by index.
func (b *Builder) AddArray(elem, index TypeID, n uint32) TypeID {
	return b.add("", KindArray, false, 0, 0, uint32(elem), uint32(index), n)
}

// AddStruct adds a STRUCT of size bytes. Each member's Name, Type,
// BitOffset and BitfieldSize are used; the kind flag is set when any member
// is a bitfield.
func (b *Builder) AddStruct(name string, size uint32, members []Member) TypeID {
	return b.addComposite(KindStruct, name, size, members)
}

// AddUnion adds a UNION, as AddStruct does a STRUCT.
func (b *Builder) AddUnion(name string, size uint32, members []Member) TypeID {
	return b.addComposite(KindUnion, name, size, members)
}

func (b *Builder) addComposite(k Kind, name string, size uint32, members []Member) TypeID {
	kflag := slices.ContainsFunc(members, func(m Member) bool { return m.BitfieldSize != 0 })
	extra := make([]uint32, 0, 3*len(members))
	for _, m := range members {
		off := m.BitOffset
		if kflag {
			off = m.BitfieldSize<<24 | m.BitOffset&0xffffff
		}
		extra = append(extra, b.AddString(m.Name), uint32(m.Type), off)
	}
	return b.add(name, k, kflag, len(members), size, extra...)
}

// AddEnum adds an ENUM of size bytes; each value's low 32 bits are stored.
func (b *Builder) AddEnum(name string, size uint32, signed bool, values []EnumValue) TypeID {
	extra := make([]uint32, 0, 2*len(values))
	for _, v := range values {
		extra = append(extra, b.AddString(v.Name), uint32(v.Value))
	}
	return b.add(name, KindEnum, signed, len(values), size, extra...)
}

// AddEnum64 adds an ENUM64 of size bytes.
func (b *Builder) AddEnum64(name string, size uint32, signed bool, values []EnumValue) TypeID {
	extra := make([]uint32, 0, 3*len(values))
	for _, v := range values {
		extra = append(extra, b.AddString(v.Name), uint32(v.Value), uint32(v.Value>>32))
	}
	return b.add(name, KindEnum64, signed, len(values), size, extra...)
}

// AddFwd adds a forward declaration of a struct, or of a union when union
// is true.
func (b *Builder) AddFwd(name string, union bool) TypeID {
	return b.add(name, KindFwd, union, 0, 0)
}

// AddTypedef adds a TYPEDEF of type to.
func (b *Builder) AddTypedef(name string, to TypeID) TypeID {
	return b.add(name, KindTypedef, false, 0, uint32(to))
}

// AddQualifier adds a VOLATILE, CONST or RESTRICT of type to.
func (b *Builder) AddQualifier(k Kind, to TypeID) TypeID {
	return b.add("", k, false, 0, uint32(to))
}

// AddFunc adds a FUNC with prototype proto and the given linkage.
func (b *Builder) AddFunc(name string, proto TypeID, l Linkage) TypeID {
	return b.add(name, KindFunc, false, int(l), uint32(proto))
}

// AddFuncProto adds a FUNC_PROTO returning ret. A last parameter with no
// name and type 0 makes the function variadic.
func (b *Builder) AddFuncProto(ret TypeID, params []Param) TypeID {
	extra := make([]uint32, 0, 2*len(params))
	for _, p := range params {
		extra = append(extra, b.AddString(p.Name), uint32(p.Type))
	}
	return b.add("", KindFuncProto, false, len(params), uint32(ret), extra...)
}

// AddVar adds a VAR of type t with the given linkage.
func (b *Builder) AddVar(name string, t TypeID, l Linkage) TypeID {
	return b.add(name, KindVar, false, 0, uint32(t), uint32(l))
}

// AddDatasec adds a DATASEC of size bytes holding vars.
func (b *Builder) AddDatasec(name string, size uint32, vars []VarSecinfo) TypeID {
	extra := make([]uint32, 0, 3*len(vars))
	for _, v := range vars {
		extra = append(extra, uint32(v.Type), v.Offset, v.Size)
	}
	return b.add(name, KindDatasec, false, len(vars), size, extra...)
}

// AddFloat adds a FLOAT of size bytes.
func (b *Builder) AddFloat(name string, size uint32) TypeID {
	return b.add(name, KindFloat, false, 0, size)
}

// AddDeclTag adds a DECL_TAG on type t, or on its member or parameter
// component when component is not -1. attr sets the kind flag, marking a
// compiler attribute rather than a btf_decl_tag annotation.
func (b *Builder) AddDeclTag(name string, t TypeID, component int32, attr bool) TypeID {
	return b.add(name, KindDeclTag, attr, 0, uint32(t), uint32(component))
}

// AddTypeTag adds a TYPE_TAG on type t; attr sets the kind flag.
func (b *Builder) AddTypeTag(name string, t TypeID, attr bool) TypeID {
	return b.add(name, KindTypeTag, attr, 0, uint32(t))
}

// Spec returns the spec built so far, little-endian by default, after the
// checks Decode makes. The builder may be used further; later additions do
// not change the returned spec.
func (b *Builder) Spec() (*Spec, error) {
	if b.err != nil {
		return nil, b.err
	}
	return newSpec(slices.Clone(b.words), string(b.strs), b.base, binary.LittleEndian, headerLen)
}
