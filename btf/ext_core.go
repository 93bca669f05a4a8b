package btf

import "fmt"

// COREKind is the kind of a CO-RE relocation, enum bpf_core_relo_kind of
// the UAPI linux/bpf.h.
type COREKind uint32

// The CO-RE relocation kinds.
const (
	COREFieldByteOffset COREKind = 0  // BPF_CORE_FIELD_BYTE_OFFSET
	COREFieldByteSize   COREKind = 1  // BPF_CORE_FIELD_BYTE_SIZE
	COREFieldExists     COREKind = 2  // BPF_CORE_FIELD_EXISTS
	COREFieldSigned     COREKind = 3  // BPF_CORE_FIELD_SIGNED
	COREFieldLShiftU64  COREKind = 4  // BPF_CORE_FIELD_LSHIFT_U64
	COREFieldRShiftU64  COREKind = 5  // BPF_CORE_FIELD_RSHIFT_U64
	CORETypeIDLocal     COREKind = 6  // BPF_CORE_TYPE_ID_LOCAL
	CORETypeIDTarget    COREKind = 7  // BPF_CORE_TYPE_ID_TARGET
	CORETypeExists      COREKind = 8  // BPF_CORE_TYPE_EXISTS
	CORETypeSize        COREKind = 9  // BPF_CORE_TYPE_SIZE
	COREEnumValueExists COREKind = 10 // BPF_CORE_ENUMVAL_EXISTS
	COREEnumValue       COREKind = 11 // BPF_CORE_ENUMVAL_VALUE
	CORETypeMatches     COREKind = 12 // BPF_CORE_TYPE_MATCHES
	numCOREKinds                 = 13
)

// coreKindNames are libbpf's names for the kinds (src/relo_core.c,
// core_relo_kind_str), which its debug log prints.
var coreKindNames = [numCOREKinds]string{
	"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64",
	"local_type_id", "target_type_id", "type_exists", "type_size",
	"enumval_exists", "enumval_value", "type_matches",
}

// String returns libbpf's name for the kind, such as "byte_off", or
// "COREKind(N)" for a value outside the enum.
func (k COREKind) String() string {
	if k < numCOREKinds {
		return coreKindNames[k]
	}
	return fmt.Sprintf("COREKind(%d)", uint32(k))
}

// Valid reports whether k is one of the 13 kinds libbpf knows.
func (k COREKind) Valid() bool { return k < numCOREKinds }

// IsField reports whether k is about a struct or union member
// (byte_off … rshift_u64): its access string walks members and array
// elements.
func (k COREKind) IsField() bool { return k <= COREFieldRShiftU64 }

// IsType reports whether k is about a type as a whole (local_type_id …
// type_size, type_matches).
func (k COREKind) IsType() bool {
	return k >= CORETypeIDLocal && k <= CORETypeSize || k == CORETypeMatches
}

// IsEnumValue reports whether k is about an enum value (enumval_exists,
// enumval_value).
func (k COREKind) IsEnumValue() bool { return k == COREEnumValueExists || k == COREEnumValue }
