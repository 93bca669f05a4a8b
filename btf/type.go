package btf

// Type is a view of one type record in a Spec. It is a small value that
// refers to the spec's storage; copying it copies no type data.
//
// The accessors mirror the fields of the UAPI structs in linux/btf.h. Those
// that do not apply to the type's kind return zero values.
type Type struct {
	spec *Spec
	id   TypeID
	w    []uint32 // the record: name_off, info, size/type, kind-specific words
}

// ID returns the type's id.
func (t Type) ID() TypeID { return t.id }

// Spec returns the spec that holds the type (a base spec for base types).
func (t Type) Spec() *Spec { return t.spec }

// IsVoid reports whether t is the void type, id 0.
func (t Type) IsVoid() bool { return t.id == 0 }

// Kind returns the type's kind; KindUnknown for void.
func (t Type) Kind() Kind {
	if t.w == nil {
		return KindUnknown
	}
	return Kind(t.w[1] >> 24 & 0x1f)
}

// Info returns the raw info word: vlen in bits 0-15, kind in bits 24-28,
// kflag in bit 31.
func (t Type) Info() uint32 {
	if t.w == nil {
		return 0
	}
	return t.w[1]
}

// Vlen returns the number of members, values, parameters or variables; for
// a FUNC it holds the linkage.
func (t Type) Vlen() int {
	if t.w == nil {
		return 0
	}
	return int(t.w[1] & 0xffff)
}

// KindFlag returns the kind flag. It means: for STRUCT and UNION, that
// member offsets hold a bitfield size; for FWD, a union; for ENUM and ENUM64,
// signed values; for DECL_TAG and TYPE_TAG, an attribute rather than a
// btf_decl_tag / btf_type_tag annotation.
func (t Type) KindFlag() bool { return t.w != nil && t.w[1]>>31 != 0 }

// NameOff returns the string offset of the type's name.
func (t Type) NameOff() uint32 {
	if t.w == nil {
		return 0
	}
	return t.w[0]
}

// Name returns the type's name, "" for anonymous types and void.
func (t Type) Name() string {
	if t.w == nil || t.w[0] == 0 {
		return ""
	}
	return t.spec.str(t.w[0])
}

// Size returns the size in bytes of INT, STRUCT, UNION, ENUM, ENUM64,
// DATASEC and FLOAT types, and 0 for other kinds.
func (t Type) Size() uint32 {
	if k := t.Kind(); k.hasSize() {
		return t.w[2]
	}
	return 0
}

// Ref returns the type that t refers to: the target of PTR, TYPEDEF,
// VOLATILE, CONST, RESTRICT and TYPE_TAG, the prototype of a FUNC, the type
// of a VAR, the tagged type of a DECL_TAG and the return type of a
// FUNC_PROTO. It returns 0 for other kinds.
func (t Type) Ref() TypeID {
	if k := t.Kind(); k != KindUnknown && !k.hasSize() && k != KindArray {
		return TypeID(t.w[2])
	}
	return 0
}

// Int describes the kind-specific word of an INT (BTF_INT_ENCODING,
// BTF_INT_OFFSET and BTF_INT_BITS).
type Int struct {
	Encoding IntEncoding
	Offset   uint32 // bit offset of the value within the type's storage
	Bits     uint32 // number of bits of the value
}

// Int returns the encoding of an INT type.
func (t Type) Int() Int {
	if t.Kind() != KindInt {
		return Int{}
	}
	v := t.w[3]
	return Int{Encoding: IntEncoding(v >> 24 & 0x0f), Offset: v >> 16 & 0xff, Bits: v & 0xff}
}

// Array describes an ARRAY type (struct btf_array).
type Array struct {
	Type   TypeID // element type
	Index  TypeID // index type
	Nelems uint32 // number of elements
}

// Array returns the element type, index type and length of an ARRAY.
func (t Type) Array() Array {
	if t.Kind() != KindArray {
		return Array{}
	}
	return Array{Type: TypeID(t.w[3]), Index: TypeID(t.w[4]), Nelems: t.w[5]}
}

// Member is one member of a STRUCT or UNION (struct btf_member), with its
// offset decoded according to the parent's kind flag.
type Member struct {
	Name    string
	NameOff uint32
	Type    TypeID
	// BitOffset is the offset of the member from the start of its parent,
	// in bits.
	BitOffset uint32
	// BitfieldSize is the member's size in bits when the parent's kind flag
	// is set and the member is a bitfield, and 0 otherwise.
	BitfieldSize uint32
	// RawOffset is the offset word as stored.
	RawOffset uint32
}

// Member returns member i of a STRUCT or UNION, and the zero Member when
// t is of another kind or i is not below Vlen.
func (t Type) Member(i int) Member {
	if !t.Kind().IsComposite() || uint(i) >= uint(t.Vlen()) {
		return Member{}
	}
	w := t.w[3+3*i : 6+3*i]
	m := Member{NameOff: w[0], Type: TypeID(w[1]), BitOffset: w[2], RawOffset: w[2]}
	if w[0] != 0 {
		m.Name = t.spec.str(w[0])
	}
	if t.KindFlag() {
		m.BitOffset = w[2] & 0xffffff
		m.BitfieldSize = w[2] >> 24
	}
	return m
}

// EnumValue is one value of an ENUM (struct btf_enum) or ENUM64 (struct
// btf_enum64).
type EnumValue struct {
	Name    string
	NameOff uint32
	// Value is the value's bits: for ENUM the 32-bit value zero-extended
	// (sign-extend it with int32(Value) when the enum is signed), for ENUM64
	// the 64-bit value.
	Value uint64
}

// EnumValue returns value i of an ENUM or ENUM64, and the zero EnumValue
// when t is of another kind or i is not below Vlen.
func (t Type) EnumValue(i int) EnumValue {
	var v EnumValue
	k := t.Kind()
	if k != KindEnum && k != KindEnum64 || uint(i) >= uint(t.Vlen()) {
		return v
	}
	if k == KindEnum64 {
		w := t.w[3+3*i : 6+3*i]
		v = EnumValue{NameOff: w[0], Value: uint64(w[2])<<32 | uint64(w[1])}
	} else {
		w := t.w[3+2*i : 5+2*i]
		v = EnumValue{NameOff: w[0], Value: uint64(w[1])}
	}
	if v.NameOff != 0 {
		v.Name = t.spec.str(v.NameOff)
	}
	return v
}

// Param is one parameter of a FUNC_PROTO (struct btf_param). A trailing
// parameter with type 0 and no name marks a variadic function.
type Param struct {
	Name    string
	NameOff uint32
	Type    TypeID
}

// Param returns parameter i of a FUNC_PROTO, and the zero Param when t is
// of another kind or i is not below Vlen.
func (t Type) Param(i int) Param {
	if t.Kind() != KindFuncProto || uint(i) >= uint(t.Vlen()) {
		return Param{}
	}
	w := t.w[3+2*i : 5+2*i]
	p := Param{NameOff: w[0], Type: TypeID(w[1])}
	if w[0] != 0 {
		p.Name = t.spec.str(w[0])
	}
	return p
}

// Linkage returns the linkage of a FUNC (its vlen) or VAR (its extra word).
func (t Type) Linkage() Linkage {
	switch t.Kind() {
	case KindFunc:
		return Linkage(t.w[1] & 0xffff)
	case KindVar:
		return Linkage(t.w[3])
	}
	return 0
}

// VarSecinfo is one variable of a DATASEC (struct btf_var_secinfo).
type VarSecinfo struct {
	Type   TypeID // a VAR or FUNC
	Offset uint32 // offset of the variable within the section
	Size   uint32 // size of the variable
}

// VarSecinfo returns variable i of a DATASEC, and the zero VarSecinfo when
// t is of another kind or i is not below Vlen.
func (t Type) VarSecinfo(i int) VarSecinfo {
	if t.Kind() != KindDatasec || uint(i) >= uint(t.Vlen()) {
		return VarSecinfo{}
	}
	w := t.w[3+3*i : 6+3*i]
	return VarSecinfo{Type: TypeID(w[0]), Offset: w[1], Size: w[2]}
}

// ComponentIdx returns the component of a DECL_TAG: -1 for the tagged type
// itself, otherwise the index of the member or parameter it tags.
func (t Type) ComponentIdx() int32 {
	if t.Kind() != KindDeclTag {
		return 0
	}
	return int32(t.w[3])
}

// Raw returns the type's record as host-order words. It aliases the spec's
// storage and must not be modified.
func (t Type) Raw() []uint32 { return t.w }
