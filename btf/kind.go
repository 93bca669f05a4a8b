package btf

import "fmt"

// Kind is the kind of a BTF type, as stored in bits 24-28 of a type's info
// word (BTF_INFO_KIND in the UAPI linux/btf.h).
type Kind uint8

// The kinds defined by the UAPI header linux/btf.h. KindUnknown (0) is only
// ever the kind of the void type, id 0, which has no record of its own.
const (
	KindUnknown   Kind = 0
	KindInt       Kind = 1
	KindPointer   Kind = 2
	KindArray     Kind = 3
	KindStruct    Kind = 4
	KindUnion     Kind = 5
	KindEnum      Kind = 6
	KindFwd       Kind = 7
	KindTypedef   Kind = 8
	KindVolatile  Kind = 9
	KindConst     Kind = 10
	KindRestrict  Kind = 11
	KindFunc      Kind = 12
	KindFuncProto Kind = 13
	KindVar       Kind = 14
	KindDatasec   Kind = 15
	KindFloat     Kind = 16
	KindDeclTag   Kind = 17
	KindTypeTag   Kind = 18
	KindEnum64    Kind = 19

	// MaxKind is the highest kind this package understands.
	MaxKind = KindEnum64
)

var kindNames = [...]string{
	KindUnknown:   "UNKNOWN",
	KindInt:       "INT",
	KindPointer:   "PTR",
	KindArray:     "ARRAY",
	KindStruct:    "STRUCT",
	KindUnion:     "UNION",
	KindEnum:      "ENUM",
	KindFwd:       "FWD",
	KindTypedef:   "TYPEDEF",
	KindVolatile:  "VOLATILE",
	KindConst:     "CONST",
	KindRestrict:  "RESTRICT",
	KindFunc:      "FUNC",
	KindFuncProto: "FUNC_PROTO",
	KindVar:       "VAR",
	KindDatasec:   "DATASEC",
	KindFloat:     "FLOAT",
	KindDeclTag:   "DECL_TAG",
	KindTypeTag:   "TYPE_TAG",
	KindEnum64:    "ENUM64",
}

// String returns the kind's name as bpftool prints it ("INT", "PTR",
// "FUNC_PROTO", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("KIND(%d)", uint8(k))
}

// Valid reports whether k is one of the kinds a type record may have.
func (k Kind) Valid() bool { return k >= KindInt && k <= MaxKind }

// extraWords returns the number of 32-bit words that follow the 12-byte
// common header of a type of kind k with vlen entries. It is only meaningful
// for valid kinds.
func (k Kind) extraWords(vlen uint32) uint32 {
	switch k {
	case KindInt, KindVar, KindDeclTag:
		return 1
	case KindArray:
		return 3
	case KindStruct, KindUnion, KindDatasec, KindEnum64:
		return 3 * vlen
	case KindEnum, KindFuncProto:
		return 2 * vlen
	}
	return 0
}

// hasSize reports whether the third word of a type of kind k is a size in
// bytes rather than a type id.
func (k Kind) hasSize() bool {
	switch k {
	case KindInt, KindStruct, KindUnion, KindEnum, KindFwd, KindDatasec, KindFloat, KindEnum64:
		return true
	}
	return false
}

// IsComposite reports whether k is STRUCT or UNION.
func (k Kind) IsComposite() bool { return k == KindStruct || k == KindUnion }

// IsModifier reports whether k is a type that only qualifies another:
// TYPEDEF, VOLATILE, CONST, RESTRICT or TYPE_TAG.
func (k Kind) IsModifier() bool {
	switch k {
	case KindTypedef, KindVolatile, KindConst, KindRestrict, KindTypeTag:
		return true
	}
	return false
}

// IntEncoding is the encoding field of an INT type (BTF_INT_ENCODING).
type IntEncoding uint8

// The INT encodings of linux/btf.h. They are flags, but the kernel allows at
// most one of them.
const (
	IntSigned IntEncoding = 1 << 0
	IntChar   IntEncoding = 1 << 1
	IntBool   IntEncoding = 1 << 2
)

// String returns the encoding as bpftool prints it: "SIGNED", "CHAR",
// "BOOL" or "(none)".
func (e IntEncoding) String() string {
	switch e {
	case 0:
		return "(none)"
	case IntSigned:
		return "SIGNED"
	case IntChar:
		return "CHAR"
	case IntBool:
		return "BOOL"
	}
	return "UNKN"
}

// Linkage is the linkage of a FUNC (stored in its vlen) or of a VAR (stored
// in the word that follows it).
type Linkage uint32

// Linkages of FUNC and VAR types (BTF_FUNC_* and BTF_VAR_* in linux/btf.h).
// VAR uses the same numbering: static 0, global allocated 1, extern 2.
const (
	LinkageStatic Linkage = 0
	LinkageGlobal Linkage = 1
	LinkageExtern Linkage = 2
)

// String returns the linkage as bpftool prints it: "static", "global" or
// "extern".
func (l Linkage) String() string {
	switch l {
	case LinkageStatic:
		return "static"
	case LinkageGlobal:
		return "global"
	case LinkageExtern:
		return "extern"
	}
	return "(unknown)"
}
